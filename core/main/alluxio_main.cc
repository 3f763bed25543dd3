// The `alluxio` command: format, master, worker, local start|stop (and the fs/fsadmin shells).
//
//   alluxio [-Dkey=value ...] <command> [args]
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <asio/signal_set.hpp>
#include <asio/use_awaitable.hpp>

#include "core/cli/fs_shell.h"
#include "core/common/configuration.h"
#include "core/common/logging.h"
#include "core/fuse_daemon/fuse_daemon.h"
#include "core/main/local_cluster.h"
#include "core/main/process_setup.h"
#include "core/master/master_server.h"
#include "core/reactor/blocking_pool.h"
#include "core/reactor/reactor.h"
#include "core/worker/worker_server.h"

namespace alluxio {
namespace {

constexpr const char* kUsage =
    "Usage: alluxio [-Dkey=value ...] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  format              remove the master's namespace and the worker's cached blocks\n"
    "  master              run a master in the foreground\n"
    "  worker              run a worker in the foreground\n"
    "  local start|stop    start or stop a master and a worker on this host, in the background\n"
    "  fs COMMAND          the file system shell (ls, mkdir, cat, copyFromLocal, copyToLocal,\n"
    "                      rm, mv, stat, mount, unmount, free, load)\n"
    "  fsadmin report      capacity, usage and workers of the cluster\n";

Task<void> WaitForTermination() {
  asio::signal_set signals(co_await asio::this_coro::executor, SIGINT, SIGTERM);
  co_await signals.async_wait(asio::use_awaitable);
}

Task<int> RunMaster(const Configuration& conf) {
  auto master = MasterServer::Start(conf);
  if (!master.ok()) {
    ALX_LOG(kError, "master", "cannot start the master: {}", master.error().ToString());
    co_return 1;
  }
  co_await WaitForTermination();
  ALX_LOG(kInfo, "master", "stopping");
  co_await (*master)->Stop();
  co_return 0;
}

// With alluxio.worker.fuse.enabled the worker also serves a FUSE mount, mounted after the
// block service is up and unmounted before it stops. The mount is started and stopped on the
// blocking pool: its requests reach this worker's reactor, which must keep running meanwhile.
Task<int> RunWorker(const Configuration& conf) {
  auto worker = WorkerServer::Start(conf);
  if (!worker.ok()) {
    ALX_LOG(kError, "worker", "cannot start the worker: {}", worker.error().ToString());
    co_return 1;
  }
  std::unique_ptr<FuseDaemon> fuse;
  if (conf.GetBool(PropertyKey::kWorkerFuseEnabled)) {
    auto start_fuse = [&conf] { return StartWorkerHostedFuse(conf); };
    auto started = co_await RunBlocking(start_fuse);
    if (!started.ok()) {
      ALX_LOG(kError, "worker", "cannot mount FUSE on the worker: {}", started.error().ToString());
      co_await (*worker)->Stop();
      co_return 1;
    }
    fuse = std::move(*started);
  }
  co_await WaitForTermination();
  ALX_LOG(kInfo, "worker", "stopping");
  if (fuse) {
    auto stop_fuse = [&fuse] {
      fuse->Stop(std::chrono::seconds(10));
      fuse.reset();
    };
    co_await RunBlocking(stop_fuse);
  }
  co_await (*worker)->Stop();
  co_return 0;
}

int Format(const Configuration& conf) {
  std::vector<std::string> dirs{conf.GetString(PropertyKey::kMasterMetastoreDir)};
  auto store = WorkerBlockStoreConfig(conf);
  if (!store.ok()) {
    fmt::print(stderr, "{}\n", store.error().ToString());
    return 1;
  }
  for (const auto& tier : store->tiers) {
    for (const auto& dir : tier.dirs) dirs.push_back(dir.path);
  }
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (ec) {
      fmt::print(stderr, "Failed to format {}: {}\n", dir, ec.message());
      return 1;
    }
    fmt::print("Formatted {}\n", dir);
  }
  return 0;
}

int Local(const Configuration& conf, const std::vector<std::string>& args,
          const std::vector<std::string>& defines) {
  if (args.size() != 1 || (args[0] != "start" && args[0] != "stop")) {
    fmt::print(stderr, "Usage: alluxio local start|stop\n");
    return 2;
  }
  if (args[0] == "stop") {
    auto stopped = StopLocalCluster(conf);
    if (stopped.empty()) fmt::print("No local master or worker is running\n");
    for (const auto& name : stopped) fmt::print("Stopped the local {}\n", name);
    return 0;
  }
  LocalClusterOptions options = LoopbackClusterOptions(conf, defines, CurrentExecutablePath());
  Result<std::vector<std::string>> started = StartLocalCluster(conf, options);
  if (!started.ok()) {
    fmt::print(stderr, "Failed to start the local cluster: {}\n", started.error().ToString());
    return 1;
  }
  for (const auto& name : *started) fmt::print("Started the local {}\n", name);
  fmt::print("Local master at {}:{} and worker at port {} are running; logs in {}\n",
             conf.GetString(PropertyKey::kMasterHostname), conf.GetInt(PropertyKey::kMasterRpcPort),
             conf.GetInt(PropertyKey::kWorkerRpcPort), conf.GetString(PropertyKey::kLogsDir));
  return 0;
}

int Main(std::vector<std::string> args) {
  auto parsed = ParseCommandLine(std::move(args), kUsage);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  CommandLine& line = std::get<CommandLine>(parsed);
  const std::string& command = line.command;
  const std::vector<std::string>& rest = line.rest;
  const std::vector<std::string>& defines = line.defines;
  const Configuration* conf = &line.conf;
  if (command == "master" || command == "worker") {
    if (Status s = InitLogging(command, *conf, /*foreground=*/true); !s.ok()) {
      fmt::print(stderr, "{}\n", s.error().ToString());
      return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    const Configuration& c = *conf;
    return RunMainReactor(
        [&c, command]() { return command == "master" ? RunMaster(c) : RunWorker(c); },
        /*blocking_threads=*/2, command);
  }
  if (command == "fs" || command == "fsadmin") {
    const Configuration& c = *conf;
    return RunMainReactor([&c, command, rest]() -> Task<int> {
      return command == "fs" ? cli::RunFsCommand(rest, c, std::cout, std::cerr)
                             : cli::RunFsadminCommand(rest, c, std::cout, std::cerr);
    });
  }
  if (command == "format") return Format(*conf);
  if (command == "local") return Local(*conf, rest, defines);
  fmt::print(stderr, "Unknown command: {}\n{}", command, kUsage);
  return 2;
}

}  // namespace
}  // namespace alluxio

int main(int argc, char** argv) {
  alluxio::RetainFreedMemory();
  return alluxio::Main(std::vector<std::string>(argv + 1, argv + argc));
}
