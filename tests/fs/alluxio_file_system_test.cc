// AlluxioFileSystem (core/fs/alluxio_file_system.h) on a 2-reactor pool against the in-process
// master and worker of tests/client/test_cluster.h, called directly (no kernel).
#include "core/fs/alluxio_file_system.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include "core/common/local_user.h"
#include "tests/client/test_cluster.h"

namespace alluxio::fs {
namespace {

using testing::BlockOn;
using testing::TestCluster;

// Who creates files in the tests below (the launching user's policy ignores it).
constexpr Caller kCaller{};

std::string RandomData(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::span<const std::byte> Bytes(const std::string& s, size_t at = 0,
                                 size_t n = std::string::npos) {
  n = std::min(n, s.size() - at);
  return std::as_bytes(std::span<const char>(s.data() + at, n));
}

asio::awaitable<int> BackingFileOf(AlluxioFileSystem* fs, FileHandle handle) {
  co_return fs->BackingFile(handle);
}

class AlluxioFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.ok()) << cluster_.error();
    pool_ = std::make_unique<ReactorPool>(ReactorPoolOptions{.reactors = 2, .name = "fs"});
    Mount(DefaultOptions(), cluster_.ClientConf());
  }
  void TearDown() override {
    Unmount();
    pool_->Stop();
  }

  static AlluxioFileSystemOptions DefaultOptions() {
    AlluxioFileSystemOptions o;
    o.uid = geteuid();
    o.gid = getegid();
    o.incomplete_file_wait = std::chrono::milliseconds(300);
    return o;
  }

  void Mount(AlluxioFileSystemOptions options, const Configuration& conf) {
    auto context = client::ClientContext::Create(conf);
    ASSERT_TRUE(context.ok()) << context.error().ToString();
    context_ = *context;
    fs_ = std::make_unique<AlluxioFileSystem>(context_, *pool_, std::move(options));
  }
  void Unmount() {
    if (!fs_) return;
    fs_->Shutdown();
    fs_.reset();
  }

  template <typename T>
  T Run(asio::awaitable<T> task, size_t reactor = 0) {
    return BlockOn(pool_->at(reactor), std::move(task));
  }

  // Creates `path` and writes `data` in pieces of `piece` bytes, then releases.
  void WriteFile(const std::string& path, const std::string& data, size_t piece = 100003) {
    auto created = Run(fs_->Create(path, 0644, O_WRONLY | O_CREAT, kCaller));
    ASSERT_TRUE(created.ok()) << created.error().ToString();
    for (size_t at = 0; at < data.size(); at += piece) {
      auto n = Run(fs_->Write(created->handle, at, Bytes(data, at, piece)));
      ASSERT_TRUE(n.ok()) << n.error().ToString();
      ASSERT_EQ(*n, std::min(piece, data.size() - at));
    }
    ASSERT_TRUE(Run(fs_->Flush(created->handle, kCaller)).ok());
    auto released = Run(fs_->Release(created->handle));
    ASSERT_TRUE(released.ok()) << released.error().ToString();
  }

  Result<std::string> ReadHandle(FileHandle handle, size_t piece = 128 << 10, size_t reactor = 0) {
    std::string out;
    std::vector<std::byte> buf(piece);
    while (true) {
      auto n = Run(fs_->Read(handle, out.size(), std::span<std::byte>(buf)), reactor);
      if (!n.ok()) return n.failure();
      out.append(reinterpret_cast<const char*>(buf.data()), *n);
      if (*n < piece) return out;
    }
  }

  Result<std::string> ReadFile(const std::string& path) {
    auto handle = Run(fs_->Open(path, O_RDONLY, kCaller));
    if (!handle.ok()) return handle.failure();
    Result<std::string> data = ReadHandle(*handle);
    auto released = Run(fs_->Release(*handle));
    if (!released.ok()) return released.failure();
    return data;
  }

  TestCluster cluster_;
  std::unique_ptr<ReactorPool> pool_;
  std::shared_ptr<client::ClientContext> context_;
  std::unique_ptr<AlluxioFileSystem> fs_;
};

TEST_F(AlluxioFileSystemTest, WriteAndReadBackSizes) {
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{(128 << 10) - 1}, size_t{(128 << 10) + 1}, size_t{3 << 20}}) {
    SCOPED_TRACE(size);
    const std::string path = "/f" + std::to_string(size);
    const std::string data = RandomData(size, static_cast<uint32_t>(size));
    WriteFile(path, data, 4097 + size % 13);
    auto attr = Run(fs_->GetAttr(path, kCaller));
    ASSERT_TRUE(attr.ok()) << attr.error().ToString();
    EXPECT_EQ(attr->size, size);
    EXPECT_EQ(attr->blocks, (size + 511) / 512);
    EXPECT_EQ(attr->mode, S_IFREG | 0644);
    EXPECT_NE(attr->ino, 0u);
    auto read = ReadFile(path);
    ASSERT_TRUE(read.ok()) << read.error().ToString();
    EXPECT_TRUE(*read == data);
  }
  EXPECT_EQ(fs_->open_handles(), 0u);
}

TEST_F(AlluxioFileSystemTest, OneBlockFileCachedHereHasABackingFile) {
  const std::string data = RandomData(1 << 20, 11);
  ASSERT_NO_FATAL_FAILURE(WriteFile("/whole", data));
  for (int round = 0; round < 2; ++round) {  // the second open finds the block file by path
    auto handle = Run(fs_->Open("/whole", O_RDONLY, kCaller));
    ASSERT_TRUE(handle.ok()) << handle.error().ToString();
    const int fd = Run(BackingFileOf(fs_.get(), *handle));
    ASSERT_GE(fd, 0) << "round " << round;
    std::string content(data.size() + 1, '\0');
    EXPECT_EQ(::pread(fd, content.data(), content.size(), 0), static_cast<ssize_t>(data.size()));
    content.resize(data.size());
    EXPECT_TRUE(content == data) << "round " << round;
    EXPECT_TRUE(Run(fs_->Release(*handle)).ok());
  }
  // Writers and empty files have none.
  ASSERT_NO_FATAL_FAILURE(WriteFile("/empty", ""));
  auto empty = Run(fs_->Open("/empty", O_RDONLY, kCaller));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(Run(BackingFileOf(fs_.get(), *empty)), -1);
  EXPECT_TRUE(Run(fs_->Release(*empty)).ok());
  auto writer = Run(fs_->Open("/whole", O_WRONLY | O_TRUNC, kCaller));
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ(Run(BackingFileOf(fs_.get(), *writer)), -1);
  EXPECT_TRUE(Run(fs_->Release(*writer)).ok());
}

