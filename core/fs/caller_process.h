// What /proc says about the process behind a FUSE request, which the request header names only
// by uid, gid and pid (a thread id): its supplementary groups (as libfuse's fuse_req_getgroups
// reads them) and whether its close(2) ended its last use of a file it opened. Thread-safe (no
// state). Reads only procfs, never the FUSE mount (which would wait for this process).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace alluxio::fs {

// The supplementary gids of process (or thread) `pid`, sorted, without duplicates; empty when
// the process has none or cannot be read (it exited, pid 0). One open and read of a procfs file.
std::vector<uint32_t> SupplementaryGroups(uint32_t pid);

// The thread group (process id) of thread `pid`; 0 when it cannot be read (it exited, pid 0).
// A process's main thread costs a pidfd_open; another thread a read of /proc/<pid>/status.
uint32_t ThreadGroup(uint32_t pid);

// Whether the close(2) that thread `closer` made (a FUSE FLUSH) ended the last use of a file
// that thread `opener` opened, `path` being the file's path inside the mount: true only when
// the closer is in the opener's process and neither that process nor any of its descendants
// (which may have inherited a descriptor) holds a descriptor whose path ends with `path`. False
// whenever unsure: pid 0 (a process in another pid namespace), a process that exited, a /proc
// that cannot be read, more than 64 processes to look at. With `mappings`, none of them may map
// the file either (/proc/<pid>/map_files: needs CAP_SYS_ADMIN, else false). Costs a readlink
// per descriptor (and mapping) of each process looked at, two directory reads and a read of
// each thread's children per process, and ThreadGroup of the closer (and opener).
bool ClosedByOpenerForGood(uint32_t opener, uint32_t closer, std::string_view path, bool mappings);

}  // namespace alluxio::fs
