#include "core/worker/block_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <list>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "core/common/logging.h"
#include "core/common/write_all.h"

namespace alluxio {
namespace internal {

struct BlockMeta {
  uint64_t id = 0;
  uint64_t length = 0;
  int dir = 0;
  std::string path;
  int pins = 0;          // live BlockReaders
  bool removed = false;  // RemoveBlock'd while pinned: space released at the last unpin
  uint64_t last_access = 0;
  std::list<BlockMeta*>::iterator lru_it;  // valid while indexed (not removed)
};

namespace {

struct DirState {
  int tier = 0;
  std::string path;
  std::string tmp_path;
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

// The block id named by a committed block file, or nullopt for any other name.
std::optional<uint64_t> ParseBlockFileName(std::string_view name) {
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  if (ec != std::errc() || end != name.data() + name.size()) return std::nullopt;
  if (fmt::format("{}", id) != name) return std::nullopt;  // canonical form only ("07" is not 7)
  return id;
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

  Result<BlockWriter> CreateBlock(uint64_t block_id, uint64_t reservation, int first_tier);
  Status Grow(int dir, uint64_t bytes);
  Result<BlockInfo> Commit(BlockWriter& writer);
  void ReleaseReservation(int dir, uint64_t bytes);

  Result<BlockReader> OpenBlock(uint64_t block_id);
  void Touch(std::span<const uint64_t> block_ids);
  void Unpin(BlockMeta* meta);
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
  BlockInfo InfoOf(const BlockMeta& m) const {
    int tier = dirs_[m.dir].tier;
    return BlockInfo{m.id, m.length, tier, config_.tiers[tier].alias, m.path};
  }
  std::string BlockPath(int dir, uint64_t block_id) const {
    return fmt::format("{}/{}", dirs_[dir].path, block_id);
  }

  // All below: mu_ held.
  void Index(std::shared_ptr<BlockMeta> meta);
  // Drops an unpinned or pinned block from the index (the file is not touched). Unpinned: its
  // space is released now; pinned: at the last Unpin.
  void Unindex(BlockMeta* meta);
  // Evicts LRU unpinned blocks of `dir` until `bytes` are available; false if it could not
  // (an unlink failed, or Available() + Evictable() < bytes).
  bool EvictFor(int dir, uint64_t bytes);
  // Unlinks an unpinned block and unindexes it; false (logged) if the unlink fails.
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
  uint64_t clock_ = 0;     // LRU ticks
  uint64_t temp_seq_ = 0;  // temp file names
  BlockStoreCounters counters_;
  std::unordered_map<uint64_t, int> added_;
  std::unordered_set<uint64_t> removed_;
};

Status BlockStoreState::Init() {
  if (Status s = ValidateBlockStoreConfig(config_); !s.ok()) return s;
  for (size_t t = 0; t < config_.tiers.size(); ++t) {
    for (const TierDirConfig& dc : config_.tiers[t].dirs) {
      DirState d;
      d.tier = static_cast<int>(t);
      d.path = dc.path;
      while (d.path.size() > 1 && d.path.back() == '/') d.path.pop_back();
      d.tmp_path = d.path + "/.tmp";
      d.quota = dc.quota_bytes;
      dirs_.push_back(std::move(d));
    }
  }

  struct Found {
    uint64_t id;
    int dir;
    uint64_t length;
    int64_t mtime_ns;
  };
  std::vector<Found> found;
  for (size_t i = 0; i < dirs_.size(); ++i) {
    DirState& d = dirs_[i];
    if (Status s = MakeDirs(d.tmp_path); !s.ok()) return s;
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

    // Leftovers of interrupted writes.
    if (DIR* tmp = ::opendir(d.tmp_path.c_str())) {
      while (struct dirent* ent = ::readdir(tmp)) {
        std::string_view name = ent->d_name;
        if (name == "." || name == "..") continue;
        std::string p = fmt::format("{}/{}", d.tmp_path, name);
        if (::unlink(p.c_str()) == 0) {
          ++counters_.temp_files_removed;
        } else {
          ALX_LOG(kWarn, "block_store", "cannot remove {}: {}", p,
                  ErrnoError(errno, "unlink").message);
        }
      }
      ::closedir(tmp);
    } else {
      return Fail(ErrnoError(errno, fmt::format("opendir {}", d.tmp_path)));
    }

    DIR* dir = ::opendir(d.path.c_str());
    if (dir == nullptr) return Fail(ErrnoError(errno, fmt::format("opendir {}", d.path)));
    while (struct dirent* ent = ::readdir(dir)) {
      std::optional<uint64_t> id = ParseBlockFileName(ent->d_name);
      if (!id) continue;  // ".", "..", ".tmp", ".lock", foreign files
      struct stat st;
      if (::fstatat(::dirfd(dir), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
          !S_ISREG(st.st_mode)) {
        continue;
      }
      found.push_back(
          Found{*id, static_cast<int>(i), static_cast<uint64_t>(st.st_size),
                static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec});
    }
    ::closedir(dir);
  }

  // Oldest first, so that the LRU order continues from the last run's commit order.
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return std::tie(a.mtime_ns, a.dir, a.id) < std::tie(b.mtime_ns, b.dir, b.id);
  });
  std::lock_guard lock(mu_);
  for (const Found& f : found) {
    if (auto it = blocks_.find(f.id); it != blocks_.end()) {
      // The same block in two directories (configuration changed, or a crash between two
      // stores): keep the copy in the higher tier.
      int kept_dir = it->second->dir;
      bool replace = f.dir < kept_dir;
      std::string drop = replace ? it->second->path : BlockPath(f.dir, f.id);
      ALX_LOG(kWarn, "block_store", "block {} found twice; removing {}", f.id, drop);
      if (replace) {
        dirs_[kept_dir].committed -= it->second->length;
        --dirs_[kept_dir].blocks;
        dirs_[kept_dir].lru.erase(it->second->lru_it);
        blocks_.erase(it);
        --counters_.blocks_recovered;
      }
      ::unlink(drop.c_str());
      if (!replace) continue;
    }
    auto meta = std::make_shared<BlockMeta>();
    meta->id = f.id;
    meta->length = f.length;
    meta->dir = f.dir;
    meta->path = BlockPath(f.dir, f.id);
    Index(std::move(meta));
    ++counters_.blocks_recovered;
  }
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
  ALX_LOG(kInfo, "block_store", "opened {} directories, recovered {} blocks, removed {} temp files",
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
  RecordAdded(meta->id, d.tier);
  blocks_.emplace(meta->id, std::move(meta));
}

void BlockStoreState::Unindex(BlockMeta* meta) {
  DirState& d = dirs_[meta->dir];
  d.lru.erase(meta->lru_it);
  --d.blocks;
  if (meta->pins == 0) {
    d.committed -= meta->length;
  } else {
    meta->removed = true;
  }
  RecordRemoved(meta->id);
  blocks_.erase(meta->id);  // may destroy *meta when unpinned
}

std::optional<uint64_t> BlockStoreState::OldestEvictable(int dir) const {
  for (const BlockMeta* m : dirs_[dir].lru) {
    if (m->pins == 0) return m->last_access;
  }
  return std::nullopt;
}

bool BlockStoreState::Evict(BlockMeta* m) {
  const DirState& d = dirs_[m->dir];
  // TODO(perf): unlink outside the lock (a rename to .tmp first would keep the id reusable).
  if (::unlink(m->path.c_str()) != 0 && errno != ENOENT) {
    ALX_LOG(kWarn, "block_store", "cannot evict {}: {}", m->path,
            ErrnoError(errno, "unlink").message);
    return false;
  }
  ALX_LOG(kDebug, "block_store", "evicted block {} ({} bytes) from {}", m->id, m->length, d.path);
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

Result<BlockWriter> BlockStoreState::CreateBlock(uint64_t block_id, uint64_t reservation,
                                                 int first_tier) {
  if (first_tier < 0 || static_cast<size_t>(first_tier) >= config_.tiers.size()) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("no tier {}", first_tier));
  }
  int chosen = -1;
  std::string temp;
  {
    std::lock_guard lock(mu_);
    if (blocks_.contains(block_id)) {
      return Fail(ErrorCode::kAlreadyExists, fmt::format("block {}", block_id));
    }
    // 1. Free space, top tier first; within a tier the directory with the most free space.
    for (int t = first_tier; t < static_cast<int>(config_.tiers.size()) && chosen < 0; ++t) {
      uint64_t best = 0;
      for (size_t i = 0; i < dirs_.size(); ++i) {
        const DirState& d = dirs_[i];
        if (d.tier != t || d.Available() < reservation) continue;
        if (chosen < 0 || d.Available() > best) {
          chosen = static_cast<int>(i);
          best = d.Available();
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
                  fmt::format("no directory of tier {} or below can hold {} bytes for block {}",
                              config_.tiers[first_tier].alias, reservation, block_id));
    }
    dirs_[chosen].reserved += reservation;
    temp = fmt::format("{}/{}.{}", dirs_[chosen].tmp_path, block_id, ++temp_seq_);
  }
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    Error e = ErrnoError(errno, fmt::format("create {}", temp));
    ReleaseReservation(chosen, reservation);
    return Fail(std::move(e));
  }
  return BlockWriter(shared_from_this(), block_id, chosen, std::move(temp), fd, reservation);
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

void BlockStoreState::ReleaseReservation(int dir, uint64_t bytes) {
  std::lock_guard lock(mu_);
  dirs_[dir].reserved -= bytes;
  ++counters_.writes_aborted;
}

Result<BlockInfo> BlockStoreState::Commit(BlockWriter& w) {
  // Caller (BlockWriter::Commit) has fsynced and closed the file.
  std::string final_path = BlockPath(w.dir_, w.block_id_);
  BlockInfo info;
  {
    std::lock_guard lock(mu_);
    DirState& d = dirs_[w.dir_];
    if (blocks_.contains(w.block_id_)) {
      d.reserved -= w.reserved_;
      ++counters_.writes_aborted;
      ::unlink(w.temp_path_.c_str());
      return Fail(ErrorCode::kAlreadyExists, fmt::format("block {}", w.block_id_));
    }
    if (::rename(w.temp_path_.c_str(), final_path.c_str()) != 0) {
      Error e = ErrnoError(errno, fmt::format("rename {} to {}", w.temp_path_, final_path));
      d.reserved -= w.reserved_;
      ++counters_.writes_aborted;
      ::unlink(w.temp_path_.c_str());
      return Fail(std::move(e));
    }
    d.reserved -= w.reserved_;
    auto meta = std::make_shared<BlockMeta>();
    meta->id = w.block_id_;
    meta->length = w.written_;
    meta->dir = w.dir_;
    meta->path = final_path;
    info = InfoOf(*meta);
    Index(std::move(meta));
    ++counters_.blocks_committed;
    counters_.bytes_committed += w.written_;
  }
  SyncDir(dirs_[w.dir_].path);
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
      ALX_LOG(kWarn, "block_store", "block file {} vanished; dropping block {}", meta->path,
              block_id);
      Unindex(meta.get());
    }
    // Unpin without re-locking.
    if (--meta->pins == 0) {
      DirState& d = dirs_[meta->dir];
      d.pinned -= meta->length;
      if (meta->removed) d.committed -= meta->length;
    }
    return Fail(std::move(e));
  }
  return BlockReader(shared_from_this(), std::move(meta), fd);
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

void BlockStoreState::Unpin(BlockMeta* meta) {
  std::lock_guard lock(mu_);
  if (--meta->pins == 0) {
    DirState& d = dirs_[meta->dir];
    d.pinned -= meta->length;
    if (meta->removed) d.committed -= meta->length;
  }
}

Status BlockStoreState::RemoveBlock(uint64_t block_id) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(block_id);
  if (it == blocks_.end()) return Fail(ErrorCode::kNotFound, fmt::format("block {}", block_id));
  BlockMeta* meta = it->second.get();
  if (::unlink(meta->path.c_str()) != 0 && errno != ENOENT) {
    return Fail(ErrnoError(errno, fmt::format("remove block {}", meta->path)));
  }
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
uint64_t BlockReader::length() const { return meta_->length; }
int BlockReader::tier() const { return store_->TierOfDir(meta_->dir); }
const std::string& BlockReader::path() const { return meta_->path; }

Result<size_t> BlockReader::ReadAt(uint64_t offset, std::span<char> buf) const {
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n =
        ::pread(fd_, buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
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
                         int dir, std::string temp_path, int fd, uint64_t reserved)
    : store_(std::move(store)),
      block_id_(block_id),
      dir_(dir),
      temp_path_(std::move(temp_path)),
      fd_(fd),
      reserved_(reserved) {}

BlockWriter::BlockWriter(BlockWriter&& other) noexcept
    : store_(std::move(other.store_)),
      block_id_(other.block_id_),
      dir_(other.dir_),
      temp_path_(std::move(other.temp_path_)),
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
    dir_ = other.dir_;
    temp_path_ = std::move(other.temp_path_);
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
  if (Status s = PwriteAll(fd_, data, written_, temp_path_); !s.ok()) {
    failed_ = true;
    return s;
  }
  written_ = end;
  return Ok();
}

Result<BlockInfo> BlockWriter::Commit() {
  if (fd_ < 0) return Fail(ErrorCode::kInvalidArgument, "commit after commit or abort");
  if (failed_) {
    Abort();
    return Fail(ErrorCode::kIoError, fmt::format("block {} write failed", block_id_));
  }
  if (::fsync(fd_) != 0) {
    Error e = ErrnoError(errno, fmt::format("fsync {}", temp_path_));
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
  if (::unlink(temp_path_.c_str()) != 0) {
    ALX_LOG(kWarn, "block_store", "cannot remove {}: {}", temp_path_,
            ErrnoError(errno, "unlink").message);
  }
  store_->ReleaseReservation(dir_, reserved_);
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

Result<BlockWriter> BlockStore::CreateBlock(uint64_t block_id, uint64_t initial_reservation,
                                            int first_tier) {
  return state_->CreateBlock(block_id, initial_reservation, first_tier);
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
