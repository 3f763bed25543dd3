// The master and worker as real processes, driven by the client library: data round trips,
// read-through caching, crash recovery of both processes, eviction, failover mid-read, and bad
// input. ASSERT_* cannot be used inside coroutines: checks are EXPECT_* plus early co_return.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/client/client_context.h"
#include "core/client/file_in_stream.h"
#include "core/client/file_out_stream.h"
#include "core/client/file_system_client.h"
#include "core/reactor/reactor.h"
#include "tests/cluster/cluster_client.h"
#include "tests/cluster/cluster_processes.h"
#include "tests/util/files_below.h"
#include "tests/util/s3rver.h"

namespace alluxio {
namespace {

using client::FileSystemClient;
using testing::ClusterProcesses;
using testing::FilesBelow;
using testing::Pattern;
using testing::ReadFile;
using testing::WithClient;
using testing::WriteFile;

TEST(ClusterTest, FilesOfEverySizeRoundTrip) {
  ClusterProcesses cluster(
      std::map<std::string, std::string>{{"alluxio.user.block.size.bytes.default", "1MB"}});
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  WithClient(cluster, [](FileSystemClient& fs) -> Task<void> {
    for (size_t size : {size_t{0}, size_t{1}, size_t{131071}, size_t{131072}, size_t{131073},
                        size_t{(5u << 20) / 2}}) {
      std::string path = "/sizes/f" + std::to_string(size);
      std::string content = Pattern(size, static_cast<int>(size % 97));
      Status written = co_await WriteFile(fs, path, content);
      EXPECT_TRUE(written.ok()) << path << ": " << written.error().ToString();
      auto back = co_await ReadFile(fs, path);
      EXPECT_TRUE(back.ok()) << path;
      if (back.ok()) {
        EXPECT_TRUE(*back == content) << path;
      }
    }
  });
}

// A worker's usage reaches the master with each committed block, not only at the next
// heartbeat: `fsadmin report` never shows cached blocks next to "Used Capacity: 0B".
TEST(ClusterTest, CommittedBlocksCountInTheWorkersUsedBytesAtOnce) {
  ClusterProcesses cluster(
      std::map<std::string, std::string>{{"alluxio.user.block.size.bytes.default", "1MB"},
                                         {"alluxio.worker.block.heartbeat.interval", "1h"}});
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  WithClient(cluster, [](FileSystemClient& fs) -> Task<void> {
    const std::string content = Pattern(3u << 20, 5);  // three blocks
    Status written = co_await WriteFile(fs, "/used", content);
    EXPECT_TRUE(written.ok()) << written.error().ToString();
    // Commits reach the master asynchronously: wait for the three blocks to be listed.
    std::optional<client::WorkerInfo> worker;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int i = 0; i < 500 && !(worker && worker->block_count == 3); ++i) {
      auto workers = co_await fs.GetWorkers();
      if (workers.ok() && workers->size() == 1) worker = workers->front();
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(asio::use_awaitable);
    }
    EXPECT_TRUE(worker && worker->block_count == 3);
    if (!worker) co_return;
    EXPECT_GE(worker->used_bytes, content.size());
    auto capacity = co_await fs.GetCapacity();
    EXPECT_TRUE(capacity.ok());
    if (capacity.ok()) {
      EXPECT_GE(capacity->used_bytes, content.size());
    }
  });
}

TEST(ClusterTest, ClientsOnThisHostUseTheWorkersUnixSocketAndTcpWithoutIt) {
  ClusterProcesses cluster;
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  const std::string socket =
      fmt::format("{}/run/worker-{}.sock", cluster.home(), cluster.worker_port());
  struct stat st {};
  ASSERT_EQ(::stat(socket.c_str(), &st), 0) << socket << ": " << std::strerror(errno);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  const std::string content = Pattern(300000, 3);
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    EXPECT_TRUE((co_await WriteFile(fs, "/unix/a", content)).ok());
    auto back = co_await ReadFile(fs, "/unix/a");
    EXPECT_TRUE(back.ok() && *back == content);
  });
  // Without the socket (removed behind the worker's back) a new client falls back to TCP.
  ASSERT_EQ(::unlink(socket.c_str()), 0);
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    EXPECT_TRUE((co_await WriteFile(fs, "/unix/b", content)).ok());
    auto back = co_await ReadFile(fs, "/unix/b");
    EXPECT_TRUE(back.ok() && *back == content);
  });
}

