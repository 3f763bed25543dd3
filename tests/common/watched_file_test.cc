#include "core/common/watched_file.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

using std::chrono::milliseconds;

// Replaces `path` by a new file (a new inode).
void Replace(const std::string& path, const std::string& content) {
  std::ofstream(path + ".tmp", std::ios::trunc) << content;
  std::filesystem::rename(path + ".tmp", path);
}

TEST(WatchedFileTest, ReturnsTheContentOnlyWhenItChanged) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/control";
  WatchedFile file(path, milliseconds(0));
  EXPECT_EQ(file.Changed(), std::nullopt);  // absent from the start: nothing changed
  Replace(path, "one");
  EXPECT_EQ(file.Changed(), "one");
  EXPECT_EQ(file.Changed(), std::nullopt);
  Replace(path, "one");  // same content, a new inode: a change
  EXPECT_EQ(file.Changed(), "one");
  Replace(path, "two\n");
  EXPECT_EQ(file.Changed(), "two\n");
  std::filesystem::remove(path);
  EXPECT_EQ(file.Changed(), "");
  EXPECT_EQ(file.Changed(), std::nullopt);
}

TEST(WatchedFileTest, LooksNoMoreThanOncePerInterval) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/control";
  Replace(path, "one");
  WatchedFile file(path, std::chrono::hours(1));
  EXPECT_EQ(file.Changed(), "one");  // the first call looks
  Replace(path, "two");
  EXPECT_EQ(file.Changed(), std::nullopt);  // not again within the hour
}

TEST(ControlLinesTest, SplitsWordsAndDropsCommentsAndBlankLines) {
  auto lines = ControlLines("fail read kIoError /a  # why\n\n  # only a comment\nclear\r\nx\ty");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].number, 1u);
  EXPECT_EQ(lines[0].words, (std::vector<std::string_view>{"fail", "read", "kIoError", "/a"}));
  EXPECT_EQ(lines[1].number, 4u);
  EXPECT_EQ(lines[1].words, (std::vector<std::string_view>{"clear"}));
  EXPECT_EQ(lines[2].number, 5u);
  EXPECT_EQ(lines[2].words, (std::vector<std::string_view>{"x", "y"}));
}

}  // namespace
}  // namespace alluxio
