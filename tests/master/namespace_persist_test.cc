// Asynchronous persistence in the namespace (ASYNC_THROUGH, `alluxio fs persist`): the
// NOT_PERSISTED -> TO_BE_PERSISTED -> PERSISTED state machine, its survival of a restart, and
// rename/remove while a persist is pending.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/master/master_test_util.h"

namespace alluxio::testing {
namespace {

class NamespacePersistTest : public NamespaceTest {
 protected:
  // Creates and completes an ASYNC_THROUGH file of `content`'s length.
  FileInfo WriteAsync(const std::string& path, const std::string& content) {
    FileInfo info = MustCreateFile(path);
    CompleteFileOptions complete;
    complete.length = content.size();
    for (uint64_t i = 0; i < BlockCount(content.size(), info.block_size); ++i) {
      complete.block_ids.push_back(BlockIdForFile(info.id, i));
    }
    complete.to_be_persisted = true;
    auto done = ns_->CompleteFile(path, complete);
    EXPECT_TRUE(done.ok()) << done.error().ToString();
    return done.ok() ? *done : FileInfo{};
  }

  std::string UfsContent(const std::string& relative) {
    std::ifstream in(ufs_root_ + relative, std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

  std::vector<uint64_t> Pending() {
    auto pending = ns_->PendingPersists();
    EXPECT_TRUE(pending.ok()) << pending.error().ToString();
    return pending.ok() ? *pending : std::vector<uint64_t>{};
  }
};

TEST_F(NamespacePersistTest, CompletedToBePersistedThenPersistedAtItsPath) {
  const std::string content = "async bytes";
  FileInfo info = WriteAsync("/f", content);
  EXPECT_TRUE(info.completed);
  EXPECT_FALSE(info.persisted);
  EXPECT_TRUE(info.to_be_persisted);
  EXPECT_EQ(info.persistence_state(), "TO_BE_PERSISTED");
  EXPECT_FALSE(std::filesystem::exists(ufs_root_ + "/f"));
  EXPECT_EQ(Pending(), std::vector<uint64_t>{info.id});

  auto job = ns_->GetPersistJob(info.id);
  ASSERT_TRUE(job.ok()) << job.error().ToString();
  EXPECT_EQ(job->length, content.size());
  EXPECT_EQ(job->block_ids, info.block_ids);
  EXPECT_EQ(job->mount_ufs_uri, "file://" + ufs_root_);

  Stage(info.id, content);
  auto persisted = ns_->CompletePersist(info.id, content.size());
  ASSERT_TRUE(persisted.ok()) << persisted.error().ToString();
  EXPECT_TRUE(persisted->persisted);
  EXPECT_FALSE(persisted->to_be_persisted);
  EXPECT_EQ(persisted->persistence_state(), "PERSISTED");
  EXPECT_EQ(UfsContent("/f"), content);
  EXPECT_TRUE(Pending().empty());
  EXPECT_TRUE(StagedNames().empty());
  EXPECT_EQ(ns_->GetPersistJob(info.id).code(), ErrorCode::kNotFound);
  // A repeated report (its answer lost) finds it persisted.
  auto again = ns_->CompletePersist(info.id, content.size());
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_TRUE(again->persisted);
}

TEST_F(NamespacePersistTest, PendingPersistsAndStagedCopiesSurviveARestart) {
  FileInfo info = WriteAsync("/f", "0123456789");
  Stage(info.id, "0123456789");  // a worker was persisting it when the master stopped
  Reopen();
  EXPECT_EQ(Pending(), std::vector<uint64_t>{info.id});
  EXPECT_EQ(StagedNames().size(), 1u);  // not dropped as a leftover
  auto status = ns_->GetStatus("/f");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->persistence_state(), "TO_BE_PERSISTED");
  auto persisted = ns_->CompletePersist(info.id, 10);
  ASSERT_TRUE(persisted.ok()) << persisted.error().ToString();
  Reopen();
  EXPECT_TRUE(Pending().empty());
  EXPECT_EQ(ns_->GetStatus("/f")->persistence_state(), "PERSISTED");
}

TEST_F(NamespacePersistTest, ARenamedFileIsPersistedAtItsNewPath) {
  MustMkdir("/d");
  FileInfo info = WriteAsync("/d/f", "abc");
  ASSERT_TRUE(ns_->Rename("/d", "/e").ok());
  Stage(info.id, "abc");
  auto persisted = ns_->CompletePersist(info.id, 3);
  ASSERT_TRUE(persisted.ok()) << persisted.error().ToString();
  EXPECT_EQ(persisted->path, "/e/f");
  EXPECT_EQ(UfsContent("/e/f"), "abc");
  EXPECT_FALSE(std::filesystem::exists(ufs_root_ + "/d"));
}

TEST_F(NamespacePersistTest, ARemovedFileLeavesNoUfsFile) {
  FileInfo staged = WriteAsync("/staged", "abc");
  FileInfo late = WriteAsync("/late", "xyz");
  Stage(staged.id, "abc");  // its worker staged it before the removal
  auto removed = ns_->Remove("/staged", false);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->unpersisted_file_ids, std::vector<uint64_t>{staged.id});
  EXPECT_EQ(removed->block_ids, staged.block_ids);  // workers free (and unpin) them
  ASSERT_TRUE(ns_->Remove("/late", false).ok());
  Stage(late.id, "xyz");  // its worker staged it after the removal
  EXPECT_EQ(ns_->CompletePersist(late.id, 3).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->CompletePersist(staged.id, 3).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(StagedNames().empty());
  EXPECT_TRUE(Pending().empty());
  EXPECT_EQ(UfsTree(), std::vector<std::string>{".alluxio_staging/"});  // empty
}

TEST_F(NamespacePersistTest, ReplacingAPendingFileCancelsItsPersist) {
  FileInfo old = WriteAsync("/old", "old");
  FileInfo other = WriteAsync("/other", "other");
  auto renamed = ns_->Rename("/other", "/old");
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->unpersisted_file_ids, std::vector<uint64_t>{old.id});
  EXPECT_EQ(Pending(), std::vector<uint64_t>{other.id});
}

TEST_F(NamespacePersistTest, AStagedLengthMismatchKeepsTheFileToBePersisted) {
  FileInfo info = WriteAsync("/f", "abcdef");
  Stage(info.id, "abc");
  auto persisted = ns_->CompletePersist(info.id, 3);
  EXPECT_EQ(persisted.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ns_->GetStatus("/f")->persistence_state(), "TO_BE_PERSISTED");
  EXPECT_EQ(Pending(), std::vector<uint64_t>{info.id});
}

TEST_F(NamespacePersistTest, ScheduleAsyncPersistenceOfAMustCacheFile) {
  FileInfo info = MustWriteFile("/cached", 5);
  EXPECT_EQ(info.persistence_state(), "NOT_PERSISTED");
  auto scheduled = ns_->ScheduleAsyncPersistence("/cached");
  ASSERT_TRUE(scheduled.ok()) << scheduled.error().ToString();
  EXPECT_EQ(scheduled->persistence_state(), "TO_BE_PERSISTED");
  EXPECT_EQ(Pending(), std::vector<uint64_t>{info.id});
  // Again: unchanged.
  EXPECT_TRUE(ns_->ScheduleAsyncPersistence("/cached").ok());
  EXPECT_EQ(Pending(), std::vector<uint64_t>{info.id});

  MustCreateFile("/writing");
  EXPECT_EQ(ns_->ScheduleAsyncPersistence("/writing").code(), ErrorCode::kIncomplete);
  MustMkdir("/dir");
  EXPECT_EQ(ns_->ScheduleAsyncPersistence("/dir").code(), ErrorCode::kIsADirectory);
}

TEST_F(NamespacePersistTest, PersistedAndToBePersistedAtOnceIsRefused) {
  FileInfo info = MustCreateFile("/f");
  CompleteFileOptions complete;
  complete.persisted = true;
  complete.to_be_persisted = true;
  EXPECT_EQ(ns_->CompleteFile("/f", complete).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace alluxio::testing
