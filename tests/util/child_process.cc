#include "tests/util/child_process.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace alluxio::testing {

pid_t SpawnLogged(std::vector<std::string> argv, const std::string& log,
                  const std::map<std::string, std::string>& env) {
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // no orphan even if the test process crashes
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    FILE* f = freopen(log.c_str(), "a", stdout);
    (void)f;
    dup2(STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

}  // namespace alluxio::testing
