// Starting a server process for a test: it dies with the test process (PR_SET_PDEATHSIG), and
// its stdout and stderr are appended to a log file.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace alluxio::testing {

// Forks and execs argv[0] (a path) with `argv` and the current environment plus `env`. The
// child's pid; the caller stops it (by pid) and reaps it.
pid_t SpawnLogged(std::vector<std::string> argv, const std::string& log,
                  const std::map<std::string, std::string>& env = {});

}  // namespace alluxio::testing
