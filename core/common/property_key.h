// The registry of known configuration properties: every property the master, the worker, the
// client and the FUSE server read, with Alluxio's names, types and defaults.
//
// Callers name a property with a PropertyKey enumerator (`PropertyKey::kFuseMountPoint`); the
// enumerator indexes the registry table (property_key.cc), which holds the Alluxio name
// ("alluxio.fuse.mount.point"), the type, the default and a one-line description.
//
// Adding a property: add an enumerator here (any position before kCount), add its row to
// kProperties in property_key.cc in the same position (a static_assert checks the order), and
// add it to docs/configuration.md.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string_view>

namespace alluxio {

enum class PropertyKey : int {
  // General.
  kHome,         // alluxio.home
  kConfDir,      // alluxio.conf.dir
  kWorkDir,      // alluxio.work.dir
  kLogsDir,      // alluxio.logs.dir
  kLoggerLevel,  // alluxio.logger.level (ours)
  kTmpDirs,      // alluxio.tmp.dirs
  // Security.
  kSecurityLoginUsername,
  kSecurityAuthorizationPermissionEnabled,
  kSecurityAuthorizationPermissionSupergroup,
  // Master.
  kMasterHostname,
  kMasterBindHost,
  kMasterRpcPort,
  kMasterJournalFolder,
  kMasterMetastoreDir,
  kMasterMountTableRootUfs,
  kMasterWorkerTimeout,
  kMasterLostWorkerDetectionInterval,
  // Worker.
  kWorkerHostname,
  kWorkerBindHost,
  kWorkerRpcPort,
  kWorkerDomainSocketAddress,
  kWorkerBlockReaderThreads,
  kWorkerUfsBlockReadRangeSize,
  kWorkerUfsBlockReadRangesMax,
  kWorkerRamdiskSize,
  kWorkerDataFolder,
  kWorkerBlockHeartbeatInterval,
  kWorkerTieredstoreLevels,
  kWorkerTieredstoreLevel0Alias,
  kWorkerTieredstoreLevel0DirsPath,
  kWorkerTieredstoreLevel0DirsQuota,
  kWorkerTieredstoreLevel1Alias,
  kWorkerTieredstoreLevel1DirsPath,
  kWorkerTieredstoreLevel1DirsQuota,
  kWorkerTieredstoreLevel2Alias,
  kWorkerTieredstoreLevel2DirsPath,
  kWorkerTieredstoreLevel2DirsQuota,
  kWorkerFuseEnabled,
  // Under storage: S3 (also per mount: alluxio fs mount --option key=value).
  kUnderfsS3Endpoint,
  kUnderfsS3EndpointRegion,
  kUnderfsS3DisableDnsBuckets,
  kUnderfsS3ThreadsMax,
  kUnderfsS3UploadThreadsMax,
  kUnderfsS3RequestTimeout,
  kUnderfsS3StreamingUploadPartitionSize,
  kUnderfsS3DirectorySuffix,
  kUnderfsS3DefaultMode,
  kS3aAccessKeyId,
  kS3aSecretKey,
  // Client (user).
  kUserBlockSizeBytesDefault,
  kUserFileWriteTypeDefault,
  kUserFilePersistenceInitialWaitTime,
  kUserFileReadTypeDefault,
  kUserFileBufferBytes,
  kUserFileMetadataSyncInterval,
  kUserMetadataCacheEnabled,
  kUserMetadataCacheMaxSize,
  kUserMetadataCacheExpirationTime,
  kUserClientCacheEnabled,
  kUserClientCacheDirs,
  kUserClientCacheSize,
  kUserMetricsCollectionEnabled,
  kUserLoggingThreshold,
  kUserShortCircuitEnabled,
  kUserHostname,
  kUserUfsBlockReadLocationPolicy,
  kUserBlockWriteLocationPolicy,
  kUserFilePassiveCacheEnabled,
  kUserFileLoadOnOpenMaxSize,
  kUserUnsafeDirectLocalIoEnabled,
  kUserUpdateFileAccesstimeDisabled,
  kUserBlockWorkerClientPoolMax,
  kUserBlockMasterClientPoolSizeMax,
  kUserFileMasterClientPoolSizeMax,
  kUserRpcRetryMaxDuration,
  kUserRpcRetryBaseSleep,
  kUserRpcRetryMaxSleep,
  kUserStreamingDataReadTimeout,
  kUserStreamingDataWriteTimeout,
  kUserStreamingReaderChunkSizeBytes,
  kUserStreamingWriterChunkSizeBytes,
  // FUSE.
  kFuseMountPoint,
  kFuseMountAlluxioPath,
  kFuseMountOptions,
  kFuseJnifuseEnabled,
  kFuseFsName,
  kFuseDebugEnabled,
  kFuseLoggingThreshold,
  kFuseCachedPathsMax,
  kFuseUserGroupTranslationEnabled,
  kFuseAuthPolicyClass,
  kFuseAuthPolicyCustomUser,
  kFuseAuthPolicyCustomGroup,
  kFusePermissionCheckEnabled,
  kFuseUmountTimeout,
  kFuseSpecialCommandEnabled,
  kFuseStatCacheRefreshInterval,
  kFuseMaxwriteBytes,
  kFuseSharedCachingReaderEnabled,
  kFusePassthroughEnabled,
  kFuseIoUringEnabled,
  kFuseIoUringPollMicros,
  // Fault injection (ours, docs/fault_injection.md).
  kUnderfsFaultInjectionFile,  // alluxio.underfs.fault.injection.file
  kRpcFaultInjectionFile,      // alluxio.rpc.fault.injection.file

