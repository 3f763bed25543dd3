// Value types of the client API (what the master reports about blocks, workers and mounts).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/common/file_info.h"

namespace alluxio::client {

struct WorkerAddress {
  std::string host;
  uint16_t rpc_port = 0;
  std::string host_id;        // the worker's machine (LocalHostId()): see HostLocality::IsLocal
  std::string domain_socket;  // unix socket of the worker for clients on its host ("" = none)

  // "host:port": the key of a worker's channel.
  std::string ToString() const { return host + ":" + std::to_string(rpc_port); }
  friend bool operator==(const WorkerAddress&, const WorkerAddress&) = default;
};

struct BlockLocation {
  uint64_t worker_id = 0;
  WorkerAddress address;
  std::string tier_alias;
};

struct BlockInfo {
  uint64_t block_id = 0;
  uint64_t offset = 0;  // in the file
  uint64_t length = 0;
  std::vector<BlockLocation> locations;  // live workers caching the block
};

// getBlockInfos: a complete file and its blocks.
struct FileBlocks {
  FileInfo info;
  std::vector<BlockInfo> blocks;
  std::string ufs_fingerprint;  // the UFS version of the blocks (UfsStatus::fingerprint)
};

struct WorkerInfo {
  uint64_t worker_id = 0;
  WorkerAddress address;
  uint64_t capacity_bytes = 0;
  uint64_t used_bytes = 0;
  int64_t last_heartbeat_ms_ago = 0;
  bool live = true;  // the master's state: "LIVE" or "LOST"
  uint64_t block_count = 0;
};

struct MountPointInfo {
  std::string alluxio_path;
  std::string ufs_uri;
  bool read_only = false;
  std::map<std::string, std::string> options;  // UFS properties; secrets as "******"
};

struct Capacity {
  uint64_t capacity_bytes = 0;  // sum over live workers
  uint64_t used_bytes = 0;
  uint64_t ufs_capacity_bytes = 0;  // of the root UFS
  uint64_t ufs_free_bytes = 0;
};

// One page of a directory listing.
struct ListPage {
  std::vector<FileInfo> entries;  // in name order
  bool has_more = false;          // next page: start_after = entries.back().name
};

// A worker's getStats.
struct WorkerStats {
  uint64_t blocks_cached = 0;
  uint64_t capacity_bytes = 0;
  uint64_t used_bytes = 0;
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
  uint64_t bytes_read_cache = 0;
  uint64_t bytes_read_ufs = 0;
  uint64_t evictions = 0;
};

}  // namespace alluxio::client
