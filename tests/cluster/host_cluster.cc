#include "tests/cluster/host_cluster.h"

#include <filesystem>
#include <fstream>

#include "core/main/serving_probe.h"
#include "tests/cluster/cluster_processes.h"

namespace alluxio::testing {
namespace {

// Ports inside a host's own namespace: no other process listens there.
constexpr int kMasterPort = 21998;
constexpr int kWorkerPort = 31999;  // + the worker's index: the probe finds a worker by port

}  // namespace

HostCluster::HostCluster(TestNetwork& net, int workers,
                         std::map<std::string, std::string> properties)
    : net_(net), ufs_(shared_.Sub("ufs")), properties_(std::move(properties)) {
  std::filesystem::create_directories(ufs_);
  master_ = &net_.AddHost("m");
  std::map<std::string, std::string> defaults{
      {"alluxio.master.hostname", master_->address()},
      {"alluxio.master.rpc.port", std::to_string(kMasterPort)},
      {"alluxio.master.mount.table.root.ufs", ufs_},
      {"alluxio.worker.tieredstore.level0.dirs.quota", "64MB"},
      {"alluxio.worker.block.heartbeat.interval", "100ms"},
      {"alluxio.master.worker.timeout", "3s"},
      {"alluxio.master.lost.worker.detection.interval", "200ms"},
      {"alluxio.user.rpc.retry.max.duration", "10s"},
  };
  for (auto& [k, v] : defaults) properties_.emplace(k, v);
  master_process_.host = master_;
  master_process_.home = std::make_unique<TempDir>();
  master_process_.port = kMasterPort;
  WriteSiteFile(master_process_, {{"alluxio.master.bind.host", master_->address()}});
  for (int i = 0; i < workers; ++i) {
    Host h;
    h.host = &net_.AddHost("w" + std::to_string(i + 1));
    h.home = std::make_unique<TempDir>();
    h.port = kWorkerPort + i;
    WriteSiteFile(h, {{"alluxio.worker.hostname", h.host->address()},
                      {"alluxio.worker.bind.host", h.host->address()},
                      {"alluxio.worker.rpc.port", std::to_string(h.port)},
                      {"alluxio.worker.tieredstore.level0.dirs.path", h.home->Sub("cache")}});
    workers_.push_back(std::move(h));
  }
}

void HostCluster::WriteSiteFile(const Host& h,
                                const std::map<std::string, std::string>& own) const {
  std::filesystem::create_directories(h.home->Sub("conf"));
  std::ofstream site(h.home->Sub("conf/alluxio-site.properties"));
  std::map<std::string, std::string> all = own;
  for (const auto& [k, v] : properties_) all.emplace(k, v);
  for (const auto& [k, v] : all) site << k << "=" << v << "\n";
}

bool HostCluster::StartMaster() {
  Host& m = master_process_;
  m.pid = m.host->Spawn({ALLUXIO_BINARY, "master"}, m.home->Sub("master.out"),
                        {{"ALLUXIO_HOME", m.home->path()}});
  const Configuration conf = ClientConf();
  return m.pid > 0 && WaitServing(m.pid, [&conf] { return MasterServes(conf, kProbeTimeout); });
}

bool HostCluster::StartWorker(int index) {
  Host& w = workers_.at(index);
  w.pid = w.host->Spawn({ALLUXIO_BINARY, "worker"}, w.home->Sub("worker.out"),
                        {{"ALLUXIO_HOME", w.home->path()}});
  const Configuration conf = ClientConf();
  return w.pid > 0 && WaitServing(w.pid, [&conf, port = w.port] {
           return WorkerServes(conf, port, kProbeTimeout);
         });
}

void HostCluster::KillWorker(int index, int signal) {
  Host& w = workers_.at(index);
  if (w.pid <= 0) return;
  w.host->Kill(w.pid, signal);
  w.pid = 0;
}

HostCluster::Host& HostCluster::HostOf(const TestHost& host) {
  for (Host& w : workers_) {
    if (w.host == &host) return w;
  }
  return master_process_;
}

CommandResult HostCluster::Alluxio(const TestHost& host, std::vector<std::string> args) {
  args.insert(args.begin(), ALLUXIO_BINARY);
  return host.Run(std::move(args), {{"ALLUXIO_HOME", HostOf(host).home->path()}});
}

CommandResult HostCluster::Mount(const TestHost& host, const std::string& mount_point,
                                 const std::string& options) {
  Host& h = HostOf(host);
  if (!h.fuse) h.fuse = std::make_unique<FuseHarness>(h.home->path(), std::vector<std::string>{});
  h.fuse->Track(mount_point);
  std::vector<std::string> argv{ALLUXIO_FUSE_BINARY, "mount"};
  if (!options.empty()) argv.insert(argv.end(), {"-o", options});
  argv.push_back(mount_point);
  return host.Run(std::move(argv), {{"ALLUXIO_HOME", h.home->path()}});
}

Configuration HostCluster::ClientConf(const std::map<std::string, std::string>& extra) const {
  ConfigLoadOptions options;
  options.read_site_file = false;
  for (const auto& [k, v] : properties_) options.command_line.push_back(k + "=" + v);
  for (const auto& [k, v] : extra) options.command_line.push_back(k + "=" + v);
  return std::move(Configuration::Load(options)).value();
}

std::string HostCluster::WorkerAddress(int index) const {
  const Host& w = workers_.at(index);
  return w.host->address() + ":" + std::to_string(w.port);
}

}  // namespace alluxio::testing
