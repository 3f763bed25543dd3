// Block files of the workers on this host, opened by path with no call per block.
//
// A worker keeps a committed block in "<dir>/<block id>"; its openLocalBlock replies teach the
// client its directories. A block found in a known directory is opened directly, without a
// pin: the worker may evict it meanwhile, which unlinks the file, and the open descriptor
// still reads it whole (the space returns at close). Blocks are committed by a rename into
// the directory, so a path that opens holds the complete block. Reads through such files are
// reported to the worker in batches (touchBlocks, at most one second late) so that its LRU
// order still sees them (a batch goes out once 256 reads are pending or a second after the
// last one; nothing waits for it).
//
// Contract: per FileSystemClient, on its reactor thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/client/client_types.h"
#include "schema/worker.capnp.h"

namespace alluxio::client {

class LocalBlockFiles {
 public:
  LocalBlockFiles() = default;
  LocalBlockFiles(const LocalBlockFiles&) = delete;
  LocalBlockFiles& operator=(const LocalBlockFiles&) = delete;

  // A read-only descriptor (the caller closes it) of the block's file in a directory learned
  // for `worker`, or -1 when none holds it.
  int Open(const WorkerAddress& worker, uint64_t block_id);
  // Records the directory of `block_path`, an openLocalBlock reply of `stub` for `block_id`,
  // when the path has the form "<dir>/<block id>".
  void Learn(const WorkerAddress& worker, wire::BlockWorker::Client stub,
             std::string_view block_path, uint64_t block_id);

 private:
  struct PerWorker {
    wire::BlockWorker::Client stub = nullptr;  // the one that taught the directories
    std::vector<std::string> dirs;
    std::vector<uint64_t> touched;  // reads not yet reported
    std::chrono::steady_clock::time_point last_report;
  };
  void NoteRead(PerWorker& state, uint64_t block_id);

  std::map<std::string, PerWorker> workers_;  // by "host:port"
};

}  // namespace alluxio::client
