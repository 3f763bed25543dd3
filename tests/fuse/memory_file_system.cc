#include "tests/fuse/memory_file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace alluxio::fuse::testing {

namespace {

std::string ParentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool IsDir(const fs::Attributes& attr) { return (attr.mode & S_IFMT) == S_IFDIR; }

bool IsBelow(const std::string& candidate, const std::string& root) {
  return candidate.size() > root.size() && candidate.compare(0, root.size(), root) == 0 &&
         (root == "/" || candidate[root.size()] == '/');
}

// Files are capped so a hostile offset cannot exhaust memory: kNoSpace beyond it.
constexpr uint64_t kMaxFileSize = 64 << 20;

bool FitsInFile(uint64_t offset, uint64_t size) {
  return offset <= kMaxFileSize && size <= kMaxFileSize - offset;
}

void SetSize(fs::Attributes& attr, std::string& data, uint64_t size) {
  data.resize(size, '\0');
  attr.size = size;
  attr.blocks = (size + 511) / 512;
}

}  // namespace

MemoryFileSystem::MemoryFileSystem() {
  auto root = std::make_shared<Node>();
  root->attr.ino = 1;
  root->attr.mode = S_IFDIR | 0755;
  root->attr.nlink = 2;
  root->attr.uid = kUid;
  root->attr.gid = kGid;
  root->attr.atime = root->attr.mtime = root->attr.ctime = kClock;
  nodes_.emplace("/", std::move(root));
}

void MemoryFileSystem::InjectFailure(std::string op, ErrorCode code) {
  std::lock_guard lock(mutex_);
  failures_[std::move(op)] = code;
}

size_t MemoryFileSystem::open_handles() const {
  std::lock_guard lock(mutex_);
  return handles_.size();
}

std::optional<Error> MemoryFileSystem::TakeFailureLocked(const std::string& op) {
  auto it = failures_.find(op);
  if (it == failures_.end()) return std::nullopt;
  Error error{it->second, "injected failure of " + op};
  failures_.erase(it);
  return error;
}

Result<std::shared_ptr<MemoryFileSystem::Node>> MemoryFileSystem::FindLocked(
    const std::string& path) const {
  auto it = nodes_.find(path);
  if (it != nodes_.end()) return it->second;
  // ENOTDIR when a proper ancestor is a file.
  for (std::string parent = ParentOf(path); parent != "/"; parent = ParentOf(parent)) {
    auto ancestor = nodes_.find(parent);
    if (ancestor != nodes_.end() && !IsDir(ancestor->second->attr)) {
      return Fail(ErrorCode::kNotADirectory, parent);
    }
  }
  return Fail(ErrorCode::kNotFound, path);
}

Status MemoryFileSystem::CheckParentLocked(const std::string& path) const {
  Result<std::shared_ptr<Node>> parent = FindLocked(ParentOf(path));
  if (!parent) return parent.failure();
  if (!IsDir((*parent)->attr)) return Fail(ErrorCode::kNotADirectory, ParentOf(path));
  return Ok();
}

bool MemoryFileSystem::HasChildrenLocked(const std::string& path) const {
  auto it = nodes_.upper_bound(path);
  for (; it != nodes_.end(); ++it) {
    if (IsBelow(it->first, path)) return true;
    if (it->first.compare(0, path.size(), path) != 0) break;
  }
  return false;
}

std::shared_ptr<MemoryFileSystem::Node> MemoryFileSystem::MakeNodeLocked(uint32_t mode,
                                                                         fs::Caller owner) {
  auto node = std::make_shared<Node>();
  node->attr.ino = next_ino_++;
  node->attr.mode = mode;
  node->attr.nlink = IsDir(node->attr) ? 2 : 1;
  node->attr.uid = owner.uid;
  node->attr.gid = owner.gid;
  node->attr.atime = node->attr.mtime = node->attr.ctime = kClock;
  return node;
}

fs::Task<fs::Attributes> MemoryFileSystem::GetAttr(std::string path, fs::Caller) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("GetAttr")) co_return Fail(*failure);
  Result<std::shared_ptr<Node>> node = FindLocked(path);
  if (!node) co_return node.failure();
  co_return (*node)->attr;
}

