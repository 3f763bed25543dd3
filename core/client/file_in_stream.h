// Positioned reads of one complete file (FileSystemClient::OpenFile makes it, from one
// getBlockInfos). For each block a source is chosen, in order:
//   1. a worker caching the block on this host, else any worker caching it, else the live worker
//      alluxio.user.ufs.block.read.location.policy picks (block_location_policy.h; it reads
//      through from the UFS and caches, readtype CACHE); with
//      alluxio.user.file.passive.cache.enabled a block read from another host's worker is also
//      cached by the worker on this host;
//      a worker on this host is read through its block file when short-circuit is enabled:
//      opened by path when LocalBlockFiles knows where it is, else through openLocalBlock (the
//      fd and the lease are kept while the stream is open; the only block of a file is opened
//      unpinned, with no lease, as by path). A read entering a cold block of a
//      persisted file at its first byte (a sequential reader) has that worker cache the block
//      first (readtype CACHE) and waits for it, then reads the cache file; a read further into
//      a cold block (random access) is a readBlock of its own range while the worker caches the
//      block behind it, and once a reply comes from the worker's cache the block is opened;
//   2. when no worker is usable, the UFS file directly (persisted files).
// Worker reads go in readBlock calls of alluxio.user.streaming.reader.chunk.size.bytes, up to
// read_pipeline_depth in flight. A read entering a cold block at its start (a sequential read)
// also asks the worker of the next block, if that one is cold too, to cache it (cacheBlock, not
// waited for; once per block; also before a load through openLocalBlock): one block ahead, the
// UFS transfer goes on across the boundary. A
// worker that fails mid-read (connection lost, refused, timed out, or the block vanished) is
// skipped for the rest of the stream and the read continues from the next source at the first byte
// not yet received.
//
// Contract: used on the reactor of the FileSystemClient that made it, which must outlive it;
// one Read at a time. Sequential detection and prefetch belong to the caller (the FUSE layer):
// Read is the primitive it issues ahead.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>

#include "core/client/client_types.h"
#include "core/common/result.h"
#include "core/reactor/reactor.h"
#include "core/ufs/under_file_system.h"
#include "schema/worker.capnp.h"

namespace alluxio::client {

class FileSystemClient;

// Where block `block` of persisted file `file` lies in the UFS, for a worker to read it
// through: the file's URI, mount, the block's range and the file's version.
void SetUfsSource(const FileBlocks& file, const BlockInfo& block,
                  wire::UfsBlockSource::Builder source);

// Where the bytes came from (cumulative per stream).
struct ReadStats {
  uint64_t bytes_short_circuit = 0;
  uint64_t bytes_from_workers = 0;
  uint64_t bytes_from_ufs = 0;
  uint64_t worker_failovers = 0;  // workers given up on mid-stream
};

class FileInStream {
 public:
  // Use FileSystemClient::OpenFile.
  FileInStream(FileSystemClient& client, FileBlocks file);
  ~FileInStream();
  FileInStream(const FileInStream&) = delete;
  FileInStream& operator=(const FileInStream&) = delete;

  // Reads up to buf.size() bytes at `offset`; fewer only at the end of the file, 0 at or past
  // it. Errors: kUnavailable (no worker can serve a block of a non-persisted file), the UFS's
  // errors on a direct read, kIoError (a worker returned fewer bytes than the block holds).
  Task<Result<size_t>> Read(uint64_t offset, std::span<char> buf);

  const FileInfo& info() const { return file_.info; }
  // True when the block holding `offset` is read through a local cache file this stream has
  // open (short-circuit): such a read costs one copy, so reading ahead gains nothing.
  bool IsLocal(uint64_t offset) const;
  // A descriptor of a worker's cache file on this host holding the whole file, byte for byte,
  // opened if needed (short-circuit enabled); -1 otherwise. A one-block file's is opened as its
  // block (by path when LocalBlockFiles knows it); a persisted one of at most
  // ClientOptions::load_on_open_max_bytes cached nowhere is loaded first into the worker here
  // when the read location policy picks it (read type CACHE). A larger file's only when one worker
  // here holds every block in one cache file (openLocalFile), and its blocks stay pinned by the
  // worker while the stream lives; reads of the stream then use it too. Owned by the stream: valid
  // until it is destroyed or (one-block file) a read of that block through it fails.
  Task<int> WholeFileLocal();
  // The file's blocks as opened: another reactor's stream of the same file is made from them.
  const FileBlocks& blocks() const { return file_; }
  uint64_t length() const { return file_.info.length; }
  const ReadStats& stats() const { return stats_; }

 private:
  struct LocalBlock {
    int fd = -1;
    uint64_t base = 0;                         // the block's offset in the file of fd
    wire::BlockLease::Client lease = nullptr;  // null when opened by path (not pinned)
    std::list<uint64_t>::iterator lru;
  };
  // A cache file holding every block of a file of several blocks, pinned by the lease.
  struct WholeFile {
    int fd = -1;
    wire::BlockLease::Client lease = nullptr;
  };
  struct WorkerRead {
    size_t done = 0;  // bytes received in order from the start of the range
    std::optional<Error> error;
    bool from_cache = false;  // the worker served a reply from its cache: it holds the block
  };

  // Fills buf with bytes [offset, offset + buf.size()) of block `index` (within the block).
  Task<Status> ReadBlock(size_t index, uint64_t offset, std::span<char> buf);
  // The worker to read block `index` from, or nullopt (read from the UFS).
  Task<std::optional<WorkerAddress>> ChooseWorker(size_t index);
  // See the header comment: caches block index + 1 ahead of a sequential reader.
  Task<void> CacheNextBlock(size_t index);
  // With alluxio.user.file.passive.cache.enabled: block `index`, read from a worker on another
  // host, is also cached by the worker on this host (once per block; it reads the UFS).
  Task<void> CacheHere(size_t index);
  // Asks the worker at `address` to cache block `index` from the UFS (not waited for).
  Task<void> RequestCache(const WorkerAddress& address, size_t index);
  Task<WorkerRead> ReadFromWorker(const WorkerAddress& worker, size_t index, uint64_t offset,
                                  std::span<char> buf);
  // The pinned local block file of block `index`, opening it on first use; nullptr if the
  // worker does not cache the block (or refused). With `load`, a block the worker does not
  // cache is loaded from the UFS first.
  Task<LocalBlock*> OpenLocal(const WorkerAddress& worker, size_t index, bool load = false);
  // WholeFileLocal for a file of several blocks.
  Task<int> OpenWholeFile();
  Task<Status> ReadFromUfs(uint64_t file_offset, std::span<char> buf);
  void CloseLocal(uint64_t block_id);
  void GiveUpOn(const WorkerAddress& worker, const Error& error);

  FileSystemClient& client_;
  FileBlocks file_;
  std::set<std::string> failed_workers_;  // "host:port"
  std::set<uint64_t> not_local_;          // blocks whose local open failed
  std::set<size_t> cache_requested_;      // block indexes a cacheBlock was sent for
  std::map<uint64_t, LocalBlock> local_;  // by block id
  std::list<uint64_t> local_lru_;         // front: most recent
  WholeFile whole_;
  std::shared_ptr<UfsReader> ufs_reader_;
  ReadStats stats_;
};

}  // namespace alluxio::client
