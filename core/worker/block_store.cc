#include "core/worker/block_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>

#include "core/common/block_id.h"
#include "core/common/logging.h"
#include "core/common/write_all.h"

namespace alluxio {
namespace internal {

struct BlockMeta {
  uint64_t id = 0;
  uint64_t offset = 0;  // in path
  uint64_t length = 0;
  int dir = 0;
  std::string path;      // the per-file cache file
  int pins = 0;          // live BlockReaders and PinnedFiles
  bool removed = false;  // unindexed while pinned: range and space released at the last unpin
  uint64_t last_access = 0;
  std::list<BlockMeta*>::iterator lru_it;  // valid while indexed (not removed)
};

namespace {

struct DirState {
  int tier = 0;
  std::string path;
  std::string tmp_path;      // the earlier layout's temp files, removed at Open
  std::string records_path;  // <path>/.blocks
  uint64_t quota = 0;
  uint64_t committed = 0;     // committed blocks, including removed-but-pinned ones
  uint64_t reserved = 0;      // reservations of writers
  uint64_t pinned = 0;        // bytes of pinned blocks (part of committed)
  uint64_t blocks = 0;        // indexed blocks
  std::list<BlockMeta*> lru;  // indexed blocks, least recently used first
  int lock_fd = -1;

  uint64_t Available() const {
    uint64_t used = committed + reserved;
    return quota > used ? quota - used : 0;
  }
  uint64_t Evictable() const { return committed - pinned; }
};

Status MakeDirs(const std::string& path) {
  std::string prefix;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    prefix = path.substr(0, j);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return Fail(ErrnoError(errno, fmt::format("mkdir {}", prefix)));
    }
    i = j + 1;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Fail(ErrnoError(errno, fmt::format("stat {}", path)));
  if (!S_ISDIR(st.st_mode)) {
    return Fail(ErrorCode::kNotADirectory, fmt::format("{} is not a directory", path));
  }
  return Ok();
}

void SyncDir(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    ALX_LOG(kWarn, "block_store", "cannot fsync directory {}: {}", path,
            ErrnoError(errno, "fsync").message);
  }
  if (fd >= 0) ::close(fd);
}

// The number a name spells in canonical decimal ("07" is not 7), or nullopt.
std::optional<uint64_t> ParseDecimal(std::string_view name) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
  if (ec != std::errc() || end != name.data() + name.size()) return std::nullopt;
  if (fmt::format("{}", n) != name) return std::nullopt;
  return n;
}

// A committed block's record: the name <block id>.<offset>.<length>.
struct BlockRecord {
  uint64_t id = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
};

std::string RecordName(uint64_t id, uint64_t offset, uint64_t length) {
  return fmt::format("{}.{}.{}", id, offset, length);
}

std::optional<BlockRecord> ParseRecordName(std::string_view name) {
  size_t a = name.find('.');
  size_t b = a == std::string_view::npos ? a : name.find('.', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  std::optional<uint64_t> id = ParseDecimal(name.substr(0, a));
  std::optional<uint64_t> offset = ParseDecimal(name.substr(a + 1, b - a - 1));
  std::optional<uint64_t> length = ParseDecimal(name.substr(b + 1));
  if (!id || !offset || !length) return std::nullopt;
  return BlockRecord{*id, *offset, *length};
}

// Frees [offset, offset + length) of `path` (the size stays). A missing file is fine.
void PunchRange(const std::string& path, uint64_t offset, uint64_t length) {
  if (length == 0) return;
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) {
      ALX_LOG(kWarn, "block_store", "cannot open {} to free a range: {}", path,
              ErrnoError(errno, "open").message);
    }
    return;
  }
  if (::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(length)) != 0) {
    ALX_LOG(kWarn, "block_store", "cannot free [{}, {}) of {}: {}", offset, offset + length, path,
            ErrnoError(errno, "fallocate").message);
  }
  ::close(fd);
}

}  // namespace

class BlockStoreState : public std::enable_shared_from_this<BlockStoreState> {
 public:
  explicit BlockStoreState(BlockStoreConfig config) : config_(std::move(config)) {}

  ~BlockStoreState() {
    for (DirState& d : dirs_) {
      if (d.lock_fd >= 0) ::close(d.lock_fd);
    }
  }

  Status Init();

  Result<BlockWriter> CreateBlock(uint64_t block_id, uint64_t offset, uint64_t reservation,
                                  int first_tier);
  Result<CacheFileWriter> CreateCacheFile(uint64_t container, uint64_t block_size,
                                          uint64_t reservation, int first_tier);
  Result<std::vector<BlockInfo>> CommitCacheFile(CacheFileWriter& writer, uint64_t length);
  Status Grow(int dir, uint64_t bytes);
  Result<BlockInfo> Commit(BlockWriter& writer);
  // A writer that will not commit: its reservation goes back, its range is released.
  void ReleaseWriter(int dir, uint64_t block_id, uint64_t reserved, uint64_t written);

  Result<BlockReader> OpenBlock(uint64_t block_id);
  Result<PinnedFile> OpenFile(std::span<const uint64_t> block_ids);
  void Touch(std::span<const uint64_t> block_ids);
  void Unpin(BlockMeta* meta) {
    std::lock_guard lock(mu_);
    UnpinLocked(meta);
  }
  Status RemoveBlock(uint64_t block_id);

