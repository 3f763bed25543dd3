#include "core/worker/block_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// The content of block `id`: a pattern that differs per block and per offset.
std::string BlockData(uint64_t id, size_t length) {
  std::string s(length, '\0');
  for (size_t i = 0; i < length; ++i) s[i] = static_cast<char>((id * 131 + i * 7) % 251);
  return s;
}

std::span<const char> Bytes(const std::string& s) { return {s.data(), s.size()}; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

BlockStoreConfig OneDir(const std::string& path, uint64_t quota) {
  return BlockStoreConfig{{TierConfig{"MEM", {TierDirConfig{path, quota}}}}};
}

std::unique_ptr<BlockStore> OpenStore(const BlockStoreConfig& config) {
  auto store = BlockStore::Open(config);
  EXPECT_TRUE(store.ok()) << store.error().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

// Writes and commits block `id` of `length` bytes.
Result<BlockInfo> Put(BlockStore& store, uint64_t id, size_t length, int first_tier = 0) {
  auto w = store.CreateBlock(id, length, first_tier);
  if (!w.ok()) return w.failure();
  std::string data = BlockData(id, length);
  if (Status s = w->Append(Bytes(data)); !s.ok()) return s.failure();
  return w->Commit();
}

// Reads the whole block through OpenBlock and checks it against BlockData.
void ExpectBlockContent(BlockStore& store, uint64_t id, size_t length) {
  auto r = store.OpenBlock(id);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->length(), length);
  std::string buf(length + 10, 'x');
  auto n = r->ReadAt(0, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, length);
  EXPECT_EQ(buf.substr(0, length), BlockData(id, length));
}

const DirUsage& UsageOf(const std::vector<DirUsage>& usage, const std::string& path) {
  for (const auto& u : usage) {
    if (u.path == path) return u;
  }
  ADD_FAILURE() << "no usage for " << path;
  static DirUsage none;
  return none;
}

TEST(BlockStoreTest, WriteCommitReadBack) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.Sub("mem"), 1 << 20));
  ASSERT_TRUE(store);
  EXPECT_TRUE(fs::is_directory(dir.Sub("mem/.tmp")));

  auto w = store->CreateBlock(42, 0);
  ASSERT_TRUE(w.ok());
  std::string data = BlockData(42, 10000);
  ASSERT_TRUE(w->Append(Bytes(data.substr(0, 3000))).ok());
  ASSERT_TRUE(w->Append(Bytes(data.substr(3000))).ok());
  EXPECT_EQ(w->bytes_written(), 10000u);
  EXPECT_FALSE(store->HasBlock(42));  // not visible before commit
  EXPECT_EQ(store->OpenBlock(42).code(), ErrorCode::kNotFound);
  auto info = w->Commit();
  ASSERT_TRUE(info.ok()) << info.error().ToString();
  EXPECT_EQ(info->block_id, 42u);
  EXPECT_EQ(info->length, 10000u);
  EXPECT_EQ(info->tier, 0);
  EXPECT_EQ(info->tier_alias, "MEM");
  EXPECT_EQ(info->path, dir.Sub("mem/42"));
  EXPECT_EQ(ReadFile(info->path), data);
  EXPECT_TRUE(Entries(dir.Sub("mem/.tmp")).empty());

  EXPECT_TRUE(store->HasBlock(42));
  ExpectBlockContent(*store, 42, 10000);
  auto r = store->OpenBlock(42);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path(), dir.Sub("mem/42"));
  char c = 0;
  ASSERT_EQ(::pread(r->fd(), &c, 1, 5000), 1);
  EXPECT_EQ(c, data[5000]);
  std::string tail(100, '\0');
  EXPECT_EQ(*r->ReadAt(9990, tail), 10u);
  EXPECT_EQ(*r->ReadAt(20000, tail), 0u);

  auto list = store->ListBlocks();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].block_id, 42u);
  auto usage = store->Usage();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0].committed_bytes, 10000u);
  EXPECT_EQ(usage[0].reserved_bytes, 0u);
  EXPECT_EQ(usage[0].blocks, 1u);
  EXPECT_EQ(usage[0].available_bytes(), (1u << 20) - 10000u);
  EXPECT_EQ(store->Counters().blocks_committed, 1u);
  EXPECT_EQ(store->Counters().bytes_committed, 10000u);
  auto changes = store->TakeChanges();
  ASSERT_EQ(changes.added.size(), 1u);
  EXPECT_EQ(changes.added[0], (std::pair<uint64_t, int>(42, 0)));
  EXPECT_TRUE(store->TakeChanges().added.empty());

  // An empty block is a block.
  ASSERT_TRUE(Put(*store, 7, 0).ok());
  ExpectBlockContent(*store, 7, 0);
}

