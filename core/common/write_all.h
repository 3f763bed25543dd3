// Writing a whole buffer to a file descriptor, across short writes and EINTR.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/common/result.h"

namespace alluxio {

// pwrite(2) of all of `data` at `offset`. The error (from errno, or kIoError when a write makes
// no progress) names `name`: "write <name>: <reason>".
Status PwriteAll(int fd, std::span<const char> data, uint64_t offset, std::string_view name);

}  // namespace alluxio
