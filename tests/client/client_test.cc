// The client library against a real master and worker in the test process (test_cluster.h).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/client/file_in_stream.h"
#include "core/client/file_out_stream.h"
#include "core/client/file_system_client.h"
#include "core/common/block_id.h"
#include "tests/client/test_cluster.h"
#include "tests/util/s3rver.h"

namespace alluxio::testing {
namespace {

using client::CreateFileOptions;
using client::FileSystemClient;

std::string RandomData(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string ReadLocalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteLocalFile(const std::string& path, const std::string& data) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << data;
}

// Writes `data` in pieces of `piece` bytes and closes the file.
Task<Result<FileInfo>> WriteFile(FileSystemClient& fs, std::string path, std::string data,
                                 CreateFileOptions options, size_t piece = 100000) {
  auto out = co_await fs.CreateFile(path, options);
  if (!out) co_return out.failure();
  for (size_t at = 0; at < data.size(); at += piece) {
    size_t n = std::min(piece, data.size() - at);
    Status s = co_await (*out)->Write(std::span<const char>(data.data() + at, n));
    if (!s) co_return s.failure();
  }
  co_return co_await (*out)->Close();
}

Task<Result<FileInfo>> WriteFile(FileSystemClient& fs, std::string path, std::string data) {
  return WriteFile(fs, std::move(path), std::move(data), CreateFileOptions{});
}

// Reads [offset, offset + n) of an open stream in pieces of `piece` bytes.
Task<Result<std::string>> ReadRange(client::FileInStream& in, uint64_t offset, uint64_t n,
                                    size_t piece) {
  std::string out;
  std::vector<char> buf(piece);
  while (out.size() < n) {
    size_t want = std::min<uint64_t>(piece, n - out.size());
    Result<size_t> got = co_await in.Read(offset + out.size(), std::span<char>(buf.data(), want));
    if (!got) co_return got.failure();
    if (*got == 0) break;
    out.append(buf.data(), *got);
  }
  co_return out;
}

Task<Result<std::string>> ReadFile(FileSystemClient& fs, std::string path, size_t piece = 1 << 20) {
  auto in = co_await fs.OpenFile(path);
  if (!in) co_return in.failure();
  co_return co_await ReadRange(**in, 0, (*in)->length() + 1, piece);
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.ok()) << cluster_.error(); }
  TestCluster cluster_;
};

TEST_F(ClientTest, WriteAndReadBackSizes) {
  TestClient c(cluster_);
  const uint64_t kBlock = 64 << 10;
  for (size_t size : {size_t{0}, size_t{1}, size_t{(128 << 10) - 1}, size_t{128 << 10},
                      size_t{(128 << 10) + 1}, size_t{3 * kBlock + 17}}) {
    SCOPED_TRACE(size);
    std::string path = "/f" + std::to_string(size);
    std::string data = RandomData(size, static_cast<uint32_t>(size));
    CreateFileOptions options;
    options.block_size = kBlock;
    auto info = c.Run(WriteFile(c.fs(), path, data, options, 50000));
    ASSERT_TRUE(info.ok()) << info.error().ToString();
    EXPECT_TRUE(info->completed);
    EXPECT_TRUE(info->persisted);
    EXPECT_EQ(info->length, size);
    EXPECT_EQ(info->block_ids.size(), BlockCount(size, kBlock));
    // Whole file in one call, and in small pieces that straddle block boundaries.
    auto whole = c.Run(ReadFile(c.fs(), path));
    ASSERT_TRUE(whole.ok()) << whole.error().ToString();
    EXPECT_TRUE(*whole == data);
    auto pieces = c.Run(ReadFile(c.fs(), path, 40000));
    ASSERT_TRUE(pieces.ok()) << pieces.error().ToString();
    EXPECT_TRUE(*pieces == data);
    EXPECT_TRUE(ReadLocalFile(cluster_.ufs_root() + path) == data);
  }
}

TEST_F(ClientTest, PositionedReadsAndEndOfFile) {
  TestClient c(cluster_);
  std::string data = RandomData(300000, 7);
  CreateFileOptions options;
  options.block_size = 100000;
  ASSERT_TRUE(c.Run(WriteFile(c.fs(), "/p", data, options)).ok());
  auto opened = c.Run(c.fs().OpenFile("/p"));
  ASSERT_TRUE(opened.ok());
  auto in = c.Adopt(std::move(opened).value());
  auto mid = c.Run(ReadRange(*in, 99990, 20, 20));
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(*mid, data.substr(99990, 20));
  std::vector<char> buf(100);
  auto tail = c.Run(in->Read(299950, std::span<char>(buf)));
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, 50u);
  EXPECT_EQ(std::string(buf.data(), 50), data.substr(299950));
  auto past = c.Run(in->Read(300000, std::span<char>(buf)));
  ASSERT_TRUE(past.ok());
  EXPECT_EQ(*past, 0u);
}

