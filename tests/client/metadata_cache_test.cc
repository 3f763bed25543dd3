#include "core/client/metadata_cache.h"

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

// What a page of a listing shows is cached per child, but is no listing of the directory.
TEST(MetadataCacheTest, PutStatusesCachesEachChildOnly) {
  FakeClock clock;
  MetadataCache cache(10, milliseconds(1000), clock);
  const std::vector<FileInfo> page = {Info("/d/x", 1), Info("/d/y", 2)};
  cache.PutStatuses(page);
  EXPECT_EQ(cache.GetStatus("/d/x")->length, 1u);
  EXPECT_EQ(cache.GetStatus("/d/y")->length, 2u);
  EXPECT_FALSE(cache.GetListing("/d"));
  EXPECT_EQ(cache.size(), 2u);
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
