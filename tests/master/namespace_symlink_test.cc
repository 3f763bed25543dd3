// Symbolic links in the namespace: created in the master and as real links in a local UFS,
// kept across restarts, loaded from the UFS, renamed and removed as links, never followed.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/master/alluxio_path.h"
#include "core/master/namespace.h"
#include "tests/master/master_test_util.h"

namespace alluxio::testing {
namespace {

namespace fs = std::filesystem;

class NamespaceSymlinkTest : public NamespaceTest {
 protected:
  FileInfo MustLink(const std::string& path, const std::string& target) {
    CreateSymlinkOptions options{"alice", "staff"};
    auto made = ns_->CreateSymlink(path, target, options);
    EXPECT_TRUE(made.ok()) << path << ": " << made.error().ToString();
    return made.ok() ? *made : FileInfo{};
  }
  std::string Ufs(const std::string& rel) { return ufs_root_ + rel; }
};

TEST_F(NamespaceSymlinkTest, CreatedInTheMasterAndAsARealLinkInTheUfs) {
  MustMkdir("/d");
  MustWriteFile("/d/f", 10);
  now_ms_ += 1000;
  FileInfo link = MustLink("/d/l", "f");
  EXPECT_TRUE(link.is_symlink());
  EXPECT_EQ(link.symlink_target, "f");
  EXPECT_FALSE(link.is_directory);
  EXPECT_EQ(link.mode, 0777u);
  EXPECT_EQ(link.length, 1u);  // lstat: the target's size
  EXPECT_EQ(link.owner, "alice");
  EXPECT_EQ(link.group, "staff");
  EXPECT_TRUE(link.completed);
  EXPECT_TRUE(link.persisted);
  EXPECT_TRUE(link.block_ids.empty());
  EXPECT_EQ(ns_->GetStatus("/d")->mtime_ms, now_ms_);  // the parent changed
  ASSERT_TRUE(fs::is_symlink(Ufs("/d/l")));
  EXPECT_EQ(fs::read_symlink(Ufs("/d/l")), "f");

  auto status = ns_->GetStatus("/d/l");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->id, link.id);
  EXPECT_EQ(status->symlink_target, "f");
  auto listed = ns_->ListStatus("/d");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->entries.size(), 2u);
  EXPECT_EQ(listed->entries[1].name, "l");
  EXPECT_EQ(listed->entries[1].symlink_target, "f");

  // Absolute, dangling and the longest targets are kept as given.
  EXPECT_EQ(MustLink("/d/abs", "/usr/bin/python3").symlink_target, "/usr/bin/python3");
  EXPECT_EQ(MustLink("/d/dangling", "../no/such").symlink_target, "../no/such");
  const std::string longest(kMaxSymlinkTargetBytes, 'x');
  EXPECT_EQ(MustLink("/d/longest", longest).length, longest.size());
  EXPECT_EQ(fs::read_symlink(Ufs("/d/longest")), longest);
}

