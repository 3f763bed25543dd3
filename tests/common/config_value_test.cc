#include "core/common/config_value.h"

#include <gtest/gtest.h>

namespace alluxio {
namespace {

using std::chrono::milliseconds;

constexpr int64_t kKB = 1024;
constexpr int64_t kMB = 1024 * kKB;
constexpr int64_t kGB = 1024 * kMB;

TEST(ParseBoolTest, AcceptsTrueFalseAnyCase) {
  EXPECT_TRUE(*ParseBool("true"));
  EXPECT_TRUE(*ParseBool(" TRUE "));
  EXPECT_FALSE(*ParseBool("False"));
  for (const char* bad : {"", "yes", "1", "on", "truee"}) {
    auto r = ParseBool(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message, "expected true or false");
  }
}

TEST(ParseIntTest, SignedDecimal) {
  EXPECT_EQ(*ParseInt("42"), 42);
  EXPECT_EQ(*ParseInt(" -1 "), -1);
  EXPECT_EQ(*ParseInt("+7"), 7);
  EXPECT_FALSE(ParseInt("").ok());
  EXPECT_FALSE(ParseInt("12x").ok());
  EXPECT_FALSE(ParseInt("1.5").ok());
  auto big = ParseInt("99999999999999999999");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().message, "integer out of range");
}

TEST(ParseBytesTest, UnitsAreCaseInsensitivePowersOf1024) {
  EXPECT_EQ(*ParseBytes("4096"), 4096);
  EXPECT_EQ(*ParseBytes("10B"), 10);
  EXPECT_EQ(*ParseBytes("512KB"), 512 * kKB);
  EXPECT_EQ(*ParseBytes("512kb"), 512 * kKB);
  EXPECT_EQ(*ParseBytes("512k"), 512 * kKB);
  EXPECT_EQ(*ParseBytes("64MB"), 64 * kMB);
  EXPECT_EQ(*ParseBytes("64m"), 64 * kMB);
  EXPECT_EQ(*ParseBytes("1GB"), kGB);
  EXPECT_EQ(*ParseBytes("1 GiB"), kGB);
  EXPECT_EQ(*ParseBytes("2T"), 2 * 1024 * kGB);
  EXPECT_EQ(*ParseBytes("1.5GB"), kGB + kGB / 2);
  EXPECT_EQ(*ParseBytes("0.5k"), 512);
  EXPECT_EQ(*ParseBytes(".5k"), 512);
}

TEST(ParseBytesTest, RejectsGarbage) {
  for (const char* bad : {"", "MB", "-1MB", "12XB", "1..5GB", "1GB2", "ten"}) {
    EXPECT_FALSE(ParseBytes(bad).ok()) << bad;
  }
  auto unit = ParseBytes("12XB");
  ASSERT_FALSE(unit.ok());
  EXPECT_NE(unit.error().message.find("unknown size unit \"XB\""), std::string::npos);
  EXPECT_FALSE(ParseBytes("9999999PB").ok());  // overflows int64
}

TEST(ParseDurationTest, UnitsAndPlainMilliseconds) {
  EXPECT_EQ(*ParseDuration("100"), milliseconds(100));
  EXPECT_EQ(*ParseDuration("100ms"), milliseconds(100));
  EXPECT_EQ(*ParseDuration("5s"), milliseconds(5000));
  EXPECT_EQ(*ParseDuration("5sec"), milliseconds(5000));
  EXPECT_EQ(*ParseDuration("10min"), milliseconds(600000));
  EXPECT_EQ(*ParseDuration("10m"), milliseconds(600000));
  EXPECT_EQ(*ParseDuration("1h"), milliseconds(3600000));
  EXPECT_EQ(*ParseDuration("2 HOURS"), milliseconds(7200000));
  EXPECT_EQ(*ParseDuration("1d"), milliseconds(86400000));
  EXPECT_EQ(*ParseDuration("1.5s"), milliseconds(1500));
  EXPECT_EQ(*ParseDuration("-1"), milliseconds(-1));
  EXPECT_EQ(*ParseDuration("0s"), milliseconds(0));
}

TEST(ParseDurationTest, RejectsGarbage) {
  for (const char* bad : {"", "s", "5 fortnights", "1h30m", "--1", "ten seconds"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(SplitListTest, TrimsAndDropsEmptyItems) {
  EXPECT_EQ(SplitList("a, b,,c ,"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitList("").empty());
  EXPECT_TRUE(SplitList(" , ").empty());
}

TEST(FormatTest, CompactForms) {
  EXPECT_EQ(FormatBytes(64 * kMB), "64MB");
  EXPECT_EQ(FormatBytes(1536), "1.50KB");
  EXPECT_EQ(FormatBytes(100), "100B");
  EXPECT_EQ(FormatDuration(milliseconds(600000)), "10min");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0ms");
  EXPECT_EQ(FormatDuration(milliseconds(-1)), "-1ms");
}

}  // namespace
}  // namespace alluxio
