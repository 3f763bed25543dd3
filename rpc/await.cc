#include "rpc/await.h"

#include <kj/function.h>

namespace alluxio::rpc {

asio::awaitable<Status> AwaitVoid(kj::Promise<void> promise, Duration timeout) {
  kj::Promise<bool> as_bool = promise.then([] { return true; });
  Result<bool> r = co_await Await(kj::mv(as_bool), timeout);
  if (!r) co_return r.failure();
  co_return Ok();
}

kj::Promise<void> Delay(Duration delay) {
  KjLoop& loop = KjLoop::Current();
  auto timer = std::make_shared<asio::steady_timer>(loop.reactor().executor(), delay);
  auto paf = kj::newPromiseAndFulfiller<void>();
  KjLoop* loop_ptr = &loop;
  timer->async_wait([fulfiller = kj::mv(paf.fulfiller), loop_ptr](std::error_code ec) mutable {
    if (ec) return;  // cancelled: the promise was dropped
    fulfiller->fulfill();
    loop_ptr->RunInline();
  });
  return paf.promise.attach(kj::defer([timer] { timer->cancel(); }));
}

}  // namespace alluxio::rpc
