#include "tests/cluster/cluster_processes.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/main/serving_probe.h"
#include "tests/util/child_process.h"

namespace alluxio::testing {
namespace {

// A port that was free a moment ago (bound to 127.0.0.1:0, then released).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

}  // namespace

bool WaitServing(pid_t pid, const std::function<bool()>& serves) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return false;
    if (serves()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

ClusterProcesses::ClusterProcesses(std::map<std::string, std::string> properties)
    : properties_(std::move(properties)), master_port_(FreePort()), worker_port_(FreePort()) {
  std::map<std::string, std::string> defaults{
      {"alluxio.master.hostname", "127.0.0.1"},
      {"alluxio.master.bind.host", "127.0.0.1"},
      {"alluxio.master.rpc.port", std::to_string(master_port_)},
      {"alluxio.worker.bind.host", "127.0.0.1"},
      {"alluxio.worker.rpc.port", std::to_string(worker_port_)},
      {"alluxio.worker.tieredstore.level0.dirs.path", home_.path() + "/mem"},
      {"alluxio.worker.tieredstore.level0.dirs.quota", "64MB"},
      {"alluxio.worker.block.heartbeat.interval", "100ms"},
      {"alluxio.master.worker.timeout", "5s"},
      {"alluxio.master.lost.worker.detection.interval", "500ms"},
  };
  for (auto& [k, v] : defaults) properties_.emplace(k, v);  // the caller's values win
}

ClusterProcesses::~ClusterProcesses() {
  Kill(worker_, SIGKILL);
  Kill(master_, SIGKILL);
}

std::vector<std::string> ClusterProcesses::DefineArgs() const {
  std::vector<std::string> args;
  for (const auto& [k, v] : properties_) args.push_back("-D" + k + "=" + v);
  return args;
}

pid_t ClusterProcesses::Spawn(const std::string& process) {
  std::vector<std::string> args{ALLUXIO_BINARY, process};
  for (auto& arg : DefineArgs()) args.push_back(std::move(arg));
  std::string out = home_.path() + "/" + process + ".out";
  return SpawnLogged(std::move(args), out, {{"ALLUXIO_HOME", home_.path()}});
}

bool ClusterProcesses::StartMaster() {
  master_ = Spawn("master");
  const Configuration conf = Conf();
  return master_ > 0 && WaitServing(master_, [&conf] { return MasterServes(conf, kProbeTimeout); });
}

bool ClusterProcesses::StartWorker() {
  worker_ = Spawn("worker");
  const Configuration conf = Conf();
  return worker_ > 0 && WaitServing(worker_, [&conf, port = worker_port_] {
           return WorkerServes(conf, port, kProbeTimeout);
         });
}

void ClusterProcesses::Kill(pid_t& pid, int signal) {
  if (pid <= 0) return;
  kill(pid, signal);
  waitpid(pid, nullptr, 0);
  pid = 0;
}

void ClusterProcesses::KillMaster(int signal) { Kill(master_, signal); }
void ClusterProcesses::KillWorker(int signal) { Kill(worker_, signal); }

void ClusterProcesses::SignalMaster(int signal) const {
  if (master_ > 0) kill(master_, signal);
}

void ClusterProcesses::SignalWorker(int signal) const {
  if (worker_ > 0) kill(worker_, signal);
}

Configuration ClusterProcesses::Conf() const {
  ConfigLoadOptions options;
  options.env = {{"ALLUXIO_HOME", home_.path()}};
  options.read_site_file = false;
  for (const auto& [k, v] : properties_) options.command_line.push_back(k + "=" + v);
  auto conf = Configuration::Load(options);
  return std::move(conf).value();
}

}  // namespace alluxio::testing
