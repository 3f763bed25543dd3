#include "core/master/persist_scheduler.h"

#include <gtest/gtest.h>

namespace alluxio {
namespace {

using std::chrono::milliseconds;

TEST(PersistSchedulerTest, AFileIsDueAfterItsDelay) {
  FakeClock clock;
  PersistScheduler s(clock);
  s.Add(7, milliseconds(1000));
  EXPECT_TRUE(s.Due().empty());
  EXPECT_TRUE(s.Pending(7));
  clock.Advance(milliseconds(1000));
  EXPECT_EQ(s.Due(), std::vector<uint64_t>{7});
}

TEST(PersistSchedulerTest, AddingAgainHurriesAndNeverDelays) {
  FakeClock clock;
  PersistScheduler s(clock);
  s.Add(7, milliseconds(60000));
  s.Add(7, milliseconds(0));  // `alluxio fs persist`
  EXPECT_EQ(s.Due(), std::vector<uint64_t>{7});
  s.Add(8, milliseconds(0));
  s.Add(8, milliseconds(60000));
  EXPECT_EQ(s.Due(), (std::vector<uint64_t>{7, 8}));
}

TEST(PersistSchedulerTest, AnAssignedFileIsNotDueUntilItFailsThenBacksOff) {
  FakeClock clock;
  PersistScheduler s(clock);
  s.Add(7, milliseconds(0));
  s.Assign(7, 1);
  EXPECT_TRUE(s.Due().empty());
  EXPECT_EQ(s.AssignedWorker(7), 1u);
  EXPECT_EQ(s.Failed(7), 1);
  EXPECT_EQ(s.AssignedWorker(7), std::nullopt);
  EXPECT_TRUE(s.Due().empty());
  clock.Advance(PersistScheduler::kFirstBackoff);
  EXPECT_EQ(s.Due(), std::vector<uint64_t>{7});
  s.Assign(7, 1);
  EXPECT_EQ(s.Failed(7), 2);
  clock.Advance(PersistScheduler::kFirstBackoff);
  EXPECT_TRUE(s.Due().empty());  // doubled
  clock.Advance(PersistScheduler::kFirstBackoff);
  EXPECT_EQ(s.Due(), std::vector<uint64_t>{7});
  for (int i = 0; i < 20; ++i) {
    s.Assign(7, 1);
    s.Failed(7);
  }
  clock.Advance(PersistScheduler::kMaxBackoff);
  EXPECT_EQ(s.Due(), std::vector<uint64_t>{7});  // capped
}

TEST(PersistSchedulerTest, ALostOrRestartedWorkerGivesItsFilesBack) {
  FakeClock clock;
  PersistScheduler s(clock);
  s.Add(7, milliseconds(0));
  s.Add(8, milliseconds(0));
  s.Assign(7, 1);
  s.Assign(8, 2);
  s.ReleaseWorker(1);
  EXPECT_EQ(s.Due(), std::vector<uint64_t>{7});
  EXPECT_EQ(s.AssignedWorker(8), 2u);
}

TEST(PersistSchedulerTest, AFileAWorkerDoesNotReportRunningIsRetried) {
  FakeClock clock;
  PersistScheduler s(clock);
  s.Add(7, milliseconds(0));
  s.Add(8, milliseconds(0));
  s.Assign(7, 1);
  s.Assign(8, 1);
  s.Reconcile(1, {8});
  EXPECT_EQ(s.AssignedWorker(7), std::nullopt);
  EXPECT_EQ(s.AssignedWorker(8), 1u);
  clock.Advance(PersistScheduler::kFirstBackoff);
  EXPECT_EQ(s.Due(), std::vector<uint64_t>{7});
}

// After a master restart every file waits; a worker still persisting one keeps it.
TEST(PersistSchedulerTest, AWaitingFileAWorkerReportsRunningIsAssignedToIt) {
  FakeClock clock;
  PersistScheduler s(clock);
  s.Add(7, milliseconds(0));
  s.Reconcile(2, {7});
  EXPECT_EQ(s.AssignedWorker(7), 2u);
  EXPECT_TRUE(s.Due().empty());
  s.Reconcile(1, {7});  // another worker's stale report takes nothing
  EXPECT_EQ(s.AssignedWorker(7), 2u);
}

TEST(PersistSchedulerTest, RemovedFilesAreForgotten) {
  FakeClock clock;
  PersistScheduler s(clock);
  s.Add(7, milliseconds(0));
  s.Remove(7);
  EXPECT_FALSE(s.Pending(7));
  EXPECT_TRUE(s.Due().empty());
  EXPECT_EQ(s.Failed(7), 0);
}

}  // namespace
}  // namespace alluxio
