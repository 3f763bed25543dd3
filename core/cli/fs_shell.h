// The `alluxio fs …` and `alluxio fsadmin …` commands over the client library. Each runs on the
// calling reactor (a FileSystemClient is made for the command and dropped after it), writes
// its output to `out`, and on failure one line to `err`; the value is the exit code (0 ok,
// 1 failure, 2 usage error). Output follows Alluxio's shell (LsCommand, MkdirCommand, ...).
//
//   int code = co_await RunFsCommand({"ls", "-R", "/"}, conf, std::cout, std::cerr);
//
// Local file I/O (copyFromLocal/copyToLocal) is blocking and runs on the calling reactor: the
// reactor of a command-line process has nothing else to do.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "core/common/configuration.h"
#include "core/reactor/reactor.h"

namespace alluxio::cli {

// args: the words after `fs` ("ls", "-R", "/").
Task<int> RunFsCommand(std::vector<std::string> args, const Configuration& conf, std::ostream& out,
                       std::ostream& err);

// args: the words after `fsadmin` ("report" [capacity]).
Task<int> RunFsadminCommand(std::vector<std::string> args, const Configuration& conf,
                            std::ostream& out, std::ostream& err);

}  // namespace alluxio::cli
