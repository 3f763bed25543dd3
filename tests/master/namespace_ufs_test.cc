// Loading UFS-only paths on first access, metadata sync intervals and the persisted-file paths.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/common/block_id.h"
#include "core/master/inode_store.h"
#include "core/master/namespace.h"
#include "tests/master/master_test_util.h"

namespace alluxio::testing {
namespace {

namespace fs = std::filesystem;

class NamespaceUfsTest : public NamespaceTest {
 protected:
  // Reopens with another sync interval (the store is kept).
  void ReopenWithInterval(int64_t interval_ms) {
    sync_interval_ms_ = interval_ms;
    Reopen();
  }
  std::vector<std::string> ListNames(const std::string& dir) {
    std::vector<std::string> names;
    auto list = ns_->ListStatus(dir);
    EXPECT_TRUE(list.ok()) << list.error().ToString();
    if (list.ok()) {
      for (const FileInfo& info : list->entries) names.push_back(info.name);
    }
    return names;
  }
  // Rewrites a UFS file with different content; the fingerprint changes with the size.
  void RewriteUfsFile(const std::string& rel, size_t length) {
    WriteLocalFile(ufs_root_ + rel, std::string(length, 'r'));
  }
};

TEST_F(NamespaceUfsTest, FileDroppedIntoUfsIsLoadedOnFirstAccess) {
  WriteLocalFile(ufs_root_ + "/dropped.bin", std::string(2500, 'd'));
  auto status = ns_->GetStatus("/dropped.bin");
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_FALSE(status->is_directory);
  EXPECT_EQ(status->length, 2500u);
  EXPECT_TRUE(status->completed);
  EXPECT_TRUE(status->persisted);
  EXPECT_EQ(status->block_size, default_block_size_);
  ASSERT_EQ(status->block_ids.size(), 3u);  // 1024-byte blocks
  for (uint64_t i = 0; i < 3; ++i) EXPECT_EQ(status->block_ids[i], BlockIdForFile(status->id, i));
  // Loaded once: the same inode afterwards, also after a restart.
  EXPECT_EQ(ns_->GetStatus("/dropped.bin")->id, status->id);
  Reopen();
  EXPECT_EQ(ns_->GetStatus("/dropped.bin")->id, status->id);
  auto blocks = ns_->GetFileBlockInfo("/dropped.bin");
  ASSERT_TRUE(blocks.ok());
  EXPECT_TRUE(blocks->persisted);
  EXPECT_EQ(blocks->ufs_path, "/dropped.bin");
  EXPECT_FALSE(blocks->ufs_fingerprint.empty());
}

TEST_F(NamespaceUfsTest, NestedUfsPathsAndListingsAreLoaded) {
  WriteLocalFile(ufs_root_ + "/d1/d2/f", "hello");
  WriteLocalFile(ufs_root_ + "/d1/g", "");
  auto deep = ns_->GetStatus("/d1/d2/f");
  ASSERT_TRUE(deep.ok()) << deep.error().ToString();
  EXPECT_EQ(deep->length, 5u);
  EXPECT_TRUE(ns_->GetStatus("/d1/d2")->is_directory);
  EXPECT_EQ(ListNames("/"), (std::vector<std::string>{"d1"}));
  EXPECT_EQ(ListNames("/d1"), (std::vector<std::string>{"d2", "g"}));
  EXPECT_EQ(ns_->GetStatus("/d1/missing").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->GetStatus("/d1/g/x").code(), ErrorCode::kNotADirectory);
  // Alluxio-created entries and UFS entries list together.
  MustWriteFile("/d1/alluxio-only", 1);
  EXPECT_EQ(ListNames("/d1"), (std::vector<std::string>{"alluxio-only", "d2", "g"}));
}

TEST_F(NamespaceUfsTest, IntervalMinusOneLoadsOnceAndNeverResyncs) {
  WriteLocalFile(ufs_root_ + "/dir/a", "1");
  WriteLocalFile(ufs_root_ + "/dir/b", "22");
  EXPECT_EQ(ListNames("/dir"), (std::vector<std::string>{"a", "b"}));
  uint64_t b_id = ns_->GetStatus("/dir/b")->id;

  // Changes made behind Alluxio's back after the listing was loaded stay invisible.
  WriteLocalFile(ufs_root_ + "/dir/c", "333");
  RewriteUfsFile("/dir/b", 50);
  fs::remove(ufs_root_ + "/dir/a");
  now_ms_ += 3'600'000;
  EXPECT_EQ(ns_->GetStatus("/dir/c").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ListNames("/dir"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ns_->GetStatus("/dir/b")->length, 2u);
  EXPECT_EQ(ns_->GetStatus("/dir/b")->id, b_id);
  EXPECT_TRUE(ns_->GetStatus("/dir/a").ok());

  // A directory never listed still finds new UFS files by name.
  WriteLocalFile(ufs_root_ + "/fresh/x", "x");
  EXPECT_TRUE(ns_->GetStatus("/fresh/x").ok());
}

TEST_F(NamespaceUfsTest, IntervalZeroAlwaysSyncs) {
  ReopenWithInterval(0);
  WriteLocalFile(ufs_root_ + "/dir/a", "1");
  WriteLocalFile(ufs_root_ + "/dir/b", "22");
  EXPECT_EQ(ListNames("/dir"), (std::vector<std::string>{"a", "b"}));
  FileInfo b = *ns_->GetStatus("/dir/b");
  // Unchanged: same inode on every access.
  EXPECT_EQ(ns_->GetStatus("/dir/b")->id, b.id);

  WriteLocalFile(ufs_root_ + "/dir/c", "333");
  RewriteUfsFile("/dir/b", 3000);
  fs::remove(ufs_root_ + "/dir/a");

  auto c = ns_->GetStatus("/dir/c");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->length, 3u);
  auto b2 = ns_->GetStatus("/dir/b");
  ASSERT_TRUE(b2.ok());
  EXPECT_EQ(b2->length, 3000u);
  EXPECT_NE(b2->id, b.id);  // new content, new id, new block ids
  ASSERT_EQ(b2->block_ids.size(), 3u);
  EXPECT_EQ(b2->block_ids[0], BlockIdForFile(b2->id, 0));
  EXPECT_EQ(ns_->GetStatus("/dir/a").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ListNames("/dir"), (std::vector<std::string>{"b", "c"}));

  // A listing alone notices removals and additions too.
  WriteLocalFile(ufs_root_ + "/dir/d", "");
  fs::remove(ufs_root_ + "/dir/c");
  EXPECT_EQ(ListNames("/dir"), (std::vector<std::string>{"b", "d"}));
  // A vanished directory disappears with its subtree.
  fs::remove_all(ufs_root_ + "/dir");
  EXPECT_EQ(ns_->GetStatus("/dir").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->GetStatus("/dir/b").code(), ErrorCode::kNotFound);
}

TEST_F(NamespaceUfsTest, IntervalNResyncsOnlyAfterTheIntervalElapsed) {
  ReopenWithInterval(60'000);
  WriteLocalFile(ufs_root_ + "/f", "12345");
  EXPECT_EQ(ns_->GetStatus("/f")->length, 5u);
  RewriteUfsFile("/f", 7);
  now_ms_ += 60'000;  // exactly the interval: not older than it yet
  EXPECT_EQ(ns_->GetStatus("/f")->length, 5u);
  now_ms_ += 1;
  EXPECT_EQ(ns_->GetStatus("/f")->length, 7u);
  // The sync just happened: another change waits for the next interval.
  RewriteUfsFile("/f", 9);
  now_ms_ += 30'000;
  EXPECT_EQ(ns_->GetStatus("/f")->length, 7u);
  now_ms_ += 30'001;
  EXPECT_EQ(ns_->GetStatus("/f")->length, 9u);

  // Listings too.
  EXPECT_EQ(ListNames("/"), (std::vector<std::string>{"f"}));
  WriteLocalFile(ufs_root_ + "/g", "");
  now_ms_ += 1000;
  EXPECT_EQ(ListNames("/"), (std::vector<std::string>{"f"}));
  now_ms_ += 60'000;
  EXPECT_EQ(ListNames("/"), (std::vector<std::string>{"f", "g"}));
}

// A mount looks a directory up before each listing: that comparison of the directory itself
// must not count as a comparison of its listing, or a directory looked up more often than the
// interval never shows new or removed entries (nor finds a new name by lookup).
TEST_F(NamespaceUfsTest, IntervalNResyncsAListingThatIsOnlyLookedUpMeanwhile) {
  ReopenWithInterval(60'000);
  fs::create_directories(ufs_root_ + "/d");
  WriteLocalFile(ufs_root_ + "/d/old", "o");
  EXPECT_EQ(ListNames("/d"), (std::vector<std::string>{"old"}));
  WriteLocalFile(ufs_root_ + "/d/new", "n");
  fs::remove(ufs_root_ + "/d/old");
  now_ms_ += 60'001;
  ASSERT_TRUE(ns_->GetStatus("/d").ok());  // the directory's own comparison is due: done
  auto found = ns_->GetStatus("/d/new");
  ASSERT_TRUE(found.ok()) << found.error().ToString();
  EXPECT_EQ(found->length, 1u);
  EXPECT_EQ(ListNames("/d"), (std::vector<std::string>{"new"}));
}

TEST_F(NamespaceUfsTest, SyncKeepsFilesBeingWrittenAndUnpersistedFiles) {
  ReopenWithInterval(0);
  MustMkdir("/d");
  FileInfo writing = MustCreateFile("/d/writing");
  MustWriteFile("/d/cached", 10);  // MUST_CACHE: never in the UFS
  EXPECT_EQ(ListNames("/d"), (std::vector<std::string>{"cached", "writing"}));
  EXPECT_EQ(ns_->GetStatus("/d/writing")->id, writing.id);
  EXPECT_TRUE(ns_->GetStatus("/d/cached").ok());
  // Even if the directory itself vanishes from the UFS, it is kept for them.
  fs::remove_all(ufs_root_ + "/d");
  EXPECT_TRUE(ns_->GetStatus("/d").ok());
  EXPECT_EQ(ListNames("/d"), (std::vector<std::string>{"cached", "writing"}));
}

TEST_F(NamespaceUfsTest, PersistedCompletionRecordsTheFingerprint) {
  ReopenWithInterval(0);
  FileInfo info = MustCreateFile("/p");
  EXPECT_EQ(info.ufs_uri, "file://" + ufs_root_ + "/p");
  // The worker stages the content in the UFS, then completes.
  Stage(info.id, std::string(1500, 'p'));
  CompleteFileOptions complete;
  complete.length = 1500;
  complete.block_ids = {BlockIdForFile(info.id, 0), BlockIdForFile(info.id, 1)};
  complete.persisted = true;
  auto done = ns_->CompleteFile("/p", complete);
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  EXPECT_TRUE(done->persisted);
  // Syncing finds the same content: same inode, same blocks.
  auto again = ns_->GetStatus("/p");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, info.id);
  EXPECT_EQ(again->block_ids, complete.block_ids);
  // Our own chmod/utime does not look like a foreign change either.
  SetAttributeOptions attr;
  attr.mode = 0600;
  attr.mtime_ms = 1'500'000'000'000;
  ASSERT_TRUE(ns_->SetAttribute("/p", attr).ok());
  EXPECT_EQ(ns_->GetStatus("/p")->id, info.id);
  // Nor does our own rename.
  ASSERT_TRUE(ns_->Rename("/p", "/q").ok());
  EXPECT_EQ(ns_->GetStatus("/q")->id, info.id);
  EXPECT_TRUE(fs::exists(ufs_root_ + "/q"));
  // Removing it removes the UFS copy.
  auto removed = ns_->Remove("/q", false);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->block_ids, complete.block_ids);
  EXPECT_FALSE(fs::exists(ufs_root_ + "/q"));
}

TEST_F(NamespaceUfsTest, PersistedCompletionErrors) {
  FileInfo info = MustCreateFile("/p");
  CompleteFileOptions complete;
  complete.length = 3;
  complete.block_ids = {BlockIdForFile(info.id, 0)};
  complete.persisted = true;
  EXPECT_EQ(ns_->CompleteFile("/p", complete).code(), ErrorCode::kNotFound);  // nothing staged
  Stage(info.id, "12");
  EXPECT_EQ(ns_->CompleteFile("/p", complete).code(), ErrorCode::kInvalidArgument);  // 2 != 3
  EXPECT_FALSE(ns_->GetStatus("/p")->completed);
  EXPECT_FALSE(fs::exists(ufs_root_ + "/p"));  // nothing published
  InjectUfsFaults("fail PublishStaged kIoError");
  Stage(info.id, "123");
  EXPECT_FALSE(ns_->CompleteFile("/p", complete).ok());
  EXPECT_FALSE(ns_->GetStatus("/p")->completed);
  InjectUfsFaults("");
  EXPECT_TRUE(ns_->CompleteFile("/p", complete).ok());
  EXPECT_EQ(StagedNames(), std::vector<std::string>{});
}

// A master killed after publishing a staged file but before recording the completion: the
// client repeats the completion (completeFile may be repeated), finds the file published.
TEST_F(NamespaceUfsTest, ACompletionRepeatedAfterThePublishFindsTheFilePublished) {
  FileInfo info = MustCreateFile("/p");
  Stage(info.id, "123");
  auto ufs = CreateUnderFileSystem("file://" + ufs_root_);
  ASSERT_TRUE(ufs.ok());
  ASSERT_TRUE((*ufs)->PublishStaged(StagedFileName(info.id), "/p", 3).ok());  // then the crash
  CompleteFileOptions complete;
  complete.length = 4;  // not what was published: still nothing staged
  complete.block_ids = {BlockIdForFile(info.id, 0)};
  complete.persisted = true;
  EXPECT_EQ(ns_->CompleteFile("/p", complete).code(), ErrorCode::kNotFound);
  complete.length = 3;
  auto done = ns_->CompleteFile("/p", complete);
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  EXPECT_TRUE(done->persisted);
  EXPECT_EQ(fs::file_size(ufs_root_ + "/p"), 3u);
  EXPECT_EQ(StagedNames(), std::vector<std::string>{});
}

// A master killed between a rename in the UFS and its namespace commit (soak seed 6259: the
// UFS had the directory under its new name, the namespace under its old one, and a file created
// at the new name could not be published) undoes the UFS rename when it starts again.
TEST_F(NamespaceUfsTest, AUfsRenameTheNamespaceDidNotRecordIsUndoneAtStart) {
  MustMkdir("/b");
  MustMkdir("/b/c");
  MustMkdir("/e");
  ASSERT_TRUE(ns_->Rename("/e", "/g").ok());  // a completed rename leaves no intent
  ns_.reset();
  {
    auto store = InodeStore::Open(db_path_);
    ASSERT_TRUE(store.ok());
    EXPECT_TRUE((*store)->ListRenameIntents()->empty());
    InodeStore::Batch intents;
    intents.PutRenameIntent(kRootMountId, "/b", "/d");  // renamed in the UFS, then killed
    intents.PutRenameIntent(kRootMountId, "/g", "/h");  // killed before the UFS rename
    ASSERT_TRUE((*store)->Commit(intents).ok());
  }
  fs::rename(ufs_root_ + "/b", ufs_root_ + "/d");
  Reopen();
  EXPECT_EQ(UfsTree(), (std::vector<std::string>{"b/", "b/c/", "g/"}));
  EXPECT_EQ(Tree(), (std::vector<std::string>{"/b/", "/b/c/", "/g/"}));
  ns_.reset();
  auto store = InodeStore::Open(db_path_);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->ListRenameIntents()->empty());
}

TEST_F(NamespaceUfsTest, RenamesWhileWritingNeverMatterToThePublish) {
  // The file and its ancestors renamed, an ancestor twice, the file moved to another
  // directory: the staged copy is published where the file is at completion.
  MustMkdir("/a");
  MustMkdir("/a/b");
  MustMkdir("/other");
  FileInfo info = MustCreateFile("/a/b/f");
  Stage(info.id, "abc");
  ASSERT_TRUE(ns_->Rename("/a", "/z").ok());
  ASSERT_TRUE(ns_->Rename("/z/b/f", "/z/b/g").ok());
  ASSERT_TRUE(ns_->Rename("/z", "/y").ok());
  ASSERT_TRUE(ns_->Rename("/y/b/g", "/other/h").ok());
  ASSERT_TRUE(ns_->Rename("/other", "/x").ok());
  CompleteFileOptions complete;
  complete.length = 3;
  complete.block_ids = {BlockIdForFile(info.id, 0)};
  complete.persisted = true;
  auto done = ns_->CompleteFile(info.id, complete);
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  EXPECT_EQ(done->path, "/x/h");
  EXPECT_EQ(UfsTree(), (std::vector<std::string>{".alluxio_staging/", "x/", "x/h", "y/", "y/b/"}));
  EXPECT_EQ(ns_->GetFileBlockInfo("/x/h")->ufs_path, "/x/h");
  // Listing the UFS root never shows the staging directory; it is no Alluxio path either.
  ReopenWithInterval(0);
  EXPECT_EQ(ListNames("/"), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(ns_->GetStatus("/.alluxio_staging").code(), ErrorCode::kNotFound);
  CreateDirectoryOptions mkdir;
  EXPECT_EQ(ns_->CreateDirectory("/.alluxio_staging", mkdir).code(), ErrorCode::kNotPermitted);
}

TEST_F(NamespaceUfsTest, StagedCopiesOfRemovedFilesAreDroppedAndLeftoversAtOpen) {
  MustMkdir("/d");
  FileInfo removed = MustCreateFile("/d/removed");
  FileInfo replaced = MustCreateFile("/replaced");
  FileInfo overwritten = MustCreateFile("/overwritten");
  FileInfo writing = MustCreateFile("/writing");
  for (uint64_t id : {removed.id, replaced.id, overwritten.id, writing.id}) Stage(id, "data");
  Stage(InodeIdForContainer(999), "a crashed worker's");  // no such file
  Stage(writing.id + 1000, "another");
  WriteLocalFile(ufs_root_ + "/.alluxio_staging/not-an-id", "x");

  // A master restart drops what no incomplete file waits for.
  Reopen();
  std::vector<std::string> expected;
  for (uint64_t id : {removed.id, replaced.id, overwritten.id, writing.id}) {
    expected.push_back(StagedFileName(id));
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(StagedNames(), expected);

  // rm -r of the directory, a rename over a file and an overwrite drop theirs.
  ASSERT_TRUE(ns_->Remove("/d", true).ok());
  MustWriteFile("/src", 1);
  ASSERT_TRUE(ns_->Rename("/src", "/replaced").ok());
  CreateFileOptions overwrite;
  overwrite.overwrite = true;
  MustCreateFile("/overwritten", overwrite);
  EXPECT_EQ(StagedNames(), std::vector<std::string>{StagedFileName(writing.id)});
  EXPECT_FALSE(fs::exists(ufs_root_ + "/d"));

  // Completing a removed file publishes nothing, resurrects nothing, and drops a copy staged
  // after the removal.
  Stage(removed.id, "late");
  CompleteFileOptions complete;
  complete.length = 4;
  complete.block_ids = {BlockIdForFile(removed.id, 0)};
  complete.persisted = true;
  EXPECT_EQ(ns_->CompleteFile(removed.id, complete).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(ufs_root_ + "/d"));
  EXPECT_EQ(StagedNames(), std::vector<std::string>{StagedFileName(writing.id)});
}

TEST_F(NamespaceUfsTest, OperationsOnUfsOnlyPathsAreMirrored) {
  WriteLocalFile(ufs_root_ + "/u/file", "data");
  fs::create_directories(ufs_root_ + "/u/sub/deeper");
  // Rename of a path never accessed before: loaded, then moved in the UFS.
  ASSERT_TRUE(ns_->Rename("/u/file", "/u/renamed").ok());
  EXPECT_FALSE(fs::exists(ufs_root_ + "/u/file"));
  EXPECT_TRUE(fs::exists(ufs_root_ + "/u/renamed"));
  // A directory whose only children are in the UFS is not empty.
  EXPECT_EQ(ns_->Remove("/u/sub", false).code(), ErrorCode::kNotEmpty);
  EXPECT_TRUE(fs::exists(ufs_root_ + "/u/sub/deeper"));
  MustMkdir("/empty");
  fs::create_directories(ufs_root_ + "/empty/sneaky");
  EXPECT_EQ(ns_->Rename("/u", "/empty").code(), ErrorCode::kNotEmpty);
  // Recursive removal deletes the UFS tree, loaded or not.
  ASSERT_TRUE(ns_->Remove("/u", true).ok());
  EXPECT_FALSE(fs::exists(ufs_root_ + "/u"));
  EXPECT_EQ(ns_->GetStatus("/u").code(), ErrorCode::kNotFound);
  // mkdir of an existing UFS-only directory is refused.
  fs::create_directories(ufs_root_ + "/ufsdir");
  EXPECT_EQ(ns_->CreateDirectory("/ufsdir", {}).code(), ErrorCode::kAlreadyExists);
  // Overwriting a persisted file removes its UFS copy (the worker writes the new one).
  WriteLocalFile(ufs_root_ + "/over", "old");
  CreateFileOptions overwrite;
  overwrite.overwrite = true;
  auto created = ns_->CreateFile("/over", overwrite);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(created->replaced.block_ids.size(), 1u);
  EXPECT_FALSE(fs::exists(ufs_root_ + "/over"));
}

TEST_F(NamespaceUfsTest, UfsErrorsWhileLoadingAreReported) {
  WriteLocalFile(ufs_root_ + "/f", "x");
  InjectUfsFaults("fail GetStatus kUnavailable");
  EXPECT_EQ(ns_->GetStatus("/f").code(), ErrorCode::kUnavailable);
  InjectUfsFaults("fail List kUnavailable");
  EXPECT_EQ(ns_->ListStatus("/").code(), ErrorCode::kUnavailable);
  InjectUfsFaults("");
  EXPECT_TRUE(ns_->GetStatus("/f").ok());
  EXPECT_EQ(ListNames("/"), (std::vector<std::string>{"f"}));
}

}  // namespace
}  // namespace alluxio::testing