fs::Task<fs::Attributes> MemoryFileSystem::SetAttr(std::string path, fs::SetAttrRequest change,
                                                   fs::Caller) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("SetAttr")) co_return Fail(*failure);
  Result<std::shared_ptr<Node>> found = FindLocked(path);
  if (!found) co_return found.failure();
  Node& node = **found;
  if (change.size) {
    if (IsDir(node.attr)) co_return Fail(ErrorCode::kIsADirectory, path);
    if (!FitsInFile(*change.size, 0)) co_return Fail(ErrorCode::kNoSpace, path);
    SetSize(node.attr, node.data, *change.size);
  }
  if (change.mode) node.attr.mode = (node.attr.mode & S_IFMT) | (*change.mode & 07777);
  if (change.uid) node.attr.uid = *change.uid;
  if (change.gid) node.attr.gid = *change.gid;
  auto time_of = [](const fs::SetAttrRequest::TimeChange& t) {
    return t.kind == fs::SetAttrRequest::TimeKind::kNow ? kClock : t.time;
  };
  if (change.atime) node.attr.atime = time_of(*change.atime);
  if (change.mtime) node.attr.mtime = time_of(*change.mtime);
  co_return node.attr;
}

fs::Task<std::vector<fs::DirEntry>> MemoryFileSystem::ListDir(std::string path, uint64_t offset,
                                                              uint32_t max_entries, fs::Caller) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("ListDir")) co_return Fail(*failure);
  Result<std::shared_ptr<Node>> dir = FindLocked(path);
  if (!dir) co_return dir.failure();
  if (!IsDir((*dir)->attr)) co_return Fail(ErrorCode::kNotADirectory, path);
  std::vector<fs::DirEntry> entries;
  uint64_t index = 0;
  for (auto it = nodes_.upper_bound(path); it != nodes_.end(); ++it) {
    if (!IsBelow(it->first, path)) {
      if (it->first.compare(0, path.size(), path) != 0) break;
      continue;
    }
    const std::string rest = it->first.substr(path == "/" ? 1 : path.size() + 1);
    if (rest.find('/') != std::string::npos) continue;  // deeper descendant
    if (index++ < offset) continue;
    if (entries.size() >= max_entries) break;
    entries.push_back(fs::DirEntry{rest, it->second->attr});
  }
  co_return entries;
}

fs::Task<fs::Attributes> MemoryFileSystem::Mkdir(std::string path, uint32_t mode,
                                                 fs::Caller caller) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("Mkdir")) co_return Fail(*failure);
  if (Status parent = CheckParentLocked(path); !parent) co_return parent.failure();
  if (nodes_.count(path) != 0) co_return Fail(ErrorCode::kAlreadyExists, path);
  auto node = MakeNodeLocked(S_IFDIR | (mode & 07777), caller);
  nodes_.emplace(path, node);
  co_return node->attr;
}

fs::Task<fs::Attributes> MemoryFileSystem::Symlink(std::string path, std::string target,
                                                   fs::Caller caller) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("Symlink")) co_return Fail(*failure);
  if (Status parent = CheckParentLocked(path); !parent) co_return parent.failure();
  if (nodes_.count(path) != 0) co_return Fail(ErrorCode::kAlreadyExists, path);
  auto node = MakeNodeLocked(S_IFLNK | 0777, caller);
  node->attr.size = target.size();
  node->data = std::move(target);
  nodes_.emplace(path, node);
  co_return node->attr;
}

fs::Task<std::string> MemoryFileSystem::ReadLink(std::string path, fs::Caller) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("ReadLink")) co_return Fail(*failure);
  Result<std::shared_ptr<Node>> node = FindLocked(path);
  if (!node) co_return node.failure();
  if (!S_ISLNK((*node)->attr.mode)) co_return Fail(ErrorCode::kInvalidArgument, path);
  co_return (*node)->data;
}

fs::Task<void> MemoryFileSystem::Unlink(std::string path, fs::Caller) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("Unlink")) co_return Fail(*failure);
  Result<std::shared_ptr<Node>> node = FindLocked(path);
  if (!node) co_return node.failure();
  if (IsDir((*node)->attr)) co_return Fail(ErrorCode::kIsADirectory, path);
  nodes_.erase(path);
  co_return Ok();
}

