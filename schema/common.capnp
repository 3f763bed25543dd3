# Types shared by the master and worker services.
@0xe272dbcdec7911e2;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("alluxio::wire");

# Mirrors alluxio::ErrorCode (core/common/error.h) one to one, plus `none`.
# core/wire/wire_convert.cc converts in both directions with exhaustive switches.
enum ErrorCode {
  none @0;
  notFound @1;
  alreadyExists @2;
  notEmpty @3;
  notADirectory @4;
  isADirectory @5;
  invalidPath @6;
  nameTooLong @7;
  invalidArgument @8;
  permissionDenied @9;
  notPermitted @10;
  incomplete @11;
  unavailable @12;
  disconnected @13;
  timedOut @14;
  cancelled @15;
  unsupported @16;
  noSpace @17;
  busy @18;
  readOnly @19;
  outOfRange @20;
  ioError @21;
  internal @22;
}

# Every method's result carries a Status; code `none` means success and the other fields of
# the result are valid.
struct Status {
  code @0 :ErrorCode;
  message @1 :Text;
}

enum WriteType {
  cacheThrough @0;  # cached on a worker and written to the UFS before completion (default)
  mustCache @1;     # cached only; not persisted
  through @2;       # written to the UFS only
  asyncThrough @3;  # cached only at completion; persisted in the background (toBePersisted)
}

struct WorkerAddress {
  host @0 :Text;
  rpcPort @1 :UInt16;
  # Identifies the machine: a client on the same host may read the worker's block files directly.
  hostId @2 :Text;
  # A unix socket serving the same worker service, for clients on host `hostId` ("" = none).
  domainSocket @3 :Text;
}

struct FileInfo {
  fileId @0 :UInt64;
  name @1 :Text;
  path @2 :Text;
  isDirectory @3 :Bool;
  length @4 :UInt64;
  blockSizeBytes @5 :UInt64;
  mode @6 :UInt32;        # permission bits only
  owner @7 :Text;
  group @8 :Text;
  mtimeMs @9 :Int64;
  completed @10 :Bool;
  persisted @11 :Bool;
  mountPoint @12 :Bool;
  blockIds @13 :List(UInt64);
  ufsUri @14 :Text;       # where the file's data lives (or is to be persisted) in its UFS
  symlinkTarget @15 :Text;  # a symbolic link's target; "" for files and directories
  # The mount the path is under (MountInfo::mount_id): with ufsUri, what opens its UFS
  # (FileSystemMaster.getUfsInfo gives the mount's options).
  mountId @16 :UInt64;
  # Complete, not yet persisted, and the master has a worker persist it (Alluxio's
  # TO_BE_PERSISTED persistence state); `persisted` once it is.
  toBePersisted @17 :Bool;
}