// A file of several blocks that the worker here caches whole is one local file: opened with it
// as the backing file (FUSE passthrough), its blocks pinned while the open lasts. With a block
// missing (freed, evicted) it has none.
TEST_F(AlluxioFileSystemTest, AFileOfSeveralBlocksCachedHereHasOneBackingFile) {
  Unmount();
  Configuration conf = cluster_.ClientConf();
  ASSERT_TRUE(conf.Set(PropertyKey::kUserBlockSizeBytesDefault, "1MB").ok());
  Mount(DefaultOptions(), conf);
  const std::string data = RandomData((5 << 20) / 2, 12);  // three blocks
  ASSERT_NO_FATAL_FAILURE(WriteFile("/multi", data));
  std::vector<alluxio::BlockInfo> blocks = cluster_.store().ListBlocks();
  ASSERT_EQ(blocks.size(), 3u);
  std::sort(
      blocks.begin(), blocks.end(),
      [](const alluxio::BlockInfo& a, const alluxio::BlockInfo& b) { return a.offset < b.offset; });

  auto handle = Run(fs_->Open("/multi", O_RDONLY, kCaller));
  ASSERT_TRUE(handle.ok()) << handle.error().ToString();
  const int fd = Run(BackingFileOf(fs_.get(), *handle));
  ASSERT_GE(fd, 0);
  auto content = [fd, &data] {
    std::string out(data.size() + 1, '\0');
    out.resize(static_cast<size_t>(std::max<ssize_t>(0, ::pread(fd, out.data(), out.size(), 0))));
    return out;
  };
  EXPECT_TRUE(content() == data);
  // Freed while open (alluxio fs free): the open keeps reading the whole file.
  ASSERT_TRUE(cluster_.store().RemoveBlock(blocks[1].block_id).ok());
  EXPECT_TRUE(content() == data);
  auto read = ReadHandle(*handle);
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_TRUE(*read == data);
  EXPECT_TRUE(Run(fs_->Release(*handle)).ok());

  // A block missing: no backing file (the kernel would read a hole); reads come to us.
  auto again = Run(fs_->Open("/multi", O_RDONLY, kCaller));
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(Run(BackingFileOf(fs_.get(), *again)), -1);
  read = ReadHandle(*again);
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_TRUE(*read == data);
  EXPECT_TRUE(Run(fs_->Release(*again)).ok());
}

TEST_F(AlluxioFileSystemTest, OutOfOrderWritesInsideTheWindowReassemble) {
  const size_t kPiece = 64 << 10;
  const std::string data = RandomData(40 * kPiece + 123, 5);
  const size_t pieces = (data.size() + kPiece - 1) / kPiece;
  std::vector<size_t> order(pieces);
  for (size_t i = 0; i < pieces; ++i) order[i] = i;
  // Shuffle within groups of 16 pieces (1 MiB), as a queue depth of 16 would.
  std::mt19937 rng(1);
  for (size_t g = 0; g < pieces; g += 16) {
    std::shuffle(order.begin() + g, order.begin() + std::min(pieces, g + 16), rng);
  }
  auto created = Run(fs_->Create("/ooo", 0644, O_WRONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  for (size_t i : order) {
    auto n = Run(fs_->Write(created->handle, i * kPiece, Bytes(data, i * kPiece, kPiece)));
    ASSERT_TRUE(n.ok()) << n.error().ToString();
  }
  auto attr = Run(fs_->GetAttr("/ooo", kCaller));
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->size, data.size());  // this process's writer shows its length
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  auto read = ReadFile("/ooo");
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_TRUE(*read == data);
}

TEST_F(AlluxioFileSystemTest, GapBeyondTheWindowIsRefusedAndTheFileStaysIntact) {
  const std::string data = RandomData(300000, 6);
  auto created = Run(fs_->Create("/gap", 0644, O_WRONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes(data, 0, 200000))).ok());
  const uint64_t far = 200000 + fs_->options().write.reorder_window + 1;
  auto refused = Run(fs_->Write(created->handle, far, Bytes(data, 0, 10)));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), ErrorCode::kUnsupported);
  // Rewriting bytes already sent is refused too.
  ASSERT_TRUE(Run(fs_->Flush(created->handle, kCaller)).ok());
  auto rewrite = Run(fs_->Write(created->handle, 0, Bytes(data, 0, 10)));
  ASSERT_FALSE(rewrite.ok());
  EXPECT_EQ(rewrite.code(), ErrorCode::kUnsupported);
  ASSERT_TRUE(Run(fs_->Write(created->handle, 200000, Bytes(data, 200000))).ok());
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  auto read = ReadFile("/gap");
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(*read == data);
}

TEST_F(AlluxioFileSystemTest, PageResentAfterFsyncIsAccepted) {
  // An append after fsync: the kernel's writeback resends the whole last page.
  const std::string data = RandomData(300000, 21);
  auto created = Run(fs_->Create("/wal", 0644, O_WRONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes(data, 0, 100))).ok());
  ASSERT_TRUE(Run(fs_->Fsync(created->handle, false)).ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes(data, 0, 200))).ok());
  ASSERT_TRUE(Run(fs_->Flush(created->handle, kCaller)).ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes(data, 0, 150))).ok());  // nothing new
  std::string changed = data.substr(0, 300);
  changed[5] ^= 1;
  EXPECT_EQ(Run(fs_->Write(created->handle, 0, Bytes(changed))).code(), ErrorCode::kUnsupported);
  ASSERT_TRUE(Run(fs_->Write(created->handle, 200, Bytes(data, 200, 199800))).ok());
  ASSERT_TRUE(Run(fs_->Fsync(created->handle, false)).ok());
  // A page below 200000 (in the 64 KiB block before it) resent with the next bytes.
  ASSERT_TRUE(Run(fs_->Write(created->handle, 196608, Bytes(data, 196608, 300000 - 196608))).ok());
  // Below that block: refused even when identical.
  EXPECT_EQ(Run(fs_->Write(created->handle, 4096, Bytes(data, 4096, 100))).code(),
            ErrorCode::kUnsupported);
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  auto read = ReadFile("/wal");
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(*read == data);
}

TEST_F(AlluxioFileSystemTest, HoleAtReleaseAbortsTheFile) {
  auto created = Run(fs_->Create("/hole", 0644, O_WRONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  const std::string data = RandomData(300000, 7);
  // The first 200000 bytes go to the worker (past the first 128 KiB chunk): no staging.
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes(data, 0, 200000))).ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, 250000, Bytes(data, 250000))).ok());
  auto released = Run(fs_->Release(created->handle));
  ASSERT_FALSE(released.ok());
  EXPECT_EQ(released.code(), ErrorCode::kIoError);
  EXPECT_EQ(Run(fs_->GetAttr("/hole", kCaller)).code(), ErrorCode::kNotFound);
}

TEST_F(AlluxioFileSystemTest, TruncReplacesAtomicallyOnRelease) {
  const std::string old_data = RandomData(200000, 8);
  const std::string new_data = RandomData(300000, 9);
  WriteFile("/r", old_data);
  auto writer = Run(fs_->Open("/r", O_WRONLY | O_TRUNC, kCaller));
  ASSERT_TRUE(writer.ok()) << writer.error().ToString();
  ASSERT_TRUE(Run(fs_->Write(*writer, 0, Bytes(new_data, 0, 100000))).ok());
  // The writer's view: its own length.
  auto attr = Run(fs_->GetAttr("/r", kCaller));
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->size, 100000u);
  // Readers still see the old content; the hidden sibling is not listed.
  auto old_read = ReadFile("/r");
  ASSERT_TRUE(old_read.ok()) << old_read.error().ToString();
  EXPECT_TRUE(*old_read == old_data);
  auto list = Run(fs_->ListDir("/", 0, 100, kCaller));
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "r");
  ASSERT_TRUE(Run(fs_->Write(*writer, 100000, Bytes(new_data, 100000))).ok());
  ASSERT_TRUE(Run(fs_->Release(*writer)).ok());
  auto new_read = ReadFile("/r");
  ASSERT_TRUE(new_read.ok());
  EXPECT_TRUE(*new_read == new_data);
  list = Run(fs_->ListDir("/", 0, 100, kCaller));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);

  // O_TRUNC and nothing written: empty on release.
  writer = Run(fs_->Open("/r", O_WRONLY | O_TRUNC, kCaller));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(Run(fs_->Release(*writer)).ok());
  attr = Run(fs_->GetAttr("/r", kCaller));
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->size, 0u);
}

