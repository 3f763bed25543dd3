#include "core/fuse/inode_table.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace alluxio::fuse {
namespace {

TEST(InodeTableTest, RootExists) {
  InodeTable table;
  EXPECT_EQ(table.PathOf(InodeTable::kRootId), "/");
  EXPECT_EQ(table.PathOf(2), std::nullopt);
  EXPECT_EQ(table.size(), 1U);
  table.Forget(InodeTable::kRootId, 100);  // never erased
  EXPECT_EQ(table.PathOf(InodeTable::kRootId), "/");
}

TEST(InodeTableTest, RefCountsAndForget) {
  InodeTable table(7);
  const InodeTable::Entry a = table.Ref("/a", 10);
  EXPECT_EQ(a.generation, 7U);
  EXPECT_NE(a.nodeid, InodeTable::kRootId);
  EXPECT_EQ(table.Ref("/a", 10).nodeid, a.nodeid);
  EXPECT_EQ(table.Lookups(a.nodeid), 2U);
  table.Forget(a.nodeid, 1);
  EXPECT_EQ(table.PathOf(a.nodeid), "/a");
  table.Forget(a.nodeid, 1);
  EXPECT_EQ(table.PathOf(a.nodeid), std::nullopt);
  EXPECT_EQ(table.size(), 1U);
  // A new reference after the node was forgotten gets a new id; ids are never reused.
  const InodeTable::Entry again = table.Ref("/a", 10);
  EXPECT_GT(again.nodeid, a.nodeid);
  table.Forget(12345, 1);  // unknown: ignored
}

TEST(InodeTableTest, ChildNamesAndNodeOf) {
  InodeTable table;
  const uint64_t d = table.Ref("/d", 1).nodeid;
  table.Ref("/d/b", 2);
  table.Ref("/d/a", 3);
  table.Ref("/d/a/deep", 4);
  table.Ref("/d/a!", 5);                                  // sorts between "/d/a" and "/d/a/deep"
  table.Ref("/d/a0", 6);                                  // right after "/d/a"'s subtree
  const uint64_t replaced = table.Ref("/d/b", 7).nodeid;  // a second node at "/d/b"
  table.Ref("/d-x", 8);
  table.Ref("/e/f", 9);
  EXPECT_EQ(table.ChildNames("/d"), (std::vector<std::string>{"a", "a!", "a0", "b"}));
  // "/e" has no node of its own (only "/e/f"): not a name the table holds.
  EXPECT_EQ(table.ChildNames("/"), (std::vector<std::string>{"d", "d-x"}));
  EXPECT_TRUE(table.ChildNames("/d/b").empty());
  EXPECT_EQ(table.NodeOf("/d"), d);
  EXPECT_EQ(table.NodeOf("/d/b"), replaced);  // the newest
  EXPECT_EQ(table.NodeOf("/d/c"), 0U);
  EXPECT_EQ(table.NodeOf("/"), InodeTable::kRootId);
}

TEST(InodeTableTest, SplitPathIsJoinPathsInverse) {
  EXPECT_EQ(SplitPath("/a/b"), (std::pair<std::string_view, std::string_view>{"/a", "b"}));
  EXPECT_EQ(SplitPath("/b"), (std::pair<std::string_view, std::string_view>{"/", "b"}));
  EXPECT_EQ(JoinPath(SplitPath("/x/y/z").first, SplitPath("/x/y/z").second), "/x/y/z");
}

TEST(InodeTableTest, ReplacedObjectGetsNewNode) {
  InodeTable table;
  const uint64_t old_id = table.Ref("/f", 10).nodeid;
  const uint64_t new_id = table.Ref("/f", 11).nodeid;  // another file now at /f
  EXPECT_NE(old_id, new_id);
  // The old node still resolves to the path (open files, a rename of the path onto itself).
  EXPECT_EQ(table.PathOf(old_id), "/f");
  EXPECT_EQ(table.Lookups(old_id), 1U);
  EXPECT_EQ(table.PathOf(new_id), "/f");
  table.Forget(old_id, 1);
  EXPECT_EQ(table.size(), 2U);
  EXPECT_EQ(table.PathOf(new_id), "/f");  // forgetting the old node leaves the new one indexed
  EXPECT_EQ(table.Ref("/f", 11).nodeid, new_id);
}

TEST(InodeTableTest, ANodeReplacedAtItsPathMovesAndDetachesWithThePath) {
  InodeTable table;
  const uint64_t old_id = table.Ref("/a", 10).nodeid;
  const uint64_t new_id = table.Ref("/a", 11).nodeid;
  table.Move("/a", "/c");  // the kernel may reach /c through the old node's dentry
  EXPECT_EQ(table.PathOf(old_id), "/c");
  EXPECT_EQ(table.PathOf(new_id), "/c");
  EXPECT_EQ(table.Ref("/c", 11).nodeid, new_id);  // the newest node is the path's
  table.Detach("/c");
  EXPECT_EQ(table.PathOf(old_id), std::nullopt);
  EXPECT_EQ(table.PathOf(new_id), std::nullopt);
}

TEST(InodeTableTest, AnAnswerForANodeKeepsItsPathOnThatObject) {
  InodeTable table;
  const uint64_t id = table.Ref("/f", 10).nodeid;
  table.Answered(id, 11);  // truncated to 0 through the node: Alluxio made file 11
  EXPECT_EQ(table.Ref("/f", 11).nodeid, id);
  table.Answered(id, 0);  // no id: nothing learned
  EXPECT_EQ(table.Ref("/f", 11).nodeid, id);
}

TEST(InodeTableTest, MoveCarriesDescendantsOnly) {
  InodeTable table;
  const uint64_t dir = table.Ref("/a", 1).nodeid;
  const uint64_t child = table.Ref("/a/x", 2).nodeid;
  const uint64_t grandchild = table.Ref("/a/x/y", 3).nodeid;
  const uint64_t sibling_dash = table.Ref("/a-b", 4).nodeid;  // sorts between "/a" and "/a/"
  const uint64_t sibling_dot = table.Ref("/a.c", 5).nodeid;
  const uint64_t sibling_after = table.Ref("/ab", 6).nodeid;
  const uint64_t victim = table.Ref("/z", 7).nodeid;
  table.Move("/a", "/z");
  EXPECT_EQ(table.PathOf(dir), "/z");
  EXPECT_EQ(table.PathOf(child), "/z/x");
  EXPECT_EQ(table.PathOf(grandchild), "/z/x/y");
  EXPECT_EQ(table.PathOf(sibling_dash), "/a-b");
  EXPECT_EQ(table.PathOf(sibling_dot), "/a.c");
  EXPECT_EQ(table.PathOf(sibling_after), "/ab");
  EXPECT_EQ(table.PathOf(victim), std::nullopt);  // replaced by the rename
  EXPECT_EQ(table.Ref("/z/x", 2).nodeid, child);
}

TEST(InodeTableTest, DetachAndExchange) {
  InodeTable table;
  const uint64_t a = table.Ref("/a", 1).nodeid;
  const uint64_t ax = table.Ref("/a/x", 2).nodeid;
  const uint64_t b = table.Ref("/b", 3).nodeid;
  table.Exchange("/a", "/b");
  EXPECT_EQ(table.PathOf(a), "/b");
  EXPECT_EQ(table.PathOf(ax), "/b/x");
  EXPECT_EQ(table.PathOf(b), "/a");
  table.Detach("/b");
  EXPECT_EQ(table.PathOf(a), std::nullopt);
  EXPECT_EQ(table.PathOf(ax), std::nullopt);
  EXPECT_EQ(table.PathOf(b), "/a");
  table.Detach("/");  // the root stays
  EXPECT_EQ(table.PathOf(InodeTable::kRootId), "/");
}

TEST(InodeTableTest, JoinPath) {
  EXPECT_EQ(JoinPath("/", "a"), "/a");
  EXPECT_EQ(JoinPath("/a", "b"), "/a/b");
}

}  // namespace
}  // namespace alluxio::fuse
