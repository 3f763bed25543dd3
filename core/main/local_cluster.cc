#include "core/main/local_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "core/common/live_process.h"
#include "core/common/logging.h"
#include "core/common/self_connection.h"
#include "core/main/process_setup.h"
#include "core/main/serving_probe.h"
#include "rpc/server.h"

namespace alluxio {
namespace {

namespace fs = std::filesystem;

// The file name of the `alluxio` executable, as the processes' command lines show it.
constexpr std::string_view kProgram = "alluxio";

std::string RunDir(const Configuration& conf) {
  return conf.GetString(PropertyKey::kWorkDir) + "/run";
}

std::string PidFile(const Configuration& conf, const std::string& process) {
  return RunDir(conf) + "/" + process + ".pid";
}

// The pid in the file if it names a live `alluxio <process>` (not a zombie, not a reused pid),
// else 0.
pid_t RunningPid(const std::string& pid_file, const std::string& process) {
  std::ifstream in(pid_file);
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 0) return 0;
  return IsLiveProcess(pid, kProgram, {process}) ? pid : 0;
}

// Starts `binary process -D...` detached (own session), output to <logs>/<process>.out.
Result<pid_t> Spawn(const Configuration& conf, const LocalClusterOptions& options,
                    const std::string& process) {
  std::string logs = conf.GetString(PropertyKey::kLogsDir);
  std::error_code ec;
  fs::create_directories(logs, ec);
  fs::create_directories(RunDir(conf), ec);
  std::string out = logs + "/" + process + ".out";
  std::vector<std::string> args{options.alluxio_binary, process};
  args.insert(args.end(), options.define_args.begin(), options.define_args.end());
  pid_t pid = fork();
  if (pid < 0) return Fail(ErrnoError(errno, "fork"));
  if (pid == 0) {
    DetachInto(out);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  std::ofstream(PidFile(conf, process)) << pid << "\n";
  return pid;
}

struct Process {
  std::string name;  // "master" or "worker"
  std::string host;
  int port;
};

// Whether `process` answers a real request (serving_probe.h).
bool Serves(const Configuration& conf, const Process& process) {
  constexpr std::chrono::milliseconds kProbeTimeout(1000);
  return process.name == "master" ? MasterServes(conf, kProbeTimeout)
                                  : WorkerServes(conf, process.port, kProbeTimeout);
}

// Waits until `pid` (an `alluxio <process>`) serves. False if it exits (reaped when it is our
// child) or does not serve within `timeout`.
bool WaitUntilServing(const Configuration& conf, const Process& process, pid_t pid,
                      std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!IsLiveProcess(pid)) {
      (void)waitpid(pid, nullptr, WNOHANG);
      return false;
    }
    if (Serves(conf, process)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// SIGTERM, then SIGKILL if it still runs after 30 s. A zombie counts as stopped.
void StopProcess(pid_t pid) {
  kill(pid, SIGTERM);
  for (int i = 0; i < 300 && IsLiveProcess(pid); ++i) {
    (void)waitpid(pid, nullptr, WNOHANG);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (IsLiveProcess(pid)) kill(pid, SIGKILL);
  (void)waitpid(pid, nullptr, WNOHANG);
}

// True if another process accepts connections at host:port. A port whose listener died a moment
// ago may stay held until the kernel has torn down the dead process's io_uring: waited for as
// long as the servers retry their bind (rpc::kRestartBindPatience).
bool HeldByAnother(const std::string& host, int port) {
  const auto deadline = std::chrono::steady_clock::now() + rpc::kRestartBindPatience;
  while (TcpReachable(host, port, std::chrono::milliseconds(200))) {
    if (std::chrono::steady_clock::now() >= deadline) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string LogsHint(const Configuration& conf, const std::string& process) {
  const std::string& logs = conf.GetString(PropertyKey::kLogsDir);
  return fmt::format("see {}/{}.out and {}/{}.log", logs, process, logs, process);
}

}  // namespace

bool TcpReachable(const std::string& host, int port, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0) return false;
  bool reachable = false;
  for (addrinfo* a = found; a != nullptr && !reachable; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    // The probe's TIME_WAIT must not keep a server that binds with SO_REUSEADDR off the port.
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      reachable = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int err = 0;
      socklen_t len = sizeof(err);
      reachable = poll(&p, 1, static_cast<int>(timeout.count())) == 1 &&
                  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
    }
    reachable = reachable && !IsSelfConnection(fd);
    close(fd);
  }
  freeaddrinfo(found);
  return reachable;
}

LocalClusterOptions LoopbackClusterOptions(const Configuration& conf,
                                           const std::vector<std::string>& defines,
                                           std::string alluxio_binary) {
  LocalClusterOptions options;
  options.alluxio_binary = std::move(alluxio_binary);
  for (const auto& d : defines) options.define_args.push_back("-D" + d);
  if (!conf.IsSet(PropertyKey::kMasterBindHost)) {
    options.define_args.push_back("-Dalluxio.master.bind.host=127.0.0.1");
  }
  if (!conf.IsSet(PropertyKey::kWorkerBindHost)) {
    options.define_args.push_back("-Dalluxio.worker.bind.host=127.0.0.1");
  }
  return options;
}

Result<std::vector<std::string>> StartLocalCluster(const Configuration& conf,
                                                   const LocalClusterOptions& options) {
  std::string master_host = conf.GetString(PropertyKey::kMasterHostname);
  std::string worker_host = conf.GetString(PropertyKey::kWorkerHostname);
  if (worker_host.empty()) worker_host = master_host;
  std::vector<std::string> started;
  for (const Process& p :
       {Process{"master", master_host, static_cast<int>(conf.GetInt(PropertyKey::kMasterRpcPort))},
        Process{"worker", worker_host,
                static_cast<int>(conf.GetInt(PropertyKey::kWorkerRpcPort))}}) {
    std::string pid_file = PidFile(conf, p.name);
    if (pid_t running = RunningPid(pid_file, p.name); running != 0) {
      if (WaitUntilServing(conf, p, running, options.start_timeout)) continue;
      ALX_LOG(kWarn, "local", "the local {} (pid {}) runs but does not serve; restarting it",
              p.name, running);
      StopProcess(running);
    }
    if (HeldByAnother(p.host, p.port)) {
      return Fail(ErrorCode::kBusy,
                  fmt::format("{}:{} is already in use by another process; cannot start the "
                              "local {}",
                              p.host, p.port, p.name));
    }
    auto pid = Spawn(conf, options, p.name);
    if (!pid.ok()) return pid.failure();
    if (!WaitUntilServing(conf, p, *pid, options.start_timeout)) {
      StopProcess(*pid);
      std::remove(pid_file.c_str());
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("the local {} does not serve on {}:{}; {}", p.name, p.host, p.port,
                              LogsHint(conf, p.name)));
    }
    ALX_LOG(kInfo, "local", "started the local {} (pid {}) on {}:{}", p.name, *pid, p.host, p.port);
    started.push_back(p.name);
  }
  return started;
}

std::vector<std::string> StopLocalCluster(const Configuration& conf) {
  std::vector<std::string> stopped;
  for (const char* name : {"worker", "master"}) {
    std::string pid_file = PidFile(conf, name);
    if (pid_t pid = RunningPid(pid_file, name); pid != 0) {
      StopProcess(pid);
      stopped.push_back(name);
    }
    std::remove(pid_file.c_str());
  }
  return stopped;
}

}  // namespace alluxio
