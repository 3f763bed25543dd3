#include "core/common/slow_op.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/common/configuration.h"
#include "tests/common/test_util.h"

namespace alluxio {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

class SlowOpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Configuration conf;
    ASSERT_TRUE(conf.Set(PropertyKey::kLogsDir, dir_.path()).ok());
    ASSERT_TRUE(InitLogging("fuse", conf, false).ok());
  }
  void TearDown() override { ResetLogging(); }

  std::vector<std::string> Lines() { return testing::ReadLines(dir_.Sub("fuse.log")); }

  testing::TempDir dir_;
  FakeClock clock_;
};

TEST_F(SlowOpTest, FastOperationLogsNothingAndDoesNotDescribe) {
  int described = 0;
  {
    SlowOpLogger op(
        "fuse", milliseconds(100),
        [&] {
          ++described;
          return std::string("read /x");
        },
        clock_);
    clock_.Advance(milliseconds(99));
  }
  {
    SlowOpLogger op(
        "fuse", milliseconds(100),
        [&] {
          ++described;
          return std::string("read /x");
        },
        clock_);
    clock_.Advance(milliseconds(100));  // exactly the threshold is not slow
  }
  EXPECT_EQ(described, 0);
  EXPECT_TRUE(Lines().empty());
}

TEST_F(SlowOpTest, SlowOperationLogsOneWarnLine) {
  int described = 0;
  {
    SlowOpLogger op(
        "fuse", milliseconds(10000),
        [&] {
          ++described;
          return fmt::format("read({}, {} bytes)", "/a", 4096);
        },
        clock_);
    clock_.Advance(milliseconds(12034));
    EXPECT_EQ(op.Elapsed(), milliseconds(12034));
  }
  EXPECT_EQ(described, 1);
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr(" WARN  ["));
  EXPECT_THAT(lines[0], HasSubstr("fuse: read(/a, 4096 bytes) took 12034 ms (threshold 10000 ms)"));
}

TEST_F(SlowOpTest, FinishAndCancel) {
  {
    SlowOpLogger op("client", milliseconds(0), "rpc getStatus", clock_);
    clock_.Advance(milliseconds(1));
    EXPECT_TRUE(op.Finish());
    EXPECT_FALSE(op.Finish());  // logged once only
    clock_.Advance(milliseconds(5));
  }
  {
    SlowOpLogger op("client", milliseconds(0), std::string("rpc abandoned"), clock_);
    clock_.Advance(milliseconds(1));
    op.Cancel();
  }
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("client: rpc getStatus took 1 ms (threshold 0 ms)"));
}

TEST_F(SlowOpTest, ZeroThresholdWithTheRealClock) {
  // Only asserts what cannot race: a real operation with a 0 threshold and a time that moved.
  SlowOpLogger op("fuse", std::chrono::nanoseconds(0), "never-fast");
  while (op.Elapsed() == std::chrono::nanoseconds(0)) {
  }
  EXPECT_TRUE(op.Finish());
  EXPECT_EQ(Lines().size(), 1u);
}

}  // namespace
}  // namespace alluxio