TEST_F(ClientTest, WriteTypes) {
  TestClient c(cluster_);
  std::string data = RandomData(200000, 3);
  struct Case {
    WriteType type;
    bool persisted;
    bool cached;
  };
  for (Case k :
       {Case{WriteType::kCacheThrough, true, true}, Case{WriteType::kMustCache, false, true},
        Case{WriteType::kThrough, true, false}}) {
    std::string path = "/wt_" + std::string(WriteTypeName(k.type));
    SCOPED_TRACE(path);
    CreateFileOptions options;
    options.write_type = k.type;
    auto info = c.Run(WriteFile(c.fs(), path, data, options));
    ASSERT_TRUE(info.ok()) << info.error().ToString();
    EXPECT_EQ(info->persisted, k.persisted);
    EXPECT_EQ(std::filesystem::exists(cluster_.ufs_root() + path), k.persisted);
    ASSERT_EQ(info->block_ids.size(), 1u);
    EXPECT_EQ(cluster_.store().HasBlock(info->block_ids[0]), k.cached);
    auto blocks = c.Run(c.fs().GetBlockInfos(path));
    ASSERT_TRUE(blocks.ok());
    EXPECT_EQ(blocks->blocks[0].locations.size(), k.cached ? 1u : 0u);
    auto back = c.Run(ReadFile(c.fs(), path));
    ASSERT_TRUE(back.ok()) << back.error().ToString();
    EXPECT_TRUE(*back == data);
  }
}

TEST_F(ClientTest, WriteTypeFromConfiguration) {
  Configuration conf = cluster_.ClientConf();
  ASSERT_TRUE(conf.Set(PropertyKey::kUserFileWriteTypeDefault, "MUST_CACHE").ok());
  TestClient c(cluster_, conf);
  auto info = c.Run(WriteFile(c.fs(), "/mc", "hello"));
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->persisted);
  EXPECT_FALSE(std::filesystem::exists(cluster_.ufs_root() + "/mc"));
}

TEST_F(ClientTest, UfsFileIsReadThroughThenServedFromCache) {
  TestClient c(cluster_);
  c.context().set_locality(HostLocality("another-host", "another-host",
                                        {}));  // no short-circuit: every read goes to the worker
  std::string data = RandomData(150000, 11);
  WriteLocalFile(cluster_.ufs_root() + "/dir/u", data);
  auto st = c.Run(c.fs().GetStatus("/dir/u"));
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(st->length, data.size());
  EXPECT_TRUE(st->persisted);

  uint64_t hits0 = cluster_.counters().cache_hits, misses0 = cluster_.counters().cache_misses;
  auto first = c.Run(ReadFile(c.fs(), "/dir/u"));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_TRUE(*first == data);
  uint64_t hits1 = cluster_.counters().cache_hits, misses1 = cluster_.counters().cache_misses;
  EXPECT_EQ(hits1, hits0);
  EXPECT_GT(misses1, misses0);
  ASSERT_EQ(st->block_ids.size(), 1u);
  EXPECT_TRUE(cluster_.store().HasBlock(st->block_ids[0]));

  auto second = c.Run(ReadFile(c.fs(), "/dir/u"));
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(*second == data);
  EXPECT_GT(cluster_.counters().cache_hits.load(), hits1);
  EXPECT_EQ(cluster_.counters().cache_misses.load(), misses1);

  // The worker's getStats reports the same counters.
  auto stats = c.Run(c.fs().GetWorkerStats({"127.0.0.1", cluster_.worker_port(), ""}));
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->cache_hits, cluster_.counters().cache_hits.load());
  EXPECT_EQ(stats->cache_misses, cluster_.counters().cache_misses.load());
}

TEST_F(ClientTest, SameHostReadsUseTheBlockFile) {
  TestClient c(cluster_);  // the worker registered with this host's id
  std::string data = RandomData(500000, 5);
  ASSERT_TRUE(c.Run(WriteFile(c.fs(), "/local", data)).ok());
  auto result = c.Run([](FileSystemClient& fs) -> Task<Result<std::pair<std::string, uint64_t>>> {
    std::string path = "/local";
    auto in = co_await fs.OpenFile(path);
    if (!in) co_return in.failure();
    auto bytes = co_await ReadRange(**in, 0, (*in)->length(), 100000);
    if (!bytes) co_return bytes.failure();
    co_return std::make_pair(*bytes, (*in)->stats().bytes_short_circuit);
  }(c.fs()));
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_TRUE(result->first == data);
  EXPECT_EQ(result->second, data.size());
}