  bool HasBlock(uint64_t block_id) const {
    std::lock_guard lock(mu_);
    return blocks_.contains(block_id);
  }
  Result<BlockInfo> GetBlock(uint64_t block_id) const {
    std::lock_guard lock(mu_);
    auto it = blocks_.find(block_id);
    if (it == blocks_.end()) {
      return Fail(ErrorCode::kNotFound, fmt::format("block {}", block_id));
    }
    return InfoOf(*it->second);
  }
  std::vector<BlockInfo> ListBlocks() const {
    std::lock_guard lock(mu_);
    std::vector<BlockInfo> out;
    out.reserve(blocks_.size());
    for (const auto& [id, meta] : blocks_) out.push_back(InfoOf(*meta));
    return out;
  }
  std::vector<DirUsage> Usage() const {
    std::lock_guard lock(mu_);
    std::vector<DirUsage> out;
    for (const DirState& d : dirs_) {
      out.push_back(DirUsage{d.tier, config_.tiers[d.tier].alias, d.path, d.quota, d.committed,
                             d.reserved, d.blocks});
    }
    return out;
  }
  BlockStoreCounters Counters() const {
    std::lock_guard lock(mu_);
    return counters_;
  }
  BlockChanges TakeChanges() {
    std::lock_guard lock(mu_);
    BlockChanges out;
    for (const auto& [id, tier] : added_) out.added.emplace_back(id, tier);
    out.removed.assign(removed_.begin(), removed_.end());
    added_.clear();
    removed_.clear();
    return out;
  }

  const BlockStoreConfig& config() const { return config_; }
  int TierOfDir(int dir) const { return dirs_[dir].tier; }  // dirs_ is fixed after Init

 private:
  // Users of a block's range in one directory's cache file: its committed copy (indexed, or
  // unindexed but still pinned) and its writers. The range is freed when the last one goes.
  struct Range {
    int users = 0;
    uint64_t offset = 0;
    uint64_t extent = 0;  // bytes that may hold data (the largest length seen)
  };
  using RangeKey = std::pair<int, uint64_t>;  // (dir, block id)
  using FileKey = std::pair<int, uint64_t>;   // (dir, container id)

  BlockInfo InfoOf(const BlockMeta& m) const {
    int tier = dirs_[m.dir].tier;
    return BlockInfo{m.id, m.length, tier, config_.tiers[tier].alias, m.path, m.offset};
  }
  // The cache file holding block `block_id` in `dir`.
  std::string FilePath(int dir, uint64_t block_id) const {
    return fmt::format("{}/{}", dirs_[dir].path, ContainerIdOf(block_id));
  }
  std::string RecordPath(int dir, uint64_t id, uint64_t offset, uint64_t length) const {
    return fmt::format("{}/{}", dirs_[dir].records_path, RecordName(id, offset, length));
  }

  // Recovery: appends the records of directory `dir` whose ranges its cache files hold (others
  // are dropped).
  struct Found {
    BlockRecord record;
    int dir;
    int64_t mtime_ns;
  };
  Status ScanRecords(int dir, std::vector<Found>& found);
  // Recovery, after indexing: removes the cache files of `dir` without a committed block and
  // frees the parts of the others that no committed block covers.
  void TrimCacheFiles(int dir);

  // All below: mu_ held.
  // Chooses the directory that receives `reservation` bytes of a new writer of `container`
  // (evicting if needed) and reserves them there. kNoSpace names `what`.
  Result<int> PlaceLocked(uint64_t container, uint64_t reservation, int first_tier,
                          std::string_view what);
  void Index(std::shared_ptr<BlockMeta> meta);
  // Drops a block from the index (its record is not touched). Unpinned: its range and space are
  // released now; pinned: at the last unpin.
  void Unindex(BlockMeta* meta);
  void UnpinLocked(BlockMeta* meta);
  // Removes a committed block's record (absent is success).
  Status DropRecord(const BlockMeta& meta);
  // `extent`: bytes the new user may have written (a writer: 0 so far).
  void AcquireRange(int dir, uint64_t block_id, uint64_t offset, uint64_t extent);
  // Punches the range once its last user goes, or unlinks the cache file when no range of it
  // is used any more.
  void ReleaseRange(int dir, uint64_t block_id, uint64_t extent);
  // Evicts LRU unpinned blocks of `dir` until `bytes` are available; false if it could not
  // (an unlink failed, or Available() + Evictable() < bytes).
  bool EvictFor(int dir, uint64_t bytes);
  // Drops an unpinned block's record and unindexes it; false (logged) if the record stays.
  bool Evict(BlockMeta* meta);
  // The last_access of the LRU unpinned block of `dir`.
  std::optional<uint64_t> OldestEvictable(int dir) const;
  void RecordAdded(uint64_t id, int tier) {
    removed_.erase(id);
    added_[id] = tier;
  }
  void RecordRemoved(uint64_t id) {
    added_.erase(id);
    removed_.insert(id);
  }

  const BlockStoreConfig config_;
  std::vector<DirState> dirs_;  // tiers in order, directories in order; fixed after Init

  mutable std::mutex mu_;
  std::unordered_map<uint64_t, std::shared_ptr<BlockMeta>> blocks_;
  std::map<RangeKey, Range> ranges_;
  std::map<FileKey, int> files_;  // ranges in use per cache file
  uint64_t clock_ = 0;            // LRU ticks
  BlockStoreCounters counters_;
  std::unordered_map<uint64_t, int> added_;
  std::unordered_set<uint64_t> removed_;
};

