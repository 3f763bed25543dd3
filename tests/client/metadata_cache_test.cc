#include "core/client/metadata_cache.h"

#include "core/common/block_id.h"

#include <gtest/gtest.h>

namespace alluxio {
namespace {

using std::chrono::milliseconds;

FileInfo Info(const std::string& path, uint64_t length = 0) {
  FileInfo info;
  info.path = path;
  info.name = path.substr(path.rfind('/') + 1);
  info.length = length;
  return info;
}

TEST(MetadataCacheTest, EntriesExpire) {
  FakeClock clock;
  MetadataCache cache(10, milliseconds(100), clock);
  cache.PutStatus(Info("/a", 5));
  ASSERT_TRUE(cache.GetStatus("/a"));
  EXPECT_EQ(cache.GetStatus("/a")->length, 5u);
  clock.Advance(milliseconds(100));
  EXPECT_FALSE(cache.GetStatus("/a"));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(MetadataCacheTest, LeastRecentlyUsedIsEvicted) {
  FakeClock clock;
  MetadataCache cache(2, milliseconds(1000), clock);
  cache.PutStatus(Info("/a"));
  cache.PutStatus(Info("/b"));
  ASSERT_TRUE(cache.GetStatus("/a"));  // /b is now the least recently used
  cache.PutStatus(Info("/c"));
  EXPECT_TRUE(cache.GetStatus("/a"));
  EXPECT_FALSE(cache.GetStatus("/b"));
  EXPECT_TRUE(cache.GetStatus("/c"));
}

TEST(MetadataCacheTest, ListingCachesChildrenAndInvalidationDropsSubtreeAndParentListing) {
  FakeClock clock;
  MetadataCache cache(100, milliseconds(1000), clock);
  cache.PutListing("/d", {Info("/d/x"), Info("/d/y")});
  cache.PutListing("/", {Info("/d"), Info("/dd")});
  cache.PutStatus(Info("/dd"));
  cache.PutStatus(Info("/d/x/deep"));
  ASSERT_TRUE(cache.GetListing("/d"));
  EXPECT_EQ(cache.GetListing("/d")->size(), 2u);
  EXPECT_TRUE(cache.GetStatus("/d/y"));

  cache.InvalidatePath("/d");
  EXPECT_FALSE(cache.GetListing("/d"));
  EXPECT_FALSE(cache.GetStatus("/d/y"));
  EXPECT_FALSE(cache.GetStatus("/d/x/deep"));
  EXPECT_FALSE(cache.GetListing("/"));  // the parent's listing named /d
  EXPECT_TRUE(cache.GetStatus("/dd"));  // a sibling sharing the prefix stays
}

TEST(MetadataCacheTest, BlocksAreKeptWithTheirFileOnly) {
  FakeClock clock;
  MetadataCache cache(10, milliseconds(1000), clock);
  client::FileBlocks file;
  file.info = Info("/f", 7);
  file.info.id = 1;
  file.blocks.push_back(client::BlockInfo{100, 0, 7, {}});
  cache.PutBlocks(file);
  ASSERT_TRUE(cache.GetBlocks("/f"));
  EXPECT_EQ(cache.GetBlocks("/f")->blocks.at(0).block_id, 100u);
  EXPECT_EQ(cache.GetStatus("/f")->length, 7u);
  // The same file's status keeps them; another file at the path (a new id) drops them.
  cache.PutStatus(file.info);
  EXPECT_TRUE(cache.GetBlocks("/f"));
  FileInfo replaced = Info("/f", 9);
  replaced.id = 2;
  cache.PutStatus(replaced);
  EXPECT_FALSE(cache.GetBlocks("/f"));
  cache.PutBlocks(file);
  cache.InvalidatePath("/f");
  EXPECT_FALSE(cache.GetBlocks("/f"));
}

TEST(MetadataCacheTest, NegativeEntries) {
  FakeClock clock;
  MetadataCache cache(10, milliseconds(1000), clock);
  cache.PutMissing("/gone");
  EXPECT_TRUE(cache.IsMissing("/gone"));
  EXPECT_FALSE(cache.GetStatus("/gone"));
  cache.InvalidatePath("/gone");
  EXPECT_FALSE(cache.IsMissing("/gone"));
  cache.PutStatus(Info("/x"));
  EXPECT_FALSE(cache.IsMissing("/x"));
}

// A directory's listing answers for the names it lacks, and keeps answering after this
// client's own creations in it, which it gains; until it expires or another change drops it.
TEST(MetadataCacheTest, AListingKnowsTheNamesItLacksAndGainsTheClientsCreations) {
  FakeClock clock;
  MetadataCache cache(10, milliseconds(100), clock);
  cache.PutListing("/d", {});
  EXPECT_TRUE(cache.IsMissing("/d/new"));
  EXPECT_FALSE(cache.IsMissing("/d"));
  EXPECT_FALSE(cache.IsMissing("/e/new"));  // no listing of /e
  cache.InvalidateCreated("/d/new");
  EXPECT_FALSE(cache.IsMissing("/d/new"));
  EXPECT_TRUE(cache.IsMissing("/d/other"));
  EXPECT_FALSE(cache.GetListing("/d"));  // the new child's status is not cached
  cache.PutStatus(Info("/d/new", 4));
  ASSERT_TRUE(cache.GetListing("/d"));
  EXPECT_EQ(cache.GetListing("/d")->size(), 1u);
  cache.InvalidateCreated("/d/new");  // completed: still named, its status dropped
  EXPECT_FALSE(cache.IsMissing("/d/new"));
  EXPECT_FALSE(cache.GetStatus("/d/new"));
  EXPECT_TRUE(cache.IsMissing("/d/other"));
  cache.InvalidatePath("/d/new");  // a removal or rename: the listing goes
  EXPECT_FALSE(cache.IsMissing("/d/other"));
  cache.PutListing("/d", {});
  clock.Advance(milliseconds(100));
  EXPECT_FALSE(cache.IsMissing("/d/other"));
}

TEST(MetadataCacheTest, NegativeEntriesExpire) {
  FakeClock clock;
  MetadataCache cache(10, milliseconds(100), clock);
  cache.PutMissing("/gone");
  clock.Advance(milliseconds(99));
  EXPECT_TRUE(cache.IsMissing("/gone"));
  clock.Advance(milliseconds(1));
  EXPECT_FALSE(cache.IsMissing("/gone"));
}

TEST(MetadataCacheTest, StatusesComeBackWithTheirPathAndName) {
  FakeClock clock;
  MetadataCache cache(10, milliseconds(1000), clock);
  FileInfo info = Info("/dir/a-rather-long-file-name.bin", 3);
  info.ufs_uri = "/ufs/dir/a-rather-long-file-name.bin";
  cache.PutStatus(info);
  std::optional<FileInfo> got = cache.GetStatus("/dir/a-rather-long-file-name.bin");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->path, info.path);
  EXPECT_EQ(got->name, info.name);
  EXPECT_EQ(got->ufs_uri, info.ufs_uri);
  EXPECT_EQ(got->length, 3u);
  cache.PutStatus(Info("/", 0));
  EXPECT_EQ(cache.GetStatus("/")->path, "/");
  EXPECT_EQ(cache.GetStatus("/")->name, "");
}

bool SameInfo(const FileInfo& a, const FileInfo& b) {
  return a.id == b.id && a.name == b.name && a.path == b.path && a.is_directory == b.is_directory &&
         a.mode == b.mode && a.owner == b.owner && a.group == b.group && a.mtime_ms == b.mtime_ms &&
         a.length == b.length && a.block_size == b.block_size && a.completed == b.completed &&
         a.persisted == b.persisted && a.mount_point == b.mount_point &&
         a.block_ids == b.block_ids && a.ufs_uri == b.ufs_uri && a.mount_id == b.mount_id &&
         a.symlink_target == b.symlink_target;
}

// Statuses are stored compactly (interned names and UFS roots, derived block ids): every field
// comes back as it was put, whatever the shape.
TEST(MetadataCacheTest, EveryFieldOfAStatusComesBackAsItWasPut) {
  FakeClock clock;
  MetadataCache cache(100, milliseconds(1000), clock);
  const uint64_t file_id = InodeIdForContainer(77);
  std::vector<FileInfo> infos;
  FileInfo usual = Info("/data/train/part-00001.bin", 300);
  usual.id = file_id;
  usual.mode = 0644;
  usual.owner = "alice";
  usual.group = "staff";
  usual.mtime_ms = 1'700'000'000'123;
  usual.block_size = 128;
  usual.completed = usual.persisted = true;
  usual.block_ids = {BlockIdForFile(file_id, 0), BlockIdForFile(file_id, 1),
                     BlockIdForFile(file_id, 2)};
  usual.ufs_uri = "/srv/ufs/data/train/part-00001.bin";
  usual.mount_id = 1;
  infos.push_back(usual);
  FileInfo nested = usual;  // a nested mount: the UFS path shares only the part below it
  nested.path = "/mnt/s3/train/x";
  nested.name = "x";
  nested.ufs_uri = "s3://bucket/prefix/train/x";
  nested.mount_id = 9;
  infos.push_back(nested);
  FileInfo odd_blocks = usual;  // block ids that are not the derived ones
  odd_blocks.path = "/odd";
  odd_blocks.name = "odd";
  odd_blocks.block_ids = {5, 9};
  odd_blocks.ufs_uri = "";
  infos.push_back(odd_blocks);
  FileInfo link = Info("/l");
  link.symlink_target = "../target";
  link.ufs_uri = "/unrelated";
  infos.push_back(link);
  FileInfo dir = Info("/");
  dir.is_directory = dir.completed = true;
  dir.mount_point = true;
  dir.ufs_uri = "/srv/ufs";
  infos.push_back(dir);
  for (const FileInfo& info : infos) cache.PutStatus(info);
  for (const FileInfo& info : infos) {
    std::optional<FileInfo> got = cache.GetStatus(info.path);
    ASSERT_TRUE(got) << info.path;
    EXPECT_TRUE(SameInfo(*got, info)) << info.path << ": ufs " << got->ufs_uri << ", owner "
                                      << got->owner << ", blocks " << got->block_ids.size();
  }
}

FileInfo Complete(const std::string& path, uint64_t length = 0) {
  FileInfo info = Info(path, length);
  info.completed = true;
  return info;
}

// What a page of a listing shows is cached per child, but is no listing of the directory; a file
// being written is left out.
TEST(MetadataCacheTest, AListingPageCachesEachSettledChildOnly) {
  FakeClock clock;
  MetadataCache cache(10, milliseconds(1000), clock);
  const std::vector<FileInfo> page = {Complete("/d/x", 1), Complete("/d/y", 2), Info("/d/z")};
  cache.PutListingPage("/d", "", page, true);
  EXPECT_EQ(cache.GetStatus("/d/x")->length, 1u);
  EXPECT_EQ(cache.GetStatus("/d/y")->length, 2u);
  EXPECT_FALSE(cache.GetStatus("/d/z"));
  EXPECT_FALSE(cache.GetListing("/d"));
  EXPECT_EQ(cache.size(), 2u);
}

// A page fresh from the master that lacks a cached child (another client removed it) drops it,
// what is cached below it and the directory's listing; children outside the page's range stay.
TEST(MetadataCacheTest, AListingPageDropsTheChildrenItLacksInItsRange) {
  FakeClock clock;
  MetadataCache cache(20, milliseconds(1000), clock);
  cache.PutStatus(Info("/d"));
  cache.PutListing("/d", {Complete("/d/a"), Complete("/d/b"), Complete("/d/c"), Complete("/d/e")});
  cache.PutStatus(Complete("/d/b/x"));
  cache.PutStatus(Complete("/d-other"));
  cache.PutMissing("/d/bb");
  // A page after "a" up to "c": "b" is gone ("a" and "e" are outside it).
  const std::vector<FileInfo> page = {Complete("/d/c")};
  cache.PutListingPage("/d", "a", page, false);
  EXPECT_FALSE(cache.GetStatus("/d/b"));
  EXPECT_FALSE(cache.GetStatus("/d/b/x"));
  EXPECT_FALSE(cache.GetListing("/d"));
  EXPECT_TRUE(cache.GetStatus("/d/a"));
  EXPECT_TRUE(cache.GetStatus("/d/c"));
  EXPECT_TRUE(cache.GetStatus("/d/e"));
  EXPECT_TRUE(cache.GetStatus("/d-other"));
  EXPECT_TRUE(cache.IsMissing("/d/bb"));
  // The last page (to the end) lacks "e"; an empty directory lacks everything.
  cache.PutListingPage("/d", "c", {}, true);
  EXPECT_FALSE(cache.GetStatus("/d/e"));
  EXPECT_TRUE(cache.GetStatus("/d/c"));
  cache.PutListingPage("/d", "", {}, true);
  EXPECT_FALSE(cache.GetStatus("/d/a"));
  EXPECT_FALSE(cache.GetStatus("/d/c"));
  EXPECT_TRUE(cache.GetStatus("/d"));
}

// A listing holds its children's names: it is answered only while every child's status is.
TEST(MetadataCacheTest, AListingWithAnEvictedChildIsAMiss) {
  FakeClock clock;
  MetadataCache cache(3, milliseconds(1000), clock);
  cache.PutStatus(Info("/d"));
  cache.PutListing("/d", {Info("/d/x", 1), Info("/d/y", 2)});
  std::optional<std::vector<FileInfo>> listing = cache.GetListing("/d");
  ASSERT_TRUE(listing);
  ASSERT_EQ(listing->size(), 2u);
  EXPECT_EQ(listing->at(0).path, "/d/x");
  EXPECT_EQ(listing->at(1).name, "y");
  EXPECT_EQ(listing->at(1).length, 2u);
  ASSERT_TRUE(cache.GetStatus("/d"));
  ASSERT_TRUE(cache.GetStatus("/d/y"));
  cache.PutStatus(Info("/other"));  // evicts /d/x, the least recently used
  EXPECT_FALSE(cache.GetStatus("/d/x"));
  EXPECT_FALSE(cache.GetListing("/d"));
}

TEST(MetadataCacheTest, InvalidateAll) {
  MetadataCache cache(10, milliseconds(1000));
  cache.PutStatus(Info("/a"));
  cache.PutListing("/", {Info("/a")});
  cache.InvalidateAll();
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace alluxio
