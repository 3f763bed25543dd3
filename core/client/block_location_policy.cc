#include "core/client/block_location_policy.h"

#include <algorithm>
#include <string>

namespace alluxio::client {
namespace {

// splitmix64's finalizer: a well-mixed 64-bit hash of `x`.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// FNV-1a of a worker's "host:port": its identity on the hash ring, the same in every client
// and across its restarts (unlike its worker id).
uint64_t WorkerHash(const WorkerAddress& address) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : address.ToString()) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

// Rendezvous hashing: the worker with the highest weight for `key` (ties: the lower address).
const WorkerInfo* HashChoice(const std::vector<const WorkerInfo*>& workers, uint64_t key) {
  const WorkerInfo* best = nullptr;
  uint64_t best_weight = 0;
  for (const WorkerInfo* w : workers) {
    const uint64_t weight = Mix(Mix(key) ^ WorkerHash(w->address));
    if (best == nullptr || weight > best_weight ||
        (weight == best_weight && w->address.ToString() < best->address.ToString())) {
      best = w;
      best_weight = weight;
    }
  }
  return best;
}

uint64_t FreeBytes(const WorkerInfo& w) {
  return w.capacity_bytes > w.used_bytes ? w.capacity_bytes - w.used_bytes : 0;
}

}  // namespace

Result<BlockLocationPolicy> ParseBlockLocationPolicy(std::string_view name) {
  if (name == "DeterministicHashPolicy") return BlockLocationPolicy::kDeterministicHash;
  if (name == "LocalFirstPolicy") return BlockLocationPolicy::kLocalFirst;
  if (name == "MostAvailableFirstPolicy") return BlockLocationPolicy::kMostAvailableFirst;
  return Fail(ErrorCode::kInvalidArgument,
              "unknown block location policy " + std::string(name) +
                  " (DeterministicHashPolicy, LocalFirstPolicy, MostAvailableFirstPolicy)");
}

std::optional<WorkerInfo> ChooseWorker(BlockLocationPolicy policy,
                                       const std::vector<WorkerInfo>& workers,
                                       const IsLocalWorker& is_local, uint64_t key) {
  if (workers.empty()) return std::nullopt;
  std::vector<const WorkerInfo*> candidates;
  candidates.reserve(workers.size());
  for (const WorkerInfo& w : workers) candidates.push_back(&w);
  switch (policy) {
    case BlockLocationPolicy::kDeterministicHash:
      break;
    case BlockLocationPolicy::kLocalFirst:
      for (const WorkerInfo& w : workers) {
        if (is_local(w.address)) return w;
      }
      break;
    case BlockLocationPolicy::kMostAvailableFirst: {
      uint64_t most = 0;
      for (const WorkerInfo& w : workers) most = std::max(most, FreeBytes(w));
      std::erase_if(candidates, [most](const WorkerInfo* w) { return FreeBytes(*w) != most; });
      break;
    }
  }
  return *HashChoice(candidates, key);
}

}  // namespace alluxio::client
