#include "core/master/inode.h"

#include <cstring>

#include <fmt/format.h>

namespace alluxio {
namespace {

constexpr uint8_t kInodeFormatVersion = 1;

enum Flags : uint8_t {
  kFlagDirectory = 1,
  kFlagCompleted = 2,
  kFlagPersisted = 4,
  kFlagChildrenLoaded = 8,
  kFlagSymlink = 16,         // the target follows the block ids
  kFlagChildrenSyncMs = 32,  // children_sync_ms follows (directories with children loaded)
  kFlagToBePersisted = 64,
};

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return false;
      auto byte = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      v |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }
  bool String(std::string& s) {
    uint64_t n;
    if (!Varint(n) || n > in_.size()) return false;
    s.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool Byte(uint8_t& b) {
    if (in_.empty()) return false;
    b = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

// Zig-zag for signed times (-1 sentinels stay small).
uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

}  // namespace

std::string EncodeInode(const Inode& inode) {
  std::string out;
  out.reserve(64 + inode.name.size() + inode.block_ids.size() * 9);
  out.push_back(static_cast<char>(kInodeFormatVersion));
  uint8_t flags =
      (inode.is_directory ? kFlagDirectory : 0) | (inode.completed ? kFlagCompleted : 0) |
      (inode.persisted ? kFlagPersisted : 0) | (inode.children_loaded ? kFlagChildrenLoaded : 0) |
      (inode.is_symlink() ? kFlagSymlink : 0) | (inode.children_loaded ? kFlagChildrenSyncMs : 0) |
      (inode.to_be_persisted ? kFlagToBePersisted : 0);
  out.push_back(static_cast<char>(flags));
  PutVarint(out, inode.id);
  PutVarint(out, inode.parent_id);
  PutString(out, inode.name);
  PutVarint(out, inode.mode);
  PutString(out, inode.owner);
  PutString(out, inode.group);
  PutVarint(out, ZigZag(inode.mtime_ms));
  PutVarint(out, inode.length);
  PutVarint(out, inode.block_size);
  PutString(out, inode.ufs_fingerprint);
  PutVarint(out, ZigZag(inode.last_sync_ms));
  PutVarint(out, inode.block_ids.size());
  for (uint64_t b : inode.block_ids) PutVarint(out, b);
  if (inode.is_symlink()) PutString(out, inode.symlink_target);
  if (inode.children_loaded) PutVarint(out, ZigZag(inode.children_sync_ms));
  return out;
}

Result<Inode> DecodeInode(std::string_view bytes) {
  Reader r(bytes);
  Inode inode;
  uint8_t version = 0, flags = 0;
  uint64_t mode = 0, mtime = 0, last_sync = 0, nblocks = 0, children_sync = 0;
  bool ok = r.Byte(version) && version == kInodeFormatVersion && r.Byte(flags) &&
            r.Varint(inode.id) && r.Varint(inode.parent_id) && r.String(inode.name) &&
            r.Varint(mode) && r.String(inode.owner) && r.String(inode.group) && r.Varint(mtime) &&
            r.Varint(inode.length) && r.Varint(inode.block_size) &&
            r.String(inode.ufs_fingerprint) && r.Varint(last_sync) && r.Varint(nblocks) &&
            nblocks <= bytes.size();
  if (ok) {
    inode.block_ids.resize(nblocks);
    for (uint64_t& b : inode.block_ids) ok = ok && r.Varint(b);
  }
  if (ok && (flags & kFlagSymlink)) {
    ok = r.String(inode.symlink_target) && !inode.symlink_target.empty();
  }
  if (ok && (flags & kFlagChildrenSyncMs)) {
    ok = r.Varint(children_sync);
  } else {
    children_sync = last_sync;
  }
  if (!ok || !r.done()) {
    return Fail(ErrorCode::kInternal,
                fmt::format("corrupt inode record ({} bytes, version {})", bytes.size(), version));
  }
  inode.mode = static_cast<uint32_t>(mode);
  inode.mtime_ms = UnZigZag(mtime);
  inode.last_sync_ms = UnZigZag(last_sync);
  inode.children_sync_ms = UnZigZag(children_sync);
  inode.is_directory = flags & kFlagDirectory;
  inode.completed = flags & kFlagCompleted;
  inode.persisted = flags & kFlagPersisted;
  inode.to_be_persisted = flags & kFlagToBePersisted;
  inode.children_loaded = flags & kFlagChildrenLoaded;
  return inode;
}

}  // namespace alluxio
