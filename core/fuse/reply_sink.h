// Where replies go: the seam between the dispatcher and a transport (classic /dev/fuse writev,
// FUSE-over-io_uring commit, or a test's socket). The dispatcher never touches a file descriptor.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <span>

namespace alluxio::fuse {

class FuseReplySink {
 public:
  virtual ~FuseReplySink() = default;

  // Sends the reply to request `unique`: an abi::OutHeader {len = 16 + body bytes,
  // error = -error, unique} followed by the `body` parts in order (MakeOutHeader in
  // fuse_codec.h builds the header). `error` is 0 or a positive errno; with an error `body` is
  // empty. The body memory is valid only during the call: a sink that sends later copies it.
  //
  // Called at most once per request, and never for requests that take no reply (FORGET,
  // BATCH_FORGET, INTERRUPT, NOTIFY_REPLY, or a message too short to carry a unique id). Called
  // on the thread running the dispatcher's Handle coroutine. A failed send (the kernel answers
  // ENOENT when the request was interrupted meanwhile) is the sink's to log; it is not reported
  // back.
  virtual void Reply(uint64_t unique, int error, std::span<const iovec> body) = 0;
};

}  // namespace alluxio::fuse
