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

#include "core/common/block_id.h"
#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// The id of the one block of test file `n` (block 0 of container n: its cache file is <dir>/<n>).
constexpr uint64_t Id(uint64_t n) { return MakeBlockId(n, 0); }

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

// The record of committed block `id` in store directory `dir`, or "" when there is none.
std::string RecordOf(const std::string& dir, uint64_t id) {
  const std::string prefix = std::to_string(id) + ".";
  for (const std::string& name : Entries(dir + "/.blocks")) {
    if (name.starts_with(prefix)) return dir + "/.blocks/" + name;
  }
  return "";
}

void SetMtime(const std::string& path, time_t sec) {
  struct timespec t[2] = {{0, UTIME_OMIT}, {sec, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), t, 0), 0) << path;
}

BlockStoreConfig OneDir(const std::string& path, uint64_t quota) {
  return BlockStoreConfig{{TierConfig{"MEM", {TierDirConfig{path, quota}}}}};
}

std::unique_ptr<BlockStore> OpenStore(const BlockStoreConfig& config) {
  auto store = BlockStore::Open(config);
  EXPECT_TRUE(store.ok()) << store.error().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

// Writes and commits the block of test file `id`, `length` bytes.
Result<BlockInfo> Put(BlockStore& store, uint64_t id, size_t length, int first_tier = 0) {
  auto w = store.CreateBlock(Id(id), 0, length, first_tier);
  if (!w.ok()) return w.failure();
  std::string data = BlockData(id, length);
  if (Status s = w->Append(Bytes(data)); !s.ok()) return s.failure();
  return w->Commit();
}

// Reads the whole block of test file `id` through OpenBlock and checks it against BlockData.
void ExpectBlockContent(BlockStore& store, uint64_t id, size_t length) {
  auto r = store.OpenBlock(Id(id));
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
  EXPECT_TRUE(fs::is_directory(dir.Sub("mem/.blocks")));

  auto w = store->CreateBlock(Id(42), 0, 0);
  ASSERT_TRUE(w.ok());
  std::string data = BlockData(42, 10000);
  ASSERT_TRUE(w->Append(Bytes(data.substr(0, 3000))).ok());
  ASSERT_TRUE(w->Append(Bytes(data.substr(3000))).ok());
  EXPECT_EQ(w->bytes_written(), 10000u);
  EXPECT_FALSE(store->HasBlock(Id(42)));  // not visible before commit
  EXPECT_EQ(store->OpenBlock(Id(42)).code(), ErrorCode::kNotFound);
  auto info = w->Commit();
  ASSERT_TRUE(info.ok()) << info.error().ToString();
  EXPECT_EQ(info->block_id, Id(42));
  EXPECT_EQ(info->length, 10000u);
  EXPECT_EQ(info->tier, 0);
  EXPECT_EQ(info->tier_alias, "MEM");
  EXPECT_EQ(info->path, dir.Sub("mem/42"));
  EXPECT_EQ(info->offset, 0u);
  EXPECT_EQ(ReadFile(info->path), data);
  // The durable record of the commit.
  EXPECT_EQ(Entries(dir.Sub("mem/.blocks")),
            std::vector<std::string>{std::to_string(Id(42)) + ".0.10000"});

  EXPECT_TRUE(store->HasBlock(Id(42)));
  ExpectBlockContent(*store, 42, 10000);
  auto r = store->OpenBlock(Id(42));
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
  EXPECT_EQ(list[0].block_id, Id(42));
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
  EXPECT_EQ(changes.added[0], (std::pair<uint64_t, int>(Id(42), 0)));
  EXPECT_TRUE(store->TakeChanges().added.empty());

  // An empty block is a block.
  ASSERT_TRUE(Put(*store, 7, 0).ok());
  ExpectBlockContent(*store, 7, 0);
}

TEST(BlockStoreTest, UnusedReservationIsReturnedOnCommit) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 10000));
  ASSERT_TRUE(store);
  auto w = store->CreateBlock(Id(1), 0, 8000);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(store->Usage()[0].reserved_bytes, 8000u);
  // The reservation is held: another block cannot take it.
  EXPECT_EQ(store->CreateBlock(Id(2), 0, 3000).code(), ErrorCode::kNoSpace);
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
  auto first = store->CreateBlock(Id(5), 0, 0);
  auto second = store->CreateBlock(Id(5), 0, 0);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  // Both write the block's bytes (an id names the same bytes for ever) into the same range.
  ASSERT_TRUE(first->Append(Bytes(BlockData(5, 100))).ok());
  ASSERT_TRUE(second->Append(Bytes(BlockData(5, 60))).ok());
  ASSERT_TRUE(first->Commit().ok());
  EXPECT_EQ(second->Commit().code(), ErrorCode::kAlreadyExists);
  ExpectBlockContent(*store, 5, 100);  // the first commit won, the loser freed nothing
  EXPECT_EQ(store->CreateBlock(Id(5), 0, 0).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(store->Usage()[0].reserved_bytes, 0u);
  EXPECT_EQ(store->Usage()[0].committed_bytes, 100u);
}

