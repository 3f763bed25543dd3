#include "core/master/inode_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/common/block_id.h"
#include "tests/master/master_test_util.h"

namespace alluxio {
namespace {

using testing::TempDir;

Inode SampleFile(uint64_t container, uint64_t parent, std::string name) {
  Inode inode;
  inode.id = InodeIdForContainer(container);
  inode.parent_id = parent;
  inode.name = std::move(name);
  inode.mode = 0640;
  inode.owner = "alice";
  inode.group = "staff";
  inode.mtime_ms = -5;  // before the epoch still round-trips
  inode.length = 3000;
  inode.block_size = 1024;
  inode.completed = true;
  inode.persisted = true;
  inode.ufs_fingerprint = "fp:1";
  inode.last_sync_ms = 123456789;
  for (uint64_t i = 0; i < 3; ++i) inode.block_ids.push_back(BlockIdForFile(inode.id, i));
  return inode;
}

TEST(BlockIdTest, DerivesIdsFromContainers) {
  EXPECT_EQ(InodeIdForContainer(1), 0x1FFFFFFu);
  EXPECT_EQ(kRootInodeId, 0xFFFFFFu);
  uint64_t file = InodeIdForContainer(0x1234);
  EXPECT_EQ(ContainerIdOf(file), 0x1234u);
  EXPECT_EQ(SequenceOf(file), kMaxSequence);
  EXPECT_EQ(BlockIdForFile(file, 0), 0x1234ull << 24);
  EXPECT_EQ(BlockIdForFile(file, 7), (0x1234ull << 24) | 7);
  EXPECT_EQ(ContainerIdOf(BlockIdForFile(file, 7)), 0x1234u);
  EXPECT_EQ(BlockCount(0, 1024), 0u);
  EXPECT_EQ(BlockCount(1, 1024), 1u);
  EXPECT_EQ(BlockCount(1024, 1024), 1u);
  EXPECT_EQ(BlockCount(1025, 1024), 2u);
}

TEST(InodeEncodingTest, RoundTrips) {
  Inode inode = SampleFile(42, kRootInodeId, "file");
  auto decoded = DecodeInode(EncodeInode(inode));
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_EQ(decoded->id, inode.id);
  EXPECT_EQ(decoded->parent_id, inode.parent_id);
  EXPECT_EQ(decoded->name, inode.name);
  EXPECT_EQ(decoded->mode, inode.mode);
  EXPECT_EQ(decoded->owner, inode.owner);
  EXPECT_EQ(decoded->group, inode.group);
  EXPECT_EQ(decoded->mtime_ms, inode.mtime_ms);
  EXPECT_EQ(decoded->length, inode.length);
  EXPECT_EQ(decoded->block_size, inode.block_size);
  EXPECT_EQ(decoded->completed, inode.completed);
  EXPECT_EQ(decoded->persisted, inode.persisted);
  EXPECT_EQ(decoded->is_directory, inode.is_directory);
  EXPECT_EQ(decoded->children_loaded, inode.children_loaded);
  EXPECT_EQ(decoded->ufs_fingerprint, inode.ufs_fingerprint);
  EXPECT_EQ(decoded->last_sync_ms, inode.last_sync_ms);
  EXPECT_EQ(decoded->block_ids, inode.block_ids);
  EXPECT_FALSE(decoded->to_be_persisted);
  inode.to_be_persisted = true;
  EXPECT_TRUE(DecodeInode(EncodeInode(inode))->to_be_persisted);
}

// A directory's listing has a sync time of its own, after the blocks; a record written before
// it existed decodes with the directory's own sync time.
TEST(InodeEncodingTest, DirectoryRecordGolden) {
  Inode dir;
  dir.id = 5;
  dir.parent_id = 1;
  dir.name = "d";
  dir.is_directory = true;
  dir.mode = 0755;
  dir.completed = true;
  dir.persisted = true;
  dir.children_loaded = true;
  dir.last_sync_ms = 3;
  dir.children_sync_ms = 2;
  const std::string golden = {
      1,            // format version
      0x2f,         // flags: directory | completed | persisted | children loaded | its time
      5,      1,    // id, parent id
      1,      'd',  // name
      '\xed', 3,    // mode 0755 (varint)
      0,      0,    // owner, group
      0,            // mtime 0
      0,      0,    // length, block size
      0,      6,    // fingerprint "", last sync 3 (zig-zag)
      0,            // no blocks
      4,            // children sync 2 (zig-zag), after the blocks
  };
  EXPECT_EQ(EncodeInode(dir), golden);
  auto decoded = DecodeInode(golden);
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_EQ(decoded->children_sync_ms, 2);
  EXPECT_EQ(decoded->last_sync_ms, 3);
  std::string old = golden.substr(0, golden.size() - 1);
  old[1] = 0x0f;
  decoded = DecodeInode(old);
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_TRUE(decoded->children_loaded);
  EXPECT_EQ(decoded->children_sync_ms, 3);
}

TEST(InodeEncodingTest, SymlinkRecordGolden) {
  Inode link;
  link.id = 5;
  link.parent_id = 1;
  link.name = "l";
  link.mode = 0777;
  link.owner = "u";
  link.group = "g";
  link.mtime_ms = 3;
  link.length = 1;
  link.completed = true;
  link.persisted = true;
  link.symlink_target = "f";
  const std::string golden = {
      1,                    // format version
      0x16,                 // flags: completed | persisted | symlink
      5,      1,            // id, parent id
      1,      'l',          // name
      '\xff', 3,            // mode 0777 (varint)
      1,      'u', 1, 'g',  // owner, group
      6,                    // mtime 3 (zig-zag)
      1,      0,            // length, block size
      0,      0,            // fingerprint "", last sync 0
      0,                    // no blocks
      1,      'f',          // the target, after the blocks
  };
  EXPECT_EQ(EncodeInode(link), golden);
  auto decoded = DecodeInode(golden);
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_TRUE(decoded->is_symlink());
  EXPECT_EQ(decoded->symlink_target, "f");
  EXPECT_FALSE(decoded->is_directory);
  // The same record without the flag and the target: a file, as written before links existed.
  std::string file = golden.substr(0, golden.size() - 2);
  file[1] = 0x06;
  decoded = DecodeInode(file);
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_FALSE(decoded->is_symlink());
  // The flag without a target, or with an empty one, is corrupt.
  file[1] = 0x16;
  EXPECT_EQ(DecodeInode(file).code(), ErrorCode::kInternal);
  EXPECT_EQ(DecodeInode(file + std::string(1, '\0')).code(), ErrorCode::kInternal);
}

TEST(InodeEncodingTest, RejectsCorruptRecords) {
  std::string bytes = EncodeInode(SampleFile(1, 2, "x"));
  EXPECT_EQ(DecodeInode(bytes.substr(0, bytes.size() - 1)).code(), ErrorCode::kInternal);
  EXPECT_EQ(DecodeInode(bytes + "z").code(), ErrorCode::kInternal);
  bytes[0] = 99;  // unknown version
  EXPECT_EQ(DecodeInode(bytes).code(), ErrorCode::kInternal);
  EXPECT_EQ(DecodeInode("").code(), ErrorCode::kInternal);
}

TEST(InodeStoreTest, StoresInodesEdgesMountsAndCounter) {
  TempDir tmp;
  std::string dir = tmp.path() + "/db";
  {
    auto store = InodeStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    InodeStore::Batch batch;
    Inode file = SampleFile(7, kRootInodeId, "f");
    batch.PutInode(file);
    batch.PutEdge(kRootInodeId, "f", file.id);
    batch.PutMount(MountInfo{"/mnt", "file:///data", true, {{"k", "v"}}, 0x1234567890abcdefull});
    batch.PutContainerReservation(1000);
    ASSERT_TRUE((*store)->Commit(batch).ok());
    EXPECT_TRUE(batch.empty());
  }
  auto store = InodeStore::Open(dir);
  ASSERT_TRUE(store.ok());
  auto inode = (*store)->GetInode(InodeIdForContainer(7));
  ASSERT_TRUE(inode.ok() && inode->has_value());
  EXPECT_EQ((*inode)->name, "f");
  auto child = (*store)->GetChildId(kRootInodeId, "f");
  ASSERT_TRUE(child.ok() && child->has_value());
  EXPECT_EQ(**child, InodeIdForContainer(7));
  EXPECT_FALSE((*store)->GetChildId(kRootInodeId, "g")->has_value());
  EXPECT_FALSE((*store)->GetInode(12345)->has_value());
  auto mounts = (*store)->ListMounts();
  ASSERT_TRUE(mounts.ok());
  ASSERT_EQ(mounts->size(), 1u);
  EXPECT_EQ((*mounts)[0].alluxio_path, "/mnt");
  EXPECT_EQ((*mounts)[0].ufs_uri, "file:///data");
  EXPECT_TRUE((*mounts)[0].read_only);
  EXPECT_EQ((*mounts)[0].options.at("k"), "v");
  EXPECT_EQ((*mounts)[0].mount_id, 0x1234567890abcdefull);
  EXPECT_EQ(**(*store)->GetContainerReservation(), 1000u);
}

// A record written before mounts had ids (version 1) reads with id 0; the master gives it one.
TEST(InodeStoreTest, ListsPendingPersistsInIdOrderUntilDeleted) {
  TempDir tmp;
  auto store = InodeStore::Open(tmp.path() + "/db");
  ASSERT_TRUE(store.ok());
  InodeStore::Batch batch;
  batch.PutPendingPersist(InodeIdForContainer(9));
  batch.PutPendingPersist(InodeIdForContainer(3));
  batch.PutInode(SampleFile(5, kRootInodeId, "f"));  // other keys are not listed
  ASSERT_TRUE((*store)->Commit(batch).ok());
  EXPECT_EQ(*(*store)->ListPendingPersists(),
            (std::vector<uint64_t>{InodeIdForContainer(3), InodeIdForContainer(9)}));
  InodeStore::Batch done;
  done.DeletePendingPersist(InodeIdForContainer(3));
  ASSERT_TRUE((*store)->Commit(done).ok());
  EXPECT_EQ(*(*store)->ListPendingPersists(), std::vector<uint64_t>{InodeIdForContainer(9)});
}

TEST(InodeStoreTest, MountRecordsWithoutIdStillDecode) {
  std::string record = EncodeMount(MountInfo{"/m", "s3://b/p", false, {{"k", "v"}}, 42});
  record[0] = 1;
  record.resize(record.size() - 8);  // version 1 ended after the options
  auto mount = DecodeMount("/m", record);
  ASSERT_TRUE(mount.ok()) << mount.error().ToString();
  EXPECT_EQ(mount->ufs_uri, "s3://b/p");
  EXPECT_EQ(mount->options.at("k"), "v");
  EXPECT_EQ(mount->mount_id, 0u);
  EXPECT_FALSE(DecodeMount("/m", record.substr(0, record.size() - 1)).ok());
}

TEST(InodeStoreTest, ListsChildrenInNameOrderByPage) {
  TempDir tmp;
  auto store = InodeStore::Open(tmp.path() + "/db");
  ASSERT_TRUE(store.ok());
  InodeStore::Batch batch;
  // Two parents whose edges are adjacent in key order must not leak into each other.
  std::vector<std::string> names = {"b", "a", "ab", "B", "a0", "zz", "\xff", "m"};
  for (size_t i = 0; i < names.size(); ++i) batch.PutEdge(100, names[i], i + 1);
  batch.PutEdge(99, "other", 50);
  batch.PutEdge(101, "other", 51);
  ASSERT_TRUE((*store)->Commit(batch).ok());

  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  auto all = (*store)->ListChildren(100, "", 0);
  ASSERT_TRUE(all.ok());
  std::vector<std::string> got;
  for (const auto& c : *all) got.push_back(c.name);
  EXPECT_EQ(got, sorted);

  got.clear();
  std::string after;
  while (true) {
    auto page = (*store)->ListChildren(100, after, 3);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    EXPECT_LE(page->size(), 3u);
    for (const auto& c : *page) got.push_back(c.name);
    after = page->back().name;
  }
  EXPECT_EQ(got, sorted);

  // start_after need not be an existing name.
  auto from_a1 = (*store)->ListChildren(100, "a1", 2);
  ASSERT_TRUE(from_a1.ok());
  ASSERT_EQ(from_a1->size(), 2u);
  EXPECT_EQ((*from_a1)[0].name, "ab");
  EXPECT_EQ((*from_a1)[1].name, "b");

  EXPECT_TRUE(*(*store)->HasChildren(100));
  EXPECT_FALSE(*(*store)->HasChildren(102));
  InodeStore::Batch del;
  for (const auto& n : names) del.DeleteEdge(100, n);
  ASSERT_TRUE((*store)->Commit(del).ok());
  EXPECT_FALSE(*(*store)->HasChildren(100));
  EXPECT_TRUE(*(*store)->HasChildren(101));
}

TEST(InodeStoreTest, SecondOpenOfALockedStoreFails) {
  TempDir tmp;
  auto first = InodeStore::Open(tmp.path() + "/db");
  ASSERT_TRUE(first.ok());
  auto second = InodeStore::Open(tmp.path() + "/db");
  EXPECT_EQ(second.code(), ErrorCode::kIoError);
}

TEST(MountTableTest, ResolvesLongestMountPrefix) {
  EXPECT_EQ(LocalPathOfUri("file:///data/x"), "/data/x");
  EXPECT_EQ(LocalPathOfUri("file://localhost/data"), "/data");
  EXPECT_EQ(LocalPathOfUri("/data"), "/data");
  EXPECT_EQ(LocalPathOfUri("s3://bucket/p"), "");
  MountTable table;
  table.Add(MountInfo{"/", "file:///root", false, {}}, nullptr);
  table.Add(MountInfo{"/mnt/a", "/other", true, {}}, nullptr);
  auto r = table.Resolve("/x/y");
  EXPECT_EQ(r.mount->info.alluxio_path, "/");
  EXPECT_EQ(r.ufs_path, "/x/y");
  EXPECT_EQ(r.ufs_uri, "file:///root/x/y");
  EXPECT_EQ(table.Resolve("/").ufs_path, "/");
  EXPECT_EQ(table.Resolve("/").ufs_uri, "file:///root");
  EXPECT_EQ(table.Resolve("/mnt/a").ufs_path, "/");
  EXPECT_EQ(table.Resolve("/mnt/a/f").ufs_path, "/f");
  EXPECT_EQ(table.Resolve("/mnt/a/f").ufs_uri, "/other/f");
  EXPECT_EQ(table.Resolve("/mnt/ab").ufs_path, "/mnt/ab");
  EXPECT_EQ(table.Resolve("/mnt/ab").mount->info.alluxio_path, "/");
  EXPECT_TRUE(table.HasMountBelow("/mnt"));
  EXPECT_TRUE(table.HasMountBelow("/"));
  EXPECT_FALSE(table.HasMountBelow("/mnt/a"));
  EXPECT_NE(table.Find("/mnt/a"), nullptr);
  EXPECT_EQ(table.Find("/mnt"), nullptr);
}

TEST(InodeStoreTest, OneWalSyncCoversEveryBatchWrittenBeforeIt) {
  TempDir tmp;
  auto store = InodeStore::Open(tmp.path() + "/db");
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  InodeStore::Batch first, second;
  first.PutInode(SampleFile(1, kRootInodeId, "a"));
  second.PutInode(SampleFile(2, kRootInodeId, "b"));
  auto t1 = (*store)->Write(first);
  auto t2 = (*store)->Write(second);
  ASSERT_TRUE(t1.ok() && t2.ok());
  EXPECT_LT(*t1, *t2);
  // Written batches are visible before they are durable.
  auto b = (*store)->GetInode(InodeIdForContainer(2));
  ASSERT_TRUE(b.ok() && b->has_value());
  ASSERT_TRUE((*store)->WaitDurable(*t2).ok());
  EXPECT_EQ((*store)->wal_syncs(), 1u);
  ASSERT_TRUE((*store)->WaitDurable(*t1).ok());  // covered by the same sync
  EXPECT_EQ((*store)->wal_syncs(), 1u);
  InodeStore::Batch third;
  third.PutInode(SampleFile(3, kRootInodeId, "c"));
  auto t3 = (*store)->Write(third);
  ASSERT_TRUE(t3.ok());
  ASSERT_TRUE((*store)->WaitDurable(*t3).ok());
  EXPECT_EQ((*store)->wal_syncs(), 2u);
}

TEST(InodeStoreTest, ConcurrentWaitersAllReturnDurableAndShareSyncs) {
  TempDir tmp;
  auto store = InodeStore::Open(tmp.path() + "/db");
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        InodeStore::Batch batch;
        uint64_t container = 1 + t * kPerThread + i;
        batch.PutInode(SampleFile(container, kRootInodeId, fmt::format("f{}", container)));
        auto ticket = (*store)->Write(batch);
        if (!ticket.ok() || !(*store)->WaitDurable(*ticket).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  // Never more syncs than waits (each wait syncs at most once when no sync covers it).
  EXPECT_LE((*store)->wal_syncs(), static_cast<uint64_t>(kThreads * kPerThread));
  for (uint64_t c = 1; c <= kThreads * kPerThread; ++c) {
    auto inode = (*store)->GetInode(InodeIdForContainer(c));
    ASSERT_TRUE(inode.ok() && inode->has_value()) << c;
  }
}

}  // namespace
}  // namespace alluxio