TEST_F(ClientTest, SameHostColdReadsAreCachedThenReadFromTheBlockFile) {
  // Not one byte of a cold block crosses the worker's connection: the worker caches it, the
  // reader reads the cache file.
  TestClient c(cluster_);
  std::string data = RandomData(300000, 12);
  WriteLocalFile(cluster_.ufs_root() + "/cold", data);
  auto result =
      c.Run([](FileSystemClient& fs) -> Task<Result<std::pair<std::string, client::ReadStats>>> {
        std::string path = "/cold";
        auto in = co_await fs.OpenFile(path);
        if (!in) co_return in.failure();
        auto bytes = co_await ReadRange(**in, 0, (*in)->length(), 100000);
        if (!bytes) co_return bytes.failure();
        co_return std::make_pair(*bytes, (*in)->stats());
      }(c.fs()));
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_TRUE(result->first == data);
  EXPECT_EQ(result->second.bytes_short_circuit, data.size());
  EXPECT_EQ(result->second.bytes_from_workers, 0u);
  auto st = c.Run(c.fs().GetStatus("/cold"));
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(st->block_ids.size(), 1u);
  EXPECT_TRUE(cluster_.store().HasBlock(st->block_ids[0]));
}

TEST_F(ClientTest, TheOnlyBlockOfAFileIsReadUnpinned) {
  // No lease holds it: removing the block frees its space at once, and the open descriptor
  // still reads it whole (its cache file was unlinked).
  TestClient c(cluster_);
  std::string data = RandomData(200000, 13);
  WriteLocalFile(cluster_.ufs_root() + "/one", data);
  auto opened = c.Run(c.fs().OpenFile("/one"));
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  auto in = c.Adopt(std::move(opened).value());
  auto head = c.Run(ReadRange(*in, 0, 1000, 1000));
  ASSERT_TRUE(head.ok()) << head.error().ToString();
  EXPECT_EQ(in->stats().bytes_short_circuit, 1000u);
  ASSERT_EQ(in->blocks().blocks.size(), 1u);
  ASSERT_TRUE(cluster_.store().RemoveBlock(in->blocks().blocks[0].block_id).ok());
  uint64_t committed = 0;
  for (const DirUsage& dir : cluster_.store().Usage()) committed += dir.committed_bytes;
  EXPECT_EQ(committed, 0u);
  auto rest = c.Run(ReadRange(*in, 1000, data.size() - 1000, 100000));
  ASSERT_TRUE(rest.ok()) << rest.error().ToString();
  EXPECT_TRUE(*head + *rest == data);
  EXPECT_EQ(in->stats().bytes_short_circuit, data.size());
}

TEST_F(ClientTest, ReadSurvivesWorkerStoppedMidRead) {
  client::ClientOptions options = *client::ClientOptions::FromConfiguration(cluster_.ClientConf());
  options.reader_chunk_bytes = 64 << 10;  // several calls in flight per block
  TestClient c(cluster_, options);
  c.context().set_locality(HostLocality("another-host", "another-host", {}));
  std::string data = RandomData(3 << 20, 9);
  CreateFileOptions create;
  create.block_size = 1 << 20;
  ASSERT_TRUE(c.Run(WriteFile(c.fs(), "/big", data, create)).ok());

  auto opened = c.Run(c.fs().OpenFile("/big"));
  ASSERT_TRUE(opened.ok());
  auto in = c.Adopt(std::move(opened).value());
  auto head = c.Run(ReadRange(*in, 0, 1500000, 1500000));
  ASSERT_TRUE(head.ok()) << head.error().ToString();
  EXPECT_EQ(in->stats().bytes_from_workers, 1500000u);
  cluster_.StopWorker();
  auto rest = c.Run(ReadRange(*in, 1500000, data.size() - 1500000, 1 << 20));
  ASSERT_TRUE(rest.ok()) << rest.error().ToString();
  EXPECT_TRUE(*head + *rest == data);
  EXPECT_EQ(in->stats().worker_failovers, 1u);
  EXPECT_EQ(in->stats().bytes_from_ufs, data.size() - 1500000);
}

TEST_F(ClientTest, MustCacheFileUnreadableWithoutWorker) {
  TestClient c(cluster_);
  c.context().set_locality(HostLocality("another-host", "another-host", {}));
  CreateFileOptions options;
  options.write_type = WriteType::kMustCache;
  ASSERT_TRUE(c.Run(WriteFile(c.fs(), "/volatile", "data", options)).ok());
  cluster_.StopWorker();
  auto back = c.Run(ReadFile(c.fs(), "/volatile"));
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.code(), ErrorCode::kUnavailable);
}

