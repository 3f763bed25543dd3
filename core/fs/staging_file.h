// A local, sparse copy of a file being written, for the writes the sequential WritePipeline
// cannot take: reads of the writing handle (the page faults of a shared writable mapping), writes
// at any offset, ftruncate to any size. Holes read as zeros.
//
// The file is created unlinked in `dir` (O_TMPFILE, else mkstemp then unlink), so nothing is
// left behind when the process dies. Its size is bounded only by the free space of `dir`: a
// write there that does not fit fails with kNoSpace. Or it is an existing file opened by path
// (Open: a worker's cache file written in place, which the kernel writes too through FUSE
// passthrough); its size is always the file's own (fstat).
//
// Contract: not thread-safe, the owner serialises calls. Calls are blocking syscalls on a local
// file (page cache); they run on the caller's thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/common/result.h"

namespace alluxio::fs {

class StagingFile {
 public:
  // An empty staging file in directory `dir`. kNotFound, kPermissionDenied, kNoSpace, kIoError.
  static Result<std::unique_ptr<StagingFile>> Create(const std::string& dir);
  // The existing file at `path`, opened O_RDWR (not through a symbolic link). kNotFound,
  // kPermissionDenied, kIoError.
  static Result<std::unique_ptr<StagingFile>> Open(const std::string& path);
  ~StagingFile();
  StagingFile(const StagingFile&) = delete;
  StagingFile& operator=(const StagingFile&) = delete;

  // Writes `data` at `offset`; the size grows to cover it. kNoSpace, kIoError.
  Status Write(uint64_t offset, std::span<const char> data);
  // Reads up to buffer.size() bytes at `offset`; short only at size(). kIoError.
  Result<size_t> Read(uint64_t offset, std::span<char> buffer) const;
  // Sets the size: bytes beyond it are dropped, a larger size adds a hole. kNoSpace, kIoError.
  Status Truncate(uint64_t size);
  // fdatasync. kIoError, kNoSpace.
  Status Sync();
  // The file's size (0 if fstat fails, which it does not on an open descriptor).
  uint64_t size() const;
  // Owned by this object; valid for its lifetime.
  int fd() const { return fd_; }

 private:
  explicit StagingFile(int fd) : fd_(fd) {}

  const int fd_;
};

}  // namespace alluxio::fs
