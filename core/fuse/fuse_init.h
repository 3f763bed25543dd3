// INIT negotiation: what the server offers and what it answers for the kernel's INIT request.
// A pure function of the request and the options, so the reply is golden-tested byte by byte.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/fuse/fuse_abi.h"
#include "core/fuse/fuse_options.h"

namespace alluxio::fuse {

struct InitReply {
  enum class Kind {
    kAccepted,  // `out` settles the protocol; `flags` holds what both sides agreed on
    kRetry,     // the kernel speaks a newer major: answer our major, expect another INIT
    kRejected,  // `error` is the errno to answer (an older major or a too-old minor)
  };
  Kind kind = Kind::kRejected;
  int error = 0;
  abi::InitOut out{};
  size_t out_size = 0;  // bytes of `out` to send
  uint32_t minor = 0;   // negotiated minor
  uint64_t flags = 0;   // negotiated INIT flags, bits 32..63 from flags2
};

// The flags the server asks for under `options` (a superset of what the kernel may grant).
uint64_t WantedInitFlags(const FuseOptions& options);

InitReply NegotiateInit(const abi::InitIn& in, const FuseOptions& options);

}  // namespace alluxio::fuse
