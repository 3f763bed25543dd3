#include "core/fuse/fuse_session.h"

#include <sys/sysmacros.h>

#include <algorithm>
#include <string_view>
#include <utility>

#include "core/common/logging.h"
#include "core/fuse/dev_fuse_transport.h"

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
  session->dispatcher_ = std::make_shared<FuseDispatcher>(fs, options.fuse, session->mount_->fd());

  DevFuseTransportOptions transport_options;
  transport_options.max_idle_threads = options.request_slots;
  transport_options.reading_reactors = options.reading_reactors;
  transport_options.root_and_owner_only = session->mount_->root_and_owner_only();
  transport_options.owner = session->mount_->owner();
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
  session->transport_ = std::make_unique<DevFuseTransport>(
      pool, session->mount_->fd(), session->dispatcher_, std::move(transport_options));
  session->options_ = std::move(options);
  if (Status s = session->transport_->Start(); !s.ok()) {
    session->Stop();
    return Fail(s.code(),
                fmt::format("cannot serve {}: {}", session->mount_point_, s.error().message));
  }
  return session;
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
