#include "core/fuse/uring_fuse_transport.h"

#include <fcntl.h>
#include <liburing.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <span>
#include <sstream>
#include <string>

#include <asio/error.hpp>
#include <asio/posix/stream_descriptor.hpp>

#include "core/common/logging.h"
#include "core/fuse/fuse_abi.h"
#include "core/fuse/fuse_codec.h"
#include "core/fuse/in_flight_requests.h"
#include "core/fuse/prefaulted_region.h"
#include "core/reactor/run_on_each.h"
#include "core/reactor/task_group.h"

namespace alluxio::fuse {
namespace {

constexpr std::string_view kComponent = "fuse-uring";
constexpr const char* kEnableUringParameter = "/sys/module/fuse/parameters/enable_uring";
constexpr size_t kMinPayload = 8192;  // the kernel's FUSE_MIN_READ_BUFFER

// Number of CPUs in /sys/devices/system/cpu/possible ("0-1", "0,2-3"): the kernel's queue
// count. 0 if unreadable.
size_t PossibleCpus() {
  std::ifstream in("/sys/devices/system/cpu/possible");
  std::string ranges;
  if (!std::getline(in, ranges)) return 0;
  size_t count = 0;
  std::stringstream list(ranges);
  std::string range;
  while (std::getline(list, range, ',')) {
    unsigned first = 0;
    unsigned last = 0;
    const int n = std::sscanf(range.c_str(), "%u-%u", &first, &last);
    if (n == 1) last = first;
    if (n >= 1 && last >= first) count += last - first + 1;
  }
  return count;
}

// Prepares a FUSE_IO_URING command on the ring's one fixed file (the session fd).
void PrepUringCommand(io_uring_sqe* sqe, abi::UringCmd command, uint16_t qid, uint64_t commit_id,
                      void* user_data) {
  std::memset(sqe, 0, 2 * sizeof(io_uring_sqe));  // SQE128: the command lives in the second half
  sqe->opcode = IORING_OP_URING_CMD;
  sqe->flags = IOSQE_FIXED_FILE;
  sqe->fd = 0;
  sqe->cmd_op = static_cast<uint32_t>(command);
  io_uring_sqe_set_data(sqe, user_data);
  const abi::UringCmdReq request{.flags = 0, .commit_id = commit_id, .qid = qid};
  std::memcpy(sqe->cmd, &request, sizeof(request));
}

}  // namespace

// Shared by the transport, its queues and the request coroutines (which may outlive both).
struct UringFuseTransport::Shared {
  std::shared_ptr<FuseDispatcher> dispatcher;
  AccessFilter access;
  std::chrono::microseconds poll_after_reply{0};
  InFlightRequests in_flight;
  std::atomic<uint64_t> ring_requests{0};
  std::atomic<uint64_t> polled{0};     // completions found by PollOnce
  std::atomic<uint64_t> contended{0};  // polls that found the CPU contended
  std::atomic<size_t> registered{0};
  std::atomic<bool> ended{false};
  std::mutex mu;
  DevFuseTransport* dev_fuse = nullptr;  // guarded by mu; cleared by Close

  // Ends the session's serving: the /dev/fuse side stops too, so finished() turns true.
  void End(std::string_view why) {
    if (ended.exchange(true, std::memory_order_acq_rel)) return;
    ALX_LOG(kInfo, kComponent, "io_uring queues stopped: {}", why);
    std::lock_guard lock(mu);
    if (dev_fuse != nullptr) dev_fuse->Stop();
  }
};

// One kernel queue (one CPU): its ring and entries. Everything but Prepare, the destructor and
// the atomics runs on the queue's reactor thread.
class UringFuseTransport::Queue : public std::enable_shared_from_this<Queue> {
 public:
  Queue(uint16_t qid, Reactor& reactor, std::shared_ptr<Shared> shared)
      : qid_(qid), reactor_(reactor), shared_(std::move(shared)) {}

