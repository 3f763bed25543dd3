#include "core/common/local_user.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace alluxio {

const std::string& LocalUserName() {
  static const std::string name = [] {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    uid_t uid = geteuid();
    if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
      return std::string(found->pw_name);
    }
    return std::to_string(uid);
  }();
  return name;
}

const std::string& LocalGroupName() {
  static const std::string name = [] {
    std::vector<char> buf(16384);
    group gr{};
    group* found = nullptr;
    gid_t gid = getegid();
    if (getgrgid_r(gid, &gr, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
      return std::string(found->gr_name);
    }
    return std::to_string(gid);
  }();
  return name;
}

std::vector<std::string> HostGroupsOf(const std::string& user) {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return {};
  }
  const gid_t primary = found->pw_gid;
  std::vector<gid_t> gids(64);
  int count = static_cast<int>(gids.size());
  while (getgrouplist(user.c_str(), primary, gids.data(), &count) < 0) {
    gids.resize(static_cast<size_t>(count) + 64);
    count = static_cast<int>(gids.size());
  }
  gids.resize(static_cast<size_t>(count));
  std::stable_partition(gids.begin(), gids.end(), [primary](gid_t g) { return g == primary; });
  std::vector<std::string> names;
  for (gid_t gid : gids) {
    group gr{};
    group* named = nullptr;
    std::string name = std::to_string(gid);
    if (getgrgid_r(gid, &gr, buf.data(), buf.size(), &named) == 0 && named != nullptr) {
      name = named->gr_name;
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

}  // namespace alluxio