Status BlockStoreState::ScanRecords(int i, std::vector<Found>& found) {
  DirState& d = dirs_[i];
  DIR* records = ::opendir(d.records_path.c_str());
  if (records == nullptr) {
    return Fail(ErrnoError(errno, fmt::format("opendir {}", d.records_path)));
  }
  while (struct dirent* ent = ::readdir(records)) {
    std::optional<BlockRecord> r = ParseRecordName(ent->d_name);
    if (!r) continue;
    struct stat rs;
    struct stat fs;
    const std::string file = FilePath(i, r->id);
    if (::fstatat(::dirfd(records), ent->d_name, &rs, AT_SYMLINK_NOFOLLOW) != 0 ||
        ::lstat(file.c_str(), &fs) != 0 || !S_ISREG(fs.st_mode) ||
        static_cast<uint64_t>(fs.st_size) < r->offset + r->length) {
      ALX_LOG(kWarn, "block_store", "{} does not hold block {}; dropping its record", file, r->id);
      ::unlinkat(::dirfd(records), ent->d_name, 0);
      continue;
    }
    found.push_back(
        Found{*r, i, static_cast<int64_t>(rs.st_mtim.tv_sec) * 1'000'000'000 + rs.st_mtim.tv_nsec});
  }
  ::closedir(records);
  return Ok();
}

void BlockStoreState::TrimCacheFiles(int i) {
  DirState& d = dirs_[i];
  DIR* dir = ::opendir(d.path.c_str());
  if (dir == nullptr) return;
  while (struct dirent* ent = ::readdir(dir)) {
    std::optional<uint64_t> container = ParseDecimal(ent->d_name);
    if (!container) continue;  // ".", "..", ".blocks", ".lock", foreign files
    struct stat st;
    if (::fstatat(::dirfd(dir), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode)) {
      continue;
    }
    const std::string path = fmt::format("{}/{}", d.path, ent->d_name);
    if (!files_.contains(FileKey{i, *container})) {
      if (::unlink(path.c_str()) == 0) ++counters_.temp_files_removed;
      continue;
    }
    // The committed ranges in offset order; what lies between them was being written.
    std::vector<std::pair<uint64_t, uint64_t>> held;
    for (auto it = ranges_.lower_bound(RangeKey{i, MakeBlockId(*container, 0)});
         it != ranges_.end() && it->first.first == i &&
         ContainerIdOf(it->first.second) == *container;
         ++it) {
      held.emplace_back(it->second.offset, it->second.offset + it->second.extent);
    }
    std::sort(held.begin(), held.end());
    uint64_t pos = 0;
    for (const auto& [begin, end] : held) {
      if (begin > pos) PunchRange(path, pos, begin - pos);
      pos = std::max(pos, end);
    }
    if (static_cast<uint64_t>(st.st_size) > pos && ::truncate(path.c_str(), pos) != 0) {
      ALX_LOG(kWarn, "block_store", "cannot truncate {}: {}", path,
              ErrnoError(errno, "truncate").message);
    }
  }
  ::closedir(dir);
}

Status BlockStoreState::Init() {
  if (Status s = ValidateBlockStoreConfig(config_); !s.ok()) return s;
  for (size_t t = 0; t < config_.tiers.size(); ++t) {
    for (const TierDirConfig& dc : config_.tiers[t].dirs) {
      DirState d;
      d.tier = static_cast<int>(t);
      d.path = dc.path;
      while (d.path.size() > 1 && d.path.back() == '/') d.path.pop_back();
      d.tmp_path = d.path + "/.tmp";
      d.records_path = d.path + "/.blocks";
      d.quota = dc.quota_bytes;
      dirs_.push_back(std::move(d));
    }
  }

  std::vector<Found> found;
  for (size_t i = 0; i < dirs_.size(); ++i) {
    DirState& d = dirs_[i];
    if (Status s = MakeDirs(d.records_path); !s.ok()) return s;
    std::string lock_path = d.path + "/.lock";
    d.lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (d.lock_fd < 0) return Fail(ErrnoError(errno, fmt::format("open {}", lock_path)));
    if (::flock(d.lock_fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return Fail(ErrorCode::kBusy,
                    fmt::format("block directory {} is in use by another block store", d.path));
      }
      return Fail(ErrnoError(errno, fmt::format("flock {}", lock_path)));
    }

    // Leftovers of interrupted writes of the one-file-per-block layout.
    if (DIR* tmp = ::opendir(d.tmp_path.c_str())) {
      while (struct dirent* ent = ::readdir(tmp)) {
        std::string_view name = ent->d_name;
        if (name == "." || name == "..") continue;
        std::string p = fmt::format("{}/{}", d.tmp_path, name);
        if (::unlink(p.c_str()) == 0) ++counters_.temp_files_removed;
      }
      ::closedir(tmp);
      ::rmdir(d.tmp_path.c_str());
    }
    if (Status s = ScanRecords(static_cast<int>(i), found); !s.ok()) return s;
  }

  // Oldest first, so that the LRU order continues from the last run's commit order.
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return std::tie(a.mtime_ns, a.dir, a.record.id) < std::tie(b.mtime_ns, b.dir, b.record.id);
  });
  std::lock_guard lock(mu_);
  for (const Found& f : found) {
    const BlockRecord& r = f.record;
    if (auto it = blocks_.find(r.id); it != blocks_.end()) {
      // The same block in two directories (configuration changed, or a crash between two
      // stores): keep the copy in the higher tier.
      BlockMeta* kept = it->second.get();
      bool replace = f.dir < kept->dir;
      ALX_LOG(kWarn, "block_store", "block {} found twice; dropping the copy in {}", r.id,
              dirs_[replace ? kept->dir : f.dir].path);
      if (!replace) {
        // Its range is freed with the other unrecorded ones (TrimCacheFiles).
        ::unlink(RecordPath(f.dir, r.id, r.offset, r.length).c_str());
        continue;
      }
      (void)DropRecord(*kept);
      Unindex(kept);
      --counters_.blocks_recovered;
    }
    auto meta = std::make_shared<BlockMeta>();
    meta->id = r.id;
    meta->offset = r.offset;
    meta->length = r.length;
    meta->dir = f.dir;
    meta->path = FilePath(f.dir, r.id);
    Index(std::move(meta));
    ++counters_.blocks_recovered;
  }
  for (size_t i = 0; i < dirs_.size(); ++i) TrimCacheFiles(static_cast<int>(i));
  for (DirState& d : dirs_) {
    if (d.committed <= d.quota) continue;
    ALX_LOG(kWarn, "block_store", "{} holds {} bytes over its quota of {}; evicting", d.path,
            d.committed - d.quota, d.quota);
    // Nothing is pinned yet; stops early only if an unlink fails (logged).
    while (d.committed > d.quota && Evict(d.lru.front())) {
    }
  }
  // Registration reports the recovered blocks (ListBlocks); changes start from here.
  added_.clear();
  removed_.clear();
  ALX_LOG(kInfo, "block_store",
          "opened {} directories, recovered {} blocks, removed {} leftovers of interrupted writes",
          dirs_.size(), counters_.blocks_recovered, counters_.temp_files_removed);
  return Ok();
}

