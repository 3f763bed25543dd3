#include "core/common/host_id.h"

#include <unistd.h>

#include <fstream>

namespace alluxio {

std::string LocalHostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

const std::string& LocalHostId() {
  static const std::string id = [] {
    std::ifstream in("/etc/machine-id");
    std::string machine_id;
    if (in >> machine_id && !machine_id.empty()) return machine_id;
    return LocalHostName();
  }();
  return id;
}

}  // namespace alluxio
