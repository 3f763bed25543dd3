#include "core/common/watched_file.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace alluxio {

WatchedFile::WatchedFile(std::string path, std::chrono::milliseconds interval)
    : path_(std::move(path)), interval_(interval) {}

std::optional<std::string> WatchedFile::Changed() {
  auto now = std::chrono::steady_clock::now();
  if (now < next_check_) return std::nullopt;
  next_check_ = now + interval_;
  struct stat st {};
  int64_t mtime_ns = 0;
  off_t size = -1;
  ino_t ino = 0;
  if (::stat(path_.c_str(), &st) == 0) {
    mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    size = st.st_size;
    ino = st.st_ino;
  }
  if (mtime_ns == seen_mtime_ns_ && size == seen_size_ && ino == seen_ino_) return std::nullopt;
  seen_mtime_ns_ = mtime_ns;
  seen_size_ = size;
  seen_ino_ = ino;
  if (size < 0) return std::string();
  std::ifstream in(path_, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace alluxio
