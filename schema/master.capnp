# The master: namespace service for clients, block master for workers.
@0xbfad1ca5de061113;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("alluxio::wire");

using Common = import "common.capnp";
using Status = Common.Status;
using FileInfo = Common.FileInfo;
using WorkerAddress = Common.WorkerAddress;

struct BlockLocation {
  workerId @0 :UInt64;
  address @1 :WorkerAddress;
  tierAlias @2 :Text;
}

struct BlockInfo {
  blockId @0 :UInt64;
  length @1 :UInt64;
  offset @2 :UInt64;  # offset of the block in its file
  locations @3 :List(BlockLocation);
}

# A UFS property of one mount (`alluxio fs mount --option key=value`).
struct MountOption {
  key @0 :Text;
  value @1 :Text;
}

struct MountPointInfo {
  alluxioPath @0 :Text;
  ufsUri @1 :Text;
  readOnly @2 :Bool;
  options @3 :List(MountOption);  # secrets (s3a.secretKey, ...) as "******"
}

struct WorkerInfo {
  workerId @0 :UInt64;
  address @1 :WorkerAddress;
  capacityBytes @2 :UInt64;
  usedBytes @3 :UInt64;
  lastHeartbeatMsAgo @4 :Int64;
  state @5 :Text;  # "LIVE" or "LOST"
  blockCount @6 :UInt64;
}

struct SetAttributeOptions {
  hasMode @0 :Bool;
  mode @1 :UInt32;
  owner @2 :Text;  # "" leaves it unchanged
  group @3 :Text;
  hasMtime @4 :Bool;
  mtimeMs @5 :Int64;
}

# The bootstrap capability of the master's RPC port.
interface Master {
  # The file system service for the user a client names (its primary group in `group`, "" if
  # none): every call on it is checked against that user (core/master/permission_checker.h).
  # Impersonation: with `actingUser` set (its primary group in `actingGroup`, further groups of
  # the caller, such as a process's supplementary groups, in `actingGroups`), every call acts as
  # that user instead, if `user` may impersonate it (core/master/impersonation.h); if not,
  # `status` is notPermitted and `service` is null. A master that predates these fields leaves
  # `status` unset: a client asking to act as someone must then treat it as a refusal.
  fileSystem @0 (user :Text, group :Text, actingUser :Text, actingGroup :Text,
                 actingGroups :List(Text)) -> (service :FileSystemMaster, status :Status);
  blockMaster @1 () -> (service :BlockMaster);
}

interface FileSystemMaster {
  getStatus @0 (path :Text) -> (status :Status, info :FileInfo);
  # One page of a directory, in name order, starting after `startAfter` ("" = from the start).
  listStatus @1 (path :Text, startAfter :Text, limit :UInt32)
      -> (status :Status, entries :List(FileInfo), hasMore :Bool);
  createDirectory @2 (path :Text, recursive :Bool, allowExists :Bool, mode :UInt32,
                      owner :Text, group :Text) -> (status :Status, info :FileInfo);
  # Creates an incomplete file. `overwrite` replaces an existing complete file only when the
  # new one is completed (the old one stays readable until then).
  createFile @3 (path :Text, blockSizeBytes :UInt64, recursive :Bool, overwrite :Bool,
                 mode :UInt32, owner :Text, group :Text, writeType :Common.WriteType)
      -> (status :Status, info :FileInfo, mountUfsUri :Text);
  # `mountUfsUri` of createFile: the UFS of the file's mount, where a worker stages its UFS
  # copy (createFileWriter). With `persisted`, completeFile publishes that staged copy onto the
  # file's path at completion, wherever the file and its directories have been renamed to.
  # Repeating a completion that happened (same length and blocks) returns the file: a client
  # whose answer was lost may call again.
  # With `toBePersisted` (ASYNC_THROUGH) the file is complete with its blocks cached only: the
  # master has a worker holding them persist it, after `persistenceWaitMs`
  # (alluxio.user.file.persistence.initial.wait.time).
  completeFile @4 (fileId :UInt64, length :UInt64, blockIds :List(UInt64), persisted :Bool,
                   toBePersisted :Bool, persistenceWaitMs :Int64)
      -> (status :Status, info :FileInfo);
  # Drops an incomplete file (a writer that gave up).
  abortFile @5 (fileId :UInt64) -> (status :Status);
  remove @6 (path :Text, recursive :Bool) -> (status :Status);
  rename @7 (src :Text, dst :Text, noReplace :Bool) -> (status :Status);
  setAttribute @8 (path :Text, options :SetAttributeOptions) -> (status :Status, info :FileInfo);
  mount @9 (alluxioPath :Text, ufsUri :Text, readOnly :Bool, options :List(MountOption))
      -> (status :Status);
  unmount @10 (alluxioPath :Text) -> (status :Status);
  getMountTable @11 () -> (status :Status, mounts :List(MountPointInfo));
  # Block list with locations, for readers, and the UFS version the blocks are of (the
  # fingerprint the master recorded: workers read exactly that version through).
  getBlockInfos @12 (path :Text)
      -> (status :Status, info :FileInfo, blocks :List(BlockInfo), ufsFingerprint :Text);
  # Removes the cached blocks of every file under path from all workers (data stays in the UFS).
  free @13 (path :Text, recursive :Bool) -> (status :Status, freedBlocks :UInt64);
  getCapacity @14 () -> (status :Status, capacityBytes :UInt64, usedBytes :UInt64,
                         ufsCapacityBytes :UInt64, ufsFreeBytes :UInt64);
  getWorkers @15 () -> (status :Status, workers :List(WorkerInfo));
  # A symbolic link at `path` (mode 0777) holding `target`, which is not interpreted.
  createSymlink @16 (path :Text, target :Text, owner :Text, group :Text)
      -> (status :Status, info :FileInfo);
  # The options mount `mountId` (FileInfo.mountId) was mounted with, secrets included: what a
  # worker or client needs to open its UFS itself (never for display: getMountTable masks
  # them). notFound for a mount that is gone (unmounted).
  getMountOptions @17 (mountId :UInt64) -> (status :Status, options :List(MountOption));
  # `alluxio fs persist`: a complete, non-persisted file becomes toBePersisted, due at once
  # (one that is persisted or to be persisted already is returned as is).
  scheduleAsyncPersistence @18 (path :Text) -> (status :Status, info :FileInfo);
}

