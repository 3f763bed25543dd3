# The worker: block reads (cached or read through from the UFS) and file writes.
@0xdb1384fb575a2d2a;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("alluxio::wire");

using Common = import "common.capnp";
using Status = Common.Status;

# Where a block's bytes live in the UFS, for read-through on a cache miss.
struct UfsBlockSource {
  ufsPath @0 :Text;          # full UFS URI of the file
  offsetInFile @1 :UInt64;   # the block's offset in the file
  blockLength @2 :UInt64;
  ufsFingerprint @3 :Text;   # a cached block from another version of the file is not used
  mountId @4 :UInt64;        # the file's mount (FileInfo.mountId): its options open the UFS
}

interface BlockWorker {
  # Reads [offset, offset+length) of a block (at most 4 MiB per call; clients pipeline calls).
  # A miss reads through from `source` (the version its ufsFingerprint names) and, when `cache`
  # is set, fetches the whole block once for its readers and the cache (docs/ufs_s3.md, Reads).
  readBlock @0 (blockId :UInt64, offset :UInt64, length :UInt32, source :UfsBlockSource,
                cache :Bool) -> (status :Status, data :Data, fromCache :Bool);
  # Pins a cached block for direct reading by a client on the same host; the block stays
  # pinned until the returned lease is dropped. The block is [offset, offset + length) of the
  # file at `path` (the worker's cache file of the block's Alluxio file). With a `source`, a
  # block not cached is first loaded from it (as cacheBlock); without, it is notFound. With
  # `unpinned` (the caller's promise that the block is the only one of its file: the worker
  # removes such a block by unlinking the cache file, and a descriptor opened on it still reads
  # it whole), nothing is pinned and the reply has no lease; the caller opens `path` and checks
  # its size (gone or being rewritten: read another way).
  openLocalBlock @1 (blockId :UInt64, source :UfsBlockSource, unpinned :Bool)
      -> (status :Status, path :Text, length :UInt64, lease :BlockLease, offset :UInt64);
  # Writes a whole file: blocks are cached (unless THROUGH) and the UFS copy staged in the
  # UFS of `mountUfsUri` (unless MUST_CACHE), opened with the options of mount `mountId`
  # (FileInfo.mountId of createFile), for completeFile to publish. See FileWriter.
  createFileWriter @2 (fileId :UInt64, blockSizeBytes :UInt64, mountUfsUri :Text, mode :UInt32,
                       writeType :Common.WriteType, mountId :UInt64)
      -> (status :Status, writer :FileWriter);
  # Loads a block into the cache from the UFS (alluxio fs load; a client reading the previous
  # block of a cold file sequentially, as read-ahead); joins a read-through of it under way.
  cacheBlock @3 (blockId :UInt64, source :UfsBlockSource) -> (status :Status);
  removeBlock @4 (blockId :UInt64) -> (status :Status);
  getStats @5 () -> (status :Status, stats :WorkerStats);
  # Marks cached blocks most recently used. A client on this host that opens block files by
  # the path an openLocalBlock reply taught it (no pin, no call per block) reports its reads
  # this way, in batches. Unknown ids are ignored.
  touchBlocks @6 (blockIds :List(UInt64)) -> ();
  # Pins every block of one file (blockIds: all of them, in order) for direct reading by a
  # client on the same host, when the worker holds the whole file as one local file: `path`,
  # whose bytes [0, length) are the file's. kNotFound when a block is not cached here,
  # kUnsupported when the blocks are in several directories (tiers). The blocks stay pinned
  # (never evicted, and their bytes kept when removed) until the lease is dropped.
  openLocalFile @7 (blockIds :List(UInt64))
      -> (status :Status, path :Text, length :UInt64, lease :BlockLease);
  # Creates the cache file of a new file for a client on this host to write in place (kernel
  # passthrough; docs/storage.md, "Writing a whole file in place"): `path`, which the client
  # opens for writing, with `reservation` bytes reserved on the tier (noSpace when no tier can
  # hold them: the client writes through createFileWriter instead). Arguments as
  # createFileWriter; THROUGH is unsupported. Dropping the writer unfinished removes the file.
  createLocalFile @8 (fileId :UInt64, blockSizeBytes :UInt64, mountUfsUri :Text, mode :UInt32,
                      writeType :Common.WriteType, mountId :UInt64, reservation :UInt64)
      -> (status :Status, path :Text, writer :LocalFileWriter);
}

# A new file whose bytes a same-host client writes into its cache file (createLocalFile).
interface LocalFileWriter {
  # The client wrote the file, `length` bytes (the cache file's size; the client synced
  # nothing): the UFS copy is written and staged (unless MUST_CACHE), the blocks covering
  # [0, length) are committed as ranges of the cache file (noSpace when the tier cannot hold
  # them), the staged copy made durable. Results as FileWriter.finish. On failure nothing of
  # the file stays on the worker.
  finish @0 (length :UInt64) -> (status :Status, length :UInt64, blockIds :List(UInt64),
                                 ufsFingerprint :Text);
  abort @1 () -> ();
}

interface BlockLease {
  release @0 () -> ();
}

# Sequential file data. Blocks are cut at blockSizeBytes; block ids derive from the file id.
interface FileWriter {
  write @0 (data :Data) -> stream;
  # Pushes everything written so far to the block store (and UFS) without completing.
  flush @1 () -> (status :Status, length :UInt64);
  # Ends the stream: commits the last block, makes the staged UFS file durable (the master
  # publishes it at completeFile), and reports the file's
  # length, block ids and UFS fingerprint for completeFile. Reports any earlier write error.
  finish @2 () -> (status :Status, length :UInt64, blockIds :List(UInt64),
                   ufsFingerprint :Text);
  abort @3 () -> ();
}

struct WorkerStats {
  blocksCached @0 :UInt64;
  capacityBytes @1 :UInt64;
  usedBytes @2 :UInt64;
  cacheHits @3 :UInt64;
  cacheMisses @4 :UInt64;
  bytesReadCache @5 :UInt64;
  bytesReadUfs @6 :UInt64;
  evictions @7 :UInt64;
}
