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

std::vector<ControlLine> ControlLines(std::string_view text) {
  std::vector<ControlLine> lines;
  size_t number = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++number;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::vector<std::string_view> words;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      size_t start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
      if (i > start) words.push_back(line.substr(start, i - start));
    }
    if (!words.empty()) lines.push_back({number, line, std::move(words)});
  }
  return lines;
}

}  // namespace alluxio