void BlockStoreState::Index(std::shared_ptr<BlockMeta> meta) {
  DirState& d = dirs_[meta->dir];
  meta->last_access = ++clock_;
  d.lru.push_back(meta.get());
  meta->lru_it = std::prev(d.lru.end());
  d.committed += meta->length;
  ++d.blocks;
  AcquireRange(meta->dir, meta->id, meta->offset, meta->length);
  RecordAdded(meta->id, d.tier);
  blocks_.emplace(meta->id, std::move(meta));
}

void BlockStoreState::Unindex(BlockMeta* meta) {
  DirState& d = dirs_[meta->dir];
  d.lru.erase(meta->lru_it);
  --d.blocks;
  if (meta->pins == 0) {
    d.committed -= meta->length;
    ReleaseRange(meta->dir, meta->id, meta->length);
  } else {
    meta->removed = true;
  }
  RecordRemoved(meta->id);
  blocks_.erase(meta->id);  // may destroy *meta when unpinned
}

void BlockStoreState::UnpinLocked(BlockMeta* meta) {
  if (--meta->pins > 0) return;
  DirState& d = dirs_[meta->dir];
  d.pinned -= meta->length;
  if (meta->removed) {
    d.committed -= meta->length;
    ReleaseRange(meta->dir, meta->id, meta->length);
  }
}

Status BlockStoreState::DropRecord(const BlockMeta& meta) {
  const std::string record = RecordPath(meta.dir, meta.id, meta.offset, meta.length);
  if (::unlink(record.c_str()) != 0 && errno != ENOENT) {
    return Fail(ErrnoError(errno, fmt::format("remove {}", record)));
  }
  return Ok();
}

void BlockStoreState::AcquireRange(int dir, uint64_t block_id, uint64_t offset, uint64_t extent) {
  Range& r = ranges_[RangeKey{dir, block_id}];
  r.extent = std::max(r.extent, extent);
  if (r.users++ > 0) return;
  r.offset = offset;
  ++files_[FileKey{dir, ContainerIdOf(block_id)}];
}

void BlockStoreState::ReleaseRange(int dir, uint64_t block_id, uint64_t extent) {
  auto it = ranges_.find(RangeKey{dir, block_id});
  Range& r = it->second;
  r.extent = std::max(r.extent, extent);
  if (--r.users > 0) return;
  const Range freed = r;
  ranges_.erase(it);
  // TODO(perf): punch and unlink outside the lock.
  const std::string path = FilePath(dir, block_id);
  auto file = files_.find(FileKey{dir, ContainerIdOf(block_id)});
  if (--file->second > 0) {
    PunchRange(path, freed.offset, freed.extent);
    return;
  }
  files_.erase(file);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    ALX_LOG(kWarn, "block_store", "cannot remove {}: {}", path,
            ErrnoError(errno, "unlink").message);
  }
}

std::optional<uint64_t> BlockStoreState::OldestEvictable(int dir) const {
  for (const BlockMeta* m : dirs_[dir].lru) {
    if (m->pins == 0) return m->last_access;
  }
  return std::nullopt;
}

bool BlockStoreState::Evict(BlockMeta* m) {
  if (Status s = DropRecord(*m); !s.ok()) {
    ALX_LOG(kWarn, "block_store", "cannot evict block {}: {}", m->id, s.error().message);
    return false;
  }
  ALX_LOG(kDebug, "block_store", "evicted block {} ({} bytes) from {}", m->id, m->length,
          dirs_[m->dir].path);
  ++counters_.blocks_evicted;
  counters_.bytes_evicted += m->length;
  Unindex(m);
  return true;
}

bool BlockStoreState::EvictFor(int dir, uint64_t bytes) {
  DirState& d = dirs_[dir];
  auto it = d.lru.begin();
  while (d.Available() < bytes && it != d.lru.end()) {
    BlockMeta* m = *it++;
    if (m->pins == 0) (void)Evict(m);
  }
  return d.Available() >= bytes;
}

Result<int> BlockStoreState::PlaceLocked(uint64_t container, uint64_t reservation, int first_tier,
                                         std::string_view what) {
  int chosen = -1;
  // 1. Free space, top tier first; within a tier a directory holding the file's other
  //    blocks, else the one with the most free space.
  for (int t = first_tier; t < static_cast<int>(config_.tiers.size()) && chosen < 0; ++t) {
    std::pair<bool, uint64_t> best{false, 0};
    for (size_t i = 0; i < dirs_.size(); ++i) {
      const DirState& d = dirs_[i];
      if (d.tier != t || d.Available() < reservation) continue;
      const std::pair<bool, uint64_t> rank{files_.contains(FileKey{static_cast<int>(i), container}),
                                           d.Available()};
      if (chosen < 0 || rank > best) {
        chosen = static_cast<int>(i);
        best = rank;
      }
    }
  }
  // 2. Eviction: the directory whose LRU evictable block is the oldest.
  if (chosen < 0) {
    uint64_t oldest = 0;
    for (size_t i = 0; i < dirs_.size(); ++i) {
      const DirState& d = dirs_[i];
      if (d.tier < first_tier || d.Available() + d.Evictable() < reservation) continue;
      std::optional<uint64_t> age = OldestEvictable(static_cast<int>(i));
      if (!age) continue;
      if (chosen < 0 || *age < oldest) {
        chosen = static_cast<int>(i);
        oldest = *age;
      }
    }
    if (chosen >= 0 && !EvictFor(chosen, reservation)) chosen = -1;
  }
  if (chosen < 0) {
    ++counters_.allocation_failures;
    return Fail(ErrorCode::kNoSpace,
                fmt::format("no directory of tier {} or below can hold {} bytes for {}",
                            config_.tiers[first_tier].alias, reservation, what));
  }
  dirs_[chosen].reserved += reservation;
  return chosen;
}

