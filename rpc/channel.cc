#include "rpc/channel.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "core/common/logging.h"
#include "rpc/await.h"

namespace alluxio::rpc {

// Serialises connection attempts: one coroutine connects, the others wait for it.
struct Channel::Gate {
  explicit Gate(Reactor::Executor executor) : executor(executor) {}
  Reactor::Executor executor;
  bool connecting = false;
  std::vector<UniqueFunction<void()>> waiters;

  void Open() {
    connecting = false;
    for (auto& waiter : waiters) asio::post(executor, std::move(waiter));
    waiters.clear();
  }
};

namespace {
struct InitiateGateWait {
  std::vector<UniqueFunction<void()>>* waiters;
  template <typename Handler>
  void operator()(Handler handler) const {
    waiters->emplace_back(std::move(handler));
  }
};

struct GateCloser {
  std::function<void()> open;
  ~GateCloser() { open(); }
};
}  // namespace

Channel::Channel(Endpoint endpoint, ChannelOptions options)
    : endpoint_(std::move(endpoint)), options_(std::move(options)) {
  Reactor* reactor = Reactor::Current();
  if (reactor == nullptr) throw std::logic_error("rpc::Channel created off a reactor thread");
  gate_ = std::make_shared<Gate>(reactor->executor());
}

Channel::~Channel() {
  bootstrap_.reset();
  connection_.reset();
}

bool Channel::connected() const { return connection_ && !connection_->disconnected(); }

void Channel::Reset() {
  bootstrap_.reset();
  connection_.reset();
}

Task<Result<capnp::Capability::Client>> Channel::Bootstrap() {
  for (;;) {
    if (connected()) co_return *bootstrap_;
    if (!gate_->connecting) break;
    co_await asio::async_initiate<const asio::use_awaitable_t<>, void()>(
        InitiateGateWait{&gate_->waiters}, asio::use_awaitable);
  }
  if (connection_) {
    ALX_LOG(kInfo, "rpc", "{}: connection lost, reconnecting", endpoint_.ToString());
    Reset();
  }
  gate_->connecting = true;
  std::shared_ptr<Gate> gate = gate_;
  GateCloser closer{[gate] { gate->Open(); }};

  if (std::chrono::steady_clock::now() < next_attempt_) {
    asio::steady_timer backoff(gate->executor, next_attempt_);
    auto [ec] = co_await backoff.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (ec)
      co_return Fail(ErrorCode::kCancelled, "connect " + endpoint_.ToString() + ": cancelled");
  }
  Result<capnp::Capability::Client> made = co_await Connect();
  if (!made) {
    backoff_ = backoff_ == Duration::zero() ? options_.backoff_initial
                                            : std::min(backoff_ * 2, options_.backoff_max);
    next_attempt_ = std::chrono::steady_clock::now() + backoff_;
    ALX_LOG(kDebug, "rpc", "{}; next attempt in {} ms", made.error().ToString(),
            std::chrono::duration_cast<std::chrono::milliseconds>(backoff_).count());
    co_return made.failure();
  }
  backoff_ = Duration::zero();
  next_attempt_ = {};
  bootstrap_ = *made;
  ++connects_;
  co_return *bootstrap_;
}

Task<Result<capnp::Capability::Client>> Channel::Connect() {
  // Whatever kept the connection from being made, no call went out: kUnavailable (but a
  // cancellation stays one).
  auto unmade = [](const Error& error, std::string message) {
    return Error{
        error.code == ErrorCode::kCancelled ? ErrorCode::kCancelled : ErrorCode::kUnavailable,
        std::move(message)};
  };
  Result<Socket> socket = co_await ConnectSocket(endpoint_, options_.connect_timeout);
  if (!socket) co_return Fail(unmade(socket.error(), socket.error().message));
  auto connection = RpcConnection::Client(std::move(*socket), options_.connection);
  capnp::Capability::Client bootstrap = connection->Bootstrap();
  Status answered = co_await AwaitVoid(bootstrap.whenResolved(), options_.connect_timeout);
  if (!answered) {
    co_return Fail(
        unmade(answered.error(), fmt::format("connect {}: no answer to the handshake: {}",
                                             endpoint_.ToString(), answered.error().message)));
  }
  connection_ = std::move(connection);
  co_return bootstrap;
}

}  // namespace alluxio::rpc