TEST(BlockStoreTest, UnusedReservationIsReturnedOnCommit) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 10000));
  ASSERT_TRUE(store);
  auto w = store->CreateBlock(1, 8000);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(store->Usage()[0].reserved_bytes, 8000u);
  // The reservation is held: another block cannot take it.
  EXPECT_EQ(store->CreateBlock(2, 3000).code(), ErrorCode::kNoSpace);
  ASSERT_TRUE(w->Append(Bytes(BlockData(1, 500))).ok());
  ASSERT_TRUE(w->Commit().ok());
  EXPECT_EQ(store->Usage()[0].reserved_bytes, 0u);
  EXPECT_EQ(store->Usage()[0].committed_bytes, 500u);
  EXPECT_TRUE(Put(*store, 2, 9000).ok());
}

TEST(BlockStoreTest, ExistingIdsAreRefused) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 1 << 20));
  ASSERT_TRUE(store);
  auto first = store->CreateBlock(5, 0);
  auto second = store->CreateBlock(5, 0);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(first->Append(Bytes(BlockData(5, 100))).ok());
  ASSERT_TRUE(second->Append(Bytes(std::string(200, 'z'))).ok());
  ASSERT_TRUE(first->Commit().ok());
  EXPECT_EQ(second->Commit().code(), ErrorCode::kAlreadyExists);
  ExpectBlockContent(*store, 5, 100);  // the first commit won
  EXPECT_EQ(store->CreateBlock(5, 0).code(), ErrorCode::kAlreadyExists);
  EXPECT_TRUE(Entries(dir.Sub(".tmp")).empty());
  EXPECT_EQ(store->Usage()[0].reserved_bytes, 0u);
  EXPECT_EQ(store->Usage()[0].committed_bytes, 100u);
}

TEST(BlockStoreTest, AbortAndDestructionLeaveNothing) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 1 << 20));
  ASSERT_TRUE(store);
  {
    auto w = store->CreateBlock(1, 4096);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->Append(Bytes(BlockData(1, 100))).ok());
    EXPECT_EQ(Entries(dir.Sub(".tmp")).size(), 1u);
    w->Abort();
    w->Abort();  // idempotent
    EXPECT_EQ(w->Append(Bytes(BlockData(1, 1))).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(w->Commit().code(), ErrorCode::kInvalidArgument);
  }
  {
    auto w = store->CreateBlock(2, 4096);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->Append(Bytes(BlockData(2, 100))).ok());
    BlockWriter moved = std::move(w).value();  // the moved-from writer owns nothing
  }
  EXPECT_TRUE(Entries(dir.Sub(".tmp")).empty());
  EXPECT_FALSE(store->HasBlock(1));
  EXPECT_FALSE(store->HasBlock(2));
  EXPECT_EQ(store->Usage()[0].reserved_bytes, 0u);
  EXPECT_EQ(store->Usage()[0].committed_bytes, 0u);
  EXPECT_EQ(store->Counters().writes_aborted, 2u);
}

TEST(BlockStoreTest, MissingBlocks) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 1 << 20));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->OpenBlock(9).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->RemoveBlock(9).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->GetBlock(9).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(store->HasBlock(9));
  EXPECT_EQ(store->CreateBlock(9, 0, 1).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->CreateBlock(9, 0, -1).code(), ErrorCode::kInvalidArgument);
}

