#include "core/client/metadata_cache.h"

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

MetadataCache::Entry& MetadataCache::UpsertStatus(const FileInfo& info) {
  Entry& e = Upsert(info.path);
  if (e.blocks && e.blocks->info.id != info.id) e.blocks.reset();
  e.status = info;
  e.status->path.clear();
  e.status->path.shrink_to_fit();
  e.status->name.clear();
  e.status->name.shrink_to_fit();
  return e;
}

std::optional<FileInfo> MetadataCache::StatusOf(const Map::value_type& node) {
  std::optional<FileInfo> info = node.second.status;
  if (info) {
    info->path = node.first;
    const size_t slash = node.first.rfind('/');
    info->name = node.first.substr(slash == std::string::npos ? 0 : slash + 1);
  }
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
  Map::value_type* node = Find(path);
  return node != nullptr && !node->second.status && !node->second.listing;
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

void MetadataCache::PutStatuses(std::span<const FileInfo> infos) {
  std::lock_guard lock(mutex_);
  for (const FileInfo& info : infos) UpsertStatus(info);
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

void MetadataCache::InvalidateAll() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  most_recent_ = least_recent_ = nullptr;
}

size_t MetadataCache::size() {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace alluxio
