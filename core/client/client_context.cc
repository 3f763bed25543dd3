#include "core/client/client_context.h"

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
      locality_(HostLocality::Detect(options_.user_hostname)) {
  if (options_.metadata_cache_enabled) {
    metadata_cache_ = std::make_unique<MetadataCache>(options_.metadata_cache_max_size,
                                                      options_.metadata_cache_expiration, clock);
  }
}

std::optional<WorkerInfo> ChooseWorker(const ClientContext& context, BlockLocationPolicy policy,
                                       const std::vector<WorkerInfo>& workers, uint64_t key) {
  return ChooseWorker(
      policy, workers, [&context](const WorkerAddress& a) { return context.IsLocal(a); }, key);
}

}  // namespace alluxio::client
