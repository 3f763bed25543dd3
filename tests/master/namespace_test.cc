// Namespace operations and their error cases, against RocksDB and a local UFS directory.
#include "core/master/namespace.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <thread>

#include "core/common/block_id.h"
#include "core/master/alluxio_path.h"
#include "tests/master/master_test_util.h"

namespace alluxio::testing {
namespace {

namespace fs = std::filesystem;

TEST_F(NamespaceTest, RootExistsAndIsTheRootMount) {
  auto root = ns_->GetStatus("/");
  ASSERT_TRUE(root.ok()) << root.error().ToString();
  EXPECT_TRUE(root->is_directory);
  EXPECT_EQ(root->id, kRootInodeId);
  EXPECT_EQ(root->path, "/");
  EXPECT_TRUE(root->mount_point);
  EXPECT_TRUE(root->persisted);
  auto mounts = ns_->GetMountTable();
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].alluxio_path, "/");
  EXPECT_EQ(mounts[0].ufs_uri, "file://" + ufs_root_);
  EXPECT_TRUE(fs::is_directory(ufs_root_));
}

TEST_F(NamespaceTest, CreateDirectoryMirrorsIntoUfs) {
  CreateDirectoryOptions options;
  options.mode = 0750;
  options.owner = "alice";
  options.group = "staff";
  auto made = ns_->CreateDirectory("/a", options);
  ASSERT_TRUE(made.ok()) << made.error().ToString();
  EXPECT_TRUE(made->is_directory);
  EXPECT_EQ(made->mode, 0750u);
  EXPECT_EQ(made->owner, "alice");
  EXPECT_EQ(made->mtime_ms, now_ms_);
  EXPECT_TRUE(fs::is_directory(ufs_root_ + "/a"));
  auto status = ns_->GetStatus("//a/");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->id, made->id);
  EXPECT_EQ(status->path, "/a");
  EXPECT_EQ(status->ufs_uri, "file://" + ufs_root_ + "/a");
  EXPECT_EQ(ns_->GetStatus("/")->mtime_ms, now_ms_);
}

