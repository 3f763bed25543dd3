#include "core/client/client_options.h"

#include <algorithm>

#include "core/common/local_user.h"
#include "core/ufs/ufs_options.h"

namespace alluxio::client {
Result<ClientOptions> ClientOptions::FromConfiguration(const Configuration& conf) {
  using K = PropertyKey;
  ClientOptions o;
  o.master = rpc::Endpoint::Tcp(conf.GetString(K::kMasterHostname),
                                static_cast<uint16_t>(conf.GetInt(K::kMasterRpcPort)));
  o.user = conf.GetString(K::kSecurityLoginUsername);
  if (o.user.empty()) {
    o.user = LocalUserName();
    o.group = LocalGroupName();
  } else if (std::vector<std::string> groups = HostGroupsOf(o.user); !groups.empty()) {
    o.group = groups.front();
  }
  o.retry_max_duration = conf.GetDuration(K::kUserRpcRetryMaxDuration);
  o.retry_base_sleep = conf.GetDuration(K::kUserRpcRetryBaseSleep);
  o.retry_max_sleep = conf.GetDuration(K::kUserRpcRetryMaxSleep);
  o.read_timeout = conf.GetDuration(K::kUserStreamingDataReadTimeout);
  o.write_timeout = conf.GetDuration(K::kUserStreamingDataWriteTimeout);
  o.reader_chunk_bytes = static_cast<uint32_t>(std::min<int64_t>(
      conf.GetBytes(K::kUserStreamingReaderChunkSizeBytes), kMaxReaderChunkBytes));
  o.writer_chunk_bytes = static_cast<uint32_t>(
      std::min<int64_t>(conf.GetBytes(K::kUserStreamingWriterChunkSizeBytes), 64 << 20));
  o.block_size = static_cast<uint64_t>(conf.GetBytes(K::kUserBlockSizeBytesDefault));
  Result<WriteType> write_type = ParseWriteType(conf.GetEnum(K::kUserFileWriteTypeDefault));
  if (!write_type) return write_type.failure();
  o.write_type = *write_type;
  o.persistence_initial_wait = conf.GetDuration(K::kUserFilePersistenceInitialWaitTime);
  o.read_cache = conf.GetEnum(K::kUserFileReadTypeDefault) != "NO_CACHE";
  o.short_circuit = conf.GetBool(K::kUserShortCircuitEnabled);
  o.user_hostname = conf.GetString(K::kUserHostname);
  Result<BlockLocationPolicy> read_policy =
      ParseBlockLocationPolicy(conf.GetEnum(K::kUserUfsBlockReadLocationPolicy));
  if (!read_policy) return read_policy.failure();
  o.ufs_read_policy = *read_policy;
  Result<BlockLocationPolicy> write_policy =
      ParseBlockLocationPolicy(conf.GetEnum(K::kUserBlockWriteLocationPolicy));
  if (!write_policy) return write_policy.failure();
  o.write_policy = *write_policy;
  o.passive_cache = conf.GetBool(K::kUserFilePassiveCacheEnabled);
  o.load_on_open_max_bytes = static_cast<uint64_t>(conf.GetBytes(K::kUserFileLoadOnOpenMaxSize));
  o.ufs_fault_injection_file = conf.GetString(K::kUnderfsFaultInjectionFile);
  o.metadata_cache_enabled = conf.GetBool(K::kUserMetadataCacheEnabled);
  o.metadata_cache_max_size = static_cast<uint64_t>(conf.GetInt(K::kUserMetadataCacheMaxSize));
  o.metadata_cache_expiration = conf.GetDuration(K::kUserMetadataCacheExpirationTime);
  o.ufs_options = UfsOptionsOf(conf);
  return o;
}

}  // namespace alluxio::client
