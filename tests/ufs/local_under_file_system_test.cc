#include "core/ufs/local_under_file_system.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/ufs/under_file_system.h"
#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string ReadLocal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteLocal(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

std::vector<std::string> DirEntries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

std::set<std::string> ListNames(UnderFileSystem& ufs, std::string_view path) {
  auto list = ufs.List(path);
  EXPECT_TRUE(list.ok()) << list.error().ToString();
  std::set<std::string> names;
  if (list.ok()) {
    for (const auto& s : *list) names.insert(s.name);
  }
  return names;
}

class LocalUfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ufs = LocalUnderFileSystem::OpenRoot(dir_.path());
    ASSERT_TRUE(ufs.ok()) << ufs.error().ToString();
    ufs_ = std::move(ufs).value();
  }

  // Writes a file through the UFS (staged, then published) and returns its status.
  UfsStatus Put(std::string_view path, const std::string& data, uint32_t mode = 0644) {
    auto w = ufs_->CreateStaged("put", mode);
    EXPECT_TRUE(w.ok()) << w.error().ToString();
    if (!w.ok()) return {};
    EXPECT_TRUE((*w)->Write(data).ok());
    EXPECT_TRUE((*w)->Close().ok());
    auto st = ufs_->PublishStaged("put", path, data.size());
    EXPECT_TRUE(st.ok()) << st.error().ToString();
    return st.ok() ? *st : UfsStatus{};
  }

  // Entries of the root other than the staging directory.
  std::vector<std::string> RootEntries() {
    std::vector<std::string> names = DirEntries(dir_.path());
    std::erase(names, std::string(kLocalUfsStagingDir));
    return names;
  }

  std::string Local(std::string_view rel) { return dir_.path() + std::string(rel); }

  TempDir dir_;
  std::unique_ptr<LocalUnderFileSystem> ufs_;
};

TEST_F(LocalUfsTest, OwnerNameResolvesForCurrentUser) {
  UfsStatus st = Put("/f", "x");
  struct stat local;
  ASSERT_EQ(::stat(Local("/f").c_str(), &local), 0);
  if (local.st_uid == 0) {
    EXPECT_EQ(st.owner, "root");
  }
  EXPECT_EQ(st.mtime_ms,
            static_cast<int64_t>(local.st_mtim.tv_sec) * 1000 + local.st_mtim.tv_nsec / 1'000'000);
}

TEST_F(LocalUfsTest, StagedFileIsPublishedAcrossFileSystems) {
  TempDir other("/dev/shm");  // a symbolic link inside the root to another file system
  struct stat root_st, other_st;
  ASSERT_EQ(::stat(dir_.path().c_str(), &root_st), 0);
  ASSERT_EQ(::stat(other.path().c_str(), &other_st), 0);
  if (root_st.st_dev == other_st.st_dev) GTEST_SKIP() << "/dev/shm is on the root's file system";
  std::filesystem::create_directory_symlink(other.path(), Local("/link"));
  auto w = ufs_->CreateStaged("5", 0600);
  ASSERT_TRUE(w.ok());
  const std::string data(3 << 20, 'e');
  ASSERT_TRUE((*w)->Write(data).ok());
  ASSERT_TRUE((*w)->Close().ok());
  auto published = ufs_->PublishStaged("5", "/link/d/f", data.size());
  ASSERT_TRUE(published.ok()) << published.error().ToString();
  EXPECT_EQ(published->mode, 0600u);
  EXPECT_TRUE(ReadLocal(other.Sub("d/f")) == data);
  EXPECT_TRUE(ufs_->ListStaged()->empty());
  EXPECT_EQ(std::vector<std::string>(1, "f"), [&] {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(other.Sub("d"))) {
      names.push_back(e.path().filename().string());
    }
    return names;
  }());  // no temp file left beside it
}

// The contract (ufs_contract_test.cc) seen on the disk: the staged file is renamed onto its path
// (the same inode: the same fingerprint), nothing else is left in the root.
TEST_F(LocalUfsTest, PublishRenamesTheStagedFile) {
  auto w = ufs_->CreateStaged("42", 0640);
  ASSERT_TRUE(w.ok()) << w.error().ToString();
  const std::string data(3 << 20, 'd');  // past the first MiB: written behind, O_DIRECT
  ASSERT_TRUE((*w)->Write(data).ok());
  auto closed = (*w)->Close();
  ASSERT_TRUE(closed.ok()) << closed.error().ToString();
  EXPECT_EQ(RootEntries(), std::vector<std::string>{});
  auto published = ufs_->PublishStaged("42", "/d/f", data.size());
  ASSERT_TRUE(published.ok()) << published.error().ToString();
  EXPECT_EQ(published->fingerprint, closed->fingerprint);
  EXPECT_TRUE(ReadLocal(Local("/d/f")) == data);
  EXPECT_EQ(RootEntries(), std::vector<std::string>{"d"});
  EXPECT_TRUE(DirEntries(Local("/" + std::string(kLocalUfsStagingDir))).empty());
}