  kCount  // not a property
};

inline constexpr int kPropertyCount = static_cast<int>(PropertyKey::kCount);

enum class PropertyType {
  kBool,       // "true" / "false", case-insensitive
  kInt,        // decimal integer, optionally signed, within [min, max]
  kBytes,      // "64MB", "1.5GB", "512k", "4096" (bytes); units B KB MB GB TB PB or K M G T P
  kBytesList,  // comma-separated byte sizes ("1GB,512MB"), one per directory
  kDuration,   // "10min", "5s", "100ms", "1h", "1d"; a plain number is milliseconds
  kString,     // any text
  kEnum,       // one of allowed (case-insensitive; the registry's spelling is canonical)
  kList,       // comma-separated strings, items trimmed, empty items dropped
};

std::string_view PropertyTypeName(PropertyType type);

struct PropertyDef {
  PropertyKey key;
  std::string_view name;  // "alluxio.fuse.mount.point"
  PropertyType type;
  std::string_view default_value;  // raw text, may contain ${other.key}; "" allowed
  std::string_view description;
  std::string_view allowed = {};  // kEnum: "A|B|C" (canonical spellings)
  // kInt: value bounds; kDuration: bounds in milliseconds; kBytes: bounds in bytes.
  int64_t min = 0;
  int64_t max = std::numeric_limits<int64_t>::max();
};

// True for a property whose value is a secret (credentials): listings and logs show "******".
bool IsSecretProperty(std::string_view name);

// The registry row of a key. Always valid for key < kCount.
const PropertyDef& GetPropertyDef(PropertyKey key);

// Every registered property, in PropertyKey order.
std::span<const PropertyDef> AllProperties();

// The property a name refers to, through an alias if needed; nullptr when not registered.
const PropertyDef* FindProperty(std::string_view name);

// Properties named after a value, as Alluxio's alluxio.master.security.impersonation.<user>.users:
// `prefix` + the value + `suffix`. They are not registered (a component reads them through
// Configuration::Entries()), and setting one is no "unknown property".
struct PropertyTemplate {
  std::string_view prefix;
  std::string_view suffix;
};
inline constexpr PropertyTemplate kImpersonationUsersTemplate{
    "alluxio.master.security.impersonation.", ".users"};
inline constexpr PropertyTemplate kImpersonationGroupsTemplate{
    "alluxio.master.security.impersonation.", ".groups"};
// The (nonempty) value inside `name` when it is of template `t`; nullopt otherwise.
std::optional<std::string_view> MatchTemplate(std::string_view name, const PropertyTemplate& t);
// True when `name` is of one of the templates above.
bool MatchesPropertyTemplate(std::string_view name);

// Alluxio's alternative names for properties (alluxio.worker.fuse.mount.point →
// alluxio.fuse.mount.point, ...).
struct PropertyAlias {
  std::string_view alias;
  PropertyKey key;
};
std::span<const PropertyAlias> AllPropertyAliases();

// Alluxio's environment variables and the property each one sets (ALLUXIO_HOME → alluxio.home).
struct EnvironmentProperty {
  std::string_view variable;
  PropertyKey key;
};
std::span<const EnvironmentProperty> AllEnvironmentProperties();

}  // namespace alluxio
