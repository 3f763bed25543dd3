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
  return Cached(uids_, user,
                [&] { return LookupUid(user).value_or(Numeric(user).value_or(fallback_uid_)); });
}

uint32_t UserGroupMapping::Gid(const std::string& group) {
  return Cached(gids_, group,
                [&] { return LookupGid(group).value_or(Numeric(group).value_or(fallback_gid_)); });
}

std::string UserGroupMapping::UserName(uint32_t uid) {
  return Cached(user_names_, uid, [&] {
    std::vector<char> buf(16384);
    struct passwd pwd;
    struct passwd* found = nullptr;
    if (getpwuid_r(uid, &pwd, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
      return std::string(found->pw_name);
    }
    return std::to_string(uid);
  });
}

std::string UserGroupMapping::GroupName(uint32_t gid) {
  return Cached(group_names_, gid, [&] {
    std::vector<char> buf(16384);
    struct group grp;
    struct group* found = nullptr;
    if (getgrgid_r(gid, &grp, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
      return std::string(found->gr_name);
    }
    return std::to_string(gid);
  });
}

}  // namespace alluxio::fs
