// How requests get from the kernel to the dispatcher and replies back: the seam between a
// FuseSession and one kernel channel. Implementations: DevFuseTransport (classic read/writev
// on /dev/fuse clones, dev_fuse_transport.h) and UringFuseTransport (FUSE over io_uring, a ring
// per CPU, uring_fuse_transport.h).
//
// Lifecycle: constructed → Start() → serving → finished (the kernel ended the session, or
// Stop()) → Close() → destroyed. Start, Stop, Close and the Wait* calls are made from a
// non-reactor thread (they wait for the reactors); the accessors are thread-safe.
#pragma once

#include <chrono>
#include <cstddef>

#include "core/common/result.h"

namespace alluxio::fuse {

class FuseTransport {
 public:
  static constexpr std::chrono::milliseconds kForever = std::chrono::milliseconds::max();

  // Implementations Stop() and Close() in their destructor.
  virtual ~FuseTransport() = default;

  // Begins serving on every reactor; returns once each reactor is reading. An error leaves
  // nothing running. Called once.
  virtual Status Start() = 0;

  // Stops reading new requests; requests in flight keep running and are answered. Marks the
  // transport finished. Returns without waiting. Idempotent.
  virtual void Stop() = 0;

  // Stop(), then cancels the requests still running (their coroutines get cancellation; those
  // that ignore it are destroyed when the reactor pool stops) and releases the kernel channel
  // (closes the transport's fds on their reactors; replies of requests still running are
  // dropped). Blocks until every reactor did so. Idempotent.
  virtual void Close() = 0;

  // Requests read and not yet finished.
  virtual size_t in_flight() const = 0;
  // True once the transport stopped reading: the kernel ended the session (the device answered
  // ENODEV, or DESTROY was answered), a fatal read error, or Stop().
  virtual bool finished() const = 0;
  // Block until finished() / in_flight() == 0, or `timeout`; return whether it happened.
  virtual bool WaitFinished(std::chrono::milliseconds timeout) = 0;
  virtual bool WaitIdle(std::chrono::milliseconds timeout) = 0;

  // "dev-fuse", "io-uring": for logs.
  virtual const char* name() const = 0;
};

}  // namespace alluxio::fuse
