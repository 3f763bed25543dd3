// The master's permission checks on a real namespace (RocksDB + a local UFS directory). The
// users are names this host does not know (their groups are only the ones they name).
#include "core/master/permission_checker.h"

#include <cerrno>

#include <gtest/gtest.h>

#include "core/common/error.h"

#include "tests/master/master_test_util.h"

namespace alluxio::testing {
namespace {

class PermissionCheckerTest : public NamespaceTest {
 protected:
  void SetUp() override {
    NamespaceTest::SetUp();
    PermissionOptions options;
    options.superuser = "master-user";
    options.supergroup = "admins";
    checker_ = std::make_unique<PermissionChecker>(*ns_, options);
  }
  void TearDown() override {
    checker_.reset();
    NamespaceTest::TearDown();
  }

  void Dir(const std::string& path, uint32_t mode, const std::string& owner,
           const std::string& group = "staff") {
    CreateDirectoryOptions options;
    options.mode = mode;
    options.owner = owner;
    options.group = group;
    auto made = ns_->CreateDirectory(path, options);
    ASSERT_TRUE(made.ok()) << path << ": " << made.error().ToString();
  }
  void File(const std::string& path, uint32_t mode, const std::string& owner,
            const std::string& group = "staff") {
    CreateFileOptions options;
    options.mode = mode;
    options.owner = owner;
    options.group = group;
    MustWriteFile(path, 0, options);
  }
  MasterUser User(const std::string& name, const std::string& group = "") {
    return checker_->Identify(name, group);
  }

