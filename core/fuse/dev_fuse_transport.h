// The classic FUSE transport: read(2) requests from /dev/fuse, writev(2) replies, on the
// reactors of a ReactorPool.
//
// Per reactor ("lane"): its own clone of the session fd (open /dev/fuse + FUSE_DEV_IOC_CLONE,
// O_NONBLOCK, so a clone has its own processing queue and a reply goes to the fd that read the
// request), wrapped in an asio stream_descriptor on that reactor's io_context (io_uring), and
// S request slots. A slot owns a request buffer (RequestBufferSize()) and a scratch buffer
// (ScratchSize()), carved once from one mmap per lane and pre-faulted; nothing is allocated per
// request except the coroutine frames. A lane keeps one read posted, into a free slot: when it
// completes, the next free slot's read is posted before the request is handled, so the kernel
// wakes at most one poller per lane for a request (the fds share one input queue) while up to S
// requests are served concurrently. Each request runs FuseDispatcher::Handle as a coroutine on
// the lane's reactor (owned by the lane's TaskGroup); its reply is written with writev on the
// lane's fd; the slot becomes free (and may read again) when the request finished.
//
// Lanes run on the first `reading_reactors` reactors of the pool (default 1). All readers poll
// the one input queue of the connection, and the kernel wakes every poller for each request:
// with a read posted on every reactor, each request woke every reactor (one of them on another
// CPU) and all but one found nothing. One reading lane serves a request on the CPU that read it
// with no other wake-up; measured on 2 vCPUs it gave 45% more stat/s and 10-20% more small-file
// reads, and about the same large-read throughput.
//
// `max_idle_threads` (Alluxio's and libfuse's option; in libfuse it caps the idle threads
// reading /dev/fuse) is here the total number of slots: requests read from /dev/fuse and served
// concurrently, spread evenly over the lanes, at least one per lane. Default 16.
//
// Read errors: EINTR, EAGAIN, ENOENT (the request was interrupted) retry; ENODEV or
// ECONNABORTED (unmounted / aborted) finish the transport; anything else is logged and finishes
// it. A short read is handed to the dispatcher as it is (it validates). When the dispatcher has
// answered DESTROY the transport finishes. Reply errors: ENOENT (interrupted) and ENODEV (gone)
// at DEBUG, others at WARN.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "core/fuse/access_filter.h"
#include "core/fuse/dispatcher.h"
#include "core/fuse/fuse_transport.h"
#include "core/reactor/reactor.h"

namespace alluxio::fuse {

struct DevFuseTransportOptions {
  // Total request slots (see above); at least one per lane.
  size_t max_idle_threads = 16;
  // Reactors that read /dev/fuse (lanes), from the first; clamped to [1, pool size].
  size_t reading_reactors = 1;
  // allow_root: requests the filter denies are answered EACCES.
  AccessFilter access;
  // Called once, on the reactor that answered INIT, right after the reply was written (the
  // kernel has processed it). Must not block.
  std::function<void()> on_initialized;
};

class DevFuseTransport final : public FuseTransport {
 public:
  // `session_fd` is the mount's /dev/fuse fd (FuseMount::fd()): not owned, only cloned; the
  // caller keeps it open until Close() returned. `dispatcher` is shared with the request
  // coroutines. `pool` keeps running until Close() returned (FuseSession::Stop before
  // ReactorPool::Stop).
  DevFuseTransport(ReactorPool& pool, int session_fd, std::shared_ptr<FuseDispatcher> dispatcher,
                   DevFuseTransportOptions options);
  // Close().
  ~DevFuseTransport() override;
  DevFuseTransport(const DevFuseTransport&) = delete;
  DevFuseTransport& operator=(const DevFuseTransport&) = delete;

  // Clones the fd per reactor, allocates and pre-faults the slots, starts reading. kUnavailable
  // if /dev/fuse cannot be opened or cloned or a reactor is not running; kNoSpace if the
  // buffers cannot be mapped. Non-reactor thread.
  Status Start() override;
  void Stop() override;
  void Close() override;
  size_t in_flight() const override;
  bool finished() const override;
  bool WaitFinished(std::chrono::milliseconds timeout) override;
  bool WaitIdle(std::chrono::milliseconds timeout) override;
  const char* name() const override { return "dev-fuse"; }

  // Slots per lane, index = reactor index (empty before Start).
  std::vector<size_t> slots_per_reactor() const;

 private:
  class Lane;
  struct State;

  // Posts fn(lane) to every lane's reactor and waits until each ran or was dropped because its
  // reactor stopped; returns how many ran.
  size_t RunOnLanes(std::function<void(Lane&)> fn);

  ReactorPool& pool_;
  const int session_fd_;
  std::shared_ptr<FuseDispatcher> dispatcher_;
  std::shared_ptr<State> state_;
  std::vector<std::shared_ptr<Lane>> lanes_;
  bool started_ = false;
  bool closed_ = false;
};

}  // namespace alluxio::fuse