  ~Queue() {
    descriptor_.reset();  // only engaged here if the reactor stopped before Close ran
    if (ring_fd_ >= 0) ::close(ring_fd_);
    if (ring_open_) io_uring_queue_exit(&ring_);
  }
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // Any thread, before Open: the ring, its fixed file and the entries' buffers.
  Status Prepare(int session_fd, size_t depth, size_t payload_size) {
    io_uring_params params{};
    params.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQSIZE;
    params.cq_entries = static_cast<unsigned>(2 * depth);
    if (int rc = io_uring_queue_init_params(static_cast<unsigned>(depth), &ring_, &params);
        rc < 0) {
      return Fail(
          ErrorCode::kUnavailable,
          fmt::format("cannot create the io_uring of FUSE queue {}: {}", qid_, std::strerror(-rc)));
    }
    ring_open_ = true;
    if (int rc = io_uring_register_files(&ring_, &session_fd, 1); rc < 0) {
      return Fail(
          ErrorCode::kUnavailable,
          fmt::format("cannot register the /dev/fuse fd with io_uring: {}", std::strerror(-rc)));
    }
    ring_fd_ = ::fcntl(ring_.ring_fd, F_DUPFD_CLOEXEC, 0);
    if (ring_fd_ < 0) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("cannot duplicate the io_uring fd: {}", std::strerror(errno)));
    }
    payload_size_ = payload_size;
    scratch_size_ = shared_->dispatcher->ScratchSize();
    const size_t header_bytes = RoundUpToPage(sizeof(abi::UringReqHeader) + kMaxPrefix);
    // The scratch buffer also stages replies of the size of the payload (Entry::Reply).
    const size_t buffer_bytes = RoundUpToPage(std::max(payload_size_, scratch_size_));
    const size_t entry_bytes = header_bytes + 2 * buffer_bytes;
    Result<PrefaultedRegion> region = PrefaultedRegion::Map(depth * entry_bytes);
    if (!region) return region.failure();
    region_ = std::move(region.value());
    for (size_t i = 0; i < depth; ++i) {
      std::byte* base = region_.data() + i * entry_bytes;
      auto entry = std::make_unique<Entry>(*this);
      entry->header = reinterpret_cast<abi::UringReqHeader*>(base);
      entry->payload = base + header_bytes;
      entry->scratch = entry->payload + buffer_bytes;
      entry->iov[0] = iovec{entry->header, sizeof(abi::UringReqHeader)};
      entry->iov[1] = iovec{entry->payload, payload_size_};
      entries_.push_back(std::move(entry));
    }
    return Ok();
  }

  // Reactor thread: wraps the ring fd for waiting and creates the task group.
  void Open() {
    descriptor_.emplace(reactor_.context(), ring_fd_);
    ring_fd_ = -1;  // owned by the descriptor now
    tasks_ = std::make_unique<TaskGroup>(reactor_, "fuse-uring-requests");
  }

  // Reactor thread, after INIT negotiated FUSE_OVER_IO_URING: hands every entry to the kernel.
  void Register() {
    if (stopping_ || !descriptor_) return;
    for (auto& entry : entries_) {
      PrepRegister(*entry);
      entry->live = true;
      ++live_;
    }
    shared_->registered.fetch_add(entries_.size(), std::memory_order_acq_rel);
    Submit();
    ArmWait();
  }

  void StopReading() {
    stopping_ = true;
    if (descriptor_) {
      asio::error_code ignored;
      descriptor_->cancel(ignored);
    }
  }

  // Reactor thread: cancels the running requests and closes the ring (the kernel cancels the
  // commands it holds).
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
    if (ring_open_) {
      io_uring_queue_exit(&ring_);
      ring_open_ = false;
    }
    shared_->registered.fetch_sub(live_, std::memory_order_acq_rel);
    live_ = 0;
  }

 private:
  // Requests and replies up to this size are latency-bound: PollOrWait polls after them.
  static constexpr size_t kPollMaxBytes = 32 << 10;
  // Turns that sleep at once after a poll found the CPU contended (PollOnce).
  static constexpr size_t kContendedSkip = 256;
  // Room before the payload for the rebuilt InHeader and argument struct.
  static constexpr size_t kMaxPrefix = sizeof(abi::InHeader) + abi::kUringOpInOutSize;

  struct Entry final : FuseReplySink {
    explicit Entry(Queue& q) : queue(q) {}

    // Writes the reply into the entry; Serve commits it once Handle returned.
    void Reply(uint64_t unique, int error, std::span<const iovec> body) override {
      size_t size = 0;
      for (const iovec& part : body) size += part.iov_len;
      if (size > queue.payload_size_) {
        ALX_LOG(kWarn, kComponent, "reply to {}: {} bytes exceed the ring payload of {}", unique,
                size, queue.payload_size_);
        error = EIO;
        body = {};
        size = 0;
      }
      const bool in_place = body.size() == 1 && body[0].iov_base == payload;
      if (!in_place && !body.empty()) {
        // Parts built in the payload buffer (it is the scratch of requests without payload) are
        // gathered through the entry's own scratch, which such requests leave unused.
        std::byte* stage = Aliases(body) ? scratch : payload;
        std::byte* out = stage;
        for (const iovec& part : body) {
          std::memcpy(out, part.iov_base, part.iov_len);
          out += part.iov_len;
        }
        if (stage != payload) std::memcpy(payload, stage, size);
      }
      const abi::OutHeader out_header = MakeOutHeader(unique, error, size);
      std::memcpy(header->in_out, &out_header, sizeof(out_header));
      abi::UringEntInOut ent{};
      ent.payload_sz = static_cast<uint32_t>(size);
      std::memcpy(&header->ring_ent_in_out, &ent, sizeof(ent));
      replied = true;
      reply_bytes = size;
    }

    bool Aliases(std::span<const iovec> body) const {
      const auto* begin = payload;
      const auto* end = payload + queue.payload_size_;
      return std::any_of(body.begin(), body.end(), [&](const iovec& part) {
        const auto* p = static_cast<const std::byte*>(part.iov_base);
        return p < end && p + part.iov_len > begin;
      });
    }

    Queue& queue;
    abi::UringReqHeader* header = nullptr;
    std::byte* payload = nullptr;
    std::byte* scratch = nullptr;
    iovec iov[2]{};
    uint64_t commit_id = 0;
    bool replied = false;
    size_t reply_bytes = 0;
    bool live = false;  // holds a command in the kernel, or serves a request
  };

  // A request's claim on its queue: ends its in-flight count when it finished, or was destroyed
  // unrun.
  class Lease {
   public:
    Lease(std::shared_ptr<Queue> queue, Entry* entry) : queue_(std::move(queue)), entry_(entry) {
      ++queue_->serving_;
    }
    Lease(Lease&& other) noexcept : queue_(std::move(other.queue_)), entry_(other.entry_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (!queue_) return;
      --queue_->serving_;
      queue_->shared_->in_flight.End();
    }
    Queue& queue() const { return *queue_; }
    Entry& entry() const { return *entry_; }

   private:
    std::shared_ptr<Queue> queue_;
    Entry* entry_;
  };

  void ArmWait() {
    if (waiting_ || polling_ || stopping_ || !descriptor_) return;
    waiting_ = true;
    descriptor_->async_wait(asio::posix::stream_descriptor::wait_read,
                            [self = shared_from_this()](const asio::error_code& ec) {
                              self->waiting_ = false;
                              if (ec) return;  // cancelled: StopReading / CloseOnReactor
                              self->Reap();
                              self->PollOrWait();
                            });
  }

  // After a turn that answered every request it took, none of them bulk, the next one is polled
  // for (a posted handler, so the reactor's other work runs in between) rather than slept for.
  // Bulk transfers gain nothing from it: their caller is better woken on an idle CPU.
  void PollOrWait() {
    const bool bulk = std::exchange(bulk_in_turn_, false);
    const bool contended = contended_turns_ > 0;
    if (contended) --contended_turns_;
    if (shared_->poll_after_reply.count() > 0 && serving_ == 0 && !bulk && !contended &&
        !stopping_ && ring_open_) {
      polling_ = true;
      reactor_.Post([self = shared_from_this()] { self->PollOnce(); });
      return;
    }
    ArmWait();
  }

  // Spins on the completion queue for up to poll_after_reply, yielding the CPU to whatever
  // else is runnable on it. A caller that waits for its reply on this CPU then finds the CPU
  // busy, so the scheduler wakes it here rather than on an idle CPU (a cross-CPU wake-up costs
  // several times the request), and its next request is taken without a wake-up at all.
  // A yield that outlasts the whole window handed the CPU to other work: the CPU is contended,
  // and polling there only queues the caller behind that work (measured under a load of 8-10
  // on 2 CPUs: 6-9 K stats/s polling, 33-42 K/s without), so the next kContendedSkip turns
  // sleep at once.
  void PollOnce() {
    polling_ = false;
    if (stopping_ || !ring_open_) return;
    const auto window = shared_->poll_after_reply;
    const auto until = std::chrono::steady_clock::now() + window;
    while (io_uring_cq_ready(&ring_) == 0) {
      const auto before = std::chrono::steady_clock::now();
      if (before >= until) {
        ArmWait();
        return;
      }
      sched_yield();
      if (std::chrono::steady_clock::now() - before >= window) {
        contended_turns_ = kContendedSkip;
        shared_->contended.fetch_add(1, std::memory_order_relaxed);
        if (io_uring_cq_ready(&ring_) == 0) {
          ArmWait();
          return;
        }
      }
    }
    shared_->polled.fetch_add(Reap(), std::memory_order_relaxed);
    PollOrWait();
  }

  // Completes what the ring holds; returns how many completions that was.
  unsigned Reap() {
    if (!ring_open_) return 0;
    reaping_ = true;
    unsigned head = 0;
    unsigned seen = 0;
    io_uring_cqe* cqe = nullptr;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      Complete(static_cast<Entry*>(io_uring_cqe_get_data(cqe)), cqe->res);
      ++seen;
    }
    io_uring_cq_advance(&ring_, seen);
    reaping_ = false;
    if (pending_submit_) Submit();
    return seen;
  }

  void Complete(Entry* entry, int res) {
    if (res == -EAGAIN || res == -EINTR) {
      ResubmitLast(entry);
      return;
    }
    if (res == -ENOENT) {
      // The committed request was gone (interrupted): the kernel dropped the entry; register it
      // again.
      ALX_LOG(kDebug, kComponent, "queue {}: commit {} found no request", qid_, entry->commit_id);
      entry->commit_id = 0;
      ResubmitLast(entry);
      return;
    }
    if (res < 0) {
      if (res != -ENOTCONN && res != -ECANCELED) {
        ALX_LOG(kWarn, kComponent, "queue {}: FUSE io_uring command failed: {}", qid_,
                std::strerror(-res));
      }
      Retire(entry, res == -ENOTCONN || res == -ECANCELED);
      return;
    }
    abi::InHeader in;
    std::memcpy(&in, entry->header->in_out, sizeof(in));
    abi::UringEntInOut ent;
    std::memcpy(&ent, &entry->header->ring_ent_in_out, sizeof(ent));
    entry->commit_id = ent.commit_id;
    entry->replied = false;
    const size_t fixed = sizeof(abi::InHeader);
    if (ent.payload_sz > payload_size_ || in.len < fixed + ent.payload_sz ||
        in.len - fixed - ent.payload_sz > abi::kUringOpInOutSize) {
      ALX_LOG(kWarn, kComponent, "queue {}: request {} has bad lengths (len {}, payload {})", qid_,
              in.unique, in.len, ent.payload_sz);
      entry->Reply(in.unique, EIO, {});
      Commit(*entry);
      return;
    }
    // The classic message, rebuilt in place just before the payload.
    const size_t arg_size = in.len - fixed - ent.payload_sz;
    std::byte* message = entry->payload - arg_size - fixed;
    std::memcpy(message, &in, fixed);
    std::memcpy(message + fixed, entry->header->op_in, arg_size);
    const std::span<const std::byte> request(message, in.len);
    const std::span<std::byte> scratch = ent.payload_sz == 0
                                             ? std::span<std::byte>(entry->payload, payload_size_)
                                             : std::span<std::byte>(entry->scratch, scratch_size_);
    if (shared_->access.Denies(in)) {
      entry->Reply(in.unique, EACCES, {});
      Commit(*entry);
      return;
    }
    shared_->in_flight.Begin();
    shared_->ring_requests.fetch_add(1, std::memory_order_relaxed);
    if (!tasks_) {
      shared_->in_flight.End();
      return;
    }
    tasks_->Spawn(Serve(Lease(shared_from_this(), entry), request, scratch), "fuse request");
  }

  static Task<void> Serve(Lease lease, std::span<const std::byte> request,
                          std::span<std::byte> scratch) {
    Queue& queue = lease.queue();
    Entry& entry = lease.entry();
    abi::InHeader in;
    std::memcpy(&in, request.data(), sizeof(in));
    co_await queue.shared_->dispatcher->Handle(request, scratch, entry);
    if (!entry.replied) {
      ALX_LOG(kWarn, kComponent, "request {} (opcode {}) over io_uring had no reply; answered EIO",
              in.unique, in.opcode);
      entry.Reply(in.unique, EIO, {});
    }
    if (request.size() + entry.reply_bytes > kPollMaxBytes) queue.bulk_in_turn_ = true;
    queue.Commit(entry);
    if (queue.shared_->dispatcher->destroyed()) queue.shared_->End("DESTROY answered");
  }

  // Sends the entry's reply and fetches its next request.
  void Commit(Entry& entry) {
    if (!ring_open_) return;
    if (io_uring_sqe* sqe = NextSqe()) {
      PrepUringCommand(sqe, abi::UringCmd::kCommitAndFetch, qid_, entry.commit_id, &entry);
      Submit();
    }
  }

  void PrepRegister(Entry& entry) {
    if (io_uring_sqe* sqe = NextSqe()) {
      PrepUringCommand(sqe, abi::UringCmd::kRegister, qid_, 0, &entry);
      sqe->addr = reinterpret_cast<uint64_t>(entry.iov);
      sqe->len = 2;
    }
  }

  // The SQ has a slot per entry and an entry has at most one command unsubmitted, so a full SQ
  // means submissions are failing: the queue gives up.
  io_uring_sqe* NextSqe() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) {
      ALX_LOG(kWarn, kComponent, "queue {}: io_uring submission queue full", qid_);
      shared_->End("io_uring submission queue full");
    }
    return sqe;
  }

  // The kernel asked for the last command again (EAGAIN/EINTR).
  void ResubmitLast(Entry* entry) {
    if (entry->commit_id == 0) {
      PrepRegister(*entry);
      Submit();
    } else {
      Commit(*entry);
    }
  }

  void Retire(Entry* entry, bool expected) {
    if (!entry->live) return;
    entry->live = false;
    --live_;
    shared_->registered.fetch_sub(1, std::memory_order_acq_rel);
    if (live_ == 0 && !stopping_ && !expected) {
      shared_->End(fmt::format("queue {} has no ring entry left", qid_));
    }
  }

  // Submits the prepared commands, at the end of Reap when called from it.
  void Submit() {
    if (reaping_) {
      pending_submit_ = true;
      return;
    }
    pending_submit_ = false;
    const int rc = io_uring_submit(&ring_);
    if (rc >= 0) return;
    if (rc == -EAGAIN || rc == -EBUSY || rc == -EINTR) {
      pending_submit_ = true;
      reactor_.Post([self = shared_from_this()] {
        if (self->ring_open_ && self->pending_submit_) self->Submit();
      });
      return;
    }
    ALX_LOG(kWarn, kComponent, "queue {}: io_uring_submit failed: {}", qid_, std::strerror(-rc));
    shared_->End("io_uring submit failed");
  }

  const uint16_t qid_;
  Reactor& reactor_;
  const std::shared_ptr<Shared> shared_;
  io_uring ring_{};
  bool ring_open_ = false;
  int ring_fd_ = -1;  // a dup of the ring fd, until Open hands it to descriptor_
  std::optional<asio::posix::stream_descriptor> descriptor_;
  std::unique_ptr<TaskGroup> tasks_;
  PrefaultedRegion region_;
  size_t payload_size_ = 0;
  size_t scratch_size_ = 0;
  std::vector<std::unique_ptr<Entry>> entries_;
  size_t live_ = 0;
  bool waiting_ = false;
  bool polling_ = false;  // a PollOnce is posted: no wait is armed meanwhile
  size_t serving_ = 0;    // requests handed to the dispatcher and not committed yet
  // A request or reply since the last PollOrWait exceeded kPollMaxBytes.
  bool bulk_in_turn_ = false;
  size_t contended_turns_ = 0;  // turns left that do not poll (PollOnce)
  bool reaping_ = false;
  bool pending_submit_ = false;
  bool stopping_ = false;
};

