// A cluster on separate hosts (network namespaces, test_hosts.h): a master host, two worker
// hosts, and the test process as a client host with no worker. Placement of blocks, reads from
// local and remote workers (client library and FUSE), passive caching, `fs load` / `fs free`
// across workers; failures: a worker killed or its link cut mid-read, the master's link cut and
// restored, a FUSE client cut off from the master, a write whose worker dies.
// ctest label `hosts` (run alone: ctest -L hosts); skipped where namespaces cannot be made (not
// root). ASSERT_* cannot be used inside coroutines: checks there are EXPECT_* plus co_return.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/client/block_location_policy.h"
#include "tests/cluster/cluster_client.h"
#include "tests/cluster/host_cluster.h"
#include "tests/cluster/test_hosts.h"

namespace alluxio {
namespace {

using client::FileSystemClient;
using testing::CommandResult;
using testing::HostCluster;
using testing::Pattern;
using testing::ReadFile;
using testing::RunCommand;
using testing::TempDir;
using testing::TestNetwork;
using testing::WithClient;
using testing::WriteFile;

constexpr uint64_t kBlock = 1 << 20;

bool Cached(const std::set<std::string>& workers) { return !workers.empty(); }
bool NotCached(const std::set<std::string>& workers) { return workers.empty(); }

class MultiHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto net = TestNetwork::Create();
    if (!net) GTEST_SKIP() << net.error().ToString();
    net_ = std::move(net).value();
    cluster_ = std::make_unique<HostCluster>(
        *net_, 2,
        std::map<std::string, std::string>{
            {"alluxio.user.block.size.bytes.default", std::to_string(kBlock)},
            // A read stalled on a host whose link is cut fails over after this.
            {"alluxio.user.streaming.data.read.timeout", "2s"}});
    ASSERT_TRUE(cluster_->StartMaster());
    ASSERT_TRUE(cluster_->StartWorker(0));
    ASSERT_TRUE(cluster_->StartWorker(1));
  }
  void TearDown() override {
    cluster_.reset();
    net_.reset();
  }

  // `alluxio <args>` on `host`, expected to succeed; its output.
  std::string Alluxio(const testing::TestHost& host, std::vector<std::string> args) {
    std::string command = fmt::format("{}", fmt::join(args, " "));
    CommandResult r = cluster_->Alluxio(host, std::move(args));
    EXPECT_EQ(r.exit_code, 0) << host.name() << ": alluxio " << command << ": " << r.out << r.err;
    return r.out;
  }

  // The workers ("address:port") caching each block of `path`, as the master lists them.
  std::vector<std::set<std::string>> Locations(const std::string& path) {
    std::vector<std::set<std::string>> locations;
    WithClient(cluster_->ClientConf(), [&](FileSystemClient& fs) -> Task<void> {
      auto blocks = co_await fs.GetBlockInfos(path);
      EXPECT_TRUE(blocks.ok()) << path;
      if (!blocks.ok()) co_return;
      for (const client::BlockInfo& b : blocks->blocks) {
        std::set<std::string>& workers = locations.emplace_back();
        for (const client::BlockLocation& l : b.locations) workers.insert(l.address.ToString());
      }
    });
    return locations;
  }

  // Locations(path) once `settled` holds for every block, or after 10 s. The master learns what
  // a worker cached or dropped from its commits and heartbeats, a moment after the client's call
  // that made it returned (a block cached by a read, freed by `fs free`).
  std::vector<std::set<std::string>> SettledLocations(
      const std::string& path, const std::function<bool(const std::set<std::string>&)>& settled) {
    std::vector<std::set<std::string>> locations = Locations(path);
    for (int i = 0; i < 200 && !std::ranges::all_of(locations, settled); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      locations = Locations(path);
    }
    return locations;
  }

