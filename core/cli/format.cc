#include "core/cli/format.h"

#include <time.h>

#include <fmt/format.h>

namespace alluxio::cli {

std::string PermissionString(const FileInfo& info) {
  std::string s = info.is_directory ? "d" : info.is_symlink() ? "l" : "-";
  const char* rwx = "rwx";
  for (int i = 8; i >= 0; --i) s += (info.mode & (1u << i)) ? rwx[(8 - i) % 3] : '-';
  return s;
}

std::string FormatBytes(uint64_t bytes) {
  const char* units[] = {"KB", "MB", "GB", "TB", "PB"};
  if (bytes < 1024) return fmt::format("{}B", bytes);
  double value = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.2f}{}", value, units[unit]);
}

std::string FormatTimeMs(int64_t ms) {
  time_t seconds = static_cast<time_t>(ms / 1000);
  struct tm tm {};
  ::localtime_r(&seconds, &tm);
  return fmt::format("{:02}-{:02}-{:04} {:02}:{:02}:{:02}:{:03}", tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

std::string LsLine(const FileInfo& info, const std::string& in_alluxio) {
  // Alluxio's LsCommand: %-11s %-15s %-15s %15s %16s %24s %5s %-5s (permission, owner, group,
  // size, persistence, modification time, in-Alluxio, path).
  return fmt::format("{:<11}{:<15}{:<15}{:>15}{:>16}{:>24}{:>5} {}{}{}\n", PermissionString(info),
                     info.owner, info.group, info.length, info.persistence_state(),
                     FormatTimeMs(info.mtime_ms), in_alluxio, info.path,
                     info.is_symlink() ? " -> " : "", info.symlink_target);
}

}  // namespace alluxio::cli
