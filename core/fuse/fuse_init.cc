#include "core/fuse/fuse_init.h"

#include <algorithm>
#include <cerrno>

namespace alluxio::fuse {

uint64_t WantedInitFlags(const FuseOptions& options) {
  // Never FUSE_WRITEBACK_CACHE (reorders writes, conflicts with passthrough), never
  // FUSE_POSIX_LOCKS / FLOCK_LOCKS (locks stay local to the kernel), never FUSE_DONT_MASK (the
  // kernel applies the umask), never FUSE_EXPORT_SUPPORT (no lookups of "." and "..").
  uint64_t flags = abi::kAsyncRead | abi::kAtomicOTrunc | abi::kBigWrites | abi::kAsyncDio |
                   abi::kParallelDirops | abi::kMaxPages | abi::kDirectIoAllowMmap;
  // Every READDIR is a READDIRPLUS (no READDIRPLUS_AUTO, which lists with READDIR after the
  // first reply unless lookups came in between): a listed entry is never looked up, since
  // what the file system lists carries the attributes anyway.
  if (options.readdirplus) flags |= abi::kDoReaddirplus;
  if (options.auto_cache) flags |= abi::kAutoInvalData;
  if (options.passthrough) flags |= abi::kPassthrough;
  if (options.over_io_uring) flags |= abi::kOverIoUring;
  if (flags >> 32) flags |= abi::kInitExt;
  return flags;
}

InitReply NegotiateInit(const abi::InitIn& in, const FuseOptions& options) {
  InitReply reply;
  if (in.major > abi::kKernelVersion) {
    reply.kind = InitReply::Kind::kRetry;
    reply.out.major = abi::kKernelVersion;
    reply.out.minor = abi::kKernelMinorVersion;
    reply.out_size = abi::kCompatInitOutSize;
    return reply;
  }
  if (in.major < abi::kKernelVersion || in.minor < abi::kMinKernelMinorVersion) {
    reply.kind = InitReply::Kind::kRejected;
    reply.error = EPROTO;
    return reply;
  }
  const uint64_t offered = uint64_t{in.flags} | (uint64_t{in.flags2} << 32);
  uint64_t agreed = WantedInitFlags(options) & offered;
  if ((agreed >> 32) == 0) agreed &= ~abi::kInitExt;

  reply.kind = InitReply::Kind::kAccepted;
  reply.minor = std::min(in.minor, abi::kKernelMinorVersion);
  reply.flags = agreed;
  abi::InitOut& out = reply.out;
  out.major = abi::kKernelVersion;
  out.minor = reply.minor;
  out.max_readahead = in.max_readahead;
  out.flags = static_cast<uint32_t>(agreed);
  out.flags2 = static_cast<uint32_t>(agreed >> 32);
  out.max_background = options.max_background;
  out.congestion_threshold = std::min(options.congestion_threshold, options.max_background);
  out.max_write = options.MaxWrite();
  out.time_gran = 1;
  out.max_pages = (agreed & abi::kMaxPages) ? options.max_pages : 0;
  out.max_stack_depth = (agreed & abi::kPassthrough) ? options.max_stack_depth : 0;
  reply.out_size = sizeof(abi::InitOut);
  return reply;
}

}  // namespace alluxio::fuse
