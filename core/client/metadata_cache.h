// The client's metadata cache (alluxio.user.metadata.cache.{enabled,max.size,expiration.time}):
// path → FileInfo, path → a complete file's blocks and their locations (as getBlockInfos gave
// them: a location may be stale, which readers survive by trying another source), and path →
// the full listing of a directory, each entry expiring after the
// expiration time and the least recently used evicted beyond max size. The client invalidates
// what its own mutations touch (create, delete, rename, chmod/chown, complete), so it never
// shows its own stale state; changes made by other clients show after expiry.
// Shared by the reactors of one client: thread-safe (one mutex, short critical sections).
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <map>
#include <mutex>
#include <optional>
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
  // Also caches each child's status.
  std::optional<std::vector<FileInfo>> GetListing(std::string_view path);

  // A complete file's blocks, cached by PutBlocks (with the file's status).
  std::optional<client::FileBlocks> GetBlocks(std::string_view path);

  void PutStatus(const FileInfo& info);
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
  struct Entry {
    std::optional<FileInfo> status;  // nullopt: negative entry
    std::optional<std::vector<FileInfo>> listing;
    std::optional<client::FileBlocks> blocks;  // of status->id
    MonotonicClock::time_point expires;
    std::list<std::string>::iterator lru;
  };

  Entry* Find(std::string_view path);  // live entry or nullptr; refreshes LRU
  Entry& Upsert(std::string_view path);
  // Upsert(info.path) with its status set (blocks of another file id dropped).
  Entry& UpsertStatus(const FileInfo& info);
  void Erase(const std::string& path);

  const size_t max_entries_;
  const std::chrono::milliseconds expiration_;
  const MonotonicClock& clock_;
  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;  // ordered: a subtree is a range
  std::list<std::string> lru_;                         // front: most recent
};

}  // namespace alluxio