TEST_F(AlluxioFileSystemTest, MountedSubdirectory) {
  ASSERT_TRUE(Run(fs_->Mkdir("/sub", 0755, kCaller)).ok());
  Unmount();
  AlluxioFileSystemOptions options = DefaultOptions();
  options.alluxio_root = "/sub";
  Mount(options, cluster_.ClientConf());
  WriteFile("/f", "in sub");
  auto root = Run(fs_->GetAttr("/", kCaller));
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->mode & S_IFMT, static_cast<uint32_t>(S_IFDIR));
  Unmount();
  Mount(DefaultOptions(), cluster_.ClientConf());
  auto read = ReadFile("/sub/f");
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(*read, "in sub");
}

TEST_F(AlluxioFileSystemTest, ReplacementFollowsRenames) {
  const std::string old_data = RandomData(1000, 16);
  const std::string new_data = RandomData(2000, 17);
  ASSERT_TRUE(Run(fs_->Mkdir("/d1", 0755, kCaller)).ok());
  WriteFile("/d1/f", old_data);
  auto writer = Run(fs_->Open("/d1/f", O_WRONLY | O_TRUNC, kCaller));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(Run(fs_->Write(*writer, 0, Bytes(new_data, 0, 500))).ok());
  // The file moves to another directory; its replacement follows it at release. (Renaming
  // the directory of a file being written is not covered: the worker publishes its UFS file
  // at the path the file had when it was created.)
  ASSERT_TRUE(Run(fs_->Mkdir("/d3", 0755, kCaller)).ok());
  ASSERT_TRUE(Run(fs_->Rename("/d1/f", "/d3/g", RenameMode::kReplace, kCaller)).ok());
  ASSERT_TRUE(Run(fs_->Write(*writer, 500, Bytes(new_data, 500))).ok());
  auto released = Run(fs_->Release(*writer));
  ASSERT_TRUE(released.ok()) << released.error().ToString();
  auto read = ReadFile("/d3/g");
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(*read == new_data);
  for (const char* dir : {"/d1", "/d3"}) {
    auto listed = cluster_.ns().ListStatus(dir);
    ASSERT_TRUE(listed.ok());
    EXPECT_EQ(listed->entries.size(), std::string_view(dir) == "/d3" ? 1u : 0u) << dir;
  }
}

TEST_F(AlluxioFileSystemTest, UnlinkWhileWriting) {
  auto created = Run(fs_->Create("/u", 0644, O_WRONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes(RandomData(1000, 18)))).ok());
  ASSERT_TRUE(Run(fs_->Unlink("/u", kCaller)).ok());
  EXPECT_EQ(Run(fs_->GetAttr("/u", kCaller)).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(Run(fs_->Release(created->handle)).ok());
  EXPECT_EQ(Run(fs_->GetAttr("/u", kCaller)).code(), ErrorCode::kNotFound);
  // A replacement of a file unlinked meanwhile is dropped too.
  WriteFile("/v", "old");
  auto writer = Run(fs_->Open("/v", O_WRONLY | O_TRUNC, kCaller));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(Run(fs_->Write(*writer, 0, Bytes("new"))).ok());
  ASSERT_TRUE(Run(fs_->Unlink("/v", kCaller)).ok());
  EXPECT_TRUE(Run(fs_->Release(*writer)).ok());
  EXPECT_EQ(Run(fs_->GetAttr("/v", kCaller)).code(), ErrorCode::kNotFound);
  auto listed = cluster_.ns().ListStatus("/");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->entries.empty());
}

TEST_F(AlluxioFileSystemTest, AttributesSetWhileWritingSurviveCompletion) {
  // cp -p: futimens and fchmod before close.
  SetAttrRequest change;
  change.mode = 0600;
  change.mtime = SetAttrRequest::TimeChange{SetAttrRequest::TimeKind::kGiven, Timespec{1000000, 0}};
  auto created = Run(fs_->Create("/cp", 0644, O_WRONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes("copied"))).ok());
  ASSERT_TRUE(Run(fs_->SetAttr("/cp", change, kCaller)).ok());
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  auto attr = Run(fs_->GetAttr("/cp", kCaller));
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->mode, S_IFREG | 0600);
  EXPECT_EQ(attr->mtime.sec, 1000000);
  EXPECT_EQ(attr->size, 6u);
  // The same through an O_TRUNC replacement.
  auto writer = Run(fs_->Open("/cp", O_WRONLY | O_TRUNC, kCaller));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(Run(fs_->Write(*writer, 0, Bytes("again"))).ok());
  change.mode = 0640;
  change.mtime->time.sec = 2000000;
  ASSERT_TRUE(Run(fs_->SetAttr("/cp", change, kCaller)).ok());
  ASSERT_TRUE(Run(fs_->Release(*writer)).ok());
  attr = Run(fs_->GetAttr("/cp", kCaller));
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->mode, S_IFREG | 0640);
  EXPECT_EQ(attr->mtime.sec, 2000000);
  EXPECT_EQ(attr->size, 5u);
}

TEST_F(AlluxioFileSystemTest, WriteOnceRules) {
  const std::string data = RandomData(5000, 10);
  WriteFile("/once", data);
  // Opening works (touch), writing does not.
  auto handle = Run(fs_->Open("/once", O_WRONLY, kCaller));
  ASSERT_TRUE(handle.ok());
  auto n = Run(fs_->Write(*handle, 0, Bytes(data, 0, 10)));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.code(), ErrorCode::kUnsupported);
  n = Run(fs_->Write(*handle, 5000, Bytes(data, 0, 10)));
  EXPECT_EQ(n.code(), ErrorCode::kUnsupported);
  ASSERT_TRUE(Run(fs_->Release(*handle)).ok());
  // Read-only handles refuse writes with EINVAL.
  handle = Run(fs_->Open("/once", O_RDONLY, kCaller));
  ASSERT_TRUE(handle.ok());
  EXPECT_EQ(Run(fs_->Write(*handle, 0, Bytes(data, 0, 10))).code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(Run(fs_->Release(*handle)).ok());
  // An existing empty file can be written.
  WriteFile("/empty", "");
  handle = Run(fs_->Open("/empty", O_WRONLY, kCaller));
  ASSERT_TRUE(handle.ok());
  ASSERT_TRUE(Run(fs_->Write(*handle, 0, Bytes(data))).ok());
  ASSERT_TRUE(Run(fs_->Release(*handle)).ok());
  auto read = ReadFile("/empty");
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(*read == data);
  // O_EXCL on an existing file; O_CREAT without O_EXCL opens it.
  EXPECT_EQ(Run(fs_->Create("/once", 0644, O_WRONLY | O_CREAT | O_EXCL, kCaller)).code(),
            ErrorCode::kAlreadyExists);
  auto created = Run(fs_->Create("/once", 0644, O_RDONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->attr.size, data.size());
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  // O_RDWR writer: reads see an empty file until written, then are refused.
  created = Run(fs_->Create("/rw", 0644, O_RDWR | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  std::vector<std::byte> buf(10);
  auto empty = Run(fs_->Read(created->handle, 0, std::span<std::byte>(buf)));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, 0u);
  // Reading back bytes already sent to the worker is refused.
  const std::string big = RandomData(200000, 13);
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes(big))).ok());
  EXPECT_EQ(Run(fs_->Read(created->handle, 0, std::span<std::byte>(buf))).code(),
            ErrorCode::kUnsupported);
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  // A bad handle.
  EXPECT_EQ(Run(fs_->Release(uint64_t{12345} << 16)).code(), ErrorCode::kInvalidArgument);
}

