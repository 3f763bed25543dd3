// The client against an in-process master and worker on loopback (tests/client/test_cluster.h):
// master metadata ops/s (getStatus, create+complete) and cached block reads (RPC, and the
// same-host short-circuit), client on its own reactor. Each iteration runs a batch of
// operations in one coroutine on the client reactor.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "tests/client/test_cluster.h"

namespace alluxio::testing {
namespace {

constexpr int kBatch = 200;

TestCluster& Cluster() {
  static auto* cluster = new TestCluster(TestClusterOptions{.worker_capacity_bytes = 1ull << 30});
  return *cluster;
}

Task<int> GetStatusBatch(client::FileSystemClient& fs, std::string path) {
  int ok = 0;
  for (int i = 0; i < kBatch; ++i) ok += (co_await fs.GetStatus(path)).ok();
  co_return ok;
}

void BM_GetStatus(benchmark::State& state) {
  TestClient c(Cluster());
  (void)c.Run(c.fs().CreateDirectory("/bench_stat"));
  for (auto _ : state) {
    int ok = c.Run(GetStatusBatch(c.fs(), "/bench_stat"));
    if (ok != kBatch) state.SkipWithError("getStatus failed");
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_GetStatus)->Unit(benchmark::kMillisecond)->UseRealTime();

Task<int> CreateCompleteBatch(client::FileSystemClient& fs, int round) {
  int ok = 0;
  client::CreateFileOptions options;
  for (int i = 0; i < kBatch; ++i) {
    std::string path = "/bench_create/r" + std::to_string(round) + "_" + std::to_string(i);
    auto created = co_await fs.CreateIncompleteFile(path, options);
    if (!created) continue;
    std::vector<uint64_t> no_blocks;
    ok += (co_await fs.CompleteFile(created->first.id, path, 0, no_blocks, WriteType::kMustCache))
              .ok();
  }
  co_return ok;
}

void BM_CreateComplete(benchmark::State& state) {
  TestClient c(Cluster());
  (void)c.Run(c.fs().CreateDirectory("/bench_create"));
  static int round = 0;
  for (auto _ : state) {
    int ok = c.Run(CreateCompleteBatch(c.fs(), round++));
    if (ok != kBatch) state.SkipWithError("create+complete failed");
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_CreateComplete)->Unit(benchmark::kMillisecond)->UseRealTime();

// Small CACHE_THROUGH files written whole: create, one write, close (the worker writes the UFS
// copy, the master publishes it at completion).
Task<int> WriteSmallBatch(client::FileSystemClient& fs, int round) {
  int ok = 0;
  const std::string data(4096, 's');
  client::CreateFileOptions options;
  options.write_type = WriteType::kCacheThrough;
  for (int i = 0; i < kBatch; ++i) {
    std::string path = "/bench_small/r" + std::to_string(round) + "_" + std::to_string(i);
    auto out = co_await fs.CreateFile(path, options);
    if (!out) continue;
    if (!(co_await (*out)->Write(data))) continue;
    ok += (co_await (*out)->Close()).ok();
  }
  co_return ok;
}

void BM_WriteSmallCacheThrough(benchmark::State& state) {
  TestClient c(Cluster());
  (void)c.Run(c.fs().CreateDirectory("/bench_small"));
  static int round = 0;
  for (auto _ : state) {
    int ok = c.Run(WriteSmallBatch(c.fs(), round++));
    if (ok != kBatch) state.SkipWithError("small write failed");
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_WriteSmallCacheThrough)->Unit(benchmark::kMillisecond)->UseRealTime();

constexpr uint64_t kFileBytes = 64ull << 20;

Task<Status> WriteBenchFile(client::FileSystemClient& fs, std::string path) {
  client::CreateFileOptions options;
  options.write_type = WriteType::kMustCache;
  options.overwrite = true;
  auto out = co_await fs.CreateFile(path, options);
  if (!out) co_return out.failure();
  std::vector<char> chunk(1 << 20, 'b');
  for (uint64_t at = 0; at < kFileBytes; at += chunk.size()) {
    if (Status s = co_await (*out)->Write(chunk); !s) co_return s;
  }
  auto closed = co_await (*out)->Close();
  if (!closed) co_return closed.failure();
  co_return Ok();
}

Task<uint64_t> ReadBenchFile(client::FileSystemClient& fs, std::string path) {
  auto in = co_await fs.OpenFile(path);
  if (!in) co_return 0;
  std::vector<char> buf(8 << 20);
  uint64_t total = 0;
  while (true) {
    Result<size_t> n = co_await (*in)->Read(total, std::span<char>(buf));
    if (!n || *n == 0) break;
    total += *n;
  }
  co_return total;
}

// Arg 0: through readBlock RPCs; 1: same-host short-circuit (openLocalBlock + pread).
void BM_CachedRead(benchmark::State& state) {
  TestClient c(Cluster());
  if (state.range(0) == 0)
    c.context().set_locality(HostLocality("bench-remote-host", "bench-remote-host", {}));
  std::string path = "/bench_read";
  if (!c.Run(WriteBenchFile(c.fs(), path)).ok()) {
    state.SkipWithError("write failed");
    return;
  }
  for (auto _ : state) {
    if (c.Run(ReadBenchFile(c.fs(), path)) != kFileBytes) state.SkipWithError("short read");
  }
  state.SetBytesProcessed(state.iterations() * kFileBytes);
}
BENCHMARK(BM_CachedRead)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace alluxio::testing

BENCHMARK_MAIN();
