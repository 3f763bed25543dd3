// The worker's data path: read-through from the UFS with caching, and file write sessions for
// each write type, against a real block store and the local UFS in temp directories.
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/common/block_id.h"
#include "core/ufs/fault_injecting_under_file_system.h"
#include "core/ufs/local_under_file_system.h"
#include "core/worker/block_read_through.h"
#include "core/worker/file_persister.h"
#include "core/worker/file_write_session.h"
#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

using testing::TempDir;

std::string Pattern(size_t n, int seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + seed * 7) % 251);
  return s;
}

std::string ReadLocal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class WorkerDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BlockStoreConfig config;
    config.tiers.push_back(TierConfig{"MEM", {TierDirConfig{cache_.path(), kQuota}}});
    auto store = BlockStore::Open(config);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
    resolver_.Learn(0, {});  // the mount of every source and session here: no options
  }

  std::string UfsUri(const std::string& name) const { return "file://" + ufs_.Sub(name); }
  std::string MountUri() const { return "file://" + ufs_.path(); }
  // Where a session stages the UFS copy of file `id` (published by the master, not here).
  std::string Staged(uint64_t id) const {
    return ufs_.Sub(std::string(kLocalUfsStagingDir) + "/" + StagedFileName(id));
  }

  // Background jobs run when the test says so.
  void RunBackground() {
    auto jobs = std::move(background_);
    for (auto& job : jobs) job();
  }
  BlockReadThrough MakeReader(BlockFillOptions options = {}) {
    return BlockReadThrough(
        *store_, resolver_,
        [this](std::function<void()> job) { background_.push_back(std::move(job)); }, options);
  }

  static constexpr uint64_t kQuota = 10 << 20;
  TempDir cache_;
  TempDir ufs_;
  std::unique_ptr<BlockStore> store_;
  UfsResolver resolver_;
  std::vector<std::function<void()>> background_;
};

TEST_F(WorkerDataTest, WholeBlockMissReadsThroughThenHitsCache) {
  std::string content = Pattern(1000, 1);
  std::ofstream(ufs_.Sub("f"), std::ios::binary) << content;
  BlockReadThrough reader = MakeReader();
  UfsBlockSource source{UfsUri("f"), 0, content.size()};
  std::string buf(content.size(), '\0');

  auto first = reader.Read(7, 0, buf, &source, /*cache=*/true);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_FALSE(first->from_cache);
  EXPECT_EQ(buf, content);
  EXPECT_TRUE(store_->HasBlock(7));

  std::string again(content.size(), '\0');
  auto second = reader.Read(7, 0, again, &source, true);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->from_cache);
  EXPECT_EQ(again, content);
  EXPECT_EQ(reader.counters().cache_hits.load(), 1u);
  EXPECT_EQ(reader.counters().cache_misses.load(), 1u);
}

TEST_F(WorkerDataTest, PartialMissesFetchTheBlockOnceForTheirReadersAndTheCache) {
  std::string content = Pattern(3000, 2);
  std::ofstream(ufs_.Sub("f"), std::ios::binary) << content;
  BlockReadThrough reader = MakeReader();
  // Block 1 of a file of 1000-byte blocks: the second thousand bytes.
  UfsBlockSource source{UfsUri("f"), 1000, 1000};
  std::string buf(100, '\0');
  ASSERT_TRUE(reader.Read(1, 50, buf, &source, true).ok());
  EXPECT_EQ(buf, content.substr(1050, 100));
  ASSERT_TRUE(reader.Read(1, 150, buf, &source, true).ok());
  EXPECT_EQ(buf, content.substr(1150, 100));
  EXPECT_EQ(background_.size(), 1u);  // one fill per block, however many partial reads
  RunBackground();
  ASSERT_TRUE(store_->HasBlock(1));
  EXPECT_EQ(reader.counters().bytes_read_ufs.load(), 1000u);  // the block, once
  EXPECT_EQ(reader.counters().blocks_cached_from_ufs.load(), 1u);
  std::string whole(1000, '\0');
  auto hit = reader.Read(1, 0, whole, nullptr, false);
  ASSERT_TRUE(hit.ok());
  EXPECT_TRUE(hit->from_cache);
  EXPECT_EQ(whole, content.substr(1000, 1000));
}

