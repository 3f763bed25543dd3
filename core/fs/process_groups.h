// The supplementary groups of the process that made a FUSE request: the FUSE request header
// carries only its uid, gid and pid, so they are read from /proc/<pid>/status (its "Groups:"
// line), as libfuse's fuse_req_getgroups does. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <vector>

namespace alluxio::fs {

// The supplementary gids of process (or thread) `pid`, sorted, without duplicates; empty when
// the process has none or cannot be read (it exited, pid 0). One open and read of a procfs file.
std::vector<uint32_t> SupplementaryGroups(uint32_t pid);

}  // namespace alluxio::fs
