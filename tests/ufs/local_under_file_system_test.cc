#include "core/ufs/local_under_file_system.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/ufs/under_file_system.h"
#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// The bytes of a string, without a terminating NUL.
std::span<const char> Bytes(std::string_view s) { return {s.data(), s.size()}; }

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

TEST_F(LocalUfsTest, CreateWriteCloseAndReadBack) {
  UfsStatus st = Put("/a/b/file.txt", "hello world", 0640);
  EXPECT_EQ(st.name, "file.txt");
  EXPECT_FALSE(st.is_directory);
  EXPECT_EQ(st.length, 11u);
  EXPECT_EQ(st.mode, 0640u);
  EXPECT_FALSE(st.owner.empty());
  EXPECT_FALSE(st.group.empty());
  EXPECT_EQ(ReadLocal(Local("/a/b/file.txt")), "hello world");

  auto r = ufs_->Open("/a/b/file.txt");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  std::string buf(5, '\0');
  auto n = (*r)->ReadAt(6, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5u);
  EXPECT_EQ(buf, "world");
  // Short read at the end, then 0 past the end.
  std::string big(100, '\0');
  n = (*r)->ReadAt(3, big);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 8u);
  EXPECT_EQ(big.substr(0, 8), "lo world");
  n = (*r)->ReadAt(11, big);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  n = (*r)->ReadAt(1000, big);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

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

TEST_F(LocalUfsTest, ConcurrentReadAt) {
  std::string data;
  for (int i = 0; i < 4096; ++i) data += static_cast<char>('a' + i % 26);
  Put("/data", data);
  auto r = ufs_->Open("/data");
  ASSERT_TRUE(r.ok());
  UfsReader* reader = r->get();
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([reader, &data, &mismatches, t] {
      for (int i = 0; i < 500; ++i) {
        uint64_t off = static_cast<uint64_t>((i * 37 + t * 101) % 4000);
        std::string buf(64, '\0');
        auto n = reader->ReadAt(off, buf);
        if (!n.ok() || *n != 64 || buf != data.substr(off, 64)) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST_F(LocalUfsTest, StagedFileHiddenUntilPublished) {
  auto w = ufs_->CreateStaged("1", 0644);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(Bytes("partial")).ok());
  ASSERT_TRUE(ufs_->Mkdirs("/dir", 0755).ok());
  auto st = (*w)->Close();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->length, 7u);
  // Closed, still nowhere to be seen.
  EXPECT_EQ(ufs_->GetStatus("/dir/f").code(), ErrorCode::kNotFound);
  EXPECT_TRUE(DirEntries(Local("/dir")).empty());
  EXPECT_EQ(ListNames(*ufs_, "/"), std::set<std::string>{"dir"});
  ASSERT_TRUE(ufs_->PublishStaged("1", "/dir/f", 7).ok());
  EXPECT_EQ(DirEntries(Local("/dir")), std::vector<std::string>{"f"});
  EXPECT_EQ(ufs_->GetStatus("/dir/f")->length, 7u);
  // The writer is finished.
  EXPECT_FALSE((*w)->Write(Bytes("more")).ok());
  EXPECT_FALSE((*w)->Close().ok());
}

TEST_F(LocalUfsTest, PublishReplacesExistingFileAtomically) {
  Put("/f", "old content");
  auto w = ufs_->CreateStaged("2", 0600);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(Bytes("new")).ok());
  ASSERT_TRUE((*w)->Close().ok());
  // Until published the old content stays in place.
  EXPECT_EQ(ReadLocal(Local("/f")), "old content");
  ASSERT_TRUE(ufs_->PublishStaged("2", "/f", 3).ok());
  EXPECT_EQ(ReadLocal(Local("/f")), "new");
  EXPECT_EQ(ufs_->GetStatus("/f")->mode, 0600u);
}

TEST_F(LocalUfsTest, AbortAndDestructionLeaveNothing) {
  {
    auto w = ufs_->CreateStaged("aborted", 0644);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(Bytes("data")).ok());
    (*w)->Abort();
    EXPECT_FALSE((*w)->Write(Bytes("x")).ok());
  }
  {
    auto w = ufs_->CreateStaged("dropped", 0644);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(Bytes("data")).ok());
  }  // destroyed without Close
  EXPECT_TRUE(ufs_->ListStaged()->empty());
  EXPECT_TRUE(RootEntries().empty());
}

