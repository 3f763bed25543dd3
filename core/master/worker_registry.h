// The master's view of workers and of where blocks are cached: soft state, rebuilt from worker
// registrations and heartbeats (nothing here is persisted). A worker silent for longer than the
// timeout is marked lost and its block locations dropped; when it speaks again it is told to
// re-register. Thread-safe (one mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/common/clock.h"
#include "core/common/result.h"

namespace alluxio {

struct WorkerAddress {
  std::string host;
  uint16_t rpc_port = 0;
  std::string host_id;        // identifies the machine (for same-host short-circuit reads)
  std::string domain_socket;  // unix socket of the same service for same-host clients; "" none

  friend bool operator==(const WorkerAddress&, const WorkerAddress&) = default;
};

struct WorkerState {
  uint64_t id = 0;
  WorkerAddress address;
  uint64_t capacity_bytes = 0;
  uint64_t used_bytes = 0;
  bool lost = false;
  MonotonicClock::time_point last_heartbeat;
  std::set<uint64_t> blocks;  // empty in snapshots (Workers(), Locations())
  uint64_t block_count = 0;   // blocks.size(), kept in snapshots
};

struct HeartbeatReply {
  bool reregister = false;               // the master does not know this worker (any more)
  std::vector<uint64_t> blocks_to_free;  // removals asked for since the last heartbeat
};

class WorkerRegistry {
 public:
  WorkerRegistry(const MonotonicClock& clock, std::chrono::milliseconds worker_timeout);

  // Registers a worker, or re-registers one at the same address (same id, blocks replaced).
  uint64_t Register(const WorkerAddress& address, uint64_t capacity_bytes, uint64_t used_bytes,
                    const std::vector<uint64_t>& blocks);

  // Records liveness and block changes. An unknown or lost worker gets `reregister`.
  HeartbeatReply Heartbeat(uint64_t worker_id, uint64_t used_bytes,
                           const std::vector<uint64_t>& added,
                           const std::vector<uint64_t>& removed);

  // A worker cached a block; `used_bytes` is its usage with the block. kNotFound for an unknown
  // or lost worker.
  Status CommitBlock(uint64_t worker_id, uint64_t block_id, uint64_t used_bytes);

  // Live workers holding the block.
  std::vector<WorkerState> Locations(uint64_t block_id) const;

  // Asks every worker holding these blocks to remove them (delivered with the next heartbeat);
  // locations are dropped at once. Returns how many cached copies will be removed.
  uint64_t FreeBlocks(const std::vector<uint64_t>& block_ids);

  // Marks workers silent past the timeout as lost; returns their ids.
  std::vector<uint64_t> DetectLostWorkers();

  // Every worker (blocks left empty to keep the copy cheap), live ones first.
  std::vector<WorkerState> Workers() const;
  std::vector<WorkerState> LiveWorkers() const;

 private:
  void DropLocations(WorkerState& worker);
  std::vector<WorkerState> Snapshot(bool live_only) const;

  const MonotonicClock& clock_;
  const std::chrono::milliseconds timeout_;
  mutable std::mutex mutex_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, WorkerState> workers_;
  std::map<uint64_t, std::set<uint64_t>> locations_;  // block id → worker ids
  std::map<uint64_t, std::vector<uint64_t>> pending_frees_;
};

}  // namespace alluxio