TEST_F(WorkerDataTest, ReadersBeyondTheWindowReadTheirOwnRangeWhileTheBlockIsFetched) {
  std::string content = Pattern(1000, 3);
  std::ofstream(ufs_.Sub("f"), std::ios::binary) << content;
  BlockReadThrough reader = MakeReader({.range_bytes = 100, .ranges_in_flight = 2});
  UfsBlockSource source{UfsUri("f"), 0, 1000};
  std::string buf(100, '\0');
  // Sequential from the start: each in the next range to arrive (2 of 100 bytes in flight).
  ASSERT_TRUE(reader.Read(4, 0, buf, &source, true).ok());
  EXPECT_EQ(buf, content.substr(0, 100));
  ASSERT_TRUE(reader.Read(4, 100, buf, &source, true).ok());
  EXPECT_EQ(buf, content.substr(100, 100));
  EXPECT_EQ(reader.counters().bytes_read_ufs.load(), 200u);
  // Far ahead of the 200 bytes arrived (a random read): its own 100 bytes, not waiting for the
  // fill to get there.
  ASSERT_TRUE(reader.Read(4, 800, buf, &source, true).ok());
  EXPECT_EQ(buf, content.substr(800, 100));
  EXPECT_FALSE(store_->HasBlock(4));
  RunBackground();  // the fill goes on without readers
  ASSERT_TRUE(store_->HasBlock(4));
  EXPECT_EQ(reader.counters().bytes_read_ufs.load(), 1100u);
  // A first read far into a cold block reads its own range too; the block comes in behind it.
  ASSERT_TRUE(reader.Read(5, 600, buf, &source, true).ok());
  EXPECT_EQ(buf, content.substr(600, 100));
  EXPECT_EQ(reader.counters().bytes_read_ufs.load(), 1200u);
  RunBackground();
  EXPECT_TRUE(store_->HasBlock(5));
  EXPECT_EQ(reader.counters().bytes_read_ufs.load(), 2200u);
  std::string whole(1000, '\0');
  ASSERT_TRUE(reader.Read(4, 0, whole, nullptr, false).ok());
  EXPECT_EQ(whole, content);
}

TEST_F(WorkerDataTest, ColdBlocksOfDifferentFilesAreFetchedInParallel) {
  // Reads of "slow" stall until released; the block of "fast" is fetched and cached meanwhile
  // (nothing fetches cold blocks one at a time).
  std::promise<void> stalled;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto faults = std::make_shared<UfsFaultInjector>(UfsFaultInjector::Options{
      .control_file = "", .sleep = [&, fired = false](std::chrono::milliseconds) mutable {
        if (!std::exchange(fired, true)) stalled.set_value();
        released.wait();
      }});
  UfsFaultPlan plan;
  plan.rules.push_back(UfsFaultRule{.action = UfsFaultRule::Action::kStall,
                                    .op = "ReadAt",
                                    .stall = std::chrono::milliseconds(1),
                                    .prefix = ufs_.Sub("slow")});
  faults->SetPlan(plan);
  UfsResolver resolver(
      [faults](std::string_view uri,
               const UfsOptions& options) -> Result<std::unique_ptr<UnderFileSystem>> {
        auto inner = CreateUnderFileSystem(uri, options);
        if (!inner.ok()) return inner.failure();
        return std::unique_ptr<UnderFileSystem>(
            std::make_unique<FaultInjectingUnderFileSystem>(std::move(inner).value(), "/", faults));
      });
  resolver.Learn(0, {});
  std::ofstream(ufs_.Sub("slow"), std::ios::binary) << Pattern(1000, 4);
  const std::string fast = Pattern(1000, 5);
  std::ofstream(ufs_.Sub("fast"), std::ios::binary) << fast;
  std::mutex jobs_mu;
  std::vector<std::function<void()>> jobs;  // the fills' background jobs, run at the end
  BlockReadThrough reader(*store_, resolver, [&](std::function<void()> job) {
    std::lock_guard lock(jobs_mu);
    jobs.push_back(std::move(job));
  });
  Status slow_status = Ok();
  std::thread slow([&] { slow_status = reader.CacheBlock(1, {UfsUri("slow"), 0, 1000}, false); });
  stalled.get_future().wait();
  std::string buf(1000, '\0');
  UfsBlockSource source{UfsUri("fast"), 0, 1000};
  auto read = reader.Read(2, 0, buf, &source, true);
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(buf, fast);
  EXPECT_TRUE(reader.CacheBlock(2, source, false).ok());
  EXPECT_TRUE(store_->HasBlock(2));
  EXPECT_FALSE(store_->HasBlock(1));
  release.set_value();
  slow.join();
  EXPECT_TRUE(slow_status.ok()) << slow_status.error().ToString();
  EXPECT_TRUE(store_->HasBlock(1));
  // The read's fill finishes in the background; CacheBlock drove its own fill to the end.
  EXPECT_EQ(jobs.size(), 1u);
  for (auto& job : jobs) job();
}

