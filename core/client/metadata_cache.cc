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

}  // namespace

MetadataCache::MetadataCache(size_t max_entries, std::chrono::milliseconds expiration,
                             const MonotonicClock& clock)
    : max_entries_(max_entries), expiration_(expiration), clock_(clock) {}

MetadataCache::Entry* MetadataCache::Find(std::string_view path) {
  auto it = entries_.find(path);
  if (it == entries_.end()) return nullptr;
  if (clock_.Now() >= it->second.expires) {
    Erase(it->first);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return &it->second;
}

MetadataCache::Entry& MetadataCache::Upsert(std::string_view path) {
  std::string key(path);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    lru_.push_front(key);
    it = entries_.emplace(key, Entry{}).first;
    it->second.lru = lru_.begin();
    while (entries_.size() > max_entries_) Erase(lru_.back());  // never the newest
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  it->second.expires = clock_.Now() + expiration_;
  return it->second;
}

MetadataCache::Entry& MetadataCache::UpsertStatus(const FileInfo& info) {
  Entry& e = Upsert(info.path);
  if (e.blocks && e.blocks->info.id != info.id) e.blocks.reset();
  e.status = info;
  return e;
}

void MetadataCache::Erase(const std::string& path) {
  auto it = entries_.find(path);
  if (it == entries_.end()) return;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

std::optional<FileInfo> MetadataCache::GetStatus(std::string_view path) {
  std::lock_guard lock(mutex_);
  Entry* e = Find(path);
  if (e == nullptr) return std::nullopt;
  return e->status;
}

bool MetadataCache::IsMissing(std::string_view path) {
  std::lock_guard lock(mutex_);
  Entry* e = Find(path);
  return e != nullptr && !e->status && !e->listing;
}

std::optional<std::vector<FileInfo>> MetadataCache::GetListing(std::string_view path) {
  std::lock_guard lock(mutex_);
  Entry* e = Find(path);
  if (e == nullptr) return std::nullopt;
  return e->listing;
}

std::optional<client::FileBlocks> MetadataCache::GetBlocks(std::string_view path) {
  std::lock_guard lock(mutex_);
  Entry* e = Find(path);
  if (e == nullptr) return std::nullopt;
  return e->blocks;
}

void MetadataCache::PutStatus(const FileInfo& info) {
  std::lock_guard lock(mutex_);
  UpsertStatus(info);
}

void MetadataCache::PutBlocks(const client::FileBlocks& file) {
  std::lock_guard lock(mutex_);
  UpsertStatus(file.info).blocks = file;
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
  for (const FileInfo& child : children) UpsertStatus(child);
  Upsert(path).listing = children;
}

void MetadataCache::InvalidatePath(std::string_view path) {
  std::lock_guard lock(mutex_);
  Erase(std::string(path));
  std::string prefix = path == "/" ? std::string("/") : std::string(path) + "/";
  for (auto it = entries_.lower_bound(prefix); it != entries_.end() && IsUnder(it->first, path);) {
    lru_.erase(it->second.lru);
    it = entries_.erase(it);
  }
  if (std::string_view parent = ParentOf(path); !parent.empty()) {
    if (auto it = entries_.find(parent); it != entries_.end()) {
      it->second.listing.reset();
      if (!it->second.status) Erase(it->first);
    }
  }
}

void MetadataCache::InvalidateAll() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  lru_.clear();
}

size_t MetadataCache::size() {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace alluxio