Result<BlockWriter> BlockStoreState::CreateBlock(uint64_t block_id, uint64_t offset,
                                                 uint64_t reservation, int first_tier) {
  if (first_tier < 0 || static_cast<size_t>(first_tier) >= config_.tiers.size()) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("no tier {}", first_tier));
  }
  // Block i of a file lies at i * its block size.
  const uint64_t index = SequenceOf(block_id);
  if (index == 0 ? offset != 0 : offset % index != 0) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("block {} cannot start at byte {} of its file", block_id, offset));
  }
  int chosen = -1;
  {
    std::lock_guard lock(mu_);
    if (blocks_.contains(block_id)) {
      return Fail(ErrorCode::kAlreadyExists, fmt::format("block {}", block_id));
    }
    Result<int> placed = PlaceLocked(ContainerIdOf(block_id), reservation, first_tier,
                                     fmt::format("block {}", block_id));
    if (!placed.ok()) return placed.failure();
    chosen = *placed;
    // Held from here: the cache file is not removed while this writer may write it.
    AcquireRange(chosen, block_id, offset, 0);
  }
  std::string path = FilePath(chosen, block_id);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    Error e = ErrnoError(errno, fmt::format("open {}", path));
    ReleaseWriter(chosen, block_id, reservation, 0);
    return Fail(std::move(e));
  }
  return BlockWriter(shared_from_this(), block_id, offset, chosen, std::move(path), fd,
                     reservation);
}

Result<CacheFileWriter> BlockStoreState::CreateCacheFile(uint64_t container, uint64_t block_size,
                                                         uint64_t reservation, int first_tier) {
  if (first_tier < 0 || static_cast<size_t>(first_tier) >= config_.tiers.size()) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("no tier {}", first_tier));
  }
  if (block_size == 0) return Fail(ErrorCode::kInvalidArgument, "block size must be positive");
  // The writer's range is block 0's: it holds the cache file, and a new file has no block.
  const uint64_t first = MakeBlockId(container, 0);
  int chosen = -1;
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < dirs_.size(); ++i) {
      if (files_.contains(FileKey{static_cast<int>(i), container})) {
        return Fail(ErrorCode::kAlreadyExists,
                    fmt::format("cache file of container {}", container));
      }
    }
    Result<int> placed =
        PlaceLocked(container, reservation, first_tier, fmt::format("container {}", container));
    if (!placed.ok()) return placed.failure();
    chosen = *placed;
    AcquireRange(chosen, first, 0, 0);
  }
  std::string path = FilePath(chosen, first);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    Error e = ErrnoError(errno, fmt::format("open {}", path));
    ReleaseWriter(chosen, first, reservation, 0);
    return Fail(std::move(e));
  }
  return CacheFileWriter(shared_from_this(), container, block_size, chosen, std::move(path), fd,
                         reservation);
}

Result<std::vector<BlockInfo>> BlockStoreState::CommitCacheFile(CacheFileWriter& w,
                                                                uint64_t length) {
  // Caller (CacheFileWriter::Commit) has reserved `length` bytes and synced the file.
  const uint64_t first = MakeBlockId(w.container_, 0);
  const uint64_t count = BlockCount(length, w.block_size_);
  std::vector<BlockInfo> infos;
  {
    std::lock_guard lock(mu_);
    DirState& d = dirs_[w.dir_];
    Status recorded = Ok();
    std::vector<std::string> records;
    for (uint64_t i = 0; i < count && recorded.ok(); ++i) {
      const uint64_t id = MakeBlockId(w.container_, i);
      const uint64_t offset = i * w.block_size_;
      if (blocks_.contains(id)) {
        recorded = Fail(ErrorCode::kAlreadyExists, fmt::format("block {}", id));
        break;
      }
      std::string record = RecordPath(w.dir_, id, offset, std::min(w.block_size_, length - offset));
      int fd = ::open(record.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) {
        recorded = Fail(ErrnoError(errno, fmt::format("create {}", record)));
      } else {
        ::close(fd);
        records.push_back(std::move(record));
      }
    }
    d.reserved -= w.reserved_;
    if (!recorded.ok()) {
      for (const std::string& record : records) ::unlink(record.c_str());
      ++counters_.writes_aborted;
      ReleaseRange(w.dir_, first, length);
      return recorded.failure();
    }
    for (uint64_t i = 0; i < count; ++i) {
      auto meta = std::make_shared<BlockMeta>();
      meta->id = MakeBlockId(w.container_, i);
      meta->offset = i * w.block_size_;
      meta->length = std::min(w.block_size_, length - meta->offset);
      meta->dir = w.dir_;
      meta->path = w.path_;
      infos.push_back(InfoOf(*meta));
      ++counters_.blocks_committed;
      counters_.bytes_committed += meta->length;
      Index(std::move(meta));
    }
    // The writer's use of block 0's range; the index holds the ranges now (bytes past `length`,
    // which the writer's size leaves none of, are not the file's).
    ReleaseRange(w.dir_, first, 0);
  }
  SyncDir(dirs_[w.dir_].path);
  SyncDir(dirs_[w.dir_].records_path);
  return infos;
}