TEST_F(WorkerDataTest, ReadErrors) {
  BlockReadThrough reader = MakeReader();
  std::string buf(10, '\0');
  EXPECT_EQ(reader.Read(1, 0, buf, nullptr, true).code(), ErrorCode::kNotFound);
  UfsBlockSource missing{UfsUri("absent"), 0, 10};
  EXPECT_EQ(reader.Read(1, 0, buf, &missing, true).code(), ErrorCode::kNotFound);
  std::ofstream(ufs_.Sub("f"), std::ios::binary) << "0123456789";
  UfsBlockSource source{UfsUri("f"), 0, 10};
  EXPECT_EQ(reader.Read(1, 11, buf, &source, true).code(), ErrorCode::kOutOfRange);
  // The UFS file is shorter than the block the master described.
  UfsBlockSource too_long{UfsUri("f"), 0, 20};
  EXPECT_FALSE(reader.CacheBlock(2, too_long, false).ok());
  EXPECT_FALSE(store_->HasBlock(2));
}

TEST_F(WorkerDataTest, CacheThroughWriteCachesBlocksAndPersists) {
  const uint64_t file_id = InodeIdForContainer(5);
  FileWriteOptions options{file_id, 1000, MountUri(), 0644, WriteType::kCacheThrough};
  auto session = FileWriteSession::Start(*store_, resolver_, options);
  ASSERT_TRUE(session.ok()) << session.error().ToString();
  std::string content = Pattern(2500, 3);
  ASSERT_TRUE((*session)->Write(std::span(content).first(999)).ok());
  ASSERT_TRUE((*session)->Write(std::span(content).subspan(999)).ok());
  auto committed = (*session)->TakeCommittedBlocks();
  ASSERT_EQ(committed.size(), 2u);  // the third block is committed by Finish
  // Staged outside every user directory; the master publishes it at completion.
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(ufs_.path())) {
    names.push_back(e.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{std::string(kLocalUfsStagingDir)});
  auto finished = (*session)->Finish();
  ASSERT_TRUE(finished.ok()) << finished.error().ToString();
  EXPECT_EQ(finished->length, 2500u);
  ASSERT_EQ(finished->block_ids.size(), 3u);
  EXPECT_FALSE(finished->ufs_fingerprint.empty());
  EXPECT_EQ(ReadLocal(Staged(file_id)), content);
  for (int i = 0; i < 3; ++i) {
    uint64_t id = BlockIdForFile(file_id, i);
    EXPECT_EQ(finished->block_ids[i], id);
    auto block = store_->OpenBlock(id);
    ASSERT_TRUE(block.ok());
    std::string data(block->length(), '\0');
    ASSERT_TRUE(block->ReadAt(0, data).ok());
    EXPECT_EQ(data, content.substr(i * 1000, 1000));
  }
}

