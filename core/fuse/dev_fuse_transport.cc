#include "core/fuse/dev_fuse_transport.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/posix/stream_descriptor.hpp>

#include "core/common/logging.h"
#include "core/fuse/access_filter.h"
#include "core/fuse/fuse_abi.h"
#include "core/fuse/fuse_codec.h"
#include "core/fuse/in_flight_requests.h"
#include "core/fuse/prefaulted_region.h"
#include "core/reactor/run_on_each.h"
#include "core/reactor/task_group.h"

namespace alluxio::fuse {
namespace {

constexpr std::string_view kComponent = "fuse-transport";

}  // namespace

// Shared by the transport and every lane (and through them by request coroutines that outlive
// the transport).
struct DevFuseTransport::State {
  DevFuseTransportOptions options;
  InFlightRequests in_flight;
  std::atomic<bool> finished{false};
  std::atomic<bool> init_reported{false};
  std::mutex mu;
  std::condition_variable finished_cv;

  void Finish(std::string_view why) {
    if (finished.exchange(true, std::memory_order_acq_rel)) return;
    ALX_LOG(kInfo, kComponent, "stopped reading /dev/fuse: {}", why);
    std::lock_guard lock(mu);
    finished_cv.notify_all();
  }
};

// One reactor's share: its fd, its slots, its reads. Everything but construction, the
// destructor and the atomics runs on the lane's reactor thread.
class DevFuseTransport::Lane : public std::enable_shared_from_this<Lane> {
 public:
  struct Slot {
    std::byte* request = nullptr;
    std::byte* scratch = nullptr;
  };

  Lane(Reactor& reactor, std::shared_ptr<State> state, std::shared_ptr<FuseDispatcher> dispatcher)
      : reactor_(reactor),
        state_(std::move(state)),
        dispatcher_(std::move(dispatcher)),
        sink_(*this) {}

  ~Lane() {
    descriptor_.reset();  // only engaged here if the reactor stopped before Close ran
    if (fd_ >= 0) ::close(fd_);
  }
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;

