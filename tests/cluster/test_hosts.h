// Hosts for multi-host tests: network namespaces joined by a Linux bridge in the root namespace,
// one address each from a /24 of 198.18.0.0/15 (RFC 2544, set aside for network benchmarks; no
// other address is ever used). The /24 is one no interface has yet, picked from the pid so that
// concurrent runs differ (as bench/e2e/hosts.py does). The bridge holds the first address (.1)
// in the root namespace: the test process reaches every host, and is itself a host with no
// worker; hosts get .2, .3, ...
//
// Names: bridge ahb<pid>, namespaces ah<pid>-<host>, veth pairs ahv<pid>-<i> (root side, on the
// bridge) / ahh<pid>-<i> (in the host). Only the network namespace differs between hosts: they
// share this machine's files and mounts (so also its machine id and host name; see
// core/common/host_id.h for how a client tells hosts apart).
//
// Teardown: on destruction every process started on a host is killed (SIGKILL, by pid) and
// reaped, then the namespaces and the bridge are deleted (deleting a link drops its qdiscs and
// its veth peer). On SIGINT, SIGTERM or SIGHUP the namespaces and the bridge are deleted, then
// the signal's default action ends the process, and with it (PR_SET_PDEATHSIG) the processes it
// started. What a SIGKILLed run left (its pid gone) is deleted by the next TestNetwork::Create.
// Needs root, `ip`, and `tc` for Shape. One TestNetwork per process at a time; not thread-safe.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "tests/e2e/fuse_harness.h"

namespace alluxio::testing {

class TestNetwork;

class TestHost {
 public:
  const std::string& name() const { return name_; }
  const std::string& address() const { return address_; }
  const std::string& netns() const { return netns_; }

  // Limits both directions of the host's link to `rate` (tc syntax: "500mbit", "1gbit") with a
  // token bucket filter (burst: 1 ms of the rate, at least 64 KiB). False if tc fails.
  bool Shape(const std::string& rate);
  // Takes the host's link down (nothing passes either way; connections stall, as when a cable
  // is pulled) or up again. False if `ip` fails.
  bool SetLinkUp(bool up);
  // Starts argv (argv[0] a path) on this host, output appended to `log`. Killed at teardown
  // unless Kill reaped it first.
  pid_t Spawn(std::vector<std::string> argv, const std::string& log,
              const std::map<std::string, std::string>& env = {});
  // Sends `signal` to a process Spawn started and reaps it.
  void Kill(pid_t pid, int signal);
  // Runs argv (argv[0] a path) on this host to its end (fuse_harness.h's RunCommand).
  CommandResult Run(std::vector<std::string> argv,
                    const std::map<std::string, std::string>& env = {}) const;

 private:
  friend class TestNetwork;
  TestHost(std::string name, std::string address, std::string netns, std::string veth_root,
           std::string veth_host)
      : name_(std::move(name)),
        address_(std::move(address)),
        netns_(std::move(netns)),
        veth_root_(std::move(veth_root)),
        veth_host_(std::move(veth_host)) {}

  std::string name_;
  std::string address_;
  std::string netns_;
  std::string veth_root_;
  std::string veth_host_;
  std::vector<pid_t> pids_;  // started and not reaped
};

class TestNetwork {
 public:
  // The bridge with a free /24, after deleting what dead runs left. kPermissionDenied when not
  // root, kUnavailable when `ip` fails (tests skip on either).
  static Result<std::unique_ptr<TestNetwork>> Create();
  ~TestNetwork();
  TestNetwork(const TestNetwork&) = delete;
  TestNetwork& operator=(const TestNetwork&) = delete;

  // A new host `name` (at most 5 characters: it is part of the namespace's name). Fails (test
  // assertion) if `ip` does.
  TestHost& AddHost(const std::string& name);
  // The root namespace's address on the bridge.
  const std::string& address() const { return address_; }

 private:
  explicit TestNetwork(std::string bridge);
  void TearDown();

  std::string prefix_;  // "198.18.7", once Create found a free one
  std::string bridge_;
  std::string address_;
  std::vector<std::unique_ptr<TestHost>> hosts_;
};

}  // namespace alluxio::testing