TEST(BlockStoreTest, BlockFileDeletedBehindTheStoreIsDropped) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 1 << 20));
  ASSERT_TRUE(store);
  ASSERT_TRUE(Put(*store, 3, 100).ok());
  (void)store->TakeChanges();
  ASSERT_EQ(::unlink(dir.Sub("3").c_str()), 0);
  EXPECT_EQ(store->OpenBlock(3).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(store->HasBlock(3));
  EXPECT_EQ(store->Usage()[0].committed_bytes, 0u);
  EXPECT_EQ(store->TakeChanges().removed, std::vector<uint64_t>{3});
}

TEST(BlockStoreTest, EvictsInLruOrderAndStaysWithinQuota) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 4000));
  ASSERT_TRUE(store);
  for (uint64_t id = 1; id <= 4; ++id) ASSERT_TRUE(Put(*store, id, 1000).ok());
  (void)store->TakeChanges();
  // Reading block 1 makes it the most recently used: LRU order is now 2, 3, 4, 1.
  ExpectBlockContent(*store, 1, 1000);

  ASSERT_TRUE(Put(*store, 5, 1000).ok());
  EXPECT_FALSE(store->HasBlock(2));
  EXPECT_FALSE(fs::exists(dir.Sub("2")));
  EXPECT_TRUE(store->HasBlock(1));
  EXPECT_LE(store->Usage()[0].committed_bytes, 4000u);

  // A block needing two slots evicts the next two LRU blocks (3 and 4).
  ASSERT_TRUE(Put(*store, 6, 1500).ok());
  EXPECT_FALSE(store->HasBlock(3));
  EXPECT_FALSE(store->HasBlock(4));
  EXPECT_TRUE(store->HasBlock(1));
  EXPECT_TRUE(store->HasBlock(5));
  auto u = store->Usage()[0];
  EXPECT_EQ(u.committed_bytes, 3500u);
  EXPECT_EQ(u.blocks, 3u);

  auto c = store->Counters();
  EXPECT_EQ(c.blocks_evicted, 3u);
  EXPECT_EQ(c.bytes_evicted, 3000u);
  auto changes = store->TakeChanges();
  std::set<uint64_t> removed(changes.removed.begin(), changes.removed.end());
  EXPECT_EQ(removed, (std::set<uint64_t>{2, 3, 4}));
  std::set<uint64_t> added;
  for (auto [id, tier] : changes.added) added.insert(id);
  EXPECT_EQ(added, (std::set<uint64_t>{5, 6}));

  // On-disk content matches the index.
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{".lock", ".tmp", "1", "5", "6"}));
}

TEST(BlockStoreTest, TouchedBlocksAreRecentlyUsed) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 3000));
  ASSERT_TRUE(store);
  for (uint64_t id = 1; id <= 3; ++id) ASSERT_TRUE(Put(*store, id, 1000).ok());
  // Reads through the block files by path are reported by id: 1 and 2 become the most recent
  // (unknown ids are ignored), so 3 is evicted first.
  const std::vector<uint64_t> touched = {1, 99, 2};
  store->Touch(touched);
  ASSERT_TRUE(Put(*store, 4, 1000).ok());
  EXPECT_FALSE(store->HasBlock(3));
  EXPECT_TRUE(store->HasBlock(1));
  EXPECT_TRUE(store->HasBlock(2));
}

TEST(BlockStoreTest, AppendGrowsReservationByEvicting) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 3000));
  ASSERT_TRUE(store);
  for (uint64_t id = 1; id <= 3; ++id) ASSERT_TRUE(Put(*store, id, 1000).ok());
  auto w = store->CreateBlock(10, 0);
  ASSERT_TRUE(w.ok());
  std::string data = BlockData(10, 1500);
  ASSERT_TRUE(w->Append(Bytes(data)).ok());
  EXPECT_FALSE(store->HasBlock(1));
  EXPECT_FALSE(store->HasBlock(2));
  EXPECT_TRUE(store->HasBlock(3));
  ASSERT_TRUE(w->Commit().ok());
  ExpectBlockContent(*store, 10, 1500);
}