TEST_F(WorkerDataTest, LargeCacheThroughWritesWithFlushesPersistAndCacheWhole) {
  // Past its first MiB the UFS file is written behind the session (O_DIRECT where the file
  // system has it): Flush and Finish must still account for every byte.
  const uint64_t file_id = InodeIdForContainer(9);
  FileWriteOptions options{file_id, 2 << 20, MountUri(), 0644, WriteType::kCacheThrough};
  auto session = FileWriteSession::Start(*store_, resolver_, options);
  ASSERT_TRUE(session.ok()) << session.error().ToString();
  const std::string content = Pattern(9 << 20, 9);
  const size_t pieces[] = {1 << 20, 100, (5 << 20) - 100, 3 << 20};
  size_t offset = 0;
  for (size_t n : pieces) {
    ASSERT_TRUE((*session)->Write(std::span(content).subspan(offset, n)).ok());
    offset += n;
    ASSERT_TRUE((*session)->Flush().ok());
  }
  auto finished = (*session)->Finish();
  ASSERT_TRUE(finished.ok()) << finished.error().ToString();
  EXPECT_EQ(finished->length, content.size());
  EXPECT_TRUE(ReadLocal(Staged(file_id)) == content);
  ASSERT_EQ(finished->block_ids.size(), 5u);
  std::string cached;
  for (uint64_t id : finished->block_ids) {
    auto block = store_->OpenBlock(id);
    ASSERT_TRUE(block.ok()) << block.error().ToString();
    std::string data(block->length(), '\0');
    ASSERT_TRUE(block->ReadAt(0, data).ok());
    cached += data;
  }
  EXPECT_TRUE(cached == content);
}

TEST_F(WorkerDataTest, MustCacheSkipsUfsAndThroughSkipsCache) {
  std::string content = Pattern(1500, 4);
  {
    FileWriteOptions options{InodeIdForContainer(6), 1000, MountUri(), 0644, WriteType::kMustCache};
    auto session = FileWriteSession::Start(*store_, resolver_, options);
    ASSERT_TRUE(session.ok());
    ASSERT_TRUE((*session)->Write(content).ok());
    auto finished = (*session)->Finish();
    ASSERT_TRUE(finished.ok());
    EXPECT_TRUE(finished->ufs_fingerprint.empty());
    EXPECT_TRUE(std::filesystem::is_empty(ufs_.path()));
    EXPECT_TRUE(store_->HasBlock(BlockIdForFile(InodeIdForContainer(6), 1)));
  }
  {
    FileWriteOptions options{InodeIdForContainer(7), 1000, MountUri(), 0644, WriteType::kThrough};
    auto session = FileWriteSession::Start(*store_, resolver_, options);
    ASSERT_TRUE(session.ok());
    ASSERT_TRUE((*session)->Write(content).ok());
    ASSERT_TRUE((*session)->Finish().ok());
    EXPECT_EQ(ReadLocal(Staged(InodeIdForContainer(7))), content);
    EXPECT_FALSE(store_->HasBlock(BlockIdForFile(InodeIdForContainer(7), 0)));
  }
}

// ASYNC_THROUGH: cached only (nothing staged at close), every committed block pinned, so that
// filling the cache afterwards evicts nothing of it; the persister then writes the staged copy
// from the cache and unpinning makes the blocks evictable again.
TEST_F(WorkerDataTest, AsyncThroughPinsItsBlocksUntilPersisted) {
  const uint64_t file_id = InodeIdForContainer(8);
  std::string content = Pattern(2 << 20, 5);
  FileWriteOptions options{file_id, 1 << 20, MountUri(), 0644, WriteType::kAsyncThrough};
  auto session = FileWriteSession::Start(*store_, resolver_, options);
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE((*session)->Write(content).ok());
  auto finished = (*session)->Finish();
  ASSERT_TRUE(finished.ok()) << finished.error().ToString();
  EXPECT_TRUE(finished->ufs_fingerprint.empty());
  EXPECT_TRUE(std::filesystem::is_empty(ufs_.path()));
  ASSERT_EQ(finished->pins.size(), 2u);
  FilePersister persister(*store_, resolver_);
  persister.Pin(file_id, std::move(finished->pins));

  // 10 MiB of other blocks into the 10 MiB cache: only unpinned ones can be evicted.
  for (uint64_t i = 0; i < 10; ++i) {
    auto writer = store_->CreateBlock(BlockIdForFile(InodeIdForContainer(100 + i), 0), 0, 1 << 20);
    if (!writer.ok()) continue;  // no room left but the pinned blocks
    ASSERT_TRUE(writer->Append(Pattern(1 << 20, 6)).ok());
    ASSERT_TRUE(writer->Commit().ok());
  }
  EXPECT_TRUE(store_->HasBlock(BlockIdForFile(file_id, 0)));
  EXPECT_TRUE(store_->HasBlock(BlockIdForFile(file_id, 1)));

  PersistRequest request{file_id, content.size(), 1 << 20, finished->block_ids, 0644,
                         0,       MountUri()};
  ASSERT_TRUE(persister.Begin(file_id));
  EXPECT_FALSE(persister.Begin(file_id));  // one persist of a file at a time
  EXPECT_EQ(persister.Running(), std::vector<uint64_t>{file_id});
  Status persisted = persister.Persist(request);
  ASSERT_TRUE(persisted.ok()) << persisted.error().ToString();
  persister.End(file_id);
  EXPECT_TRUE(persister.Running().empty());
  EXPECT_EQ(ReadLocal(Staged(file_id)), content);

  persister.Unpin(file_id);
  EXPECT_EQ(persister.pinned_files(), 0u);
  auto writer = store_->CreateBlock(BlockIdForFile(InodeIdForContainer(200), 0), 0, 2 << 20);
  EXPECT_TRUE(writer.ok()) << "the unpinned blocks are evictable again";
}

