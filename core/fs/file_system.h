// The file system logic the FUSE layer calls: a path-based coroutine API, like Alluxio's client
// (getStatus, listStatus, createFile, openFile, ...). It never sees FUSE structs or node ids:
// the FUSE layer (core/fuse) keeps the kernel's node ids and lookup counts and translates them to
// paths before calling here. This keeps the logic testable without a kernel.
//
// Paths are absolute within the mount ("/" is the mounted Alluxio directory), normalised: no
// trailing slash except for "/", no empty, "." or ".." components. Each component is at most 255
// bytes. An implementation maps them to Alluxio paths.
//
// Every operation returns asio::awaitable<Result<T>>; failures are ErrorCode values mapped to
// errno by ToErrno (core/common/error.h). Which errno each operation can produce is listed next
// to it. Operations may be called concurrently from several reactors; implementations say how
// they synchronise. Spans passed in must stay valid until the returned awaitable completes
// (callers co_await immediately).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "core/common/result.h"

namespace alluxio::fs {

template <typename T>
using Task = asio::awaitable<Result<T>>;

struct Timespec {
  int64_t sec = 0;
  uint32_t nsec = 0;

  friend bool operator==(const Timespec&, const Timespec&) = default;
};

// What stat(2) shows. `mode` carries the type bits (S_IFDIR, S_IFREG, S_IFLNK, ...); a
// symbolic link shows its own attributes (lstat), size = the target's length.
struct Attributes {
  uint64_t ino = 0;  // stable file id (Alluxio's file id); 0: the FUSE layer uses its node id
  uint32_t mode = 0;
  uint32_t nlink = 1;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t size = 0;
  uint64_t blocks = 0;  // 512-byte units: ceil(size / 512) for Alluxio files
  Timespec atime;
  Timespec mtime;
  Timespec ctime;
  uint32_t blksize = 4096;
  uint32_t rdev = 0;
  // Still being written by this process (its size grows, and completion may give it another
  // id): the kernel must not keep these attributes, or it shows them after the writes, nor the
  // entry (a new file whose writes fail is removed, and a kept entry would still show it).
  bool changing = false;
};

struct DirEntry {
  std::string name;  // one component
  Attributes attr;
};

// A change of attributes; absent fields stay as they are.
struct SetAttrRequest {
  enum class TimeKind { kNow, kGiven };
  struct TimeChange {
    TimeKind kind = TimeKind::kNow;
    Timespec time;
  };

  std::optional<uint32_t> mode;  // permission bits only (07777)
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::optional<uint64_t> size;  // truncate / extend
  std::optional<TimeChange> atime;
  std::optional<TimeChange> mtime;
  // The open handle the change came through (ftruncate), when the kernel names one.
  std::optional<uint64_t> handle;
};

// Who makes a request: the uid and gid of the calling process (the FUSE request header). Every
// path operation names it; an implementation may act as it (AlluxioFileSystem under
// SystemUserGroupAuthPolicy), so an operation it refuses fails with kPermissionDenied or
// kNotPermitted. Handle operations act as the caller that opened the handle.
struct Caller {
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t pid = 0;  // the calling process (thread), for its supplementary groups; 0: unknown
};

struct FsStats {
  uint64_t blocks = 0;  // in units of frsize
  uint64_t bfree = 0;
  uint64_t bavail = 0;
  uint64_t files = 0;
  uint64_t ffree = 0;
  uint32_t bsize = 16384;  // Alluxio reports 16 KiB
  uint32_t frsize = 16384;
  uint32_t namelen = 255;
};

// Opaque id of an open file, chosen by the implementation (never 0 for a valid handle).
using FileHandle = uint64_t;

enum class RenameMode {
  kReplace,    // rename(2): atomically replace an existing destination
  kNoReplace,  // RENAME_NOREPLACE: EEXIST if the destination exists
  kExchange,   // RENAME_EXCHANGE: swap source and destination, both must exist
};

struct CreatedFile {
  FileHandle handle = 0;
  Attributes attr;
};

// Which content a handle reads: a complete file's id, length and modification time. A
// complete file never changes in place, so equal versions are equal bytes; a file replaced
// (rewritten, renamed over, found changed in the under storage) has another version.
struct ContentVersion {
  uint64_t id = 0;
  uint64_t length = 0;
  int64_t mtime_ms = 0;

  friend bool operator==(const ContentVersion&, const ContentVersion&) = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Attributes of `path`. kNotFound, kNotADirectory (a parent is a file).
  virtual Task<Attributes> GetAttr(std::string path, Caller caller) = 0;

  // Applies `change` and returns the new attributes. kNotFound, kNotPermitted,
  // kUnsupported (a size the implementation cannot produce, e.g. truncating a complete
  // Alluxio file to a nonzero size).
  virtual Task<Attributes> SetAttr(std::string path, SetAttrRequest change, Caller caller) = 0;

  // Up to `max_entries` entries of directory `path`, starting with the `offset`-th (0-based) in
  // a stable order for an unchanged directory; fewer than asked (possibly none) means the end.
  // No "." or "..". kNotFound, kNotADirectory.
  virtual Task<std::vector<DirEntry>> ListDir(std::string path, uint64_t offset,
                                              uint32_t max_entries, Caller caller) = 0;

