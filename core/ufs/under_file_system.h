// The under storage (UFS) interface: what the master and the worker need from a storage system
// that Alluxio caches. Calls are blocking; callers on a reactor run them through the reactor's
// blocking pool. A UFS object is created for a root URI (a mount point's UFS, such as
// "file:///data/ufs") and its methods take absolute paths *inside* that root: "/" is the root
// itself, "/a/b" is the file b in the directory a below the root. Paths with "." or ".."
// components or not starting with "/" are refused with kInvalidPath.
// Implementations: local_under_file_system.h. An object store adds a class here, nothing else.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace alluxio {

struct UfsStatus {
  std::string name;  // last path component ("" for the UFS root)
  bool is_directory = false;
  uint64_t length = 0;  // bytes; 0 for directories
  int64_t mtime_ms = 0;
  uint32_t mode = 0;  // permission bits only (no S_IFMT)
  std::string owner;
  std::string group;
  // Changes whenever the content may have changed (size, mtime, inode identity). The master
  // compares fingerprints to decide whether cached metadata and blocks are still valid.
  std::string fingerprint;
  // A symbolic link (not followed; `length` is the target's size): its target, never empty.
  // "" for files and directories.
  std::string symlink_target;
};

// A readable UFS file. ReadAt may be called from several threads at once.
class UfsReader {
 public:
  virtual ~UfsReader() = default;
  // Reads up to buf.size() bytes at offset; returns the bytes read, 0 only at end of file.
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<char> buf) = 0;
};

// A file being created. Its content becomes visible at `path` only when Close() succeeds
// (atomic replace of any previous file); Abort() or destruction without Close() leaves nothing.
class UfsWriter {
 public:
  virtual ~UfsWriter() = default;
  // May return before the data reaches the file (an error then comes with a later call).
  virtual Status Write(std::span<const char> data) = 0;
  // Hands everything written to the file system (not durable yet): the temp file holds it.
  virtual Status Flush() = 0;
  // Makes the data durable and publishes the file; returns its final status.
  virtual Result<UfsStatus> Close() = 0;
  virtual void Abort() = 0;
};

class UnderFileSystem {
 public:
  virtual ~UnderFileSystem() = default;

  // A symbolic link at `path` (or listed by List) is reported as the link, not followed.
  virtual Result<UfsStatus> GetStatus(std::string_view path) = 0;
  // Children of a directory, unordered. kNotADirectory for a file, kNotFound if absent.
  virtual Result<std::vector<UfsStatus>> List(std::string_view path) = 0;
  virtual Result<std::unique_ptr<UfsReader>> Open(std::string_view path) = 0;
  // Parent directories are created as needed.
  virtual Result<std::unique_ptr<UfsWriter>> Create(std::string_view path, uint32_t mode) = 0;
  // Creates the directory and missing parents; an existing directory is success.
  virtual Status Mkdirs(std::string_view path, uint32_t mode) = 0;
  // Creates a symbolic link at `path` (its parent must exist: kNotFound otherwise) holding
  // `target` (non-empty, not interpreted, may dangle), reported back by GetStatus and List as
  // UfsStatus::symlink_target. kAlreadyExists if `path` exists. A store without links (an
  // object store) keeps one as a small object holding the target and marked as a link (for
  // example by a metadata header), and reports that object as a link, never as a file.
  virtual Status CreateSymlink(std::string_view path, std::string_view target) = 0;
  // Removes a file, or a directory with everything under it when recursive is true
  // (kNotEmpty otherwise). kNotFound if absent.
  virtual Status Delete(std::string_view path, bool recursive) = 0;
  // Atomically renames, replacing an existing file at dst (never a non-empty directory).
  virtual Status Rename(std::string_view src, std::string_view dst) = 0;
  virtual Status SetMode(std::string_view path, uint32_t mode) = 0;
  // Sets the modification time of `path` itself (of a link, not of its target).
  virtual Status SetMtime(std::string_view path, int64_t mtime_ms) = 0;
  // Bytes of capacity and free space of the storage holding this UFS.
  virtual Result<std::pair<uint64_t, uint64_t>> CapacityAndFree() = 0;
};

// Creates the UFS for a URI: "file:///dir" or "/dir" → local. kUnsupported for other schemes.
Result<std::unique_ptr<UnderFileSystem>> CreateUnderFileSystem(std::string_view uri);

}  // namespace alluxio
