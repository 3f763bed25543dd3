// The UnderFileSystem contract (under_file_system.h), run against every implementation: the
// local UFS over a temp directory and the S3 UFS against a real s3rver (tests/util/s3rver.h),
// rooted at a key prefix. What an implementation legitimately does differently (an object store
// keeps no mode or mtime) is a property of the backend, checked where it applies.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/ufs/local_under_file_system.h"
#include "core/ufs/under_file_system.h"
#include "tests/util/s3rver.h"
#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

using testing::S3rver;
using testing::TempDir;

std::span<const char> Bytes(std::string_view s) { return {s.data(), s.size()}; }

class UfsContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "local") {
      auto ufs = LocalUnderFileSystem::OpenRoot(dir_.path());
      ASSERT_TRUE(ufs.ok()) << ufs.error().ToString();
      ufs_ = std::move(ufs).value();
      return;
    }
    s3rver_.emplace();
    ASSERT_TRUE(s3rver_->ok());
    UfsOptions options = s3rver_->Options();
    options["alluxio.underfs.s3.streaming.upload.partition.size"] = "5MB";
    options["alluxio.underfs.s3.upload.threads.max"] = "2";
    options["alluxio.underfs.s3.default.mode"] = "0755";
    auto ufs = CreateUnderFileSystem(s3rver_->Uri("root/dir"), options);
    ASSERT_TRUE(ufs.ok()) << ufs.error().ToString();
    ufs_ = std::move(ufs).value();
  }

  void TearDown() override {
    if (HasFailure() && s3rver_) std::cerr << "s3rver log:\n" << s3rver_->Log();
  }

  // An object store keeps neither permission bits nor modification times of its own.
  bool KeepsAttributes() const { return GetParam() == "local"; }

  // Writes a file through the UFS (staged, then published) and returns its status.
  UfsStatus Put(std::string_view path, const std::string& data, uint32_t mode = 0644) {
    auto w = ufs_->CreateStaged("put", mode);
    EXPECT_TRUE(w.ok()) << w.error().ToString();
    if (!w.ok()) return {};
    EXPECT_TRUE((*w)->Write(data).ok());
    auto closed = (*w)->Close();
    EXPECT_TRUE(closed.ok()) << closed.error().ToString();
    auto st = ufs_->PublishStaged("put", path, data.size());
    EXPECT_TRUE(st.ok()) << st.error().ToString();
    return st.ok() ? *st : UfsStatus{};
  }

  std::string ReadAll(std::string_view path) {
    auto r = ufs_->Open(path);
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    if (!r.ok()) return {};
    std::string out;
    std::string buf(1 << 20, '\0');
    for (;;) {
      auto n = (*r)->ReadAt(out.size(), buf);
      EXPECT_TRUE(n.ok()) << n.error().ToString();
      if (!n.ok() || *n == 0) break;
      out.append(buf.data(), *n);
    }
    return out;
  }

  std::set<std::string> ListNames(std::string_view path) {
    auto list = ufs_->List(path);
    EXPECT_TRUE(list.ok()) << list.error().ToString();
    std::set<std::string> names;
    if (list.ok()) {
      for (const auto& s : *list) names.insert(s.name);
    }
    return names;
  }

  TempDir dir_;
  std::optional<S3rver> s3rver_;
  std::unique_ptr<UnderFileSystem> ufs_;
};

