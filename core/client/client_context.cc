#include "core/client/client_context.h"

#include "core/common/host_id.h"
#include "core/ufs/fault_injecting_under_file_system.h"

namespace alluxio::client {

std::shared_ptr<const std::vector<WorkerInfo>> WorkerList::Get() const {
  std::lock_guard lock(mutex_);
  return workers_;
}

bool WorkerList::Stale(Duration max_age) const {
  std::lock_guard lock(mutex_);
  return !updated_ || clock_.Now() - *updated_ >= max_age;
}

void WorkerList::Update(const std::vector<WorkerInfo>& workers) {
  auto live = std::make_shared<std::vector<WorkerInfo>>();
  for (const WorkerInfo& w : workers) {
    if (w.live) live->push_back(w);
  }
  std::lock_guard lock(mutex_);
  workers_ = std::move(live);
  updated_ = clock_.Now();
}

void WorkerList::Invalidate() {
  std::lock_guard lock(mutex_);
  updated_.reset();
}

Result<std::shared_ptr<ClientContext>> ClientContext::Create(const Configuration& conf,
                                                             const MonotonicClock& clock) {
  Result<ClientOptions> options = ClientOptions::FromConfiguration(conf);
  if (!options) return options.failure();
  return std::make_shared<ClientContext>(std::move(options).value(), clock);
}

ClientContext::ClientContext(ClientOptions options, const MonotonicClock& clock)
    : options_(std::move(options)),
      clock_(clock),
      workers_(clock),
      ufs_(MakeUfsFactory(options_.ufs_fault_injection_file), options_.ufs_options),
      host_id_(LocalHostId()) {
  if (options_.metadata_cache_enabled) {
    metadata_cache_ = std::make_unique<MetadataCache>(options_.metadata_cache_max_size,
                                                      options_.metadata_cache_expiration, clock);
  }
}

std::optional<WorkerInfo> ChooseWorker(const std::vector<WorkerInfo>& workers,
                                       const std::string& host_id, uint64_t key) {
  if (workers.empty()) return std::nullopt;
  for (const WorkerInfo& w : workers) {
    if (!host_id.empty() && w.address.host_id == host_id) return w;
  }
  // splitmix64: block ids of one file differ in the low bits only; spread them.
  uint64_t h = key + 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  h ^= h >> 31;
  return workers[h % workers.size()];
}

}  // namespace alluxio::client
