// Identifies this machine, so a client can tell that a worker runs on the same host and read its
// block files directly: /etc/machine-id when present, else the host name.
#pragma once

#include <string>

namespace alluxio {

// Computed once; thread-safe.
const std::string& LocalHostId();

// The local host name (gethostname), "localhost" if it cannot be read.
std::string LocalHostName();

}  // namespace alluxio
