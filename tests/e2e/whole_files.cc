#include "tests/e2e/whole_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <random>
#include <sstream>

namespace alluxio::testing {

bool CanMount() { return geteuid() == 0 && access("/dev/fuse", R_OK | W_OK) == 0; }

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

std::string ReadLocal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

WriteOutcome WriteWhole(const std::string& path, const std::string& data,
                        const std::function<void(size_t)>& after_chunk) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return {errno, "open"};
  WriteOutcome outcome;
  for (size_t off = 0, i = 0; off < data.size() && outcome.error == 0; off += kMiB, ++i) {
    for (size_t done = 0, n = std::min(kMiB, data.size() - off); done < n;) {
      ssize_t w = write(fd, data.data() + off + done, n - done);
      if (w < 0) {
        outcome = {errno, "write"};
        break;
      }
      done += static_cast<size_t>(w);
    }
    if (after_chunk) after_chunk(i);
  }
  if (outcome.error == 0 && fsync(fd) != 0) outcome = {errno, "fsync"};
  if (close(fd) != 0 && outcome.error == 0) outcome = {errno, "close"};
  return outcome;
}

ReadOutcome ReadWhole(const std::string& path, const std::function<void(size_t)>& after_chunk) {
  ReadOutcome outcome;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {errno, {}};
  std::string buf(kMiB, '\0');
  for (size_t i = 0;; ++i) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0) {
      outcome.error = errno;
      break;
    }
    if (n == 0) break;
    outcome.data.append(buf.data(), static_cast<size_t>(n));
    if (after_chunk) after_chunk(i);
  }
  close(fd);
  return outcome;
}

}  // namespace alluxio::testing
