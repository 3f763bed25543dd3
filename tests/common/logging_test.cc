#include "core/common/logging.h"

#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/common/configuration.h"
#include "tests/common/test_util.h"

namespace alluxio {
namespace {

using ::testing::HasSubstr;

class LoggingTest : public ::testing::Test {
 protected:
  void TearDown() override { ResetLogging(); }

  // A configuration whose logs go to <tmp>/logs (a directory not yet created).
  Configuration Conf(std::vector<std::pair<PropertyKey, std::string>> extra = {}) {
    Configuration conf;
    EXPECT_TRUE(conf.Set(PropertyKey::kLogsDir, dir_.Sub("logs")).ok());
    for (auto& [key, value] : extra) EXPECT_TRUE(conf.Set(key, value).ok());
    return conf;
  }

  std::vector<std::string> Lines(std::string_view process) {
    return testing::ReadLines(dir_.Sub(fmt::format("logs/{}.log", process)));
  }

  testing::TempDir dir_;
};

TEST_F(LoggingTest, LineFormat) {
  ASSERT_TRUE(InitLogging("master", Conf(), /*foreground=*/false).ok());
  std::thread t([] {
    SetLogThreadName("reactor-7");
    ALX_LOG(kWarn, "worker", "evicted {} bytes", 4096);
  });
  t.join();
  ALX_LOG(kInfo, "master", "two\nlines\n");
  std::vector<std::string> lines = Lines("master");
  ASSERT_EQ(lines.size(), 2u);
  const std::string pid = std::to_string(getpid());
  const std::regex warn(
      "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}[+-]\\d\\d:\\d\\d WARN  \\[" + pid +
      "/reactor-7\\] worker: evicted 4096 bytes");
  EXPECT_TRUE(std::regex_match(lines[0], warn)) << lines[0];
  // Default thread name: the kernel thread id (the main thread's equals the pid).
  const std::regex info(".* INFO  \\[" + pid + "/" + std::to_string(gettid()) +
                        "\\] master: two\\\\nlines");
  EXPECT_TRUE(std::regex_match(lines[1], info)) << lines[1];
}

TEST_F(LoggingTest, LevelFromConfiguration) {
  ASSERT_TRUE(InitLogging("master", Conf(), false).ok());
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));
  ALX_LOG(kDebug, "t", "hidden");
  ALX_LOG(kInfo, "t", "shown");
  EXPECT_EQ(Lines("master").size(), 1u);

  ASSERT_TRUE(InitLogging("master", Conf({{PropertyKey::kLoggerLevel, "warn"}}), false).ok());
  EXPECT_EQ(GetLogLevel(), LogLevel::kWarn);
  ALX_LOG(kInfo, "t", "hidden");
  ALX_LOG(kError, "t", "shown");
  std::vector<std::string> lines = Lines("master");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[1], HasSubstr("ERROR [")) << lines[1];

  ASSERT_TRUE(InitLogging("master", Conf({{PropertyKey::kLoggerLevel, "DEBUG"}}), false).ok());
  EXPECT_TRUE(LogEnabled(LogLevel::kDebug));
}

TEST_F(LoggingTest, FuseDebugEnablesDebugInTheFuseProcessOnly) {
  Configuration conf = Conf({{PropertyKey::kFuseDebugEnabled, "true"}});
  ASSERT_TRUE(InitLogging("master", conf, false).ok());
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));
  ASSERT_TRUE(InitLogging("worker", conf, false).ok());
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));
  ASSERT_TRUE(InitLogging("fuse", conf, false).ok());
  EXPECT_TRUE(LogEnabled(LogLevel::kDebug));
  ALX_LOG(kDebug, "fuse", "getattr /a");
  EXPECT_THAT(Lines("fuse").back(), HasSubstr("DEBUG [")) << Lines("fuse").back();

  ASSERT_TRUE(conf.Set(PropertyKey::kWorkerFuseEnabled, "true").ok());
  ASSERT_TRUE(InitLogging("worker", conf, false).ok());
  EXPECT_TRUE(LogEnabled(LogLevel::kDebug));
}

