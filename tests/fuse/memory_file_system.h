// An in-memory reference implementation of fs::FileSystem: the model the FUSE layer is tested
// against. POSIX-like semantics (random writes, truncate to any size, atomic rename with
// NOREPLACE and EXCHANGE), a fixed clock for reproducible bytes, and failure injection.
// Every operation completes without suspending. Thread-safe (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/fs/file_system.h"

namespace alluxio::fuse::testing {

class MemoryFileSystem : public fs::FileSystem {
 public:
  static constexpr uint32_t kUid = 1000;
  static constexpr uint32_t kGid = 1000;
  static constexpr fs::Timespec kClock{1'700'000'000, 5};

  MemoryFileSystem();

  // The next call of operation `op` ("GetAttr", "Read", ...) fails with `code`.
  void InjectFailure(std::string op, ErrorCode code);
  size_t open_handles() const;

  fs::Task<fs::Attributes> GetAttr(std::string path, fs::Caller caller) override;
  fs::Task<fs::Attributes> SetAttr(std::string path, fs::SetAttrRequest change,
                                   fs::Caller caller) override;
  fs::Task<std::vector<fs::DirEntry>> ListDir(std::string path, uint64_t offset,
                                              uint32_t max_entries, fs::Caller caller) override;
  fs::Task<fs::Attributes> Mkdir(std::string path, uint32_t mode, fs::Caller caller) override;
  fs::Task<fs::Attributes> Symlink(std::string path, std::string target,
                                   fs::Caller caller) override;
  fs::Task<std::string> ReadLink(std::string path, fs::Caller caller) override;
  fs::Task<void> Unlink(std::string path, fs::Caller caller) override;
  fs::Task<void> Rmdir(std::string path, fs::Caller caller) override;
  fs::Task<void> Rename(std::string from, std::string to, fs::RenameMode mode,
                        fs::Caller caller) override;
  fs::Task<fs::FileHandle> Open(std::string path, int flags, fs::Caller caller) override;
  fs::Task<fs::CreatedFile> Create(std::string path, uint32_t mode, int flags,
                                   fs::Caller caller) override;
  fs::Task<size_t> Read(fs::FileHandle handle, uint64_t offset,
                        std::span<std::byte> buffer) override;
  fs::Task<size_t> Write(fs::FileHandle handle, uint64_t offset,
                         std::span<const std::byte> data) override;
  fs::Task<void> KillSetId(fs::FileHandle handle) override;
  fs::Task<void> Flush(fs::FileHandle handle, fs::Caller closer) override;
  fs::Task<void> Fsync(fs::FileHandle handle, bool datasync) override;
  fs::Task<void> Release(fs::FileHandle handle) override;
  fs::Task<fs::FsStats> StatFs() override;
  fs::Task<void> Access(std::string path, uint32_t mask, fs::Caller caller) override;

 private:
  struct Node {
    fs::Attributes attr;
    std::string data;  // a symbolic link's target
  };
  struct OpenFile {
    std::shared_ptr<Node> node;
    int flags = 0;
  };

  // All *Locked helpers need mutex_ held.
  std::optional<Error> TakeFailureLocked(const std::string& op);
  // The node at `path`, or the error a lookup of it gives.
  Result<std::shared_ptr<Node>> FindLocked(const std::string& path) const;
  // Checks that the parent of `path` exists and is a directory.
  Status CheckParentLocked(const std::string& path) const;
  bool HasChildrenLocked(const std::string& path) const;
  // A new node owned by `owner` (POSIX: its creator).
  std::shared_ptr<Node> MakeNodeLocked(uint32_t mode, fs::Caller owner);
  void MoveSubtreeLocked(const std::string& from, const std::string& to,
                         std::map<std::string, std::shared_ptr<Node>>& into);

  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Node>> nodes_;  // path → node
  std::unordered_map<fs::FileHandle, OpenFile> handles_;
  std::map<std::string, ErrorCode> failures_;
  uint64_t next_ino_ = 2;
  fs::FileHandle next_handle_ = 1;
};

}  // namespace alluxio::fuse::testing