TEST(BlockStoreTest, AbortAndDestructionLeaveNothing) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 1 << 20));
  ASSERT_TRUE(store);
  {
    auto w = store->CreateBlock(Id(1), 0, 4096);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->Append(Bytes(BlockData(1, 100))).ok());
    EXPECT_EQ(fs::file_size(dir.Sub("1")), 100u);  // written in place, not yet recorded
    EXPECT_TRUE(Entries(dir.Sub(".blocks")).empty());
    w->Abort();
    w->Abort();  // idempotent
    EXPECT_EQ(w->Append(Bytes(BlockData(1, 1))).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(w->Commit().code(), ErrorCode::kInvalidArgument);
  }
  {
    auto w = store->CreateBlock(Id(2), 0, 4096);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->Append(Bytes(BlockData(2, 100))).ok());
    BlockWriter moved = std::move(w).value();  // the moved-from writer owns nothing
  }
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{".blocks", ".lock"}));
  EXPECT_FALSE(store->HasBlock(Id(1)));
  EXPECT_FALSE(store->HasBlock(Id(2)));
  EXPECT_EQ(store->Usage()[0].reserved_bytes, 0u);
  EXPECT_EQ(store->Usage()[0].committed_bytes, 0u);
  EXPECT_EQ(store->Counters().writes_aborted, 2u);
}

TEST(BlockStoreTest, MissingBlocks) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 1 << 20));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->OpenBlock(Id(9)).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->RemoveBlock(Id(9)).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->GetBlock(Id(9)).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(store->HasBlock(Id(9)));
  EXPECT_EQ(store->CreateBlock(Id(9), 0, 0, 1).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->CreateBlock(Id(9), 0, 0, -1).code(), ErrorCode::kInvalidArgument);
  // Block i of a file starts at i * its block size.
  EXPECT_EQ(store->CreateBlock(Id(9), 10, 0).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->CreateBlock(MakeBlockId(9, 3), 1000, 0).code(), ErrorCode::kInvalidArgument);
}

TEST(BlockStoreTest, BlockFileDeletedBehindTheStoreIsDropped) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 1 << 20));
  ASSERT_TRUE(store);
  ASSERT_TRUE(Put(*store, 3, 100).ok());
  (void)store->TakeChanges();
  ASSERT_EQ(::unlink(dir.Sub("3").c_str()), 0);
  EXPECT_EQ(store->OpenBlock(Id(3)).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(store->HasBlock(Id(3)));
  EXPECT_EQ(store->Usage()[0].committed_bytes, 0u);
  EXPECT_EQ(store->TakeChanges().removed, std::vector<uint64_t>{Id(3)});
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
  EXPECT_FALSE(store->HasBlock(Id(2)));
  EXPECT_FALSE(fs::exists(dir.Sub("2")));
  EXPECT_TRUE(store->HasBlock(Id(1)));
  EXPECT_LE(store->Usage()[0].committed_bytes, 4000u);

  // A block needing two slots evicts the next two LRU blocks (3 and 4).
  ASSERT_TRUE(Put(*store, 6, 1500).ok());
  EXPECT_FALSE(store->HasBlock(Id(3)));
  EXPECT_FALSE(store->HasBlock(Id(4)));
  EXPECT_TRUE(store->HasBlock(Id(1)));
  EXPECT_TRUE(store->HasBlock(Id(5)));
  auto u = store->Usage()[0];
  EXPECT_EQ(u.committed_bytes, 3500u);
  EXPECT_EQ(u.blocks, 3u);

  auto c = store->Counters();
  EXPECT_EQ(c.blocks_evicted, 3u);
  EXPECT_EQ(c.bytes_evicted, 3000u);
  auto changes = store->TakeChanges();
  std::set<uint64_t> removed(changes.removed.begin(), changes.removed.end());
  EXPECT_EQ(removed, (std::set<uint64_t>{Id(2), Id(3), Id(4)}));
  std::set<uint64_t> added;
  for (auto [id, tier] : changes.added) added.insert(id);
  EXPECT_EQ(added, (std::set<uint64_t>{Id(5), Id(6)}));

  // On-disk content matches the index.
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{".blocks", ".lock", "1", "5", "6"}));
  EXPECT_EQ(Entries(dir.Sub(".blocks")).size(), 3u);
}

