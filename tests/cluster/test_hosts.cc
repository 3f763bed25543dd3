#include "tests/cluster/test_hosts.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/util/child_process.h"

namespace alluxio::testing {
namespace {

constexpr std::string_view kPrefix = "ah";  // of every name: ahb<pid>, ah<pid>-<host>, ahv<pid>-<i>
constexpr std::string_view kIp = "/usr/sbin/ip";
constexpr std::string_view kTc = "/usr/sbin/tc";
constexpr std::string_view kNsenter = "/usr/bin/nsenter";

// What the signal handler runs: a shell script undoing the live network (kept current by
// TestNetwork; built outside the handler, which only forks and execs it).
std::string g_teardown_script;
std::atomic<const char*> g_teardown{nullptr};

void OnSignal(int signal) {
  if (const char* script = g_teardown.exchange(nullptr); script != nullptr) {
    pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", script, static_cast<char*>(nullptr));
      _exit(127);
    }
    if (pid > 0) waitpid(pid, nullptr, 0);
  }
  ::signal(signal, SIG_DFL);
  raise(signal);
}

// argv run in network namespace `netns` ("" this one); argv[0] a path.
std::vector<std::string> In(const std::string& netns, std::vector<std::string> argv) {
  if (!netns.empty()) {
    argv.insert(argv.begin(), {std::string(kNsenter), "--net=/var/run/netns/" + netns});
  }
  return argv;
}

// `ip`/`tc` (argv without the path) in `netns`, expected to succeed.
bool RunOk(std::vector<std::string> argv, const std::string& netns = "") {
  argv[0] = std::string(argv[0] == "tc" ? kTc : kIp);
  CommandResult r = RunCommand(In(netns, argv));
  EXPECT_EQ(r.exit_code, 0) << fmt::format("{}: {}{}", fmt::join(argv, " "), r.out, r.err);
  return r.exit_code == 0;
}

// Output of `ip <args...>` in this namespace.
std::string IpOutput(std::vector<std::string> args) {
  args.insert(args.begin(), std::string(kIp));
  return RunCommand(args).out;
}

// The pid a name made by this file carries ("ahb123", "ah123-w1", "ahv123-2" → 123); 0 if none.
pid_t OwnerOf(std::string_view name) {
  if (!name.starts_with(kPrefix)) return 0;
  name.remove_prefix(kPrefix.size());
  if (!name.empty() && (name[0] == 'b' || name[0] == 'v' || name[0] == 'h')) name.remove_prefix(1);
  pid_t pid = 0;
  size_t digits = 0;
  while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') {
    pid = pid * 10 + (name[digits] - '0');
    ++digits;
  }
  if (digits == 0 || (digits < name.size() && name[digits] != '-')) return 0;
  return pid;
}

bool Alive(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

// Deletes the namespaces and links of runs whose process is gone.
void DeleteLeftovers() {
  std::istringstream netns(IpOutput({"netns", "list"}));
  for (std::string line; std::getline(netns, line);) {
    std::string name = line.substr(0, line.find(' '));
    if (pid_t owner = OwnerOf(name); owner != 0 && !Alive(owner)) {
      (void)IpOutput({"netns", "del", name});
    }
  }
  std::istringstream links(IpOutput({"-o", "link", "show"}));
  for (std::string line; std::getline(links, line);) {
    // "12: ahv123-2@if11: <BROADCAST,...": the name is the second field, up to '@' or ':'.
    size_t start = line.find(": ");
    if (start == std::string::npos) continue;
    start += 2;
    size_t end = line.find_first_of("@:", start);
    std::string name = line.substr(start, end - start);
    if (pid_t owner = OwnerOf(name); owner != 0 && !Alive(owner)) {
      (void)IpOutput({"link", "del", name});
    }
  }
}

// The /24s of 198.18.0.0/15 ("198.18.7") that an address of this namespace is in.
std::set<std::string> UsedPrefixes() {
  std::set<std::string> used;
  std::istringstream out(IpOutput({"-o", "-4", "addr", "show"}));
  for (std::string line; std::getline(out, line);) {
    size_t inet = line.find(" inet ");
    if (inet == std::string::npos) continue;
    std::string address = line.substr(inet + 6, line.find('/', inet) - inet - 6);
    if (address.starts_with("198.18.") || address.starts_with("198.19.")) {
      used.insert(address.substr(0, address.rfind('.')));
    }
  }
  return used;
}

// How many interfaces of this namespace have an address in /24 `prefix` ("198.18.7").
int InterfacesIn(const std::string& prefix) {
  const std::string needle = " inet " + prefix + ".";
  std::istringstream out(IpOutput({"-o", "-4", "addr", "show"}));
  int count = 0;
  for (std::string line; std::getline(out, line);) count += line.find(needle) != std::string::npos;
  return count;
}

}  // namespace