  // Any thread, before Open: clones the session fd and maps the slots.
  Status Prepare(int session_fd, size_t slots) {
    fd_ = ::open("/dev/fuse", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("cannot open /dev/fuse: {}", std::strerror(errno)));
    }
    uint32_t original = static_cast<uint32_t>(session_fd);
    if (::ioctl(fd_, abi::kDevIocClone, &original) != 0) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("cannot clone the /dev/fuse session fd {} (FUSE_DEV_IOC_CLONE): {}",
                              session_fd, std::strerror(errno)));
    }
    request_size_ = dispatcher_->RequestBufferSize();
    scratch_size_ = dispatcher_->ScratchSize();
    const size_t request_bytes = RoundUpToPage(request_size_);
    const size_t scratch_bytes = RoundUpToPage(scratch_size_);
    Result<PrefaultedRegion> region =
        PrefaultedRegion::Map(slots * (request_bytes + scratch_bytes));
    if (!region) return region.failure();
    region_ = std::move(region.value());
    slots_.resize(slots);
    for (size_t i = 0; i < slots; ++i) {
      std::byte* base = region_.data() + i * (request_bytes + scratch_bytes);
      slots_[i] = Slot{base, base + request_bytes};
      free_.push_back(&slots_[i]);
    }
    return Ok();
  }

  size_t slots() const { return slots_.size(); }

  // Reactor thread: wraps the fd and posts the first read.
  void Open() {
    descriptor_.emplace(reactor_.context(), fd_);
    fd_ = -1;  // owned by the descriptor now
    tasks_ = std::make_unique<TaskGroup>(reactor_, "fuse-requests");
    MaybeRead();
  }

  // Reactor thread: no more reads; the posted one is cancelled.
  void StopReading() {
    stopping_ = true;
    if (descriptor_) {
      asio::error_code ignored;
      descriptor_->cancel(ignored);
    }
  }

  // Reactor thread: cancels the running requests and closes the fd.
  void CloseOnReactor() {
    StopReading();
    if (tasks_) {
      tasks_->Cancel();
      tasks_.reset();
    }
    if (descriptor_) {
      asio::error_code ignored;
      descriptor_->close(ignored);
      descriptor_.reset();
    }
  }

 private:
  class FdSink final : public FuseReplySink {
   public:
    explicit FdSink(Lane& lane) : lane_(lane) {}
    void Reply(uint64_t unique, int error, std::span<const iovec> body) override {
      if (!lane_.descriptor_) {
        ALX_LOG(kDebug, kComponent, "reply to {} dropped: the transport is closed", unique);
        return;
      }
      size_t body_size = 0;
      for (const iovec& part : body) body_size += part.iov_len;
      const abi::OutHeader header = MakeOutHeader(unique, error, body_size);
      std::array<iovec, 1 + ReplyBody::kMaxParts + 4> iov;
      std::vector<iovec> large;
      iovec* parts = iov.data();
      if (body.size() + 1 > iov.size()) {
        large.resize(body.size() + 1);
        parts = large.data();
      }
      parts[0] = iovec{const_cast<abi::OutHeader*>(&header), sizeof(header)};
      std::copy(body.begin(), body.end(), parts + 1);
      const ssize_t n =
          ::writev(lane_.descriptor_->native_handle(), parts, static_cast<int>(body.size() + 1));
      if (n >= 0) {
        if (static_cast<size_t>(n) != sizeof(header) + body_size) {
          ALX_LOG(kWarn, kComponent, "reply to {}: short write {} of {}", unique, n,
                  sizeof(header) + body_size);
        }
        return;
      }
      const int err = errno;
      if (err == ENOENT || err == ENODEV) {
        ALX_LOG(kDebug, kComponent, "reply to {} not delivered: {}", unique,
                err == ENOENT ? "request interrupted" : "connection gone");
      } else {
        ALX_LOG(kWarn, kComponent, "reply to {} failed: {}", unique, std::strerror(err));
      }
    }

   private:
    Lane& lane_;
  };

  // A request's claim on its slot and on the lane. Given to the request's coroutine as a
  // parameter, so the slot is returned when the request finishes, also when the coroutine is
  // destroyed before it ever ran (its TaskGroup was cancelled) or unresumed (reactor teardown).
  class SlotLease {
   public:
    SlotLease(std::shared_ptr<Lane> lane, Slot* slot) : lane_(std::move(lane)), slot_(slot) {}
    SlotLease(SlotLease&& other) noexcept : lane_(std::move(other.lane_)), slot_(other.slot_) {}
    SlotLease& operator=(SlotLease&&) = delete;
    ~SlotLease() {
      if (lane_) lane_->Release(slot_);
    }
    Lane& lane() const { return *lane_; }
    Slot& slot() const { return *slot_; }

   private:
    std::shared_ptr<Lane> lane_;
    Slot* slot_;
  };

  void MaybeRead() {
    if (reading_ || stopping_ || !descriptor_ || free_.empty() || reactor_.stopping() ||
        state_->finished.load(std::memory_order_acquire)) {
      return;
    }
    Slot* slot = free_.back();
    free_.pop_back();
    reading_ = true;
    descriptor_->async_read_some(
        asio::buffer(slot->request, request_size_),
        [self = shared_from_this(), slot](const asio::error_code& ec, size_t bytes) {
          self->OnRead(slot, ec, bytes);
        });
  }

  void OnRead(Slot* slot, const asio::error_code& ec, size_t bytes) {
    reading_ = false;
    if (ec) {
      free_.push_back(slot);
      if (ec == asio::error::operation_aborted) return;  // StopReading / CloseOnReactor
      const int err = ec.category() == asio::error::get_system_category() ? ec.value() : 0;
      if (err == EINTR || err == EAGAIN || err == ENOENT) {
        MaybeRead();
      } else if (err == ENODEV || err == ECONNABORTED) {
        state_->Finish("the kernel ended the session (unmounted)");
      } else {
        ALX_LOG(kWarn, kComponent, "read from /dev/fuse failed: {}", ec.message());
        state_->Finish("read error");
      }
      return;
    }
    // A request that was read is always served, even after Stop.
    state_->in_flight.Begin();
    MaybeRead();
    if (tasks_) {
      SlotLease lease(shared_from_this(), slot);
      tasks_->Spawn(Serve(std::move(lease), bytes), "fuse request");
    } else {
      Release(slot);
    }
  }

  void Release(Slot* slot) {
    free_.push_back(slot);
    state_->in_flight.End();
    MaybeRead();
  }

  // A reply denied under allow_root; true if answered.
  bool Denied(std::span<const std::byte> message) {
    if (message.size() < sizeof(abi::InHeader)) return false;
    abi::InHeader header;
    std::memcpy(&header, message.data(), sizeof(header));
    if (!state_->options.access.Denies(header)) return false;
    sink_.Reply(header.unique, EACCES, {});
    return true;
  }

  void AfterRequest() {
    if (!state_->init_reported.load(std::memory_order_acquire) && dispatcher_->initialized() &&
        !state_->init_reported.exchange(true, std::memory_order_acq_rel)) {
      if (state_->options.on_initialized) state_->options.on_initialized();
    }
    if (dispatcher_->destroyed()) state_->Finish("DESTROY answered");
  }

  static Task<void> Serve(SlotLease lease, size_t bytes) {
    Lane& lane = lease.lane();
    const std::span<const std::byte> message(lease.slot().request, bytes);
    const std::span<std::byte> scratch(lease.slot().scratch, lane.scratch_size_);
    if (lane.Denied(message)) co_return;
    co_await lane.dispatcher_->Handle(message, scratch, lane.sink_);
    lane.AfterRequest();
  }

  Reactor& reactor_;
  const std::shared_ptr<State> state_;
  const std::shared_ptr<FuseDispatcher> dispatcher_;
  FdSink sink_;
  int fd_ = -1;  // until Open hands it to descriptor_
  std::optional<asio::posix::stream_descriptor> descriptor_;
  std::unique_ptr<TaskGroup> tasks_;
  PrefaultedRegion region_;
  size_t request_size_ = 0;
  size_t scratch_size_ = 0;
  std::vector<Slot> slots_;
  std::vector<Slot*> free_;
  bool reading_ = false;
  bool stopping_ = false;
};