Status BlockStoreState::Grow(int dir, uint64_t bytes) {
  std::lock_guard lock(mu_);
  DirState& d = dirs_[dir];
  if (d.Available() < bytes) {
    if (d.Available() + d.Evictable() < bytes) {
      ++counters_.allocation_failures;
      return Fail(ErrorCode::kNoSpace,
                  fmt::format("{} cannot hold {} more bytes (quota {})", d.path, bytes, d.quota));
    }
    if (!EvictFor(dir, bytes)) {
      ++counters_.allocation_failures;
      return Fail(ErrorCode::kNoSpace, fmt::format("{}: eviction failed", d.path));
    }
  }
  d.reserved += bytes;
  return Ok();
}

void BlockStoreState::ReleaseWriter(int dir, uint64_t block_id, uint64_t reserved,
                                    uint64_t written) {
  std::lock_guard lock(mu_);
  dirs_[dir].reserved -= reserved;
  ++counters_.writes_aborted;
  ReleaseRange(dir, block_id, written);
}

Result<BlockInfo> BlockStoreState::Commit(BlockWriter& w) {
  // Caller (BlockWriter::Commit) has synced and closed the file.
  BlockInfo info;
  {
    std::lock_guard lock(mu_);
    DirState& d = dirs_[w.dir_];
    Status recorded = Ok();
    if (blocks_.contains(w.block_id_)) {
      recorded = Fail(ErrorCode::kAlreadyExists, fmt::format("block {}", w.block_id_));
    } else {
      const std::string record = RecordPath(w.dir_, w.block_id_, w.offset_, w.written_);
      int fd = ::open(record.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) {
        recorded = Fail(ErrnoError(errno, fmt::format("create {}", record)));
      } else {
        ::close(fd);
      }
    }
    d.reserved -= w.reserved_;
    if (!recorded.ok()) {
      ++counters_.writes_aborted;
      ReleaseRange(w.dir_, w.block_id_, w.written_);
      return recorded.failure();
    }
    auto meta = std::make_shared<BlockMeta>();
    meta->id = w.block_id_;
    meta->offset = w.offset_;
    meta->length = w.written_;
    meta->dir = w.dir_;
    meta->path = w.path_;
    info = InfoOf(*meta);
    Index(std::move(meta));
    ReleaseRange(w.dir_, w.block_id_, w.written_);  // the writer's use; the index holds it now
    ++counters_.blocks_committed;
    counters_.bytes_committed += w.written_;
  }
  SyncDir(dirs_[w.dir_].path);  // the cache file's entry, if this writer created it
  SyncDir(dirs_[w.dir_].records_path);
  return info;
}

Result<BlockReader> BlockStoreState::OpenBlock(uint64_t block_id) {
  std::shared_ptr<BlockMeta> meta;
  {
    std::lock_guard lock(mu_);
    auto it = blocks_.find(block_id);
    if (it == blocks_.end()) return Fail(ErrorCode::kNotFound, fmt::format("block {}", block_id));
    meta = it->second;
    if (meta->pins++ == 0) dirs_[meta->dir].pinned += meta->length;
    DirState& d = dirs_[meta->dir];
    d.lru.splice(d.lru.end(), d.lru, meta->lru_it);
    meta->last_access = ++clock_;
  }
  int fd = ::open(meta->path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    Error e = ErrnoError(err, fmt::format("open block {}", meta->path));
    std::lock_guard lock(mu_);
    if (err == ENOENT && !meta->removed) {
      ALX_LOG(kWarn, "block_store", "cache file {} vanished; dropping block {}", meta->path,
              block_id);
      (void)DropRecord(*meta);
      Unindex(meta.get());
    }
    UnpinLocked(meta.get());
    return Fail(std::move(e));
  }
  return BlockReader(shared_from_this(), std::move(meta), fd);
}

Result<PinnedFile> BlockStoreState::OpenFile(std::span<const uint64_t> block_ids) {
  if (block_ids.empty()) return Fail(ErrorCode::kInvalidArgument, "a file of no blocks");
  const uint64_t container = ContainerIdOf(block_ids[0]);
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<BlockMeta>> metas;
  metas.reserve(block_ids.size());
  uint64_t end = 0;
  for (uint64_t id : block_ids) {
    if (ContainerIdOf(id) != container) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("blocks of several files ({})", id));
    }
    auto it = blocks_.find(id);
    if (it == blocks_.end()) return Fail(ErrorCode::kNotFound, fmt::format("block {}", id));
    const BlockMeta& m = *it->second;
    if (!metas.empty() && m.dir != metas[0]->dir) {
      return Fail(ErrorCode::kUnsupported,
                  fmt::format("blocks of file {} are in {} and {}", container,
                              dirs_[metas[0]->dir].path, dirs_[m.dir].path));
    }
    if (m.offset != end) {
      return Fail(ErrorCode::kUnsupported,
                  fmt::format("block {} is at {}, not at {}", id, m.offset, end));
    }
    end += m.length;
    metas.push_back(it->second);
  }
  for (const std::shared_ptr<BlockMeta>& m : metas) {
    DirState& d = dirs_[m->dir];
    if (m->pins++ == 0) d.pinned += m->length;
    d.lru.splice(d.lru.end(), d.lru, m->lru_it);
    m->last_access = ++clock_;
  }
  const int dir = metas[0]->dir;
  std::string path = metas[0]->path;
  return PinnedFile(shared_from_this(), std::move(metas), std::move(path), end, dirs_[dir].tier);
}

void BlockStoreState::Touch(std::span<const uint64_t> block_ids) {
  std::lock_guard lock(mu_);
  for (uint64_t id : block_ids) {
    auto it = blocks_.find(id);
    if (it == blocks_.end()) continue;
    BlockMeta& meta = *it->second;
    DirState& d = dirs_[meta.dir];
    d.lru.splice(d.lru.end(), d.lru, meta.lru_it);
    meta.last_access = ++clock_;
  }
}