Status UringFuseTransport::KernelReady() {
  std::ifstream in(kEnableUringParameter);
  char value = 0;
  if (!(in >> value)) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("this kernel's FUSE has no io_uring support ({} missing)",
                            kEnableUringParameter));
  }
  if (value == 'Y') return Ok();
  std::ofstream out(kEnableUringParameter);
  if (!(out << "Y") || !out.flush()) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("FUSE over io_uring is disabled and {} cannot be set to Y",
                            kEnableUringParameter));
  }
  ALX_LOG(kInfo, kComponent, "enabled FUSE over io_uring ({} = Y)", kEnableUringParameter);
  return Ok();
}

UringFuseTransport::UringFuseTransport(ReactorPool& pool, int session_fd,
                                       std::shared_ptr<FuseDispatcher> dispatcher,
                                       UringFuseTransportOptions options)
    : pool_(pool),
      session_fd_(session_fd),
      dispatcher_(std::move(dispatcher)),
      options_(std::move(options)),
      shared_(std::make_shared<Shared>()) {
  shared_->dispatcher = dispatcher_;
  shared_->access = options_.dev_fuse.access;
  shared_->poll_after_reply = options_.poll_after_reply;
}

UringFuseTransport::~UringFuseTransport() { Close(); }

Status UringFuseTransport::Start() {
  if (started_) return Fail(ErrorCode::kInvalidArgument, "transport already started");
  started_ = true;
  const size_t cpus = PossibleCpus();
  if (cpus == 0) {
    closed_ = true;
    return Fail(ErrorCode::kUnavailable, "cannot read /sys/devices/system/cpu/possible");
  }
  const size_t depth = std::max<size_t>(options_.queue_depth, 1);
  const size_t payload = std::max({kMinPayload, dispatcher_->RequestBufferSize(),
                                   dispatcher_->ScratchSize(), options_.min_payload});
  for (size_t qid = 0; qid < cpus; ++qid) {
    Reactor& reactor = pool_.at(qid % pool_.size());
    auto queue = std::make_shared<Queue>(static_cast<uint16_t>(qid), reactor, shared_);
    if (Status s = queue->Prepare(session_fd_, depth, payload); !s.ok()) {
      queues_.clear();
      closed_ = true;
      return s;
    }
    queues_.push_back(std::move(queue));
    queue_reactors_.push_back(&reactor);
  }
  if (RunOnEach(queue_reactors_, [this](size_t i) { queues_[i]->Open(); }) != queues_.size()) {
    Close();
    return Fail(ErrorCode::kUnavailable, "cannot start the io_uring transport: a reactor stopped");
  }

  DevFuseTransportOptions dev_options = options_.dev_fuse;
  dev_options.on_initialized = [user = options_.dev_fuse.on_initialized,
                                dispatcher = std::weak_ptr(dispatcher_), queues = queues_,
                                reactors = queue_reactors_] {
    if (user) user();
    auto d = dispatcher.lock();
    if (!d || (d->negotiated_flags() & abi::kOverIoUring) == 0) {
      ALX_LOG(kInfo, kComponent,
              "the kernel did not agree to FUSE over io_uring; serving /dev/fuse");
      return;
    }
    for (size_t i = 0; i < queues.size(); ++i) {
      reactors[i]->Post([queue = queues[i]] { queue->Register(); });
    }
  };
  dev_fuse_ =
      std::make_unique<DevFuseTransport>(pool_, session_fd_, dispatcher_, std::move(dev_options));
  {
    std::lock_guard lock(shared_->mu);
    shared_->dev_fuse = dev_fuse_.get();
  }
  if (Status s = dev_fuse_->Start(); !s.ok()) {
    Close();
    return s;
  }
  ALX_LOG(kInfo, kComponent, "{} io_uring queues of {} entries ({} B payload) ready for INIT",
          queues_.size(), depth, payload);
  return Ok();
}

