#include "core/ufs/fault_injecting_under_file_system.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/ufs/local_under_file_system.h"
#include "core/ufs/under_file_system.h"
#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

using std::chrono::milliseconds;

void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

// Replaces the control file by a new one (a new inode: a change the injector always sees).
void WriteControlFile(const std::string& path, const std::string& content) {
  WriteFile(path + ".tmp", content);
  std::filesystem::rename(path + ".tmp", path);
}

class FaultInjectingUfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path() + "/ufs";
    WriteFile(root_ + "/a/x", "0123456789");
    WriteFile(root_ + "/ab", "ab");
    WriteFile(root_ + "/b", "b");
    MakeUfs(/*control_file=*/"");
  }

  void MakeUfs(std::string control_file) {
    faults_ = std::make_shared<UfsFaultInjector>(
        UfsFaultInjector::Options{.control_file = std::move(control_file),
                                  .check_interval = milliseconds(0),
                                  .sleep = [this](milliseconds d) { stalls_.push_back(d); }});
    auto local = LocalUnderFileSystem::OpenRoot(root_);
    ASSERT_TRUE(local.ok()) << local.error().ToString();
    ufs_ =
        std::make_unique<FaultInjectingUnderFileSystem>(std::move(local).value(), root_, faults_);
  }

  void Inject(std::string_view commands) {
    auto plan = ParseUfsFaultPlan(commands);
    ASSERT_TRUE(plan.ok()) << plan.error().ToString();
    faults_->SetPlan(std::move(plan).value());
  }

  ErrorCode ReadCode(std::string_view path) {
    auto reader = ufs_->Open(path);
    if (!reader.ok()) return reader.code();
    char buf[4];
    auto n = (*reader)->ReadAt(0, buf);
    return n.ok() ? ErrorCode::kInternal : n.code();  // kInternal: "no error" here
  }
  bool Reads(std::string_view path) { return ReadCode(path) == ErrorCode::kInternal; }

  // Stages a file of `chunks` writes; the status of the first write that fails, else Close's.
  Status Stage(uint64_t id, const std::vector<std::string>& chunks) {
    auto writer = ufs_->CreateStaged(StagedFileName(id), 0644);
    if (!writer.ok()) return writer.failure();
    for (const std::string& chunk : chunks) {
      if (Status s = (*writer)->Write(chunk); !s.ok()) {
        (*writer)->Abort();
        return s;
      }
    }
    auto closed = (*writer)->Close();
    if (!closed.ok()) return closed.failure();
    return Ok();
  }

  testing::TempDir tmp_;
  std::string root_;
  std::shared_ptr<UfsFaultInjector> faults_;
  std::unique_ptr<UnderFileSystem> ufs_;
  std::vector<milliseconds> stalls_;
};

TEST_F(FaultInjectingUfsTest, NoPlanPassesEverythingThrough) {
  EXPECT_TRUE(Reads("/a/x"));
  EXPECT_TRUE(ufs_->GetStatus("/b").ok());
  EXPECT_TRUE(Stage(1, {"abc"}).ok());
  EXPECT_TRUE(ufs_->PublishStaged(StagedFileName(1), "/c", 3).ok());
  EXPECT_TRUE(stalls_.empty());
}