bool TestHost::Shape(const std::string& rate) {
  std::string digits = rate.substr(0, rate.find_first_not_of("0123456789"));
  std::string unit = rate.substr(digits.size());
  const double scale = unit == "gbit" ? 1e9 : unit == "mbit" ? 1e6 : unit == "kbit" ? 1e3 : 1;
  const uint64_t burst = std::max<uint64_t>(
      64 << 10, static_cast<uint64_t>(std::atof(digits.c_str()) * scale / 8 / 1000));
  auto tbf = [&](const std::string& dev) -> std::vector<std::string> {
    return {"tc",
            "qdisc",
            "replace",
            "dev",
            dev,
            "root",
            "tbf",
            "rate",
            rate,
            "burst",
            std::to_string(burst),
            "latency",
            "50ms"};
  };
  return RunOk(tbf(veth_root_)) && RunOk(tbf(veth_host_), netns_);
}

bool TestHost::SetLinkUp(bool up) {
  return RunOk({"ip", "link", "set", veth_root_, up ? "up" : "down"});
}

pid_t TestHost::Spawn(std::vector<std::string> argv, const std::string& log,
                      const std::map<std::string, std::string>& env) {
  pid_t pid = SpawnLogged(In(netns_, std::move(argv)), log, env);
  if (pid > 0) pids_.push_back(pid);
  return pid;
}

void TestHost::Kill(pid_t pid, int signal) {
  auto it = std::find(pids_.begin(), pids_.end(), pid);
  if (it == pids_.end()) return;
  kill(pid, signal);
  waitpid(pid, nullptr, 0);
  pids_.erase(it);
}

CommandResult TestHost::Run(std::vector<std::string> argv,
                            const std::map<std::string, std::string>& env) const {
  return RunCommand(In(netns_, std::move(argv)), env);
}

