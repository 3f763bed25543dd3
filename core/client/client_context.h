// The part of a client shared by all reactors of a process: settings, the metadata cache, the
// list of live workers and the UFS resolver (for reads that bypass dead workers). Everything
// here is thread-safe. Each reactor has its own FileSystemClient (file_system_client.h) holding
// a shared_ptr to the context; RPC channels and capabilities live only there.
//
//   auto context = ClientContext::Create(conf);          // once per process
//   FileSystemClient fs(*context);                       // on each reactor, on its thread
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/client/block_location_policy.h"
#include "core/client/client_options.h"
#include "core/client/client_types.h"
#include "core/client/metadata_cache.h"
#include "core/common/clock.h"
#include "core/common/configuration.h"
#include "core/common/host_id.h"
#include "core/worker/ufs_resolver.h"

namespace alluxio::client {

// The live workers as last reported by the master. Thread-safe.
class WorkerList {
 public:
  explicit WorkerList(const MonotonicClock& clock) : clock_(clock) {}

  // The last snapshot (never null; possibly empty).
  std::shared_ptr<const std::vector<WorkerInfo>> Get() const;
  // True when the snapshot is older than max_age or was invalidated.
  bool Stale(Duration max_age) const;
  // Replaces the snapshot with the live workers of `workers`.
  void Update(const std::vector<WorkerInfo>& workers);
  // Forces the next Stale() to be true (a worker failed).
  void Invalidate();

 private:
  const MonotonicClock& clock_;
  mutable std::mutex mutex_;
  std::shared_ptr<const std::vector<WorkerInfo>> workers_ =
      std::make_shared<const std::vector<WorkerInfo>>();
  std::optional<MonotonicClock::time_point> updated_;
};

class ClientContext {
 public:
  static Result<std::shared_ptr<ClientContext>> Create(const Configuration& conf,
                                                       const MonotonicClock& clock = SteadyClock());
  ClientContext(ClientOptions options, const MonotonicClock& clock = SteadyClock());
  ClientContext(const ClientContext&) = delete;
  ClientContext& operator=(const ClientContext&) = delete;

  const ClientOptions& options() const { return options_; }
  // nullptr when alluxio.user.metadata.cache.enabled is false.
  MetadataCache* metadata_cache() { return metadata_cache_.get(); }
  WorkerList& workers() { return workers_; }
  UfsResolver& ufs() { return ufs_; }
  // True when the worker at `address` runs on this client's host (core/common/host_id.h).
  bool IsLocal(const WorkerAddress& address) const {
    return locality_.IsLocal(address.host_id, address.host);
  }
  // Replaces the host this client is on (tests: a client on another host). Not thread-safe:
  // before any reactor uses the context.
  void set_locality(HostLocality locality) { locality_ = std::move(locality); }
  const MonotonicClock& clock() const { return clock_; }

 private:
  const ClientOptions options_;
  const MonotonicClock& clock_;
  std::unique_ptr<MetadataCache> metadata_cache_;
  WorkerList workers_;
  UfsResolver ufs_;
  HostLocality locality_;
};

// The worker `policy` picks for `key` among `workers`, with this context's host as the local one
// (block_location_policy.h); nullopt when `workers` is empty.
std::optional<WorkerInfo> ChooseWorker(const ClientContext& context, BlockLocationPolicy policy,
                                       const std::vector<WorkerInfo>& workers, uint64_t key);

}  // namespace alluxio::client