// Sockets in this network namespace bound to `path`: the listener and each connection it
// accepted (a client's side of a unix connection has no name).
int UnixSocketsAt(const std::string& path) {
  std::ifstream table("/proc/net/unix");
  int n = 0;
  for (std::string line; std::getline(table, line);) {
    if (line.size() > path.size() && line.ends_with(" " + path)) ++n;
  }
  return n;
}

TEST(ClusterTest, ClientsGoBackToTheUnixSocketOfARestartedWorker) {
  ClusterProcesses cluster;
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  const std::string socket =
      fmt::format("{}/run/worker-{}.sock", cluster.home(), cluster.worker_port());
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    EXPECT_TRUE((co_await WriteFile(fs, "/f", Pattern(1000, 1))).ok());
    auto workers = co_await fs.LiveWorkers(true);
    EXPECT_TRUE(workers.ok() && (*workers)->size() == 1);
    if (!workers.ok() || (*workers)->empty()) co_return;
    const client::WorkerAddress address = (*workers)->front().address;
    cluster.KillWorker(SIGKILL);
    // Asked while the worker is down: its unix socket does not answer (nor does TCP).
    for (int i = 0; i < 3; ++i) EXPECT_FALSE((co_await fs.GetWorkerStats(address)).ok());
    EXPECT_TRUE(cluster.StartWorker());
    Result<client::WorkerStats> stats = co_await fs.GetWorkerStats(address);
    for (int i = 0; i < 3 && !stats; ++i) stats = co_await fs.GetWorkerStats(address);
    EXPECT_TRUE(stats.ok());
    EXPECT_EQ(UnixSocketsAt(socket), 2) << "the listener and this client's connection";
  });
}

TEST(ClusterTest, FileDroppedIntoUfsIsVisibleAndSecondReadComesFromCache) {
  ClusterProcesses cluster;
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  std::string content = Pattern(300000, 3);
  std::filesystem::create_directories(cluster.UfsRoot() + "/dropped");
  std::ofstream(cluster.UfsRoot() + "/dropped/data.bin", std::ios::binary) << content;
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    auto status = co_await fs.GetStatus("/dropped/data.bin");
    EXPECT_TRUE(status.ok());
    if (!status.ok()) co_return;
    EXPECT_EQ(status->length, content.size());
    EXPECT_TRUE(status->persisted);
    auto workers = co_await fs.LiveWorkers(true);
    EXPECT_TRUE(workers.ok() && (*workers)->size() == 1u);
    if (!workers.ok() || (*workers)->empty()) co_return;
    auto address = (*workers)->front().address;

    auto first = co_await ReadFile(fs, "/dropped/data.bin");
    EXPECT_TRUE(first.ok() && *first == content);
    auto after_first = co_await fs.GetWorkerStats(address);
    EXPECT_TRUE(after_first.ok());
    auto second = co_await ReadFile(fs, "/dropped/data.bin");
    EXPECT_TRUE(second.ok() && *second == content);
    auto after_second = co_await fs.GetWorkerStats(address);
    EXPECT_TRUE(after_second.ok());
    if (!after_first.ok() || !after_second.ok()) co_return;
    // The first read went through to the UFS; the second was served from the worker's cache
    // (over RPC, or from the block file directly since the worker is on this host).
    EXPECT_GE(after_first->cache_misses, 1u);
    EXPECT_EQ(after_second->cache_misses, after_first->cache_misses);
    EXPECT_GE(after_first->blocks_cached, 1u);  // the block stayed on the worker
    EXPECT_EQ(after_second->bytes_read_ufs, after_first->bytes_read_ufs);
  });
}