TEST_F(AlluxioFileSystemTest, CreatedReadOnlyIsEmptyAndCompleteAtOnce) {
  // open(O_CREAT | O_RDONLY), as flock(1) does for its lock files.
  auto created = Run(fs_->Create("/lock", 0644, O_RDONLY | O_CREAT | O_EXCL, kCaller));
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(created->attr.size, 0u);
  auto read = ReadFile("/lock");  // another open reads it while the first is still open
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(*read, "");
  std::vector<std::byte> buf(10);
  auto n = Run(fs_->Read(created->handle, 0, std::span<std::byte>(buf)));
  ASSERT_TRUE(n.ok()) << n.error().ToString();
  EXPECT_EQ(*n, 0u);
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  EXPECT_EQ(Run(fs_->GetAttr("/lock", kCaller))->size, 0u);
  // O_RDONLY | O_TRUNC of a complete file empties it, as Linux does.
  WriteFile("/full", "content");
  auto handle = Run(fs_->Open("/full", O_RDONLY | O_TRUNC, kCaller));
  ASSERT_TRUE(handle.ok()) << handle.error().ToString();
  ASSERT_TRUE(Run(fs_->Release(*handle)).ok());
  EXPECT_EQ(*ReadFile("/full"), "");
}

TEST_F(AlluxioFileSystemTest, Truncation) {
  const std::string data = RandomData(5000, 11);
  WriteFile("/t", data);
  SetAttrRequest to5;
  to5.size = 5;
  EXPECT_EQ(Run(fs_->SetAttr("/t", to5, kCaller)).code(), ErrorCode::kUnsupported);
  SetAttrRequest same;
  same.size = data.size();
  EXPECT_TRUE(Run(fs_->SetAttr("/t", same, kCaller)).ok());
  SetAttrRequest to0;
  to0.size = 0;
  auto attr = Run(fs_->SetAttr("/t", to0, kCaller));
  ASSERT_TRUE(attr.ok()) << attr.error().ToString();
  EXPECT_EQ(attr->size, 0u);
  EXPECT_EQ(attr->mode, S_IFREG | 0644);
  // A writer that sent bytes to the worker grows with zeros; shrinking it is refused.
  const std::string sent = RandomData(200000, 14);
  auto created = Run(fs_->Create("/grow", 0644, O_WRONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes(sent))).ok());
  SetAttrRequest grow;
  grow.size = 300000;
  grow.handle = created->handle;
  attr = Run(fs_->SetAttr("/grow", grow, kCaller));
  ASSERT_TRUE(attr.ok()) << attr.error().ToString();
  EXPECT_EQ(attr->size, 300000u);
  SetAttrRequest shrink;
  shrink.size = 10;
  shrink.handle = created->handle;
  EXPECT_EQ(Run(fs_->SetAttr("/grow", shrink, kCaller)).code(), ErrorCode::kUnsupported);
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  auto read = ReadFile("/grow");
  ASSERT_TRUE(read.ok());
  std::string expected = sent;
  expected.append(300000 - sent.size(), '\0');
  EXPECT_TRUE(*read == expected);
  // ftruncate(fd, 0) of a complete file opened O_WRONLY, then writes: a replacement.
  auto handle = Run(fs_->Open("/grow", O_WRONLY, kCaller));
  ASSERT_TRUE(handle.ok());
  SetAttrRequest ftrunc;
  ftrunc.size = 0;
  ftrunc.handle = *handle;
  ASSERT_TRUE(Run(fs_->SetAttr("/grow", ftrunc, kCaller)).ok());
  ASSERT_TRUE(Run(fs_->Write(*handle, 0, Bytes(data, 0, 42))).ok());
  ASSERT_TRUE(Run(fs_->Release(*handle)).ok());
  read = ReadFile("/grow");
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(*read == data.substr(0, 42));
}

// What a shared writable mapping of a new file does: ftruncate, then page-fault reads and
// writeback writes of whole pages in any order, fsync (msync), release.
TEST_F(AlluxioFileSystemTest, WriterThatSentNothingIsStagedForReadsAndWritesAnywhere) {
  const std::string data = RandomData(3 * 4096 + 100, 15);
  auto created = Run(fs_->Create("/mapped", 0644, O_RDWR | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  const FileHandle h = created->handle;
  SetAttrRequest size;
  size.size = data.size();
  size.handle = h;
  auto attr = Run(fs_->SetAttr("/mapped", size, kCaller));
  ASSERT_TRUE(attr.ok()) << attr.error().ToString();
  EXPECT_EQ(attr->size, data.size());
  std::vector<std::byte> page(4096);
  auto n = Run(fs_->Read(h, 4096, std::span<std::byte>(page)));
  ASSERT_TRUE(n.ok()) << n.error().ToString();
  EXPECT_EQ(*n, 4096u);
  EXPECT_TRUE(std::all_of(page.begin(), page.end(), [](std::byte b) { return b == std::byte{0}; }));
  for (size_t at : {size_t{3 * 4096}, size_t{4096}, size_t{0}, size_t{2 * 4096}}) {
    ASSERT_TRUE(Run(fs_->Write(h, at, Bytes(data, at, 4096))).ok()) << at;
  }
  n = Run(fs_->Read(h, 4096, std::span<std::byte>(page)));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(page.data()), *n), data.substr(4096, 4096));
  ASSERT_TRUE(Run(fs_->Fsync(h, false)).ok());
  ASSERT_TRUE(Run(fs_->Flush(h, kCaller)).ok());
  ASSERT_TRUE(Run(fs_->Release(h)).ok());
  auto read = ReadFile("/mapped");
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_TRUE(*read == data);

  // numpy.memmap(mode="w+"): the last byte written first, then the pages read and written.
  created = Run(fs_->Create("/numpy", 0644, O_RDWR | O_CREAT | O_TRUNC, kCaller));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, data.size() - 1, Bytes(std::string(1, '\0')))).ok());
  ASSERT_TRUE(
      Run(fs_->Flush(created->handle, kCaller)).ok());  // the file object closed: a hole, kept
  n = Run(fs_->Read(created->handle, 0, std::span<std::byte>(page)));
  ASSERT_TRUE(n.ok()) << n.error().ToString();
  EXPECT_EQ(*n, 4096u);
  for (size_t at = 0; at < data.size(); at += 4096) {
    ASSERT_TRUE(Run(fs_->Write(created->handle, at, Bytes(data, at, 4096))).ok()) << at;
  }
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  read = ReadFile("/numpy");
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_TRUE(*read == data);

  // A write far beyond the reorder window, a hole at close, a shrinking ftruncate: zeros where
  // nothing was written, as POSIX has it.
  created = Run(fs_->Create("/sparse", 0644, O_WRONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  const uint64_t far = fs_->options().write.reorder_window + 4096;
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes(data, 0, 10))).ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, far, Bytes(data, 0, 10))).ok());
  SetAttrRequest shrink;
  shrink.size = far + 5;
  shrink.handle = created->handle;
  ASSERT_TRUE(Run(fs_->SetAttr("/sparse", shrink, kCaller)).ok());
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  read = ReadFile("/sparse");
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  std::string expected = data.substr(0, 10);
  expected.resize(far, '\0');
  expected.append(data, 0, 5);
  EXPECT_TRUE(*read == expected);
  created = Run(fs_->Create("/holey", 0644, O_WRONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, 4096, Bytes(data, 0, 10))).ok());
  ASSERT_TRUE(Run(fs_->Flush(created->handle, kCaller)).ok());
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  read = ReadFile("/holey");
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_TRUE(*read == std::string(4096, '\0') + data.substr(0, 10));
}

