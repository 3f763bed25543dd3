#include "core/common/host_id.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
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

std::set<std::string> LocalAddresses() {
  std::set<std::string> addresses;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return addresses;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr) continue;
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = nullptr;
    if (a->ifa_addr->sa_family == AF_INET) {
      raw = &reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr;
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      raw = &reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr;
    } else {
      continue;
    }
    if (inet_ntop(a->ifa_addr->sa_family, raw, text, sizeof(text)) != nullptr) {
      addresses.insert(text);
    }
  }
  freeifaddrs(list);
  return addresses;
}

HostLocality::HostLocality(std::string machine_id, std::string host_name,
                           std::set<std::string> addresses)
    : machine_id_(std::move(machine_id)),
      host_name_(std::move(host_name)),
      addresses_(std::move(addresses)) {}

HostLocality HostLocality::Detect(const std::string& user_hostname) {
  return HostLocality(LocalHostId(), user_hostname.empty() ? LocalHostName() : user_hostname,
                      LocalAddresses());
}

bool HostLocality::IsLocal(const std::string& worker_machine_id,
                           const std::string& worker_host) const {
  if (worker_machine_id != machine_id_ || worker_host.empty()) return false;
  return worker_host == host_name_ || worker_host == "localhost" ||
         addresses_.contains(worker_host);
}

}  // namespace alluxio