// A cold small file opened on a worker's host is loaded into that worker and read from its
// block file (short-circuit; FUSE passes it through), up to
// alluxio.user.file.load.on.open.max.size; a larger one is not loaded at open.
TEST(ClusterTest, AColdSmallFileIsLoadedIntoTheLocalWorkerAtOpen) {
  ClusterProcesses cluster(
      std::map<std::string, std::string>{{"alluxio.user.file.load.on.open.max.size", "200KB"}});
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  const std::string small = Pattern(150000, 4);
  std::ofstream(cluster.UfsRoot() + "/small.bin", std::ios::binary) << small;
  std::ofstream(cluster.UfsRoot() + "/large.bin", std::ios::binary) << Pattern(250000, 5);
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    auto workers = co_await fs.LiveWorkers(true);
    EXPECT_TRUE(workers.ok() && (*workers)->size() == 1u);
    if (!workers.ok() || (*workers)->empty()) co_return;
    const auto address = (*workers)->front().address;

    auto in = co_await fs.OpenFile("/small.bin");
    EXPECT_TRUE(in.ok());
    if (!in.ok()) co_return;
    const int fd = co_await (*in)->WholeFileLocal();
    EXPECT_GE(fd, 0);
    if (fd < 0) co_return;
    std::string back(small.size(), '\0');
    EXPECT_EQ(::pread(fd, back.data(), back.size(), 0), static_cast<ssize_t>(small.size()));
    EXPECT_TRUE(back == small);
    auto stats = co_await fs.GetWorkerStats(address);
    EXPECT_TRUE(stats.ok() && stats->blocks_cached == 1u && stats->bytes_read_ufs == small.size());

    auto large = co_await fs.OpenFile("/large.bin");
    EXPECT_TRUE(large.ok());
    if (!large.ok()) co_return;
    EXPECT_EQ(co_await (*large)->WholeFileLocal(), -1);
    auto after = co_await fs.GetWorkerStats(address);
    EXPECT_TRUE(after.ok() && after->blocks_cached == 1u);
  });
}

// An S3 root UFS (a real s3rver) configured by properties of the master and worker processes:
// a file written through reaches the bucket, an object put behind Alluxio's back is read through
// the worker, and the secret key appears in no log.
TEST(ClusterTest, S3RootUfsFromTheProcessConfiguration) {
  testing::S3rver s3;
  ASSERT_TRUE(s3.ok());
  const std::string secret = "s3cr3t-never-logged";  // s3rver does not check signatures
  std::map<std::string, std::string> properties{
      {"alluxio.master.mount.table.root.ufs", s3.Uri("root")},
      {"alluxio.user.block.size.bytes.default", "1MB"}};
  for (const auto& [key, value] : s3.Options()) properties[key] = value;
  properties["s3a.secretKey"] = secret;
  ClusterProcesses cluster(properties);
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  UfsOptions options = s3.Options();
  auto bucket = CreateUnderFileSystem(s3.Uri("root"), options);
  ASSERT_TRUE(bucket.ok());
  const std::string dropped = Pattern(2500000, 4);
  {
    auto w = (*bucket)->CreateStaged("drop", 0644);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(dropped).ok());
    ASSERT_TRUE((*w)->Close().ok());
    ASSERT_TRUE((*bucket)->PublishStaged("drop", "/dropped/data.bin", dropped.size()).ok());
  }
  const std::string content = Pattern(2500000, 5);
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    Status written = co_await WriteFile(fs, "/w/f", content);
    EXPECT_TRUE(written.ok()) << written.error().ToString();
    auto back = co_await ReadFile(fs, "/w/f");
    EXPECT_TRUE(back.ok() && *back == content);
    auto through = co_await ReadFile(fs, "/dropped/data.bin");
    EXPECT_TRUE(through.ok()) << through.error().ToString();
    EXPECT_TRUE(through.ok() && *through == dropped);
  });
  auto object = (*bucket)->GetStatus("/w/f");
  ASSERT_TRUE(object.ok()) << object.error().ToString();
  EXPECT_EQ(object->length, content.size());
  for (const auto& entry : std::filesystem::recursive_directory_iterator(cluster.home())) {
    if (!entry.is_regular_file() || entry.path().string().find("/mem") != std::string::npos) {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text.find(secret), std::string::npos) << entry.path();
  }
}

TEST(ClusterTest, MasterKilledWithSigkillLosesNoAcknowledgedOperation) {
  ClusterProcesses cluster;
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  WithClient(cluster, [](FileSystemClient& fs) -> Task<void> {
    client::CreateDirectoryOptions recursive;
    recursive.recursive = true;
    for (int i = 0; i < 20; ++i) {
      auto dir = co_await fs.CreateDirectory("/d" + std::to_string(i), recursive);
      EXPECT_TRUE(dir.ok());
      EXPECT_TRUE((co_await WriteFile(fs, "/d" + std::to_string(i) + "/f", Pattern(1000, i))).ok());
    }
    EXPECT_TRUE((co_await fs.Rename("/d0/f", "/d1/g")).ok());
    EXPECT_TRUE((co_await fs.Delete("/d2", true)).ok());
  });
  cluster.KillMaster(SIGKILL);
  ASSERT_TRUE(cluster.StartMaster());
  WithClient(cluster, [](FileSystemClient& fs) -> Task<void> {
    for (int i = 3; i < 20; ++i) {
      auto back = co_await ReadFile(fs, "/d" + std::to_string(i) + "/f");
      EXPECT_TRUE(back.ok() && *back == Pattern(1000, i)) << i;
    }
    auto moved = co_await ReadFile(fs, "/d1/g");
    EXPECT_TRUE(moved.ok() && *moved == Pattern(1000, 0));
    EXPECT_EQ((co_await fs.GetStatus("/d0/f")).code(), ErrorCode::kNotFound);
    EXPECT_EQ((co_await fs.GetStatus("/d2")).code(), ErrorCode::kNotFound);
  });
}

