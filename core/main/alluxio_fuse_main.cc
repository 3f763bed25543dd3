// The `alluxio-fuse` command, as Alluxio documents it:
//
//   alluxio-fuse [-Dkey=value ...] mount [-o opts] [-n] <mount_point> [<alluxio_path>]
//   alluxio-fuse unmount [-s] <mount_point>          (also: umount)
//   alluxio-fuse stat
//
// `mount` checks the mount point, starts the local cluster when none is configured or
// reachable, then forks a daemon (its own session; stdout/stderr in <logs>/fuse.out, log lines
// in <logs>/fuse.log) and reports once the daemon has mounted or failed. `-n` serves in the
// foreground instead. The daemon unmounts and exits on SIGTERM/SIGINT after in-flight work
// drains (at most 120 s), or by itself when the mount is unmounted from outside.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/common/configuration.h"
#include "core/common/live_process.h"
#include "core/common/logging.h"
#include "core/fuse/fuse_mount.h"
#include "core/fuse_daemon/fuse_daemon.h"
#include "core/fuse_daemon/mount_options.h"
#include "core/fuse_daemon/mount_registry.h"
#include "core/main/local_cluster.h"
#include "core/main/process_setup.h"

namespace alluxio {
namespace {

using namespace std::chrono_literals;

// How long `unmount` waits for the daemon to finish its in-flight work (Alluxio's 120 s).
constexpr auto kUnmountWait = 120s;

constexpr const char* kUsage =
    "Usage:\n"
    "  alluxio-fuse [-Dkey=value ...] mount [-o <opt>[,<opt>...]] [-n] <mount_point> "
    "[<alluxio_path>]\n"
    "      Mount <alluxio_path> (default: alluxio.fuse.mount.alluxio.path, /) at <mount_point>,\n"
    "      an existing empty directory you can write. -n: stay in the foreground.\n"
    "  alluxio-fuse unmount [-s] <mount_point>\n"
    "      Unmount, waiting up to 120 s for in-flight operations; then the process is killed\n"
    "      unless -s is given.\n"
    "  alluxio-fuse stat\n"
    "      List the running mounts: pid, mount_point, alluxio_path.\n";

// Absolute and lexically normal, without touching the file system (a stale mount cannot be
// stat'ed).
std::string NormalMountPoint(const std::string& path) {
  std::string p = std::filesystem::absolute(path).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string LogsDir(const Configuration& conf) { return conf.GetString(PropertyKey::kLogsDir); }

// Starts the local cluster when the master is neither configured nor reachable.
Status EnsureCluster(const Configuration& conf, const std::vector<std::string>& defines) {
  const std::string host = conf.GetString(PropertyKey::kMasterHostname);
  const int port = static_cast<int>(conf.GetInt(PropertyKey::kMasterRpcPort));
  if (conf.IsSet(PropertyKey::kMasterHostname) || TcpReachable(host, port, 500ms)) return Ok();
  fmt::print("No Alluxio master is configured or reachable at {}:{}; starting a local cluster\n",
             host, port);
  const std::string alluxio =
      std::filesystem::path(CurrentExecutablePath()).parent_path() / "alluxio";
  Result<std::vector<std::string>> started =
      StartLocalCluster(conf, LoopbackClusterOptions(conf, defines, alluxio));
  return started.ok() ? Ok() : Status(started.failure());
}

// Serves until unmounted from outside or signalled. Runs in the daemon (or with -n).
// `ready_fd` (or -1) receives "OK\n" or the error message once the mount is up or failed.
int ServeMount(const Configuration& conf, const FuseMountSpec& spec, int ready_fd) {
  auto report = [ready_fd](const std::string& text) {
    if (ready_fd < 0) return;
    (void)!write(ready_fd, text.data(), text.size());
    close(ready_fd);
  };
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR2);
  // Blocked before any thread starts, so that every thread inherits the mask and only
  // sigwait below receives them.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto daemon = FuseDaemon::Start(conf, spec, /*hosted_by_worker=*/false);
  if (!daemon.ok()) {
    ALX_LOG(kError, "fuse", "cannot mount {}: {}", spec.mount_point, daemon.error().ToString());
    report(daemon.error().ToString());
    return 1;
  }
  report("OK\n");
  std::thread watcher([d = daemon->get()] {
    d->WaitUntilFinished();
    kill(getpid(), SIGUSR2);  // wakes sigwait: the kernel ended the session
  });
  int sig = 0;
  sigwait(&signals, &sig);
  ALX_LOG(kInfo, "fuse", "{}: unmounting {}",
          sig == SIGUSR2 ? "unmounted from outside" : strsignal(sig), spec.mount_point);
  (*daemon)->Stop(sig == SIGUSR2 ? 0ms : (*daemon)->UnmountDrain());
  watcher.join();
  return 0;
}

int Mount(Configuration conf, std::vector<std::string> args,
          const std::vector<std::string>& defines) {
  std::vector<std::string> option_args;
  bool foreground = false;
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o") {
      if (i + 1 == args.size()) {
        fmt::print(stderr, "-o needs a value\n{}", kUsage);
        return 2;
      }
      option_args.push_back(args[++i]);
    } else if (args[i].starts_with("-o") && args[i].size() > 2) {
      option_args.push_back(args[i].substr(2));
    } else if (args[i] == "-n") {
      foreground = true;
    } else if (args[i].starts_with("-")) {
      fmt::print(stderr, "Unknown option {}\n{}", args[i], kUsage);
      return 2;
    } else {
      positional.push_back(args[i]);
    }
  }
  if (positional.size() > 2) {
    fmt::print(stderr, "{}", kUsage);
    return 2;
  }
  FuseMountSpec spec;
  spec.mount_point = NormalMountPoint(
      positional.empty() ? conf.GetString(PropertyKey::kFuseMountPoint) : positional[0]);
  spec.alluxio_path =
      positional.size() == 2 ? positional[1] : conf.GetString(PropertyKey::kFuseMountAlluxioPath);
  auto fail = [&](const std::string& why) {
    fmt::print(stderr, "{}\nFailed to mount Alluxio to {}.\nSee {}/fuse.out for more details\n",
               why, spec.mount_point, LogsDir(conf));
    return 1;
  };
  if (Status s = ApplyMountOptions(SplitMountOptions(option_args), &conf, &spec); !s.ok()) {
    return fail(s.error().message);
  }
  if (Status s = PrepareMountPoint(spec.mount_point); !s.ok()) return fail(s.error().message);
  if (Status s = EnsureCluster(conf, defines); !s.ok()) return fail(s.error().message);
  fmt::print(
      "Starting AlluxioFuse process: mounting alluxio path \"{}\" to local mount point "
      "\"{}\"\n",
      spec.alluxio_path, spec.mount_point);
  std::fflush(stdout);