TEST(BlockStoreTest, TouchedBlocksAreRecentlyUsed) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 3000));
  ASSERT_TRUE(store);
  for (uint64_t id = 1; id <= 3; ++id) ASSERT_TRUE(Put(*store, id, 1000).ok());
  // Reads through the block files by path are reported by id: 1 and 2 become the most recent
  // (unknown ids are ignored), so 3 is evicted first.
  const std::vector<uint64_t> touched = {Id(1), Id(99), Id(2)};
  store->Touch(touched);
  ASSERT_TRUE(Put(*store, 4, 1000).ok());
  EXPECT_FALSE(store->HasBlock(Id(3)));
  EXPECT_TRUE(store->HasBlock(Id(1)));
  EXPECT_TRUE(store->HasBlock(Id(2)));
}

TEST(BlockStoreTest, AppendGrowsReservationByEvicting) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 3000));
  ASSERT_TRUE(store);
  for (uint64_t id = 1; id <= 3; ++id) ASSERT_TRUE(Put(*store, id, 1000).ok());
  auto w = store->CreateBlock(Id(10), 0, 0);
  ASSERT_TRUE(w.ok());
  std::string data = BlockData(10, 1500);
  ASSERT_TRUE(w->Append(Bytes(data)).ok());
  EXPECT_FALSE(store->HasBlock(Id(1)));
  EXPECT_FALSE(store->HasBlock(Id(2)));
  EXPECT_TRUE(store->HasBlock(Id(3)));
  ASSERT_TRUE(w->Commit().ok());
  ExpectBlockContent(*store, 10, 1500);
}

TEST(BlockStoreTest, AppendBeyondQuotaIsNoSpaceAndWriterStaysUsable) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 1000));
  ASSERT_TRUE(store);
  auto w = store->CreateBlock(Id(1), 0, 0);
  ASSERT_TRUE(w.ok());
  std::string data = BlockData(1, 1500);
  EXPECT_EQ(w->Append(Bytes(data)).code(), ErrorCode::kNoSpace);
  EXPECT_EQ(w->bytes_written(), 0u);
  ASSERT_TRUE(w->Append(Bytes(data.substr(0, 1000))).ok());
  ASSERT_TRUE(w->Commit().ok());
  ExpectBlockContent(*store, 1, 1000);
  EXPECT_EQ(store->Counters().allocation_failures, 1u);
  EXPECT_EQ(store->CreateBlock(Id(2), 0, 1001).code(), ErrorCode::kNoSpace);
}

TEST(BlockStoreTest, PinnedBlocksAreNeverEvicted) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 4000));
  ASSERT_TRUE(store);
  for (uint64_t id = 1; id <= 4; ++id) ASSERT_TRUE(Put(*store, id, 1000).ok());
  std::vector<BlockReader> readers;
  for (uint64_t id = 1; id <= 4; ++id) {
    auto r = store->OpenBlock(Id(id));
    ASSERT_TRUE(r.ok());
    readers.push_back(std::move(r).value());
  }
  EXPECT_EQ(store->CreateBlock(Id(5), 0, 1000).code(), ErrorCode::kNoSpace);
  auto w = store->CreateBlock(Id(5), 0, 0);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->Append(Bytes(BlockData(5, 10))).code(), ErrorCode::kNoSpace);
  w->Abort();
  for (uint64_t id = 1; id <= 4; ++id) EXPECT_TRUE(store->HasBlock(Id(id)));

  // Unpinning block 3 (not the LRU one) makes exactly it evictable.
  readers.erase(readers.begin() + 2);
  ASSERT_TRUE(Put(*store, 5, 1000).ok());
  EXPECT_FALSE(store->HasBlock(Id(3)));
  for (uint64_t id : {1, 2, 4}) EXPECT_TRUE(store->HasBlock(Id(id)));
  // The readers still read their blocks.
  std::string buf(1000, '\0');
  EXPECT_EQ(*readers[0].ReadAt(0, buf), 1000u);
  EXPECT_EQ(buf, BlockData(1, 1000));
}

TEST(BlockStoreTest, BlocksBeingWrittenAreNeverEvicted) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 4000));
  ASSERT_TRUE(store);
  auto writing = store->CreateBlock(Id(1), 0, 0);
  ASSERT_TRUE(writing.ok());
  std::string data = BlockData(1, 3000);
  ASSERT_TRUE(writing->Append(Bytes(data)).ok());
  ASSERT_TRUE(Put(*store, 2, 1000).ok());
  // 2000 bytes can only come from the writer's 3000: refused, the writer keeps its space.
  EXPECT_EQ(store->CreateBlock(Id(3), 0, 2000).code(), ErrorCode::kNoSpace);
  // 1000 bytes come from evicting block 2.
  ASSERT_TRUE(Put(*store, 3, 1000).ok());
  EXPECT_FALSE(store->HasBlock(Id(2)));
  ASSERT_TRUE(writing->Commit().ok());
  ExpectBlockContent(*store, 1, 3000);
  ExpectBlockContent(*store, 3, 1000);
}

