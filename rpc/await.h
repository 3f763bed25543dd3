// co_await of kj promises from asio coroutines on a reactor, as Result values:
//
//   auto req = cap.echoRequest();
//   req.setData(bytes);
//   Result<capnp::Response<Echo::EchoResults>> r = co_await rpc::Await(req.send(), 2s);
//   if (!r) co_return r.failure();          // kTimedOut, kDisconnected, kCancelled, ...
//
// The promise is added to the reactor's kj::TaskSet; its value or error is stored and the
// coroutine is resumed through asio::post (never inline inside kj). Cancellation: the
// coroutine's asio cancellation slot (e.g. `co_await (Await(p) || timer.async_wait(...))`,
// TaskGroup::Cancel) and the optional timeout cancel the promise through a kj::Canceler:
// capnp drops the call (sends Finish), the connection stays usable, and the result is
// kCancelled or kTimedOut.
//
// Contract: call on a reactor thread (KjLoop::Current()). If the reactor is torn down while a
// coroutine awaits, the coroutine is destroyed without resuming.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include <capnp/capability.h>
#include <kj/async.h>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/async_result.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "core/common/result.h"
#include "core/reactor/reactor.h"
#include "rpc/error_mapping.h"
#include "rpc/kj_loop.h"

namespace alluxio::rpc {

using Duration = std::chrono::steady_clock::duration;
// No timeout.
inline constexpr Duration kNoTimeout = Duration::zero();

namespace internal {

template <typename T, typename Handler>
class AwaitOp final : public std::enable_shared_from_this<AwaitOp<T, Handler>> {
 public:
  AwaitOp(Handler handler, Reactor::Executor executor)
      : handler_(std::move(handler)), executor_(executor) {}
  ~AwaitOp() {
    if (slot_.is_connected()) slot_.clear();
  }

  void Start(KjLoop& loop, kj::Promise<T> promise, Duration timeout) {
    std::weak_ptr<AwaitOp> weak = this->shared_from_this();
    slot_ = asio::get_associated_cancellation_slot(handler_);
    if (slot_.is_connected()) {
      slot_.assign([weak](asio::cancellation_type) {
        if (auto op = weak.lock()) op->Cancel(ErrorCode::kCancelled, "cancelled");
      });
    }
    if (timeout > Duration::zero()) {
      timer_.emplace(executor_, timeout);
      timer_->async_wait([weak](std::error_code ec) {
        if (ec) return;
        if (auto op = weak.lock()) op->Cancel(ErrorCode::kTimedOut, "timed out");
      });
    }
    auto self = this->shared_from_this();
    loop.AddTask(canceler_.wrap(kj::mv(promise))
                     .then([self](T&& value) mutable { self->Complete(Result<T>(kj::mv(value))); },
                           [self](kj::Exception&& e) mutable {
                             self->Complete(self->cancel_code_ ? Result<T>(Fail(*self->cancel_code_,
                                                                                self->cancel_why_))
                                                               : Result<T>(Fail(ErrorFromKj(e))));
                           }));
  }

 private:
  void Cancel(ErrorCode code, const char* why) {
    if (done_ || cancel_code_) return;
    cancel_code_ = code;
    cancel_why_ = why;
    canceler_.cancel(why);
  }

  void Complete(Result<T> result) {
    done_ = true;
    if (slot_.is_connected()) slot_.clear();
    if (timer_) timer_->cancel();
    asio::post(executor_, [handler = std::move(handler_), result = std::move(result)]() mutable {
      std::move(handler)(std::move(result));
    });
  }

  Handler handler_;  // first: destroyed last
  Reactor::Executor executor_;
  asio::cancellation_slot slot_;
  std::optional<asio::steady_timer> timer_;
  kj::Canceler canceler_;
  std::optional<ErrorCode> cancel_code_;
  const char* cancel_why_ = "";
  bool done_ = false;
};

template <typename T>
struct InitiateAwait {
  template <typename Handler>
  void operator()(Handler handler, kj::Promise<T> promise, Duration timeout) const {
    KjLoop& loop = KjLoop::Current();
    auto op = std::make_shared<AwaitOp<T, Handler>>(std::move(handler), loop.reactor().executor());
    op->Start(loop, kj::mv(promise), timeout);
  }
};

}  // namespace internal

// Awaits a kj promise; see the file comment. `timeout` (kNoTimeout: none) → kTimedOut.
template <typename T>
asio::awaitable<Result<T>> Await(kj::Promise<T> promise, Duration timeout = kNoTimeout) {
  return asio::async_initiate<const asio::use_awaitable_t<>, void(Result<T>)>(
      internal::InitiateAwait<T>{}, asio::use_awaitable, kj::mv(promise), timeout);
}

// The same for an RPC: Await(request.send(), timeout).
template <typename T>
asio::awaitable<Result<capnp::Response<T>>> Await(capnp::RemotePromise<T>&& promise,
                                                  Duration timeout = kNoTimeout) {
  return Await(kj::Promise<capnp::Response<T>>(kj::mv(promise)), timeout);
}

// Awaits a kj::Promise<void> as a Status.
asio::awaitable<Status> AwaitVoid(kj::Promise<void> promise, Duration timeout = kNoTimeout);

// Sends an RPC request and awaits the response: Call(cap.pingRequest(), 1s).
template <typename Params, typename Results>
asio::awaitable<Result<capnp::Response<Results>>> Call(capnp::Request<Params, Results> request,
                                                       Duration timeout = kNoTimeout) {
  return Await(kj::Promise<capnp::Response<Results>>(request.send()), timeout);
}

// A kj promise fulfilled after `delay` by an asio timer on the calling reactor (for server code
// that needs to wait). Dropping the promise cancels the timer.
kj::Promise<void> Delay(Duration delay);

}  // namespace alluxio::rpc
