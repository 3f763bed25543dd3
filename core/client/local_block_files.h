// Cache files of one-block files on the workers of this host, opened by path with no call.
//
// A worker keeps the blocks of a file as ranges of "<dir>/<container id>" (docs/storage.md);
// its openLocalBlock replies teach the client its directories. The block of a one-block file
// found in a known directory is opened directly, without a pin: the worker removes such a
// file's only block by unlinking the file, so the open descriptor still reads it whole (the
// space returns at close). A block is written in place by appending, so a file whose size is
// the block's length holds the whole block. Blocks of larger files are never opened this way:
// removing one of them punches its range, which an unpinned reader would see as zeros; they
// are read under a pin (openLocalBlock, openLocalFile). Reads through such files are
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

  // A read-only descriptor (the caller closes it) of the cache file holding block `block_id`,
  // the only block of its file, `length` bytes, in a directory learned for `worker`; -1 when
  // none holds it whole.
  int Open(const WorkerAddress& worker, uint64_t block_id, uint64_t length);
  // Records the directory of `path`, an openLocalBlock reply of `service` for `block_id`, when it
  // has the form "<dir>/<container id of block_id>".
  void Learn(const WorkerAddress& worker, wire::BlockWorker::Client service, std::string_view path,
             uint64_t block_id);

 private:
  struct PerWorker {
    wire::BlockWorker::Client service = nullptr;  // the one that taught the directories
    std::vector<std::string> dirs;
    std::vector<uint64_t> touched;  // reads not yet reported
    std::chrono::steady_clock::time_point last_report;
  };
  void NoteRead(PerWorker& state, uint64_t block_id);

  std::map<std::string, PerWorker> workers_;  // by "host:port"
};

}  // namespace alluxio::client
