// The under storage (UFS) interface: what the master and the worker need from a storage system
// that Alluxio caches. Calls are blocking; callers on a reactor run them through the reactor's
// blocking pool. A UFS object is created for a root URI (a mount point's UFS, such as
// "file:///data/ufs") and its methods take absolute paths *inside* that root: "/" is the root
// itself, "/a/b" is the file b in the directory a below the root. Paths with "." or ".."
// components or not starting with "/" are refused with kInvalidPath.
// Implementations: local_under_file_system.h, s3_under_file_system.h. An object store adds a class
// here, nothing else (see the staging methods for how it publishes a file without renaming it).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
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

// A read started by UfsReader::StartRead. Used by one thread; must not outlive its reader.
class UfsPendingRead {
 public:
  // Waits for the read to end: its buffer may be released after.
  virtual ~UfsPendingRead() = default;
  // Waits for the read; returns the bytes read: fewer than asked only at the end of the file.
  // Called at most once.
  virtual Result<size_t> Wait() = 0;
};

// A readable UFS file. ReadAt and StartRead may be called from several threads at once.
class UfsReader {
 public:
  virtual ~UfsReader() = default;
  // Reads up to buf.size() bytes at offset; returns the bytes read, 0 only at end of file.
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<char> buf) = 0;
  // Starts reading buf.size() bytes at offset into `buf`, which must outlive the returned
  // read. A store that keeps several reads in flight starts the transfer now (S3: one ranged
  // GET), so that a caller can start the next ranges before waiting for the first; the default
  // reads (ReadAt until full or at the end) in Wait().
  virtual std::unique_ptr<UfsPendingRead> StartRead(uint64_t offset, std::span<char> buf);
  // Starts copying `length` bytes at `offset` into the file `out_fd` (open for writing, which
  // must stay open until the returned read is waited for or destroyed) at `out_offset`: the
  // pending read's Wait() returns the bytes copied, fewer only at the end of the file; on an
  // error some of the range may have been written. As StartRead, a store that keeps several
  // reads in flight starts the transfer now (S3: one ranged GET whose body is written to the
  // file as it arrives). Memory: no buffer of the range's size; the default copies through a
  // buffer of at most kUfsCopyBufferBytes with ReadAt and pwrite in Wait(), the local UFS
  // with copy_file_range (no copy through user space).
  virtual std::unique_ptr<UfsPendingRead> StartCopy(uint64_t offset, uint64_t length, int out_fd,
                                                    uint64_t out_offset);
};

// The largest buffer UfsReader::StartCopy's default holds.
inline constexpr size_t kUfsCopyBufferBytes = 1 << 20;

// A file being staged (CreateStaged): its content becomes visible at a path only when the
// master publishes it (PublishStaged). Abort() or destruction without Close() leaves nothing.
class UfsWriter {
 public:
  virtual ~UfsWriter() = default;
  // May return before the data reaches the file (an error then comes with a later call).
  virtual Status Write(std::span<const char> data) = 0;
  // Hands everything written to the file system (not durable yet): the file written holds it.
  virtual Status Flush() = 0;
  // Makes the data durable (the file stays staged); returns its status.
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
  // Opens the version of the file at `path` that `fingerprint` names (its UfsStatus::
  // fingerprint, as the master recorded it). A store that can read a known version without
  // asking for it does so (S3: ETag and size are in the fingerprint, so no HEAD), and its reads
  // fail with kIoError once the file is another version. The default, also for an empty or
  // foreign fingerprint: Open(path).
  virtual Result<std::unique_ptr<UfsReader>> OpenVersion(std::string_view path,
                                                         std::string_view fingerprint);
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

  // ---- Staging: how a file written through Alluxio reaches its path ----
  // A worker writes a file's copy under a staging name (StagedFileName of the file's inode id)
  // into a staging area of this UFS that no path argument of the methods above reaches: List
  // never shows it, and renames or removals of user directories never touch it. It does not
  // publish the file. The master, which knows where the file is when it completes, publishes
  // it onto that path; renames of the file and of its ancestors while it is written therefore
  // never matter, and no partial file ever shows in a user directory.
  //
  // How a store implements the publish step is its own business. The local UFS renames the
  // staged file onto the path (atomic within one file system). An object store, which cannot
  // rename, can stage the upload as a multipart upload (or object) under a staging key and
  // publish it with a server-side copy to the final key (UploadPartCopy for large objects)
  // followed by a delete of the staged key; nothing of a file shows at its key before that.

  // A writer of the staged file `name` (replaced if it exists) with exactly permission bits
  // `mode`. Close() makes the data durable but leaves it staged; Abort() or destruction drops
  // it. Writing a file into the UFS always goes through staging.
  virtual Result<std::unique_ptr<UfsWriter>> CreateStaged(std::string_view name, uint32_t mode) = 0;
  // Moves the staged file onto `path`, replacing a file there and creating missing parent
  // directories, and returns the published file's status. kNotFound if nothing is staged
  // under `name`; kInvalidArgument (nothing published) if it does not hold exactly `length`
  // bytes; kIsADirectory if `path` is a directory.
  virtual Result<UfsStatus> PublishStaged(std::string_view name, std::string_view path,
                                          uint64_t length) = 0;
  // Drops a staged file; one that is absent is success. A writer still writing it goes on
  // writing a file no one can reach (the master drops the staged file of a file it removes).
  virtual Status DeleteStaged(std::string_view name) = 0;
  // Names of the staged files (for the master to drop those no file is waiting for).
  virtual Result<std::vector<std::string>> ListStaged() = 0;
};

// The staging name of the file with inode id `file_id` (see UnderFileSystem's staging).
std::string StagedFileName(uint64_t file_id);
// The inode id of a staging name; nullopt for a name StagedFileName does not produce.
std::optional<uint64_t> FileIdOfStagedName(std::string_view name);

// Splits a UFS path into its components ("/" → none; repeated and trailing slashes are
// ignored). kInvalidPath for a relative path, "." or ".." or a NUL byte; kNameTooLong for a
// component over 255 bytes.
Result<std::vector<std::string_view>> SplitUfsPath(std::string_view path);
// kInvalidArgument unless `name` can be a staging name: one path component, not "." or "..".
Status CheckStagedName(std::string_view name);

// Properties of a UFS by name ("alluxio.underfs.s3.endpoint" → "http://..."): the process
// configuration's (UfsOptionsOf in ufs_options.h) overlaid with a mount's --option values.
using UfsOptions = std::map<std::string, std::string, std::less<>>;

// Creates the UFS for a URI: "file:///dir" or "/dir" → local (options unused); "s3://bucket/
// prefix" → S3 (s3_ufs_config.h: options, then AWS_* environment variables for credentials).
// kUnsupported for other schemes.
Result<std::unique_ptr<UnderFileSystem>> CreateUnderFileSystem(std::string_view uri,
                                                               const UfsOptions& options = {});

// How a component creates UFS objects: CreateUnderFileSystem, or a wrapper of it
// (MakeUfsFactory in fault_injecting_under_file_system.h, tests' own).
using UfsFactory = std::function<Result<std::unique_ptr<UnderFileSystem>>(
    std::string_view uri, const UfsOptions& options)>;

}  // namespace alluxio