TEST_F(AlluxioFileSystemTest, FsyncKeepsTheFileIncompleteForReaders) {
  // Decision: fsync makes the data durable on the worker/UFS but the file completes only at
  // release, so a reader still waits and gets EBUSY.
  const std::string data = RandomData(400000, 12);
  auto created = Run(fs_->Create("/sync", 0644, O_WRONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes(data))).ok());
  auto synced = Run(fs_->Fsync(created->handle, false));
  ASSERT_TRUE(synced.ok()) << synced.error().ToString();
  EXPECT_EQ(Run(fs_->Open("/sync", O_RDONLY, kCaller)).code(), ErrorCode::kIncomplete);
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  auto read = ReadFile("/sync");
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(*read == data);
}

// The close(2) that ends the opener's last use of a written file completes it, so that close
// reports a failed completion; a close by another process, or by one of another pid namespace,
// leaves completion to release. This process is the opener; it holds no descriptor of the file
// (tests/fs/caller_process_test.cc covers descriptors).
TEST_F(AlluxioFileSystemTest, TheOpenersLastCloseCompletesTheFile) {
  const Caller opener{.pid = static_cast<uint32_t>(getpid())};
  const std::string data = RandomData(300000, 13);
  auto created = Run(fs_->Create("/closed", 0644, O_WRONLY | O_CREAT, opener));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes(data))).ok());
  auto incomplete = [this] {
    auto opened = Run(fs_->Open("/closed", O_RDONLY, kCaller));
    return !opened.ok() && opened.code() == ErrorCode::kIncomplete;
  };

  ASSERT_TRUE(Run(fs_->Flush(created->handle, Caller{})).ok());  // another pid namespace
  EXPECT_TRUE(incomplete());
  const pid_t other = fork();
  ASSERT_GE(other, 0);
  if (other == 0) {
    pause();
    _exit(0);
  }
  const bool flushed = Run(fs_->Flush(created->handle, Caller{.pid = uint32_t(other)})).ok();
  kill(other, SIGKILL);
  waitpid(other, nullptr, 0);
  EXPECT_TRUE(flushed);
  EXPECT_TRUE(incomplete());

  ASSERT_TRUE(Run(fs_->Flush(created->handle, opener)).ok());
  auto read = ReadFile("/closed");  // before release
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_TRUE(*read == data);
  auto late = Run(fs_->Write(created->handle, data.size(), Bytes("more")));
  EXPECT_FALSE(late.ok());
  if (!late.ok()) {
    EXPECT_EQ(late.code(), ErrorCode::kIoError);
  }
  EXPECT_TRUE(Run(fs_->Flush(created->handle, opener)).ok());
  EXPECT_TRUE(Run(fs_->Release(created->handle)).ok());
  read = ReadFile("/closed");
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(*read == data);
}

TEST_F(AlluxioFileSystemTest, ReadOfAFileAnotherClientWritesWaitsThenEbusy) {
  testing::TestClient other(cluster_);
  auto out = other.Run(other.fs().CreateFile("/elsewhere"));
  ASSERT_TRUE(out.ok());
  auto stream = other.Adopt(std::move(out).value());
  EXPECT_EQ(Run(fs_->Open("/elsewhere", O_RDONLY, kCaller)).code(), ErrorCode::kIncomplete);
  const std::string data = "written elsewhere";
  ASSERT_TRUE(other.Run(stream->Write(std::span<const char>(data))).ok());
  ASSERT_TRUE(other.Run(stream->Close()).ok());
  auto read = ReadFile("/elsewhere");
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(*read, data);
}

TEST_F(AlluxioFileSystemTest, RenameWhileWriting) {
  const std::string data = RandomData(500000, 13);
  ASSERT_TRUE(Run(fs_->Mkdir("/dir", 0755, kCaller)).ok());
  auto created = Run(fs_->Create("/dir/w", 0644, O_WRONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes(data, 0, 200000))).ok());
  ASSERT_TRUE(Run(fs_->Rename("/dir/w", "/x", RenameMode::kReplace, kCaller)).ok());
  auto attr = Run(fs_->GetAttr("/x", kCaller));
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->size, 200000u);
  ASSERT_TRUE(Run(fs_->Write(created->handle, 200000, Bytes(data, 200000))).ok());
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  EXPECT_EQ(Run(fs_->GetAttr("/dir/w", kCaller)).code(), ErrorCode::kNotFound);
  auto read = ReadFile("/x");
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_TRUE(*read == data);
}

TEST_F(AlluxioFileSystemTest, RenameModes) {
  WriteFile("/a", "aaa");
  WriteFile("/b", "bb");
  EXPECT_EQ(Run(fs_->Rename("/a", "/b", RenameMode::kNoReplace, kCaller)).code(),
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(Run(fs_->Rename("/a", "/b", RenameMode::kExchange, kCaller)).code(),
            ErrorCode::kUnsupported);
  ASSERT_TRUE(Run(fs_->Rename("/a", "/b", RenameMode::kReplace, kCaller)).ok());
  EXPECT_EQ(Run(fs_->GetAttr("/a", kCaller)).code(), ErrorCode::kNotFound);
  auto read = ReadFile("/b");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "aaa");
  ASSERT_TRUE(Run(fs_->Mkdir("/d", 0755, kCaller)).ok());
  EXPECT_EQ(Run(fs_->Rename("/b", "/d", RenameMode::kReplace, kCaller)).code(),
            ErrorCode::kIsADirectory);
  EXPECT_EQ(Run(fs_->Rename("/nope", "/c", RenameMode::kReplace, kCaller)).code(),
            ErrorCode::kNotFound);
}