TEST(BlockStoreTest, RemoveWhileReadKeepsReaderAndSpaceUntilReleased) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 3000));
  ASSERT_TRUE(store);
  ASSERT_TRUE(Put(*store, 1, 1000).ok());
  auto r = store->OpenBlock(Id(1));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(store->RemoveBlock(Id(1)).ok());
  EXPECT_FALSE(store->HasBlock(Id(1)));
  EXPECT_TRUE(Entries(dir.Sub(".blocks")).empty());  // gone for a restart
  EXPECT_EQ(store->RemoveBlock(Id(1)).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->Usage()[0].committed_bytes, 1000u);  // the reader still reads the range
  EXPECT_EQ(store->Usage()[0].blocks, 0u);
  // The id can be written again meanwhile (the same bytes); the old reader reads on.
  ASSERT_TRUE(Put(*store, 1, 1000).ok());
  std::string buf(1000, '\0');
  EXPECT_EQ(*r->ReadAt(0, buf), 1000u);
  EXPECT_EQ(buf, BlockData(1, 1000));
  EXPECT_EQ(store->Usage()[0].committed_bytes, 2000u);
  r = Fail(ErrorCode::kCancelled);  // drops the reader: the new copy's range stays
  EXPECT_EQ(store->Usage()[0].committed_bytes, 1000u);
  ExpectBlockContent(*store, 1, 1000);
  EXPECT_EQ(store->Counters().blocks_removed, 1u);
  // Removed and unpinned: the range goes at once (the file's only block: the file).
  ASSERT_TRUE(store->RemoveBlock(Id(1)).ok());
  EXPECT_FALSE(fs::exists(dir.Sub("1")));
  EXPECT_EQ(store->Usage()[0].committed_bytes, 0u);
}

TEST(BlockStoreTest, ReopenKeepsCommittedBlocksAndDropsInterruptedWrites) {
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
    // Simulated crash mid-write: a new file (4) and the second block of file 1, written in
    // place and never recorded. Their bytes are kept aside and put back once the store is gone
    // (its writers release their ranges when they go).
    auto w4 = store->CreateBlock(Id(4), 0, 0);
    auto w1 = store->CreateBlock(MakeBlockId(1, 1), 1000, 0);
    ASSERT_TRUE(w4.ok() && w1.ok());
    ASSERT_TRUE(w4->Append(Bytes(BlockData(4, 100))).ok());
    ASSERT_TRUE(w1->Append(Bytes(BlockData(11, 500))).ok());
    fs::copy_file(dir.Sub("mem/4"), dir.Sub("crash4"));
    fs::copy_file(dir.Sub("mem/1"), dir.Sub("crash1"));
  }
  fs::rename(dir.Sub("crash4"), dir.Sub("mem/4"));
  fs::rename(dir.Sub("crash1"), dir.Sub("mem/1"));
  EXPECT_EQ(fs::file_size(dir.Sub("mem/1")), 1500u);
  // A temp file of the one-file-per-block layout.
  fs::create_directory(dir.Sub("mem/.tmp"));
  { std::ofstream(dir.Sub("mem/.tmp/9.1")) << "interrupted"; }
  // Foreign files are left alone and not accounted.
  { std::ofstream(dir.Sub("mem/notes.txt")) << "not a block"; }
  { std::ofstream(dir.Sub("mem/0007")) << "not canonical"; }
  // The last run's LRU order is taken from the records' mtimes: 3 oldest, then 1, then 2.
  SetMtime(RecordOf(dir.Sub("mem"), Id(3)), 1000);
  SetMtime(RecordOf(dir.Sub("mem"), Id(1)), 2000);
  SetMtime(RecordOf(dir.Sub("mem"), Id(2)), 3000);

  auto store = OpenStore(config);
  ASSERT_TRUE(store);
  EXPECT_FALSE(fs::exists(dir.Sub("mem/.tmp")));
  auto c = store->Counters();
  EXPECT_EQ(c.blocks_recovered, 3u);
  EXPECT_EQ(c.temp_files_removed, 2u);  // .tmp/9.1 and the unrecorded file 4
  EXPECT_FALSE(store->HasBlock(Id(4)));
  EXPECT_FALSE(fs::exists(dir.Sub("mem/4")));
  EXPECT_FALSE(store->HasBlock(MakeBlockId(1, 1)));
  EXPECT_EQ(fs::file_size(dir.Sub("mem/1")), 1000u);  // the unrecorded range is cut off
  EXPECT_FALSE(store->HasBlock(Id(7)));
  EXPECT_TRUE(fs::exists(dir.Sub("mem/notes.txt")));
  EXPECT_TRUE(fs::exists(dir.Sub("mem/0007")));
  EXPECT_EQ(store->Usage()[0].committed_bytes, 6000u);
  EXPECT_EQ(store->ListBlocks().size(), 3u);
  EXPECT_TRUE(store->TakeChanges().added.empty());  // registration reports recovered blocks
  // 5000 bytes with 4000 free: the LRU block (3) goes.
  ASSERT_TRUE(Put(*store, 5, 5000).ok());
  EXPECT_FALSE(store->HasBlock(Id(3)));
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
    SetMtime(RecordOf(dir.path(), Id(id)), static_cast<time_t>(1000 * id));
  }
  auto store = OpenStore(OneDir(dir.path(), 2500));
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->HasBlock(Id(1)));
  EXPECT_FALSE(store->HasBlock(Id(2)));
  EXPECT_TRUE(store->HasBlock(Id(3)));
  EXPECT_TRUE(store->HasBlock(Id(4)));
  EXPECT_EQ(store->Usage()[0].committed_bytes, 2000u);
  EXPECT_FALSE(fs::exists(dir.Sub("1")));
}