TEST_F(LoggingTest, AppendsToExistingFile) {
  testing::WriteFile(dir_.Sub("logs/fuse.log"), "earlier line\n");
  ASSERT_TRUE(InitLogging("fuse", Conf(), false).ok());
  ALX_LOG(kInfo, "fuse", "later line");
  std::vector<std::string> lines = Lines("fuse");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "earlier line");
  EXPECT_THAT(lines[1], HasSubstr("fuse: later line"));
}

TEST_F(LoggingTest, TwoProcessesAppendWholeLines) {
  constexpr int kLines = 2000;
  // A long line makes torn writes visible if a line took more than one write().
  const std::string payload(300, 'x');
  Configuration conf = Conf();
  ASSERT_TRUE(InitLogging("fuse", conf, false).ok());
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child opens the file itself, as a second alluxio-fuse process would.
    if (!InitLogging("fuse", conf, false).ok()) _exit(2);
    for (int i = 0; i < kLines; ++i) ALX_LOG(kInfo, "fuse", "child {} {}", i, payload);
    _exit(0);
  }
  for (int i = 0; i < kLines; ++i) ALX_LOG(kInfo, "fuse", "parent {} {}", i, payload);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  std::vector<std::string> lines = Lines("fuse");
  ASSERT_EQ(lines.size(), 2u * kLines);
  const std::regex whole(".* INFO  \\[(\\d+)/\\d+\\] fuse: (parent|child) (\\d+) x{300}");
  int next[2] = {0, 0};  // per writer, lines arrive in order
  for (const std::string& line : lines) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, whole)) << line;
    const int who = m[2] == "parent" ? 0 : 1;
    EXPECT_EQ(m[1], std::to_string(who == 0 ? getpid() : child));
    EXPECT_EQ(std::stoi(m[3]), next[who]++);
  }
  EXPECT_EQ(next[0], kLines);
  EXPECT_EQ(next[1], kLines);
}

TEST_F(LoggingTest, ConfigurationWarningsAreLogged) {
  testing::WriteFile(dir_.Sub("conf/alluxio-site.properties"),
                     "alluxio.logs.dir=" + dir_.Sub("logs") + "\nalluxio.bogus=1\n");
  ConfigLoadOptions opts;
  opts.env = {{"ALLUXIO_CONF_DIR", dir_.Sub("conf")}};
  auto conf = Configuration::Load(opts);
  ASSERT_TRUE(conf.ok()) << conf.error().message;
  ASSERT_TRUE(InitLogging("worker", *conf, false).ok());
  std::vector<std::string> lines = Lines("worker");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("INFO  "));
  EXPECT_THAT(lines[0], HasSubstr("config: loaded " + dir_.Sub("conf/alluxio-site.properties")));
  EXPECT_THAT(lines[1], HasSubstr("WARN  "));
  EXPECT_THAT(lines[1], HasSubstr("config: unknown property alluxio.bogus (from " +
                                  dir_.Sub("conf/alluxio-site.properties") + ":2)"));
}

TEST_F(LoggingTest, UncreatableLogDirectoryFails) {
  testing::WriteFile(dir_.Sub("file"), "");
  Configuration conf;
  ASSERT_TRUE(conf.Set(PropertyKey::kLogsDir, dir_.Sub("file/logs")).ok());
  Status st = InitLogging("master", conf, false);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kNotADirectory);
  EXPECT_THAT(st.error().message, HasSubstr(dir_.Sub("file/logs")));
}

TEST(LogLevelTest, ParseAndName) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("Warning"), LogLevel::kWarn);
  EXPECT_EQ(LogLevelName(LogLevel::kError), "ERROR");
  EXPECT_FALSE(ParseLogLevel("loud").ok());
}

}  // namespace
}  // namespace alluxio
