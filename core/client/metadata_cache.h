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
// entries; the path is stored once, as the key; a status is stored compactly, see Stored).
// A file's entry costs about 200 bytes, plus its path when longer than 15 bytes:
// docs/client.md.
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
#include <unordered_set>
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
  // A page of `dir`'s listing as the master gave it, in name order: the children named after
  // `start_after` ("": from the first) up to the page's last, or to the end when `to_end`. Puts
  // the status of each listed directory and complete file (one being written is left out, as
  // GetStatus leaves it), under one lock; it is no complete listing. What is cached of a child in
  // that range the page lacks (removed by another client), and below it, is dropped, with
  // `dir`'s listing: a fresh listing and a stat never disagree.
  void PutListingPage(std::string_view dir, std::string_view start_after,
                      std::span<const FileInfo> page, bool to_end);
  void PutBlocks(const client::FileBlocks& file);
  // Caches a complete listing of `path` (and each child's status).
  void PutListing(std::string_view path, const std::vector<FileInfo>& children);
  // Remembers that `path` does not exist (a negative entry; dropped by invalidation).
  void PutMissing(std::string_view path);
  // True if `path` is known not to exist: a negative entry, or a listing of its parent that
  // does not name it.
  bool IsMissing(std::string_view path);

  // Drops `path`, everything cached below it, and its parent's listing.
  void InvalidatePath(std::string_view path);
  // For a name this client just created (or completed): drops `path` and everything cached
  // below it, and adds its name to its parent's listing when there is one (in sorted place), so
  // that the listing keeps answering IsMissing for the parent's other names. (GetListing then
  // asks for the new child's status, which is not cached.)
  void InvalidateCreated(std::string_view path);
  void InvalidateAll();
  size_t size();

 private:
  // What few statuses have: block ids other than the file's derived ones (block_id.h), a
  // symbolic link's target; and what did not fit once kMaxInterned strings are interned.
  struct Rare {
    std::string ufs_uri;
    std::vector<uint64_t> block_ids;
    std::string symlink_target;
    std::string owner;  // when the interned names are full
    std::string group;
  };
  static constexpr size_t kMaxInterned = 4096;
  // A FileInfo in about 90 bytes: no path or name (the key holds them), owner, group and the
  // UFS URI's prefix interned (ufs_uri = *ufs_prefix + the key's last ufs_tail bytes), block
  // ids as a count when they are the file's derived ones.
  struct Stored {
    uint64_t id = 0;
    uint64_t length = 0;
    uint64_t block_size = 0;
    uint64_t mount_id = 0;
    int64_t mtime_ms = 0;
    uint32_t mode = 0;
    uint32_t block_count = 0;  // ids derived from id; rare->block_ids when they are not
    const std::string* owner = nullptr;
    const std::string* group = nullptr;
    const std::string* ufs_prefix = nullptr;  // null: rare->ufs_uri
    uint16_t ufs_tail = 0;
    bool is_directory = false;
    bool completed = false;
    bool persisted = false;
    bool mount_point = false;
    std::unique_ptr<Rare> rare;
  };
  struct Entry;
  using Map = std::map<std::string, Entry, std::less<>>;  // ordered: a subtree is a range
  struct Entry {
    std::optional<Stored> status;                       // nullopt: negative entry
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
  Stored Compact(const FileInfo& info);
  // The interned copy of `text` (kept until InvalidateAll); null once kMaxInterned are held.
  const std::string* Intern(std::string_view text);
  void Unlink(Map::value_type* node);
  void PushFront(Map::value_type* node);
  Map::iterator Erase(Map::iterator it);

  const size_t max_entries_;
  const std::chrono::milliseconds expiration_;
  const MonotonicClock& clock_;
  std::mutex mutex_;
  Map entries_;
  std::unordered_set<std::string> interned_;  // node-based: element addresses are stable
  Map::value_type* most_recent_ = nullptr;
  Map::value_type* least_recent_ = nullptr;
};

}  // namespace alluxio