// Past its first MiB a file is written with O_DIRECT behind the writer: what Flush and Close
// report covers those writes too.
TEST_F(LocalUfsTest, LargeFileWrittenInPiecesWithFlushesIsComplete) {
  std::string data(13 * (1 << 20) + 321, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 65536);
  auto w = ufs_->CreateStaged("large", 0644);
  ASSERT_TRUE(w.ok());
  size_t at = 0;
  for (size_t piece : {size_t{1} << 20, size_t{3} << 20, size_t{5000}, size_t{6} << 20}) {
    ASSERT_TRUE((*w)->Write({data.data() + at, piece}).ok());
    at += piece;
    ASSERT_TRUE((*w)->Flush().ok());
  }
  ASSERT_TRUE((*w)->Write({data.data() + at, data.size() - at}).ok());
  auto st = (*w)->Close();
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(st->length, data.size());
  ASSERT_TRUE(ufs_->PublishStaged("large", "/large", data.size()).ok());
  EXPECT_EQ(ReadLocal(Local("/large")), data);
}

TEST_F(LocalUfsTest, AbortOfALargeFileLeavesNothing) {
  const std::string data(9 << 20, 'x');
  auto w = ufs_->CreateStaged("large", 0644);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(data).ok());
  ASSERT_TRUE((*w)->Write(data).ok());
  (*w)->Abort();
  EXPECT_TRUE(ufs_->ListStaged()->empty());
  EXPECT_TRUE(RootEntries().empty());
}

TEST_F(LocalUfsTest, StagedFileIsPublishedWhereverItsDirectoryWentMeanwhile) {
  Put("/r1/other", "x");
  auto w = ufs_->CreateStaged("42", 0640);
  ASSERT_TRUE(w.ok()) << w.error().ToString();
  const std::string data(3 << 20, 'd');  // past the first MiB: written behind, O_DIRECT
  ASSERT_TRUE((*w)->Write(std::string_view(data).substr(0, 2 << 20)).ok());
  ASSERT_TRUE((*w)->Flush().ok());
  ASSERT_TRUE(ufs_->Rename("/r1", "/r2").ok());  // a directory renamed meanwhile
  ASSERT_TRUE((*w)->Write(std::string_view(data).substr(2 << 20)).ok());
  auto closed = (*w)->Close();
  ASSERT_TRUE(closed.ok()) << closed.error().ToString();
  EXPECT_EQ(closed->length, data.size());
  EXPECT_FALSE(std::filesystem::exists(Local("/r2/f")));  // Close does not publish
  // Invisible to every path argument.
  auto root = ufs_->List("/");
  ASSERT_TRUE(root.ok());
  ASSERT_EQ(root->size(), 1u);
  EXPECT_EQ((*root)[0].name, "r2");
  EXPECT_EQ(ufs_->GetStatus("/.alluxio_staging").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ufs_->Open("/.alluxio_staging/42").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ufs_->Delete("/.alluxio_staging", true).code(), ErrorCode::kNotPermitted);
  EXPECT_EQ(ufs_->Rename("/.alluxio_staging/42", "/x").code(), ErrorCode::kNotPermitted);
  EXPECT_EQ(ufs_->Mkdirs("/.alluxio_staging/y", 0755).code(), ErrorCode::kNotPermitted);
  EXPECT_EQ(*ufs_->ListStaged(), std::vector<std::string>{"42"});
  // Published with its exact length only, onto the path as it is now; parents are created.
  EXPECT_EQ(ufs_->PublishStaged("42", "/r2/f", data.size() - 1).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ufs_->PublishStaged("42", "/r2", data.size()).code(), ErrorCode::kIsADirectory);
  auto published = ufs_->PublishStaged("42", "/r2/new/f", data.size());
  ASSERT_TRUE(published.ok()) << published.error().ToString();
  EXPECT_EQ(published->name, "f");
  EXPECT_EQ(published->mode, 0640u);
  EXPECT_EQ(published->fingerprint, closed->fingerprint);  // the same file, renamed
  EXPECT_TRUE(ReadLocal(Local("/r2/new/f")) == data);
  EXPECT_EQ(ufs_->PublishStaged("42", "/r2/f", data.size()).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(ufs_->ListStaged()->empty());
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

TEST_F(LocalUfsTest, StagedFilesAreDroppedByAbortAndDeleteStaged) {
  EXPECT_TRUE(ufs_->ListStaged()->empty());  // no staging directory yet
  {
    auto w = ufs_->CreateStaged("1", 0644);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(std::string(10, 'a')).ok());
  }  // destroyed without Close: dropped
  auto w = ufs_->CreateStaged("2", 0644);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(std::string(10, 'b')).ok());
  ASSERT_TRUE(ufs_->DeleteStaged("2").ok());  // the file was removed while being written
  EXPECT_TRUE((*w)->Close().ok());            // the writer goes on into nothing
  EXPECT_TRUE(ufs_->DeleteStaged("2").ok());  // absent: success
  EXPECT_TRUE(ufs_->ListStaged()->empty());
  EXPECT_EQ(ufs_->CreateStaged("a/b", 0644).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ufs_->CreateStaged("..", 0644).code(), ErrorCode::kInvalidArgument);
}

