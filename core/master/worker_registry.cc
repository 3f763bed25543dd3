#include "core/master/worker_registry.h"

#include "core/common/logging.h"

namespace alluxio {
namespace {

// A worker's state without its block set (which can hold millions of ids): what callers see.
WorkerState WithoutBlocks(const WorkerState& worker) {
  WorkerState copy;
  copy.id = worker.id;
  copy.address = worker.address;
  copy.capacity_bytes = worker.capacity_bytes;
  copy.used_bytes = worker.used_bytes;
  copy.lost = worker.lost;
  copy.last_heartbeat = worker.last_heartbeat;
  copy.block_count = worker.blocks.size();
  return copy;
}

}  // namespace

WorkerRegistry::WorkerRegistry(const MonotonicClock& clock,
                               std::chrono::milliseconds worker_timeout)
    : clock_(clock), timeout_(worker_timeout) {}

uint64_t WorkerRegistry::Register(const WorkerAddress& address, uint64_t capacity_bytes,
                                  uint64_t used_bytes, const std::vector<uint64_t>& blocks) {
  std::lock_guard lock(mutex_);
  WorkerState* worker = nullptr;
  for (auto& [id, w] : workers_) {
    if (w.address == address) worker = &w;
  }
  if (worker == nullptr) {
    uint64_t id = next_id_++;
    worker = &workers_[id];
    worker->id = id;
    worker->address = address;
    ALX_LOG(kInfo, "master", "worker {} registered: {}:{}", id, address.host, address.rpc_port);
  } else {
    DropLocations(*worker);
    ALX_LOG(kInfo, "master", "worker {} re-registered: {}:{} with {} blocks", worker->id,
            address.host, address.rpc_port, blocks.size());
  }
  worker->capacity_bytes = capacity_bytes;
  worker->used_bytes = used_bytes;
  worker->lost = false;
  worker->last_heartbeat = clock_.Now();
  worker->blocks = std::set<uint64_t>(blocks.begin(), blocks.end());
  for (uint64_t block : blocks) locations_[block].insert(worker->id);
  pending_frees_.erase(worker->id);
  return worker->id;
}

HeartbeatReply WorkerRegistry::Heartbeat(uint64_t worker_id, uint64_t used_bytes,
                                         const std::vector<uint64_t>& added,
                                         const std::vector<uint64_t>& removed) {
  std::lock_guard lock(mutex_);
  HeartbeatReply reply;
  auto it = workers_.find(worker_id);
  if (it == workers_.end() || it->second.lost) {
    reply.reregister = true;
    return reply;
  }
  WorkerState& worker = it->second;
  worker.last_heartbeat = clock_.Now();
  worker.used_bytes = used_bytes;
  for (uint64_t block : added) {
    worker.blocks.insert(block);
    locations_[block].insert(worker_id);
  }
  for (uint64_t block : removed) {
    worker.blocks.erase(block);
    if (auto loc = locations_.find(block); loc != locations_.end()) {
      loc->second.erase(worker_id);
      if (loc->second.empty()) locations_.erase(loc);
    }
  }
  if (auto frees = pending_frees_.find(worker_id); frees != pending_frees_.end()) {
    reply.blocks_to_free = std::move(frees->second);
    pending_frees_.erase(frees);
  }
  return reply;
}

Status WorkerRegistry::CommitBlock(uint64_t worker_id, uint64_t block_id, uint64_t used_bytes) {
  std::lock_guard lock(mutex_);
  auto it = workers_.find(worker_id);
  if (it == workers_.end() || it->second.lost) {
    return Fail(ErrorCode::kNotFound, "unknown worker " + std::to_string(worker_id));
  }
  it->second.blocks.insert(block_id);
  it->second.used_bytes = used_bytes;
  locations_[block_id].insert(worker_id);
  return Ok();
}

std::vector<WorkerState> WorkerRegistry::Locations(uint64_t block_id) const {
  std::lock_guard lock(mutex_);
  std::vector<WorkerState> result;
  auto loc = locations_.find(block_id);
  if (loc == locations_.end()) return result;
  for (uint64_t id : loc->second) {
    const WorkerState& w = workers_.at(id);
    if (w.lost) continue;
    result.push_back(WithoutBlocks(w));
  }
  return result;
}

uint64_t WorkerRegistry::FreeBlocks(const std::vector<uint64_t>& block_ids) {
  std::lock_guard lock(mutex_);
  uint64_t copies = 0;
  for (uint64_t block : block_ids) {
    auto loc = locations_.find(block);
    if (loc == locations_.end()) continue;
    for (uint64_t worker_id : loc->second) {
      pending_frees_[worker_id].push_back(block);
      workers_.at(worker_id).blocks.erase(block);
      ++copies;
    }
    locations_.erase(loc);
  }
  return copies;
}

std::vector<uint64_t> WorkerRegistry::DetectLostWorkers() {
  std::lock_guard lock(mutex_);
  std::vector<uint64_t> lost;
  auto now = clock_.Now();
  for (auto& [id, worker] : workers_) {
    if (!worker.lost && now - worker.last_heartbeat > timeout_) {
      worker.lost = true;
      DropLocations(worker);
      pending_frees_.erase(id);
      lost.push_back(id);
      ALX_LOG(kWarn, "master", "worker {} ({}:{}) lost: no heartbeat for over {} ms", id,
              worker.address.host, worker.address.rpc_port, timeout_.count());
    }
  }
  return lost;
}

void WorkerRegistry::DropLocations(WorkerState& worker) {
  for (uint64_t block : worker.blocks) {
    if (auto loc = locations_.find(block); loc != locations_.end()) {
      loc->second.erase(worker.id);
      if (loc->second.empty()) locations_.erase(loc);
    }
  }
  worker.blocks.clear();
}

std::vector<WorkerState> WorkerRegistry::Snapshot(bool live_only) const {
  std::lock_guard lock(mutex_);
  std::vector<WorkerState> result;
  for (bool lost : {false, true}) {
    if (lost && live_only) break;
    for (const auto& [id, worker] : workers_) {
      if (worker.lost != lost) continue;
      result.push_back(WithoutBlocks(worker));
    }
  }
  return result;
}

std::vector<WorkerState> WorkerRegistry::Workers() const { return Snapshot(false); }
std::vector<WorkerState> WorkerRegistry::LiveWorkers() const { return Snapshot(true); }

}  // namespace alluxio