Result<std::unique_ptr<TestNetwork>> TestNetwork::Create() {
  if (geteuid() != 0) return Fail(ErrorCode::kPermissionDenied, "network namespaces need root");
  if (RunCommand({std::string(kIp), "netns", "list"}).exit_code != 0) {
    return Fail(ErrorCode::kUnavailable, "`ip netns` does not work here");
  }
  DeleteLeftovers();
  const pid_t self = getpid();
  std::unique_ptr<TestNetwork> net(new TestNetwork(fmt::format("{}b{}", kPrefix, self)));
  // Where namespaces or bridges cannot be made (a container without CAP_NET_ADMIN, say) the
  // tests skip: the commands run quietly here.
  auto ip = [](std::vector<std::string> args) -> Status {
    args.insert(args.begin(), std::string(kIp));
    if (CommandResult r = RunCommand(args); r.exit_code != 0) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("{}: {}{}", fmt::join(args, " "), r.out, r.err));
    }
    return Ok();
  };
  const std::string probe = fmt::format("{}{}-probe", kPrefix, self);
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"netns", "add", probe},
                                             {"netns", "del", probe},
                                             {"link", "add", net->bridge_, "type", "bridge"},
                                             {"link", "set", net->bridge_, "up"}}) {
    if (Status s = ip(std::move(args)); !s) return s.failure();
  }
  // A /24 no interface is in, picked from the pid; taken again if a concurrent run took the
  // same one meanwhile (then two interfaces are in it).
  for (size_t attempt = 0; attempt < 8; ++attempt) {
    const std::set<std::string> used = UsedPrefixes();
    std::vector<std::string> free;
    for (int second : {18, 19}) {
      for (int third = 0; third < 256; ++third) {
        std::string prefix = fmt::format("198.{}.{}", second, third);
        if (!used.contains(prefix)) free.push_back(std::move(prefix));
      }
    }
    if (free.empty()) break;
    net->prefix_ = free[(static_cast<size_t>(self) + attempt) % free.size()];
    net->address_ = net->prefix_ + ".1";
    if (Status s = ip({"addr", "add", net->address_ + "/24", "dev", net->bridge_}); !s) {
      return s.failure();
    }
    if (InterfacesIn(net->prefix_) == 1) return net;
    (void)ip({"addr", "del", net->address_ + "/24", "dev", net->bridge_});
  }
  return Fail(ErrorCode::kUnavailable, "no free /24 in 198.18.0.0/15");
}

TestNetwork::TestNetwork(std::string bridge) : bridge_(std::move(bridge)) {
  g_teardown_script = fmt::format("ip link del {} 2>/dev/null", bridge_);
  g_teardown = g_teardown_script.c_str();
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) ::signal(signal, OnSignal);
}

TestNetwork::~TestNetwork() { TearDown(); }

void TestNetwork::TearDown() {
  g_teardown = nullptr;
  for (auto& host : hosts_) {
    for (pid_t pid : std::vector<pid_t>(host->pids_)) host->Kill(pid, SIGKILL);
    (void)IpOutput({"netns", "del", host->netns_});
    (void)IpOutput({"link", "del", host->veth_root_});  // gone with its peer, normally
  }
  (void)IpOutput({"link", "del", bridge_});
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) ::signal(signal, SIG_DFL);
}

TestHost& TestNetwork::AddHost(const std::string& name) {
  const size_t index = hosts_.size() + 2;
  const pid_t self = getpid();
  auto host = std::unique_ptr<TestHost>(new TestHost(
      name, fmt::format("{}.{}", prefix_, index), fmt::format("{}{}-{}", kPrefix, self, name),
      fmt::format("{}v{}-{}", kPrefix, self, index),
      fmt::format("{}h{}-{}", kPrefix, self, index)));
  TestHost& h = *host;
  hosts_.push_back(std::move(host));
  // The signal handler's script (the processes die with this one: PR_SET_PDEATHSIG).
  g_teardown = nullptr;
  std::string script;
  for (const auto& each : hosts_) {
    script += fmt::format(" ip netns del {} 2>/dev/null; ip link del {} 2>/dev/null;", each->netns_,
                          each->veth_root_);
  }
  script += fmt::format(" ip link del {} 2>/dev/null", bridge_);
  g_teardown_script = std::move(script);
  g_teardown = g_teardown_script.c_str();
  EXPECT_TRUE(
      RunOk({"ip", "netns", "add", h.netns_}) &&
      RunOk({"ip", "link", "add", h.veth_root_, "type", "veth", "peer", "name", h.veth_host_}) &&
      RunOk({"ip", "link", "set", h.veth_host_, "netns", h.netns_}) &&
      RunOk({"ip", "link", "set", h.veth_root_, "master", bridge_, "up"}) &&
      RunOk({"ip", "addr", "add", h.address_ + "/24", "dev", h.veth_host_}, h.netns_) &&
      RunOk({"ip", "link", "set", h.veth_host_, "up"}, h.netns_) &&
      RunOk({"ip", "link", "set", "lo", "up"}, h.netns_))
      << "host " << name;
  return h;
}

}  // namespace alluxio::testing
