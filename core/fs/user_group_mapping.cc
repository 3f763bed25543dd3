#include "core/fs/user_group_mapping.h"

#include <grp.h>
#include <pwd.h>

#include <charconv>
#include <optional>
#include <vector>

namespace alluxio::fs {
namespace {

std::optional<uint32_t> Numeric(const std::string& name) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), value);
  if (ec != std::errc() || end != name.data() + name.size() || name.empty()) return std::nullopt;
  return value;
}

std::optional<uint32_t> LookupUid(const std::string& name) {
  std::vector<char> buf(16384);
  struct passwd pwd;
  struct passwd* found = nullptr;
  if (getpwnam_r(name.c_str(), &pwd, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    return found->pw_uid;
  }
  return std::nullopt;
}

std::optional<uint32_t> LookupGid(const std::string& name) {
  std::vector<char> buf(16384);
  struct group grp;
  struct group* found = nullptr;
  if (getgrnam_r(name.c_str(), &grp, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    return found->gr_gid;
  }
  return std::nullopt;
}

}  // namespace

uint32_t UserGroupMapping::Uid(const std::string& user) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = uids_.find(user); it != uids_.end()) return it->second;
  }
  uint32_t uid = LookupUid(user).value_or(Numeric(user).value_or(fallback_uid_));
  std::lock_guard lock(mutex_);
  uids_[user] = uid;
  return uid;
}

uint32_t UserGroupMapping::Gid(const std::string& group) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = gids_.find(group); it != gids_.end()) return it->second;
  }
  uint32_t gid = LookupGid(group).value_or(Numeric(group).value_or(fallback_gid_));
  std::lock_guard lock(mutex_);
  gids_[group] = gid;
  return gid;
}

std::string UserGroupMapping::UserName(uint32_t uid) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = user_names_.find(uid); it != user_names_.end()) return it->second;
  }
  std::vector<char> buf(16384);
  struct passwd pwd;
  struct passwd* found = nullptr;
  std::string name = std::to_string(uid);
  if (getpwuid_r(uid, &pwd, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    name = found->pw_name;
  }
  std::lock_guard lock(mutex_);
  user_names_[uid] = name;
  return name;
}

std::string UserGroupMapping::GroupName(uint32_t gid) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = group_names_.find(gid); it != group_names_.end()) return it->second;
  }
  std::vector<char> buf(16384);
  struct group grp;
  struct group* found = nullptr;
  std::string name = std::to_string(gid);
  if (getgrgid_r(gid, &grp, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    name = found->gr_name;
  }
  std::lock_guard lock(mutex_);
  group_names_[gid] = name;
  return name;
}

}  // namespace alluxio::fs
