#include "tests/e2e/fuse_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>
#include <thread>

#include "core/fuse/fuse_mount.h"

namespace alluxio::testing {
namespace {

using namespace std::chrono_literals;

// Reads both pipes until EOF or the deadline.
void Drain(int out_fd, int err_fd, CommandResult* result,
           std::chrono::steady_clock::time_point deadline) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&result->out, &result->err};
  int open_count = 2;
  char buf[4096];
  while (open_count > 0 && std::chrono::steady_clock::now() < deadline) {
    if (poll(fds, 2, 100) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env,
                         std::chrono::seconds timeout) {
  int out[2];
  int err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return {};
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  CommandResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Drain(out[0], err[0], &result, deadline);
  close(out[0]);
  close(err[0]);
  int status = 0;
  pid_t done = 0;
  while ((done = waitpid(pid, &status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  if (done != pid) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    result.err += "\n[killed: timeout]";
    return result;
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

CommandResult RunShell(const std::string& script, const std::map<std::string, std::string>& env,
                       std::chrono::seconds timeout) {
  return RunCommand({"/bin/bash", "-c", "set -euo pipefail\n" + script}, env, timeout);
}

FuseHarness::FuseHarness(std::string home, std::vector<std::string> defines)
    : home_(std::move(home)), defines_(std::move(defines)) {}

FuseHarness::~FuseHarness() {
  for (const auto& mount_point : mounted_) {
    if (pid_t pid = DaemonPid(mount_point); pid > 0) kill(pid, SIGKILL);
    if (IsMounted(mount_point)) (void)fuse::UnmountPath(mount_point, /*lazy=*/true);
  }
}

CommandResult FuseHarness::Run(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{ALLUXIO_FUSE_BINARY};
  argv.insert(argv.end(), defines_.begin(), defines_.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, {{"ALLUXIO_HOME", home_}});
}

CommandResult FuseHarness::Mount(const std::string& mount_point, const std::string& alluxio_path,
                                 const std::string& options) {
  mounted_.push_back(mount_point);
  std::vector<std::string> args{"mount"};
  if (!options.empty()) {
    args.push_back("-o");
    args.push_back(options);
  }
  args.push_back(mount_point);
  if (!alluxio_path.empty()) args.push_back(alluxio_path);
  return Run(args);
}

CommandResult FuseHarness::Unmount(const std::string& mount_point, bool soft) const {
  if (soft) return Run({"unmount", "-s", mount_point});
  return Run({"unmount", mount_point});
}

pid_t FuseHarness::DaemonPid(const std::string& mount_point) const {
  CommandResult stat = Stat();
  std::istringstream lines(stat.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string pid;
    std::string mp;
    if (fields >> pid >> mp && mp == mount_point && pid != "pid") return std::stoi(pid);
  }
  return 0;
}

std::map<std::string, std::string> S3RootProperties(const S3rver& s3, const std::string& prefix,
                                                    const std::string& request_timeout) {
  const UfsOptions options = s3.Options();
  std::map<std::string, std::string> properties(options.begin(), options.end());
  properties["alluxio.master.mount.table.root.ufs"] = s3.Uri(prefix);
  properties["alluxio.underfs.s3.request.timeout"] = request_timeout;
  return properties;
}

bool IsMounted(const std::string& path) { return fuse::IsFuseMountPoint(path, nullptr); }

}  // namespace alluxio::testing
