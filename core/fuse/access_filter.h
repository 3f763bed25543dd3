// allow_root (FuseMount::root_and_owner_only()): which requests a transport answers EACCES
// before they reach the dispatcher.
#pragma once

#include <sys/types.h>

#include "core/fuse/fuse_abi.h"

namespace alluxio::fuse {

struct AccessFilter {
  bool root_and_owner_only = false;
  uid_t owner = 0;

  // True if a request with this header is refused: under root_and_owner_only, one from a user
  // other than root and `owner`, except the opcodes libfuse also lets through (INIT, READ,
  // WRITE, FSYNC, RELEASE, READDIR, READDIRPLUS, FSYNCDIR, RELEASEDIR) and those taking no
  // reply.
  bool Denies(const abi::InHeader& header) const;
};

}  // namespace alluxio::fuse
