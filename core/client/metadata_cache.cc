#include "core/client/metadata_cache.h"

#include <algorithm>
#include <cstdint>

#include "core/common/block_id.h"

namespace alluxio {
namespace {

std::string_view ParentOf(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || path == "/") return {};
  return slash == 0 ? std::string_view("/") : path.substr(0, slash);
}

bool IsUnder(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

std::string ChildOf(std::string_view dir, std::string_view name) {
  std::string out(dir == "/" ? std::string_view() : dir);
  out += '/';
  out += name;
  return out;
}

}  // namespace

MetadataCache::MetadataCache(size_t max_entries, std::chrono::milliseconds expiration,
                             const MonotonicClock& clock)
    : max_entries_(max_entries), expiration_(expiration), clock_(clock) {}

void MetadataCache::Unlink(Map::value_type* node) {
  Entry& e = node->second;
  (e.prev != nullptr ? e.prev->second.next : most_recent_) = e.next;
  (e.next != nullptr ? e.next->second.prev : least_recent_) = e.prev;
  e.prev = e.next = nullptr;
}

void MetadataCache::PushFront(Map::value_type* node) {
  Entry& e = node->second;
  e.prev = nullptr;
  e.next = most_recent_;
  (most_recent_ != nullptr ? most_recent_->second.prev : least_recent_) = node;
  most_recent_ = node;
}

MetadataCache::Map::iterator MetadataCache::Erase(Map::iterator it) {
  Unlink(&*it);
  return entries_.erase(it);
}

MetadataCache::Map::value_type* MetadataCache::Find(std::string_view path) {
  auto it = entries_.find(path);
  if (it == entries_.end()) return nullptr;
  if (clock_.Now() >= it->second.expires) {
    Erase(it);
    return nullptr;
  }
  Unlink(&*it);
  PushFront(&*it);
  return &*it;
}

MetadataCache::Entry& MetadataCache::Upsert(std::string_view path) {
  auto it = entries_.find(path);
  if (it == entries_.end()) {
    it = entries_.emplace(std::string(path), Entry{}).first;
    PushFront(&*it);
    while (entries_.size() > max_entries_) {  // never the newest
      Erase(entries_.find(least_recent_->first));
    }
  } else {
    Unlink(&*it);
    PushFront(&*it);
  }
  it->second.expires = clock_.Now() + expiration_;
  return it->second;
}

const std::string* MetadataCache::Intern(std::string_view text) {
  std::string key(text);
  if (auto it = interned_.find(key); it != interned_.end()) return &*it;
  if (interned_.size() >= kMaxInterned) return nullptr;
  return &*interned_.insert(std::move(key)).first;
}

MetadataCache::Stored MetadataCache::Compact(const FileInfo& info) {
  Stored out;
  out.id = info.id;
  out.length = info.length;
  out.block_size = info.block_size;
  out.mount_id = info.mount_id;
  out.mtime_ms = info.mtime_ms;
  out.mode = info.mode;
  out.is_directory = info.is_directory;
  out.completed = info.completed;
  out.persisted = info.persisted;
  out.mount_point = info.mount_point;
  out.owner = Intern(info.owner);
  out.group = Intern(info.group);
  // The longest common tail of the UFS URI and the path: the rest is the mount's UFS root.
  const std::string_view uri = info.ufs_uri;
  const std::string_view path = info.path;
  size_t tail = 0;
  while (tail < uri.size() && tail < path.size() && tail < UINT16_MAX &&
         uri[uri.size() - 1 - tail] == path[path.size() - 1 - tail]) {
    ++tail;
  }
  out.ufs_prefix = Intern(uri.substr(0, uri.size() - tail));
  out.ufs_tail = static_cast<uint16_t>(tail);
  bool derived = info.block_ids.size() <= UINT32_MAX;
  for (size_t i = 0; derived && i < info.block_ids.size(); ++i) {
    derived = info.block_ids[i] == BlockIdForFile(info.id, i);
  }
  if (derived) out.block_count = static_cast<uint32_t>(info.block_ids.size());
  if (out.owner == nullptr || out.group == nullptr || out.ufs_prefix == nullptr || !derived ||
      !info.symlink_target.empty()) {
    out.rare = std::make_unique<Rare>();
    if (out.ufs_prefix == nullptr) out.rare->ufs_uri = info.ufs_uri;
    if (!derived) out.rare->block_ids = info.block_ids;
    out.rare->symlink_target = info.symlink_target;
    if (out.owner == nullptr) out.rare->owner = info.owner;
    if (out.group == nullptr) out.rare->group = info.group;
  }
  return out;
}

MetadataCache::Entry& MetadataCache::UpsertStatus(const FileInfo& info) {
  Entry& e = Upsert(info.path);
  if (e.blocks && e.blocks->info.id != info.id) e.blocks.reset();
  e.status = Compact(info);
  return e;
}

std::optional<FileInfo> MetadataCache::StatusOf(const Map::value_type& node) {
  if (!node.second.status) return std::nullopt;
  const Stored& in = *node.second.status;
  const std::string& path = node.first;
  FileInfo info;
  info.id = in.id;
  info.path = path;
  const size_t slash = path.rfind('/');
  info.name = path.substr(slash == std::string::npos ? 0 : slash + 1);
  info.is_directory = in.is_directory;
  info.mode = in.mode;
  info.owner = in.owner != nullptr ? *in.owner : in.rare->owner;
  info.group = in.group != nullptr ? *in.group : in.rare->group;
  info.mtime_ms = in.mtime_ms;
  info.length = in.length;
  info.block_size = in.block_size;
  info.completed = in.completed;
  info.persisted = in.persisted;
  info.mount_point = in.mount_point;
  if (in.rare && in.block_count == 0 && !in.rare->block_ids.empty()) {
    info.block_ids = in.rare->block_ids;
  } else {
    info.block_ids.reserve(in.block_count);
    for (uint32_t i = 0; i < in.block_count; ++i)
      info.block_ids.push_back(BlockIdForFile(in.id, i));
  }
  if (in.ufs_prefix != nullptr) {
    info.ufs_uri.reserve(in.ufs_prefix->size() + in.ufs_tail);
    info.ufs_uri = *in.ufs_prefix;
    info.ufs_uri.append(path, path.size() - in.ufs_tail, in.ufs_tail);
  } else {
    info.ufs_uri = in.rare->ufs_uri;
  }
  info.mount_id = in.mount_id;
  if (in.rare) info.symlink_target = in.rare->symlink_target;
  return info;
}

std::optional<FileInfo> MetadataCache::GetStatus(std::string_view path) {
  std::lock_guard lock(mutex_);
  Map::value_type* node = Find(path);
  if (node == nullptr) return std::nullopt;
  return StatusOf(*node);
}

bool MetadataCache::IsMissing(std::string_view path) {
  std::lock_guard lock(mutex_);
  if (Map::value_type* node = Find(path)) return !node->second.status && !node->second.listing;
  const std::string_view parent = ParentOf(path);
  if (parent.empty()) return false;
  Map::value_type* dir = Find(parent);
  if (dir == nullptr || !dir->second.listing) return false;
  const std::string_view name = path.substr(path.rfind('/') + 1);
  const std::vector<std::string>& names = *dir->second.listing;
  return std::find(names.begin(), names.end(), name) == names.end();
}

std::optional<std::vector<FileInfo>> MetadataCache::GetListing(std::string_view path) {
  std::lock_guard lock(mutex_);
  Map::value_type* node = Find(path);
  if (node == nullptr || !node->second.listing) return std::nullopt;
  const std::vector<std::string>& names = *node->second.listing;
  std::vector<FileInfo> children;
  children.reserve(names.size());
  for (const std::string& name : names) {
    Map::value_type* child = Find(ChildOf(path, name));
    if (child == nullptr || !child->second.status) return std::nullopt;  // expired or evicted
    children.push_back(*StatusOf(*child));
  }
  return children;
}

std::optional<client::FileBlocks> MetadataCache::GetBlocks(std::string_view path) {
  std::lock_guard lock(mutex_);
  Map::value_type* node = Find(path);
  if (node == nullptr || !node->second.blocks) return std::nullopt;
  client::FileBlocks blocks = *node->second.blocks;
  blocks.info = *StatusOf(*node);
  return blocks;
}

void MetadataCache::PutStatus(const FileInfo& info) {
  std::lock_guard lock(mutex_);
  UpsertStatus(info);
}

void MetadataCache::PutListingPage(std::string_view dir, std::string_view start_after,
                                   std::span<const FileInfo> page, bool to_end) {
  std::vector<std::string_view> names;
  names.reserve(page.size());
  for (const FileInfo& info : page) names.push_back(info.name);
  std::sort(names.begin(), names.end());
  const std::string prefix = ChildOf(dir, "");
  // The last key of the range: the page's last child (its subtree sorts after it: kept).
  const std::string last = to_end || page.empty() ? std::string() : ChildOf(dir, page.back().name);
  std::lock_guard lock(mutex_);
  if (to_end || !page.empty()) {
    bool gone = false;
    auto it = start_after.empty() ? entries_.lower_bound(prefix)
                                  : entries_.upper_bound(ChildOf(dir, start_after));
    while (it != entries_.end() && it->first.starts_with(prefix) && (to_end || it->first <= last)) {
      const std::string_view name = std::string_view(it->first).substr(prefix.size());
      const bool negative = !it->second.status && !it->second.listing;  // agrees with the page
      if (name.empty() || name.find('/') != std::string_view::npos || negative ||
          std::binary_search(names.begin(), names.end(), name)) {
        ++it;
        continue;
      }
      gone = true;
      const std::string below = it->first + "/";
      it = Erase(it);
      while (it != entries_.end() && it->first.starts_with(below)) it = Erase(it);
    }
    if (gone) {
      if (auto parent = entries_.find(dir); parent != entries_.end()) {
        parent->second.listing.reset();
      }
    }
  }
  for (const FileInfo& info : page) {
    if (info.is_directory || info.completed) UpsertStatus(info);
  }
}

void MetadataCache::PutBlocks(const client::FileBlocks& file) {
  std::lock_guard lock(mutex_);
  Entry& e = UpsertStatus(file.info);
  e.blocks = std::make_unique<client::FileBlocks>(file);
  e.blocks->info = {};  // the entry's status is the file's
  e.blocks->info.id = file.info.id;
}

void MetadataCache::PutMissing(std::string_view path) {
  std::lock_guard lock(mutex_);
  Entry& e = Upsert(path);
  e.status.reset();
  e.listing.reset();
  e.blocks.reset();
}

void MetadataCache::PutListing(std::string_view path, const std::vector<FileInfo>& children) {
  std::lock_guard lock(mutex_);
  auto names = std::make_unique<std::vector<std::string>>();
  names->reserve(children.size());
  for (const FileInfo& child : children) {
    UpsertStatus(child);
    names->push_back(child.name);
  }
  Upsert(path).listing = std::move(names);
}

void MetadataCache::InvalidatePath(std::string_view path) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(path); it != entries_.end()) Erase(it);
  std::string prefix = path == "/" ? std::string("/") : std::string(path) + "/";
  for (auto it = entries_.lower_bound(prefix); it != entries_.end() && IsUnder(it->first, path);) {
    it = Erase(it);
  }
  if (std::string_view parent = ParentOf(path); !parent.empty()) {
    if (auto it = entries_.find(parent); it != entries_.end()) {
      it->second.listing.reset();
      if (!it->second.status) Erase(it);
    }
  }
}

void MetadataCache::InvalidateCreated(std::string_view path) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(path); it != entries_.end()) Erase(it);
  for (auto it = entries_.lower_bound(ChildOf(path, ""));
       it != entries_.end() && IsUnder(it->first, path);) {
    it = Erase(it);
  }
  const std::string_view parent = ParentOf(path);
  if (parent.empty()) return;
  if (auto it = entries_.find(parent); it != entries_.end() && it->second.listing) {
    std::vector<std::string>& names = *it->second.listing;
    const std::string_view name = path.substr(path.rfind('/') + 1);
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      names.insert(std::lower_bound(names.begin(), names.end(), name), std::string(name));
    }
  }
}

void MetadataCache::InvalidateAll() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  interned_.clear();
  most_recent_ = least_recent_ = nullptr;
}

size_t MetadataCache::size() {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace alluxio
