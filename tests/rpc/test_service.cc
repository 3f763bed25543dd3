#include "tests/rpc/test_service.h"

#include <unistd.h>

#include <chrono>

#include "rpc/await.h"

namespace alluxio::rpc::test {
namespace {

// Counts the slow call as cancelled if it is dropped before it finished.
struct CancelGuard {
  std::shared_ptr<TestServiceStats> stats;
  bool finished = false;
  ~CancelGuard() {
    if (!finished) stats->cancelled++;
  }
};

class SinkImpl final : public Sink::Server {
 public:
  kj::Promise<void> write(WriteContext context) override {
    auto data = context.getParams().getData();
    bytes_ += data.size();
    hash_ = Fnv1a(hash_, data.begin(), data.size());
    return kj::READY_NOW;
  }
  kj::Promise<void> finish(FinishContext context) override {
    auto results = context.getResults();
    results.setBytes(bytes_);
    results.setChecksum(hash_);
    return kj::READY_NOW;
  }

 private:
  uint64_t bytes_ = 0;
  uint64_t hash_ = kFnvOffset;
};

class RpcTestImpl final : public RpcTest::Server {
 public:
  explicit RpcTestImpl(std::shared_ptr<TestServiceStats> stats) : stats_(std::move(stats)) {}

  kj::Promise<void> ping(PingContext) override { return kj::READY_NOW; }

  kj::Promise<void> echo(EchoContext context) override {
    context.getResults().setData(context.getParams().getData());
    return kj::READY_NOW;
  }

  kj::Promise<void> fetch(FetchContext context) override {
    uint32_t size = context.getParams().getSize();
    auto data = context.getResults().initData(size);
    for (uint32_t i = 0; i < size; ++i) data[i] = PatternByte(i);
    return kj::READY_NOW;
  }

  kj::Promise<void> slow(SlowContext context) override {
    uint32_t millis = context.getParams().getMillis();
    auto guard = kj::heap<CancelGuard>(CancelGuard{stats_});
    CancelGuard& g = *guard;
    kj::Promise<void> wait = millis == 0xFFFFFFFFu ? kj::Promise<void>(kj::NEVER_DONE)
                                                   : Delay(std::chrono::milliseconds(millis));
    return wait.then([&g] { g.finished = true; }).attach(kj::mv(guard));
  }

  kj::Promise<void> cancelledCount(CancelledCountContext context) override {
    context.getResults().setCount(stats_->cancelled.load());
    return kj::READY_NOW;
  }

  kj::Promise<void> upload(UploadContext context) override {
    context.getResults().setSink(kj::heap<SinkImpl>());
    return kj::READY_NOW;
  }

  kj::Promise<void> pid(PidContext context) override {
    context.getResults().setPid(::getpid());
    return kj::READY_NOW;
  }

 private:
  std::shared_ptr<TestServiceStats> stats_;
};

}  // namespace

RpcTest::Client MakeTestService(std::shared_ptr<TestServiceStats> stats) {
  return kj::heap<RpcTestImpl>(std::move(stats));
}

uint64_t Fnv1a(uint64_t hash, const uint8_t* data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

}  // namespace alluxio::rpc::test