  std::unique_ptr<PermissionChecker> checker_;
};

// 0 for success, else the errno the failure maps to.
int ErrnoOf(const Status& s) { return s.ok() ? 0 : ToErrno(s.error().code); }

TEST_F(PermissionCheckerTest, EveryDirectoryOnThePathNeedsExecute) {
  Dir("/private", 0700, "alice");
  Dir("/private/open", 0777, "alice");
  File("/private/open/f", 0666, "alice");
  Status denied = checker_->CheckLookup(User("bob"), "/private/open/f");
  EXPECT_EQ(ErrnoOf(denied), EACCES);
  EXPECT_NE(denied.error().message.find("user=bob, access=--x, path=/private/open/f: failed at "
                                        "/private, inode owner=alice, inode group=staff, inode "
                                        "mode=rwx------"),
            std::string::npos)
      << denied.error().message;
  EXPECT_EQ(ErrnoOf(checker_->CheckRead(User("bob"), "/private/open/f")), EACCES);
  EXPECT_TRUE(checker_->CheckLookup(User("alice"), "/private/open/f").ok());
  EXPECT_TRUE(checker_->CheckLookup(User("bob"), "/private").ok());  // only what is above
  EXPECT_TRUE(checker_->CheckLookup(User("bob"), "/nothing/here").ok());
}

TEST_F(PermissionCheckerTest, OwnerGroupAndOtherBitsDecideReads) {
  Dir("/d", 0755, "alice");
  File("/d/f", 0640, "alice", "staff");
  EXPECT_TRUE(checker_->CheckRead(User("alice"), "/d/f").ok());
  EXPECT_TRUE(checker_->CheckRead(User("bob", "staff"), "/d/f").ok());
  EXPECT_EQ(ErrnoOf(checker_->CheckRead(User("carol", "users"), "/d/f")), EACCES);
  File("/d/owner-cannot", 0044, "alice", "staff");  // the owner's bits apply, not the others'
  EXPECT_EQ(ErrnoOf(checker_->CheckRead(User("alice", "staff"), "/d/owner-cannot")), EACCES);
  Dir("/d/unlistable", 0311, "alice");
  EXPECT_EQ(ErrnoOf(checker_->CheckRead(User("bob"), "/d/unlistable")), EACCES);
}

TEST_F(PermissionCheckerTest, CreatingNeedsWriteOnTheDeepestExistingDirectory) {
  Dir("/pub", 0755, "root", "root");
  Dir("/open", 0777, "root", "root");
  EXPECT_EQ(ErrnoOf(checker_->CheckCreate(User("bob"), "/pub/new")), EACCES);
  EXPECT_EQ(ErrnoOf(checker_->CheckCreate(User("bob"), "/pub/a/b/c")), EACCES);
  EXPECT_TRUE(checker_->CheckCreate(User("bob"), "/open/new").ok());
  EXPECT_TRUE(checker_->CheckCreate(User("bob"), "/open/a/b/c").ok());
  EXPECT_TRUE(checker_->CheckCreate(User("root"), "/pub/new").ok());
}

TEST_F(PermissionCheckerTest, StickyDirectoriesLetOnlyOwnersRemoveOrRename) {
  Dir("/tmp", 01777, "root", "root");
  File("/tmp/alices", 0666, "alice");
  File("/tmp/bobs", 0666, "bob");
  EXPECT_EQ(ErrnoOf(checker_->CheckRemove(User("bob"), "/tmp/alices")), EPERM);
  EXPECT_EQ(ErrnoOf(checker_->CheckRename(User("bob"), "/tmp/alices", "/tmp/mine")), EPERM);
  EXPECT_EQ(ErrnoOf(checker_->CheckRename(User("bob"), "/tmp/bobs", "/tmp/alices")),
            EPERM);  // replacing alice's file removes it
  EXPECT_TRUE(checker_->CheckRemove(User("alice"), "/tmp/alices").ok());
  EXPECT_TRUE(checker_->CheckRename(User("bob"), "/tmp/bobs", "/tmp/renamed").ok());
  EXPECT_TRUE(checker_->CheckRemove(User("root"), "/tmp/alices").ok());  // the directory's owner
  Dir("/plain", 0777, "root", "root");
  File("/plain/alices", 0600, "alice");
  EXPECT_TRUE(checker_->CheckRemove(User("bob"), "/plain/alices").ok());
  Dir("/ro", 0755, "root", "root");
  File("/ro/alices", 0666, "alice");
  EXPECT_EQ(ErrnoOf(checker_->CheckRemove(User("alice"), "/ro/alices")), EACCES);
  EXPECT_EQ(ErrnoOf(checker_->CheckRename(User("alice"), "/ro/alices", "/plain/x")), EACCES);
}

TEST_F(PermissionCheckerTest, MovingADirectoryToAnotherParentNeedsWriteOnIt) {
  Dir("/open", 0777, "root", "root");
  Dir("/open/sealed", 0555, "bob");
  Dir("/open/other", 0777, "root", "root");
  EXPECT_EQ(ErrnoOf(checker_->CheckRename(User("bob"), "/open/sealed", "/open/other/sealed")),
            EACCES);
  EXPECT_TRUE(checker_->CheckRename(User("bob"), "/open/sealed", "/open/renamed").ok());
}

TEST_F(PermissionCheckerTest, AttributesFollowOwnership) {
  Dir("/d", 0777, "root", "root");
  File("/d/f", 0644, "alice", "staff");
  SetAttributeOptions chmod;
  chmod.mode = 0600;
  EXPECT_TRUE(checker_->CheckSetAttribute(User("alice"), "/d/f", chmod).ok());
  EXPECT_EQ(ErrnoOf(checker_->CheckSetAttribute(User("bob"), "/d/f", chmod)), EPERM);
  SetAttributeOptions chown;
  chown.owner = "bob";
  EXPECT_EQ(ErrnoOf(checker_->CheckSetAttribute(User("alice"), "/d/f", chown)), EPERM);
  EXPECT_TRUE(checker_->CheckSetAttribute(User("master-user"), "/d/f", chown).ok());
  chown.owner = "alice";  // unchanged
  EXPECT_TRUE(checker_->CheckSetAttribute(User("alice"), "/d/f", chown).ok());
  SetAttributeOptions chgrp;
  chgrp.group = "wheel";
  EXPECT_EQ(ErrnoOf(checker_->CheckSetAttribute(User("alice", "staff"), "/d/f", chgrp)), EPERM);
  EXPECT_TRUE(checker_->CheckSetAttribute(User("alice", "wheel"), "/d/f", chgrp).ok());
  EXPECT_EQ(ErrnoOf(checker_->CheckSetAttribute(User("bob", "wheel"), "/d/f", chgrp)), EPERM);
  SetAttributeOptions touch;
  touch.mtime_ms = 1;
  EXPECT_TRUE(checker_->CheckSetAttribute(User("alice"), "/d/f", touch).ok());
  EXPECT_EQ(ErrnoOf(checker_->CheckSetAttribute(User("bob"), "/d/f", touch)), EACCES);
  File("/d/shared", 0666, "alice");
  EXPECT_TRUE(checker_->CheckSetAttribute(User("bob"), "/d/shared", touch).ok());
}

TEST_F(PermissionCheckerTest, SuperusersAndDisabledChecksPassEverything) {
  Dir("/private", 0700, "alice");
  File("/private/f", 0600, "alice");
  EXPECT_TRUE(User("master-user").superuser);
  EXPECT_TRUE(User("bob", "admins").superuser);
  EXPECT_FALSE(User("bob").superuser);
  EXPECT_FALSE(User("").superuser);
  EXPECT_TRUE(checker_->CheckRemove(User("bob", "admins"), "/private/f").ok());
  PermissionOptions off;
  off.enabled = false;
  PermissionChecker unchecked(*ns_, off);
  EXPECT_TRUE(unchecked.Identify("bob", "").superuser);
}

}  // namespace
}  // namespace alluxio::testing