// Calls made while the master is down wait for it (alluxio.user.rpc.retry.max.duration), the
// non-idempotent ones too: they never reached a master. Right after the kill the dead master's
// listener may still accept a connection (the kernel holds it until the process's io_uring is
// torn down) and then reset it: such a connection was never made. Three rounds, since that
// window is not always met.
TEST(ClusterTest, CallsMadeWhileTheMasterIsDownCompleteOnceItIsBack) {
  ClusterProcesses cluster;
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  WithClient(cluster, [](FileSystemClient& fs) -> Task<void> {
    EXPECT_TRUE((co_await WriteFile(fs, "/before", Pattern(1000, 1))).ok());
  });
  for (int round = 0; round < 3; ++round) {
    cluster.KillMaster(SIGKILL);
    // The client on a thread of its own: processes die with the thread that started them.
    std::thread user([&cluster, round] {
      WithClient(cluster, [round](FileSystemClient& fs) -> Task<void> {
        client::CreateDirectoryOptions options;
        const std::string path = "/during" + std::to_string(round);
        Result<FileInfo> dir = co_await fs.CreateDirectory(path, options);
        EXPECT_TRUE(dir.ok()) << round << ": " << dir.error().ToString();
        Result<std::string> back = co_await ReadFile(fs, "/before");
        EXPECT_TRUE(back.ok() && *back == Pattern(1000, 1)) << round;
      });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the client meets no master
    EXPECT_TRUE(cluster.StartMaster());
    user.join();
  }
}

// A new client's calls while the master is stopped (SIGSTOP: the kernel still completes TCP
// connects, nobody answers) complete once it continues, also when the stop outlasts a connect
// attempt (rpc::ChannelOptions::connect_timeout, 5 s).
TEST(ClusterTest, CallsMadeWhileTheMasterIsStoppedCompleteOnceItContinues) {
  ClusterProcesses cluster;
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  WithClient(cluster, [](FileSystemClient& fs) -> Task<void> {
    EXPECT_TRUE((co_await WriteFile(fs, "/before", Pattern(1000, 2))).ok());
  });
  cluster.SignalMaster(SIGSTOP);
  std::thread user([&cluster] {
    WithClient(cluster, [](FileSystemClient& fs) -> Task<void> {
      client::CreateDirectoryOptions options;
      Result<FileInfo> dir = co_await fs.CreateDirectory("/during", options);
      EXPECT_TRUE(dir.ok()) << dir.error().ToString();
      Result<FileInfo> before = co_await fs.GetStatus("/before");
      EXPECT_TRUE(before.ok()) << before.error().ToString();
    });
  });
  std::this_thread::sleep_for(std::chrono::seconds(6));
  cluster.SignalMaster(SIGCONT);
  user.join();
}

TEST(ClusterTest, WorkerKilledWithSigkillServesItsCachedBlocksAfterRestart) {
  ClusterProcesses cluster;
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  std::string content = Pattern(200000, 9);
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    // MUST_CACHE: the worker's cache holds the only copy.
    Status s = co_await WriteFile(fs, "/cached", content, WriteType::kMustCache);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().ToString());
  });
  cluster.KillWorker(SIGKILL);
  ASSERT_TRUE(cluster.StartWorker());
  // The restarted worker accepts connections a moment before its blocks are registered with the
  // master: until then the block has no location (kUnavailable). A new client every attempt.
  std::optional<Result<std::string>> back;
  for (int attempt = 0; attempt < 100; ++attempt) {
    WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
      back.emplace(co_await ReadFile(fs, "/cached"));
    });
    if (back->ok() || back->code() != ErrorCode::kUnavailable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(back->ok()) << back->error().ToString();
  EXPECT_TRUE(**back == content);
}