TEST(BlockStoreTest, AppendBeyondQuotaIsNoSpaceAndWriterStaysUsable) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 1000));
  ASSERT_TRUE(store);
  auto w = store->CreateBlock(1, 0);
  ASSERT_TRUE(w.ok());
  std::string data = BlockData(1, 1500);
  EXPECT_EQ(w->Append(Bytes(data)).code(), ErrorCode::kNoSpace);
  EXPECT_EQ(w->bytes_written(), 0u);
  ASSERT_TRUE(w->Append(Bytes(data.substr(0, 1000))).ok());
  ASSERT_TRUE(w->Commit().ok());
  ExpectBlockContent(*store, 1, 1000);
  EXPECT_EQ(store->Counters().allocation_failures, 1u);
  EXPECT_EQ(store->CreateBlock(2, 1001).code(), ErrorCode::kNoSpace);
}

TEST(BlockStoreTest, PinnedBlocksAreNeverEvicted) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 4000));
  ASSERT_TRUE(store);
  for (uint64_t id = 1; id <= 4; ++id) ASSERT_TRUE(Put(*store, id, 1000).ok());
  std::vector<BlockReader> readers;
  for (uint64_t id = 1; id <= 4; ++id) {
    auto r = store->OpenBlock(id);
    ASSERT_TRUE(r.ok());
    readers.push_back(std::move(r).value());
  }
  EXPECT_EQ(store->CreateBlock(5, 1000).code(), ErrorCode::kNoSpace);
  auto w = store->CreateBlock(5, 0);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->Append(Bytes(BlockData(5, 10))).code(), ErrorCode::kNoSpace);
  w->Abort();
  for (uint64_t id = 1; id <= 4; ++id) EXPECT_TRUE(store->HasBlock(id));

  // Unpinning block 3 (not the LRU one) makes exactly it evictable.
  readers.erase(readers.begin() + 2);
  ASSERT_TRUE(Put(*store, 5, 1000).ok());
  EXPECT_FALSE(store->HasBlock(3));
  for (uint64_t id : {1, 2, 4}) EXPECT_TRUE(store->HasBlock(id));
  // The readers still read their blocks.
  std::string buf(1000, '\0');
  EXPECT_EQ(*readers[0].ReadAt(0, buf), 1000u);
  EXPECT_EQ(buf, BlockData(1, 1000));
}

TEST(BlockStoreTest, BlocksBeingWrittenAreNeverEvicted) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 4000));
  ASSERT_TRUE(store);
  auto writing = store->CreateBlock(1, 0);
  ASSERT_TRUE(writing.ok());
  std::string data = BlockData(1, 3000);
  ASSERT_TRUE(writing->Append(Bytes(data)).ok());
  ASSERT_TRUE(Put(*store, 2, 1000).ok());
  // 2000 bytes can only come from the writer's 3000: refused, the writer keeps its space.
  EXPECT_EQ(store->CreateBlock(3, 2000).code(), ErrorCode::kNoSpace);
  // 1000 bytes come from evicting block 2.
  ASSERT_TRUE(Put(*store, 3, 1000).ok());
  EXPECT_FALSE(store->HasBlock(2));
  ASSERT_TRUE(writing->Commit().ok());
  ExpectBlockContent(*store, 1, 3000);
  ExpectBlockContent(*store, 3, 1000);
}

