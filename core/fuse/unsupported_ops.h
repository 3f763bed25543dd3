// The one table of kernel requests the server deliberately does not implement, with the errno
// each one gets. docs/fuse-protocol.md (and later SEMANTICS.md) mirror it row by row; a test
// checks the document against this table. The dispatcher logs and counts every use.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/fuse/fuse_abi.h"

namespace alluxio::fuse {

struct UnsupportedOp {
  abi::Opcode opcode;
  std::string_view name;  // the kernel's name without the FUSE_ prefix
  int error;              // errno answered to the kernel
  std::string_view what_applications_see;
};

std::span<const UnsupportedOp> UnsupportedOps();

// The entry for `opcode`, or nullptr when it is not in the table.
const UnsupportedOp* FindUnsupportedOp(uint32_t opcode);

}  // namespace alluxio::fuse