// A master formatted anew hands out container ids from 1 again, so a running worker may hold
// blocks with the ids of the new namespace's files. At registration the master has the worker
// drop every block it does not know, before new writes land (as Alluxio's orphaned blocks).
TEST(ClusterTest, AWorkerDropsTheBlocksOfAFormerNamespaceWhenItRegisters) {
  ClusterProcesses cluster;
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  WithClient(cluster, [](FileSystemClient& fs) -> Task<void> {
    Status s = co_await WriteFile(fs, "/former", Pattern(1000, 1), WriteType::kMustCache);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().ToString());
  });
  cluster.KillMaster(SIGKILL);
  std::filesystem::remove_all(cluster.home() + "/metastore");
  ASSERT_TRUE(cluster.StartMaster());
  // Until the worker has re-registered (its next heartbeat) the new master has no worker.
  std::optional<Status> written;
  for (int attempt = 0; attempt < 100; ++attempt) {
    WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
      written.emplace(co_await WriteFile(fs, "/new", Pattern(1000, 2), WriteType::kMustCache));
    });
    if (written->ok() || written->code() != ErrorCode::kUnavailable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(written->ok()) << written->error().ToString();
  WithClient(cluster, [](FileSystemClient& fs) -> Task<void> {
    auto back = co_await ReadFile(fs, "/new");
    EXPECT_TRUE(back.ok() && *back == Pattern(1000, 2));
    EXPECT_EQ((co_await fs.GetStatus("/former")).code(), ErrorCode::kNotFound);
  });
}

TEST(ClusterTest, EvictionKeepsTheTierWithinItsQuota) {
  ClusterProcesses cluster(
      std::map<std::string, std::string>{{"alluxio.user.block.size.bytes.default", "1MB"},
                                         {"alluxio.worker.tieredstore.level0.dirs.quota", "4MB"}});
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  WithClient(cluster, [](FileSystemClient& fs) -> Task<void> {
    for (int i = 0; i < 10; ++i) {
      EXPECT_TRUE((co_await WriteFile(fs, "/e" + std::to_string(i), Pattern(1 << 20, i))).ok());
    }
    auto workers = co_await fs.LiveWorkers(true);
    EXPECT_TRUE(workers.ok() && !(*workers)->empty());
    if (!workers.ok() || (*workers)->empty()) co_return;
    auto stats = co_await fs.GetWorkerStats((*workers)->front().address);
    EXPECT_TRUE(stats.ok());
    if (!stats.ok()) co_return;
    EXPECT_LE(stats->used_bytes, 4u << 20);
    EXPECT_GE(stats->evictions, 6u);
    // Evicted blocks are read back from the UFS (CACHE_THROUGH persisted them).
    for (int i = 0; i < 10; ++i) {
      auto back = co_await ReadFile(fs, "/e" + std::to_string(i));
      EXPECT_TRUE(back.ok() && *back == Pattern(1 << 20, i)) << i;
    }
  });
}

TEST(ClusterTest, WorkerKilledDuringReadDoesNotFailTheRead) {
  ClusterProcesses cluster(
      std::map<std::string, std::string>{{"alluxio.user.block.size.bytes.default", "1MB"}});
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  std::string content = Pattern(4 << 20, 5);
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    EXPECT_TRUE((co_await WriteFile(fs, "/big", content)).ok());
    auto in = co_await fs.OpenFile("/big");
    EXPECT_TRUE(in.ok());
    if (!in.ok()) co_return;
    std::string data(content.size(), '\0');
    auto first = co_await (*in)->Read(0, std::span(data).first(1 << 20));
    EXPECT_TRUE(first.ok() && *first == (1u << 20));
    cluster.KillWorker(SIGKILL);
    size_t done = 1 << 20;
    while (done < data.size()) {
      auto n = co_await (*in)->Read(done, std::span(data).subspan(done));
      EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().ToString());
      if (!n.ok() || *n == 0) break;
      done += *n;
    }
    EXPECT_EQ(done, content.size());
    EXPECT_TRUE(data == content);
  });
}