TEST_F(FaultInjectingUfsTest, FailsOnlyTheOperationKindNamed) {
  Inject("fail write kNoSpace");
  EXPECT_EQ(Stage(1, {"abc"}).code(), ErrorCode::kNoSpace);
  EXPECT_EQ(ufs_->PublishStaged(StagedFileName(1), "/c", 3).code(), ErrorCode::kNoSpace);
  EXPECT_TRUE(Reads("/a/x"));
  EXPECT_TRUE(ufs_->Mkdirs("/d", 0755).ok());

  Inject("fail read kIoError");
  EXPECT_EQ(ReadCode("/a/x"), ErrorCode::kIoError);
  EXPECT_TRUE(Stage(1, {"abc"}).ok());
  EXPECT_TRUE(ufs_->List("/").ok());

  Inject("fail metadata kUnavailable");
  EXPECT_EQ(ufs_->GetStatus("/b").code(), ErrorCode::kUnavailable);
  EXPECT_EQ(ufs_->Rename("/b", "/b2").code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(std::filesystem::exists(root_ + "/b"));  // the failed call did nothing
  EXPECT_TRUE(Reads("/a/x"));

  Inject("fail Rename kPermissionDenied");  // one method by name
  EXPECT_EQ(ufs_->Rename("/b", "/b2").code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(ufs_->GetStatus("/b").ok());
}

TEST_F(FaultInjectingUfsTest, AnOpenReaderFailsOnceTheFaultIsInjected) {
  auto reader = ufs_->Open("/a/x");
  ASSERT_TRUE(reader.ok());
  char buf[4];
  EXPECT_TRUE((*reader)->ReadAt(0, buf).ok());
  Inject("fail ReadAt kIoError");
  EXPECT_EQ((*reader)->ReadAt(0, buf).code(), ErrorCode::kIoError);
  Inject("clear");
  EXPECT_TRUE((*reader)->ReadAt(0, buf).ok());
}

TEST_F(FaultInjectingUfsTest, PrefixMatchesWholeComponentsOfTheLocalPath) {
  Inject("fail * kIoError " + root_ + "/a");
  EXPECT_EQ(ReadCode("/a/x"), ErrorCode::kIoError);
  EXPECT_EQ(ufs_->GetStatus("/a").code(), ErrorCode::kIoError);
  EXPECT_TRUE(Reads("/ab"));  // "/ab" is not below "/a"
  EXPECT_TRUE(Reads("/b"));
  // Rename matches on either end.
  EXPECT_EQ(ufs_->Rename("/b", "/a/b").code(), ErrorCode::kIoError);
  EXPECT_EQ(ufs_->Rename("/a/x", "/x").code(), ErrorCode::kIoError);
  EXPECT_TRUE(ufs_->Rename("/b", "/c").ok());
  // A staged file's writer touches the root, which is not below "/a".
  EXPECT_TRUE(Stage(1, {"abc"}).ok());
  EXPECT_EQ(ufs_->PublishStaged(StagedFileName(1), "/a/y", 3).code(), ErrorCode::kIoError);
  EXPECT_TRUE(ufs_->PublishStaged(StagedFileName(1), "/y", 3).ok());
}

TEST_F(FaultInjectingUfsTest, PrefixOfARootedAtSlashUfsIsTheSameLocalPath) {
  // The worker reads through a UFS rooted at "/" with local paths: same prefixes.
  auto faults = std::make_shared<UfsFaultInjector>(UfsFaultInjector::Options{});
  auto plan = ParseUfsFaultPlan("fail read kIoError " + root_ + "/a");
  ASSERT_TRUE(plan.ok());
  faults->SetPlan(std::move(plan).value());
  auto local = LocalUnderFileSystem::OpenRoot("/");
  ASSERT_TRUE(local.ok());
  FaultInjectingUnderFileSystem slash(std::move(local).value(), "/", faults);
  EXPECT_EQ(slash.Open(root_ + "/a/x").code(), ErrorCode::kIoError);
  EXPECT_TRUE(slash.Open(root_ + "/ab").ok());
}

TEST_F(FaultInjectingUfsTest, StallsSleepThenCallThrough) {
  Inject("stall read 3s\nstall ReadAt 250ms\nstall write 1s");
  EXPECT_TRUE(Reads("/a/x"));
  EXPECT_EQ(stalls_, (std::vector<milliseconds>{milliseconds(3000), milliseconds(3250)}));
  stalls_.clear();
  EXPECT_TRUE(ufs_->GetStatus("/b").ok());  // metadata: not stalled
  EXPECT_TRUE(stalls_.empty());
  Inject("stall metadata 2s\nfail metadata kTimedOut");
  EXPECT_EQ(ufs_->GetStatus("/b").code(), ErrorCode::kTimedOut);
  EXPECT_EQ(stalls_, (std::vector<milliseconds>{milliseconds(2000)}));
}

TEST_F(FaultInjectingUfsTest, FillUpFailsWritesBeyondTheBudgetUntilCleared) {
  Inject("fillup 10");
  auto space = ufs_->CapacityAndFree();
  ASSERT_TRUE(space.ok());
  EXPECT_EQ(space->second, 10u);
  EXPECT_TRUE(Stage(1, {"123456"}).ok());
  // 6 + 5 > 10: the write fails and counts nothing; 6 + 4 fits.
  EXPECT_EQ(Stage(2, {"12345"}).code(), ErrorCode::kNoSpace);
  EXPECT_EQ(Stage(2, {"12", "345"}).code(), ErrorCode::kNoSpace);  // 6 + 2 fits, + 3 does not
  EXPECT_EQ(ufs_->CapacityAndFree()->second, 2u);
  EXPECT_TRUE(Stage(3, {"12"}).ok());
  EXPECT_EQ(ufs_->CapacityAndFree()->second, 0u);
  EXPECT_EQ(Stage(4, {"1"}).code(), ErrorCode::kNoSpace);
  EXPECT_TRUE(Stage(5, {}).ok());  // creating an empty file still works, as on a full disk
  EXPECT_TRUE(ufs_->GetStatus("/b").ok());
  Inject("clear");
  EXPECT_TRUE(Stage(4, {"1234567890", "1"}).ok());
  EXPECT_GT(ufs_->CapacityAndFree()->second, 10u);
}

TEST_F(FaultInjectingUfsTest, ControlFileIsReloadedWhenItChanges) {
  const std::string control = tmp_.path() + "/faults";
  MakeUfs(control);
  EXPECT_TRUE(Reads("/a/x"));  // absent: nothing injected
  WriteControlFile(control, "# a comment\n\nfail read kIoError " + root_ + "/a  # trailing\n");
  EXPECT_EQ(ReadCode("/a/x"), ErrorCode::kIoError);
  EXPECT_TRUE(Reads("/b"));
  WriteControlFile(control, "fail read kIoError\nclear\nfillup 1\n");
  EXPECT_TRUE(Reads("/a/x"));
  EXPECT_EQ(Stage(1, {"12"}).code(), ErrorCode::kNoSpace);
  WriteControlFile(control, "fail everything now\n");  // does not parse: nothing injected
  EXPECT_TRUE(Stage(1, {"12"}).ok());
  WriteControlFile(control, "fail metadata kUnavailable\n");
  EXPECT_EQ(ufs_->List("/").code(), ErrorCode::kUnavailable);
  std::filesystem::remove(control);
  EXPECT_TRUE(ufs_->List("/").ok());
}

TEST_F(FaultInjectingUfsTest, ControlFileChangesAreSeenAtMostOncePerCheckInterval) {
  const std::string control = tmp_.path() + "/faults";
  faults_ = std::make_shared<UfsFaultInjector>(
      UfsFaultInjector::Options{.control_file = control, .check_interval = std::chrono::hours(1)});
  auto local = LocalUnderFileSystem::OpenRoot(root_);
  ASSERT_TRUE(local.ok());
  ufs_ = std::make_unique<FaultInjectingUnderFileSystem>(std::move(local).value(), root_, faults_);
  WriteControlFile(control, "fail read kIoError\n");
  EXPECT_EQ(ReadCode("/a/x"), ErrorCode::kIoError);  // the first call checks
  WriteControlFile(control, "clear\n");
  EXPECT_EQ(ReadCode("/a/x"), ErrorCode::kIoError);  // not checked again within the hour
}

TEST(UfsFaultPlanTest, ParsesEveryCommand) {
  auto plan = ParseUfsFaultPlan(
      "fail write kNoSpace /data\nstall read 1.5s\nfillup 1MB\nfail Rename kIoError\n");
  ASSERT_TRUE(plan.ok()) << plan.error().ToString();
  ASSERT_EQ(plan->rules.size(), 3u);
  EXPECT_EQ(plan->rules[0].action, UfsFaultRule::Action::kFail);
  EXPECT_EQ(plan->rules[0].op, "write");
  EXPECT_EQ(plan->rules[0].code, ErrorCode::kNoSpace);
  EXPECT_EQ(plan->rules[0].prefix, "/data");
  EXPECT_EQ(plan->rules[1].action, UfsFaultRule::Action::kStall);
  EXPECT_EQ(plan->rules[1].stall, milliseconds(1500));
  EXPECT_EQ(plan->rules[2].op, "Rename");
  EXPECT_EQ(plan->fillup_bytes, std::optional<uint64_t>(1 << 20));
}

TEST(UfsFaultPlanTest, RefusesWhatItDoesNotKnow) {
  for (const char* text : {"fail", "fail read", "fail read EIO", "fail Reed kIoError",
                           "fail read kIoError rel", "stall read soon", "stall read -1s",
                           "fillup lots", "clear now", "explode", "fail read kIoError /a extra"}) {
    auto plan = ParseUfsFaultPlan(text);
    EXPECT_EQ(plan.code(), ErrorCode::kInvalidArgument) << text;
  }
}

TEST(MakeUfsFactoryTest, WithoutAControlFileItIsThePlainUfs) {
  testing::TempDir tmp;
  auto plain = MakeUfsFactory("")("file://" + tmp.path(), {});
  ASSERT_TRUE(plain.ok());
  EXPECT_NE(dynamic_cast<LocalUnderFileSystem*>(plain->get()), nullptr);

  const std::string control = tmp.path() + "/faults";
  WriteControlFile(control, "fail metadata kUnavailable " + tmp.path() + "/ufs\n");
  std::filesystem::create_directories(tmp.path() + "/ufs");
  UfsFactory factory = MakeUfsFactory(control);
  auto ufs = factory("file://" + tmp.path() + "/ufs", {});
  ASSERT_TRUE(ufs.ok());
  EXPECT_EQ((*ufs)->GetStatus("/").code(), ErrorCode::kUnavailable);
  auto other = factory(tmp.path(), {});  // not below the prefix
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE((*other)->GetStatus("/").ok());
  EXPECT_EQ(factory("hdfs://namenode/x", {}).code(), ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace alluxio
