#include "core/master/alluxio_path.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

namespace alluxio {
namespace {

using Components = std::vector<std::string>;

TEST(AlluxioPathTest, SplitsAndNormalizes) {
  EXPECT_EQ(*SplitPath("/"), Components{});
  EXPECT_EQ(*SplitPath("/a/b"), (Components{"a", "b"}));
  EXPECT_EQ(*SplitPath("//a///b/"), (Components{"a", "b"}));
  EXPECT_EQ(*NormalizePath("//a///b/"), "/a/b");
  EXPECT_EQ(*NormalizePath("///"), "/");
  EXPECT_EQ(*SplitPath("/.hidden/a..b/..."), (Components{".hidden", "a..b", "..."}));
}

TEST(AlluxioPathTest, RefusesBadPaths) {
  EXPECT_EQ(SplitPath("").code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(SplitPath("a/b").code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(SplitPath("/a/../b").code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(SplitPath("/a/./b").code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(SplitPath("/..").code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(SplitPath(std::string("/a\0b", 4)).code(), ErrorCode::kInvalidPath);
}

TEST(AlluxioPathTest, EnforcesLengthLimits) {
  std::string name255(255, 'n');
  std::string name256(256, 'n');
  EXPECT_TRUE(SplitPath(fmt::format("/{}", name255)).ok());
  EXPECT_EQ(SplitPath(fmt::format("/{}", name256)).code(), ErrorCode::kNameTooLong);
  EXPECT_EQ(SplitPath(fmt::format("/a/{}/b", name256)).code(), ErrorCode::kNameTooLong);

  std::string at_limit;
  while (at_limit.size() + 101 <= kMaxPathBytes)
    at_limit += fmt::format("/{}", std::string(100, 'x'));
  at_limit += fmt::format("/{}", std::string(kMaxPathBytes - at_limit.size() - 1, 'y'));
  ASSERT_EQ(at_limit.size(), kMaxPathBytes);
  EXPECT_TRUE(SplitPath(at_limit).ok());
  EXPECT_EQ(SplitPath(at_limit + "z").code(), ErrorCode::kNameTooLong);
}

TEST(AlluxioPathTest, ValidatesNames) {
  EXPECT_TRUE(ValidateName("a").ok());
  EXPECT_EQ(ValidateName("").code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(ValidateName(".").code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(ValidateName("..").code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(ValidateName("a/b").code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(ValidateName(std::string(256, 'x')).code(), ErrorCode::kNameTooLong);
}

TEST(AlluxioPathTest, JoinsAndComparesAncestry) {
  EXPECT_EQ(JoinPath({}), "/");
  EXPECT_EQ(JoinPath({"a", "b", "c"}, 2), "/a/b");
  EXPECT_EQ(ChildPath("/", "a"), "/a");
  EXPECT_EQ(ChildPath("/a", "b"), "/a/b");
  EXPECT_TRUE(IsSameOrUnder("/a", "/a"));
  EXPECT_TRUE(IsSameOrUnder("/a/b", "/a"));
  EXPECT_TRUE(IsSameOrUnder("/a", "/"));
  EXPECT_FALSE(IsSameOrUnder("/ab", "/a"));
  EXPECT_FALSE(IsSameOrUnder("/a", "/a/b"));
}

}  // namespace
}  // namespace alluxio