TEST(BlockStoreTest, ReadersOutliveTheStoreObject) {
  TempDir dir;
  BlockStoreConfig config = OneDir(dir.path(), 10000);
  auto store = OpenStore(config);
  ASSERT_TRUE(store);
  ASSERT_TRUE(Put(*store, 1, 1000).ok());
  auto r = store->OpenBlock(Id(1));
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
  BlockStoreConfig mem_only{{TierConfig{"MEM", {TierDirConfig{dir.Sub("mem"), 10000}}}}};
  BlockStoreConfig ssd_only{{TierConfig{"SSD", {TierDirConfig{dir.Sub("ssd"), 10000}}}}};
  BlockStoreConfig config{{mem_only.tiers[0], ssd_only.tiers[0]}};
  {
    auto store = OpenStore(mem_only);
    ASSERT_TRUE(store);
    ASSERT_TRUE(Put(*store, 1, 1000).ok());
    ASSERT_TRUE(Put(*store, 3, 700).ok());
  }
  {
    // Stale SSD copies of the MEM blocks (a configuration change), and an SSD-only block.
    auto store = OpenStore(ssd_only);
    ASSERT_TRUE(store);
    ASSERT_TRUE(Put(*store, 1, 1000).ok());
    ASSERT_TRUE(Put(*store, 2, 500).ok());
    ASSERT_TRUE(Put(*store, 3, 700).ok());
  }
  // Block 1's SSD copy is older than the MEM copy (indexed first, then replaced), block 3's is
  // newer (indexed after the MEM copy, then dropped).
  SetMtime(RecordOf(dir.Sub("ssd"), Id(1)), 1000);
  auto store = OpenStore(config);
  ASSERT_TRUE(store);
  auto info = store->GetBlock(Id(1));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->tier, 0);
  ExpectBlockContent(*store, 1, 1000);
  EXPECT_EQ(store->GetBlock(Id(3))->tier, 0);
  ExpectBlockContent(*store, 3, 700);
  EXPECT_FALSE(fs::exists(dir.Sub("ssd/1")));
  EXPECT_FALSE(fs::exists(dir.Sub("ssd/3")));
  EXPECT_EQ(RecordOf(dir.Sub("ssd"), Id(1)), "");
  EXPECT_EQ(RecordOf(dir.Sub("ssd"), Id(3)), "");
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
  EXPECT_FALSE(store->HasBlock(Id(1)));
  EXPECT_EQ(store->Counters().blocks_evicted, 1u);

  // MEM full of pinned blocks: the next block overflows to SSD, evicting SSD's LRU (block 3).
  auto pin2 = store->OpenBlock(Id(2));
  auto pin7 = store->OpenBlock(Id(7));
  ASSERT_TRUE(pin2.ok() && pin7.ok());
  EXPECT_EQ(Put(*store, 8, 1000)->tier, 1);
  EXPECT_FALSE(store->HasBlock(Id(3)));
  EXPECT_TRUE(store->HasBlock(Id(2)));
  EXPECT_TRUE(store->HasBlock(Id(7)));

  // first_tier = 1 never uses MEM.
  (void)store->RemoveBlock(Id(2));
  pin2 = Fail(ErrorCode::kCancelled);
  EXPECT_GE(store->Usage()[0].available_bytes(), 1000u);
  EXPECT_EQ(Put(*store, 9, 1000, 1)->tier, 1);
  EXPECT_EQ(store->GetBlock(Id(9))->tier, 1);

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
  EXPECT_FALSE(store->HasBlock(Id(1)));
  // 2500 bytes: b can free at most 2000, so a evicts 2, 4 and 5 (LRU order) to make room.
  EXPECT_EQ(Put(*store, 6, 2500)->path, dir.Sub("a/6"));
  for (uint64_t id : {2, 4, 5}) EXPECT_FALSE(store->HasBlock(Id(id)));
  EXPECT_TRUE(store->HasBlock(Id(3)));
  EXPECT_EQ(store->CreateBlock(Id(7), 0, 3001).code(), ErrorCode::kNoSpace);
}