# A file a worker is to persist from its cached blocks: it stages the UFS copy in the mount's
# UFS (the worker's staging, as for a CACHE_THROUGH write) and reports persistDone.
struct PersistFile {
  fileId @0 :UInt64;
  length @1 :UInt64;
  blockSize @2 :UInt64;
  blockIds @3 :List(UInt64);
  mode @4 :UInt32;
  mountId @5 :UInt64;
  mountUfsUri @6 :Text;
}

interface BlockMaster {
  # Registers (or re-registers) a worker with all the blocks it holds. `blocksToFree`: those the
  # namespace does not know (Namespace::UnknownBlocks); the worker removes them before it
  # serves as registered. `blocksToPin`: those of files still to be persisted, which the worker
  # must not evict until they are (it unpins them after persisting them, or when told to free
  # them).
  registerWorker @0 (address :WorkerAddress, capacityBytes :UInt64, usedBytes :UInt64,
                     blockIds :List(UInt64))
      -> (status :Status, workerId :UInt64, blocksToFree :List(UInt64),
          blocksToPin :List(UInt64));
  # `reregister` in the reply: the master does not know this worker (restarted or marked lost).
  # `mountIds`: every current mount; a worker drops the UFS objects of the others (unmounted).
  # `persistFiles`: files this worker holds every block of and is to persist now (while it
  # persists fewer than 64). `persisting`:
  # the files the worker is persisting; one the master handed it that is not among them (its
  # outcome never arrived) is handed out again after the retry backoff.
  heartbeat @1 (workerId :UInt64, usedBytes :UInt64, addedBlocks :List(UInt64),
                removedBlocks :List(UInt64), persisting :List(UInt64))
      -> (status :Status, reregister :Bool, blocksToFree :List(UInt64), mountIds :List(UInt64),
          persistFiles :List(PersistFile));
  # `usedBytes`: the worker's usage with this block, so capacity reports count it at once.
  commitBlock @2 (workerId :UInt64, blockId :UInt64, length :UInt64, tierAlias :Text,
                  usedBytes :UInt64) -> (status :Status);
  # The outcome of persisting a file of `persistFiles`: with `result` none, the worker staged
  # `length` bytes and the master publishes them onto the file's current path. The reply's
  # status is none once the file is persisted, notFound if it is gone (its copy dropped):
  # either way the worker may unpin its blocks; otherwise the master retries later.
  persistDone @3 (workerId :UInt64, fileId :UInt64, length :UInt64, result :Status)
      -> (status :Status);
}
