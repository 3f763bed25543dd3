// LocalUnderFileSystem: the UnderFileSystem over a directory of the local file system.
//
// Rooting: the object is created for a root directory (from "file:///data/ufs" or "/data/ufs")
// and every method takes a path *inside* that root: "/" is the root itself, "/a/b" is
// <root>/a/b. Paths must be absolute; "." and ".." components and NUL bytes are refused with
// kInvalidPath, so no call reaches outside the root through its path argument. Repeated and
// trailing slashes are tolerated ("/a//b/" is "/a/b").
//
// Symbolic links below the root are reported as links (GetStatus, List: lstat(2), with their
// target), created by CreateSymlink (symlink(2)), removed, renamed and timed as links; Open
// and Create follow them. The root itself may be a link (it is followed).
//
// Staged files (UnderFileSystem's staging) live in <root>/.alluxio_staging/<name>, written in
// place and renamed onto their path by PublishStaged (copied beside it and renamed when the path
// is on another file system: below a symbolic link or mount point inside the root). That
// directory is outside every path argument: List("/")
// does not show it, GetStatus/List/Open of a path in it are kNotFound, and every other method
// refuses one with kNotPermitted. What a crash leaves there is invisible; the master drops it.
//
// Thread-safety: every method may be called from several threads at once; readers are
// thread-safe (pread); a writer is used by one thread at a time. Lifetimes: a writer must not
// outlive the LocalUnderFileSystem that created it (Close() returns its status through it); a
// reader may.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/common/result.h"
#include "core/ufs/under_file_system.h"

namespace alluxio {

// Names starting with this prefix are files being copied into place and are never listed.
inline constexpr std::string_view kLocalUfsTempPrefix = ".alluxio_tmp.";
// The staging directory below the root (see above).
inline constexpr std::string_view kLocalUfsStagingDir = ".alluxio_staging";

class LocalUfsWriter;

class LocalUnderFileSystem final : public UnderFileSystem {
 public:
  // Opens the UFS rooted at `root` (an absolute local path, no scheme). kNotFound if it does not
  // exist (unless create_root, which creates it and its parents with mode 0755),
  // kNotADirectory if it is not a directory, kInvalidPath if not absolute.
  static Result<std::unique_ptr<LocalUnderFileSystem>> OpenRoot(std::string_view root,
                                                                bool create_root = false);

  const std::string& root() const { return root_; }

  // The fingerprint is "<size>:<mtime ns>:<dev>:<ino>" (of the link, for a link).
  Result<UfsStatus> GetStatus(std::string_view path) override;
  Result<std::vector<UfsStatus>> List(std::string_view path) override;
  // kIsADirectory for a directory.
  Result<std::unique_ptr<UfsReader>> Open(std::string_view path) override;
  // The last directory gets exactly `mode`; missing intermediate directories get mode|0700.
  // kAlreadyExists if `path` is a file, kNotADirectory if a parent is a file.
  Status Mkdirs(std::string_view path, uint32_t mode) override;
  // symlink(2), then an fsync of the parent directory. kInvalidArgument for an empty target or
  // one holding a NUL byte; kAlreadyExists for the root.
  Status CreateSymlink(std::string_view path, std::string_view target) override;
  // kNotPermitted for the root itself. Temp files (".alluxio_tmp.*") count as entries for the
  // non-recursive emptiness check (kNotEmpty).
  Status Delete(std::string_view path, bool recursive) override;
  // rename(2) semantics: replaces a file, or an empty directory by a directory; kIsADirectory
  // (file over directory), kNotADirectory (directory over file), kNotEmpty, kNotFound (src or
  // dst's parent missing), kInvalidArgument (directory into itself). kNotPermitted for the root.
  // The parent directories are fsynced before returning.
  Status Rename(std::string_view src, std::string_view dst) override;
  Status SetMode(std::string_view path, uint32_t mode) override;
  Status SetMtime(std::string_view path, int64_t mtime_ms) override;
  Result<std::pair<uint64_t, uint64_t>> CapacityAndFree() override;

  // The staging directory is created on first use (mode 0700). kInvalidArgument for a name
  // that is not one path component.
  Result<std::unique_ptr<UfsWriter>> CreateStaged(std::string_view name, uint32_t mode) override;
  // rename(2) of the staged file; across file systems a copy into a temp file beside the path
  // (".alluxio_tmp.<name>.<random>", hidden by List, removed on failure) renamed onto it. Missing
  // parents get mode 0755; kNotADirectory when one is a file. The path's directory is fsynced
  // before returning.
  Result<UfsStatus> PublishStaged(std::string_view name, std::string_view path,
                                  uint64_t length) override;
  Status DeleteStaged(std::string_view name) override;
  Result<std::vector<std::string>> ListStaged() override;

  // The local file system path for a UFS path (validated as above).
  Result<std::string> LocalPath(std::string_view path) const;

 private:
  friend class LocalUfsWriter;  // MakeStatus for the file it wrote

  explicit LocalUnderFileSystem(std::string root) : root_(std::move(root)) {}

  std::string StagingDir() const;  // <root>/.alluxio_staging
  // The local path of staging name `name` (kInvalidArgument unless one path component).
  Result<std::string> StagedPath(std::string_view name) const;

  // `symlink_target`: what readlink(2) gave for a link (st from lstat), "" otherwise.
  UfsStatus MakeStatus(std::string name, const struct stat& st, std::string symlink_target);
  std::string OwnerName(uid_t uid);
  std::string GroupName(gid_t gid);

  const std::string root_;  // absolute, no trailing slash unless it is "/"

  std::mutex names_mu_;  // guards the two caches below
  std::unordered_map<uid_t, std::string> owner_names_;
  std::unordered_map<gid_t, std::string> group_names_;
};

}  // namespace alluxio
