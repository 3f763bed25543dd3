// FUSE over io_uring (protocol 7.42): the kernel hands each request to a ring entry of the queue
// of the CPU the calling process runs on, and the reply goes back in the same entry. Served on
// the reactor pinned to that CPU, a request never wakes another CPU (≈100 µs here, against ≈8 µs
// on the same CPU), and nothing is read or written through /dev/fuse on the request path.
//
// Per possible CPU (/sys/devices/system/cpu/possible; the kernel needs every queue registered
// before the ring goes live) a queue on reactor (qid % pool size): its own io_uring
// (IORING_SETUP_SQE128, the session fd as its one fixed file) and `queue_depth` entries. An
// entry owns, from one pre-faulted mapping per queue: a page whose start is the registered
// abi::UringReqHeader, a payload buffer (the registered second iovec, large enough for the
// largest READ and WRITE) and a scratch buffer. The reactor waits for the ring's completions with
// an asio wait on the ring fd; each request is rebuilt as the classic message (InHeader, the
// opcode's argument struct, payload) in place, just before the payload, so WRITE data is never
// copied, and runs FuseDispatcher::Handle as a coroutine of the queue's TaskGroup. Its reply is
// written into the entry (a READ without payload builds its data in the payload buffer itself)
// and submitted as COMMIT_AND_FETCH, which also re-arms the entry.
//
// INIT, FORGET, INTERRUPT and anything the kernel sends before the ring is live travel over
// /dev/fuse: a DevFuseTransport (one lane) runs next to the queues. The INIT reply offers
// FUSE_OVER_IO_URING (FuseOptions::over_io_uring, set by the session); once it was written and
// the kernel agreed, every queue registers its entries. If the kernel did not agree, the queues
// stay idle and /dev/fuse serves everything.
//
// Errors: EAGAIN/EINTR completions are resubmitted; ENOTCONN/ECANCELED (unmount, ring closed)
// retire the entry; any other failed command is logged and retires its entry, and a queue left
// with no entry would hang its CPU's callers, so the transport finishes (the session ends).
// finished(), WaitFinished(): those of the /dev/fuse side (which sees the unmount), also ended by
// DESTROY or a queue failure. in_flight(), WaitIdle(): both sides.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "core/fuse/dev_fuse_transport.h"
#include "core/fuse/dispatcher.h"
#include "core/fuse/fuse_transport.h"
#include "core/reactor/reactor.h"

namespace alluxio::fuse {

struct UringFuseTransportOptions {
  // The /dev/fuse side (its max_idle_threads are its own slots); `access` applies to both sides
  // and on_initialized runs after INIT, before the queues register.
  DevFuseTransportOptions dev_fuse;
  // Entries per queue: requests served concurrently per CPU. At least 1.
  size_t queue_depth = 8;
  // Smallest payload buffer the kernel accepts: max(8192, max_write, max_pages * page size).
  size_t min_payload = 0;
  // After answering every request it took, a queue polls its ring this long for the next one
  // before sleeping, yielding to anything runnable on its CPU (0: sleeps at once); not on a CPU
  // found contended (other work ran for a whole window during a yield). See PollOnce.
  std::chrono::microseconds poll_after_reply{0};
};

class UringFuseTransport final : public FuseTransport {
 public:
  // Whether this kernel can serve a mount over io_uring: FUSE built with it and the fuse
  // module's enable_uring parameter Y (set here if it is N and the process may write it).
  // kUnavailable with the reason otherwise.
  static Status KernelReady();

  // Arguments as for DevFuseTransport; the dispatcher's FuseOptions must have over_io_uring set.
  UringFuseTransport(ReactorPool& pool, int session_fd, std::shared_ptr<FuseDispatcher> dispatcher,
                     UringFuseTransportOptions options);
  ~UringFuseTransport() override;
  UringFuseTransport(const UringFuseTransport&) = delete;
  UringFuseTransport& operator=(const UringFuseTransport&) = delete;

  // Creates the rings and their buffers, then starts the /dev/fuse side. kUnavailable if a ring
  // cannot be created (io_uring disabled, or the kernel refuses SQE128 / the fixed file), kNoSpace
  // if the buffers cannot be mapped: in both cases nothing was read from /dev/fuse, so the
  // caller may serve the mount with a DevFuseTransport instead. Non-reactor thread.
  Status Start() override;
  void Stop() override;
  void Close() override;
  size_t in_flight() const override;
  bool finished() const override;
  bool WaitFinished(std::chrono::milliseconds timeout) override;
  bool WaitIdle(std::chrono::milliseconds timeout) override;
  const char* name() const override { return "io-uring"; }

  size_t queues() const { return queues_.size(); }
  // Ring entries whose REGISTER was submitted and not refused (0 until after INIT).
  size_t registered_entries() const;
  // Requests served through the rings (not /dev/fuse).
  uint64_t ring_requests() const;
  // Ring completions (requests, mostly) taken while polling after a reply (poll_after_reply).
  uint64_t polled_completions() const;
  // Polls that found their CPU contended (a yield outlasted the window): the queue then sleeps
  // at once after its next turns.
  uint64_t contended_polls() const;

 private:
  class Queue;
  struct Shared;

  ReactorPool& pool_;
  const int session_fd_;
  std::shared_ptr<FuseDispatcher> dispatcher_;
  UringFuseTransportOptions options_;
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<DevFuseTransport> dev_fuse_;
  std::vector<std::shared_ptr<Queue>> queues_;
  std::vector<Reactor*> queue_reactors_;
  bool started_ = false;
  bool closed_ = false;
};

}  // namespace alluxio::fuse
