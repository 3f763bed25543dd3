// Which host this process is on, so a client can tell that a worker runs on the same host and
// read its block files directly (short-circuit), and prefer it.
//
// Alluxio decides it by name: a worker is local when the host it registered with
// (alluxio.worker.hostname, else its host name) is the client's (alluxio.user.hostname, else its
// host name). Here a worker's host also counts as local when it is one of the addresses of this
// network namespace's interfaces, and only when the worker runs on this machine
// (LocalHostId()): network namespaces of one machine share /etc/machine-id and the host name,
// so only the address tells two such "hosts" apart (tests/cluster/test_hosts.h).
#pragma once

#include <set>
#include <string>

namespace alluxio {

// This machine: /etc/machine-id when present, else the host name. Computed once; thread-safe.
const std::string& LocalHostId();

// The local host name (gethostname), "localhost" if it cannot be read.
std::string LocalHostName();

// The addresses (numeric text, "127.0.0.1", "::1", "198.18.3.2") of the interfaces of the
// calling thread's network namespace (getifaddrs); empty if they cannot be read.
std::set<std::string> LocalAddresses();

// Decides whether a worker is on the client's host. Immutable; thread-safe.
class HostLocality {
 public:
  // `machine_id`: LocalHostId() of the client; `host_name`: alluxio.user.hostname, else the
  // local host name; `addresses`: LocalAddresses() of the client.
  HostLocality(std::string machine_id, std::string host_name, std::set<std::string> addresses);
  // This process: LocalHostId(), `user_hostname` (alluxio.user.hostname) or else
  // LocalHostName(), and LocalAddresses().
  static HostLocality Detect(const std::string& user_hostname);

  // True when a worker that registered as `worker_host` from machine `worker_machine_id` runs
  // on this host: same machine, and its host is this host's name, "localhost" or one of its
  // addresses.
  bool IsLocal(const std::string& worker_machine_id, const std::string& worker_host) const;

  const std::string& machine_id() const { return machine_id_; }
  const std::string& host_name() const { return host_name_; }

 private:
  std::string machine_id_;
  std::string host_name_;
  std::set<std::string> addresses_;
};

}  // namespace alluxio