TEST_F(AlluxioFileSystemTest, DirectoryErrors) {
  auto made = Run(fs_->Mkdir("/d", 0750, kCaller));
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(made->mode, S_IFDIR | 0750);
  EXPECT_EQ(Run(fs_->Mkdir("/d", 0755, kCaller)).code(), ErrorCode::kAlreadyExists);
  WriteFile("/d/f", "x");
  EXPECT_EQ(Run(fs_->Rmdir("/d", kCaller)).code(), ErrorCode::kNotEmpty);
  EXPECT_EQ(Run(fs_->Unlink("/d", kCaller)).code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(Run(fs_->Rmdir("/d/f", kCaller)).code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(Run(fs_->Open("/d", O_RDONLY, kCaller)).code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(Run(fs_->GetAttr("/d/f/g", kCaller)).code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(Run(fs_->ListDir("/d/f", 0, 10, kCaller)).code(), ErrorCode::kNotADirectory);
  ASSERT_TRUE(Run(fs_->Unlink("/d/f", kCaller)).ok());
  ASSERT_TRUE(Run(fs_->Rmdir("/d", kCaller)).ok());
  EXPECT_EQ(Run(fs_->GetAttr("/d", kCaller)).code(), ErrorCode::kNotFound);
}

TEST_F(AlluxioFileSystemTest, SymbolicLinks) {
  WriteFile("/f", "content");
  auto made = Run(fs_->Symlink("/l", "f", kCaller));
  ASSERT_TRUE(made.ok()) << made.error().ToString();
  EXPECT_EQ(made->mode, S_IFLNK | 0777);
  EXPECT_EQ(made->size, 1u);
  EXPECT_NE(made->ino, 0u);
  // GetAttr answers the link itself (the kernel follows it with ReadLink).
  auto attr = Run(fs_->GetAttr("/l", kCaller));
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->mode, S_IFLNK | 0777);
  EXPECT_EQ(attr->ino, made->ino);
  EXPECT_EQ(Run(fs_->ReadLink("/l", kCaller)).value(), "f");
  EXPECT_EQ(Run(fs_->ReadLink("/f", kCaller)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Run(fs_->ReadLink("/missing", kCaller)).code(), ErrorCode::kNotFound);
  EXPECT_EQ(Run(fs_->Symlink("/l", "g", kCaller)).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(Run(fs_->Symlink("/no/l", "g", kCaller)).code(), ErrorCode::kNotFound);
  // Listed as a link, from the other reactor too.
  auto list = Run(fs_->ListDir("/", 0, 10, kCaller), 1);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].name, "l");
  EXPECT_EQ((*list)[1].attr.mode, S_IFLNK | 0777);
  EXPECT_EQ((*list)[1].attr.size, 1u);
  // Renamed and unlinked as a link; the target stays.
  ASSERT_TRUE(Run(fs_->Rename("/l", "/m", RenameMode::kReplace, kCaller)).ok());
  EXPECT_EQ(Run(fs_->ReadLink("/m", kCaller)).value(), "f");
  ASSERT_TRUE(Run(fs_->Unlink("/m", kCaller)).ok());
  EXPECT_EQ(Run(fs_->GetAttr("/m", kCaller)).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ReadFile("/f").value(), "content");
}

TEST_F(AlluxioFileSystemTest, ChmodChownWithoutTranslation) {
  WriteFile("/p", "x");
  SetAttrRequest chmod;
  chmod.mode = 0600;
  auto attr = Run(fs_->SetAttr("/p", chmod, kCaller));
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->mode, S_IFREG | 0600);
  SetAttrRequest chown;
  chown.uid = 12345;
  chown.gid = 12345;
  attr = Run(fs_->SetAttr("/p", chown, kCaller));
  ASSERT_TRUE(attr.ok()) << attr.error().ToString();
  EXPECT_EQ(attr->uid, geteuid());  // a no-op: files show the launching user
  EXPECT_EQ(attr->gid, getegid());
  SetAttrRequest touch;
  touch.mtime = SetAttrRequest::TimeChange{SetAttrRequest::TimeKind::kGiven, Timespec{1000000, 0}};
  attr = Run(fs_->SetAttr("/p", touch, kCaller));
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->mtime.sec, 1000000);
  EXPECT_TRUE(Run(fs_->Access("/p", R_OK | W_OK, Caller{geteuid(), getegid()})).ok());
  EXPECT_EQ(Run(fs_->Access("/p", X_OK, Caller{geteuid(), getegid()})).code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(Run(fs_->Access("/p", R_OK, Caller{geteuid() + 1, getegid() + 1})).code(),
            ErrorCode::kPermissionDenied);
}

TEST_F(AlluxioFileSystemTest, ChownWithTranslation) {
  Unmount();
  AlluxioFileSystemOptions options = DefaultOptions();
  options.user_group_translation = true;
  Mount(options, cluster_.ClientConf());
  WriteFile("/q", "x");
  auto attr = Run(fs_->GetAttr("/q", kCaller));
  ASSERT_TRUE(attr.ok());
  // Created with this process's user and group names, mapped back to its ids.
  EXPECT_EQ(attr->uid, geteuid());
  EXPECT_EQ(attr->gid, getegid());
  SetAttrRequest chown;
  chown.uid = 4242;  // no such user here: stored as "4242", shown as 4242
  attr = Run(fs_->SetAttr("/q", chown, kCaller));
  ASSERT_TRUE(attr.ok()) << attr.error().ToString();
  EXPECT_EQ(attr->uid, 4242u);
  SetAttrRequest back;
  back.uid = geteuid();
  attr = Run(fs_->SetAttr("/q", back, kCaller));
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->uid, geteuid());
}

TEST_F(AlluxioFileSystemTest, SystemUserPolicyMakesTheCallerOwnWhatItCreates) {
  Unmount();
  AlluxioFileSystemOptions options = DefaultOptions();
  options.auth_policy = AuthPolicy::kSystemUser;
  Mount(options, cluster_.ClientConf());
  const Caller someone{4242, 4343};  // no such user or group here: stored as "4242", "4343"
  auto dir = Run(fs_->Mkdir("/theirs", 0750, someone));
  ASSERT_TRUE(dir.ok()) << dir.error().ToString();
  EXPECT_EQ(dir->uid, 4242u);
  EXPECT_EQ(dir->gid, 4343u);
  auto created = Run(fs_->Create("/theirs/f", 0640, O_WRONLY | O_CREAT, someone));
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(created->attr.uid, 4242u);
  EXPECT_EQ(created->attr.gid, 4343u);
  ASSERT_TRUE(Run(fs_->Release(created->handle)).ok());
  auto attr = Run(fs_->GetAttr("/theirs/f", kCaller));
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->uid, 4242u);
  EXPECT_EQ(attr->gid, 4343u);
  SetAttrRequest chown;
  chown.uid = geteuid();
  chown.gid = getegid();
  attr = Run(fs_->SetAttr("/theirs/f", chown, kCaller));
  ASSERT_TRUE(attr.ok()) << attr.error().ToString();
  EXPECT_EQ(attr->uid, geteuid());
  EXPECT_EQ(attr->gid, getegid());
}

TEST_F(AlluxioFileSystemTest, CustomPolicyOwnsNewFilesByTheConfiguredUser) {
  Unmount();
  AlluxioFileSystemOptions options = DefaultOptions();
  options.auth_policy = AuthPolicy::kCustom;
  options.custom_user = "4545";  // no such user or group here: shown as these ids
  options.custom_group = "4646";
  Mount(options, cluster_.ClientConf());
  auto dir = Run(fs_->Mkdir("/custom", 0755, Caller{4242, 4343}));
  ASSERT_TRUE(dir.ok()) << dir.error().ToString();
  EXPECT_EQ(dir->uid, 4545u);
  EXPECT_EQ(dir->gid, 4646u);
}

TEST_F(AlluxioFileSystemTest, SpecialCommands) {
  Unmount();
  Configuration conf = cluster_.ClientConf();
  ASSERT_TRUE(conf.Set(PropertyKey::kUserMetadataCacheEnabled, "true").ok());
  AlluxioFileSystemOptions options = DefaultOptions();
  options.special_commands = true;
  Mount(options, conf);
  WriteFile("/s", "x");
  ASSERT_TRUE(Run(fs_->GetAttr("/s", kCaller)).ok());
  auto size = Run(fs_->GetAttr("/.alluxiocli.metadatacache.size", kCaller));
  ASSERT_TRUE(size.ok());
  EXPECT_GT(size->size, 0u);
  ASSERT_TRUE(Run(fs_->GetAttr("/.alluxiocli.metadatacache.dropAll", kCaller)).ok());
  size = Run(fs_->GetAttr("/.alluxiocli.metadatacache.size", kCaller));
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size->size, 0u);
  ASSERT_TRUE(Run(fs_->GetAttr("/s", kCaller)).ok());
  ASSERT_TRUE(Run(fs_->GetAttr("/.alluxiocli.metadatacache.drop", kCaller)).ok());
  size = Run(fs_->GetAttr("/.alluxiocli.metadatacache.size", kCaller));
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size->size, 0u);
}

