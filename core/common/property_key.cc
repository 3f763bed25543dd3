#include "core/common/property_key.h"

#include <array>
#include <cassert>
#include <string>
#include <unordered_map>

namespace alluxio {
namespace {

using K = PropertyKey;
using T = PropertyType;

constexpr int64_t kMaxPort = 65535;

// One row per PropertyKey, in enumerator order. Defaults are Alluxio 2.9's unless the comment
// says "ours" (docs/configuration.md lists the differences).
constexpr PropertyDef kProperties[] = {
    // General.
    {K::kHome, "alluxio.home", T::kString, "/opt/alluxio",
     "Installation directory. Defaults to $ALLUXIO_HOME, else the directory above the bin/ "
     "holding the executable, else /opt/alluxio."},
    {K::kConfDir, "alluxio.conf.dir", T::kString, "${alluxio.home}/conf",
     "Directory holding alluxio-site.properties ($ALLUXIO_CONF_DIR)."},
    {K::kWorkDir, "alluxio.work.dir", T::kString, "${alluxio.home}",
     "Base directory of the journal, metastore and local under storage."},
    {K::kLogsDir, "alluxio.logs.dir", T::kString, "${alluxio.work.dir}/logs",
     "Directory of master.log, worker.log and fuse.log ($ALLUXIO_LOGS_DIR)."},
    {K::kLoggerLevel, "alluxio.logger.level", T::kEnum, "INFO",
     "Lowest level written to the logs (ours). alluxio.fuse.debug.enabled forces DEBUG in FUSE.",
     "DEBUG|INFO|WARN|ERROR"},
    {K::kTmpDirs, "alluxio.tmp.dirs", T::kList, "/tmp",
     "Local directories for temporary files; alluxio-fuse stages files written at random "
     "offsets or through a shared mapping in the first one."},
    // Security.
    {K::kSecurityLoginUsername, "alluxio.security.login.username", T::kString, "",
     "The user a client names to the master; empty: the user it runs as."},
    {K::kSecurityAuthorizationPermissionEnabled,
     "alluxio.security.authorization.permission.enabled", T::kBool, "true",
     "The master checks the mode bits, owner and group of every path a client's user touches."},
    {K::kSecurityAuthorizationPermissionSupergroup,
     "alluxio.security.authorization.permission.supergroup", T::kString, "supergroup",
     "Members of this group are superusers for the master, as the user it runs as is."},
    // Master.
    {K::kMasterHostname, "alluxio.master.hostname", T::kString, "localhost",
     "Host name clients and workers use to reach the master ($ALLUXIO_MASTER_HOSTNAME)."},
    {K::kMasterBindHost, "alluxio.master.bind.host", T::kString, "0.0.0.0",
     "Address the master's RPC server listens on."},
    {K::kMasterRpcPort,
     "alluxio.master.rpc.port",
     T::kInt,
     "19998",
     "Master RPC port.",
     {},
     0,
     kMaxPort},
    {K::kMasterJournalFolder, "alluxio.master.journal.folder", T::kString,
     "${alluxio.work.dir}/journal", "Directory of the master's journal."},
    {K::kMasterMetastoreDir, "alluxio.master.metastore.dir", T::kString,
     "${alluxio.work.dir}/metastore", "Directory of the master's RocksDB namespace store."},
    {K::kMasterMountTableRootUfs, "alluxio.master.mount.table.root.ufs", T::kString,
     "${alluxio.work.dir}/underFSStorage",
     "Under storage mounted at / ($ALLUXIO_MASTER_MOUNT_TABLE_ROOT_UFS)."},
    {K::kMasterWorkerTimeout,
     "alluxio.master.worker.timeout",
     T::kDuration,
     "5min",
     "A worker silent for this long is declared lost.",
     {},
     1},
    {K::kMasterLostWorkerDetectionInterval,
     "alluxio.master.lost.worker.detection.interval",
     T::kDuration,
     "10s",
     "How often the master looks for lost workers.",
     {},
     1},
    // Worker.
    {K::kWorkerHostname, "alluxio.worker.hostname", T::kString, "",
     "Host name the worker registers with; empty: the local host name."},
    {K::kWorkerBindHost, "alluxio.worker.bind.host", T::kString, "0.0.0.0",
     "Address the worker's RPC server listens on."},
    {K::kWorkerRpcPort,
     "alluxio.worker.rpc.port",
     T::kInt,
     "29999",
     "Worker RPC port.",
     {},
     0,
     kMaxPort},
    {K::kWorkerDomainSocketAddress, "alluxio.worker.data.server.domain.socket.address", T::kString,
     "${alluxio.work.dir}/run",
     "Directory of the worker's unix socket (worker-<rpc port>.sock), which clients on the same "
     "host use instead of TCP; empty: none. (Alluxio's name; this is its as.uuid=true form.)"},
    {K::kWorkerBlockReaderThreads, "alluxio.worker.network.block.reader.threads.max", T::kInt, "64",
     "Threads that read blocks through from the under storage (a cold block): that many UFS "
     "reads in flight at once, none of them on the worker's reactor. (Alluxio's name.)"},
    {K::kWorkerUfsBlockReadRangeSize, "alluxio.worker.ufs.block.read.range.size", T::kBytes, "8MB",
     "Bytes per UFS read (one ranged GET on S3) when a worker fetches a cold block once for its "
     "readers and its cache."},
    {K::kWorkerUfsBlockReadRangesMax,
     "alluxio.worker.ufs.block.read.ranges.max",
     T::kInt,
     "8",
     "UFS reads of one cold block in flight at once (read-ahead within the block); 1: one at a "
     "time.",
     {},
     1,
     1024},
    {K::kWorkerRamdiskSize, "alluxio.worker.ramdisk.size", T::kBytes, "1GB",
     "Memory tier capacity ($ALLUXIO_WORKER_RAMDISK_SIZE, $ALLUXIO_WORKER_MEMORY_SIZE)."},
    {K::kWorkerDataFolder, "alluxio.worker.data.folder", T::kString, "alluxioworker",
     "Sub-directory created in each tiered-store directory for block files."},
    {K::kWorkerBlockHeartbeatInterval,
     "alluxio.worker.block.heartbeat.interval",
     T::kDuration,
     "1s",
     "Interval of the worker's block heartbeat to the master.",
     {},
     1},
    {K::kWorkerTieredstoreLevels,
     "alluxio.worker.tieredstore.levels",
     T::kInt,
     "1",
     "Number of storage tiers.",
     {},
     1,
     3},
    {K::kWorkerTieredstoreLevel0Alias, "alluxio.worker.tieredstore.level0.alias", T::kString, "MEM",
     "Alias of the top tier."},
    {K::kWorkerTieredstoreLevel0DirsPath, "alluxio.worker.tieredstore.level0.dirs.path", T::kList,
     "/dev/shm",
     "Directories of the top tier (ours: /dev/shm; Alluxio: /mnt/ramdisk) ($ALLUXIO_RAM_FOLDER)."},
    {K::kWorkerTieredstoreLevel0DirsQuota, "alluxio.worker.tieredstore.level0.dirs.quota",
     T::kBytesList, "${alluxio.worker.ramdisk.size}", "Capacity of each top-tier directory."},
    {K::kWorkerTieredstoreLevel1Alias, "alluxio.worker.tieredstore.level1.alias", T::kString, "SSD",
     "Alias of the second tier."},
    {K::kWorkerTieredstoreLevel1DirsPath, "alluxio.worker.tieredstore.level1.dirs.path", T::kList,
     "/mnt/ssd", "Directories of the second tier."},
    {K::kWorkerTieredstoreLevel1DirsQuota, "alluxio.worker.tieredstore.level1.dirs.quota",
     T::kBytesList, "", "Capacity of each second-tier directory (required when used)."},
    {K::kWorkerTieredstoreLevel2Alias, "alluxio.worker.tieredstore.level2.alias", T::kString, "HDD",
     "Alias of the third tier."},
    {K::kWorkerTieredstoreLevel2DirsPath, "alluxio.worker.tieredstore.level2.dirs.path", T::kList,
     "/mnt/hdd", "Directories of the third tier."},
    {K::kWorkerTieredstoreLevel2DirsQuota, "alluxio.worker.tieredstore.level2.dirs.quota",
     T::kBytesList, "", "Capacity of each third-tier directory (required when used)."},
    {K::kWorkerFuseEnabled, "alluxio.worker.fuse.enabled", T::kBool, "false",
     "Host the FUSE server in the worker process."},
    // Under storage: S3.
    {K::kUnderfsS3Endpoint, "alluxio.underfs.s3.endpoint", T::kString, "",
     "S3 endpoint (http://host:port or https://host); empty: AWS, "
     "https://s3.<region>.amazonaws.com."},
    {K::kUnderfsS3EndpointRegion, "alluxio.underfs.s3.endpoint.region", T::kString, "",
     "Region requests are signed for (SigV4); empty: us-east-1."},
    {K::kUnderfsS3DisableDnsBuckets, "alluxio.underfs.s3.disable.dns.buckets", T::kBool, "false",
     "Path-style requests (http://host/bucket/key) instead of http://bucket.host/key."},
    {K::kUnderfsS3ThreadsMax,
     "alluxio.underfs.s3.threads.max",
     T::kInt,
     "40",
     "Connections kept to S3 by one S3 under storage (requests beyond wait for one).",
     {},
     1,
     4096},
    {K::kUnderfsS3UploadThreadsMax,
     "alluxio.underfs.s3.upload.threads.max",
     T::kInt,
     "20",
     "Parts of one file uploaded at once while it is written.",
     {},
     1,
     1024},
    {K::kUnderfsS3RequestTimeout,
     "alluxio.underfs.s3.request.timeout",
     T::kDuration,
     "1min",
     "Timeout of one S3 request (each retry has its own).",
     {},
     1},
    {K::kUnderfsS3StreamingUploadPartitionSize,
     "alluxio.underfs.s3.streaming.upload.partition.size",
     T::kBytes,
     "64MB",
     "Part size of the multipart upload a file is streamed with (a smaller file is one PUT).",
     {},
     5ll << 20,
     5ll << 30},
    {K::kUnderfsS3DirectorySuffix, "alluxio.underfs.s3.directory.suffix", T::kString, "/",
     "Suffix of the zero-byte object that marks a directory."},
    {K::kUnderfsS3DefaultMode, "alluxio.underfs.s3.default.mode", T::kString, "0700",
     "Permission bits (octal) reported for S3 objects, which carry none."},
    {K::kS3aAccessKeyId, "s3a.accessKeyId", T::kString, "",
     "S3 access key; empty: $AWS_ACCESS_KEY_ID. Never shown in listings."},
    {K::kS3aSecretKey, "s3a.secretKey", T::kString, "",
     "S3 secret key; empty: $AWS_SECRET_ACCESS_KEY. Never shown in listings."},
    // Client (user).
    {K::kUserBlockSizeBytesDefault,
     "alluxio.user.block.size.bytes.default",
     T::kBytes,
     "64MB",
     "Block size of new files.",
     {},
     1},
    {K::kUserFileWriteTypeDefault, "alluxio.user.file.writetype.default", T::kEnum, "CACHE_THROUGH",
     "Write type of new files (ours: CACHE_THROUGH; Alluxio 2.9: ASYNC_THROUGH).",
     "MUST_CACHE|CACHE_THROUGH|THROUGH|ASYNC_THROUGH"},
    {K::kUserFilePersistenceInitialWaitTime, "alluxio.user.file.persistence.initial.wait.time",
     T::kDuration, "0",
     "ASYNC_THROUGH: how long after completion the master waits before persisting a file (not "
     "kept across a master restart: pending persists are due at once then)."},
    {K::kUserFileReadTypeDefault, "alluxio.user.file.readtype.default", T::kEnum, "CACHE",
     "Read type: whether reads cache blocks in workers.", "NO_CACHE|CACHE|CACHE_PROMOTE"},
    {K::kUserFileBufferBytes,
     "alluxio.user.file.buffer.bytes",
     T::kBytes,
     "8MB",
     "Client buffer for file reads and writes.",
     {},
     1},
    {K::kUserFileMetadataSyncInterval,
     "alluxio.user.file.metadata.sync.interval",
     T::kDuration,
     "-1",
     "Sync metadata with the under storage: -1 never after the first load, 0 always, else "
     "at most once per interval.",
     {},
     -1},
    {K::kUserMetadataCacheEnabled, "alluxio.user.metadata.cache.enabled", T::kBool, "false",
     "Cache path metadata in the client."},
    {K::kUserMetadataCacheMaxSize,
     "alluxio.user.metadata.cache.max.size",
     T::kInt,
     "100000",
     "Maximum number of paths in the client metadata cache.",
     {},
     0},
    {K::kUserMetadataCacheExpirationTime, "alluxio.user.metadata.cache.expiration.time",
     T::kDuration, "10min", "Cached metadata expires after this long."},
    {K::kUserClientCacheEnabled, "alluxio.user.client.cache.enabled", T::kBool, "false",
     "Cache file data on the client's local disk."},
    {K::kUserClientCacheDirs, "alluxio.user.client.cache.dirs", T::kList, "/tmp/alluxio_cache",
     "Directories of the client data cache."},
    {K::kUserClientCacheSize, "alluxio.user.client.cache.size", T::kBytesList, "512MB",
     "Capacity of each client data cache directory."},
    {K::kUserMetricsCollectionEnabled, "alluxio.user.metrics.collection.enabled", T::kBool, "false",
     "Collect client metrics."},
    {K::kUserLoggingThreshold, "alluxio.user.logging.threshold", T::kDuration, "10s",
     "Log a client RPC slower than this at WARN."},
    {K::kUserShortCircuitEnabled, "alluxio.user.short.circuit.enabled", T::kBool, "true",
     "Read blocks cached by a worker on this host from its block files (no data over RPC)."},
    {K::kUserHostname, "alluxio.user.hostname", T::kString, "",
     "This client's host as workers name theirs (alluxio.worker.hostname): a worker registered "
     "with this name, or with an address of this host's interfaces, is on this host (read "
     "short-circuit, preferred). Empty: the local host name."},
    {K::kUserUfsBlockReadLocationPolicy, "alluxio.user.ufs.block.read.location.policy", T::kEnum,
     "DeterministicHashPolicy",
     "The worker asked to read a block cached nowhere from the under storage (and cache it): "
     "DeterministicHashPolicy (a consistent hash of the block over the live workers, so every "
     "client picks the same one and a block is cached once in the cluster), LocalFirstPolicy "
     "(the worker on this host, else the hash) or MostAvailableFirstPolicy (the most free "
     "capacity). A Java package prefix (alluxio.client.block.policy.) is accepted.",
     "DeterministicHashPolicy|LocalFirstPolicy|MostAvailableFirstPolicy"},
    {K::kUserBlockWriteLocationPolicy, "alluxio.user.block.write.location.policy", T::kEnum,
     "LocalFirstPolicy",
     "The worker a new file is written through; the choices of "
     "alluxio.user.ufs.block.read.location.policy, hashing the file id.",
     "DeterministicHashPolicy|LocalFirstPolicy|MostAvailableFirstPolicy"},
    {K::kUserFilePassiveCacheEnabled, "alluxio.user.file.passive.cache.enabled", T::kBool, "false",
     "A block read from a worker on another host is also cached by the worker on this host (it "
     "reads it from the under storage). Alluxio's default is true; here false, so a block is "
     "cached and read from the under storage once in the cluster."},
    {K::kUserFileLoadOnOpenMaxSize, "alluxio.user.file.load.on.open.max.size", T::kBytes, "8MB",
     "A cold file of at most this size, held in one block, is loaded into the worker on this host "
     "when opened for reading, then read from the block file (short-circuit; kernel passthrough "
     "under FUSE) instead of streamed over RPC. 0: never."},
    {K::kUserUnsafeDirectLocalIoEnabled, "alluxio.user.unsafe.direct.local.io.enabled", T::kBool,
     "false", "Read blocks of the local worker directly, without an RPC (read-only workloads)."},
    {K::kUserUpdateFileAccesstimeDisabled, "alluxio.user.update.file.accesstime.disabled", T::kBool,
     "false", "Do not send access-time updates to the master."},
    {K::kUserBlockWorkerClientPoolMax,
     "alluxio.user.block.worker.client.pool.max",
     T::kInt,
     "1024",
     "Maximum block worker clients.",
     {},
     1},
    {K::kUserBlockMasterClientPoolSizeMax,
     "alluxio.user.block.master.client.pool.size.max",
     T::kInt,
     "1024",
     "Maximum block master clients.",
     {},
     1},
    {K::kUserFileMasterClientPoolSizeMax,
     "alluxio.user.file.master.client.pool.size.max",
     T::kInt,
     "1024",
     "Maximum file master clients.",
     {},
     1},
    {K::kUserRpcRetryMaxDuration, "alluxio.user.rpc.retry.max.duration", T::kDuration, "2min",
     "Give up retrying a failed RPC after this long."},
    {K::kUserRpcRetryBaseSleep, "alluxio.user.rpc.retry.base.sleep", T::kDuration, "50ms",
     "First back-off between RPC retries."},
    {K::kUserRpcRetryMaxSleep, "alluxio.user.rpc.retry.max.sleep", T::kDuration, "3s",
     "Longest back-off between RPC retries."},
    {K::kUserStreamingDataReadTimeout,
     "alluxio.user.streaming.data.read.timeout",
     T::kDuration,
     "3min",
     "A block read stream making no progress for this long fails.",
     {},
     1},
    {K::kUserStreamingDataWriteTimeout,
     "alluxio.user.streaming.data.write.timeout",
     T::kDuration,
     "3min",
     "A block write stream making no progress for this long fails.",
     {},
     1},
    {K::kUserStreamingReaderChunkSizeBytes,
     "alluxio.user.streaming.reader.chunk.size.bytes",
     T::kBytes,
     "1MB",
     "Chunk size of block read streams.",
     {},
     1},
    {K::kUserStreamingWriterChunkSizeBytes,
     "alluxio.user.streaming.writer.chunk.size.bytes",
     T::kBytes,
     "1MB",
     "Chunk size of block write streams.",
     {},
     1},
    // FUSE.
    {K::kFuseMountPoint, "alluxio.fuse.mount.point", T::kString, "/mnt/alluxio-fuse",
     "Local mount point (alias alluxio.worker.fuse.mount.point)."},
    {K::kFuseMountAlluxioPath, "alluxio.fuse.mount.alluxio.path", T::kString, "/",
     "Alluxio path mounted (alias alluxio.worker.fuse.mount.alluxio.path)."},
    {K::kFuseMountOptions, "alluxio.fuse.mount.options", T::kList,
     "attr_timeout=600,entry_timeout=600",
     "Mount options; -o on the command line replaces them (alias "
     "alluxio.worker.fuse.mount.options)."},
    {K::kFuseJnifuseEnabled, "alluxio.fuse.jnifuse.enabled", T::kBool, "true",
     "Java-only switch (JNI vs JNR FUSE); accepted for compatibility."},
    {K::kFuseFsName, "alluxio.fuse.fs.name", T::kString, "alluxio-fuse",
     "File system name shown by mount (fuse.<name>)."},
    {K::kFuseDebugEnabled, "alluxio.fuse.debug.enabled", T::kBool, "false",
     "Log every FUSE operation (sets the FUSE log level to DEBUG)."},
    {K::kFuseLoggingThreshold, "alluxio.fuse.logging.threshold", T::kDuration, "10s",
     "Log a FUSE operation slower than this at WARN."},
    {K::kFuseCachedPathsMax,
     "alluxio.fuse.cached.paths.max",
     T::kInt,
     "500",
     "Size of the path translation cache.",
     {},
     0},
    {K::kFuseUserGroupTranslationEnabled, "alluxio.fuse.user.group.translation.enabled", T::kBool,
     "false", "Map Alluxio owner/group names to local uid/gid; off: chown/chgrp are no-ops."},
    {K::kFuseAuthPolicyClass, "alluxio.fuse.auth.policy.class", T::kEnum,
     "LaunchUserGroupAuthPolicy",
     "Whose files a mount shows and creates: the launching user's (Launch), each caller's "
     "(System: new files owned by their creator, owners shown as local uid/gid) or a fixed "
     "user's (Custom). A Java package prefix (alluxio.fuse.auth.) is accepted.",
     "LaunchUserGroupAuthPolicy|SystemUserGroupAuthPolicy|CustomAuthPolicy"},
    {K::kFuseAuthPolicyCustomUser, "alluxio.fuse.auth.policy.custom.user", T::kString, "",
     "User of CustomAuthPolicy."},
    {K::kFuseAuthPolicyCustomGroup, "alluxio.fuse.auth.policy.custom.group", T::kString, "",
     "Group of CustomAuthPolicy."},
    {K::kFusePermissionCheckEnabled, "alluxio.fuse.permission.check.enabled", T::kBool, "true",
     "With allow_other or allow_root, the kernel checks each request against its caller's uid, "
     "gid and groups (default_permissions is added); false leaves every user acting as the "
     "mounting user (ours)."},
    {K::kFuseUmountTimeout, "alluxio.fuse.umount.timeout", T::kDuration, "0s",
     "On SIGTERM, wait this long for open streams to close."},
    {K::kFuseSpecialCommandEnabled, "alluxio.fuse.special.command.enabled", T::kBool, "false",
     "Serve .alluxiocli.metadatacache.{dropAll,drop,size} special paths."},
    {K::kFuseStatCacheRefreshInterval, "alluxio.fuse.stat.cache.refresh.interval", T::kDuration,
     "5min", "How long a statfs result is cached."},
    {K::kFuseMaxwriteBytes,
     "alluxio.fuse.maxwrite.bytes",
     T::kBytes,
     "128KB",
     "Largest write the kernel sends.",
     {},
     4096},
    {K::kFuseSharedCachingReaderEnabled, "alluxio.fuse.shared.caching.reader.enabled", T::kBool,
     "false", "Share one caching reader between handles of a file (experimental)."},
    {K::kFusePassthroughEnabled, "alluxio.fuse.passthrough.enabled", T::kBool, "true",
     "Let the kernel read a file cached whole by a worker on this host straight from its cache "
     "file, and write a new file straight into the worker's cache file for it (FUSE passthrough; "
     "needs CAP_SYS_ADMIN and Linux 6.9+, else reads and writes go through the server). false: "
     "new files are streamed to a worker."},
    {K::kFuseIoUringEnabled, "alluxio.fuse.io_uring.enabled", T::kBool, "true",
     "Serve the mount over FUSE-over-io_uring: one ring per CPU, so a request is answered on the "
     "CPU that made it (Linux 6.14+; the fuse module's enable_uring is set to Y when it is N; "
     "else /dev/fuse serves the mount)."},
    {K::kFuseIoUringPollMicros,
     "alluxio.fuse.io_uring.poll.us",
     T::kInt,
     "50",
     "Over io_uring, after answering every request it took, a CPU's queue polls its ring this "
     "many microseconds for the next one before sleeping, yielding to anything else runnable on "
     "that CPU (ours; 0: sleep at once). The waiting caller is then woken on its own CPU, not "
     "moved to an idle one: a single stream of stats or small reads about 3x faster.",
     {},
     0,
     100000},
    // Fault injection.
    {K::kUnderfsFaultInjectionFile, "alluxio.underfs.fault.injection.file", T::kString, "",
     "Control file of the under storage fault injection of a master or worker (ours, "
     "docs/fault_injection.md): its commands fail, stall or fill up UFS calls, re-read when the "
     "file changes. Empty: none (the plain UFS, no overhead). For tests only."},
    {K::kRpcFaultInjectionFile, "alluxio.rpc.fault.injection.file", T::kString, "",
     "Control file of the RPC fault injection of a master's or worker's server (ours, "
     "docs/fault_injection.md): its commands fail, delay or disconnect the next calls of a "
     "method, re-read when the file changes. Empty: none (no overhead). For tests only."},
};

static_assert(std::size(kProperties) == kPropertyCount, "one registry row per PropertyKey");

constexpr bool RowsInKeyOrder() {
  for (int i = 0; i < kPropertyCount; ++i) {
    if (static_cast<int>(kProperties[i].key) != i) return false;
  }
  return true;
}
static_assert(RowsInKeyOrder(), "kProperties rows must follow PropertyKey order");

constexpr PropertyAlias kAliases[] = {
    {"alluxio.worker.fuse.mount.point", K::kFuseMountPoint},
    {"alluxio.worker.fuse.mount.alluxio.path", K::kFuseMountAlluxioPath},
    {"alluxio.worker.fuse.mount.options", K::kFuseMountOptions},
};

// Later rows win when several are set (ALLUXIO_WORKER_RAMDISK_SIZE over the older name).
constexpr EnvironmentProperty kEnvironment[] = {
    {"ALLUXIO_HOME", K::kHome},
    {"ALLUXIO_CONF_DIR", K::kConfDir},
    {"ALLUXIO_LOGS_DIR", K::kLogsDir},
    {"ALLUXIO_MASTER_HOSTNAME", K::kMasterHostname},
    {"ALLUXIO_MASTER_MOUNT_TABLE_ROOT_UFS", K::kMasterMountTableRootUfs},
    {"ALLUXIO_RAM_FOLDER", K::kWorkerTieredstoreLevel0DirsPath},
    {"ALLUXIO_WORKER_MEMORY_SIZE", K::kWorkerRamdiskSize},
    {"ALLUXIO_WORKER_RAMDISK_SIZE", K::kWorkerRamdiskSize},
};

const std::unordered_map<std::string_view, PropertyKey>& NameIndex() {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, PropertyKey>();
    for (const PropertyDef& def : kProperties) m->emplace(def.name, def.key);
    for (const PropertyAlias& a : kAliases) m->emplace(a.alias, a.key);
    return m;
  }();
  return *index;
}

}  // namespace

