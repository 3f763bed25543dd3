#include "core/common/local_user.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

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

}  // namespace alluxio