  if (foreground) {
    if (Status s = InitLogging("fuse", conf, /*foreground=*/true); !s.ok()) {
      return fail(s.error().ToString());
    }
    return ServeMount(conf, spec, -1);
  }
  std::error_code ec;
  std::filesystem::create_directories(LogsDir(conf), ec);
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return fail(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = fork();
  if (pid < 0) return fail(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    close(ready[0]);
    DetachInto(LogsDir(conf) + "/fuse.out");
    if (Status s = InitLogging("fuse", conf, /*foreground=*/false); !s.ok()) {
      const std::string text = s.error().ToString();
      (void)!write(ready[1], text.data(), text.size());
      _exit(1);
    }
    _exit(ServeMount(conf, spec, ready[1]));
  }
  close(ready[1]);
  std::string answer;
  char buf[512];
  for (ssize_t n; (n = read(ready[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  close(ready[0]);
  if (answer != "OK\n") {
    return fail(answer.empty() ? "the AlluxioFuse process exited before mounting" : answer);
  }
  fmt::print("Successfully mounted Alluxio to {}.\nSee {}/fuse.log for logging messages\n",
             spec.mount_point, LogsDir(conf));
  return 0;
}

// Waits until `pid` is no longer a live process (gone, or a zombie nobody reaps). False after
// `limit`.
bool WaitForExit(pid_t pid, std::chrono::steady_clock::duration limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (IsLiveProcess(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

// Once nothing serves `mount_point` any more: unmounts the dead FUSE mounts left there (a daemon
// killed cannot unmount itself). kBusy if a FUSE mount is still listed in /proc/self/mountinfo.
Status ClearDeadMounts(const std::string& mount_point) {
  while (IsDeadFuseMount(mount_point)) {
    if (Status s = fuse::UnmountPath(mount_point, /*lazy=*/true); !s.ok()) return s;
  }
  if (fuse::IsFuseMountPoint(mount_point, nullptr)) {
    return Fail(ErrorCode::kBusy, mount_point + " is still mounted");
  }
  return Ok();
}

int Unmount(const Configuration& conf, const std::vector<std::string>& args) {
  bool soft = false;
  std::vector<std::string> positional;
  for (const auto& arg : args) {
    if (arg == "-s") {
      soft = true;
    } else if (arg.starts_with("-")) {
      fmt::print(stderr, "Unknown option {}\n{}", arg, kUsage);
      return 2;
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 1) {
    fmt::print(stderr, "{}", kUsage);
    return 2;
  }
  const std::string mount_point = NormalMountPoint(positional[0]);
  auto failed = [&mount_point](const std::string& why) {
    fmt::print(stderr, "Failed to unmount {}: {}\n", mount_point, why);
    return 1;
  };
  MountRegistry registry(conf);
  auto record = registry.Find(mount_point);  // only records of live processes
  if (!record || record->hosted_by_worker) {
    // No live daemon of ours (a stale mount whose process died or is a zombie), or FUSE hosted by
    // a worker, which keeps running: unmount the mount point itself.
    if (!fuse::IsFuseMountPoint(mount_point, nullptr)) {
      fmt::print(stderr, "{} not mounted\n", mount_point);
      return 1;
    }
    if (Status s = fuse::UnmountPath(mount_point, /*lazy=*/!record.has_value()); !s.ok()) {
      return failed(s.error().message);
    }
    if (Status s = ClearDeadMounts(mount_point); !s.ok()) return failed(s.error().message);
    if (record) {
      fmt::print("Unmount fuse at {} (PID:{}).\n", mount_point, record->pid);
    } else {
      fmt::print("Unmount fuse at {} (stale: its process is gone).\n", mount_point);
    }
    return 0;
  }
  if (kill(record->pid, SIGTERM) != 0 && errno != ESRCH) {
    return failed(fmt::format("cannot signal process {}: {}", record->pid, std::strerror(errno)));
  }
  if (!WaitForExit(record->pid, kUnmountWait)) {
    if (soft) {
      return failed(fmt::format(
          "device is busy (operations still in flight after {} s); process {} keeps running",
          kUnmountWait.count(), record->pid));
    }
    kill(record->pid, SIGKILL);
    WaitForExit(record->pid, 10s);
  }
  registry.Remove(mount_point, record->pid);
  if (Status s = ClearDeadMounts(mount_point); !s.ok()) return failed(s.error().message);
  fmt::print("Unmount fuse at {} (PID:{}).\n", mount_point, record->pid);
  return 0;
}

int Stat(const Configuration& conf) {
  auto records = MountRegistry(conf).List();
  if (records.empty()) {
    fmt::print(stderr, "No mount point found. AlluxioFuse process is not running\n");
    return 1;
  }
  fmt::print("pid\tmount_point\talluxio_path\n");
  for (const auto& r : records) fmt::print("{}\t{}\t{}\n", r.pid, r.mount_point, r.alluxio_path);
  return 0;
}

int Main(std::vector<std::string> args) {
  auto parsed = ParseCommandLine(std::move(args), kUsage);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  CommandLine& line = std::get<CommandLine>(parsed);
  const std::string& command = line.command;
  std::vector<std::string>& rest = line.rest;
  const std::vector<std::string>& defines = line.defines;
  Configuration* conf = &line.conf;
  if (command == "mount") return Mount(std::move(*conf), std::move(rest), defines);
  if (command == "unmount" || command == "umount") return Unmount(*conf, rest);
  if (command == "stat") return Stat(*conf);
  fmt::print(stderr, "Unknown command: {}\n{}", command, kUsage);
  return 2;
}

}  // namespace
}  // namespace alluxio

int main(int argc, char** argv) {
  alluxio::RetainFreedMemory();
  return alluxio::Main(std::vector<std::string>(argv + 1, argv + argc));
}