TEST_F(ClientTest, CreateFailsWithoutWorkerAndLeavesNothing) {
  TestClient c(cluster_);
  cluster_.StopWorker();
  auto out = c.Run(WriteFile(c.fs(), "/nowhere", "x"));
  ASSERT_FALSE(out.ok());
  // kUnavailable when the connect is refused; kTimedOut while a stopped server's listener
  // still completes connects (see TestCluster::StopWorker).
  EXPECT_TRUE(out.code() == ErrorCode::kUnavailable || out.code() == ErrorCode::kTimedOut)
      << out.error().ToString();
  EXPECT_EQ(c.Run(c.fs().GetStatus("/nowhere")).code(), ErrorCode::kNotFound);
}

TEST_F(ClientTest, AbortDropsTheFile) {
  TestClient c(cluster_);
  auto status = c.Run([](FileSystemClient& fs) -> Task<Status> {
    std::string path = "/aborted";
    auto out = co_await fs.CreateFile(path);
    if (!out) co_return out.failure();
    std::string data(1000, 'a');
    if (Status s = co_await (*out)->Write(data); !s) co_return s;
    if (Status s = co_await (*out)->Flush(); !s) co_return s;
    co_return co_await (*out)->Abort();
  }(c.fs()));
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(c.Run(c.fs().GetStatus("/aborted")).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(cluster_.ufs_root() + "/aborted"));
}

TEST_F(ClientTest, ChunksFilledInPlaceFollowBufferedWrites) {
  // What Write buffered goes first; a partial chunk is sent as its bytes, not its capacity.
  TestClient c(cluster_);
  const std::string data = RandomData(300000, 7);
  auto info = c.Run([](FileSystemClient& fs, std::string data) -> Task<Result<FileInfo>> {
    const std::span<const char> bytes(data);
    auto out = co_await fs.CreateFile("/chunks");
    if (!out) co_return out.failure();
    if (Status s = co_await (*out)->Write(bytes.first(1000)); !s) co_return s.failure();
    client::FileOutStream::Chunk full = (*out)->NewChunk(100000);
    full.Append(bytes.subspan(1000, 100000));
    if (Status s = co_await (*out)->WriteChunk(std::move(full)); !s) co_return s.failure();
    client::FileOutStream::Chunk partial = (*out)->NewChunk(250000);
    partial.Append(bytes.subspan(101000));
    if (Status s = co_await (*out)->WriteChunk(std::move(partial)); !s) co_return s.failure();
    co_return co_await (*out)->Close();
  }(c.fs(), data));
  ASSERT_TRUE(info.ok()) << info.error().ToString();
  EXPECT_EQ(info->length, data.size());
  auto read = c.Run(ReadFile(c.fs(), "/chunks"));
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_TRUE(*read == data);
  EXPECT_TRUE(ReadLocalFile(cluster_.ufs_root() + "/chunks") == data);
}

TEST_F(ClientTest, NamespaceOperations) {
  TestClient c(cluster_);
  FileSystemClient& fs = c.fs();
  client::CreateDirectoryOptions mkdirs;
  mkdirs.recursive = true;
  ASSERT_TRUE(c.Run(fs.CreateDirectory("/a/b/c", mkdirs)).ok());
  EXPECT_EQ(c.Run(fs.CreateDirectory("/a/b/c")).code(), ErrorCode::kAlreadyExists);
  mkdirs.allow_exists = true;
  EXPECT_TRUE(c.Run(fs.CreateDirectory("/a/b/c", mkdirs)).ok());
  EXPECT_EQ(c.Run(fs.CreateDirectory("/x/y")).code(), ErrorCode::kNotFound);
  ASSERT_TRUE(c.Run(WriteFile(fs, "/a/b/file", "content")).ok());
  EXPECT_EQ(c.Run(fs.Delete("/a")).code(), ErrorCode::kNotEmpty);
  EXPECT_EQ(c.Run(fs.Rename("/a/b/file", "/a/b/c", false)).code(), ErrorCode::kIsADirectory);
  ASSERT_TRUE(c.Run(WriteFile(fs, "/other", "x")).ok());
  EXPECT_EQ(c.Run(fs.Rename("/other", "/a/b/file", true)).code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(c.Run(fs.Rename("/a/b/file", "/a/moved")).ok());
  EXPECT_EQ(c.Run(fs.GetStatus("/a/b/file")).code(), ErrorCode::kNotFound);
  auto moved = c.Run(ReadFile(fs, "/a/moved"));
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, "content");
  client::SetAttributeOptions attr;
  attr.mode = 0600;
  attr.owner = "alice";
  attr.group = "staff";
  attr.mtime_ms = 1700000000123;
  auto changed = c.Run(fs.SetAttribute("/a/moved", attr));
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(changed->mode, 0600u);
  EXPECT_EQ(changed->owner, "alice");
  EXPECT_EQ(changed->group, "staff");
  EXPECT_EQ(changed->mtime_ms, 1700000000123);
  ASSERT_TRUE(c.Run(fs.Delete("/a", true)).ok());
  EXPECT_EQ(c.Run(fs.GetStatus("/a/b")).code(), ErrorCode::kNotFound);

  std::filesystem::create_directories(cluster_.work_dir() + "/ufs2/sub");
  WriteLocalFile(cluster_.work_dir() + "/ufs2/sub/m", "mounted");
  const std::map<std::string, std::string> mount_options{{"s3a.secretKey", "hush"}};
  ASSERT_TRUE(c.Run(fs.Mount("/mnt", cluster_.work_dir() + "/ufs2", true, mount_options)).ok());
  auto mounted = c.Run(ReadFile(fs, "/mnt/sub/m"));
  ASSERT_TRUE(mounted.ok()) << mounted.error().ToString();
  EXPECT_EQ(*mounted, "mounted");
  EXPECT_EQ(c.Run(fs.CreateDirectory("/mnt/new")).code(), ErrorCode::kReadOnly);
  auto table = c.Run(fs.GetMountTable());
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(table->size(), 2u);
  for (const client::MountPointInfo& m : *table) {
    if (m.alluxio_path != "/mnt") continue;
    EXPECT_TRUE(m.read_only);
    // The option reached the master; its secret value is never shown.
    EXPECT_EQ(m.options, (std::map<std::string, std::string>{{"s3a.secretKey", "******"}}));
  }
  ASSERT_TRUE(c.Run(fs.Unmount("/mnt")).ok());
  EXPECT_EQ(c.Run(fs.GetStatus("/mnt")).code(), ErrorCode::kNotFound);

  auto capacity = c.Run(fs.GetCapacity());
  ASSERT_TRUE(capacity.ok());
  EXPECT_EQ(capacity->capacity_bytes, TestClusterOptions{}.worker_capacity_bytes);
  auto workers = c.Run(fs.GetWorkers());
  ASSERT_TRUE(workers.ok());
  ASSERT_EQ(workers->size(), 1u);
  EXPECT_EQ((*workers)[0].address.rpc_port, cluster_.worker_port());
  EXPECT_TRUE((*workers)[0].live);
}