TEST_F(WorkerDataTest, APersistOfAnUncachedFileFailsAndStagesNothing) {
  FilePersister persister(*store_, resolver_);
  const uint64_t file_id = InodeIdForContainer(9);
  PersistRequest request{file_id, 10, 1 << 20, {BlockIdForFile(file_id, 0)}, 0644, 0, MountUri()};
  EXPECT_EQ(persister.Persist(request).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(Staged(file_id)));
}

TEST_F(WorkerDataTest, PinBlocksPinsTheCommittedOnesByFile) {
  const uint64_t file_id = InodeIdForContainer(10);
  auto writer = store_->CreateBlock(BlockIdForFile(file_id, 0), 0, 100);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Append(Pattern(100, 7)).ok());
  ASSERT_TRUE(writer->Commit().ok());
  FilePersister persister(*store_, resolver_);
  std::vector<uint64_t> blocks{BlockIdForFile(file_id, 0), BlockIdForFile(file_id, 1)};
  persister.PinBlocks(blocks);  // block 1 is not cached: skipped
  EXPECT_EQ(persister.pinned_files(), 1u);
  persister.Unpin(file_id);
  EXPECT_EQ(persister.pinned_files(), 0u);
}

TEST_F(WorkerDataTest, AbortLeavesNothing) {
  const uint64_t file_id = InodeIdForContainer(8);
  FileWriteOptions options{file_id, 1000, MountUri(), 0644, WriteType::kCacheThrough};
  auto session = FileWriteSession::Start(*store_, resolver_, options);
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE((*session)->Write(Pattern(1500, 5)).ok());
  EXPECT_TRUE(store_->HasBlock(BlockIdForFile(file_id, 0)));
  (*session)->Abort();
  EXPECT_FALSE(store_->HasBlock(BlockIdForFile(file_id, 0)));
  EXPECT_TRUE(std::filesystem::is_empty(ufs_.Sub(std::string(kLocalUfsStagingDir))));
}

TEST_F(WorkerDataTest, MustCacheBeyondTheCacheIsNoSpaceButCacheThroughPersists) {
  std::string big = Pattern(kQuota + 4096, 6);
  FileWriteOptions must{InodeIdForContainer(9), kQuota * 2, MountUri(), 0644,
                        WriteType::kMustCache};
  auto session = FileWriteSession::Start(*store_, resolver_, must);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ((*session)->Write(big).code(), ErrorCode::kNoSpace);
  (*session)->Abort();

  FileWriteOptions through{InodeIdForContainer(10), kQuota * 2, MountUri(), 0644,
                           WriteType::kCacheThrough};
  auto cached = FileWriteSession::Start(*store_, resolver_, through);
  ASSERT_TRUE(cached.ok());
  ASSERT_TRUE((*cached)->Write(big).ok());
  auto finished = (*cached)->Finish();
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(ReadLocal(Staged(InodeIdForContainer(10))), big);
  EXPECT_FALSE(store_->HasBlock(BlockIdForFile(InodeIdForContainer(10), 0)));
}

}  // namespace
}  // namespace alluxio
