#include "core/fuse/fuse_session.h"

#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <string_view>
#include <utility>

#include "core/common/logging.h"
#include "core/fuse/dev_fuse_transport.h"
#include "core/fuse/uring_fuse_transport.h"

namespace alluxio::fuse {
namespace {

constexpr std::string_view kComponent = "fuse-session";

bool HasOption(const std::vector<std::string>& options, std::string_view key) {
  return std::any_of(options.begin(), options.end(),
                     [&](const std::string& item) { return item.starts_with(key); });
}

}  // namespace

Result<std::unique_ptr<FuseSession>> FuseSession::Start(ReactorPool& pool, fs::FileSystem& fs,
                                                        FuseSessionOptions options) {
  auto session = std::unique_ptr<FuseSession>(new FuseSession());
  if (options.fuse.max_read != 0 && !HasOption(options.mount.mount_options, "max_read=")) {
    options.mount.mount_options.push_back("max_read=" + std::to_string(options.fuse.max_read));
  }
  Result<std::unique_ptr<FuseMount>> mount = FuseMount::Mount(options.mount);
  if (!mount.ok()) return mount.failure();
  session->mount_ = std::move(mount.value());
  session->mount_point_ = session->mount_->mount_point();

  DevFuseTransportOptions transport_options;
  transport_options.max_idle_threads = options.request_slots;
  transport_options.reading_reactors = options.reading_reactors;
  transport_options.access = {session->mount_->root_and_owner_only(), session->mount_->owner()};
  const dev_t device = session->mount_->device();
  const uint32_t read_ahead_kb = options.read_ahead_kb;
  const std::string mount_point = session->mount_point_;
  transport_options.on_initialized = [device, read_ahead_kb, mount_point] {
    if (read_ahead_kb == 0) return;
    if (device == 0) {
      ALX_LOG(kWarn, kComponent, "{}: device unknown, read_ahead_kb left as is", mount_point);
      return;
    }
    if (Status s = RaiseReadAhead(device, read_ahead_kb); !s.ok()) {
      ALX_LOG(kWarn, kComponent, "{}: cannot raise read_ahead_kb to {}: {}", mount_point,
              read_ahead_kb, s.error().ToString());
    }
  };
  // A group of its own when none is shared: it also delivers what a listing shows was removed
  // by another client.
  if (!options.served_mounts) options.served_mounts = std::make_shared<ServedMounts>();
  Status started = session->StartTransport(pool, fs, options, transport_options);
  if (started.ok()) options.served_mounts->Add(session->dispatcher_.get());
  session->options_ = std::move(options);
  if (Status s = std::move(started); !s.ok()) {
    session->Stop();
    return Fail(s.code(),
                fmt::format("cannot serve {}: {}", session->mount_point_, s.error().message));
  }
  return session;
}

Status FuseSession::StartTransport(ReactorPool& pool, fs::FileSystem& fs,
                                   const FuseSessionOptions& options,
                                   const DevFuseTransportOptions& dev_fuse) {
  const int fd = mount_->fd();
  if (options.io_uring) {
    if (Status ready = UringFuseTransport::KernelReady(); !ready.ok()) {
      ALX_LOG(kWarn, kComponent, "{}: serving /dev/fuse: {}", mount_point_, ready.error().message);
    } else {
      FuseOptions fuse = options.fuse;
      fuse.over_io_uring = true;
      dispatcher_ = std::make_shared<FuseDispatcher>(fs, fuse, fd, options.served_mounts.get());
      UringFuseTransportOptions uring;
      uring.dev_fuse = dev_fuse;
      // /dev/fuse then carries INIT, FORGET, INTERRUPT and what comes before the rings are live.
      uring.dev_fuse.max_idle_threads = std::min<size_t>(dev_fuse.max_idle_threads, 4);
      const size_t cpus = std::max<size_t>(pool.size(), 1);
      uring.queue_depth = std::max<size_t>(2, (options.request_slots + cpus - 1) / cpus);
      uring.min_payload = size_t{fuse.max_pages} * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
      uring.poll_after_reply = options.io_uring_poll;
      transport_ = std::make_unique<UringFuseTransport>(pool, fd, dispatcher_, std::move(uring));
      Status s = transport_->Start();
      if (s.ok()) return s;
      ALX_LOG(kWarn, kComponent, "{}: FUSE over io_uring unavailable, serving /dev/fuse: {}",
              mount_point_, s.error().message);
      transport_.reset();
    }
  }
  dispatcher_ = std::make_shared<FuseDispatcher>(fs, options.fuse, fd, options.served_mounts.get());
  transport_ = std::make_unique<DevFuseTransport>(pool, fd, dispatcher_, dev_fuse);
  return transport_->Start();
}

FuseSession::~FuseSession() { Stop(); }

void FuseSession::WaitUntilFinished() { (void)transport_->WaitFinished(FuseTransport::kForever); }

bool FuseSession::WaitForIdle(std::chrono::milliseconds timeout) {
  return transport_->WaitIdle(timeout);
}

void FuseSession::Stop() {
  std::lock_guard lock(stop_mutex_);
  if (stopped_) return;
  stopped_ = true;
  // Before the device closes: no notification may be written to its number afterwards.
  if (options_.served_mounts && dispatcher_) options_.served_mounts->Remove(dispatcher_.get());
  if (transport_) {
    transport_->Stop();
    if (!transport_->WaitIdle(options_.drain_timeout)) {
      ALX_LOG(kWarn, kComponent, "{}: {} requests still running after {} ms; cancelling them",
              mount_point_, transport_->in_flight(), options_.drain_timeout.count());
    }
    transport_->Close();
    // Cancellation lands asynchronously; what ignores it is destroyed when the pool stops.
    if (!transport_->WaitIdle(
            std::min<std::chrono::milliseconds>(options_.drain_timeout, std::chrono::seconds(1)))) {
      ALX_LOG(kWarn, kComponent,
              "{}: {} cancelled requests did not stop; they are destroyed when the reactor pool "
              "stops",
              mount_point_, transport_->in_flight());
    }
  }
  if (mount_) {
    if (Status s = mount_->Unmount(); !s.ok()) {
      ALX_LOG(kWarn, kComponent, "{}", s.error().ToString());
    }
  }
}

}  // namespace alluxio::fuse