TEST_F(AlluxioFileSystemTest, SpecialCommandsOffAreOrdinaryPaths) {
  EXPECT_EQ(Run(fs_->GetAttr("/.alluxiocli.metadatacache.size", kCaller)).code(),
            ErrorCode::kNotFound);
}

TEST_F(AlluxioFileSystemTest, StatFs) {
  auto stats = Run(fs_->StatFs());
  ASSERT_TRUE(stats.ok()) << stats.error().ToString();
  EXPECT_EQ(stats->bsize, 16384u);
  EXPECT_EQ(stats->frsize, 16384u);
  EXPECT_EQ(stats->blocks, (256ull << 20) / 16384);
  EXPECT_LE(stats->bfree, stats->blocks);
  EXPECT_EQ(stats->bavail, stats->bfree);
}

TEST_F(AlluxioFileSystemTest, HandleUsedFromTheOtherReactor) {
  const std::string data = RandomData(700000, 14);
  auto created = Run(fs_->Create("/hop", 0644, O_WRONLY | O_CREAT, kCaller), 0);
  ASSERT_TRUE(created.ok());
  for (size_t at = 0; at < data.size(); at += 65536) {
    ASSERT_TRUE(Run(fs_->Write(created->handle, at, Bytes(data, at, 65536)), at % 2).ok());
  }
  ASSERT_TRUE(Run(fs_->Fsync(created->handle, true), 1).ok());
  ASSERT_TRUE(Run(fs_->Flush(created->handle, kCaller), 1).ok());
  ASSERT_TRUE(Run(fs_->Release(created->handle), 1).ok());
  auto handle = Run(fs_->Open("/hop", O_RDONLY, kCaller), 0);
  ASSERT_TRUE(handle.ok());
  auto read = ReadHandle(*handle, 100000, 1);
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_TRUE(*read == data);
  ASSERT_TRUE(Run(fs_->Release(*handle), 1).ok());
  EXPECT_EQ(Run(fs_->Release(*handle), 0).code(), ErrorCode::kInvalidArgument);
}

// Reads the whole file through its own handle, sequentially; true when it matches.
asio::awaitable<bool> ReadAndCompare(AlluxioFileSystem& fs, std::string path,
                                     const std::string& expected) {
  Result<FileHandle> handle = co_await fs.Open(path, O_RDONLY, kCaller);
  if (!handle.ok()) co_return false;
  std::vector<std::byte> buf(128 << 10);
  std::string got;
  while (true) {
    const std::span<std::byte> view(buf);
    Result<size_t> n = co_await fs.Read(*handle, got.size(), view);
    if (!n.ok()) co_return false;
    got.append(reinterpret_cast<const char*>(buf.data()), *n);
    if (*n < buf.size()) break;
  }
  Result<void> released = co_await fs.Release(*handle);
  co_return released.ok() && got == expected;
}

// Reads [offset, offset + n) through a shared handle.
asio::awaitable<bool> ReadRangeAndCompare(AlluxioFileSystem& fs, FileHandle handle, uint64_t offset,
                                          size_t n, const std::string& expected) {
  std::vector<std::byte> buf(n);
  const std::span<std::byte> view(buf);
  Result<size_t> got = co_await fs.Read(handle, offset, view);
  co_return got.ok() &&
      *got == n&& std::equal(buf.begin(), buf.end(), Bytes(expected, offset, n).begin());
}

TEST_F(AlluxioFileSystemTest, ConcurrentReaders) {
  const std::string data = RandomData(3 << 20, 15);
  WriteFile("/shared", data, 1 << 20);
  std::vector<std::future<bool>> results;
  for (int i = 0; i < 16; ++i) {
    results.push_back(asio::co_spawn(pool_->at(i % 2).executor(),
                                     ReadAndCompare(*fs_, "/shared", data), asio::use_future));
  }
  auto shared = Run(fs_->Open("/shared", O_RDONLY, kCaller));
  ASSERT_TRUE(shared.ok());
  for (int i = 0; i < 16; ++i) {
    const uint64_t offset = static_cast<uint64_t>(i) * 190000;
    results.push_back(asio::co_spawn(pool_->at(i % 2).executor(),
                                     ReadRangeAndCompare(*fs_, *shared, offset, 150000, data),
                                     asio::use_future));
  }
  for (auto& r : results) EXPECT_TRUE(r.get());
  ASSERT_TRUE(Run(fs_->Release(*shared)).ok());
}

asio::awaitable<bool> WriteAt(AlluxioFileSystem& fs, FileHandle handle, uint64_t offset,
                              std::span<const std::byte> data) {
  Result<size_t> n = co_await fs.Write(handle, offset, data);
  co_return n.ok() && *n == data.size();
}

TEST_F(AlluxioFileSystemTest, ConcurrentWritesFromBothReactors) {
  // As the kernel sends them with a deep queue: 48 writes of 128 KiB in flight at once, on
  // both reactors, reaching the handle in any order.
  const size_t kPiece = 128 << 10;
  const std::string data = RandomData(48 * kPiece, 20);
  auto created = Run(fs_->Create("/par", 0644, O_WRONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  std::vector<std::future<bool>> writes;
  for (size_t i = 0; i < 48; ++i) {
    writes.push_back(
        asio::co_spawn(pool_->at(i % 2).executor(),
                       WriteAt(*fs_, created->handle, i * kPiece, Bytes(data, i * kPiece, kPiece)),
                       asio::use_future));
  }
  for (auto& w : writes) EXPECT_TRUE(w.get());
  ASSERT_TRUE(Run(fs_->Release(created->handle), 1).ok());
  auto read = ReadFile("/par");
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(*read == data);
}

TEST_F(AlluxioFileSystemTest, ListDirWithOffsets) {
  ASSERT_TRUE(Run(fs_->Mkdir("/many", 0755, kCaller)).ok());
  const int kFiles = 1003;
  std::vector<std::string> names;
  for (int i = 0; i < kFiles; ++i) {
    char name[16];
    snprintf(name, sizeof(name), "f%05d", i);
    names.push_back(name);
    auto created =
        Run(fs_->Create("/many/" + names.back(), 0644, O_WRONLY | O_CREAT, kCaller), i % 2);
    ASSERT_TRUE(created.ok());
    ASSERT_TRUE(Run(fs_->Release(created->handle), i % 2).ok());
  }
  std::vector<std::string> listed;
  while (true) {
    auto page = Run(fs_->ListDir("/many", listed.size(), 97, kCaller), listed.size() % 2);
    ASSERT_TRUE(page.ok()) << page.error().ToString();
    for (const DirEntry& e : *page) {
      listed.push_back(e.name);
      EXPECT_EQ(e.attr.mode, S_IFREG | 0644);
    }
    if (page->size() < 97) break;
  }
  EXPECT_EQ(listed, names);
  // An offset never returned before (no cursor): listed from the start.
  auto page = Run(fs_->ListDir("/many", 537, 5, kCaller));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 5u);
  EXPECT_EQ((*page)[0].name, names[537]);
  page = Run(fs_->ListDir("/many", kFiles, 5, kCaller));
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->empty());
}

