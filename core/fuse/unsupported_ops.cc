#include "core/fuse/unsupported_ops.h"

#include <cerrno>

namespace alluxio::fuse {

namespace {

using abi::Opcode;

// ENOSYS is chosen where the kernel remembers it and stops asking (no_getxattr, no_fallocate,
// no_lseek, ...), so an unsupported operation costs one round trip per mount, not one per call.
constexpr UnsupportedOp kUnsupported[] = {
    {Opcode::kMknod, "MKNOD", EPERM,
     "EPERM (mknod(2): no FIFOs, sockets or device nodes; use open(O_CREAT) for files)"},
    {Opcode::kLink, "LINK", EPERM, "EPERM (link(2): no hard links)"},
    {Opcode::kSetxattr, "SETXATTR", ENOSYS, "EOPNOTSUPP (kernel caches ENOSYS)"},
    {Opcode::kGetxattr, "GETXATTR", ENOSYS, "EOPNOTSUPP (kernel caches ENOSYS)"},
    {Opcode::kListxattr, "LISTXATTR", ENOSYS, "EOPNOTSUPP (kernel caches ENOSYS)"},
    {Opcode::kRemovexattr, "REMOVEXATTR", ENOSYS, "EOPNOTSUPP (kernel caches ENOSYS)"},
    {Opcode::kGetlk, "GETLK", ENOSYS, "not sent: locks are not negotiated, the kernel keeps them"},
    {Opcode::kSetlk, "SETLK", ENOSYS, "not sent: locks are not negotiated, the kernel keeps them"},
    {Opcode::kSetlkw, "SETLKW", ENOSYS,
     "not sent: locks are not negotiated, the kernel keeps them"},
    {Opcode::kBmap, "BMAP", ENOSYS, "not sent for non-block mounts"},
    {Opcode::kIoctl, "IOCTL", ENOTTY, "ENOTTY"},
    {Opcode::kPoll, "POLL", ENOSYS, "default poll mask (kernel caches ENOSYS)"},
    {Opcode::kFallocate, "FALLOCATE", ENOSYS, "EOPNOTSUPP (kernel caches ENOSYS)"},
    {Opcode::kLseek, "LSEEK", ENOSYS, "works: the kernel falls back to generic llseek"},
    {Opcode::kCopyFileRange, "COPY_FILE_RANGE", ENOSYS,
     "works: the kernel falls back to read and write"},
    {Opcode::kSetupmapping, "SETUPMAPPING", ENOSYS, "not sent (DAX only)"},
    {Opcode::kRemovemapping, "REMOVEMAPPING", ENOSYS, "not sent (DAX only)"},
    {Opcode::kSyncfs, "SYNCFS", ENOSYS, "syncfs(2) succeeds (kernel caches ENOSYS)"},
    {Opcode::kTmpfile, "TMPFILE", EOPNOTSUPP, "EOPNOTSUPP (O_TMPFILE)"},
    {Opcode::kStatx, "STATX", ENOSYS, "works: the kernel falls back to GETATTR"},
};

}  // namespace

std::span<const UnsupportedOp> UnsupportedOps() { return kUnsupported; }

const UnsupportedOp* FindUnsupportedOp(uint32_t opcode) {
  for (const UnsupportedOp& op : kUnsupported) {
    if (static_cast<uint32_t>(op.opcode) == opcode) return &op;
  }
  return nullptr;
}

}  // namespace alluxio::fuse