void UringFuseTransport::Stop() {
  shared_->ended.store(true, std::memory_order_release);
  if (dev_fuse_) dev_fuse_->Stop();
  if (closed_) return;
  for (size_t i = 0; i < queues_.size(); ++i) {
    queue_reactors_[i]->Post([queue = queues_[i]] { queue->StopReading(); });
  }
}

void UringFuseTransport::Close() {
  if (closed_) return;
  closed_ = true;
  shared_->ended.store(true, std::memory_order_release);
  {
    std::lock_guard lock(shared_->mu);
    shared_->dev_fuse = nullptr;
  }
  if (dev_fuse_) dev_fuse_->Close();
  if (!queues_.empty()) {
    (void)RunOnEach(queue_reactors_, [this](size_t i) { queues_[i]->CloseOnReactor(); });
  }
  queues_.clear();  // requests still running keep their queue alive
  queue_reactors_.clear();
}

size_t UringFuseTransport::in_flight() const {
  return shared_->in_flight.count() + (dev_fuse_ ? dev_fuse_->in_flight() : 0);
}

bool UringFuseTransport::finished() const { return !dev_fuse_ || dev_fuse_->finished(); }

bool UringFuseTransport::WaitFinished(std::chrono::milliseconds timeout) {
  return !dev_fuse_ || dev_fuse_->WaitFinished(timeout);
}

bool UringFuseTransport::WaitIdle(std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  if (dev_fuse_ && !dev_fuse_->WaitIdle(timeout)) return false;
  if (timeout == kForever) return shared_->in_flight.WaitNone(kForever);
  const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return shared_->in_flight.WaitNone(std::max(std::chrono::milliseconds(0), timeout - spent));
}

size_t UringFuseTransport::registered_entries() const {
  return shared_->registered.load(std::memory_order_acquire);
}

uint64_t UringFuseTransport::ring_requests() const {
  return shared_->ring_requests.load(std::memory_order_relaxed);
}

uint64_t UringFuseTransport::polled_completions() const {
  return shared_->polled.load(std::memory_order_relaxed);
}
uint64_t UringFuseTransport::contended_polls() const {
  return shared_->contended.load(std::memory_order_relaxed);
}

}  // namespace alluxio::fuse
