// rpc_bench: the same workloads through the reactor RPC client (rpc::Channel on an asio
// io_uring reactor) and through a plain kj client (capnp::EzRpcClient on the benchmark
// thread, its own epoll loop), against one server on its own reactor, in the same run.
// Report ratios from the same invocation (e.g. --benchmark_repetitions=5, medians).
//
//   rpc_bench [--transport=unix|tcp] [google benchmark flags]
#include <unistd.h>

#include <cstring>
#include <deque>
#include <future>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <capnp/ez-rpc.h>
#include <asio/co_spawn.hpp>

#include "core/reactor/block_on.h"
#include "core/reactor/reactor.h"
#include "rpc/await.h"
#include "rpc/channel.h"
#include "rpc/server.h"
#include "tests/rpc/test_service.h"

namespace alluxio::rpc {
namespace {

using test::RpcTest;

constexpr int kPingBatch = 256;
constexpr int kPipelineBatch = 2048;
constexpr int kWindow = 64;
constexpr int kBulkBatch = 8;
constexpr uint32_t kMiB = 1 << 20;


// Server + clients shared by all benchmarks of the process.
struct World {
  std::unique_ptr<ReactorPool> server_pool;
  std::unique_ptr<ReactorPool> client_pool;
  std::unique_ptr<RpcServer> server;
  std::unique_ptr<Channel> channel;
  std::optional<RpcTest::Client> reactor_cap;
  std::unique_ptr<capnp::EzRpcClient> kj_client;
  std::optional<RpcTest::Client> kj_cap;
  std::string address;
};

World* g_world = nullptr;
bool g_tcp = false;

void SetUpWorld() {
  if (g_world != nullptr) return;
  g_world = new World();
  World& w = *g_world;
  w.server_pool = std::make_unique<ReactorPool>(
      ReactorPoolOptions{.reactors = 1, .blocking_threads = 1, .name = "server"});
  w.client_pool = std::make_unique<ReactorPool>(
      ReactorPoolOptions{.reactors = 1, .blocking_threads = 1, .name = "client"});
  Endpoint endpoint =
      g_tcp ? Endpoint::Tcp("127.0.0.1", 0)
            : Endpoint::Unix("/tmp/alluxio-rpc-bench-" + std::to_string(::getpid()) + ".sock");
  std::promise<Endpoint> bound;
  w.server_pool->at(0).Post([&] {
    auto stats = std::make_shared<test::TestServiceStats>();
    ServerOptions options;
    if (std::getenv("BENCH_SERVER_IOSTREAM"))
      options.connection.transport = Transport::kAsyncIoStream;
    auto server = RpcServer::Listen(
        endpoint, [stats] { return test::MakeTestService(stats); }, options);
    if (!server) {
      std::fprintf(stderr, "listen: %s\n", server.error().ToString().c_str());
      std::abort();
    }
    w.server = std::move(*server);
    bound.set_value(w.server->endpoint());
  });
  Endpoint address = bound.get_future().get();
  w.address = address.ToString();
  std::promise<void> connected;
  w.client_pool->at(0).Post([&] {
    w.channel = std::make_unique<Channel>(address);
    connected.set_value();
  });
  connected.get_future().get();
  auto connect = [](World* world) -> Task<bool> {
    auto cap = co_await world->channel->Get<RpcTest>();
    if (!cap) co_return false;
    world->reactor_cap = *cap;
    co_return true;
  };
  if (!BlockOn(w.client_pool->at(0), connect(&w))) std::abort();
  w.kj_client = std::make_unique<capnp::EzRpcClient>(w.address);
  w.kj_cap = w.kj_client->getMain<RpcTest>();
}

void TearDownWorld() {
  if (g_world == nullptr) return;
  World& w = *g_world;
  w.kj_cap.reset();
  w.kj_client.reset();
  std::promise<void> done;
  w.client_pool->at(0).Post([&] {
    w.reactor_cap.reset();
    w.channel.reset();
    done.set_value();
  });
  done.get_future().get();
  std::promise<void> stopped;
  w.server_pool->at(0).Post([&] {
    w.server.reset();
    stopped.set_value();
  });
  stopped.get_future().get();
  w.client_pool->Stop();
  w.server_pool->Stop();
  delete g_world;
  g_world = nullptr;
}

// ---- ping latency ----

Task<int> ReactorPings(World* world, int n) {
  // The capability is touched on the reactor thread only.
  RpcTest::Client cap = *world->reactor_cap;
  int ok = 0;
  for (int i = 0; i < n; ++i) {
    auto r = co_await Call(cap.pingRequest());
    ok += r.ok();
  }
  co_return ok;
}

void BM_PingLatency_Reactor(benchmark::State& state) {
  SetUpWorld();
  for (auto _ : state) {
    if (BlockOn(g_world->client_pool->at(0), ReactorPings(g_world, kPingBatch)) != kPingBatch) {
      state.SkipWithError("ping failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * kPingBatch);
}

void BM_PingLatency_PlainKj(benchmark::State& state) {
  SetUpWorld();
  auto& ws = g_world->kj_client->getWaitScope();
  for (auto _ : state) {
    for (int i = 0; i < kPingBatch; ++i) g_world->kj_cap->pingRequest().send().wait(ws);
  }
  state.SetItemsProcessed(state.iterations() * kPingBatch);
}

// ---- 64 calls in flight ----

Task<int> ReactorPipelined(World* world, int n) {
  // The capability is touched on the reactor thread only.
  RpcTest::Client cap = *world->reactor_cap;
  std::deque<kj::Promise<capnp::Response<RpcTest::PingResults>>> window;
  int sent = 0;
  int ok = 0;
  while (sent < n && static_cast<int>(window.size()) < kWindow) {
    window.push_back(cap.pingRequest().send());
    ++sent;
  }
  while (!window.empty()) {
    kj::Promise<capnp::Response<RpcTest::PingResults>> front = kj::mv(window.front());
    window.pop_front();
    auto r = co_await Await(kj::mv(front));
    ok += r.ok();
    if (sent < n) {
      window.push_back(cap.pingRequest().send());
      ++sent;
    }
  }
  co_return ok;
}

void BM_Pipelined64_Reactor(benchmark::State& state) {
  SetUpWorld();
  for (auto _ : state) {
    if (BlockOn(g_world->client_pool->at(0), ReactorPipelined(g_world, kPipelineBatch)) !=
        kPipelineBatch) {
      state.SkipWithError("call failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * kPipelineBatch);
}

void BM_Pipelined64_PlainKj(benchmark::State& state) {
  SetUpWorld();
  auto& ws = g_world->kj_client->getWaitScope();
  RpcTest::Client& cap = *g_world->kj_cap;
  for (auto _ : state) {
    std::deque<kj::Promise<capnp::Response<RpcTest::PingResults>>> window;
    int sent = 0;
    while (sent < kPipelineBatch && static_cast<int>(window.size()) < kWindow) {
      window.push_back(cap.pingRequest().send());
      ++sent;
    }
    while (!window.empty()) {
      window.front().wait(ws);
      window.pop_front();
      if (sent < kPipelineBatch) {
        window.push_back(cap.pingRequest().send());
        ++sent;
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kPipelineBatch);
}

// ---- 1 MiB transfers ----

Task<size_t> ReactorFetch(World* world, int n) {
  RpcTest::Client cap = *world->reactor_cap;
  size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    auto request = cap.fetchRequest();
    request.setSize(kMiB);
    auto r = co_await Call(std::move(request));
    if (r) bytes += r->getData().size();
  }
  co_return bytes;
}

void BM_Fetch1MiB_Reactor(benchmark::State& state) {
  SetUpWorld();
  for (auto _ : state) {
    if (BlockOn(g_world->client_pool->at(0), ReactorFetch(g_world, kBulkBatch)) !=
        size_t{kBulkBatch} * kMiB) {
      state.SkipWithError("fetch failed");
    }
  }
  state.SetBytesProcessed(state.iterations() * kBulkBatch * int64_t{kMiB});
}

void BM_Fetch1MiB_PlainKj(benchmark::State& state) {
  SetUpWorld();
  auto& ws = g_world->kj_client->getWaitScope();
  for (auto _ : state) {
    for (int i = 0; i < kBulkBatch; ++i) {
      auto request = g_world->kj_cap->fetchRequest();
      request.setSize(kMiB);
      auto r = request.send().wait(ws);
      benchmark::DoNotOptimize(r.getData().size());
    }
  }
  state.SetBytesProcessed(state.iterations() * kBulkBatch * int64_t{kMiB});
}

Task<size_t> ReactorEcho(World* world, kj::ArrayPtr<const kj::byte> payload, int n) {
  RpcTest::Client cap = *world->reactor_cap;
  size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    auto request = cap.echoRequest();
    request.setData(payload);
    auto r = co_await Call(std::move(request));
    if (r) bytes += r->getData().size();
  }
  co_return bytes;
}

void BM_Echo1MiB_Reactor(benchmark::State& state) {
  SetUpWorld();
  auto payload = kj::heapArray<kj::byte>(kMiB);
  std::memset(payload.begin(), 0x5a, payload.size());
  for (auto _ : state) {
    if (BlockOn(g_world->client_pool->at(0), ReactorEcho(g_world, payload, kBulkBatch)) !=
        size_t{kBulkBatch} * kMiB) {
      state.SkipWithError("echo failed");
    }
  }
  // Bytes moved: each call carries 1 MiB each way.
  state.SetBytesProcessed(state.iterations() * kBulkBatch * 2 * int64_t{kMiB});
}

void BM_Echo1MiB_PlainKj(benchmark::State& state) {
  SetUpWorld();
  auto& ws = g_world->kj_client->getWaitScope();
  auto payload = kj::heapArray<kj::byte>(kMiB);
  std::memset(payload.begin(), 0x5a, payload.size());
  for (auto _ : state) {
    for (int i = 0; i < kBulkBatch; ++i) {
      auto request = g_world->kj_cap->echoRequest();
      request.setData(payload);
      auto r = request.send().wait(ws);
      benchmark::DoNotOptimize(r.getData().size());
    }
  }
  state.SetBytesProcessed(state.iterations() * kBulkBatch * 2 * int64_t{kMiB});
}

BENCHMARK(BM_PingLatency_Reactor)->UseRealTime();
BENCHMARK(BM_PingLatency_PlainKj)->UseRealTime();
BENCHMARK(BM_Pipelined64_Reactor)->UseRealTime();
BENCHMARK(BM_Pipelined64_PlainKj)->UseRealTime();
BENCHMARK(BM_Fetch1MiB_Reactor)->UseRealTime();
BENCHMARK(BM_Fetch1MiB_PlainKj)->UseRealTime();
BENCHMARK(BM_Echo1MiB_Reactor)->UseRealTime();
BENCHMARK(BM_Echo1MiB_PlainKj)->UseRealTime();

}  // namespace
}  // namespace alluxio::rpc

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--transport=tcp") == 0) alluxio::rpc::g_tcp = true;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  alluxio::rpc::TearDownWorld();
  benchmark::Shutdown();
  return 0;
}