TEST(BlockStoreTest, RemoveWhileReadKeepsReaderAndSpaceUntilReleased) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 3000));
  ASSERT_TRUE(store);
  ASSERT_TRUE(Put(*store, 1, 1000).ok());
  auto r = store->OpenBlock(1);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(store->RemoveBlock(1).ok());
  EXPECT_FALSE(store->HasBlock(1));
  EXPECT_FALSE(fs::exists(dir.Sub("1")));
  EXPECT_EQ(store->RemoveBlock(1).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->Usage()[0].committed_bytes, 1000u);  // the open fd still holds the data
  EXPECT_EQ(store->Usage()[0].blocks, 0u);
  // The id can be written again meanwhile; the old reader keeps the old content.
  auto w = store->CreateBlock(1, 0);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->Append(Bytes(std::string(500, 'n'))).ok());
  ASSERT_TRUE(w->Commit().ok());
  std::string buf(1000, '\0');
  EXPECT_EQ(*r->ReadAt(0, buf), 1000u);
  EXPECT_EQ(buf, BlockData(1, 1000));
  EXPECT_EQ(store->Usage()[0].committed_bytes, 1500u);
  r = Fail(ErrorCode::kCancelled);  // drops the reader
  EXPECT_EQ(store->Usage()[0].committed_bytes, 500u);
  EXPECT_EQ(store->Counters().blocks_removed, 1u);
}

TEST(BlockStoreTest, ReopenKeepsCommittedBlocksAndDropsTempFiles) {
  TempDir dir;
  BlockStoreConfig config = OneDir(dir.Sub("mem"), 10000);
  {
    auto store = OpenStore(config);
    ASSERT_TRUE(store);
    ASSERT_TRUE(Put(*store, 1, 1000).ok());
    ASSERT_TRUE(Put(*store, 2, 2000).ok());
    ASSERT_TRUE(Put(*store, 3, 3000).ok());
    // A second store on the same directory is refused while the first holds it.
    EXPECT_EQ(BlockStore::Open(config).code(), ErrorCode::kBusy);
    auto w = store->CreateBlock(4, 0);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->Append(Bytes(BlockData(4, 100))).ok());
    // Simulated crash: the temp file stays behind (as if the process died), then the store goes.
    ASSERT_EQ(::link((dir.Sub("mem/.tmp/") + Entries(dir.Sub("mem/.tmp"))[0]).c_str(),
                     dir.Sub("mem/.tmp/4.999").c_str()),
              0);
  }
  // Foreign files are left alone and not accounted.
  { std::ofstream(dir.Sub("mem/notes.txt")) << "not a block"; }
  { std::ofstream(dir.Sub("mem/0007")) << "not canonical"; }
  // The last run's LRU order is taken from the mtimes: 3 oldest, then 1, then 2.
  for (auto [id, sec] : {std::pair<int, time_t>{3, 1000}, {1, 2000}, {2, 3000}}) {
    struct timespec t[2] = {{0, UTIME_OMIT}, {sec, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, dir.Sub("mem/" + std::to_string(id)).c_str(), t, 0), 0);
  }

  auto store = OpenStore(config);
  ASSERT_TRUE(store);
  EXPECT_TRUE(Entries(dir.Sub("mem/.tmp")).empty());
  auto c = store->Counters();
  EXPECT_EQ(c.blocks_recovered, 3u);
  EXPECT_EQ(c.temp_files_removed, 1u);
  EXPECT_FALSE(store->HasBlock(4));
  EXPECT_FALSE(store->HasBlock(7));
  EXPECT_TRUE(fs::exists(dir.Sub("mem/notes.txt")));
  EXPECT_TRUE(fs::exists(dir.Sub("mem/0007")));
  EXPECT_EQ(store->Usage()[0].committed_bytes, 6000u);
  EXPECT_EQ(store->ListBlocks().size(), 3u);
  EXPECT_TRUE(store->TakeChanges().added.empty());  // registration reports recovered blocks
  // 5000 bytes with 4000 free: the LRU block (3) goes.
  ASSERT_TRUE(Put(*store, 5, 5000).ok());
  EXPECT_FALSE(store->HasBlock(3));
  ExpectBlockContent(*store, 1, 1000);
  ExpectBlockContent(*store, 2, 2000);
  ExpectBlockContent(*store, 5, 5000);
}