std::string_view PropertyTypeName(PropertyType type) {
  switch (type) {
    case PropertyType::kBool:
      return "boolean";
    case PropertyType::kInt:
      return "integer";
    case PropertyType::kBytes:
      return "byte size";
    case PropertyType::kBytesList:
      return "list of byte sizes";
    case PropertyType::kDuration:
      return "duration";
    case PropertyType::kString:
      return "string";
    case PropertyType::kEnum:
      return "enumeration";
    case PropertyType::kList:
      return "list";
  }
  return "?";
}

const PropertyDef& GetPropertyDef(PropertyKey key) {
  const int i = static_cast<int>(key);
  assert(i >= 0 && i < kPropertyCount);
  return kProperties[i];
}

std::span<const PropertyDef> AllProperties() { return kProperties; }

const PropertyDef* FindProperty(std::string_view name) {
  const auto& index = NameIndex();
  auto it = index.find(name);
  if (it == index.end()) return nullptr;
  return &kProperties[static_cast<int>(it->second)];
}

std::span<const PropertyAlias> AllPropertyAliases() { return kAliases; }

std::span<const EnvironmentProperty> AllEnvironmentProperties() { return kEnvironment; }

bool IsSecretProperty(std::string_view name) {
  return name == "s3a.secretKey" || name == "s3a.accessKeyId" || name == "aws.secretKey" ||
         name == "aws.accessKeyId";
}

std::optional<std::string_view> MatchTemplate(std::string_view name, const PropertyTemplate& t) {
  if (name.size() <= t.prefix.size() + t.suffix.size() || !name.starts_with(t.prefix) ||
      !name.ends_with(t.suffix)) {
    return std::nullopt;
  }
  return name.substr(t.prefix.size(), name.size() - t.prefix.size() - t.suffix.size());
}

bool MatchesPropertyTemplate(std::string_view name) {
  return MatchTemplate(name, kImpersonationUsersTemplate).has_value() ||
         MatchTemplate(name, kImpersonationGroupsTemplate).has_value();
}

}  // namespace alluxio