  // Writes `content` to `path` with `alluxio fs copyFromLocal` on worker `index`'s host: it is
  // cached by that worker (alluxio.user.block.write.location.policy is LocalFirstPolicy).
  void CopyFromWorkerHost(int index, const std::string& content, const std::string& path) {
    std::ofstream(local_.Sub("in"), std::ios::binary) << content;
    Alluxio(cluster_->worker_host(index), {"fs", "copyFromLocal", local_.Sub("in"), path});
  }

  // The locations of a block cached by worker `index` alone.
  std::set<std::string> OnlyOn(int index) const { return {cluster_->WorkerAddress(index)}; }

  // Every live worker's counters, by "address:port".
  std::map<std::string, client::WorkerStats> Stats() {
    std::map<std::string, client::WorkerStats> all;
    WithClient(cluster_->ClientConf(), [&](FileSystemClient& fs) -> Task<void> {
      auto workers = co_await fs.GetWorkers();
      EXPECT_TRUE(workers.ok());
      if (!workers.ok()) co_return;
      for (const client::WorkerInfo& w : *workers) {
        auto stats = co_await fs.GetWorkerStats(w.address);
        EXPECT_TRUE(stats.ok()) << w.address.ToString();
        if (stats.ok()) all[w.address.ToString()] = *stats;
      }
    });
    return all;
  }

  // Reads all of `path`, expected to hold `content`, with a client of the test process with
  // `extra` properties; where its bytes came from.
  client::ReadStats ReadStatsOf(const std::string& path, const std::string& content,
                                const std::map<std::string, std::string>& extra) {
    client::ReadStats stats;
    WithClient(cluster_->ClientConf(extra), [&](FileSystemClient& fs) -> Task<void> {
      auto in = co_await fs.OpenFile(path);
      EXPECT_TRUE(in.ok());
      if (!in.ok()) co_return;
      std::string back(content.size(), '\0');
      auto n = co_await (*in)->Read(0, back);
      EXPECT_TRUE(n.ok() && *n == content.size());
      EXPECT_TRUE(back == content);
      stats = (*in)->stats();
    });
    return stats;
  }

  // Reads `path` (holding `content`) from the test process, calling `failure` halfway: the read
  // must give every byte right, giving up on exactly one worker.
  void ReadAcross(const std::string& path, const std::string& content,
                  const std::function<void()>& failure) {
    WithClient(cluster_->ClientConf(), [&](FileSystemClient& fs) -> Task<void> {
      auto in = co_await fs.OpenFile(path);
      EXPECT_TRUE(in.ok());
      if (!in.ok()) co_return;
      std::string back(content.size(), '\0');
      const size_t half = content.size() / 2;
      auto first = co_await (*in)->Read(0, std::span(back).first(half));
      EXPECT_TRUE(first.ok() && *first == half);
      failure();
      auto rest = co_await (*in)->Read(half, std::span(back).subspan(half));
      EXPECT_TRUE(rest.ok() && *rest == content.size() - half);
      EXPECT_TRUE(back == content);
      EXPECT_EQ((*in)->stats().worker_failovers, 1u);
    });
  }

