#include "core/fs/caller_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace alluxio::fs {
namespace {

// Up to buf.size() bytes of procfs file `name` (relative to directory `dir_fd`, or absolute);
// nullopt when it cannot be opened.
std::optional<std::string_view> ReadProcFile(int dir_fd, const char* name, std::span<char> buf) {
  const int fd = ::openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  size_t size = 0;
  while (size < buf.size()) {
    const ssize_t n = ::read(fd, buf.data() + size, buf.size() - size);
    if (n <= 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  return std::string_view(buf.data(), size);
}

// The text after "\n<key>" (key includes its ':') up to the end of that line; nullopt if absent.
std::optional<std::string_view> Field(std::optional<std::string_view> file, std::string_view key) {
  if (!file) return std::nullopt;
  const std::string_view text = *file;
  const std::string prefixed = "\n" + std::string(key);
  size_t at = text.find(prefixed);
  if (at != std::string_view::npos) {
    at += prefixed.size();
  } else if (text.starts_with(key)) {
    at = key.size();
  } else {
    return std::nullopt;
  }
  std::string_view line = text.substr(at);
  return line.substr(0, line.find('\n'));
}

// The unsigned numbers at the start of `text`, separated by blanks; stops at anything else.
std::vector<uint32_t> Numbers(std::string_view text) {
  std::vector<uint32_t> numbers;
  for (;;) {
    const size_t start = text.find_first_not_of(" \t\n");
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc()) break;
    numbers.push_back(value);
    text.remove_prefix(static_cast<size_t>(end - text.data()));
  }
  return numbers;
}

std::optional<std::string_view> Status(uint32_t pid, std::span<char> buf) {
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  return ReadProcFile(AT_FDCWD, path.c_str(), buf);
}

// Calls `each(dir_fd, name)` for the entries of directory `path` but "." and ".." until it
// returns false; false when the directory cannot be read or `each` stopped. Reads with
// getdents64 into a stack buffer (opendir would also fstat the directory and allocate).
template <typename Each>
bool ForEachEntry(const std::string& path, Each each) {
  const int dir_fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return false;
  alignas(dirent64) std::array<char, 8192> buf;
  bool all = true;
  for (;;) {
    const ssize_t n = ::getdents64(dir_fd, buf.data(), buf.size());
    if (n <= 0) {
      all = n == 0;
      break;
    }
    for (ssize_t at = 0; all && at < n;) {
      const auto* entry = reinterpret_cast<const dirent64*>(buf.data() + at);
      at += entry->d_reclen;
      if (entry->d_name[0] != '.') all = each(dir_fd, entry->d_name);
    }
    if (!all) break;
  }
  ::close(dir_fd);
  return all;
}

}  // namespace

std::vector<uint32_t> SupplementaryGroups(uint32_t pid) {
  if (pid == 0) return {};
  std::array<char, 8192> buf;
  const std::optional<std::string_view> line = Field(Status(pid, buf), "Groups:");
  if (!line) return {};
  std::vector<uint32_t> groups = Numbers(*line);
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  return groups;
}

uint32_t ThreadGroup(uint32_t pid) {
  if (pid == 0) return 0;
  // A pidfd opens only for a thread group's leader: then `pid` is its process, at the cost of
  // two system calls instead of the kernel writing all of /proc/<pid>/status.
  // (syscall: glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage.)
  if (const long pidfd = ::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0u); pidfd >= 0) {
    ::close(static_cast<int>(pidfd));
    return pid;
  }
  std::array<char, 8192> buf;
  const std::optional<std::string_view> line = Field(Status(pid, buf), "Tgid:");
  const std::vector<uint32_t> tgid = line ? Numbers(*line) : std::vector<uint32_t>{};
  return tgid.empty() ? 0 : tgid.front();
}

bool ClosedByOpenerForGood(uint32_t opener, uint32_t closer, std::string_view path, bool mappings) {
  constexpr size_t kMaxProcesses = 64;
  const uint32_t process = ThreadGroup(closer);
  if (process == 0 || (opener != closer && ThreadGroup(opener) != process)) return false;
  std::vector<uint32_t> processes{process};  // the closer's, then its descendants
  std::array<char, 4096> buf;
  for (size_t next = 0; next < processes.size(); ++next) {
    const std::string proc = "/proc/" + std::to_string(processes[next]);
    auto other = [&](int dir_fd, const char* link) {
      const ssize_t n = ::readlinkat(dir_fd, link, buf.data(), buf.size());
      return n >= 0 && !std::string_view(buf.data(), static_cast<size_t>(n)).ends_with(path);
    };
    if (!ForEachEntry(proc + "/fd", other)) return false;
    if (mappings && !ForEachEntry(proc + "/map_files", other)) return false;
    const bool listed = ForEachEntry(proc + "/task", [&](int dir_fd, const char* tid) {
      const std::string children = std::string(tid) + "/children";
      const std::optional<std::string_view> pids = ReadProcFile(dir_fd, children.c_str(), buf);
      if (!pids) return false;
      for (uint32_t child : Numbers(*pids)) processes.push_back(child);
      return processes.size() <= kMaxProcesses;
    });
    if (!listed) return false;
  }
  return true;
}

}  // namespace alluxio::fs
