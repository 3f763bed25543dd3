#include "core/client/block_location_policy.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace alluxio::client {
namespace {

WorkerInfo Worker(int i, uint64_t capacity = 100, uint64_t used = 0) {
  WorkerInfo w;
  w.worker_id = static_cast<uint64_t>(i);
  w.address = WorkerAddress{"198.18.0." + std::to_string(i), 29999, "machine", ""};
  w.capacity_bytes = capacity;
  w.used_bytes = used;
  return w;
}

std::vector<WorkerInfo> Workers(int n) {
  std::vector<WorkerInfo> workers;
  for (int i = 1; i <= n; ++i) workers.push_back(Worker(i));
  return workers;
}

const IsLocalWorker kNoneLocal = [](const WorkerAddress&) { return false; };

// Block ids as the master makes them: a file's blocks differ in the low bits only.
uint64_t BlockId(uint64_t file, uint64_t index) { return (file << 24) | index; }

// The worker each of `blocks` blocks is placed on.
std::map<uint64_t, std::string> Placement(const std::vector<WorkerInfo>& workers, int blocks) {
  std::map<uint64_t, std::string> placed;
  for (int b = 0; b < blocks; ++b) {
    const uint64_t id = BlockId(1 + b / 64, b % 64);
    placed[id] = ChooseWorker(BlockLocationPolicy::kDeterministicHash, workers, kNoneLocal, id)
                     ->address.ToString();
  }
  return placed;
}

TEST(BlockLocationPolicyTest, NamesParseAndUnknownOnesFail) {
  EXPECT_EQ(*ParseBlockLocationPolicy("DeterministicHashPolicy"),
            BlockLocationPolicy::kDeterministicHash);
  EXPECT_EQ(*ParseBlockLocationPolicy("LocalFirstPolicy"), BlockLocationPolicy::kLocalFirst);
  EXPECT_EQ(*ParseBlockLocationPolicy("MostAvailableFirstPolicy"),
            BlockLocationPolicy::kMostAvailableFirst);
  EXPECT_EQ(ParseBlockLocationPolicy("RandomPolicy").code(), ErrorCode::kInvalidArgument);
}

TEST(BlockLocationPolicyTest, NoWorkersNoChoice) {
  EXPECT_FALSE(ChooseWorker(BlockLocationPolicy::kDeterministicHash, {}, kNoneLocal, 1));
}

TEST(BlockLocationPolicyTest, HashIsTheSameWhateverTheOrderOfTheWorkers) {
  std::vector<WorkerInfo> workers = Workers(5);
  std::vector<WorkerInfo> reversed(workers.rbegin(), workers.rend());
  EXPECT_EQ(Placement(workers, 1000), Placement(reversed, 1000));
}

TEST(BlockLocationPolicyTest, HashSpreadsTheBlocksOfAFileOverAllWorkers) {
  std::map<std::string, int> per_worker;
  for (const auto& [block, worker] : Placement(Workers(4), 4000)) ++per_worker[worker];
  ASSERT_EQ(per_worker.size(), 4u);
  // Each worker gets a fair share: 1000 expected, binomial standard deviation about 27.
  for (const auto& [worker, count] : per_worker) {
    EXPECT_GT(count, 800) << worker;
    EXPECT_LT(count, 1200) << worker;
  }
}

TEST(BlockLocationPolicyTest, AJoiningWorkerTakesOnlyItsShare) {
  const auto before = Placement(Workers(4), 4000);
  const auto after = Placement(Workers(5), 4000);
  int moved = 0;
  for (const auto& [block, worker] : before) {
    if (after.at(block) == worker) continue;
    ++moved;
    EXPECT_EQ(after.at(block), Worker(5).address.ToString()) << "moved between old workers";
  }
  // 1/5 of the blocks expected (800); modulo hashing would move 4/5.
  EXPECT_GT(moved, 600);
  EXPECT_LT(moved, 1000);
}

TEST(BlockLocationPolicyTest, ALeavingWorkerMovesOnlyItsBlocks) {
  std::vector<WorkerInfo> workers = Workers(5);
  const auto before = Placement(workers, 4000);
  const std::string gone = workers[2].address.ToString();
  workers.erase(workers.begin() + 2);
  const auto after = Placement(workers, 4000);
  for (const auto& [block, worker] : before) {
    if (worker != gone) {
      EXPECT_EQ(after.at(block), worker) << block;
    }
  }
}

TEST(BlockLocationPolicyTest, LocalFirstPrefersTheWorkerOnThisHost) {
  std::vector<WorkerInfo> workers = Workers(3);
  const std::string here = workers[1].address.host;
  IsLocalWorker is_local = [&here](const WorkerAddress& a) { return a.host == here; };
  for (uint64_t block = 0; block < 50; ++block) {
    EXPECT_EQ(
        ChooseWorker(BlockLocationPolicy::kLocalFirst, workers, is_local, block)->address.host,
        here);
  }
  // No worker here: the hash.
  EXPECT_EQ(ChooseWorker(BlockLocationPolicy::kLocalFirst, workers, kNoneLocal, 7)->address,
            ChooseWorker(BlockLocationPolicy::kDeterministicHash, workers, kNoneLocal, 7)->address);
}

TEST(BlockLocationPolicyTest, MostAvailableFirstPicksTheMostFreeCapacity) {
  std::vector<WorkerInfo> workers{Worker(1, 100, 90), Worker(2, 100, 10), Worker(3, 50, 0)};
  for (uint64_t block = 0; block < 50; ++block) {
    EXPECT_EQ(ChooseWorker(BlockLocationPolicy::kMostAvailableFirst, workers, kNoneLocal, block)
                  ->worker_id,
              2u);
  }
}

}  // namespace
}  // namespace alluxio::client