TEST_F(NamespaceSymlinkTest, Errors) {
  MustMkdir("/d");
  MustWriteFile("/d/f", 1);
  MustLink("/d/l", "f");
  MustLink("/dirlink", "/d");
  CreateSymlinkOptions options;
  EXPECT_EQ(ns_->CreateSymlink("/d/l", "g", options).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ns_->CreateSymlink("/d/f", "g", options).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ns_->CreateSymlink("/d", "g", options).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ns_->CreateSymlink("/", "g", options).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ns_->CreateSymlink("/missing/l", "g", options).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ns_->CreateSymlink("/d/f/l", "g", options).code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(ns_->CreateSymlink("/d/e", "", options).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ns_->CreateSymlink("/d/e", std::string("a\0b", 3), options).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      ns_->CreateSymlink("/d/e", std::string(kMaxSymlinkTargetBytes + 1, 'x'), options).code(),
      ErrorCode::kNameTooLong);
  EXPECT_FALSE(fs::exists(Ufs("/d/e")));

  // The master never follows a link: not through a path, not to read, not to chmod.
  EXPECT_EQ(ns_->GetStatus("/dirlink/f").code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(ns_->ListStatus("/dirlink").code(), ErrorCode::kNotADirectory);
  EXPECT_EQ(ns_->GetFileBlockInfo("/d/l").code(), ErrorCode::kInvalidArgument);
  SetAttributeOptions chmod;
  chmod.mode = 0644;
  EXPECT_EQ(ns_->SetAttribute("/d/l", chmod).code(), ErrorCode::kUnsupported);
  EXPECT_EQ(ns_->GetStatus("/d/f")->mode, 0644u);

  // A UFS that fails: nothing is recorded.
  InjectUfsFaults("fail CreateSymlink kIoError");
  EXPECT_EQ(ns_->CreateSymlink("/d/u", "f", options).code(), ErrorCode::kIoError);
  EXPECT_EQ(ns_->GetStatus("/d/u").code(), ErrorCode::kNotFound);
}

TEST_F(NamespaceSymlinkTest, TimesApplyToTheLinkNotItsTarget) {
  WriteLocalFile(Ufs("/f"), "x");
  auto ufs = CreateUnderFileSystem("file://" + ufs_root_);
  ASSERT_TRUE(ufs.ok());
  const int64_t file_mtime = (*ufs)->GetStatus("/f")->mtime_ms;
  MustLink("/l", "f");
  SetAttributeOptions touch;  // what tar does to a link it extracts (lutimes, lchown)
  touch.mtime_ms = 1'000'000'000'000;
  touch.owner = "bob";
  auto changed = ns_->SetAttribute("/l", touch);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(changed->mtime_ms, 1'000'000'000'000);
  EXPECT_EQ(changed->owner, "bob");
  EXPECT_EQ((*ufs)->GetStatus("/l")->mtime_ms, 1'000'000'000'000);
  EXPECT_EQ((*ufs)->GetStatus("/f")->mtime_ms, file_mtime);
}

TEST_F(NamespaceSymlinkTest, RenamedAndRemovedAsLinks) {
  MustMkdir("/d");
  MustMkdir("/e");
  TempDir outside;
  WriteLocalFile(outside.path() + "/keep", "precious");
  MustLink("/d/out", outside.path());
  MustLink("/d/l", "target");
  MustWriteFile("/e/victim", 3);

  // Rename moves the link itself, across directories and over a file.
  ASSERT_TRUE(ns_->Rename("/d/l", "/e/victim").ok());
  EXPECT_FALSE(fs::exists(Ufs("/d/l")) || fs::is_symlink(Ufs("/d/l")));
  EXPECT_EQ(fs::read_symlink(Ufs("/e/victim")), "target");
  auto moved = ns_->GetStatus("/e/victim");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->symlink_target, "target");
  // A link cannot replace a directory.
  EXPECT_EQ(ns_->Rename("/e/victim", "/d").code(), ErrorCode::kIsADirectory);

  // Remove takes the link, never what it points to; so does a recursive remove.
  ASSERT_TRUE(ns_->Remove("/e/victim", false).ok());
  EXPECT_FALSE(fs::is_symlink(Ufs("/e/victim")));
  ASSERT_TRUE(ns_->Remove("/d", true).ok());
  EXPECT_FALSE(fs::exists(Ufs("/d")));
  EXPECT_TRUE(fs::exists(outside.path() + "/keep"));
}

TEST_F(NamespaceSymlinkTest, SurvivesARestart) {
  MustMkdir("/venv/bin", true);
  FileInfo link = MustLink("/venv/bin/python", "/usr/bin/python3");
  Reopen();
  auto status = ns_->GetStatus("/venv/bin/python");
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(status->id, link.id);
  EXPECT_EQ(status->symlink_target, "/usr/bin/python3");
  EXPECT_EQ(status->owner, "alice");
  EXPECT_EQ(status->mode, 0777u);
  // Still a link after a restart with metadata sync: our own link is not a foreign change.
  sync_interval_ms_ = 0;
  Reopen();
  EXPECT_EQ(ns_->GetStatus("/venv/bin/python")->id, link.id);
  EXPECT_EQ(Tree(), (std::vector<std::string>{"/venv/", "/venv/bin/", "/venv/bin/python"}));
}

TEST_F(NamespaceSymlinkTest, LinksFoundInTheUfsAreLoadedAsLinks) {
  fs::create_directories(Ufs("/venv/bin"));
  fs::create_directories(Ufs("/venv/lib/python3.11"));
  WriteLocalFile(Ufs("/venv/pyvenv.cfg"), "home = /usr/bin\n");
  fs::create_symlink("/usr/bin/python3", Ufs("/venv/bin/python3"));
  fs::create_symlink("python3", Ufs("/venv/bin/python"));
  fs::create_directory_symlink("lib", Ufs("/venv/lib64"));
  fs::create_symlink("/nowhere", Ufs("/venv/dangling"));

  // One path at a time.
  auto python = ns_->GetStatus("/venv/bin/python");
  ASSERT_TRUE(python.ok()) << python.error().ToString();
  EXPECT_EQ(python->symlink_target, "python3");
  EXPECT_EQ(python->mode, 0777u);
  EXPECT_EQ(python->length, 7u);
  EXPECT_TRUE(python->persisted && python->completed);
  // A link to a directory is a link, and a dangling link is loaded too.
  auto lib64 = ns_->GetStatus("/venv/lib64");
  ASSERT_TRUE(lib64.ok()) << lib64.error().ToString();
  EXPECT_FALSE(lib64->is_directory);
  EXPECT_EQ(lib64->symlink_target, "lib");
  EXPECT_EQ(ns_->GetStatus("/venv/dangling")->symlink_target, "/nowhere");

  // By listing.
  EXPECT_EQ(Tree(),
            (std::vector<std::string>{"/venv/", "/venv/bin/", "/venv/bin/python",
                                      "/venv/bin/python3", "/venv/dangling", "/venv/lib/",
                                      "/venv/lib/python3.11/", "/venv/lib64", "/venv/pyvenv.cfg"}));
  auto bin = ns_->ListStatus("/venv/bin");
  ASSERT_TRUE(bin.ok());
  EXPECT_EQ(bin->entries[1].symlink_target, "/usr/bin/python3");
}

TEST_F(NamespaceSymlinkTest, SyncSeesALinkReplacedInTheUfs) {
  sync_interval_ms_ = 0;
  Reopen();
  fs::create_symlink("one", Ufs("/l"));
  fs::create_symlink("x", Ufs("/kind"));
  EXPECT_EQ(ns_->GetStatus("/l")->symlink_target, "one");
  EXPECT_EQ(ns_->GetStatus("/kind")->symlink_target, "x");
  fs::remove(Ufs("/l"));
  fs::create_symlink("two", Ufs("/l"));
  fs::remove(Ufs("/kind"));
  WriteLocalFile(Ufs("/kind"), "now a file");
  EXPECT_EQ(ns_->GetStatus("/l")->symlink_target, "two");
  auto kind = ns_->GetStatus("/kind");
  ASSERT_TRUE(kind.ok());
  EXPECT_FALSE(kind->is_symlink());
  EXPECT_EQ(kind->length, 10u);
  fs::remove(Ufs("/l"));
  EXPECT_EQ(ns_->GetStatus("/l").code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace alluxio::testing