// Issue 16: the UFS copy of a file being written is staged outside user directories, so a
// worker killed mid-write leaves nothing in them (it left a temp file beside the file).
TEST(ClusterTest, WorkerKilledMidWriteLeavesNothingInTheUnderStorage) {
  ClusterProcesses cluster;
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    client::CreateFileOptions options;
    options.recursive = true;
    auto out = co_await fs.CreateFile("/d/f", options);
    EXPECT_TRUE(out.ok());
    if (!out.ok()) co_return;
    EXPECT_TRUE((co_await (*out)->Write(Pattern(2500000, 3))).ok());
    EXPECT_TRUE((co_await (*out)->Flush()).ok());
    cluster.KillWorker(SIGKILL);
    (void)co_await (*out)->Write(Pattern(1000, 4));
    EXPECT_FALSE((co_await (*out)->Close()).ok());
    EXPECT_EQ((co_await fs.GetStatus("/d/f")).code(), ErrorCode::kNotFound);
  });
  EXPECT_EQ(FilesBelow(cluster.UfsRoot()), std::vector<std::string>{});
}

// The master restarted while a file is written, then its directory renamed: the file still
// completes at its current path (the staged copy of an incomplete file survives the restart).
TEST(ClusterTest, MasterRestartedAndDirectoryRenamedMidWriteTheFileCompletesWhereItIs) {
  ClusterProcesses cluster;
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  const std::string head = Pattern(2500000, 5);
  const std::string tail = Pattern(1000, 6);
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    client::CreateFileOptions options;
    options.recursive = true;
    auto out = co_await fs.CreateFile("/r1/f", options);
    EXPECT_TRUE(out.ok());
    if (!out.ok()) co_return;
    EXPECT_TRUE((co_await (*out)->Write(head)).ok());
    EXPECT_TRUE((co_await (*out)->Flush()).ok());
    cluster.KillMaster(SIGKILL);
    EXPECT_TRUE(cluster.StartMaster());
    // An idempotent call reconnects (a rename is not retried on the dead connection).
    EXPECT_TRUE((co_await fs.GetStatus("/r1")).ok());
    Status renamed = co_await fs.Rename("/r1", "/r2");
    EXPECT_TRUE(renamed.ok()) << (renamed.ok() ? "" : renamed.error().ToString());
    EXPECT_TRUE((co_await (*out)->Write(tail)).ok());
    auto closed = co_await (*out)->Close();
    EXPECT_TRUE(closed.ok()) << (closed.ok() ? "" : closed.error().ToString());
    auto back = co_await ReadFile(fs, "/r2/f");
    EXPECT_TRUE(back.ok() && *back == head + tail);
  });
  EXPECT_EQ(FilesBelow(cluster.UfsRoot()), std::vector<std::string>{"r2/f"});
  std::ifstream in(cluster.UfsRoot() + "/r2/f", std::ios::binary);
  EXPECT_TRUE(std::string(std::istreambuf_iterator<char>(in), {}) == head + tail);
}

TEST(ClusterTest, BadPathsGiveTheRightErrorAndChangeNothing) {
  ClusterProcesses cluster;
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  WithClient(cluster, [](FileSystemClient& fs) -> Task<void> {
    EXPECT_TRUE((co_await WriteFile(fs, "/file", "x")).ok());
    client::CreateDirectoryOptions plain;
    client::CreateDirectoryOptions recursive;
    recursive.recursive = true;
    EXPECT_EQ((co_await fs.CreateDirectory("/a/../b", plain)).code(), ErrorCode::kInvalidPath);
    EXPECT_EQ((co_await fs.CreateDirectory("/a/./b", plain)).code(), ErrorCode::kInvalidPath);
    std::string long_name = "/" + std::string(256, 'n');
    EXPECT_EQ((co_await fs.CreateDirectory(long_name, plain)).code(), ErrorCode::kNameTooLong);
    std::string component(200, 'p');
    std::string long_path;
    while (long_path.size() <= 4096) {
      long_path.push_back('/');
      long_path.append(component);
    }
    EXPECT_EQ((co_await fs.CreateDirectory(long_path, recursive)).code(), ErrorCode::kNameTooLong);
    EXPECT_EQ((co_await fs.CreateDirectory("/file/sub", plain)).code(), ErrorCode::kNotADirectory);
    EXPECT_EQ((co_await WriteFile(fs, "/file/sub/x", "y")).code(), ErrorCode::kNotADirectory);
    EXPECT_EQ((co_await fs.CreateDirectory("", plain)).code(), ErrorCode::kInvalidPath);
    auto root = co_await fs.ListStatus("/");
    EXPECT_TRUE(root.ok());
    if (root.ok()) {
      EXPECT_EQ(root->size(), 1u);  // only /file
    }
    auto file = co_await ReadFile(fs, "/file");
    EXPECT_TRUE(file.ok() && *file == "x");
  });
}

}  // namespace
}  // namespace alluxio