TEST(BlockStoreTest, ReopenWithSmallerQuotaEvictsOldest) {
  TempDir dir;
  {
    auto store = OpenStore(OneDir(dir.path(), 10000));
    ASSERT_TRUE(store);
    for (uint64_t id = 1; id <= 4; ++id) ASSERT_TRUE(Put(*store, id, 1000).ok());
  }
  for (uint64_t id = 1; id <= 4; ++id) {
    struct timespec t[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(1000 * id), 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, dir.Sub(std::to_string(id)).c_str(), t, 0), 0);
  }
  auto store = OpenStore(OneDir(dir.path(), 2500));
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->HasBlock(1));
  EXPECT_FALSE(store->HasBlock(2));
  EXPECT_TRUE(store->HasBlock(3));
  EXPECT_TRUE(store->HasBlock(4));
  EXPECT_EQ(store->Usage()[0].committed_bytes, 2000u);
  EXPECT_FALSE(fs::exists(dir.Sub("1")));
}

TEST(BlockStoreTest, ReadersOutliveTheStoreObject) {
  TempDir dir;
  BlockStoreConfig config = OneDir(dir.path(), 10000);
  auto store = OpenStore(config);
  ASSERT_TRUE(store);
  ASSERT_TRUE(Put(*store, 1, 1000).ok());
  auto r = store->OpenBlock(1);
  ASSERT_TRUE(r.ok());
  store.reset();
  std::string buf(1000, '\0');
  EXPECT_EQ(*r->ReadAt(0, buf), 1000u);
  EXPECT_EQ(buf, BlockData(1, 1000));
  // The directory stays locked while the reader keeps the store's state alive.
  EXPECT_EQ(BlockStore::Open(config).code(), ErrorCode::kBusy);
  r = Fail(ErrorCode::kCancelled);
  store = OpenStore(config);
  ASSERT_TRUE(store);
  ExpectBlockContent(*store, 1, 1000);
}

TEST(BlockStoreTest, RecoveryKeepsTheHigherTierCopyOfADuplicate) {
  TempDir dir;
  BlockStoreConfig config{{TierConfig{"MEM", {TierDirConfig{dir.Sub("mem"), 10000}}},
                           TierConfig{"SSD", {TierDirConfig{dir.Sub("ssd"), 10000}}}}};
  {
    auto store = OpenStore(config);
    ASSERT_TRUE(store);
    ASSERT_TRUE(Put(*store, 1, 1000, 0).ok());
    ASSERT_TRUE(Put(*store, 2, 500, 1).ok());
    ASSERT_TRUE(Put(*store, 3, 700, 0).ok());
  }
  // Stale SSD copies of MEM blocks: block 1's is older than the MEM copy (indexed first, then
  // replaced), block 3's is newer (indexed after the MEM copy, then dropped).
  { std::ofstream(dir.Sub("ssd/3")) << "stale"; }
  { std::ofstream(dir.Sub("ssd/1")) << "stale"; }
  struct timespec old_time[2] = {{0, UTIME_OMIT}, {1000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, dir.Sub("ssd/1").c_str(), old_time, 0), 0);
  auto store = OpenStore(config);
  ASSERT_TRUE(store);
  auto info = store->GetBlock(1);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->tier, 0);
  ExpectBlockContent(*store, 1, 1000);
  EXPECT_EQ(store->GetBlock(3)->tier, 0);
  ExpectBlockContent(*store, 3, 700);
  EXPECT_FALSE(fs::exists(dir.Sub("ssd/1")));
  EXPECT_FALSE(fs::exists(dir.Sub("ssd/3")));
  EXPECT_EQ(store->Counters().blocks_recovered, 3u);
  EXPECT_EQ(UsageOf(store->Usage(), dir.Sub("ssd")).committed_bytes, 500u);
  EXPECT_EQ(UsageOf(store->Usage(), dir.Sub("ssd")).blocks, 1u);
  EXPECT_EQ(UsageOf(store->Usage(), dir.Sub("mem")).committed_bytes, 1700u);
}