// ---- Per-file cache files ----

constexpr uint64_t kFileBlock = 1 << 20;  // the block size of the files below

// Writes and commits block `index` of test file `n` (`length` bytes at index * kFileBlock).
Result<BlockInfo> PutPart(BlockStore& store, uint64_t n, uint64_t index, size_t length,
                          int first_tier = 0) {
  const uint64_t id = MakeBlockId(n, index);
  auto w = store.CreateBlock(id, index * kFileBlock, length, first_tier);
  if (!w.ok()) return w.failure();
  std::string data = BlockData(id, length);
  if (Status s = w->Append(Bytes(data)); !s.ok()) return s.failure();
  return w->Commit();
}

// Reads block `id` of a PutPart file through OpenBlock and checks it.
void ExpectPartContent(BlockStore& store, uint64_t id, size_t length) {
  auto r = store.OpenBlock(id);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  std::string buf(length + 10, 'x');
  EXPECT_EQ(*r->ReadAt(0, buf), length);
  EXPECT_EQ(buf.substr(0, length), BlockData(id, length));
}

// Bytes the file system allocated for `path` (du).
uint64_t AllocatedBytes(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

TEST(BlockStoreTest, BlocksOfAFileAreRangesOfOneCacheFile) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 8 * kFileBlock));
  ASSERT_TRUE(store);
  // Cached out of order, as reads through a file's blocks may do.
  ASSERT_TRUE(PutPart(*store, 7, 2, 1000).ok());
  ASSERT_TRUE(PutPart(*store, 7, 0, kFileBlock).ok());
  auto middle = PutPart(*store, 7, 1, kFileBlock);
  ASSERT_TRUE(middle.ok());
  EXPECT_EQ(middle->path, dir.Sub("7"));
  EXPECT_EQ(middle->offset, kFileBlock);
  std::string whole = BlockData(MakeBlockId(7, 0), kFileBlock) +
                      BlockData(MakeBlockId(7, 1), kFileBlock) + BlockData(MakeBlockId(7, 2), 1000);
  EXPECT_EQ(ReadFile(dir.Sub("7")), whole);
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{".blocks", ".lock", "7"}));
  // A block reads as its range.
  auto r = store->OpenBlock(MakeBlockId(7, 1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->offset(), kFileBlock);
  std::string buf(2 * kFileBlock, '\0');
  EXPECT_EQ(*r->ReadAt(0, buf), kFileBlock);
  EXPECT_EQ(buf.substr(0, kFileBlock), BlockData(MakeBlockId(7, 1), kFileBlock));
  EXPECT_EQ(*r->ReadAt(kFileBlock - 10, buf), 10u);
  EXPECT_EQ(store->Usage()[0].committed_bytes, 2 * kFileBlock + 1000);

  // The whole file, pinned: nothing of it is evicted while the pin lasts.
  const std::vector<uint64_t> ids = {MakeBlockId(7, 0), MakeBlockId(7, 1), MakeBlockId(7, 2)};
  {
    auto file = store->OpenFile(ids);
    ASSERT_TRUE(file.ok()) << file.error().ToString();
    EXPECT_EQ(file->path(), dir.Sub("7"));
    EXPECT_EQ(file->length(), 2 * kFileBlock + 1000);
    r = Fail(ErrorCode::kCancelled);
    EXPECT_EQ(store->CreateBlock(Id(8), 0, 6 * kFileBlock).code(), ErrorCode::kNoSpace);
    // Removed while pinned (fs free): gone from the index, the bytes stay until unpinned.
    ASSERT_TRUE(store->RemoveBlock(ids[1]).ok());
    EXPECT_EQ(ReadFile(dir.Sub("7")), whole);
  }
  // Unpinned: the removed block's range is a hole now.
  EXPECT_EQ(ReadFile(dir.Sub("7")).substr(kFileBlock, kFileBlock), std::string(kFileBlock, '\0'));
  EXPECT_EQ(store->OpenFile(ids).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->Usage()[0].committed_bytes, kFileBlock + 1000);
  // Not a file from its first byte: not one file.
  const std::vector<uint64_t> tail = {ids[2]};
  EXPECT_EQ(store->OpenFile(tail).code(), ErrorCode::kUnsupported);
  const std::vector<uint64_t> mixed = {ids[0], MakeBlockId(8, 1)};
  EXPECT_EQ(store->OpenFile(mixed).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->OpenFile({}).code(), ErrorCode::kInvalidArgument);
  // The file's last blocks go: so does the file.
  ASSERT_TRUE(store->RemoveBlock(ids[0]).ok());
  ASSERT_TRUE(store->RemoveBlock(ids[2]).ok());
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{".blocks", ".lock"}));
}

