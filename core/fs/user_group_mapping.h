// Owner and group names (Alluxio) ↔ local uid/gid (alluxio.fuse.user.group.translation.enabled).
// Lookups go through getpwnam_r / getgrnam_r / getpwuid_r / getgrgid_r and are cached for the
// life of the object. Thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace alluxio::fs {

class UserGroupMapping {
 public:
  // `fallback_uid/gid`: the id of a name the system does not know (and is not numeric).
  UserGroupMapping(uint32_t fallback_uid, uint32_t fallback_gid)
      : fallback_uid_(fallback_uid), fallback_gid_(fallback_gid) {}

  // A decimal name maps to its number when no such user/group exists.
  uint32_t Uid(const std::string& user);
  uint32_t Gid(const std::string& group);
  // The name of a uid/gid; its decimal form when unknown.
  std::string UserName(uint32_t uid);
  std::string GroupName(uint32_t gid);

 private:
  // cache[key], computed by lookup() (outside the lock) the first time.
  template <typename K, typename V, typename F>
  V Cached(std::map<K, V>& cache, const K& key, F lookup) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = cache.find(key); it != cache.end()) return it->second;
    }
    V value = lookup();
    std::lock_guard lock(mutex_);
    cache.emplace(key, value);
    return value;
  }

  const uint32_t fallback_uid_;
  const uint32_t fallback_gid_;
  std::mutex mutex_;
  std::map<std::string, uint32_t> uids_;
  std::map<std::string, uint32_t> gids_;
  std::map<uint32_t, std::string> user_names_;
  std::map<uint32_t, std::string> group_names_;
};

}  // namespace alluxio::fs