  // Worker `index`'s state in `alluxio fsadmin report` on the master's host: "LIVE", "LOST" or
  // "absent".
  std::string StateOf(int index) {
    std::istringstream lines(Alluxio(cluster_->master_host(), {"fsadmin", "report"}));
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with(cluster_->WorkerAddress(index) + " ")) {
        return line.find("LOST") != std::string::npos ? "LOST" : "LIVE";
      }
    }
    return "absent";
  }

  // StateOf(index) once it is `state`, or after 20 s (alluxio.master.worker.timeout is 3 s).
  std::string WaitForState(int index, const std::string& state) {
    for (int i = 0; i < 200 && StateOf(index) != state; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return StateOf(index);
  }

  // The worker ("address:port") the default cold-read policy picks for each block of `path`.
  std::vector<std::string> HashPlacement(const std::string& path) {
    std::vector<std::string> placement;
    WithClient(cluster_->ClientConf(), [&](FileSystemClient& fs) -> Task<void> {
      auto blocks = co_await fs.GetBlockInfos(path);
      auto workers = co_await fs.GetWorkers();
      EXPECT_TRUE(blocks.ok() && workers.ok()) << path;
      if (!blocks.ok() || !workers.ok()) co_return;
      for (const client::BlockInfo& b : blocks->blocks) {
        placement.push_back(client::ChooseWorker(
                                client::BlockLocationPolicy::kDeterministicHash, *workers,
                                [](const client::WorkerAddress&) { return false; }, b.block_id)
                                ->address.ToString());
      }
    });
    return placement;
  }

  // Writes `content` to /`name` from the test process with write type THROUGH: in the UFS,
  // cached nowhere.
  void WriteThrough(const std::string& path, const std::string& content) {
    WithClient(cluster_->ClientConf(), [&](FileSystemClient& fs) -> Task<void> {
      Status s = co_await WriteFile(fs, path, content, WriteType::kThrough);
      EXPECT_TRUE(s.ok()) << s.error().ToString();
    });
  }

  std::unique_ptr<TestNetwork> net_;
  std::unique_ptr<HostCluster> cluster_;
  TempDir local_;  // files of the hosts (one file system)
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Written on worker host 1, read from the host with no worker: every byte comes from worker 1
// over the network. All hosts share /etc/machine-id, so a client deciding "same host" by it
// alone would read worker 1's block files directly (short-circuit) instead; a client on worker
// 1's host does.
TEST_F(MultiHostTest, AHostWithNoWorkerReadsRemotely) {
  const std::string content = Pattern(3 * kBlock + 12345, 1);
  CopyFromWorkerHost(0, content, "/remote");
  // Written through the worker on its own host (alluxio.user.block.write.location.policy).
  for (const auto& workers : Locations("/remote")) {
    EXPECT_EQ(workers, OnlyOn(0));
  }
  const client::ReadStats remote = ReadStatsOf("/remote", content, {});
  EXPECT_EQ(remote.bytes_short_circuit, 0u);
  EXPECT_EQ(remote.bytes_from_workers, content.size());
  EXPECT_EQ(remote.bytes_from_ufs, 0u);
  // A client that names worker 1's host as its own (alluxio.user.hostname) reads its block
  // files directly (the hosts share this machine's files).
  const client::ReadStats local = ReadStatsOf(
      "/remote", content, {{"alluxio.user.hostname", cluster_->worker_host(0).address()}});
  EXPECT_EQ(local.bytes_short_circuit, content.size());
  EXPECT_EQ(local.bytes_from_workers, 0u);
  // Worker host 2 reads it from worker 1 too, and (passive caching off) does not cache it.
  Alluxio(cluster_->worker_host(1), {"fs", "copyToLocal", "/remote", local_.Sub("out")});
  EXPECT_TRUE(Slurp(local_.Sub("out")) == content);
  for (const auto& workers : Locations("/remote")) {
    EXPECT_EQ(workers, OnlyOn(0));
  }
}

// FUSE clients on both worker hosts read a file worker 1 caches: the one on worker 1's host
// from its cache files (worker 1 serves no bytes), the one on worker 2's host from worker 1 over
// the network (and, passive caching off, does not cache it on worker 2).
TEST_F(MultiHostTest, FuseClientsReadLocallyAndRemotely) {
  const std::string content = Pattern(3 * kBlock + 5, 6);
  CopyFromWorkerHost(0, content, "/fuse");
  for (int i : {0, 1}) {
    const std::string mount_point = local_.Sub("mnt" + std::to_string(i + 1));
    std::filesystem::create_directories(mount_point);
    CommandResult mounted = cluster_->Mount(cluster_->worker_host(i), mount_point);
    ASSERT_EQ(mounted.exit_code, 0) << mounted.out << mounted.err;
  }
  const uint64_t before = Stats()[cluster_->WorkerAddress(0)].bytes_read_cache;
  EXPECT_TRUE(Slurp(local_.Sub("mnt1/fuse")) == content);
  EXPECT_EQ(Stats()[cluster_->WorkerAddress(0)].bytes_read_cache, before);
  EXPECT_TRUE(Slurp(local_.Sub("mnt2/fuse")) == content);
  EXPECT_GE(Stats()[cluster_->WorkerAddress(0)].bytes_read_cache, before + content.size());
  for (const auto& workers : Locations("/fuse")) {
    EXPECT_EQ(workers, OnlyOn(0));
  }
}

// alluxio.user.file.passive.cache.enabled: a FUSE client on worker 2's host reading a block
// worker 1 caches has worker 2 cache it too.
TEST_F(MultiHostTest, PassiveCachingCopiesARemoteReadHere) {
  const std::string content = Pattern(2 * kBlock + 9, 7);
  CopyFromWorkerHost(0, content, "/passive");
  const std::string mount_point = local_.Sub("mnt");
  std::filesystem::create_directories(mount_point);
  CommandResult mounted = cluster_->Mount(cluster_->worker_host(1), mount_point,
                                          "alluxio.user.file.passive.cache.enabled=true");
  ASSERT_EQ(mounted.exit_code, 0) << mounted.out << mounted.err;
  EXPECT_TRUE(Slurp(mount_point + "/passive") == content);
  const std::set<std::string> both{cluster_->WorkerAddress(0), cluster_->WorkerAddress(1)};
  for (const auto& workers :
       SettledLocations("/passive", [&](const std::set<std::string>& w) { return w == both; })) {
    EXPECT_EQ(workers, both);
  }
}

// Two clients (a worker host and the host with no worker) read a cold file at once: each block
// is cached by exactly one worker, the one the deterministic hash picks, and read from the UFS
// once.
TEST_F(MultiHostTest, ColdReadsCacheEachBlockOnceInTheCluster) {
  const std::string content = Pattern(8 * kBlock, 2);
  WriteThrough("/cold/f", content);
  for (const auto& workers : Locations("/cold/f")) EXPECT_TRUE(workers.empty());
  std::thread other([&] {
    Alluxio(cluster_->worker_host(0), {"fs", "copyToLocal", "/cold/f", local_.Sub("out")});
  });
  WithClient(cluster_->ClientConf(), [&](FileSystemClient& fs) -> Task<void> {
    auto back = co_await ReadFile(fs, "/cold/f");
    EXPECT_TRUE(back.ok() && *back == content);
  });
  other.join();
  EXPECT_TRUE(Slurp(local_.Sub("out")) == content);
  const std::vector<std::string> hashed = HashPlacement("/cold/f");
  const std::vector<std::set<std::string>> locations = SettledLocations("/cold/f", Cached);
  ASSERT_EQ(locations.size(), 8u);
  for (size_t i = 0; i < locations.size(); ++i) {
    EXPECT_EQ(locations[i], std::set<std::string>{hashed[i]}) << "block " << i;
  }
  uint64_t from_ufs = 0;
  for (const auto& [worker, stats] : Stats()) from_ufs += stats.bytes_read_ufs;
  EXPECT_EQ(from_ufs, content.size());
}

// `fs load` from the master's host places each block on the worker the hash picks, `fs stat`
// names it, `fs free` drops every copy.
TEST_F(MultiHostTest, LoadAndFreeAcrossWorkers) {
  const std::string content = Pattern(6 * kBlock + 7, 3);
  WriteThrough("/load/f", content);
  Alluxio(cluster_->master_host(), {"fs", "load", "/load/f"});
  const std::vector<std::string> hashed = HashPlacement("/load/f");
  const std::vector<std::set<std::string>> locations = SettledLocations("/load/f", Cached);
  ASSERT_EQ(locations.size(), 7u);
  for (size_t i = 0; i < locations.size(); ++i) {
    EXPECT_EQ(locations[i], std::set<std::string>{hashed[i]}) << "block " << i;
  }
  const std::string stat = Alluxio(cluster_->master_host(), {"fs", "stat", "/load/f"});
  for (const std::string& worker : std::set<std::string>(hashed.begin(), hashed.end())) {
    EXPECT_NE(stat.find(worker), std::string::npos) << stat;
  }
  Alluxio(cluster_->master_host(), {"fs", "free", "/load/f"});
  for (const auto& workers : SettledLocations("/load/f", NotCached)) {
    EXPECT_TRUE(workers.empty());
  }
  WithClient(cluster_->ClientConf(), [&](FileSystemClient& fs) -> Task<void> {
    auto back = co_await ReadFile(fs, "/load/f");
    EXPECT_TRUE(back.ok() && *back == content);
  });
}

// Worker 1, holding every block, is killed halfway through a read: the read goes on from
// another source with the right bytes; the master reports the worker LOST after
// alluxio.master.worker.timeout and lists none of its blocks; restarted with its cache, it is
// LIVE again and its blocks are listed again.
TEST_F(MultiHostTest, AWorkerLostMidReadFailsNoRead) {
  const std::string content = Pattern(4 * kBlock, 4);
  CopyFromWorkerHost(0, content, "/lost");
  ReadAcross("/lost", content, [&] { cluster_->KillWorker(0, SIGKILL); });
  EXPECT_EQ(WaitForState(0, "LOST"), "LOST");
  for (const auto& workers : Locations("/lost")) {
    EXPECT_FALSE(workers.contains(cluster_->WorkerAddress(0)));
  }
  ASSERT_TRUE(cluster_->StartWorker(0));
  EXPECT_EQ(WaitForState(0, "LIVE"), "LIVE");
  for (const auto& workers : Locations("/lost")) {
    EXPECT_TRUE(workers.contains(cluster_->WorkerAddress(0)));
  }
}

// Worker 1's host loses its link halfway through a read (its connections stall, nothing
// fails): the read goes on from another source after alluxio.user.streaming.data.read.timeout;
// the master reports the worker LOST, and takes it back with its blocks when the link returns.
TEST_F(MultiHostTest, ALinkCutMidReadFailsNoRead) {
  const std::string content = Pattern(4 * kBlock, 5);
  CopyFromWorkerHost(0, content, "/cut");
  ReadAcross("/cut", content, [&] { EXPECT_TRUE(cluster_->worker_host(0).SetLinkUp(false)); });
  EXPECT_EQ(WaitForState(0, "LOST"), "LOST");
  ASSERT_TRUE(cluster_->worker_host(0).SetLinkUp(true));
  EXPECT_EQ(WaitForState(0, "LIVE"), "LIVE");
  auto holds = [&](const std::set<std::string>& w) {
    return w.contains(cluster_->WorkerAddress(0));
  };
  for (const auto& workers : SettledLocations("/cut", holds)) EXPECT_TRUE(holds(workers));
}

// The master host's link is cut for longer than alluxio.master.worker.timeout, then restored:
// the workers come back (they re-register with their blocks) and reads and writes work again,
// nothing restarted.
TEST_F(MultiHostTest, TheMasterComesBackAfterItsLinkIsRestored) {
  const std::string content = Pattern(2 * kBlock + 3, 8);
  CopyFromWorkerHost(0, content, "/before");
  ASSERT_TRUE(cluster_->master_host().SetLinkUp(false));
  std::this_thread::sleep_for(std::chrono::seconds(4));  // past the 3 s worker timeout
  ASSERT_TRUE(cluster_->master_host().SetLinkUp(true));
  EXPECT_EQ(WaitForState(0, "LIVE"), "LIVE");
  EXPECT_EQ(WaitForState(1, "LIVE"), "LIVE");
  for (const auto& workers : SettledLocations("/before", Cached)) {
    EXPECT_EQ(workers, OnlyOn(0));
  }
  WithClient(cluster_->ClientConf(), [&](FileSystemClient& fs) -> Task<void> {
    auto back = co_await ReadFile(fs, "/before");
    EXPECT_TRUE(back.ok() && *back == content);
  });
  Alluxio(cluster_->worker_host(1), {"fs", "copyFromLocal", local_.Sub("in"), "/after"});
  Alluxio(cluster_->worker_host(0), {"fs", "copyToLocal", "/after", local_.Sub("out")});
  EXPECT_TRUE(Slurp(local_.Sub("out")) == content);
}

// A FUSE client on worker 1's host whose link to the master is cut: what it has cached (the
// metadata cache, the kernel's attributes and pages) is still served, and what needs the master
// fails with an error after alluxio.user.rpc.retry.max.duration rather than hanging.
TEST_F(MultiHostTest, AFuseClientCutOffFromTheMasterServesItsCacheAndFailsTheRest) {
  const std::string content = Pattern(kBlock + 11, 9);
  CopyFromWorkerHost(0, content, "/cached");
  const std::string mount_point = local_.Sub("mnt");
  std::filesystem::create_directories(mount_point);
  CommandResult mounted = cluster_->Mount(
      cluster_->worker_host(0), mount_point,
      "alluxio.user.metadata.cache.enabled=true,alluxio.user.rpc.retry.max.duration=2s");
  ASSERT_EQ(mounted.exit_code, 0) << mounted.out << mounted.err;
  EXPECT_TRUE(Slurp(mount_point + "/cached") == content);
  ASSERT_TRUE(cluster_->master_host().SetLinkUp(false));
  EXPECT_TRUE(Slurp(mount_point + "/cached") == content);
  // Not cached anywhere: asks the master. A hang would be killed by RunCommand's timeout
  // (exit code -1).
  CommandResult missing =
      RunCommand({"/usr/bin/stat", mount_point + "/not-cached"}, {}, std::chrono::seconds(60));
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  // EIO or ETIMEDOUT (SEMANTICS.md), not ENOENT: the path may well exist.
  EXPECT_TRUE(missing.err.find("Input/output error") != std::string::npos ||
              missing.err.find("timed out") != std::string::npos)
      << missing.err;
  ASSERT_TRUE(cluster_->master_host().SetLinkUp(true));
}

// The worker a file is written through dies mid-write: the write fails by close at the latest
// (EIO) and nothing of the file is visible, in Alluxio or in the under storage. The client says
// it is on worker 1's host (alluxio.user.hostname), so LocalFirstPolicy writes through worker 1.
TEST_F(MultiHostTest, AWriteWhoseWorkerDiesFailsAndLeavesNothing) {
  const std::string content = Pattern(2 * kBlock, 10);
  const std::string host_1 = cluster_->worker_host(0).address();
  WithClient(cluster_->ClientConf({{"alluxio.user.hostname", host_1}}),
             [&](FileSystemClient& fs) -> Task<void> {
               client::CreateFileOptions options;
               auto out = co_await fs.CreateFile("/dies", options);
               EXPECT_TRUE(out.ok());
               if (!out.ok()) co_return;
               Status first = co_await (*out)->Write(content);
               EXPECT_TRUE(first.ok());
               cluster_->KillWorker(0, SIGKILL);
               Status second = co_await (*out)->Write(content);
               auto closed = co_await (*out)->Close();
               EXPECT_FALSE(second.ok() && closed.ok());
               const Error& error = second.ok() ? closed.error() : second.error();
               EXPECT_EQ(ToErrno(error.code), EIO) << error.ToString();
               auto status = co_await fs.GetStatus("/dies");
               EXPECT_EQ(status.code(), ErrorCode::kNotFound);
             });
  EXPECT_FALSE(std::filesystem::exists(cluster_->ufs_root() + "/dies"));
}

}  // namespace
}  // namespace alluxio
