// The user and group this process runs as, by name (numeric when the name is unknown): the
// owner Alluxio records for what this process creates; and the groups of a user on this host.
#pragma once

#include <string>
#include <vector>

namespace alluxio {

// Of the effective uid/gid; computed once, thread-safe.
const std::string& LocalUserName();
const std::string& LocalGroupName();

// The groups `user` belongs to on this host (getpwnam, getgrouplist), by name (numeric when a
// group has none), its primary group first; empty when this host does not know `user`.
std::vector<std::string> HostGroupsOf(const std::string& user);

}  // namespace alluxio
