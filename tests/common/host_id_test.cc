#include "core/common/host_id.h"

#include <gtest/gtest.h>

namespace alluxio {
namespace {

TEST(HostIdTest, LoopbackIsALocalAddress) { EXPECT_TRUE(LocalAddresses().contains("127.0.0.1")); }

TEST(HostIdTest, AWorkerIsLocalByNameOrAddressOnTheSameMachineOnly) {
  HostLocality here("machine-a", "node1", {"127.0.0.1", "198.18.7.2"});
  EXPECT_TRUE(here.IsLocal("machine-a", "node1"));
  EXPECT_TRUE(here.IsLocal("machine-a", "198.18.7.2"));
  EXPECT_TRUE(here.IsLocal("machine-a", "127.0.0.1"));
  EXPECT_TRUE(here.IsLocal("machine-a", "localhost"));
  // Another network namespace of this machine: same machine id, another address.
  EXPECT_FALSE(here.IsLocal("machine-a", "198.18.7.3"));
  EXPECT_FALSE(here.IsLocal("machine-a", "node2"));
  EXPECT_FALSE(here.IsLocal("machine-a", ""));
  // Another machine that registered with an address this host has too.
  EXPECT_FALSE(here.IsLocal("machine-b", "198.18.7.2"));
}

TEST(HostIdTest, DetectUsesTheUserHostnameAndTheInterfaces) {
  HostLocality named = HostLocality::Detect("client-7");
  EXPECT_EQ(named.host_name(), "client-7");
  EXPECT_EQ(named.machine_id(), LocalHostId());
  EXPECT_TRUE(named.IsLocal(LocalHostId(), "client-7"));
  EXPECT_TRUE(named.IsLocal(LocalHostId(), "127.0.0.1"));
  EXPECT_EQ(HostLocality::Detect("").host_name(), LocalHostName());
}

}  // namespace
}  // namespace alluxio