TEST(BlockStoreTest, MultiTierPlacementAndEviction) {
  TempDir shm("/dev/shm");
  TempDir disk;
  BlockStoreConfig config{{TierConfig{"MEM", {TierDirConfig{shm.Sub("mem"), 2000}}},
                           TierConfig{"SSD", {TierDirConfig{disk.Sub("ssd"), 4000}}}}};
  auto store = OpenStore(config);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->TierIndex("SSD"), 1);
  EXPECT_EQ(store->TierIndex("HDD"), std::nullopt);

  // Free space first, top tier first.
  EXPECT_EQ(Put(*store, 1, 1000)->tier_alias, "MEM");
  EXPECT_EQ(Put(*store, 2, 1000)->tier_alias, "MEM");
  auto third = Put(*store, 3, 1000);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->tier, 1);
  EXPECT_EQ(third->path, disk.Sub("ssd/3"));
  for (uint64_t id = 4; id <= 6; ++id) EXPECT_EQ(Put(*store, id, 1000)->tier, 1);

  // Everything is full: the block goes where the oldest evictable block is (block 1, MEM).
  EXPECT_EQ(Put(*store, 7, 1000)->tier, 0);
  EXPECT_FALSE(store->HasBlock(1));
  EXPECT_EQ(store->Counters().blocks_evicted, 1u);

  // MEM full of pinned blocks: the next block overflows to SSD, evicting SSD's LRU (block 3).
  auto pin2 = store->OpenBlock(2);
  auto pin7 = store->OpenBlock(7);
  ASSERT_TRUE(pin2.ok() && pin7.ok());
  EXPECT_EQ(Put(*store, 8, 1000)->tier, 1);
  EXPECT_FALSE(store->HasBlock(3));
  EXPECT_TRUE(store->HasBlock(2));
  EXPECT_TRUE(store->HasBlock(7));

  // first_tier = 1 never uses MEM.
  (void)store->RemoveBlock(2);
  pin2 = Fail(ErrorCode::kCancelled);
  EXPECT_GE(store->Usage()[0].available_bytes(), 1000u);
  EXPECT_EQ(Put(*store, 9, 1000, 1)->tier, 1);
  EXPECT_EQ(store->GetBlock(9)->tier, 1);

  // Per-dir invariants.
  for (const DirUsage& u : store->Usage()) {
    EXPECT_LE(u.committed_bytes + u.reserved_bytes, u.capacity_bytes) << u.path;
  }
  EXPECT_EQ(UsageOf(store->Usage(), shm.Sub("mem")).tier_alias, "MEM");
}

TEST(BlockStoreTest, TierWithSeveralDirsUsesTheOneWithMostFreeSpace) {
  TempDir dir;
  BlockStoreConfig config{
      {TierConfig{"SSD", {TierDirConfig{dir.Sub("a"), 3000}, TierDirConfig{dir.Sub("b"), 2000}}}}};
  auto store = OpenStore(config);
  ASSERT_TRUE(store);
  EXPECT_EQ(Put(*store, 1, 1000)->path, dir.Sub("a/1"));  // free: a 3000, b 2000
  EXPECT_EQ(Put(*store, 2, 1000)->path, dir.Sub("a/2"));  // a 2000, b 2000: first wins ties
  EXPECT_EQ(Put(*store, 3, 1500)->path, dir.Sub("b/3"));  // a 1000, b 2000
  EXPECT_EQ(Put(*store, 4, 1000)->path, dir.Sub("a/4"));  // a 1000, b 500: only a fits
  // Both full: the oldest evictable block store-wide (1, in a) decides.
  EXPECT_EQ(Put(*store, 5, 1000)->path, dir.Sub("a/5"));
  EXPECT_FALSE(store->HasBlock(1));
  // 2500 bytes: b can free at most 2000, so a evicts 2, 4 and 5 (LRU order) to make room.
  EXPECT_EQ(Put(*store, 6, 2500)->path, dir.Sub("a/6"));
  for (uint64_t id : {2, 4, 5}) EXPECT_FALSE(store->HasBlock(id));
  EXPECT_TRUE(store->HasBlock(3));
  EXPECT_EQ(store->CreateBlock(7, 3001).code(), ErrorCode::kNoSpace);
}

