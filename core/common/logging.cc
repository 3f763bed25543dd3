#include "core/common/logging.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>
#include <vector>

#include "core/common/configuration.h"

namespace alluxio {
namespace {

// Immutable once published; the file closes when the last writer using it drops it.
struct Sinks {
  int file_fd = -1;
  bool to_stderr = true;

  Sinks() = default;
  Sinks(const Sinks&) = delete;
  Sinks& operator=(const Sinks&) = delete;
  ~Sinks() {
    if (file_fd >= 0) ::close(file_fd);
  }
};

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};
// Constructed on first use and never destroyed, so that logging from static initialisers and
// from threads still running at exit is safe.
std::atomic<std::shared_ptr<const Sinks>>& GlobalSinks() {
  static auto* sinks =
      new std::atomic<std::shared_ptr<const Sinks>>(std::make_shared<const Sinks>());
  return *sinks;
}

thread_local std::string t_thread_name;

// Writes all of `data` with as few write() calls as the kernel allows (one for a regular file
// opened O_APPEND, which keeps lines of concurrent writers whole).
void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report a failing log sink
    data.remove_prefix(static_cast<size_t>(n));
  }
}

const std::string& ThreadName() {
  if (t_thread_name.empty()) t_thread_name = std::to_string(::gettid());
  return t_thread_name;
}

// "2024-05-01T12:34:56.789+02:00" in local time.
void AppendTimestamp(std::chrono::system_clock::time_point now, std::string* out) {
  const auto since_epoch = now.time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const int ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs).count());
  const std::time_t t = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  localtime_r(&t, &tm);
  const long offset_min = tm.tm_gmtoff / 60;
  const char sign = offset_min < 0 ? '-' : '+';
  const long abs_min = offset_min < 0 ? -offset_min : offset_min;
  fmt::format_to(std::back_inserter(*out),
                 "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}{}{:02d}:{:02d}",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms,
                 sign, abs_min / 60, abs_min % 60);
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "?";
}

Result<LogLevel> ParseLogLevel(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  if (upper == "DEBUG") return LogLevel::kDebug;
  if (upper == "INFO") return LogLevel::kInfo;
  if (upper == "WARN" || upper == "WARNING") return LogLevel::kWarn;
  if (upper == "ERROR") return LogLevel::kError;
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown log level \"{}\"; expected DEBUG, INFO, WARN or ERROR", name));
}

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed);
}

void SetLogLevel(LogLevel level) {
  g_min_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel GetLogLevel() {
  return static_cast<LogLevel>(g_min_level.load(std::memory_order_relaxed));
}

void SetLogThreadName(std::string_view name) {
  t_thread_name = std::string(name);
  std::string os_name(name.substr(0, 15));  // the kernel's limit (16 with the NUL)
  (void)pthread_setname_np(pthread_self(), os_name.c_str());
}

void LogLine(LogLevel level, std::string_view component, std::string_view message) {
  std::string line;
  line.reserve(64 + component.size() + message.size());
  AppendTimestamp(std::chrono::system_clock::now(), &line);
  fmt::format_to(std::back_inserter(line), " {:<5} [{}/{}] {}: ", LogLevelName(level), ::getpid(),
                 ThreadName(), component);
  while (!message.empty() && message.back() == '\n') message.remove_suffix(1);
  for (char c : message) {
    if (c == '\n') {
      line += "\\n";
    } else {
      line.push_back(c);
    }
  }
  line.push_back('\n');
  std::shared_ptr<const Sinks> sinks = GlobalSinks().load();
  if (sinks->file_fd >= 0) WriteAll(sinks->file_fd, line);
  if (sinks->to_stderr) WriteAll(STDERR_FILENO, line);
}

std::string LogFilePath(std::string_view process_name, const Configuration& conf) {
  return (std::filesystem::path(conf.GetString(PropertyKey::kLogsDir)) /
          fmt::format("{}.log", process_name))
      .string();
}

Status InitLogging(std::string_view process_name, const Configuration& conf, bool foreground) {
  const std::string& dir = conf.GetString(PropertyKey::kLogsDir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Fail(ErrnoError(ec.value(), fmt::format("create log directory {}", dir)));
  const std::string path = LogFilePath(process_name, conf);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Fail(ErrnoError(errno, fmt::format("open log file {}", path)));

  auto sinks = std::make_shared<Sinks>();
  sinks->file_fd = fd;
  sinks->to_stderr = foreground;

  Result<LogLevel> level = ParseLogLevel(conf.GetEnum(PropertyKey::kLoggerLevel));
  LogLevel min_level = level.ok() ? *level : LogLevel::kInfo;  // the registry's enum ensures ok
  const bool hosts_fuse = process_name == "fuse" || (process_name == "worker" &&
                                                     conf.GetBool(PropertyKey::kWorkerFuseEnabled));
  if (hosts_fuse && conf.GetBool(PropertyKey::kFuseDebugEnabled)) min_level = LogLevel::kDebug;

  GlobalSinks().store(std::move(sinks));
  SetLogLevel(min_level);
  if (!conf.site_file().empty()) {
    ALX_LOG(kInfo, "config", "loaded {}", conf.site_file());
  }
  for (const std::string& warning : conf.warnings()) ALX_LOG(kWarn, "config", "{}", warning);
  return Ok();
}

void ResetLogging() {
  GlobalSinks().store(std::make_shared<const Sinks>());
  SetLogLevel(LogLevel::kInfo);
}

}  // namespace alluxio