DevFuseTransport::DevFuseTransport(ReactorPool& pool, int session_fd,
                                   std::shared_ptr<FuseDispatcher> dispatcher,
                                   DevFuseTransportOptions options)
    : pool_(pool),
      session_fd_(session_fd),
      dispatcher_(std::move(dispatcher)),
      state_(std::make_shared<State>()) {
  state_->options = std::move(options);
}

DevFuseTransport::~DevFuseTransport() { Close(); }

Status DevFuseTransport::Start() {
  if (started_) return Fail(ErrorCode::kInvalidArgument, "transport already started");
  started_ = true;
  const size_t reactors = std::clamp<size_t>(state_->options.reading_reactors, 1, pool_.size());
  const size_t total = std::max(state_->options.max_idle_threads, reactors);
  for (size_t i = 0; i < reactors; ++i) {
    const size_t slots = total / reactors + (i < total % reactors ? 1 : 0);
    auto lane = std::make_shared<Lane>(pool_.at(i), state_, dispatcher_);
    if (Status s = lane->Prepare(session_fd_, slots); !s.ok()) {
      lanes_.clear();
      closed_ = true;
      state_->Finish("start failed");
      return s;
    }
    lanes_.push_back(std::move(lane));
  }
  if (RunOnLanes([](Lane& lane) { lane.Open(); }) != lanes_.size()) {
    Close();
    return Fail(ErrorCode::kUnavailable, "cannot start the /dev/fuse transport: a reactor stopped");
  }
  ALX_LOG(kInfo, kComponent, "serving /dev/fuse on {} reactors, {} request slots", reactors, total);
  return Ok();
}

size_t DevFuseTransport::RunOnLanes(std::function<void(Lane&)> fn) {
  std::vector<Reactor*> reactors;
  for (size_t i = 0; i < lanes_.size(); ++i) reactors.push_back(&pool_.at(i));
  return RunOnEach(reactors, [this, fn = std::move(fn)](size_t i) { fn(*lanes_[i]); });
}

void DevFuseTransport::Stop() {
  state_->Finish("stopped");
  if (lanes_.empty() || closed_) return;
  for (size_t i = 0; i < lanes_.size(); ++i) {
    pool_.at(i).Post([lane = lanes_[i]] { lane->StopReading(); });
  }
}

void DevFuseTransport::Close() {
  if (closed_) return;
  closed_ = true;
  state_->Finish("closed");
  if (lanes_.empty()) return;
  (void)RunOnLanes([](Lane& lane) { lane.CloseOnReactor(); });
  lanes_.clear();  // requests still running keep their lane alive
}

size_t DevFuseTransport::in_flight() const { return state_->in_flight.count(); }

bool DevFuseTransport::finished() const { return state_->finished.load(std::memory_order_acquire); }

bool DevFuseTransport::WaitFinished(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mu);
  auto done = [&] { return state_->finished.load(std::memory_order_acquire); };
  if (timeout == kForever) {
    state_->finished_cv.wait(lock, done);
    return true;
  }
  return state_->finished_cv.wait_for(lock, timeout, done);
}

bool DevFuseTransport::WaitIdle(std::chrono::milliseconds timeout) {
  return state_->in_flight.WaitNone(timeout);
}

std::vector<size_t> DevFuseTransport::slots_per_reactor() const {
  std::vector<size_t> out;
  for (const auto& lane : lanes_) out.push_back(lane->slots());
  return out;
}

}  // namespace alluxio::fuse