TEST_F(AlluxioFileSystemTest, ShutdownAbortsOpenWriters) {
  auto created = Run(fs_->Create("/open", 0644, O_WRONLY | O_CREAT, kCaller));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(Run(fs_->Write(created->handle, 0, Bytes("abc"))).ok());
  Unmount();
  Mount(DefaultOptions(), cluster_.ClientConf());
  EXPECT_EQ(Run(fs_->GetAttr("/open", kCaller)).code(), ErrorCode::kNotFound);
}

// ReadAhead directly on the cluster's client reactor: sequential reads are served from
// prefetched segments, random ones go to the stream.
asio::awaitable<bool> ReadInPieces(ReadAhead& reader, uint64_t offset, uint64_t n, size_t piece,
                                   const std::string& expected) {
  std::vector<char> buf(piece);
  for (uint64_t at = offset; at < offset + n; at += piece) {
    const std::span<char> view(buf.data(), std::min<uint64_t>(piece, offset + n - at));
    Result<size_t> got = co_await reader.Read(at, view);
    if (!got.ok() || *got != view.size()) co_return false;
    if (std::string_view(buf.data(), *got) != std::string_view(expected).substr(at, *got)) {
      co_return false;
    }
  }
  co_return true;
}

asio::awaitable<bool> Done(asio::awaitable<void> task) {
  co_await std::move(task);
  co_return true;
}

// A ReadAhead over a new file holding `data`, on the client reactor of `c`; Close() tears it
// down there.
class ReaderOnClientReactor {
 public:
  ReaderOnClientReactor(TestCluster& cluster, testing::TestClient& c, const std::string& path,
                        const std::string& data)
      : c_(c), reactor_(cluster.client_reactor()) {
    auto out = c.Run(c.fs().CreateFile(path));
    EXPECT_TRUE(out.ok());
    if (!out.ok()) return;
    auto stream = c.Adopt(std::move(out).value());
    EXPECT_TRUE(c.Run(stream->Write(std::span<const char>(data))).ok());
    EXPECT_TRUE(c.Run(stream->Close()).ok());
    auto in = c.Run(c.fs().OpenFile(path));
    EXPECT_TRUE(in.ok());
    if (!in.ok()) return;
    testing::RunSync(reactor_, [&] {
      tasks_ = std::make_unique<TaskGroup>(reactor_, "test");
      reader_ =
          std::make_shared<ReadAhead>(std::move(in).value(), reactor_, *tasks_, ReadAheadOptions{});
    });
  }
  ~ReaderOnClientReactor() {
    if (!reader_) return;
    EXPECT_TRUE(c_.Run(Done(reader_->Close())));
    testing::RunSync(reactor_, [&] { reader_.reset(); });
    EXPECT_TRUE(c_.Run(Done(tasks_->Stop())));
    testing::RunSync(reactor_, [&] { tasks_.reset(); });
  }
  ReadAhead* get() { return reader_.get(); }

 private:
  testing::TestClient& c_;
  Reactor& reactor_;
  std::unique_ptr<TaskGroup> tasks_;
  std::shared_ptr<ReadAhead> reader_;
};

TEST(ReadAheadTest, SequentialReadsArePrefetched) {
  TestCluster cluster;
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  // Over RPC: a local block file is read directly, without read-ahead (next test).
  Configuration conf = cluster.ClientConf();
  ASSERT_TRUE(conf.Set(PropertyKey::kUserShortCircuitEnabled, "false").ok());
  testing::TestClient c(cluster, conf);
  const std::string data = RandomData(5 << 20, 19);
  ReaderOnClientReactor reader(cluster, c, "/ra", data);
  ASSERT_NE(reader.get(), nullptr);
  EXPECT_TRUE(c.Run(ReadInPieces(*reader.get(), 0, data.size(), 128 << 10, data)));
  const ReadAheadStats sequential = reader.get()->stats();
  EXPECT_GT(sequential.prefetches, 0u);
  EXPECT_GT(sequential.bytes_from_prefetch, data.size() / 2);
  // Random reads (far apart): straight to the stream.
  for (uint64_t offset : {uint64_t{4} << 20, uint64_t{1} << 20, uint64_t{3} << 20}) {
    EXPECT_TRUE(c.Run(ReadInPieces(*reader.get(), offset + 12345, 4096, 4096, data)));
  }
  EXPECT_EQ(reader.get()->stats().bytes_direct, sequential.bytes_direct + 3 * 4096);
}

TEST(ReadAheadTest, LocalBlockFilesAreReadWithoutReadAhead) {
  TestCluster cluster;
  ASSERT_TRUE(cluster.ok()) << cluster.error();
  testing::TestClient c(cluster);
  const std::string data = RandomData(3 << 20, 23);
  ReaderOnClientReactor reader(cluster, c, "/local", data);
  ASSERT_NE(reader.get(), nullptr);
  EXPECT_TRUE(c.Run(ReadInPieces(*reader.get(), 0, data.size(), 128 << 10, data)));
  EXPECT_EQ(reader.get()->stats().prefetches, 0u);
  EXPECT_EQ(reader.get()->stats().bytes_direct, data.size());
}

TEST(AlluxioFileSystemOptionsTest, FromConfiguration) {
  Configuration conf;
  ASSERT_TRUE(conf.Set(PropertyKey::kFuseUserGroupTranslationEnabled, "true").ok());
  ASSERT_TRUE(conf.Set(PropertyKey::kFuseSpecialCommandEnabled, "true").ok());
  ASSERT_TRUE(conf.Set(PropertyKey::kFuseStatCacheRefreshInterval, "1min").ok());
  ASSERT_TRUE(conf.Set(PropertyKey::kFuseLoggingThreshold, "2s").ok());
  ASSERT_TRUE(conf.Set(PropertyKey::kFuseDebugEnabled, "true").ok());
  ASSERT_TRUE(
      conf.Set(PropertyKey::kFuseAuthPolicyClass, "alluxio.fuse.auth.SystemUserGroupAuthPolicy")
          .ok());
  AlluxioFileSystemOptions o = AlluxioFileSystemOptions::FromConfiguration(conf, "/a/b/");
  EXPECT_EQ(o.alluxio_root, "/a/b");
  EXPECT_TRUE(o.user_group_translation);
  EXPECT_EQ(o.auth_policy, AuthPolicy::kSystemUser);
  EXPECT_TRUE(o.special_commands);
  EXPECT_TRUE(o.debug);
  EXPECT_EQ(o.statfs_cache, std::chrono::minutes(1));
  EXPECT_EQ(o.logging_threshold, std::chrono::seconds(2));
  EXPECT_EQ(o.uid, geteuid());
  EXPECT_EQ(o.gid, getegid());
  AlluxioFileSystemOptions defaults =
      AlluxioFileSystemOptions::FromConfiguration(Configuration(), "");
  EXPECT_EQ(defaults.alluxio_root, "/");
  EXPECT_FALSE(defaults.user_group_translation);
  EXPECT_EQ(defaults.auth_policy, AuthPolicy::kLaunchUser);
  EXPECT_FALSE(defaults.special_commands);
  EXPECT_EQ(defaults.statfs_cache, std::chrono::minutes(5));
}

}  // namespace
}  // namespace alluxio::fs