TEST(BlockStoreTest, EvictingABlockPunchesItsRange) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 4 * kFileBlock));
  ASSERT_TRUE(store);
  for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(PutPart(*store, 5, i, kFileBlock).ok());
  const uint64_t before = AllocatedBytes(dir.Sub("5"));
  EXPECT_GE(before, 3 * kFileBlock);
  ExpectPartContent(*store, MakeBlockId(5, 0), kFileBlock);  // the most recently used now
  // Two more blocks of another file: the LRU block (5, 1) is evicted.
  ASSERT_TRUE(PutPart(*store, 6, 0, kFileBlock).ok());
  ASSERT_TRUE(PutPart(*store, 6, 1, kFileBlock).ok());
  EXPECT_FALSE(store->HasBlock(MakeBlockId(5, 1)));
  EXPECT_TRUE(store->HasBlock(MakeBlockId(5, 0)));
  EXPECT_TRUE(store->HasBlock(MakeBlockId(5, 2)));
  EXPECT_EQ(store->Counters().blocks_evicted, 1u);
  // The space is back on the medium, and the neighbours are intact.
  EXPECT_EQ(AllocatedBytes(dir.Sub("5")), before - kFileBlock);
  EXPECT_EQ(fs::file_size(dir.Sub("5")), 3 * kFileBlock);
  ExpectPartContent(*store, MakeBlockId(5, 0), kFileBlock);
  ExpectPartContent(*store, MakeBlockId(5, 2), kFileBlock);
  EXPECT_EQ(RecordOf(dir.path(), MakeBlockId(5, 1)), "");
}

TEST(BlockStoreTest, AFileStaysInTheDirectoryHoldingIt) {
  TempDir dir;
  BlockStoreConfig config{{TierConfig{"MEM", {TierDirConfig{dir.Sub("mem"), 2 * kFileBlock}}},
                           TierConfig{"SSD",
                                      {TierDirConfig{dir.Sub("a"), 4 * kFileBlock},
                                       TierDirConfig{dir.Sub("b"), 8 * kFileBlock}}}}};
  auto store = OpenStore(config);
  ASSERT_TRUE(store);
  ASSERT_TRUE(PutPart(*store, 1, 0, kFileBlock, 1).ok());  // b: most free space
  ASSERT_TRUE(Put(*store, 2, 5 * kFileBlock, 1).ok());     // b is now the fuller one
  EXPECT_EQ(PutPart(*store, 1, 1, kFileBlock, 1)->path, dir.Sub("b/1"));
  const std::vector<uint64_t> ids = {MakeBlockId(1, 0), MakeBlockId(1, 1)};
  EXPECT_TRUE(store->OpenFile(ids).ok());
  // Blocks on two tiers are not one file.
  ASSERT_TRUE(PutPart(*store, 3, 0, kFileBlock, 0).ok());
  ASSERT_TRUE(PutPart(*store, 3, 1, kFileBlock, 1).ok());
  const std::vector<uint64_t> split = {MakeBlockId(3, 0), MakeBlockId(3, 1)};
  EXPECT_EQ(store->OpenFile(split).code(), ErrorCode::kUnsupported);
}

