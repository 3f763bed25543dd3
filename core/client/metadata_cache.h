// The client's metadata cache (alluxio.user.metadata.cache.{enabled,max.size,expiration.time}):
// path → FileInfo, path → a complete file's blocks and their locations (as getBlockInfos gave
// them: a location may be stale, which readers survive by trying another source), path → the
// full listing of a directory, and path → "does not exist" (a negative entry), each entry
// expiring after the expiration time and the least recently used evicted beyond max size. The
// client invalidates what its own mutations touch (create, delete, rename, chmod/chown,
// complete), so it never shows its own stale state; changes made by other clients show after
// expiry.
//
// Memory: one entry per path (a listing names its children, whose statuses are their own
// entries; the path is stored once, as the key). An entry costs about 450 bytes plus its
// FileInfo's strings that do not fit inline (the UFS URI, mostly): docs/client.md.
//
// Shared by the reactors of one client: thread-safe (one mutex, short critical sections).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/client/client_types.h"
#include "core/common/clock.h"
#include "core/common/file_info.h"

namespace alluxio {

class MetadataCache {
 public:
  MetadataCache(size_t max_entries, std::chrono::milliseconds expiration,
                const MonotonicClock& clock = SteadyClock());

  std::optional<FileInfo> GetStatus(std::string_view path);
  // The children of a complete listing, in the order it was put; nullopt unless the listing and
  // every child's status are cached.
  std::optional<std::vector<FileInfo>> GetListing(std::string_view path);

  // A complete file's blocks, cached by PutBlocks (with the file's status).
  std::optional<client::FileBlocks> GetBlocks(std::string_view path);

  void PutStatus(const FileInfo& info);
  // PutStatus of each, under one lock: what a page of a listing shows (not a complete listing).
  void PutStatuses(std::span<const FileInfo> infos);
  void PutBlocks(const client::FileBlocks& file);
  // Caches a complete listing of `path` (and each child's status).
  void PutListing(std::string_view path, const std::vector<FileInfo>& children);
  // Remembers that `path` does not exist (a negative entry; dropped by invalidation).
  void PutMissing(std::string_view path);
  // True if `path` is known not to exist.
  bool IsMissing(std::string_view path);

  // Drops `path`, everything cached below it, and its parent's listing.
  void InvalidatePath(std::string_view path);
  void InvalidateAll();
  size_t size();

 private:
  struct Entry;
  using Map = std::map<std::string, Entry, std::less<>>;  // ordered: a subtree is a range
  struct Entry {
    // path and name cleared (the key holds them; Get fills them in). nullopt: negative entry.
    std::optional<FileInfo> status;
    std::unique_ptr<std::vector<std::string>> listing;  // children's names
    std::unique_ptr<client::FileBlocks> blocks;         // of status->id
    MonotonicClock::time_point expires;
    // Recency list through the map's nodes (stable while they live): prev is more recent.
    Map::value_type* prev = nullptr;
    Map::value_type* next = nullptr;
  };

  Map::value_type* Find(std::string_view path);  // live entry or nullptr; refreshes LRU
  Entry& Upsert(std::string_view path);
  // Upsert(info.path) with its status set (blocks of another file id dropped).
  Entry& UpsertStatus(const FileInfo& info);
  // The status of a found entry, with its path and name.
  static std::optional<FileInfo> StatusOf(const Map::value_type& node);
  void Unlink(Map::value_type* node);
  void PushFront(Map::value_type* node);
  Map::iterator Erase(Map::iterator it);

  const size_t max_entries_;
  const std::chrono::milliseconds expiration_;
  const MonotonicClock& clock_;
  std::mutex mutex_;
  Map entries_;
  Map::value_type* most_recent_ = nullptr;
  Map::value_type* least_recent_ = nullptr;
};

}  // namespace alluxio
