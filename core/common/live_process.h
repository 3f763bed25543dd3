// Whether a pid (from a pid file or a mount record) still names a running process of ours.
// `kill(pid, 0)` is not enough: a killed process stays a zombie until its parent reaps it, and
// an init that never reaps (as in many containers) leaves it one forever; and a pid of a process
// long gone may have been reused by an unrelated one.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace alluxio {

// True if `pid` is a process that runs (it exists and is neither a zombie nor dead, from
// /proc/<pid>/stat) and, when `program` is not empty, whose command line (/proc/<pid>/cmdline)
// is `program` (the file name of argv[0]) followed by `args`, then anything.
bool IsLiveProcess(pid_t pid, std::string_view program = {},
                   const std::vector<std::string_view>& args = {});

// The file name of this process's argv[0] ("alluxio-fuse"), as IsLiveProcess compares it.
std::string CurrentProgramName();

}  // namespace alluxio
