#include "core/fuse/access_filter.h"

namespace alluxio::fuse {
namespace {

// Opcodes libfuse lets through for other users under allow_root (fuse_lowlevel.c), plus those
// that take no reply.
bool AllowedForOthers(uint32_t opcode) {
  using abi::Opcode;
  switch (static_cast<Opcode>(opcode)) {
    case Opcode::kInit:
    case Opcode::kRead:
    case Opcode::kWrite:
    case Opcode::kFsync:
    case Opcode::kRelease:
    case Opcode::kReaddir:
    case Opcode::kReaddirplus:
    case Opcode::kFsyncdir:
    case Opcode::kReleasedir:
    case Opcode::kNotifyReply:
    case Opcode::kForget:
    case Opcode::kBatchForget:
    case Opcode::kInterrupt:
    case Opcode::kDestroy:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool AccessFilter::Denies(const abi::InHeader& header) const {
  return root_and_owner_only && header.uid != 0 && header.uid != owner &&
         !AllowedForOthers(header.opcode);
}

}  // namespace alluxio::fuse
