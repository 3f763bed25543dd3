// The user and group this process runs as, by name (numeric when the name is unknown): the
// owner Alluxio records for what this process creates.
#pragma once

#include <string>

namespace alluxio {

// Of the effective uid/gid; computed once, thread-safe.
const std::string& LocalUserName();
const std::string& LocalGroupName();

}  // namespace alluxio
