// Which worker a client sends a block to: Alluxio's block location policies
// (alluxio.user.ufs.block.read.location.policy for a block cached nowhere,
// alluxio.user.block.write.location.policy for a new file).
//
//   DeterministicHashPolicy  rendezvous (highest random weight) hashing of the key over the
//                            workers, keyed by their address: every client picks the same worker
//                            for a block, and when a worker joins or leaves only the blocks it
//                            gains or held (about 1/N of them) move.
//   LocalFirstPolicy         the worker on the client's host, else DeterministicHashPolicy.
//   MostAvailableFirstPolicy the most free capacity (ties: the hash).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "core/client/client_types.h"
#include "core/common/result.h"

namespace alluxio::client {

enum class BlockLocationPolicy { kDeterministicHash, kLocalFirst, kMostAvailableFirst };

// The policy a property value names (the canonical spellings of property_key.cc).
// kInvalidArgument for any other.
Result<BlockLocationPolicy> ParseBlockLocationPolicy(std::string_view name);

// True when the worker at `address` is on the client's host.
using IsLocalWorker = std::function<bool(const WorkerAddress&)>;

// The worker `policy` picks for `key` (a block id, or a file id for writes) among `workers`;
// nullopt when `workers` is empty. Deterministic: the same arguments give the same worker.
std::optional<WorkerInfo> ChooseWorker(BlockLocationPolicy policy,
                                       const std::vector<WorkerInfo>& workers,
                                       const IsLocalWorker& is_local, uint64_t key);

}  // namespace alluxio::client