  // Creates directory `path` with permission bits `mode` for `caller` (who owns it depends on
  // the implementation's policy). kAlreadyExists, kNotFound (parent), kNotADirectory (parent).
  virtual Task<Attributes> Mkdir(std::string path, uint32_t mode, Caller caller) = 0;

  // Creates symbolic link `path` holding `target` (not interpreted: absolute, relative or
  // dangling) and returns its attributes (S_IFLNK | 0777). The kernel resolves links itself
  // (ReadLink). kAlreadyExists, kNotFound (parent), kNotADirectory (parent), kNameTooLong
  // (target over 4095 bytes). Owned as Mkdir says for `caller`.
  virtual Task<Attributes> Symlink(std::string path, std::string target, Caller caller) = 0;

  // The target of symbolic link `path`. kNotFound; kInvalidArgument when `path` is not a link
  // (EINVAL, as readlink(2)).
  virtual Task<std::string> ReadLink(std::string path, Caller caller) = 0;

  // Removes file or symbolic link `path`. kNotFound, kIsADirectory.
  virtual Task<void> Unlink(std::string path, Caller caller) = 0;

  // Removes empty directory `path`. kNotFound, kNotADirectory, kNotEmpty.
  virtual Task<void> Rmdir(std::string path, Caller caller) = 0;

  // Renames `from` to `to` (both absolute). kNotFound, kAlreadyExists (kNoReplace),
  // kNotEmpty (replacing a non-empty directory), kIsADirectory / kNotADirectory (type
  // mismatch with an existing destination), kInvalidArgument (`to` inside `from`),
  // kUnsupported (a mode the implementation does not offer).
  virtual Task<void> Rename(std::string from, std::string to, RenameMode mode, Caller caller) = 0;

  // Opens existing file `path`; `flags` are open(2) flags (O_ACCMODE, O_TRUNC, O_APPEND, ...).
  // kNotFound, kIsADirectory, kIncomplete (still being written elsewhere), kUnsupported.
  virtual Task<FileHandle> Open(std::string path, int flags, Caller caller) = 0;

  // Creates and opens file `path` (O_CREAT; with O_EXCL kAlreadyExists if it exists) for
  // `caller`, as Mkdir. kNotFound (parent), kNotADirectory (parent), kAlreadyExists.
  virtual Task<CreatedFile> Create(std::string path, uint32_t mode, int flags, Caller caller) = 0;

  // A local file holding exactly the whole content of read-only handle `handle`, immutable
  // while it is open, for the kernel to read directly (FUSE passthrough); or, for a handle
  // that writes a new file in place, the file it writes (opened O_RDWR), for the kernel to
  // read and write directly: its size is the file's, and writes the FUSE layer still passes
  // on (passthrough refused) go to the same file. -1 when there is none. Borrowed: valid
  // until Release. Called on the thread that opened the handle, right after Open or Create.
  virtual int BackingFile(FileHandle handle) { return -1; }

  // The complete file read-only handle `handle` reads, for the FUSE layer to keep its pages
  // cached across opens; nullopt when the handle may see its content change (being written,
  // created by this open) or the implementation cannot tell. Called on the thread that opened
  // the handle, right after Open.
  virtual std::optional<ContentVersion> ContentOf(FileHandle handle) { return std::nullopt; }

  // Reads up to buffer.size() bytes at `offset` into `buffer`; returns the count, short only at
  // the end of the file. kInvalidArgument (bad handle or not open for reading), kIoError.
  virtual Task<size_t> Read(FileHandle handle, uint64_t offset, std::span<std::byte> buffer) = 0;

  // Writes `data` at `offset`; returns the count written (all of it on success).
  // kInvalidArgument (bad handle or not open for writing), kUnsupported (a write the file
  // cannot take, e.g. outside the reorder window), kNoSpace, kIoError.
  virtual Task<size_t> Write(FileHandle handle, uint64_t offset,
                             std::span<const std::byte> data) = 0;

  // A write by a caller without CAP_FSETID comes through `handle` (FUSE_WRITE_KILL_SUIDGID):
  // the file it writes loses S_ISUID, and S_ISGID when group-executable, as a local file
  // does. kInvalidArgument (bad handle).
  virtual Task<void> KillSetId(FileHandle handle) = 0;

  // close(2) of one descriptor of the handle by `closer` (may be called several times; the
  // close that ends the opener's last use of a written file completes it). kIoError, kNoSpace.
  virtual Task<void> Flush(FileHandle handle, Caller closer) = 0;

  // Pushes written data to durable storage without completing the file. kIoError.
  virtual Task<void> Fsync(FileHandle handle, bool datasync) = 0;

  // Last close: completes a written file, frees the handle. The handle is invalid afterwards
  // even on failure. kIoError.
  virtual Task<void> Release(FileHandle handle) = 0;

  // Capacity of the mount. kUnavailable.
  virtual Task<FsStats> StatFs() = 0;

  // access(2) with `mask` (R_OK | W_OK | X_OK, or F_OK) for `caller` (its uid, gid and
  // supplementary groups). kNotFound, kPermissionDenied.
  virtual Task<void> Access(std::string path, uint32_t mask, Caller caller) = 0;
};

}  // namespace alluxio::fs