// Several threads write, read, remove and evict blocks at once. Every successful read returns
// the block's exact content; the accounting matches the files at the end. Each directory holds
// 8 blocks and at most 4 are pinned and 4 reserved at once, so kNoSpace cannot happen.
TEST(BlockStoreTest, ConcurrentReadersAndWriters) {
  TempDir shm("/dev/shm");
  TempDir disk;
  constexpr size_t kBlock = 4096;
  BlockStoreConfig config{{TierConfig{"MEM", {TierDirConfig{shm.Sub("mem"), 8 * kBlock}}},
                           TierConfig{"SSD",
                                      {TierDirConfig{disk.Sub("s1"), 8 * kBlock},
                                       TierDirConfig{disk.Sub("s2"), 8 * kBlock}}}}};
  auto store = OpenStore(config);
  ASSERT_TRUE(store);
  constexpr int kThreads = 4;
  constexpr int kOps = 300;
  std::atomic<int> unexpected{0};
  std::atomic<int> reads_ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      uint64_t seed = static_cast<uint64_t>(t) * 7919 + 1;
      auto next = [&seed] {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        return seed >> 33;
      };
      for (int i = 0; i < kOps; ++i) {
        uint64_t own = static_cast<uint64_t>(t) * 100000 + static_cast<uint64_t>(i);
        size_t length = 1 + next() % kBlock;
        // Write in two appends, reserving half up front.
        auto w = store->CreateBlock(own, length / 2);
        if (!w.ok()) {
          ++unexpected;
          continue;
        }
        std::string data = BlockData(own, length);
        if (!w->Append(Bytes(data.substr(0, length / 3))).ok() ||
            !w->Append(Bytes(data.substr(length / 3))).ok() || !w->Commit().ok()) {
          ++unexpected;
          continue;
        }
        // Read a recent block of any thread (it may have been evicted or removed: kNotFound).
        uint64_t other_thread = next() % kThreads;
        uint64_t other = other_thread * 100000 + (i > 3 ? i - next() % 4 : i);
        auto r = store->OpenBlock(other);
        if (r.ok()) {
          std::string buf(r->length(), '\0');
          auto n = r->ReadAt(0, buf);
          if (!n.ok() || *n != r->length() || buf != BlockData(other, r->length())) ++unexpected;
          ++reads_ok;
        } else if (r.code() != ErrorCode::kNotFound) {
          ++unexpected;
        }
        if (next() % 5 == 0) {
          Status s = store->RemoveBlock(own - (i > 0 ? 1 : 0));
          if (!s.ok() && s.code() != ErrorCode::kNotFound) ++unexpected;
        }
        (void)store->HasBlock(other);
        (void)store->Usage();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_GT(reads_ok.load(), 0);
  EXPECT_GT(store->Counters().blocks_evicted, 0u);

  std::map<std::string, uint64_t> bytes_per_dir;
  for (const BlockInfo& b : store->ListBlocks()) {
    std::error_code ec;
    EXPECT_EQ(fs::file_size(b.path, ec), b.length) << b.path;
    bytes_per_dir[b.path.substr(0, b.path.rfind('/'))] += b.length;
  }
  for (const DirUsage& u : store->Usage()) {
    EXPECT_EQ(u.reserved_bytes, 0u) << u.path;
    EXPECT_LE(u.committed_bytes, u.capacity_bytes) << u.path;
    EXPECT_EQ(u.committed_bytes, bytes_per_dir[u.path]) << u.path;
    EXPECT_TRUE(Entries(u.path + "/.tmp").empty()) << u.path;
  }
}

}  // namespace
}  // namespace alluxio
