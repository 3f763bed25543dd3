// The test hosts themselves (test_hosts.h): addresses, shaping, link cuts, teardown. Needs root
// (skipped otherwise).
#include "tests/cluster/test_hosts.h"

#include <gtest/gtest.h>

namespace alluxio::testing {
namespace {

// `ip <args>` in this namespace, stdout.
std::string Ip(std::vector<std::string> args) {
  args.insert(args.begin(), "/usr/sbin/ip");
  return RunCommand(args).out;
}

// True when a TCP connect from `from` to port 9 of `to` is answered (refused: nothing listens)
// within 2 s; a connect over a link that is down goes unanswered until `timeout` kills it.
bool Reaches(const TestHost& from, const std::string& to) {
  CommandResult r =
      from.Run({"/usr/bin/timeout", "2", "/bin/bash", "-c", "exec 3<>/dev/tcp/" + to + "/9"});
  return r.exit_code != 124;  // timeout's status for a command it killed
}

TEST(TestHostsTest, HostsHaveTheirAddressesShapedLinksCutsAndLeaveNothing) {
  auto net = TestNetwork::Create();
  if (!net) GTEST_SKIP() << net.error().ToString();
  std::string netns_a;
  {
    std::unique_ptr<TestNetwork> n = std::move(net).value();
    TestHost& a = n->AddHost("a");
    TestHost& b = n->AddHost("b");
    netns_a = a.netns();
    EXPECT_TRUE(a.address().starts_with("198.18.") || a.address().starts_with("198.19."));
    EXPECT_NE(a.Run({"/usr/sbin/ip", "-4", "addr", "show"}).out.find(a.address() + "/24"),
              std::string::npos);
    EXPECT_TRUE(Reaches(a, b.address()));
    EXPECT_TRUE(Reaches(a, n->address()));
    ASSERT_TRUE(a.Shape("200mbit"));
    EXPECT_NE(
        Ip({"netns", "exec", a.netns(), "/usr/sbin/tc", "qdisc", "show"}).find("rate 200Mbit"),
        std::string::npos);
    ASSERT_TRUE(b.SetLinkUp(false));
    EXPECT_FALSE(Reaches(a, b.address()));
    ASSERT_TRUE(b.SetLinkUp(true));
    EXPECT_TRUE(Reaches(a, b.address()));
  }
  EXPECT_EQ(Ip({"netns", "list"}).find(netns_a), std::string::npos);
  const std::string bridge = "ahb" + std::to_string(getpid());
  EXPECT_EQ(Ip({"-o", "link", "show"}).find(bridge), std::string::npos);
}

}  // namespace
}  // namespace alluxio::testing
