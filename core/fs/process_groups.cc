#include "core/fs/process_groups.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <string_view>

namespace alluxio::fs {

std::vector<uint32_t> SupplementaryGroups(uint32_t pid) {
  std::vector<uint32_t> groups;
  if (pid == 0) return groups;
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return groups;
  std::array<char, 8192> buf;
  size_t size = 0;
  while (size < buf.size()) {
    const ssize_t n = ::read(fd, buf.data() + size, buf.size() - size);
    if (n <= 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  const std::string_view status(buf.data(), size);
  constexpr std::string_view kKey = "\nGroups:";
  const size_t at = status.find(kKey);
  if (at == std::string_view::npos) return groups;
  std::string_view line = status.substr(at + kKey.size());
  line = line.substr(0, line.find('\n'));
  while (!line.empty()) {
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) break;
    line.remove_prefix(start);
    uint32_t gid = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), gid);
    if (ec != std::errc()) break;
    groups.push_back(gid);
    line.remove_prefix(static_cast<size_t>(end - line.data()));
  }
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  return groups;
}

}  // namespace alluxio::fs
