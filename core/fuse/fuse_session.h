// One mount being served: the FuseMount, the dispatcher and a transport on the reactors of a
// ReactorPool: UringFuseTransport when io_uring is asked for and the kernel can, else (or when
// the rings cannot be set up) DevFuseTransport.
//
//   auto session = FuseSession::Start(pool, fs, options);   // mounted and reading
//   session.value()->WaitUntilFinished();                    // until unmounted, or Stop()
//   session.value()->Stop();                                 // then pool.Stop()
//
// Threading: Start, WaitUntilFinished, WaitForIdle and Stop block and are called from
// non-reactor threads (the reactors serve the mount); Stop may be called from another thread
// while one waits in WaitUntilFinished. The pool keeps running until Stop returned; the file
// system outlives the pool's Stop (a request stuck in it at Stop is destroyed only then).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "core/common/result.h"
#include "core/fs/file_system.h"
#include "core/fuse/dev_fuse_transport.h"
#include "core/fuse/dispatcher.h"
#include "core/fuse/fuse_mount.h"
#include "core/fuse/fuse_options.h"
#include "core/fuse/fuse_transport.h"
#include "core/fuse/served_mounts.h"
#include "core/reactor/reactor.h"

namespace alluxio::fuse {

struct FuseSessionOptions {
  MountRequest mount;
  FuseOptions fuse;
  // max_idle_threads: requests read and served concurrently, over all reading reactors (at
  // least one each). See dev_fuse_transport.h.
  size_t request_slots = 16;
  // Reactors that read /dev/fuse and serve requests (the first ones of the pool).
  size_t reading_reactors = 1;
  // FUSE over io_uring (uring_fuse_transport.h): a queue per CPU, request_slots spread over
  // them. Falls back to /dev/fuse, with a warning, where the kernel cannot.
  bool io_uring = false;
  // UringFuseTransportOptions::poll_after_reply.
  std::chrono::microseconds io_uring_poll{0};
  // How long Stop lets running requests finish before cancelling them.
  std::chrono::milliseconds drain_timeout{5000};
  // The mount's readahead is raised to at least this after INIT (0: left to the kernel).
  uint32_t read_ahead_kb = 1024;
  // The mounts this process serves over the same file system (ServedMounts): this one is added
  // while it serves. Null: a group of its own.
  std::shared_ptr<ServedMounts> served_mounts;
};

class FuseSession {
 public:
  // Mounts options.mount (adding max_read=<fuse.max_read> for the kernel when set), builds
  // the dispatcher and the transport and starts serving; returns once every reactor is
  // reading (INIT may come later). Errors: those of FuseMount::Mount and
  // DevFuseTransport::Start; nothing stays mounted on error.
  static Result<std::unique_ptr<FuseSession>> Start(ReactorPool& pool, fs::FileSystem& fs,
                                                    FuseSessionOptions options);
  // Stop().
  ~FuseSession();
  FuseSession(const FuseSession&) = delete;
  FuseSession& operator=(const FuseSession&) = delete;

  // Blocks until the kernel ended the session (someone unmounted, DESTROY, or the device
  // failed) or Stop() was called.
  void WaitUntilFinished();
  // Blocks until no request is in flight, or `timeout`; true if idle.
  bool WaitForIdle(std::chrono::milliseconds timeout);
  // Leaves served_mounts, stops reading, lets running requests finish for drain_timeout, then
  // cancels the rest
  // (coroutines that ignore cancellation are destroyed, unresumed, when the pool stops; their
  // callers get ENOTCONN), closes the transport's fds and the mount's fd (aborting the
  // connection: processes blocked on the mount get ENOTCONN) and unmounts lazily if still
  // mounted. Safe when the kernel already went away; idempotent.
  void Stop();

  // True once the transport stopped reading (see WaitUntilFinished).
  bool finished() const { return transport_->finished(); }
  size_t in_flight() const { return transport_->in_flight(); }
  const FuseDispatcher& dispatcher() const { return *dispatcher_; }
  const FuseTransport& transport() const { return *transport_; }
  const std::string& mount_point() const { return mount_point_; }
  // The group this mount is in (FuseSessionOptions::served_mounts, or its own).
  ServedMounts& served_mounts() const { return *options_.served_mounts; }

 private:
  FuseSession() = default;
  // Builds dispatcher_ and transport_ and starts it (io_uring first when asked for).
  Status StartTransport(ReactorPool& pool, fs::FileSystem& fs, const FuseSessionOptions& options,
                        const DevFuseTransportOptions& dev_fuse);

  FuseSessionOptions options_;
  std::string mount_point_;
  std::unique_ptr<FuseMount> mount_;
  std::shared_ptr<FuseDispatcher> dispatcher_;
  std::unique_ptr<FuseTransport> transport_;
  std::mutex stop_mutex_;
  bool stopped_ = false;
};

}  // namespace alluxio::fuse
