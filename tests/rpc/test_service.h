// The RpcTest service (schema/rpc_test.capnp) for tests and benches.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "schema/rpc_test.capnp.h"

namespace alluxio::rpc::test {

struct TestServiceStats {
  std::atomic<uint64_t> cancelled{0};  // slow calls dropped before finishing
};

// A new service object (one per connection or shared). Runs on the server's reactor.
RpcTest::Client MakeTestService(std::shared_ptr<TestServiceStats> stats);

// FNV-1a 64 over `data`, continuing from `hash` (start: kFnvOffset).
inline constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
uint64_t Fnv1a(uint64_t hash, const uint8_t* data, size_t size);

// Byte i of fetch() replies.
inline uint8_t PatternByte(size_t i) { return static_cast<uint8_t>(i % 251); }

}  // namespace alluxio::rpc::test