TEST(BlockStoreTest, ReopenFindsTheBlocksOfACacheFile) {
  TempDir dir;
  BlockStoreConfig config = OneDir(dir.path(), 8 * kFileBlock);
  const std::vector<uint64_t> ids = {MakeBlockId(9, 0), MakeBlockId(9, 1), MakeBlockId(9, 2)};
  {
    auto store = OpenStore(config);
    ASSERT_TRUE(store);
    for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(PutPart(*store, 9, i, kFileBlock).ok());
    ASSERT_TRUE(store->RemoveBlock(ids[1]).ok());
    ASSERT_TRUE(PutPart(*store, 9, 1, kFileBlock).ok());
    ASSERT_TRUE(store->RemoveBlock(ids[2]).ok());
  }
  auto store = OpenStore(config);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->Counters().blocks_recovered, 2u);
  EXPECT_EQ(store->Usage()[0].committed_bytes, 2 * kFileBlock);
  const std::vector<uint64_t> present = {ids[0], ids[1]};
  auto file = store->OpenFile(present);
  ASSERT_TRUE(file.ok()) << file.error().ToString();
  EXPECT_EQ(file->length(), 2 * kFileBlock);
  EXPECT_EQ(ReadFile(dir.Sub("9")), BlockData(ids[0], kFileBlock) + BlockData(ids[1], kFileBlock));
  EXPECT_EQ(store->OpenFile(ids).code(), ErrorCode::kNotFound);
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
        auto w = store->CreateBlock(Id(own), 0, length / 2);
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
        auto r = store->OpenBlock(Id(other));
        if (r.ok()) {
          std::string buf(r->length(), '\0');
          auto n = r->ReadAt(0, buf);
          if (!n.ok() || *n != r->length() || buf != BlockData(other, r->length())) ++unexpected;
          ++reads_ok;
        } else if (r.code() != ErrorCode::kNotFound) {
          ++unexpected;
        }
        if (next() % 5 == 0) {
          Status s = store->RemoveBlock(Id(own - (i > 0 ? 1 : 0)));
          if (!s.ok() && s.code() != ErrorCode::kNotFound) ++unexpected;
        }
        (void)store->HasBlock(Id(other));
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
    EXPECT_EQ(Entries(u.path + "/.blocks").size(), u.blocks) << u.path;
  }
}

}  // namespace
// A cache file written in place by a client: the store reserves, the client writes at any
// offset, Commit records the blocks covering the file as ranges of it.
TEST(BlockStoreTest, CacheFileWrittenInPlaceIsCommittedAsItsBlocks) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 1 << 20));
  ASSERT_TRUE(store);
  auto w = store->CreateCacheFile(7, 4096, 4096);
  ASSERT_TRUE(w.ok()) << w.error().ToString();
  EXPECT_EQ(w->path(), dir.Sub("7"));
  EXPECT_EQ(store->CreateCacheFile(7, 4096, 0).code(), ErrorCode::kAlreadyExists);
  const std::string data = BlockData(Id(7), 10000);  // blocks of 4096, 4096, 1808 bytes
  {
    std::ofstream out(w->path(), std::ios::binary | std::ios::in | std::ios::out);
    out.seekp(4096);
    out.write(data.data() + 4096, 10000 - 4096);  // the end first
    out.seekp(0);
    out.write(data.data(), 4096);
  }
  EXPECT_EQ(store->Usage()[0].reserved_bytes, 4096u);
  EXPECT_EQ(w->Commit(9999).code(), ErrorCode::kIoError) << "the size is not the file's";
  auto again = store->CreateCacheFile(8, 4096, 4096);
  ASSERT_TRUE(again.ok());
  {
    std::ofstream out(again->path(), std::ios::binary | std::ios::in | std::ios::out);
    out.write(data.data(), 10000);
  }
  auto blocks = again->Commit(10000);
  ASSERT_TRUE(blocks.ok()) << blocks.error().ToString();
  ASSERT_EQ(blocks->size(), 3u);
  EXPECT_EQ((*blocks)[2].offset, 8192u);
  EXPECT_EQ((*blocks)[2].length, 10000u - 8192u);
  EXPECT_EQ(store->Usage()[0].committed_bytes, 10000u);
  EXPECT_EQ(store->Usage()[0].reserved_bytes, 0u);
  EXPECT_EQ(ReadFile(dir.Sub("8")), data);
  EXPECT_NE(RecordOf(dir.path(), MakeBlockId(8, 2)), "");
  const std::vector<uint64_t> ids{MakeBlockId(8, 0), MakeBlockId(8, 1), MakeBlockId(8, 2)};
  auto whole = store->OpenFile(ids);
  ASSERT_TRUE(whole.ok()) << whole.error().ToString();
  EXPECT_EQ(whole->length(), 10000u);
  EXPECT_FALSE(fs::exists(dir.Sub("7"))) << "a failed commit removes the cache file";
}

TEST(BlockStoreTest, CacheFileBeyondTheQuotaIsNoSpaceAtCommitAndAbortLeavesNothing) {
  TempDir dir;
  auto store = OpenStore(OneDir(dir.path(), 8192));
  ASSERT_TRUE(store);
  auto w = store->CreateCacheFile(9, 4096, 4096);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(::truncate(w->path().c_str(), 3 * 4096), 0);
  EXPECT_EQ(w->Commit(3 * 4096).code(), ErrorCode::kNoSpace);
  EXPECT_TRUE(fs::exists(w->path())) << "the writer stays usable";
  w->Abort();
  EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{".blocks", ".lock"}));
  EXPECT_EQ(store->Usage()[0].reserved_bytes, 0u);
  EXPECT_EQ(store->Usage()[0].committed_bytes, 0u);
}

}  // namespace alluxio