TEST_F(LocalUfsTest, SymbolicLinksAreRealLinks) {
  ASSERT_TRUE(ufs_->Mkdirs("/d", 0755).ok());
  ASSERT_TRUE(ufs_->CreateSymlink("/d/rel", "f").ok());
  EXPECT_EQ(fs::read_symlink(Local("/d/rel")), "f");
  ASSERT_TRUE(ufs_->SetMtime("/d/rel", 1'000'000'000'000).ok());
  EXPECT_EQ(ufs_->GetStatus("/d/rel")->mtime_ms, 1'000'000'000'000);
  ASSERT_TRUE(ufs_->Rename("/d/rel", "/d/moved").ok());
  EXPECT_EQ(fs::read_symlink(Local("/d/moved")), "f");
}

TEST_F(LocalUfsTest, RefusedPathsCreateNothing) {
  for (std::string_view bad : {"..", "/../x", "/a/./b", "a/b"}) {
    EXPECT_EQ(ufs_->Mkdirs(bad, 0755).code(), ErrorCode::kInvalidPath);
    EXPECT_EQ(ufs_->PublishStaged("1", bad, 0).code(), ErrorCode::kInvalidPath);
  }
  EXPECT_TRUE(DirEntries(dir_.path()).empty());
}

TEST_F(LocalUfsTest, ListHidesStrayTempFiles) {
  ASSERT_TRUE(ufs_->Mkdirs("/d", 0755).ok());
  WriteLocal(Local("/d/.alluxio_tmp.x.0123"), "crash leftover");
  WriteLocal(Local("/d/.hidden"), "a dot file is an ordinary file");
  EXPECT_EQ(ListNames(*ufs_, "/d"), std::set<std::string>{".hidden"});
}

TEST_F(LocalUfsTest, RecursiveDeleteDoesNotFollowSymlinks) {
  TempDir outside;
  WriteLocal(outside.path() + "/keep", "precious");
  ASSERT_TRUE(ufs_->Mkdirs("/d", 0755).ok());
  fs::create_directory_symlink(outside.path(), Local("/d/link"));
  ASSERT_TRUE(ufs_->Delete("/d", true).ok());
  EXPECT_EQ(ReadLocal(outside.path() + "/keep"), "precious");
}

TEST_F(LocalUfsTest, FingerprintChangesWithContent) {
  UfsStatus first = Put("/f", "version one");
  EXPECT_EQ(ufs_->GetStatus("/f")->fingerprint, first.fingerprint);
  // Same size, same mtime forced: replaced file is a new inode.
  UfsStatus second = Put("/f", "version two");
  ASSERT_TRUE(ufs_->SetMtime("/f", first.mtime_ms).ok());
  EXPECT_NE(ufs_->GetStatus("/f")->fingerprint, first.fingerprint);
  // In-place change of content (other writer): size and mtime move.
  std::string before = ufs_->GetStatus("/f")->fingerprint;
  WriteLocal(Local("/f"), "a longer version three");
  EXPECT_NE(ufs_->GetStatus("/f")->fingerprint, before);
  (void)second;
}

TEST_F(LocalUfsTest, CapacityAndFree) {
  auto cf = ufs_->CapacityAndFree();
  ASSERT_TRUE(cf.ok());
  EXPECT_GT(cf->first, 0u);
  EXPECT_LE(cf->second, cf->first);
}

TEST(LocalUfsOpenTest, RootChecks) {
  TempDir dir;
  EXPECT_EQ(LocalUnderFileSystem::OpenRoot(dir.path() + "/missing").code(), ErrorCode::kNotFound);
  WriteLocal(dir.path() + "/file", "x");
  EXPECT_EQ(LocalUnderFileSystem::OpenRoot(dir.path() + "/file").code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(LocalUnderFileSystem::OpenRoot("relative/dir").code(), ErrorCode::kInvalidPath);
  auto created = LocalUnderFileSystem::OpenRoot(dir.path() + "/new/root/", true);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ((*created)->root(), dir.path() + "/new/root");
  EXPECT_TRUE(fs::is_directory(dir.path() + "/new/root"));
  EXPECT_EQ(*(*created)->LocalPath("/a/b"), dir.path() + "/new/root/a/b");
}

TEST(CreateUnderFileSystemTest, Schemes) {
  TempDir dir;
  WriteLocal(dir.path() + "/f", "via uri");
  for (const std::string& uri :
       {"file://" + dir.path(), dir.path(), "file://localhost" + dir.path()}) {
    SCOPED_TRACE(uri);
    auto ufs = CreateUnderFileSystem(uri);
    ASSERT_TRUE(ufs.ok()) << ufs.error().ToString();
    auto st = (*ufs)->GetStatus("/f");
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->length, 7u);
  }
  EXPECT_TRUE(CreateUnderFileSystem("s3://bucket/dir").ok());  // S3: s3_under_file_system_test
  EXPECT_EQ(CreateUnderFileSystem("hdfs://nn:9000/x").code(), ErrorCode::kUnsupported);
  EXPECT_EQ(CreateUnderFileSystem("file://otherhost/x").code(), ErrorCode::kUnsupported);
  EXPECT_EQ(CreateUnderFileSystem("relative").code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(CreateUnderFileSystem("file://" + dir.path() + "/missing").code(),
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace alluxio
