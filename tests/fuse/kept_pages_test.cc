// KeptPages: which opens keep a node's cached pages, which drop them and which bypass them.
#include "core/fuse/kept_pages.h"

#include <gtest/gtest.h>

namespace alluxio::fuse {
namespace {

constexpr fs::ContentVersion kV1{7, 100, 1000};
constexpr fs::ContentVersion kV2{8, 100, 2000};

TEST(KeptPagesTest, TheFirstOpenDropsUnknownPagesAndLaterOpensOfTheSameContentKeepThem) {
  KeptPages pages;
  KeptPages::OpenReply first = pages.Opened(1, 10, kV1);
  EXPECT_FALSE(first.keep_cache);
  EXPECT_FALSE(first.direct_io);
  EXPECT_FALSE(first.replaced);
  EXPECT_TRUE(pages.Opened(1, 11, kV1).keep_cache);  // while the first is open
  pages.Released(10);
  pages.Released(11);
  EXPECT_TRUE(pages.Opened(1, 12, kV1).keep_cache);  // after both closed
}

TEST(KeptPagesTest, AnOpenOfReplacedContentDropsThePagesWhenNoReaderOfTheOldIsLeft) {
  KeptPages pages;
  (void)pages.Opened(1, 10, kV1);
  pages.Released(10);
  KeptPages::OpenReply replaced = pages.Opened(1, 11, kV2);
  EXPECT_FALSE(replaced.keep_cache);
  EXPECT_FALSE(replaced.direct_io);
  EXPECT_TRUE(replaced.replaced);
  pages.Released(11);
  EXPECT_TRUE(pages.Opened(1, 12, kV2).keep_cache);
}

TEST(KeptPagesTest, AnOpenOfReplacedContentBypassesThePagesWhileTheOldIsRead) {
  KeptPages pages;
  (void)pages.Opened(1, 10, kV1);
  KeptPages::OpenReply bypass = pages.Opened(1, 11, kV2);
  EXPECT_TRUE(bypass.direct_io);
  EXPECT_FALSE(bypass.keep_cache);
  EXPECT_TRUE(bypass.replaced);
  pages.Released(11);                                // a bypassing handle counts for nothing
  EXPECT_TRUE(pages.Opened(1, 12, kV1).keep_cache);  // the old content's pages are intact
  pages.Released(12);
  pages.Released(10);
  EXPECT_FALSE(pages.Opened(1, 13, kV2).keep_cache);
}

TEST(KeptPagesTest, ContentThatMayChangeIsNeverKeptAndMakesThePagesUnknown) {
  KeptPages pages;
  (void)pages.Opened(1, 10, kV1);
  pages.Released(10);
  EXPECT_FALSE(pages.Opened(1, 11, std::nullopt).keep_cache);
  pages.Released(11);
  EXPECT_FALSE(pages.Opened(1, 12, kV1).keep_cache);
}

TEST(KeptPagesTest, NodesAreIndependentAndIdleRecordsBeyondCapacityAreDroppedOldestFirst) {
  KeptPages pages(2);
  for (uint64_t node = 1; node <= 3; ++node) {
    (void)pages.Opened(node, node * 10, kV1);
    pages.Released(node * 10);
  }
  EXPECT_EQ(pages.records(), 2u);
  EXPECT_FALSE(pages.Opened(1, 100, kV1).keep_cache);  // node 1's record was dropped
  EXPECT_TRUE(pages.Opened(3, 101, kV1).keep_cache);
}

}  // namespace
}  // namespace alluxio::fuse
