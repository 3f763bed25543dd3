// StagingFile (core/fs/staging_file.h): a sparse local file, unlinked from the start.
#include "core/fs/staging_file.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "tests/util/temp_dir.h"

namespace alluxio::fs {
namespace {

std::string ReadAt(const StagingFile& file, uint64_t offset, size_t n) {
  std::string out(n, '?');
  Result<size_t> got = file.Read(offset, std::span<char>(out.data(), out.size()));
  EXPECT_TRUE(got.ok()) << got.error().ToString();
  out.resize(got.ok() ? *got : 0);
  return out;
}

TEST(StagingFileTest, WritesAnywhereHolesReadAsZerosAndNothingIsLeftInTheDirectory) {
  testing::TempDir dir;
  auto file = StagingFile::Create(dir.path());
  ASSERT_TRUE(file.ok()) << file.error().ToString();
  StagingFile& f = **file;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));  // unlinked from the start
  ASSERT_TRUE(f.Write(10, std::string_view("tail")).ok());
  ASSERT_TRUE(f.Write(0, std::string_view("ab")).ok());
  EXPECT_EQ(f.size(), 14u);
  EXPECT_EQ(ReadAt(f, 0, 100), std::string("ab") + std::string(8, '\0') + "tail");
  EXPECT_EQ(ReadAt(f, 12, 100), "il");  // short only at the end
  EXPECT_EQ(ReadAt(f, 14, 10), "");
  ASSERT_TRUE(f.Truncate(12).ok());
  EXPECT_EQ(ReadAt(f, 8, 100), std::string(2, '\0') + "ta");
  ASSERT_TRUE(f.Truncate(16).ok());
  EXPECT_EQ(ReadAt(f, 10, 100), std::string("ta") + std::string(4, '\0'));
}

TEST(StagingFileTest, AMissingDirectoryFails) {
  auto file = StagingFile::Create("/nonexistent/alluxio-staging");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace alluxio::fs
