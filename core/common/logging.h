// Logging: one line per event with time, process/thread, level and component:
//
//   2024-05-01T12:34:56.789+02:00 WARN  [4711/reactor-0] worker: evicted 4096 bytes from /dev/shm
//
// Until InitLogging, lines go to stderr at INFO. InitLogging (called once by main, before
// threads start logging) sends them to ${alluxio.logs.dir}/<process>.log, appended with
// O_APPEND and one write() per line so that several processes can share the file, and also
// to stderr when the process runs in the foreground.
//
//   ALX_LOG(kWarn, "worker", "evicted {} bytes from {}", n, dir);
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/common/result.h"

namespace alluxio {

class Configuration;

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// True when a line at this level would be written (cheap; checked before formatting).
bool LogEnabled(LogLevel level);

// Writes one line. Thread-safe; embedded newlines are written as "\n" so an event stays on
// one line.
void LogLine(LogLevel level, std::string_view component, std::string_view message);

// "DEBUG", "INFO", "WARN", "ERROR".
std::string_view LogLevelName(LogLevel level);
// Case-insensitive inverse of LogLevelName (also accepts "WARNING"); kInvalidArgument otherwise.
Result<LogLevel> ParseLogLevel(std::string_view name);

// The lowest level written. Thread-safe.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();

// Names the calling thread in its log lines ("reactor-0"); also sets the OS thread name
// (first 15 bytes) for debuggers. Default: the kernel thread id.
void SetLogThreadName(std::string_view name);

// ${alluxio.logs.dir}/<process_name>.log
std::string LogFilePath(std::string_view process_name, const Configuration& conf);

// Sets up the sinks and the level for this process ("fuse", "master", "worker"): creates
// alluxio.logs.dir, opens <process_name>.log for appending, writes to stderr too when
// `foreground`. Level: alluxio.logger.level, or DEBUG when alluxio.fuse.debug.enabled in the
// FUSE process ("fuse", or a worker with alluxio.worker.fuse.enabled). Then logs the
// configuration's warnings. May be called again (tests, re-initialisation); lines being
// written concurrently go to either the old or the new sinks. Fails with the errno-mapped code
// when the directory or file cannot be created; logging then stays as it was.
Status InitLogging(std::string_view process_name, const Configuration& conf, bool foreground);

// Back to the initial state: stderr only, INFO. For tests.
void ResetLogging();

}  // namespace alluxio

#define ALX_LOG(level, component, ...)                                                       \
  do {                                                                                       \
    if (::alluxio::LogEnabled(::alluxio::LogLevel::level)) {                                 \
      ::alluxio::LogLine(::alluxio::LogLevel::level, component, ::fmt::format(__VA_ARGS__)); \
    }                                                                                        \
  } while (0)
