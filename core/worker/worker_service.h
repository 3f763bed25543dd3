// The worker's Cap'n Proto service (schema/worker.capnp) over the block store, read-through and
// file write sessions. Calls run on the reactor thread serving the connection, but for reads
// that reach the under storage (WorkerServiceContext::ufs_reads) and the completion of a write
// session (its last block's commit and the staged UFS file's fsync: ufs_commits).
// TODO(perf): run write sessions' UFS writes off the reactor too.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <kj/async.h>

#include "core/common/result.h"
#include "core/reactor/blocking_pool.h"
#include "core/worker/block_read_through.h"
#include "core/worker/block_store.h"
#include "core/worker/file_persister.h"
#include "core/worker/ufs_resolver.h"
#include "schema/worker.capnp.h"

namespace alluxio {

struct WorkerServiceContext {
  BlockStore* store;               // outlives the service
  BlockReadThrough* read_through;  // outlives the service
  UfsResolver* ufs;                // outlives the service
  // Makes `ufs` know mount `mount_id` (asks the master for its options); fulfilled with the
  // error of asking (kNotFound: unmounted). Called on the call's thread before a call opens
  // that mount's UFS, unless `ufs` knows it already.
  std::function<kj::Promise<Status>(uint64_t mount_id)> learn_mount;
  // Told about every block a write session committed (the worker reports it to the master).
  std::function<void(const BlockInfo&)> on_block_committed;
  // Runs each readBlock that names a UFS source (a cold block) and each cacheBlock, so that many
  // UFS reads are in flight and none holds the reactor; null: on the reactor. Stopped before
  // read_through goes. (read_through's background fills run here too.)
  BlockingPool* ufs_reads = nullptr;
  // Runs each write session's Finish() (FileWriter.finish), so that the UFS commits of many
  // files (fsyncs) run at once and none holds the reactor; null: on the reactor. Stopped before
  // store goes.
  BlockingPool* ufs_commits = nullptr;
  // Keeps the pins of ASYNC_THROUGH files' blocks (FinishedFile::pins) until they are
  // persisted; null: the pins are dropped at finish.
  FilePersister* persister = nullptr;  // outlives the service
};

// Largest chunk one readBlock call returns.
inline constexpr uint32_t kMaxReadChunkBytes = 4 << 20;

wire::BlockWorker::Client MakeWorkerService(WorkerServiceContext context);

}  // namespace alluxio
