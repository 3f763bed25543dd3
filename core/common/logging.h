// Logging: one line per event with time, thread and component. Sinks and levels are set up once
// by main (InitLogging); until then lines go to stderr at INFO.
//
//   ALX_LOG(kWarn, "worker", "evicted {} bytes from {}", n, dir);
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace alluxio {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// True when a line at this level would be written (cheap; checked before formatting).
bool LogEnabled(LogLevel level);

// Writes one line. Thread-safe.
void LogLine(LogLevel level, std::string_view component, std::string_view message);

}  // namespace alluxio

#define ALX_LOG(level, component, ...)                                                   \
  do {                                                                                   \
    if (::alluxio::LogEnabled(::alluxio::LogLevel::level)) {                             \
      ::alluxio::LogLine(::alluxio::LogLevel::level, component, ::fmt::format(__VA_ARGS__)); \
    }                                                                                    \
  } while (0)
