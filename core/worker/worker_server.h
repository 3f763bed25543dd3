// A whole worker on the calling reactor: the tiered block store, read-through and write
// sessions behind the RPC server on alluxio.worker.bind.host:alluxio.worker.rpc.port, and the
// registration + heartbeat loop with the master (re-registering whenever the master asks,
// freeing the blocks it names, pinning those of unpersisted files and persisting the files it
// hands out: FilePersister). Used by `alluxio worker` and by in-process tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/common/configuration.h"
#include "core/common/result.h"
#include "core/reactor/reactor.h"
#include "core/reactor/task_group.h"
#include "core/worker/block_read_through.h"
#include "core/worker/block_store.h"
#include "core/worker/file_persister.h"
#include "core/worker/ufs_resolver.h"
#include "rpc/channel.h"
#include "rpc/server.h"

namespace alluxio {

// The tiered store of the configuration: alluxio.worker.tieredstore.* with
// alluxio.worker.data.folder appended to every directory.
Result<BlockStoreConfig> WorkerBlockStoreConfig(const Configuration& conf);

class WorkerServer {
 public:
  // Reactor thread only; the reactor must have a blocking pool (background caching runs there).
  // Errors: the block store's (kBusy if another worker holds a directory), the listener's.
  // The master need not be up: registration is retried until it answers.
  static Result<std::unique_ptr<WorkerServer>> Start(const Configuration& conf);
  ~WorkerServer();

  uint16_t port() const;
  BlockStore& store() { return *store_; }
  const ReadThroughCounters& counters() const { return read_through_->counters(); }
  // 0 until registered with the master.
  uint64_t worker_id() const { return *worker_id_; }

  // Stops serving and the heartbeat loop. Reactor thread only.
  Task<void> Stop();

 private:
  WorkerServer() = default;

  std::unique_ptr<BlockStore> store_;
  std::unique_ptr<UfsResolver> ufs_;
  // Pins of unpersisted files' blocks and their persists; destroyed (unpinned) before store_,
  // after persists_ (which runs its persists) is joined.
  std::unique_ptr<FilePersister> persister_;
  std::unique_ptr<BlockReadThrough> read_through_;
  // Cold block reads (WorkerServiceContext::ufs_reads); destroyed (joined) before read_through_.
  std::unique_ptr<BlockingPool> ufs_reads_;
  // Write sessions' completions (WorkerServiceContext::ufs_commits); destroyed (joined) before
  // store_.
  std::unique_ptr<BlockingPool> ufs_commits_;
  // FilePersister::Persist of the files the master hands out; destroyed (joined) before
  // persister_ and store_.
  std::unique_ptr<BlockingPool> persists_;
  std::unique_ptr<rpc::Channel> master_;  // for block commits and mount options
  std::unique_ptr<TaskGroup> tasks_;      // heartbeats and commits; stopped before master_ goes
  std::unique_ptr<rpc::RpcServer> server_;
  std::unique_ptr<rpc::RpcServer> local_server_;  // unix socket; null when none
  std::shared_ptr<uint64_t> worker_id_ = std::make_shared<uint64_t>(0);
};

}  // namespace alluxio