Status BlockStoreState::RemoveBlock(uint64_t block_id) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(block_id);
  if (it == blocks_.end()) return Fail(ErrorCode::kNotFound, fmt::format("block {}", block_id));
  BlockMeta* meta = it->second.get();
  if (Status s = DropRecord(*meta); !s.ok()) return s;
  ++counters_.blocks_removed;
  Unindex(meta);
  return Ok();
}

}  // namespace internal

// ---- BlockReader ----

BlockReader::BlockReader(std::shared_ptr<internal::BlockStoreState> store,
                         std::shared_ptr<internal::BlockMeta> meta, int fd)
    : store_(std::move(store)), meta_(std::move(meta)), fd_(fd) {}

BlockReader::BlockReader(BlockReader&& other) noexcept
    : store_(std::move(other.store_)), meta_(std::move(other.meta_)), fd_(other.fd_) {
  other.fd_ = -1;
}

BlockReader& BlockReader::operator=(BlockReader&& other) noexcept {
  if (this != &other) {
    Release();
    store_ = std::move(other.store_);
    meta_ = std::move(other.meta_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

BlockReader::~BlockReader() { Release(); }

void BlockReader::Release() {
  if (!meta_) return;
  ::close(fd_);
  fd_ = -1;
  store_->Unpin(meta_.get());
  meta_.reset();
  store_.reset();
}

uint64_t BlockReader::block_id() const { return meta_->id; }
uint64_t BlockReader::offset() const { return meta_->offset; }
uint64_t BlockReader::length() const { return meta_->length; }
int BlockReader::tier() const { return store_->TierOfDir(meta_->dir); }
const std::string& BlockReader::path() const { return meta_->path; }

Result<size_t> BlockReader::ReadAt(uint64_t offset, std::span<char> buf) const {
  if (offset >= meta_->length) return size_t{0};
  buf = buf.first(std::min<uint64_t>(buf.size(), meta_->length - offset));
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::pread(fd_, buf.data() + done, buf.size() - done,
                        static_cast<off_t>(meta_->offset + offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(ErrnoError(errno, fmt::format("read block {}", meta_->path)));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

// ---- BlockWriter ----

BlockWriter::BlockWriter(std::shared_ptr<internal::BlockStoreState> store, uint64_t block_id,
                         uint64_t offset, int dir, std::string path, int fd, uint64_t reserved)
    : store_(std::move(store)),
      block_id_(block_id),
      offset_(offset),
      dir_(dir),
      path_(std::move(path)),
      fd_(fd),
      reserved_(reserved) {}

BlockWriter::BlockWriter(BlockWriter&& other) noexcept
    : store_(std::move(other.store_)),
      block_id_(other.block_id_),
      offset_(other.offset_),
      dir_(other.dir_),
      path_(std::move(other.path_)),
      fd_(other.fd_),
      reserved_(other.reserved_),
      written_(other.written_),
      failed_(other.failed_) {
  other.fd_ = -1;
}

BlockWriter& BlockWriter::operator=(BlockWriter&& other) noexcept {
  if (this != &other) {
    Abort();
    store_ = std::move(other.store_);
    block_id_ = other.block_id_;
    offset_ = other.offset_;
    dir_ = other.dir_;
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    reserved_ = other.reserved_;
    written_ = other.written_;
    failed_ = other.failed_;
    other.fd_ = -1;
  }
  return *this;
}

BlockWriter::~BlockWriter() { Abort(); }

int BlockWriter::tier() const { return store_->TierOfDir(dir_); }

Status BlockWriter::Append(std::span<const char> data) {
  if (fd_ < 0) return Fail(ErrorCode::kInvalidArgument, "append after commit or abort");
  if (failed_) return Fail(ErrorCode::kIoError, fmt::format("block {} write failed", block_id_));
  uint64_t end = written_ + data.size();
  if (end > reserved_) {
    if (Status s = store_->Grow(dir_, end - reserved_); !s.ok()) return s;
    reserved_ = end;
  }
  if (Status s = PwriteAll(fd_, data, offset_ + written_, path_); !s.ok()) {
    failed_ = true;
    return s;
  }
  written_ = end;
  return Ok();
}

Status BlockWriter::Wrote(uint64_t bytes) {
  if (fd_ < 0) return Fail(ErrorCode::kInvalidArgument, "write after commit or abort");
  if (bytes > reserved_) {
    if (Status s = store_->Grow(dir_, bytes - reserved_); !s.ok()) return s;
    reserved_ = bytes;
  }
  written_ = std::max(written_, bytes);
  return Ok();
}

Result<BlockInfo> BlockWriter::Commit() {
  if (fd_ < 0) return Fail(ErrorCode::kInvalidArgument, "commit after commit or abort");
  if (failed_) {
    Abort();
    return Fail(ErrorCode::kIoError, fmt::format("block {} write failed", block_id_));
  }
  if (::fdatasync(fd_) != 0) {
    Error e = ErrnoError(errno, fmt::format("fdatasync {}", path_));
    Abort();
    return Fail(std::move(e));
  }
  ::close(fd_);
  fd_ = -1;
  return store_->Commit(*this);
}

void BlockWriter::Abort() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  store_->ReleaseWriter(dir_, block_id_, reserved_, written_);
}

// ---- CacheFileWriter ----

CacheFileWriter::CacheFileWriter(std::shared_ptr<internal::BlockStoreState> store,
                                 uint64_t container, uint64_t block_size, int dir, std::string path,
                                 int fd, uint64_t reserved)
    : store_(std::move(store)),
      container_(container),
      block_size_(block_size),
      dir_(dir),
      path_(std::move(path)),
      fd_(fd),
      reserved_(reserved) {}

CacheFileWriter::CacheFileWriter(CacheFileWriter&& other) noexcept
    : store_(std::move(other.store_)),
      container_(other.container_),
      block_size_(other.block_size_),
      dir_(other.dir_),
      path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      reserved_(other.reserved_) {}

CacheFileWriter& CacheFileWriter::operator=(CacheFileWriter&& other) noexcept {
  if (this != &other) {
    Abort();
    store_ = std::move(other.store_);
    container_ = other.container_;
    block_size_ = other.block_size_;
    dir_ = other.dir_;
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    reserved_ = other.reserved_;
  }
  return *this;
}

CacheFileWriter::~CacheFileWriter() { Abort(); }

int CacheFileWriter::tier() const { return store_->TierOfDir(dir_); }

Status CacheFileWriter::Reserve(uint64_t bytes) {
  if (fd_ < 0) return Fail(ErrorCode::kInvalidArgument, "reserve after commit or abort");
  if (bytes <= reserved_) return Ok();
  if (Status s = store_->Grow(dir_, bytes - reserved_); !s.ok()) return s;
  reserved_ = bytes;
  return Ok();
}

Result<std::vector<BlockInfo>> CacheFileWriter::Commit(uint64_t length) {
  if (fd_ < 0) return Fail(ErrorCode::kInvalidArgument, "commit after commit or abort");
  if (Status s = Reserve(length); !s.ok()) return s.failure();
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || static_cast<uint64_t>(st.st_size) != length) {
    Error e{ErrorCode::kIoError, fmt::format("{} does not hold {} bytes", path_, length)};
    Abort();
    return Fail(std::move(e));
  }
  if (::fdatasync(fd_) != 0) {
    Error e = ErrnoError(errno, fmt::format("fdatasync {}", path_));
    Abort();
    return Fail(std::move(e));
  }
  ::close(fd_);
  fd_ = -1;
  return store_->CommitCacheFile(*this, length);
}

void CacheFileWriter::Abort() {
  if (fd_ < 0) return;
  struct stat st {};
  const uint64_t size = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  ::close(fd_);
  fd_ = -1;
  store_->ReleaseWriter(dir_, MakeBlockId(container_, 0), reserved_, size);
}

// ---- PinnedFile ----

PinnedFile::PinnedFile(std::shared_ptr<internal::BlockStoreState> store,
                       std::vector<std::shared_ptr<internal::BlockMeta>> blocks, std::string path,
                       uint64_t length, int tier)
    : store_(std::move(store)),
      blocks_(std::move(blocks)),
      path_(std::move(path)),
      length_(length),
      tier_(tier) {}

PinnedFile& PinnedFile::operator=(PinnedFile&& other) noexcept {
  if (this != &other) {
    Release();
    store_ = std::move(other.store_);
    blocks_ = std::move(other.blocks_);
    path_ = std::move(other.path_);
    length_ = other.length_;
    tier_ = other.tier_;
  }
  return *this;
}

PinnedFile::~PinnedFile() { Release(); }

void PinnedFile::Release() {
  if (!store_) return;
  for (const auto& meta : blocks_) store_->Unpin(meta.get());
  blocks_.clear();
  store_.reset();
}

// ---- BlockStore ----

BlockStore::BlockStore(std::shared_ptr<internal::BlockStoreState> state)
    : state_(std::move(state)) {}

BlockStore::~BlockStore() = default;

Result<std::unique_ptr<BlockStore>> BlockStore::Open(const BlockStoreConfig& config) {
  auto state = std::make_shared<internal::BlockStoreState>(config);
  if (Status s = state->Init(); !s.ok()) return s.failure();
  return std::unique_ptr<BlockStore>(new BlockStore(std::move(state)));
}

Result<BlockWriter> BlockStore::CreateBlock(uint64_t block_id, uint64_t offset,
                                            uint64_t initial_reservation, int first_tier) {
  return state_->CreateBlock(block_id, offset, initial_reservation, first_tier);
}
Result<CacheFileWriter> BlockStore::CreateCacheFile(uint64_t container_id, uint64_t block_size,
                                                    uint64_t initial_reservation, int first_tier) {
  return state_->CreateCacheFile(container_id, block_size, initial_reservation, first_tier);
}
Result<PinnedFile> BlockStore::OpenFile(std::span<const uint64_t> block_ids) {
  return state_->OpenFile(block_ids);
}
Result<BlockReader> BlockStore::OpenBlock(uint64_t block_id) { return state_->OpenBlock(block_id); }

void BlockStore::Touch(std::span<const uint64_t> block_ids) { state_->Touch(block_ids); }
Status BlockStore::RemoveBlock(uint64_t block_id) { return state_->RemoveBlock(block_id); }
bool BlockStore::HasBlock(uint64_t block_id) const { return state_->HasBlock(block_id); }
Result<BlockInfo> BlockStore::GetBlock(uint64_t block_id) const {
  return state_->GetBlock(block_id);
}
std::vector<BlockInfo> BlockStore::ListBlocks() const { return state_->ListBlocks(); }
const BlockStoreConfig& BlockStore::config() const { return state_->config(); }
std::optional<int> BlockStore::TierIndex(std::string_view alias) const {
  const auto& tiers = state_->config().tiers;
  for (size_t i = 0; i < tiers.size(); ++i) {
    if (tiers[i].alias == alias) return static_cast<int>(i);
  }
  return std::nullopt;
}
std::vector<DirUsage> BlockStore::Usage() const { return state_->Usage(); }
uint64_t BlockStore::UsedBytes() const {
  uint64_t used = 0;
  for (const DirUsage& dir : Usage()) used += dir.committed_bytes + dir.reserved_bytes;
  return used;
}
BlockStoreCounters BlockStore::Counters() const { return state_->Counters(); }
BlockChanges BlockStore::TakeChanges() { return state_->TakeChanges(); }

}  // namespace alluxio
