#include "core/master/worker_registry.h"

#include <gtest/gtest.h>

namespace alluxio {
namespace {

using std::chrono::milliseconds;

class WorkerRegistryTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  WorkerRegistry registry_{clock_, milliseconds(1000)};
  WorkerAddress a_{"127.0.0.1", 29999, "host-a"};
  WorkerAddress b_{"127.0.0.1", 30000, "host-a"};
};

TEST_F(WorkerRegistryTest, RegistrationRecordsBlockLocations) {
  uint64_t wa = registry_.Register(a_, 100, 10, {1, 2});
  uint64_t wb = registry_.Register(b_, 100, 10, {2});
  EXPECT_NE(wa, wb);
  EXPECT_EQ(registry_.Locations(1).size(), 1u);
  EXPECT_EQ(registry_.Locations(2).size(), 2u);
  EXPECT_TRUE(registry_.Locations(3).empty());
  // Re-registration at the same address keeps the id and replaces the blocks.
  EXPECT_EQ(registry_.Register(a_, 100, 10, {3}), wa);
  EXPECT_TRUE(registry_.Locations(1).empty());
  EXPECT_EQ(registry_.Locations(3).at(0).id, wa);
}

TEST_F(WorkerRegistryTest, HeartbeatAppliesChangesAndCommitAddsLocation) {
  uint64_t w = registry_.Register(a_, 100, 0, {});
  ASSERT_TRUE(registry_.CommitBlock(w, 7, 30).ok());
  EXPECT_EQ(registry_.Locations(7).size(), 1u);
  EXPECT_EQ(registry_.Workers().at(0).used_bytes, 30u);  // counted at once, not at the heartbeat
  auto reply = registry_.Heartbeat(w, 50, {8}, {7});
  EXPECT_FALSE(reply.reregister);
  EXPECT_TRUE(registry_.Locations(7).empty());
  EXPECT_EQ(registry_.Locations(8).size(), 1u);
  EXPECT_EQ(registry_.Workers().at(0).used_bytes, 50u);
  EXPECT_EQ(registry_.CommitBlock(99, 1, 0).code(), ErrorCode::kNotFound);
}

TEST_F(WorkerRegistryTest, SilentWorkerIsLostAndMustReregister) {
  uint64_t wa = registry_.Register(a_, 100, 0, {1});
  uint64_t wb = registry_.Register(b_, 100, 0, {1});
  clock_.Advance(milliseconds(600));
  (void)registry_.Heartbeat(wb, 0, {}, {});
  clock_.Advance(milliseconds(600));
  EXPECT_EQ(registry_.DetectLostWorkers(), std::vector<uint64_t>{wa});
  EXPECT_EQ(registry_.Locations(1).size(), 1u);
  EXPECT_EQ(registry_.LiveWorkers().size(), 1u);
  EXPECT_EQ(registry_.Workers().size(), 2u);
  EXPECT_TRUE(registry_.Workers().back().lost);
  EXPECT_TRUE(registry_.Heartbeat(wa, 0, {}, {}).reregister);
  EXPECT_EQ(registry_.CommitBlock(wa, 2, 0).code(), ErrorCode::kNotFound);
  EXPECT_EQ(registry_.Register(a_, 100, 0, {1}), wa);
  EXPECT_EQ(registry_.Locations(1).size(), 2u);
  EXPECT_TRUE(registry_.DetectLostWorkers().empty());
}

TEST_F(WorkerRegistryTest, FreeIsDeliveredWithTheNextHeartbeat) {
  uint64_t wa = registry_.Register(a_, 100, 0, {1, 2});
  uint64_t wb = registry_.Register(b_, 100, 0, {1});
  EXPECT_EQ(registry_.FreeBlocks({1, 5}), 2u);
  EXPECT_TRUE(registry_.Locations(1).empty());
  EXPECT_EQ(registry_.Heartbeat(wa, 0, {}, {}).blocks_to_free, std::vector<uint64_t>{1});
  EXPECT_TRUE(registry_.Heartbeat(wa, 0, {}, {}).blocks_to_free.empty());
  EXPECT_EQ(registry_.Heartbeat(wb, 0, {}, {}).blocks_to_free, std::vector<uint64_t>{1});
  EXPECT_EQ(registry_.Locations(2).size(), 1u);
}

}  // namespace
}  // namespace alluxio