TEST_F(ClientTest, ListingIsPaged) {
  client::ClientOptions options = *client::ClientOptions::FromConfiguration(cluster_.ClientConf());
  options.list_page_size = 10;
  TestClient c(cluster_, options);
  ASSERT_TRUE(c.Run(c.fs().CreateDirectory("/d")).ok());
  for (int i = 0; i < 25; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "/d/e%02d", i);
    ASSERT_TRUE(c.Run(c.fs().CreateDirectory(name)).ok());
  }
  auto all = c.Run(c.fs().ListStatus("/d"));
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ((*all)[i].name, fmt::format("e{:02}", i));
  auto page = c.Run(c.fs().ListStatusPage("/d", "e19", 10));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 5u);
  EXPECT_EQ(page->entries[0].name, "e20");
  EXPECT_FALSE(page->has_more);
  EXPECT_EQ(c.Run(c.fs().ListStatus("/d/e00/nothing")).code(), ErrorCode::kNotFound);
}

TEST_F(ClientTest, BadInput) {
  TestClient c(cluster_);
  FileSystemClient& fs = c.fs();
  ASSERT_TRUE(c.Run(WriteFile(fs, "/file", "x")).ok());
  EXPECT_EQ(c.Run(fs.CreateDirectory("")).code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(c.Run(fs.CreateDirectory("relative")).code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(c.Run(fs.CreateDirectory("/a/../b")).code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(c.Run(fs.CreateDirectory("/.")).code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(c.Run(fs.GetStatus("/" + std::string(256, 'n'))).code(), ErrorCode::kNameTooLong);
  EXPECT_EQ(c.Run(WriteFile(fs, "/" + std::string(256, 'n'), "x")).code(), ErrorCode::kNameTooLong);
  EXPECT_TRUE(c.Run(fs.CreateDirectory("/" + std::string(255, 'n'))).ok());
  std::string deep;
  while (deep.size() <= 4096) deep += "/" + std::string(100, 'd');
  EXPECT_EQ(c.Run(fs.GetStatus(deep)).code(), ErrorCode::kNameTooLong);
  EXPECT_EQ(c.Run(fs.CreateDirectory("/file/sub")).code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(c.Run(WriteFile(fs, "/file/sub", "x")).code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(c.Run(fs.GetStatus("/file/sub")).code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(c.Run(fs.ListStatus("/file")).code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(c.Run(WriteFile(fs, "/file", "again")).code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(c.Run(fs.CreateDirectory("/dir")).ok());
  EXPECT_EQ(c.Run(fs.OpenFile("/dir")).code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(c.Run(WriteFile(fs, "/dir", "x")).code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(c.Run(fs.OpenFile("/missing")).code(), ErrorCode::kNotFound);
  EXPECT_EQ(c.Run(fs.Delete("/")).code(), ErrorCode::kInvalidArgument);
}

TEST_F(ClientTest, MetadataCacheInvalidatedByOwnMutations) {
  Configuration conf = cluster_.ClientConf();
  ASSERT_TRUE(conf.Set(PropertyKey::kUserMetadataCacheEnabled, "true").ok());
  TestClient cached(cluster_, conf);
  TestClient other(cluster_);  // no cache: changes the master behind the cached client's back
  FileSystemClient& fs = cached.fs();

  // Negative entry, then own create.
  EXPECT_EQ(cached.Run(fs.GetStatus("/m/f")).code(), ErrorCode::kNotFound);
  EXPECT_EQ(cached.Run(fs.GetStatus("/m")).code(), ErrorCode::kNotFound);
  CreateFileOptions recursive;
  recursive.recursive = true;
  ASSERT_TRUE(cached.Run(WriteFile(fs, "/m/f", "12345", recursive)).ok());
  auto st = cached.Run(fs.GetStatus("/m/f"));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->length, 5u);
  EXPECT_TRUE(cached.Run(fs.GetStatus("/m")).ok());

  // The cache is really used: another client's chmod is not seen...
  client::SetAttributeOptions chmod;
  chmod.mode = 0600;
  ASSERT_TRUE(other.Run(other.fs().SetAttribute("/m/f", chmod)).ok());
  EXPECT_EQ(cached.Run(fs.GetStatus("/m/f"))->mode, 0644u);
  // ...but its own chmod and chown are.
  chmod.mode = 0640;
  ASSERT_TRUE(cached.Run(fs.SetAttribute("/m/f", chmod)).ok());
  EXPECT_EQ(cached.Run(fs.GetStatus("/m/f"))->mode, 0640u);
  client::SetAttributeOptions chown;
  chown.owner = "bob";
  chown.group = "users";
  ASSERT_TRUE(cached.Run(fs.SetAttribute("/m/f", chown)).ok());
  auto owned = cached.Run(fs.GetStatus("/m/f"));
  EXPECT_EQ(owned->owner, "bob");
  EXPECT_EQ(owned->group, "users");

  // Listing: cached, then refreshed by own create, rename and delete.
  auto list = cached.Run(fs.ListStatus("/m"));
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  ASSERT_TRUE(other.Run(other.fs().CreateDirectory("/m/by_other")).ok());
  EXPECT_EQ(cached.Run(fs.ListStatus("/m"))->size(), 1u);
  ASSERT_TRUE(cached.Run(fs.CreateDirectory("/m/mine")).ok());
  EXPECT_EQ(cached.Run(fs.ListStatus("/m"))->size(), 3u);
  ASSERT_TRUE(cached.Run(fs.Rename("/m/f", "/m/g")).ok());
  EXPECT_EQ(cached.Run(fs.GetStatus("/m/f")).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(cached.Run(fs.GetStatus("/m/g")).ok());
  ASSERT_TRUE(cached.Run(fs.Delete("/m/g")).ok());
  EXPECT_EQ(cached.Run(fs.GetStatus("/m/g")).code(), ErrorCode::kNotFound);
  EXPECT_EQ(cached.Run(fs.ListStatus("/m"))->size(), 2u);
  // Paths are cache keys in normalized form.
  ASSERT_TRUE(cached.Run(fs.Delete("//m/mine/")).ok());
  EXPECT_EQ(cached.Run(fs.GetStatus("/m/mine")).code(), ErrorCode::kNotFound);
}

// Writes `head` (flushed: past the first MiB the worker writes the UFS copy behind the stream),
// applies `renames` (src → dst) and `removals` (recursive) meanwhile, writes `tail` and closes.
Task<Result<FileInfo>> WriteWhileRenaming(FileSystemClient& fs, std::string path, std::string head,
                                          std::vector<std::pair<std::string, std::string>> renames,
                                          std::vector<std::string> removals, std::string tail) {
  auto out = co_await fs.CreateFile(path);
  if (!out) co_return out.failure();
  if (Status s = co_await (*out)->Write(head); !s) co_return s.failure();
  if (Status s = co_await (*out)->Flush(); !s) co_return s.failure();
  for (const auto& [src, dst] : renames) {
    if (Status s = co_await fs.Rename(src, dst); !s) co_return s.failure();
  }
  for (const std::string& dir : removals) {
    if (Status s = co_await fs.Delete(dir, true); !s) co_return s.failure();
  }
  if (Status s = co_await (*out)->Write(tail); !s) co_return s.failure();
  co_return co_await (*out)->Close();
}

// Every regular file below `dir`, as paths relative to it, sorted.
std::vector<std::string> LocalFilesBelow(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      files.push_back("/" + std::filesystem::relative(entry.path(), dir).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST_F(ClientTest, FileCompletesAtItsPathWhateverIsRenamedWhileItIsWritten) {
  struct Case {
    std::string name;
    std::vector<std::string> dirs;  // created first
    std::string path;               // written
    std::vector<std::pair<std::string, std::string>> renames;
    std::string final_path;
  };
  const std::vector<Case> cases = {
      {"file renamed", {"/c1/d"}, "/c1/d/f", {{"/c1/d/f", "/c1/d/g"}}, "/c1/d/g"},
      {"parent renamed", {"/c2/r1"}, "/c2/r1/f", {{"/c2/r1", "/c2/r2"}}, "/c2/r2/f"},
      {"grandparent renamed", {"/c3/a/b"}, "/c3/a/b/f", {{"/c3/a", "/c3/z"}}, "/c3/z/b/f"},
      {"file and parent renamed",
       {"/c4/d"},
       "/c4/d/f",
       {{"/c4/d/f", "/c4/d/g"}, {"/c4/d", "/c4/e"}},
       "/c4/e/g"},
      {"parent renamed twice",
       {"/c5/d"},
       "/c5/d/f",
       {{"/c5/d", "/c5/e"}, {"/c5/e", "/c5/x"}},
       "/c5/x/f"},
      {"file moved to another directory",
       {"/c6/a", "/c6/b"},
       "/c6/a/f",
       {{"/c6/a/f", "/c6/b/f"}},
       "/c6/b/f"},
      {"parent renamed, then the file moved out of it",
       {"/c7/a", "/c7/b"},
       "/c7/a/f",
       {{"/c7/a", "/c7/a2"}, {"/c7/a2/f", "/c7/b/g"}},
       "/c7/b/g"},
  };
  TestClient c(cluster_);
  const std::string head = RandomData(2500000, 11);  // > 1 MiB: written behind the stream
  const std::string tail(1000, 'y');
  std::vector<std::string> expected_files;
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    for (const std::string& dir : k.dirs) {
      client::CreateDirectoryOptions mkdir;
      mkdir.recursive = true;
      ASSERT_TRUE(c.Run(c.fs().CreateDirectory(dir, mkdir)).ok());
    }
    auto info = c.Run(WriteWhileRenaming(c.fs(), k.path, head, k.renames, {}, tail));
    ASSERT_TRUE(info.ok()) << info.error().ToString();
    EXPECT_EQ(info->path, k.final_path);
    EXPECT_TRUE(info->completed);
    EXPECT_EQ(info->length, head.size() + tail.size());
    auto back = c.Run(ReadFile(c.fs(), k.final_path));
    ASSERT_TRUE(back.ok()) << back.error().ToString();
    EXPECT_TRUE(*back == head + tail);
    EXPECT_TRUE(ReadLocalFile(cluster_.ufs_root() + k.final_path) == head + tail);
    expected_files.push_back(k.final_path);
  }
  // Exactly the files written, and no temp file, anywhere in the under storage.
  std::sort(expected_files.begin(), expected_files.end());
  EXPECT_EQ(LocalFilesBelow(cluster_.ufs_root()), expected_files);
}

TEST_F(ClientTest, DirectoryRemovedWhileAFileInItIsWrittenStaysRemoved) {
  TestClient c(cluster_);
  client::CreateDirectoryOptions mkdir;
  mkdir.recursive = true;
  ASSERT_TRUE(c.Run(c.fs().CreateDirectory("/gone/d", mkdir)).ok());
  auto info = c.Run(WriteWhileRenaming(c.fs(), "/gone/d/f", RandomData(2500000, 12), {}, {"/gone"},
                                       std::string(1000, 'y')));
  EXPECT_FALSE(info.ok());  // the file was removed before it completed
  EXPECT_EQ(c.Run(c.fs().GetStatus("/gone")).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(cluster_.ufs_root() + "/gone"));
  EXPECT_EQ(LocalFilesBelow(cluster_.ufs_root()), std::vector<std::string>{});
}

TEST_F(ClientTest, LoadAndFree) {
  TestClient c(cluster_);
  c.context().set_locality(HostLocality("another-host", "another-host", {}));
  std::string data = RandomData(10000, 1);
  WriteLocalFile(cluster_.ufs_root() + "/l", data);
  auto loaded = c.Run(c.fs().LoadFile("/l"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(*loaded, 1u);
  cluster_.Heartbeat();
  auto blocks = c.Run(c.fs().GetBlockInfos("/l"));
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->blocks.size(), 1u);
  EXPECT_EQ(blocks->blocks[0].locations.size(), 1u);
  EXPECT_EQ(*c.Run(c.fs().LoadFile("/l")), 0u);  // already cached

  auto freed = c.Run(c.fs().Free("/l"));
  ASSERT_TRUE(freed.ok());
  EXPECT_EQ(*freed, 1u);
  cluster_.Heartbeat();
  EXPECT_FALSE(cluster_.store().HasBlock(blocks->blocks[0].block_id));
  EXPECT_TRUE(c.Run(c.fs().GetBlockInfos("/l"))->blocks[0].locations.empty());
  auto back = c.Run(ReadFile(c.fs(), "/l"));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == data);
}

// The root UFS in S3 (a real s3rver): a file written CACHE_THROUGH reaches the bucket through
// the worker's streamed upload and the master's publish; freed from the worker, it is read back
// from S3; renames and deletes reach the bucket.
class S3RootClusterTest : public ::testing::Test {
 protected:
  static TestClusterOptions ClusterOptions(const S3rver& s3) {
    TestClusterOptions options;
    options.default_block_size = 64 << 10;
    options.root_ufs_uri = s3.Uri("root");
    options.ufs_options = s3.Options();
    return options;
  }

  S3rver s3_;
  TestCluster cluster_{ClusterOptions(s3_)};
};

TEST_F(S3RootClusterTest, WriteFreeReadRenameDelete) {
  ASSERT_TRUE(s3_.ok());
  ASSERT_TRUE(cluster_.ok()) << cluster_.error();
  auto bucket = CreateUnderFileSystem(s3_.Uri("root"), s3_.Options());
  ASSERT_TRUE(bucket.ok());
  TestClient c(cluster_);
  ASSERT_TRUE(c.Run(c.fs().CreateDirectory("/dir")).ok());
  EXPECT_TRUE((*bucket)->GetStatus("/dir")->is_directory);

  const std::string data = RandomData(3 * (64 << 10) + 17, 5);
  auto info = c.Run(WriteFile(c.fs(), "/dir/f", data));
  ASSERT_TRUE(info.ok()) << info.error().ToString();
  EXPECT_TRUE(info->persisted);
  auto object = (*bucket)->GetStatus("/dir/f");
  ASSERT_TRUE(object.ok()) << object.error().ToString();
  EXPECT_EQ(object->length, data.size());
  EXPECT_TRUE((*bucket)->ListStaged()->empty());

  auto freed = c.Run(c.fs().Free("/dir/f"));
  ASSERT_TRUE(freed.ok()) << freed.error().ToString();
  cluster_.Heartbeat();
  const uint64_t from_ufs = cluster_.counters().bytes_read_ufs;
  auto read = c.Run(ReadFile(c.fs(), "/dir/f"));  // from S3, through the worker
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_TRUE(*read == data);
  EXPECT_EQ(cluster_.counters().bytes_read_ufs - from_ufs, data.size());

  ASSERT_TRUE(c.Run(c.fs().Rename("/dir/f", "/dir/g")).ok());
  EXPECT_EQ((*bucket)->GetStatus("/dir/f").code(), ErrorCode::kNotFound);
  EXPECT_EQ((*bucket)->GetStatus("/dir/g")->length, data.size());
  ASSERT_TRUE(c.Run(c.fs().Delete("/dir", true)).ok());
  EXPECT_EQ((*bucket)->GetStatus("/dir").code(), ErrorCode::kNotFound);
}

// A read entering a cold block at its start has the worker cache the next block meanwhile:
// reading only block 0 of three leaves blocks 0 and 1 cached, each fetched from S3 once.
TEST_F(S3RootClusterTest, ASequentialColdReadHasTheNextBlockCachedAhead) {
  ASSERT_TRUE(s3_.ok());
  ASSERT_TRUE(cluster_.ok()) << cluster_.error();
  TestClient c(cluster_);
  constexpr uint64_t kBlock = 64 << 10;
  const std::string data = RandomData(3 * kBlock, 6);
  CreateFileOptions create;
  create.block_size = kBlock;
  ASSERT_TRUE(c.Run(WriteFile(c.fs(), "/f", data, create)).ok());
  ASSERT_TRUE(c.Run(c.fs().Free("/f")).ok());
  cluster_.Heartbeat();
  const uint64_t cached = cluster_.counters().blocks_cached_from_ufs;
  const uint64_t from_ufs = cluster_.counters().bytes_read_ufs;
  auto first = c.Run([](FileSystemClient& fs, uint64_t n) -> Task<Result<std::string>> {
    auto in = co_await fs.OpenFile("/f");
    if (!in) co_return in.failure();
    co_return co_await ReadRange(**in, 0, n, n);
  }(c.fs(), kBlock));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_TRUE(*first == data.substr(0, kBlock));
  // The request for block 1 is not waited for by the reader.
  for (int i = 0; i < 1000 && cluster_.counters().blocks_cached_from_ufs < cached + 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(cluster_.counters().blocks_cached_from_ufs, cached + 2);
  EXPECT_EQ(cluster_.counters().bytes_read_ufs - from_ufs, 2 * kBlock);
}

}  // namespace
}  // namespace alluxio::testing
