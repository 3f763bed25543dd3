// A small control file that a running process re-reads when it changes: the fault injection
// control files (alluxio.underfs.fault.injection.file, alluxio.rpc.fault.injection.file) are
// watched this way. A change is any difference in modification time, size or inode; writers
// that may rewrite the file within one timestamp tick with the same size replace it by a rename
// (a new inode), which is always seen.
//
// Thread-safety: none; the owner serializes calls.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace alluxio {

class WatchedFile {
 public:
  // Looks at `path` no more than once per `interval` (0: at every call).
  WatchedFile(std::string path, std::chrono::milliseconds interval);

  const std::string& path() const { return path_; }

  // The file's content if it changed since the last call that returned a value ("" when it is
  // absent or unreadable), else nullopt. The first call returns the content (or "") unless the
  // file is absent.
  std::optional<std::string> Changed();

 private:
  const std::string path_;
  const std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point next_check_{};
  // What the last returned content came from; all zero / -1 when absent.
  int64_t seen_mtime_ns_ = 0;
  off_t seen_size_ = -1;
  ino_t seen_ino_ = 0;
};

// One command of control-file text: a line that is not blank once its '#' comment is cut.
struct ControlLine {
  size_t number;                        // 1-based line number
  std::string_view text;                // the line without its comment
  std::vector<std::string_view> words;  // separated by spaces and tabs; never empty
};
// The commands of `text` (views into it).
std::vector<ControlLine> ControlLines(std::string_view text);

}  // namespace alluxio