TEST_F(NamespaceTest, CreateDirectoryErrors) {
  MustMkdir("/a");
  MustWriteFile("/a/file", 10);
  std::vector<std::string> tree = Tree();
  std::vector<std::string> ufs = UfsTree();

  EXPECT_EQ(ns_->CreateDirectory("/a", {}).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ns_->CreateDirectory("/a/file", {}).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ns_->CreateDirectory("/", {}).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ns_->CreateDirectory("/x/y", {}).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->CreateDirectory("/a/file/sub", {}).code(), ErrorCode::kNotADirectory);
  CreateDirectoryOptions recursive;
  recursive.recursive = true;
  EXPECT_EQ(ns_->CreateDirectory("/a/file/sub/deeper", recursive).code(),
            ErrorCode::kNotADirectory);
  EXPECT_EQ(ns_->CreateDirectory("", {}).code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(ns_->CreateDirectory("relative", {}).code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(ns_->CreateDirectory("/a/../b", {}).code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(ns_->CreateDirectory("/a/./b", {}).code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(ns_->CreateDirectory("/..", {}).code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(ns_->CreateDirectory(std::string("/a\0b", 4), {}).code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(ns_->CreateDirectory(fmt::format("/{}", std::string(256, 'n')), {}).code(),
            ErrorCode::kNameTooLong);
  std::string long_path;
  while (long_path.size() <= kMaxPathBytes) long_path += fmt::format("/{}", std::string(200, 'p'));
  EXPECT_EQ(ns_->CreateDirectory(long_path, recursive).code(), ErrorCode::kNameTooLong);
  CreateDirectoryOptions bad_mode;
  bad_mode.mode = 010000;
  EXPECT_EQ(ns_->CreateDirectory("/m", bad_mode).code(), ErrorCode::kInvalidArgument);

  EXPECT_EQ(Tree(), tree);
  EXPECT_EQ(UfsTree(), ufs);

  // A 255-byte name is fine.
  MustMkdir(fmt::format("/{}", std::string(255, 'n')));
}

TEST_F(NamespaceTest, CreateDirectoryRecursiveAndAllowExists) {
  MustMkdir("/p/q/r", true);
  EXPECT_TRUE(ns_->GetStatus("/p")->is_directory);
  EXPECT_TRUE(ns_->GetStatus("/p/q")->is_directory);
  EXPECT_TRUE(fs::is_directory(ufs_root_ + "/p/q/r"));
  CreateDirectoryOptions allow;
  allow.allow_exists = true;
  auto again = ns_->CreateDirectory("/p/q", allow);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, ns_->GetStatus("/p/q")->id);
  MustWriteFile("/p/f", 1);
  EXPECT_EQ(ns_->CreateDirectory("/p/f", allow).code(), ErrorCode::kAlreadyExists);
}

TEST_F(NamespaceTest, FileLifecycle) {
  CreateFileOptions options;
  options.block_size = 100;
  options.mode = 0600;
  options.owner = "bob";
  auto created = ns_->CreateFile("/f", options);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  const FileInfo& info = created->info;
  EXPECT_FALSE(info.completed);
  EXPECT_FALSE(info.persisted);
  EXPECT_EQ(info.block_size, 100u);
  EXPECT_EQ(info.mode, 0600u);
  EXPECT_EQ(SequenceOf(info.id), kMaxSequence);
  EXPECT_TRUE(created->replaced.block_ids.empty());
  EXPECT_FALSE(fs::exists(ufs_root_ + "/f"));  // content is the workers' business

  EXPECT_EQ(ns_->GetFileBlockInfo("/f").code(), ErrorCode::kIncomplete);

  CompleteFileOptions complete;
  complete.length = 250;
  complete.block_ids = {BlockIdForFile(info.id, 0), BlockIdForFile(info.id, 1)};
  EXPECT_EQ(ns_->CompleteFile("/f", complete).code(), ErrorCode::kInvalidArgument);
  complete.block_ids.push_back(BlockIdForFile(info.id + (1ull << 24), 2));  // other file's
  EXPECT_EQ(ns_->CompleteFile("/f", complete).code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ns_->GetStatus("/f")->completed);
  complete.block_ids.back() = BlockIdForFile(info.id, 2);
  now_ms_ += 5;
  auto done = ns_->CompleteFile("/f", complete);
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  EXPECT_TRUE(done->completed);
  EXPECT_EQ(done->length, 250u);
  EXPECT_EQ(done->mtime_ms, now_ms_);
  EXPECT_EQ(done->block_ids, complete.block_ids);
  // The same completion again (its answer was lost, the client repeats it): the file as it is.
  now_ms_ += 5;
  auto again = ns_->CompleteFile("/f", complete);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->mtime_ms, done->mtime_ms);
  EXPECT_EQ(again->length, 250u);
  complete.length = 200;  // another completion: refused
  EXPECT_EQ(ns_->CompleteFile("/f", complete).code(), ErrorCode::kAlreadyExists);

  auto blocks = ns_->GetFileBlockInfo("/f");
  ASSERT_TRUE(blocks.ok());
  EXPECT_EQ(blocks->file_id, info.id);
  EXPECT_EQ(blocks->length, 250u);
  EXPECT_EQ(blocks->block_size, 100u);
  EXPECT_EQ(blocks->block_ids, complete.block_ids);
  EXPECT_FALSE(blocks->persisted);
  EXPECT_EQ(blocks->mount_ufs_uri, "file://" + ufs_root_);
  EXPECT_EQ(blocks->ufs_path, "/f");

  // Empty file: no blocks.
  FileInfo empty = MustWriteFile("/empty", 0);
  EXPECT_TRUE(empty.completed);
  EXPECT_TRUE(empty.block_ids.empty());
  // Default block size from the options.
  EXPECT_EQ(empty.block_size, default_block_size_);
}

TEST_F(NamespaceTest, CreateFileErrors) {
  MustMkdir("/d");
  MustWriteFile("/d/f", 3);
  std::vector<std::string> tree = Tree();
  EXPECT_EQ(ns_->CreateFile("/d", {}).code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(ns_->CreateFile("/", {}).code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(ns_->CreateFile("/d/f", {}).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ns_->CreateFile("/d/f/g", {}).code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(ns_->CreateFile("/nope/g", {}).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->CreateFile("/d/..", {}).code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(ns_->CreateFile("/d/" + std::string(300, 'x'), {}).code(), ErrorCode::kNameTooLong);
  CreateFileOptions overwrite;
  overwrite.overwrite = true;
  EXPECT_EQ(ns_->CreateFile("/d", overwrite).code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(Tree(), tree);
  EXPECT_EQ(ns_->CompleteFile("/d", {}).code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(ns_->CompleteFile("/missing", {}).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->CompleteFile(InodeIdForContainer(999999), {}).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->GetFileBlockInfo("/d").code(), ErrorCode::kIsADirectory);
}

TEST_F(NamespaceTest, CreateFileOverwriteAndRecursive) {
  FileInfo old = MustWriteFile("/f", 3000);
  ASSERT_EQ(old.block_ids.size(), 3u);
  CreateFileOptions overwrite;
  overwrite.overwrite = true;
  auto created = ns_->CreateFile("/f", overwrite);
  ASSERT_TRUE(created.ok());
  EXPECT_NE(created->info.id, old.id);
  EXPECT_EQ(created->replaced.block_ids, old.block_ids);
  EXPECT_FALSE(ns_->GetStatus("/f")->completed);
  // Overwriting a file still being written reports it as incomplete.
  auto again = ns_->CreateFile("/f", overwrite);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->replaced.incomplete_file_ids, std::vector<uint64_t>{created->info.id});

  CreateFileOptions recursive;
  recursive.recursive = true;
  ASSERT_TRUE(ns_->CreateFile("/x/y/z", recursive).ok());
  EXPECT_TRUE(ns_->GetStatus("/x/y")->is_directory);
  EXPECT_TRUE(fs::is_directory(ufs_root_ + "/x/y"));
}

TEST_F(NamespaceTest, EntriesOfASetgidDirectoryTakeItsGroup) {
  CreateDirectoryOptions shared;
  shared.mode = 02775;
  shared.owner = "root";
  shared.group = "project";
  ASSERT_TRUE(ns_->CreateDirectory("/proj", shared).ok());
  CreateDirectoryOptions mine;
  mine.mode = 0755;
  mine.owner = "alice";
  mine.group = "alice";
  mine.recursive = true;
  auto sub = ns_->CreateDirectory("/proj/a/b", mine);
  ASSERT_TRUE(sub.ok()) << sub.error().ToString();
  EXPECT_EQ(sub->group, "project");
  EXPECT_EQ(sub->mode, 02755u);  // directories stay setgid
  EXPECT_EQ(ns_->GetStatus("/proj/a")->group, "project");
  CreateFileOptions file;
  file.owner = "alice";
  file.group = "alice";
  file.recursive = true;
  FileInfo created = MustCreateFile("/proj/c/f", file);
  EXPECT_EQ(created.owner, "alice");
  EXPECT_EQ(created.group, "project");
  EXPECT_EQ(created.mode, 0644u);  // files do not
  EXPECT_EQ(ns_->GetStatus("/proj/c")->mode, 02755u);
  FileInfo outside = MustCreateFile("/f", file);
  EXPECT_EQ(outside.group, "alice");
}

TEST_F(NamespaceTest, IdsAreUniqueAndBlockIdsDeriveFromTheFileId) {
  std::set<uint64_t> ids{kRootInodeId};
  std::set<uint64_t> containers{ContainerIdOf(kRootInodeId)};
  for (int i = 0; i < 50; ++i) {
    FileInfo info = MustWriteFile("/f" + std::to_string(i), 2500);
    EXPECT_TRUE(ids.insert(info.id).second);
    EXPECT_TRUE(containers.insert(ContainerIdOf(info.id)).second);
    ASSERT_EQ(info.block_ids.size(), 3u);
    for (uint64_t b = 0; b < 3; ++b) {
      EXPECT_EQ(info.block_ids[b], (ContainerIdOf(info.id) << 24) | b);
    }
  }
}

TEST_F(NamespaceTest, UnknownBlocksAreThoseOfNoFileOrBeyondACompleteFile) {
  FileInfo complete = MustWriteFile("/complete", 2500);  // 3 blocks
  CreateFileOptions options;
  options.block_size = 1000;
  auto writing = ns_->CreateFile("/writing", options);
  ASSERT_TRUE(writing.ok());
  FileInfo gone = MustWriteFile("/gone", 10);
  ASSERT_TRUE(ns_->Remove("/gone", false).ok());
  FileInfo dir = *ns_->CreateDirectory("/dir", CreateDirectoryOptions{});
  const uint64_t beyond = BlockIdForFile(complete.id, 3);
  const uint64_t being_written = BlockIdForFile(writing->info.id, 7);
  std::vector<uint64_t> blocks = complete.block_ids;
  blocks.insert(blocks.end(), {beyond, being_written, gone.block_ids[0], BlockIdForFile(dir.id, 0),
                               BlockIdForFile(gone.id + (1ull << 30), 0)});
  EXPECT_EQ(ns_->UnknownBlocks(blocks),
            (std::vector<uint64_t>{beyond, gone.block_ids[0], BlockIdForFile(dir.id, 0),
                                   BlockIdForFile(gone.id + (1ull << 30), 0)}));
}

TEST_F(NamespaceTest, ListStatusPagesInNameOrder) {
  std::vector<std::string> names;
  for (int i = 0; i < 300; ++i) names.push_back(fmt::format("n{:03}", (i * 7) % 300));
  for (const auto& n : names)
    MustCreateFile("/d/" + n, [] {
      CreateFileOptions o;
      o.recursive = true;
      return o;
    }());
  std::sort(names.begin(), names.end());
  std::vector<std::string> got;
  std::string after;
  int pages = 0;
  while (true) {
    auto page = ns_->ListStatus("/d", after, 7);
    ASSERT_TRUE(page.ok()) << page.error().ToString();
    for (const FileInfo& info : page->entries) {
      got.push_back(info.name);
      EXPECT_EQ(info.path, "/d/" + info.name);
    }
    ++pages;
    if (!page->has_more) break;
    ASSERT_EQ(page->entries.size(), 7u);
    after = page->entries.back().name;
  }
  EXPECT_EQ(got, names);
  EXPECT_EQ(pages, (300 + 6) / 7);
  auto all = ns_->ListStatus("/d");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->entries.size(), 300u);
  EXPECT_FALSE(all->has_more);

  MustWriteFile("/file", 1);
  EXPECT_EQ(ns_->ListStatus("/file").code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(ns_->ListStatus("/missing").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->ListStatus("/file/x").code(), ErrorCode::kNotADirectory);
}

TEST_F(NamespaceTest, ListStatusPagesTenThousandEntries) {
  // 10,000 files dropped into the UFS, loaded by the first listing in one batch.
  fs::create_directories(ufs_root_ + "/big");
  std::vector<std::string> names;
  for (int i = 0; i < 10000; ++i) {
    names.push_back(fmt::format("file-{:05}", 9999 - i));
    WriteLocalFile(ufs_root_ + "/big/" + names.back(), "");
  }
  std::sort(names.begin(), names.end());
  std::vector<std::string> got;
  std::string after;
  while (true) {
    auto page = ns_->ListStatus("/big", after, 1000);
    ASSERT_TRUE(page.ok()) << page.error().ToString();
    for (const FileInfo& info : page->entries) got.push_back(info.name);
    if (!page->has_more) break;
    after = page->entries.back().name;
  }
  EXPECT_EQ(got, names);
  // And the same after a restart, from the store alone.
  Reopen();
  auto second = ns_->ListStatus("/big", "file-04999", 3);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->entries.size(), 3u);
  EXPECT_EQ(second->entries[0].name, "file-05000");
  EXPECT_TRUE(second->has_more);
  auto tail = ns_->ListStatus("/big", "file-09998", 3);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->entries.size(), 1u);
  EXPECT_FALSE(tail->has_more);
}

TEST_F(NamespaceTest, RemoveFileAndDirectories) {
  MustMkdir("/d/e", true);
  FileInfo f1 = MustWriteFile("/d/f1", 2048);
  FileInfo f2 = MustWriteFile("/d/e/f2", 1);
  FileInfo open = MustCreateFile("/d/e/open");
  std::vector<std::string> tree = Tree();
  std::vector<std::string> ufs = UfsTree();

  EXPECT_EQ(ns_->Remove("/d", false).code(), ErrorCode::kNotEmpty);
  EXPECT_EQ(ns_->Remove("/", true).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ns_->Remove("/missing", false).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->Remove("/d/f1/x", false).code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(ns_->Remove("/d/../d", true).code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(Tree(), tree);
  EXPECT_EQ(UfsTree(), ufs);

  auto removed = ns_->Remove("/d/f1", false);
  ASSERT_TRUE(removed.ok()) << removed.error().ToString();
  EXPECT_EQ(removed->block_ids, f1.block_ids);
  EXPECT_EQ(ns_->GetStatus("/d/f1").code(), ErrorCode::kNotFound);

  auto all = ns_->Remove("/d", true);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  EXPECT_EQ(all->block_ids, f2.block_ids);
  EXPECT_EQ(all->incomplete_file_ids, std::vector<uint64_t>{open.id});
  EXPECT_EQ(ns_->GetStatus("/d").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->GetStatus("/d/e/f2").code(), ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(ufs_root_ + "/d"));
  EXPECT_TRUE(Tree().empty());
  // Completing a removed file fails cleanly.
  EXPECT_EQ(ns_->CompleteFile(open.id, {}).code(), ErrorCode::kNotFound);

  MustMkdir("/empty");
  ASSERT_TRUE(ns_->Remove("/empty", false).ok());
  EXPECT_FALSE(fs::exists(ufs_root_ + "/empty"));
}

TEST_F(NamespaceTest, RenameFilesAndDirectories) {
  MustMkdir("/a/b", true);
  FileInfo f = MustWriteFile("/a/b/f", 10);
  MustMkdir("/c");

  // File, same directory.
  ASSERT_TRUE(ns_->Rename("/a/b/f", "/a/b/g").ok());
  EXPECT_EQ(ns_->GetStatus("/a/b/f").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->GetStatus("/a/b/g")->id, f.id);
  // File, other directory.
  now_ms_ += 10;
  ASSERT_TRUE(ns_->Rename("/a/b/g", "/c/g").ok());
  EXPECT_EQ(ns_->GetStatus("/c/g")->id, f.id);
  EXPECT_EQ(ns_->GetStatus("/c")->mtime_ms, now_ms_);
  EXPECT_EQ(ns_->GetStatus("/a/b")->mtime_ms, now_ms_);
  // Directory with content.
  MustWriteFile("/a/b/h", 5);
  ASSERT_TRUE(ns_->Rename("/a", "/c/a2").ok());
  EXPECT_EQ(ns_->GetStatus("/c/a2/b/h")->length, 5u);
  EXPECT_EQ(ns_->GetStatus("/a").code(), ErrorCode::kNotFound);
  EXPECT_TRUE(fs::is_directory(ufs_root_ + "/c/a2/b"));
  EXPECT_FALSE(fs::exists(ufs_root_ + "/a"));
  // Same path: no-op.
  ASSERT_TRUE(ns_->Rename("/c/g", "//c/g/").ok());
  EXPECT_EQ(ns_->GetStatus("/c/g")->id, f.id);
  EXPECT_EQ(ns_->ListStatus("/c/a2/b")->entries.size(), 1u);
}

TEST_F(NamespaceTest, RenameReplacesFilesAndEmptyDirectories) {
  FileInfo src = MustWriteFile("/src", 1);
  FileInfo dst = MustWriteFile("/dst", 3000);
  auto replaced = ns_->Rename("/src", "/dst");
  ASSERT_TRUE(replaced.ok()) << replaced.error().ToString();
  EXPECT_EQ(replaced->block_ids, dst.block_ids);
  EXPECT_EQ(ns_->GetStatus("/dst")->id, src.id);
  EXPECT_EQ(ns_->GetStatus("/src").code(), ErrorCode::kNotFound);

  MustMkdir("/d1");
  MustWriteFile("/d1/x", 1);
  MustMkdir("/d2");
  ASSERT_TRUE(ns_->Rename("/d1", "/d2").ok());
  EXPECT_TRUE(ns_->GetStatus("/d2/x").ok());
  EXPECT_TRUE(fs::exists(ufs_root_ + "/d2"));
  EXPECT_FALSE(fs::exists(ufs_root_ + "/d1"));
}

TEST_F(NamespaceTest, RenameErrorsChangeNothing) {
  MustMkdir("/d/sub", true);
  MustWriteFile("/d/sub/f", 1);
  MustMkdir("/e");
  MustWriteFile("/file", 1);
  std::vector<std::string> tree = Tree();
  std::vector<std::string> ufs = UfsTree();
  EXPECT_EQ(ns_->Rename("/missing", "/x").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->Rename("/file", "/nodir/x").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->Rename("/file", "/file/x").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ns_->Rename("/d", "/d/sub/inside").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ns_->Rename("/d", "/d/sub").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ns_->Rename("/e", "/d").code(), ErrorCode::kNotEmpty);
  EXPECT_EQ(ns_->Rename("/file", "/e").code(), ErrorCode::kIsADirectory);
  EXPECT_EQ(ns_->Rename("/e", "/file").code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(ns_->Rename("/d/sub/f", "/file/x").code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(ns_->Rename("/", "/x").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ns_->Rename("/file", "/").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ns_->Rename("/file", "/a/../b").code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(ns_->Rename("/file", fmt::format("/{}", std::string(256, 'l'))).code(),
            ErrorCode::kNameTooLong);
  EXPECT_EQ(Tree(), tree);
  EXPECT_EQ(UfsTree(), ufs);
}

TEST_F(NamespaceTest, FileBeingWrittenCanBeRenamedAndCompletedById) {
  FileInfo info = MustCreateFile("/w");
  MustMkdir("/dir");
  ASSERT_TRUE(ns_->Rename("/w", "/dir/w2").ok());
  auto by_id = ns_->GetStatusById(info.id);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->path, "/dir/w2");
  CompleteFileOptions complete;
  complete.length = 1;
  complete.block_ids = {BlockIdForFile(info.id, 0)};
  auto done = ns_->CompleteFile(info.id, complete);
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  EXPECT_EQ(done->path, "/dir/w2");
  EXPECT_TRUE(ns_->GetStatus("/dir/w2")->completed);
  EXPECT_EQ(ns_->GetStatusById(InodeIdForContainer(77777)).code(), ErrorCode::kNotFound);
}

TEST_F(NamespaceTest, SetAttributeUpdatesMetadataAndUfs) {
  MustMkdir("/d");
  SetAttributeOptions options;
  options.mode = 0700;
  options.owner = "carol";
  options.group = "wheel";
  options.mtime_ms = 1'600'000'000'000;
  auto updated = ns_->SetAttribute("/d", options);
  ASSERT_TRUE(updated.ok()) << updated.error().ToString();
  EXPECT_EQ(updated->mode, 0700u);
  EXPECT_EQ(updated->owner, "carol");
  EXPECT_EQ(updated->group, "wheel");
  EXPECT_EQ(updated->mtime_ms, 1'600'000'000'000);
  struct stat st;
  ASSERT_EQ(::stat((ufs_root_ + "/d").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1'600'000'000);
  Reopen();
  EXPECT_EQ(ns_->GetStatus("/d")->owner, "carol");

  SetAttributeOptions bad;
  bad.mode = 0170000;
  EXPECT_EQ(ns_->SetAttribute("/d", bad).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ns_->SetAttribute("/missing", options).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->GetStatus("/d")->mode, 0700u);
}

TEST_F(NamespaceTest, EverythingSurvivesAReopen) {
  MustMkdir("/a/b", true);
  FileInfo f = MustWriteFile("/a/b/f", 5000);
  FileInfo open = MustCreateFile("/a/open");
  ASSERT_TRUE(ns_->Rename("/a/b", "/a/c").ok());
  SetAttributeOptions attr;
  attr.owner = "dave";
  ASSERT_TRUE(ns_->SetAttribute("/a/c/f", attr).ok());
  MustWriteFile("/gone", 1);
  ASSERT_TRUE(ns_->Remove("/gone", false).ok());
  fs::create_directories(tmp_.path() + "/other");
  ASSERT_TRUE(ns_->Mount("/a/mnt", tmp_.path() + "/other", true, {{"opt", "1"}}).ok());
  std::vector<std::string> tree = Tree();

  Reopen();
  EXPECT_EQ(Tree(), tree);
  auto status = ns_->GetStatus("/a/c/f");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->id, f.id);
  EXPECT_EQ(status->owner, "dave");
  EXPECT_EQ(status->block_ids, f.block_ids);
  EXPECT_FALSE(ns_->GetStatus("/a/open")->completed);
  EXPECT_EQ(ns_->GetStatus("/gone").code(), ErrorCode::kNotFound);
  auto mounts = ns_->GetMountTable();
  ASSERT_EQ(mounts.size(), 2u);
  EXPECT_EQ(mounts[1].alluxio_path, "/a/mnt");
  EXPECT_TRUE(mounts[1].read_only);
  EXPECT_EQ(mounts[1].options.at("opt"), "1");

  // Ids handed out after a restart never collide with earlier ones.
  std::set<uint64_t> before = {kRootInodeId,
                               f.id,
                               open.id,
                               ns_->GetStatus("/a")->id,
                               ns_->GetStatus("/a/c")->id,
                               ns_->GetStatus("/a/mnt")->id};
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(before.insert(MustCreateFile("/n" + std::to_string(i)).id).second);
  }
  // The open file can still be completed after the restart.
  CompleteFileOptions complete;
  complete.length = 0;
  EXPECT_TRUE(ns_->CompleteFile(open.id, complete).ok());
}

TEST_F(NamespaceTest, ReopenWithAnotherRootUfsIsRefused) {
  ns_.reset();
  Namespace::Options options = MakeOptions();
  options.root_ufs_uri = "file://" + tmp_.path() + "/elsewhere";
  EXPECT_EQ(Namespace::Open(options).code(), ErrorCode::kInvalidArgument);
  Reopen();
}

TEST_F(NamespaceTest, MountAndUnmount) {
  std::string other = tmp_.path() + "/other";
  WriteLocalFile(other + "/data/x.bin", std::string(1500, 'x'));
  MustMkdir("/m");
  EXPECT_EQ(ns_->Mount("/m", other, false).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ns_->Mount("/", other, false).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ns_->Mount("/no/mnt", other, false).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->Mount("/mnt", tmp_.path() + "/absent", false).code(), ErrorCode::kNotFound);
  WriteLocalFile(tmp_.path() + "/plainfile", "x");
  EXPECT_EQ(ns_->Mount("/mnt", tmp_.path() + "/plainfile", false).code(),
            ErrorCode::kNotADirectory);
  ASSERT_TRUE(ns_->Mount("/m/mnt", "file://" + other, false).ok());

  auto status = ns_->GetStatus("/m/mnt/data/x.bin");
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(status->length, 1500u);
  EXPECT_TRUE(status->persisted);
  EXPECT_TRUE(ns_->GetStatus("/m/mnt")->mount_point);
  auto blocks = ns_->GetFileBlockInfo("/m/mnt/data/x.bin");
  ASSERT_TRUE(blocks.ok());
  EXPECT_EQ(blocks->mount_ufs_uri, "file://" + other);
  EXPECT_EQ(blocks->ufs_path, "/data/x.bin");
  EXPECT_EQ(blocks->ufs_uri, "file://" + other + "/data/x.bin");

  MustMkdir("/m/mnt/newdir");
  EXPECT_TRUE(fs::is_directory(other + "/newdir"));
  EXPECT_FALSE(fs::exists(ufs_root_ + "/m/mnt/newdir"));

  EXPECT_EQ(ns_->Rename("/m/mnt/data/x.bin", "/m/x.bin").code(), ErrorCode::kUnsupported);
  EXPECT_EQ(ns_->Rename("/m/mnt", "/m/mnt2").code(), ErrorCode::kBusy);
  EXPECT_EQ(ns_->Remove("/m/mnt", true).code(), ErrorCode::kBusy);
  EXPECT_EQ(ns_->Remove("/m", true).code(), ErrorCode::kBusy);
  EXPECT_EQ(ns_->Unmount("/m").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ns_->Unmount("/").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ns_->Unmount("/m").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ns_->Unmount("/zzz").code(), ErrorCode::kNotFound);

  auto removed = ns_->Unmount("/m/mnt");
  ASSERT_TRUE(removed.ok()) << removed.error().ToString();
  EXPECT_EQ(removed->block_ids, status->block_ids);
  EXPECT_EQ(ns_->GetStatus("/m/mnt").code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->GetMountTable().size(), 1u);
  EXPECT_TRUE(fs::exists(other + "/data/x.bin"));  // the UFS keeps its data
  ASSERT_TRUE(ns_->Remove("/m", true).ok());
}

// Every path reports its mount's id; a mount's options (secrets included) are found by it, a
// path mounted again gets a new id, and an unmounted id is found no more, also after a restart.
TEST_F(NamespaceTest, MountIdsNameEachMountOnce) {
  std::string other = tmp_.path() + "/other";
  WriteLocalFile(other + "/f", "abc");
  MustMkdir("/d");
  EXPECT_EQ(ns_->GetStatus("/d")->mount_id, kRootMountId);
  ASSERT_TRUE(ns_->Mount("/m", other, false, {{"s3a.secretKey", "k1"}}).ok());
  const uint64_t first = ns_->GetStatus("/m/f")->mount_id;
  EXPECT_NE(first, kRootMountId);
  EXPECT_EQ(ns_->GetStatus("/m")->mount_id, first);
  auto mount = ns_->GetMount(first);
  ASSERT_TRUE(mount.ok());
  EXPECT_EQ(mount->alluxio_path, "/m");
  EXPECT_EQ(mount->options.at("s3a.secretKey"), "k1");
  ASSERT_TRUE(ns_->Unmount("/m").ok());
  EXPECT_EQ(ns_->GetMount(first).code(), ErrorCode::kNotFound);
  ASSERT_TRUE(ns_->Mount("/m", other, false, {{"s3a.secretKey", "k2"}}).ok());
  const uint64_t second = ns_->GetStatus("/m/f")->mount_id;
  EXPECT_NE(second, first);
  Reopen();
  EXPECT_EQ(ns_->GetStatus("/m/f")->mount_id, second);
  EXPECT_EQ(ns_->GetMount(second)->options.at("s3a.secretKey"), "k2");
  EXPECT_EQ(ns_->GetMount(first).code(), ErrorCode::kNotFound);
}

TEST_F(NamespaceTest, ReadOnlyMountRefusesChanges) {
  std::string other = tmp_.path() + "/ro";
  WriteLocalFile(other + "/f", "abc");
  fs::create_directories(other + "/dir");
  ASSERT_TRUE(ns_->Mount("/ro", other, true).ok());
  EXPECT_EQ(ns_->GetStatus("/ro/f")->length, 3u);
  EXPECT_EQ(ns_->CreateDirectory("/ro/d", {}).code(), ErrorCode::kReadOnly);
  EXPECT_EQ(ns_->CreateFile("/ro/new", {}).code(), ErrorCode::kReadOnly);
  EXPECT_EQ(ns_->Remove("/ro/f", false).code(), ErrorCode::kReadOnly);
  EXPECT_EQ(ns_->Rename("/ro/f", "/ro/g").code(), ErrorCode::kReadOnly);
  SetAttributeOptions attr;
  attr.mode = 0777;
  EXPECT_EQ(ns_->SetAttribute("/ro/f", attr).code(), ErrorCode::kReadOnly);
  EXPECT_EQ(LocalNames(other), (std::vector<std::string>{"dir", "f"}));
}

TEST_F(NamespaceTest, FailedUfsMirrorChangesNothing) {
  MustMkdir("/d");
  MustWriteFile("/d/f", 1);
  MustMkdir("/e");
  std::vector<std::string> tree = Tree();
  std::vector<std::string> ufs = UfsTree();

  InjectUfsFaults(
      "fail Mkdirs kPermissionDenied\nfail Delete kPermissionDenied\n"
      "fail Rename kPermissionDenied\nfail SetMode kPermissionDenied\n"
      "fail SetMtime kPermissionDenied");
  EXPECT_EQ(ns_->CreateDirectory("/new", {}).code(), ErrorCode::kPermissionDenied);
  CreateFileOptions recursive;
  recursive.recursive = true;
  EXPECT_EQ(ns_->CreateFile("/newdir/f", recursive).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(ns_->Remove("/e", false).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(ns_->Remove("/d", true).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(ns_->Rename("/d", "/d2").code(), ErrorCode::kPermissionDenied);
  SetAttributeOptions attr;
  attr.mode = 0700;
  attr.owner = "mallory";
  EXPECT_EQ(ns_->SetAttribute("/d", attr).code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(ns_->GetStatus("/d")->owner, "mallory");

  InjectUfsFaults("");
  EXPECT_EQ(Tree(), tree);
  EXPECT_EQ(UfsTree(), ufs);
  Reopen();
  EXPECT_EQ(Tree(), tree);
}

TEST_F(NamespaceTest, ConcurrentCallersFromSeveralThreads) {
  MustMkdir("/shared");
  constexpr int kThreads = 4;
  constexpr int kFilesPerThread = 40;
  std::vector<std::vector<uint64_t>> ids(kThreads);
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &ids, &failures] {
      CreateDirectoryOptions mkdir;
      mkdir.recursive = true;
      if (!ns_->CreateDirectory(fmt::format("/t{}/sub", t), mkdir).ok()) ++failures[t];
      for (int i = 0; i < kFilesPerThread; ++i) {
        auto created = ns_->CreateFile(fmt::format("/shared/t{}-{}", t, i), {});
        if (!created.ok()) {
          ++failures[t];
          continue;
        }
        ids[t].push_back(created->info.id);
        if (!ns_->ListStatus("/shared", "", 10).ok()) ++failures[t];
        if (i % 4 == 0 &&
            !ns_->Rename(fmt::format("/shared/t{}-{}", t, i), fmt::format("/t{}/sub/m{}", t, i))
                 .ok()) {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  std::set<uint64_t> unique;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(failures[t], 0) << "thread " << t;
    for (uint64_t id : ids[t]) EXPECT_TRUE(unique.insert(id).second);
  }
  EXPECT_EQ(unique.size(), size_t{kThreads * kFilesPerThread});
  auto shared = ns_->ListStatus("/shared");
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(shared->entries.size(), size_t{kThreads * (kFilesPerThread - kFilesPerThread / 4)});
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(ns_->ListStatus(fmt::format("/t{}/sub", t))->entries.size(),
              size_t{kFilesPerThread / 4});
  }
}

}  // namespace
}  // namespace alluxio::testing
