// UfsResolver: UFS objects per mount id, made with the mount's options over the process's,
// never shared by URI across mounts, and dropped with their mount.
#include "core/worker/ufs_resolver.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

// A factory that records the URI and options of every UFS it makes (local UFS objects).
struct RecordingFactory {
  struct Made {
    std::string uri;
    UfsOptions options;
  };
  std::vector<Made> made;

  UfsFactory Factory() {
    return [this](std::string_view uri, const UfsOptions& options) {
      made.push_back(Made{std::string(uri), options});
      return CreateUnderFileSystem(uri, options);
    };
  }
};

TEST(UfsResolverTest, EachMountHasItsOwnObjectsWithItsOptionsOverTheProcesss) {
  testing::TempDir dir;
  RecordingFactory factory;
  UfsResolver resolver(factory.Factory(), {{"alluxio.underfs.x", "process"}, {"s3a.y", "p"}});
  EXPECT_FALSE(resolver.Knows(7));
  EXPECT_EQ(resolver.Resolve(7, dir.Sub("f")).code(), ErrorCode::kNotFound);
  resolver.Learn(7, {{"alluxio.underfs.x", "mount 7"}});
  resolver.Learn(8, {{"alluxio.underfs.x", "mount 8"}});
  EXPECT_TRUE(resolver.Knows(7));

  auto a = resolver.Resolve(7, dir.Sub("f"));
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->path, dir.Sub("f"));
  auto again = resolver.Resolve(7, dir.Sub("g"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ufs, a->ufs);  // one object per mount and root
  auto b = resolver.Resolve(8, dir.Sub("f"));
  ASSERT_TRUE(b.ok());
  EXPECT_NE(b->ufs, a->ufs);  // the same URI under another mount: another object
  ASSERT_EQ(factory.made.size(), 2u);
  EXPECT_EQ(factory.made[0].options.at("alluxio.underfs.x"), "mount 7");
  EXPECT_EQ(factory.made[0].options.at("s3a.y"), "p");
  EXPECT_EQ(factory.made[1].options.at("alluxio.underfs.x"), "mount 8");

  // Learning a known mount again changes nothing (a mount id names one mount forever).
  resolver.Learn(7, {{"alluxio.underfs.x", "other"}});
  auto root = resolver.Root(7, dir.path());
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(factory.made.back().options.at("alluxio.underfs.x"), "mount 7");
  EXPECT_EQ(resolver.Resolve(7, "no-scheme").code(), ErrorCode::kInvalidPath);
}

TEST(UfsResolverTest, RetainDropsUnmountedMountsLearnedBeforeTheMasterWasAsked) {
  testing::TempDir dir;
  UfsResolver resolver;
  resolver.Learn(1, {});
  resolver.Learn(2, {});
  auto held = resolver.Resolve(2, dir.Sub("f"));
  ASSERT_TRUE(held.ok());
  const uint64_t asked = resolver.Generation();
  resolver.Learn(3, {});  // learned after the master was asked: it may be newer than its answer
  const std::vector<uint64_t> live{1};
  EXPECT_EQ(resolver.Retain(live, asked), std::vector<uint64_t>{2});
  EXPECT_TRUE(resolver.Knows(1));
  EXPECT_FALSE(resolver.Knows(2));
  EXPECT_TRUE(resolver.Knows(3));
  EXPECT_EQ(resolver.Resolve(2, dir.Sub("f")).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(held->ufs->GetStatus("/").ok());  // a holder keeps its object
  EXPECT_EQ(resolver.Retain(live, resolver.Generation()), std::vector<uint64_t>{3});
  EXPECT_FALSE(resolver.Knows(3));
}

}  // namespace
}  // namespace alluxio
