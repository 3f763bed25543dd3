#include "core/common/logging.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>

namespace alluxio {
namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_write_mutex;

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kWarn: return "WARN";
    case LogLevel::kError: return "ERROR";
  }
  return "?";
}

}  // namespace

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed);
}

void LogLine(LogLevel level, std::string_view component, std::string_view message) {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::string line = fmt::format("{}.{:03d} {:5} [{}] {}: {}\n", ms / 1000, static_cast<int>(ms % 1000),
                                 LevelName(level), gettid(), component, message);
  std::lock_guard lock(g_write_mutex);
  (void)!write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace alluxio
