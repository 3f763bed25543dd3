// The client's settings, read once from a Configuration (alluxio.user.* and the master address).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/client/block_location_policy.h"
#include "core/common/configuration.h"
#include "core/common/result.h"
#include "core/common/write_type.h"
#include "core/ufs/under_file_system.h"
#include "rpc/endpoint.h"

namespace alluxio::client {

using Duration = std::chrono::steady_clock::duration;

// The most a worker returns per readBlock call (core/worker/worker_service.h).
inline constexpr uint32_t kMaxReaderChunkBytes = 4 << 20;

struct ClientOptions {
  // alluxio.master.hostname : alluxio.master.rpc.port
  rpc::Endpoint master = rpc::Endpoint::Tcp("localhost", 19998);

  // The user this client names to the master (checked against its permissions) and the owner
  // of what it creates: alluxio.security.login.username, else the user it runs as. `group`: that
  // user's primary group (of this process, or of the named user on this host; "" if unknown).
  std::string user;
  std::string group;

  // Retries of master calls whose connection failed (kUnavailable: any call, it never reached
  // the master; kDisconnected: idempotent calls only), with exponential backoff from base to max
  // sleep, for at most retry_max_duration in all. A call's own timeout is what is left of it.
  // alluxio.user.rpc.retry.{max.duration,base.sleep,max.sleep}
  Duration retry_max_duration = std::chrono::minutes(2);
  Duration retry_base_sleep = std::chrono::milliseconds(50);
  Duration retry_max_sleep = std::chrono::seconds(3);

  // One block read / write RPC making no progress for this long fails (and a read fails over).
  // alluxio.user.streaming.data.{read,write}.timeout
  Duration read_timeout = std::chrono::minutes(3);
  Duration write_timeout = std::chrono::minutes(3);
  // Bytes per readBlock call (at most 4 MiB, the worker's limit) and per write message.
  // alluxio.user.streaming.{reader,writer}.chunk.size.bytes
  uint32_t reader_chunk_bytes = 1 << 20;
  uint32_t writer_chunk_bytes = 1 << 20;
  // readBlock calls in flight per stream.
  uint32_t read_pipeline_depth = 4;

  uint64_t block_size = 64ull << 20;                // alluxio.user.block.size.bytes.default
  WriteType write_type = WriteType::kCacheThrough;  // alluxio.user.file.writetype.default
  // ASYNC_THROUGH: the master persists a file this long after its completion.
  // alluxio.user.file.persistence.initial.wait.time
  std::chrono::milliseconds persistence_initial_wait{0};
  bool read_cache = true;  // alluxio.user.file.readtype.default != NO_CACHE

  // Same-host short-circuit: read blocks of a worker on this host from its block files
  // (openLocalBlock + pread). alluxio.user.short.circuit.enabled (Alluxio's name; default true).
  bool short_circuit = true;
  // This host as workers name theirs (core/common/host_id.h); "" the host name.
  // alluxio.user.hostname
  std::string user_hostname;
  // Who reads a block cached nowhere from the UFS, and who writes a new file
  // (block_location_policy.h). alluxio.user.ufs.block.read.location.policy,
  // alluxio.user.block.write.location.policy
  BlockLocationPolicy ufs_read_policy = BlockLocationPolicy::kDeterministicHash;
  BlockLocationPolicy write_policy = BlockLocationPolicy::kLocalFirst;
  // A block read from a worker on another host is also cached by the worker on this host.
  // alluxio.user.file.passive.cache.enabled
  bool passive_cache = false;
  // A cold one-block file of at most this many bytes is loaded into the worker on this host at
  // open (FileInStream::WholeFileLocal), so it is read from the block file; 0: never.
  // alluxio.user.file.load.on.open.max.size
  uint64_t load_on_open_max_bytes = 8 << 20;
  // alluxio.underfs.fault.injection.file: the under storage this client reads directly (when no
  // worker can serve a block) goes through fault injection from that control file; "" none.
  std::string ufs_fault_injection_file;
  // Local block files kept open per input stream (least recently used closed first).
  uint32_t max_local_blocks_per_stream = 16;

  // alluxio.user.metadata.cache.{enabled,max.size,expiration.time}
  bool metadata_cache_enabled = false;
  uint64_t metadata_cache_max_size = 100000;
  std::chrono::milliseconds metadata_cache_expiration = std::chrono::minutes(10);

  // Entries per listStatus call.
  uint32_t list_page_size = 1000;
  // How long the list of live workers is used before asking the master again.
  Duration worker_list_refresh = std::chrono::seconds(10);

  // Reads the properties named above. kInvalidArgument for a bad value of an unregistered one
  // (alluxio.user.short.circuit.enabled).
  static Result<ClientOptions> FromConfiguration(const Configuration& conf);
  // UFS properties (alluxio.underfs.*, s3a.*) for the UFS this client reads directly.
  UfsOptions ufs_options;
};

}  // namespace alluxio::client