fs::Task<void> MemoryFileSystem::Rmdir(std::string path, fs::Caller) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("Rmdir")) co_return Fail(*failure);
  Result<std::shared_ptr<Node>> node = FindLocked(path);
  if (!node) co_return node.failure();
  if (!IsDir((*node)->attr)) co_return Fail(ErrorCode::kNotADirectory, path);
  if (path == "/") co_return Fail(ErrorCode::kBusy, path);
  if (HasChildrenLocked(path)) co_return Fail(ErrorCode::kNotEmpty, path);
  nodes_.erase(path);
  co_return Ok();
}

void MemoryFileSystem::MoveSubtreeLocked(const std::string& from, const std::string& to,
                                         std::map<std::string, std::shared_ptr<Node>>& into) {
  std::vector<std::string> keys;
  for (const auto& [key, node] : nodes_) {
    if (key == from || IsBelow(key, from)) keys.push_back(key);
  }
  for (const std::string& key : keys) {
    into.emplace(to + key.substr(from.size()), nodes_.at(key));
    nodes_.erase(key);
  }
}

fs::Task<void> MemoryFileSystem::Rename(std::string from, std::string to, fs::RenameMode mode,
                                        fs::Caller) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("Rename")) co_return Fail(*failure);
  Result<std::shared_ptr<Node>> source = FindLocked(from);
  if (!source) co_return source.failure();
  if (Status parent = CheckParentLocked(to); !parent) co_return parent.failure();
  if (IsBelow(to, from) || (mode == fs::RenameMode::kExchange && IsBelow(from, to))) {
    co_return Fail(ErrorCode::kInvalidArgument, to);
  }
  if (from == to) co_return Ok();
  auto target = nodes_.find(to);
  if (mode == fs::RenameMode::kExchange) {
    if (target == nodes_.end()) co_return Fail(ErrorCode::kNotFound, to);
    std::map<std::string, std::shared_ptr<Node>> moved;
    MoveSubtreeLocked(from, to, moved);
    MoveSubtreeLocked(to, from, moved);
    nodes_.merge(moved);
    co_return Ok();
  }
  if (target != nodes_.end()) {
    if (mode == fs::RenameMode::kNoReplace) co_return Fail(ErrorCode::kAlreadyExists, to);
    const bool source_dir = IsDir((*source)->attr);
    const bool target_dir = IsDir(target->second->attr);
    if (source_dir && !target_dir) co_return Fail(ErrorCode::kNotADirectory, to);
    if (!source_dir && target_dir) co_return Fail(ErrorCode::kIsADirectory, to);
    if (target_dir && HasChildrenLocked(to)) co_return Fail(ErrorCode::kNotEmpty, to);
    nodes_.erase(target);
  }
  std::map<std::string, std::shared_ptr<Node>> moved;
  MoveSubtreeLocked(from, to, moved);
  nodes_.merge(moved);
  co_return Ok();
}

fs::Task<fs::FileHandle> MemoryFileSystem::Open(std::string path, int flags, fs::Caller) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("Open")) co_return Fail(*failure);
  Result<std::shared_ptr<Node>> node = FindLocked(path);
  if (!node) co_return node.failure();
  if (IsDir((*node)->attr)) co_return Fail(ErrorCode::kIsADirectory, path);
  if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
    SetSize((*node)->attr, (*node)->data, 0);
  }
  const fs::FileHandle handle = next_handle_++;
  handles_.emplace(handle, OpenFile{*node, flags});
  co_return handle;
}

fs::Task<fs::CreatedFile> MemoryFileSystem::Create(std::string path, uint32_t mode, int flags,
                                                   fs::Caller caller) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("Create")) co_return Fail(*failure);
  if (Status parent = CheckParentLocked(path); !parent) co_return parent.failure();
  auto existing = nodes_.find(path);
  std::shared_ptr<Node> node;
  if (existing != nodes_.end()) {
    if (flags & O_EXCL) co_return Fail(ErrorCode::kAlreadyExists, path);
    if (IsDir(existing->second->attr)) co_return Fail(ErrorCode::kIsADirectory, path);
    node = existing->second;
    if (flags & O_TRUNC) SetSize(node->attr, node->data, 0);
  } else {
    node = MakeNodeLocked(S_IFREG | (mode & 07777), caller);
    nodes_.emplace(path, node);
  }
  const fs::FileHandle handle = next_handle_++;
  handles_.emplace(handle, OpenFile{node, flags});
  co_return fs::CreatedFile{handle, node->attr};
}