TEST_P(UfsContractTest, CreateWriteCloseAndReadBack) {
  UfsStatus st = Put("/a/b/file.txt", "hello world", 0640);
  EXPECT_EQ(st.name, "file.txt");
  EXPECT_FALSE(st.is_directory);
  EXPECT_EQ(st.length, 11u);
  if (KeepsAttributes()) {
    EXPECT_EQ(st.mode, 0640u);
  }
  EXPECT_FALSE(st.owner.empty());
  EXPECT_FALSE(st.group.empty());
  EXPECT_FALSE(st.fingerprint.empty());

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

TEST_P(UfsContractTest, EmptyFile) {
  UfsStatus st = Put("/empty", "");
  EXPECT_EQ(st.length, 0u);
  EXPECT_EQ(ufs_->GetStatus("/empty")->length, 0u);
  EXPECT_EQ(ReadAll("/empty"), "");
}

TEST_P(UfsContractTest, ConcurrentReadAt) {
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
      for (int i = 0; i < 50; ++i) {
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

TEST_P(UfsContractTest, StartCopyWritesTheRangeIntoAFileAtItsOffset) {
  std::string data;
  for (int i = 0; i < 300000; ++i) data += static_cast<char>('a' + i * 7 % 26);
  Put("/data", data);
  auto r = ufs_->Open("/data");
  ASSERT_TRUE(r.ok());
  const std::string target = dir_.Sub("copy");
  int fd = ::open(target.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  // Two ranges in flight at once, the second one past the end of the file (clamped).
  auto first = (*r)->StartCopy(1000, 150000, fd, 10);
  auto second = (*r)->StartCopy(151000, 200000, fd, 10 + 150000);
  auto n1 = first->Wait();
  auto n2 = second->Wait();
  ASSERT_TRUE(n1.ok()) << n1.error().ToString();
  ASSERT_TRUE(n2.ok()) << n2.error().ToString();
  EXPECT_EQ(*n1, 150000u);
  EXPECT_EQ(*n2, data.size() - 151000);
  EXPECT_EQ((*r)->StartCopy(data.size(), 10, fd, 0)->Wait().value(), 0u);  // at the end
  std::string copied(data.size() - 1000, '\0');
  ASSERT_EQ(::pread(fd, copied.data(), copied.size(), 10), static_cast<ssize_t>(copied.size()));
  ::close(fd);
  EXPECT_TRUE(copied == data.substr(1000));
}

TEST_P(UfsContractTest, StagedFileHiddenUntilPublished) {
  auto w = ufs_->CreateStaged("1", 0644);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(Bytes("partial")).ok());
  ASSERT_TRUE(ufs_->Mkdirs("/dir", 0755).ok());
  auto st = (*w)->Close();
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(st->length, 7u);
  // Closed, still nowhere to be seen.
  EXPECT_EQ(ufs_->GetStatus("/dir/f").code(), ErrorCode::kNotFound);
  EXPECT_TRUE(ListNames("/dir").empty());
  EXPECT_EQ(ListNames("/"), std::set<std::string>{"dir"});
  ASSERT_TRUE(ufs_->PublishStaged("1", "/dir/f", 7).ok());
  EXPECT_EQ(ListNames("/dir"), std::set<std::string>{"f"});
  EXPECT_EQ(ufs_->GetStatus("/dir/f")->length, 7u);
  EXPECT_EQ(ReadAll("/dir/f"), "partial");
  // The writer is finished.
  EXPECT_FALSE((*w)->Write(Bytes("more")).ok());
  EXPECT_FALSE((*w)->Close().ok());
}

TEST_P(UfsContractTest, PublishReplacesExistingFile) {
  Put("/f", "old content");
  auto w = ufs_->CreateStaged("2", 0600);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(Bytes("new")).ok());
  ASSERT_TRUE((*w)->Close().ok());
  // Until published the old content stays in place.
  EXPECT_EQ(ReadAll("/f"), "old content");
  ASSERT_TRUE(ufs_->PublishStaged("2", "/f", 3).ok());
  EXPECT_EQ(ReadAll("/f"), "new");
  if (KeepsAttributes()) {
    EXPECT_EQ(ufs_->GetStatus("/f")->mode, 0600u);
  }
}

TEST_P(UfsContractTest, AbortAndDestructionLeaveNothing) {
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
  EXPECT_TRUE(ListNames("/").empty());
}

// Several parts of a multipart upload on S3 (5 MiB parts, 2 in flight), interleaved flushes.
TEST_P(UfsContractTest, LargeFileWrittenInPiecesWithFlushesIsComplete) {
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
  EXPECT_EQ(ufs_->GetStatus("/large")->length, data.size());
  EXPECT_TRUE(ReadAll("/large") == data);
  // A read spanning several ranged GETs, from an odd offset.
  auto r = ufs_->Open("/large");
  ASSERT_TRUE(r.ok());
  std::string buf(10 << 20, '\0');
  auto n = (*r)->ReadAt(12345, buf);
  ASSERT_TRUE(n.ok()) << n.error().ToString();
  EXPECT_EQ(*n, buf.size());
  EXPECT_TRUE(buf == data.substr(12345, buf.size()));
}

TEST_P(UfsContractTest, AbortOfALargeFileLeavesNothing) {
  const std::string data(9 << 20, 'x');
  auto w = ufs_->CreateStaged("large", 0644);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(data).ok());
  ASSERT_TRUE((*w)->Write(data).ok());
  (*w)->Abort();
  EXPECT_TRUE(ufs_->ListStaged()->empty());
  EXPECT_TRUE(ListNames("/").empty());
}

TEST_P(UfsContractTest, StagedFileIsPublishedWhereverItsDirectoryWentMeanwhile) {
  Put("/r1/other", "x");
  auto w = ufs_->CreateStaged("42", 0640);
  ASSERT_TRUE(w.ok()) << w.error().ToString();
  const std::string data(3 << 20, 'd');
  ASSERT_TRUE((*w)->Write(std::string_view(data).substr(0, 2 << 20)).ok());
  ASSERT_TRUE((*w)->Flush().ok());
  ASSERT_TRUE(ufs_->Rename("/r1", "/r2").ok());  // a directory renamed meanwhile
  ASSERT_TRUE((*w)->Write(std::string_view(data).substr(2 << 20)).ok());
  auto closed = (*w)->Close();
  ASSERT_TRUE(closed.ok()) << closed.error().ToString();
  EXPECT_EQ(closed->length, data.size());
  EXPECT_EQ(ufs_->GetStatus("/r2/f").code(), ErrorCode::kNotFound);  // Close does not publish
  // Invisible to every path argument.
  EXPECT_EQ(ListNames("/"), std::set<std::string>{"r2"});
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
  EXPECT_EQ(published->length, data.size());
  if (KeepsAttributes()) {
    EXPECT_EQ(published->mode, 0640u);
  }
  EXPECT_EQ(published->fingerprint, ufs_->GetStatus("/r2/new/f")->fingerprint);
  EXPECT_TRUE(ReadAll("/r2/new/f") == data);
  EXPECT_EQ(ufs_->PublishStaged("42", "/r2/f", data.size()).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(ufs_->ListStaged()->empty());
}

TEST_P(UfsContractTest, StagedFilesAreDroppedByAbortAndDeleteStaged) {
  EXPECT_TRUE(ufs_->ListStaged()->empty());  // no staging area yet
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

TEST_P(UfsContractTest, PublishErrors) {
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
  // s3rver keeps an object in a file named "<last component>._S3rver_object": its names are
  // shorter than the 255 bytes S3 (1024-byte keys) and a local file system allow.
  std::string name(GetParam() == "s3" ? 200 : 255, 'n');
  UfsStatus st = Put("/" + name, "abc");
  EXPECT_EQ(st.name, name);
  EXPECT_EQ(st.length, 3u);
}

TEST_P(UfsContractTest, GetStatusOfDirectoriesAndRoot) {
  ASSERT_TRUE(ufs_->Mkdirs("/x/y", 0750).ok());
  auto st = ufs_->GetStatus("/x/y");
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(st->is_directory);
  EXPECT_EQ(st->length, 0u);
  if (KeepsAttributes()) {
    EXPECT_EQ(st->mode, 0750u);
  }
  EXPECT_EQ(st->name, "y");
  auto root = ufs_->GetStatus("/");
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->is_directory);
  EXPECT_EQ(root->name, "");
  EXPECT_EQ(ufs_->GetStatus("/missing").code(), ErrorCode::kNotFound);
  // Repeated and trailing slashes are the same path.
  EXPECT_EQ(ufs_->GetStatus("//x//y/")->name, "y");
}

TEST_P(UfsContractTest, ListChildren) {
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
  EXPECT_EQ(ListNames("/"), std::set<std::string>{"d"});
  EXPECT_EQ(ufs_->List("/d/a").code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(ufs_->List("/nope").code(), ErrorCode::kNotFound);
  EXPECT_TRUE(ListNames("/d/sub").empty());
}

TEST_P(UfsContractTest, OpenErrors) {
  ASSERT_TRUE(ufs_->Mkdirs("/d", 0755).ok());
  EXPECT_EQ(ufs_->Open("/d").code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(ufs_->Open("/").code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(ufs_->Open("/missing").code(), ErrorCode::kNotFound);
  Put("/f", "x");
  EXPECT_EQ(ufs_->Open("/f/g").code(), ErrorCode::kNotADirectory);
}

TEST_P(UfsContractTest, MkdirsCreatesParentsAndIsIdempotent) {
  ASSERT_TRUE(ufs_->Mkdirs("/p/q/r", 0700).ok());
  EXPECT_TRUE(ufs_->GetStatus("/p/q/r")->is_directory);
  EXPECT_TRUE(ufs_->GetStatus("/p/q")->is_directory);
  if (KeepsAttributes()) {
    EXPECT_EQ(ufs_->GetStatus("/p/q/r")->mode, 0700u);
  }
  EXPECT_TRUE(ufs_->Mkdirs("/p/q/r", 0755).ok());
  EXPECT_TRUE(ufs_->Mkdirs("/", 0755).ok());
  Put("/p/file", "x");
  EXPECT_EQ(ufs_->Mkdirs("/p/file", 0755).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ufs_->Mkdirs("/p/file/sub", 0755).code(), ErrorCode::kNotADirectory);
  // A parent made by Mkdirs stays when what is in it goes.
  ASSERT_TRUE(ufs_->Delete("/p/q/r", false).ok());
  EXPECT_TRUE(ufs_->GetStatus("/p/q")->is_directory);
}

TEST_P(UfsContractTest, DeleteFilesAndDirectories) {
  Put("/f", "x");
  ASSERT_TRUE(ufs_->Delete("/f", false).ok());
  EXPECT_EQ(ufs_->GetStatus("/f").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ufs_->Delete("/f", false).code(), ErrorCode::kNotFound);

  ASSERT_TRUE(ufs_->Mkdirs("/empty", 0755).ok());
  ASSERT_TRUE(ufs_->Delete("/empty", false).ok());
  EXPECT_EQ(ufs_->GetStatus("/empty").code(), ErrorCode::kNotFound);

  Put("/tree/a/b/c", "x");
  Put("/tree/d", "y");
  ASSERT_TRUE(ufs_->CreateSymlink("/tree/l", "d").ok());
  EXPECT_EQ(ufs_->Delete("/tree", false).code(), ErrorCode::kNotEmpty);
  EXPECT_EQ(ReadAll("/tree/d"), "y");
  ASSERT_TRUE(ufs_->Delete("/tree", true).ok());
  EXPECT_EQ(ufs_->GetStatus("/tree").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ufs_->GetStatus("/tree/l").code(), ErrorCode::kNotFound);
  EXPECT_TRUE(ListNames("/").empty());

  EXPECT_EQ(ufs_->Delete("/", true).code(), ErrorCode::kNotPermitted);
  EXPECT_TRUE(ufs_->GetStatus("/")->is_directory);
}

TEST_P(UfsContractTest, SymbolicLinksAreCreatedListedAndKeptAsLinks) {
  Put("/d/f", "content");
  ASSERT_TRUE(ufs_->CreateSymlink("/d/rel", "f").ok());
  ASSERT_TRUE(ufs_->CreateSymlink("/d/dangling", "/no/such/target").ok());
  const std::string long_target(4000, 't');
  ASSERT_TRUE(ufs_->CreateSymlink("/d/long", long_target).ok());

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

  // Renames and deletes apply to the link, never to its target.
  ASSERT_TRUE(ufs_->Rename("/d/rel", "/d/moved").ok());
  EXPECT_EQ(ufs_->GetStatus("/d/moved")->symlink_target, "f");
  EXPECT_EQ(ufs_->GetStatus("/d/rel").code(), ErrorCode::kNotFound);
  ASSERT_TRUE(ufs_->Delete("/d/moved", false).ok());
  EXPECT_EQ(ufs_->GetStatus("/d/moved").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ReadAll("/d/f"), "content");
  // A link moves with its directory.
  ASSERT_TRUE(ufs_->Rename("/d", "/e").ok());
  EXPECT_EQ(ufs_->GetStatus("/e/dangling")->symlink_target, "/no/such/target");
  EXPECT_EQ(ufs_->GetStatus("/d/dangling").code(), ErrorCode::kNotFound);
}

TEST_P(UfsContractTest, RenameFilesAndDirectories) {
  Put("/a", "content a");
  ASSERT_TRUE(ufs_->Rename("/a", "/b").ok());
  EXPECT_EQ(ufs_->GetStatus("/a").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ReadAll("/b"), "content a");

  // Over an existing file: replaced.
  Put("/c", "content c");
  ASSERT_TRUE(ufs_->Rename("/c", "/b").ok());
  EXPECT_EQ(ReadAll("/b"), "content c");
  EXPECT_EQ(ufs_->GetStatus("/c").code(), ErrorCode::kNotFound);

  // Directories, with their subdirectories.
  Put("/dir/x", "1");
  Put("/dir/sub/y", "2");
  ASSERT_TRUE(ufs_->Mkdirs("/dir/emptysub", 0755).ok());
  ASSERT_TRUE(ufs_->Rename("/dir", "/dir2").ok());
  EXPECT_EQ(ReadAll("/dir2/x"), "1");
  EXPECT_EQ(ReadAll("/dir2/sub/y"), "2");
  EXPECT_TRUE(ufs_->GetStatus("/dir2/emptysub")->is_directory);
  EXPECT_EQ(ufs_->GetStatus("/dir").code(), ErrorCode::kNotFound);

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

TEST_P(UfsContractTest, SetModeAndMtime) {
  Put("/f", "x");
  ASSERT_TRUE(ufs_->SetMode("/f", 0604).ok());
  ASSERT_TRUE(ufs_->SetMtime("/f", 1'500'000'000'123).ok());
  if (KeepsAttributes()) {
    EXPECT_EQ(ufs_->GetStatus("/f")->mode, 0604u);
    EXPECT_EQ(ufs_->GetStatus("/f")->mtime_ms, 1'500'000'000'123);
  }
  EXPECT_EQ(ufs_->SetMode("/missing", 0644).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ufs_->SetMtime("/missing", 0).code(), ErrorCode::kNotFound);
}

TEST_P(UfsContractTest, FingerprintChangesWithContent) {
  UfsStatus first = Put("/f", "version one");
  EXPECT_EQ(ufs_->GetStatus("/f")->fingerprint, first.fingerprint);
  UfsStatus second = Put("/f", "version two");  // same size
  EXPECT_NE(second.fingerprint, first.fingerprint);
  EXPECT_EQ(ufs_->GetStatus("/f")->fingerprint, second.fingerprint);
  auto list = ufs_->List("/");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].fingerprint, second.fingerprint);  // listing and status agree
}

TEST_P(UfsContractTest, RefusesPathsEscapingTheRoot) {
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
  EXPECT_TRUE(ListNames("/").empty());  // nothing was created
}

INSTANTIATE_TEST_SUITE_P(Backends, UfsContractTest, ::testing::Values("local", "s3"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace alluxio