TEST_F(LocalUfsTest, PublishErrors) {
  ASSERT_TRUE(ufs_->Mkdirs("/dir", 0755).ok());
  Put("/file", "x");
  auto w = ufs_->CreateStaged("3", 0644);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_EQ(ufs_->PublishStaged("3", "/dir", 0).code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(ufs_->PublishStaged("3", "/", 0).code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(ufs_->PublishStaged("3", "/file/child", 0).code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(ufs_->PublishStaged("3", "/" + std::string(256, 'n'), 0).code(),
            ErrorCode::kNameTooLong);
  EXPECT_EQ(*ufs_->ListStaged(), std::vector<std::string>{"3"});  // still staged
  std::string name(255, 'n');
  UfsStatus st = Put("/" + name, "abc");
  EXPECT_EQ(st.name, name);
  EXPECT_EQ(st.length, 3u);
}

TEST_F(LocalUfsTest, GetStatusOfDirectoriesAndRoot) {
  ASSERT_TRUE(ufs_->Mkdirs("/x/y", 0750).ok());
  auto st = ufs_->GetStatus("/x/y");
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(st->is_directory);
  EXPECT_EQ(st->length, 0u);
  EXPECT_EQ(st->mode, 0750u);
  EXPECT_EQ(st->name, "y");
  auto root = ufs_->GetStatus("/");
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->is_directory);
  EXPECT_EQ(root->name, "");
  EXPECT_EQ(ufs_->GetStatus("/missing").code(), ErrorCode::kNotFound);
  // Repeated and trailing slashes are the same path.
  EXPECT_EQ(ufs_->GetStatus("//x//y/")->name, "y");
}

TEST_F(LocalUfsTest, ListChildren) {
  Put("/d/a", "1");
  Put("/d/b", "22");
  ASSERT_TRUE(ufs_->Mkdirs("/d/sub", 0755).ok());
  auto list = ufs_->List("/d");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  for (const auto& s : *list) {
    if (s.name == "a") {
      EXPECT_EQ(s.length, 1u);
    } else if (s.name == "b") {
      EXPECT_EQ(s.length, 2u);
    } else {
      EXPECT_EQ(s.name, "sub");
      EXPECT_TRUE(s.is_directory);
    }
  }
  EXPECT_EQ(ListNames(*ufs_, "/"), std::set<std::string>{"d"});
  EXPECT_EQ(ufs_->List("/d/a").code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(ufs_->List("/nope").code(), ErrorCode::kNotFound);
}

TEST_F(LocalUfsTest, ListHidesStrayTempFiles) {
  ASSERT_TRUE(ufs_->Mkdirs("/d", 0755).ok());
  WriteLocal(Local("/d/.alluxio_tmp.x.0123"), "crash leftover");
  WriteLocal(Local("/d/.hidden"), "a dot file is an ordinary file");
  EXPECT_EQ(ListNames(*ufs_, "/d"), std::set<std::string>{".hidden"});
}

TEST_F(LocalUfsTest, OpenErrors) {
  ASSERT_TRUE(ufs_->Mkdirs("/d", 0755).ok());
  EXPECT_EQ(ufs_->Open("/d").code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(ufs_->Open("/missing").code(), ErrorCode::kNotFound);
  Put("/f", "x");
  EXPECT_EQ(ufs_->Open("/f/g").code(), ErrorCode::kNotADirectory);
}

TEST_F(LocalUfsTest, MkdirsCreatesParentsAndIsIdempotent) {
  ASSERT_TRUE(ufs_->Mkdirs("/p/q/r", 0700).ok());
  EXPECT_TRUE(fs::is_directory(Local("/p/q/r")));
  EXPECT_EQ(ufs_->GetStatus("/p/q/r")->mode, 0700u);
  EXPECT_TRUE(ufs_->Mkdirs("/p/q/r", 0755).ok());
  EXPECT_TRUE(ufs_->Mkdirs("/", 0755).ok());
  Put("/p/file", "x");
  EXPECT_EQ(ufs_->Mkdirs("/p/file", 0755).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ufs_->Mkdirs("/p/file/sub", 0755).code(), ErrorCode::kNotADirectory);
}

TEST_F(LocalUfsTest, DeleteFilesAndDirectories) {
  Put("/f", "x");
  ASSERT_TRUE(ufs_->Delete("/f", false).ok());
  EXPECT_FALSE(fs::exists(Local("/f")));
  EXPECT_EQ(ufs_->Delete("/f", false).code(), ErrorCode::kNotFound);

  ASSERT_TRUE(ufs_->Mkdirs("/empty", 0755).ok());
  ASSERT_TRUE(ufs_->Delete("/empty", false).ok());
  EXPECT_FALSE(fs::exists(Local("/empty")));

  Put("/tree/a/b/c", "x");
  Put("/tree/d", "y");
  EXPECT_EQ(ufs_->Delete("/tree", false).code(), ErrorCode::kNotEmpty);
  EXPECT_TRUE(fs::exists(Local("/tree/d")));
  ASSERT_TRUE(ufs_->Delete("/tree", true).ok());
  EXPECT_FALSE(fs::exists(Local("/tree")));

  EXPECT_EQ(ufs_->Delete("/", true).code(), ErrorCode::kNotPermitted);
  EXPECT_TRUE(fs::is_directory(dir_.path()));
}

TEST_F(LocalUfsTest, RecursiveDeleteDoesNotFollowSymlinks) {
  TempDir outside;
  WriteLocal(outside.path() + "/keep", "precious");
  ASSERT_TRUE(ufs_->Mkdirs("/d", 0755).ok());
  fs::create_directory_symlink(outside.path(), Local("/d/link"));
  ASSERT_TRUE(ufs_->Delete("/d", true).ok());
  EXPECT_EQ(ReadLocal(outside.path() + "/keep"), "precious");
}

TEST_F(LocalUfsTest, SymbolicLinksAreCreatedListedAndKeptAsLinks) {
  Put("/d/f", "content");
  ASSERT_TRUE(ufs_->CreateSymlink("/d/rel", "f").ok());
  ASSERT_TRUE(ufs_->CreateSymlink("/d/dangling", "/no/such/target").ok());
  const std::string long_target(4000, 't');
  ASSERT_TRUE(ufs_->CreateSymlink("/d/long", long_target).ok());
  EXPECT_EQ(fs::read_symlink(Local("/d/rel")), "f");  // a real link in the directory

  auto rel = ufs_->GetStatus("/d/rel");
  ASSERT_TRUE(rel.ok()) << rel.error().ToString();
  EXPECT_EQ(rel->symlink_target, "f");
  EXPECT_FALSE(rel->is_directory);
  EXPECT_EQ(rel->length, 1u);  // the target's size, not the file's
  EXPECT_EQ(rel->mode, 0777u);
  EXPECT_NE(rel->fingerprint, ufs_->GetStatus("/d/f")->fingerprint);
  EXPECT_EQ(ufs_->GetStatus("/d/dangling")->symlink_target, "/no/such/target");
  EXPECT_EQ(ufs_->GetStatus("/d/long")->symlink_target, long_target);
  EXPECT_EQ(ufs_->GetStatus("/d/f")->symlink_target, "");

  auto list = ufs_->List("/d");
  ASSERT_TRUE(list.ok());
  std::map<std::string, std::string> targets;
  for (const UfsStatus& st : *list) targets[st.name] = st.symlink_target;
  EXPECT_EQ(targets,
            (std::map<std::string, std::string>{{"dangling", "/no/such/target"},
                                                {"f", ""},
                                                {"long", long_target},
                                                {"rel", "f"}}));  // the dangling link is listed too

  EXPECT_EQ(ufs_->CreateSymlink("/d/rel", "g").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ufs_->CreateSymlink("/missing/l", "f").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ufs_->CreateSymlink("/d/empty", "").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ufs_->CreateSymlink("/", "f").code(), ErrorCode::kAlreadyExists);

  // Times, renames and deletes apply to the link, never to its target.
  const int64_t file_mtime = ufs_->GetStatus("/d/f")->mtime_ms;
  ASSERT_TRUE(ufs_->SetMtime("/d/rel", 1'000'000'000'000).ok());
  EXPECT_EQ(ufs_->GetStatus("/d/rel")->mtime_ms, 1'000'000'000'000);
  EXPECT_EQ(ufs_->GetStatus("/d/f")->mtime_ms, file_mtime);
  ASSERT_TRUE(ufs_->Rename("/d/rel", "/d/moved").ok());
  EXPECT_EQ(fs::read_symlink(Local("/d/moved")), "f");
  ASSERT_TRUE(ufs_->Delete("/d/moved", false).ok());
  EXPECT_FALSE(fs::is_symlink(Local("/d/moved")));
  EXPECT_EQ(ReadLocal(Local("/d/f")), "content");
}

TEST_F(LocalUfsTest, RenameFilesAndDirectories) {
  Put("/a", "content a");
  ASSERT_TRUE(ufs_->Rename("/a", "/b").ok());
  EXPECT_EQ(ufs_->GetStatus("/a").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ReadLocal(Local("/b")), "content a");

  // Over an existing file: replaced.
  Put("/c", "content c");
  ASSERT_TRUE(ufs_->Rename("/c", "/b").ok());
  EXPECT_EQ(ReadLocal(Local("/b")), "content c");
  EXPECT_FALSE(fs::exists(Local("/c")));

  // Directories.
  Put("/dir/x", "1");
  ASSERT_TRUE(ufs_->Rename("/dir", "/dir2").ok());
  EXPECT_EQ(ReadLocal(Local("/dir2/x")), "1");

  // Errors.
  EXPECT_EQ(ufs_->Rename("/missing", "/z").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ufs_->Rename("/b", "/no/such/parent").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ufs_->Rename("/b", "/dir2").code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(ufs_->Rename("/dir2", "/b").code(), ErrorCode::kNotADirectory);
  Put("/full/y", "2");
  EXPECT_EQ(ufs_->Rename("/dir2", "/full").code(), ErrorCode::kNotEmpty);
  EXPECT_EQ(ufs_->Rename("/dir2", "/dir2/inside").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ufs_->Rename("/", "/x").code(), ErrorCode::kNotPermitted);
  EXPECT_EQ(ufs_->Rename("/b", "/").code(), ErrorCode::kNotPermitted);
}

TEST_F(LocalUfsTest, SetModeAndMtime) {
  Put("/f", "x");
  ASSERT_TRUE(ufs_->SetMode("/f", 0604).ok());
  EXPECT_EQ(ufs_->GetStatus("/f")->mode, 0604u);
  ASSERT_TRUE(ufs_->SetMtime("/f", 1'500'000'000'123).ok());
  EXPECT_EQ(ufs_->GetStatus("/f")->mtime_ms, 1'500'000'000'123);
  ASSERT_TRUE(ufs_->SetMtime("/f", -1500).ok());
  EXPECT_EQ(ufs_->GetStatus("/f")->mtime_ms, -1500);
  EXPECT_EQ(ufs_->SetMode("/missing", 0644).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ufs_->SetMtime("/missing", 0).code(), ErrorCode::kNotFound);
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

TEST_F(LocalUfsTest, RefusesPathsEscapingTheRoot) {
  for (std::string_view bad : {"..", "/..", "/../etc/passwd", "/a/../../x", "/a/./b", "a/b", ""}) {
    SCOPED_TRACE(std::string(bad));
    EXPECT_EQ(ufs_->GetStatus(bad).code(), ErrorCode::kInvalidPath);
    EXPECT_EQ(ufs_->List(bad).code(), ErrorCode::kInvalidPath);
    EXPECT_EQ(ufs_->Open(bad).code(), ErrorCode::kInvalidPath);
    EXPECT_EQ(ufs_->PublishStaged("1", bad, 0).code(), ErrorCode::kInvalidPath);
    EXPECT_EQ(ufs_->Mkdirs(bad, 0755).code(), ErrorCode::kInvalidPath);
    EXPECT_EQ(ufs_->Delete(bad, true).code(), ErrorCode::kInvalidPath);
    EXPECT_EQ(ufs_->Rename(bad, "/x").code(), ErrorCode::kInvalidPath);
    EXPECT_EQ(ufs_->Rename("/x", bad).code(), ErrorCode::kInvalidPath);
    EXPECT_EQ(ufs_->SetMode(bad, 0644).code(), ErrorCode::kInvalidPath);
    EXPECT_EQ(ufs_->SetMtime(bad, 0).code(), ErrorCode::kInvalidPath);
  }
  EXPECT_EQ(ufs_->GetStatus(std::string_view("/a\0b", 4)).code(), ErrorCode::kInvalidPath);
  // Nothing was created in or next to the root.
  EXPECT_TRUE(DirEntries(dir_.path()).empty());
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
  auto s3 = CreateUnderFileSystem("s3://bucket/dir");
  ASSERT_FALSE(s3.ok());
  EXPECT_EQ(s3.code(), ErrorCode::kUnsupported);
  EXPECT_NE(s3.error().message.find("s3"), std::string::npos);
  EXPECT_EQ(CreateUnderFileSystem("hdfs://nn:9000/x").code(), ErrorCode::kUnsupported);
  EXPECT_EQ(CreateUnderFileSystem("file://otherhost/x").code(), ErrorCode::kUnsupported);
  EXPECT_EQ(CreateUnderFileSystem("relative").code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(CreateUnderFileSystem("file://" + dir.path() + "/missing").code(),
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace alluxio