fs::Task<size_t> MemoryFileSystem::Read(fs::FileHandle handle, uint64_t offset,
                                        std::span<std::byte> buffer) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("Read")) co_return Fail(*failure);
  auto it = handles_.find(handle);
  if (it == handles_.end() || (it->second.flags & O_ACCMODE) == O_WRONLY) {
    co_return Fail(ErrorCode::kInvalidArgument, "handle not open for reading");
  }
  const std::string& data = it->second.node->data;
  if (offset >= data.size()) co_return size_t{0};
  const size_t n = std::min<size_t>(buffer.size(), data.size() - offset);
  std::memcpy(buffer.data(), data.data() + offset, n);
  co_return n;
}

fs::Task<size_t> MemoryFileSystem::Write(fs::FileHandle handle, uint64_t offset,
                                         std::span<const std::byte> data) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("Write")) co_return Fail(*failure);
  auto it = handles_.find(handle);
  if (it == handles_.end() || (it->second.flags & O_ACCMODE) == O_RDONLY) {
    co_return Fail(ErrorCode::kInvalidArgument, "handle not open for writing");
  }
  Node& node = *it->second.node;
  if (!FitsInFile(offset, data.size())) co_return Fail(ErrorCode::kNoSpace, "file too large");
  if (offset + data.size() > node.data.size()) {
    SetSize(node.attr, node.data, offset + data.size());
  }
  std::memcpy(node.data.data() + offset, data.data(), data.size());
  co_return data.size();
}

fs::Task<void> MemoryFileSystem::KillSetId(fs::FileHandle handle) {
  std::lock_guard lock(mutex_);
  auto it = handles_.find(handle);
  if (it == handles_.end()) co_return Fail(ErrorCode::kInvalidArgument, "bad handle");
  uint32_t& mode = it->second.node->attr.mode;
  mode &= ~S_ISUID;
  if (mode & S_IXGRP) mode &= ~S_ISGID;
  co_return Ok();
}

fs::Task<void> MemoryFileSystem::Flush(fs::FileHandle handle, fs::Caller) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("Flush")) co_return Fail(*failure);
  if (handles_.count(handle) == 0) co_return Fail(ErrorCode::kInvalidArgument, "bad handle");
  co_return Ok();
}

fs::Task<void> MemoryFileSystem::Fsync(fs::FileHandle handle, bool datasync) {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("Fsync")) co_return Fail(*failure);
  if (handles_.count(handle) == 0) co_return Fail(ErrorCode::kInvalidArgument, "bad handle");
  co_return Ok();
}

fs::Task<void> MemoryFileSystem::Release(fs::FileHandle handle) {
  std::lock_guard lock(mutex_);
  const size_t erased = handles_.erase(handle);
  if (auto failure = TakeFailureLocked("Release")) co_return Fail(*failure);
  if (erased == 0) co_return Fail(ErrorCode::kInvalidArgument, "bad handle");
  co_return Ok();
}

fs::Task<fs::FsStats> MemoryFileSystem::StatFs() {
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("StatFs")) co_return Fail(*failure);
  fs::FsStats stats;
  stats.blocks = 1000;
  stats.bfree = 600;
  stats.bavail = 500;
  stats.files = 100;
  stats.ffree = 100 - nodes_.size();
  co_return stats;
}

fs::Task<void> MemoryFileSystem::Access(std::string path, uint32_t mask, fs::Caller caller) {
  const uint32_t uid = caller.uid;
  const uint32_t gid = caller.gid;
  std::lock_guard lock(mutex_);
  if (auto failure = TakeFailureLocked("Access")) co_return Fail(*failure);
  Result<std::shared_ptr<Node>> node = FindLocked(path);
  if (!node) co_return node.failure();
  if (uid == 0 || mask == F_OK) co_return Ok();
  const fs::Attributes& attr = (*node)->attr;
  const uint32_t bits = uid == attr.uid   ? (attr.mode >> 6) & 7
                        : gid == attr.gid ? (attr.mode >> 3) & 7
                                          : attr.mode & 7;
  if ((mask & bits) != mask) co_return Fail(ErrorCode::kPermissionDenied, path);
  co_return Ok();
}

}  // namespace alluxio::fuse::testing
