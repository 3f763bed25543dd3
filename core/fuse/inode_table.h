// The kernel's view of the namespace: node id ↔ path, generation and lookup count.
//
// The FUSE layer owns node ids; the file system core is path-based (core/fs/file_system.h).
// A node is created by the first LOOKUP-like reply for a path (LOOKUP, MKDIR, CREATE,
// READDIRPLUS entries), each such reply adds one lookup reference, and FORGET/BATCH_FORGET drop
// them; a node with no references left is erased. Node ids are never reused (64-bit counter), so
// the generation is constant for the table's life. Unlink, rmdir and a rename over an existing
// name *detach* the affected nodes: they keep their id until forgotten, but no longer resolve to
// a path (operations on them answer ENOENT). Renames move the paths of a node and all its
// descendants. A lookup that finds another file at a known path (a different fs inode number)
// gives it a new node; the old node keeps resolving to that path (and moves and detaches with
// it) until it is forgotten.
//
// Thread-safe: one mutex, shared by all reactors (node ids are global to the connection).
// TODO(perf): shard by node id if the lock shows up in profiles.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace alluxio::fuse {

class InodeTable {
 public:
  static constexpr uint64_t kRootId = 1;

  struct Entry {
    uint64_t nodeid = 0;
    uint64_t generation = 0;
  };

  explicit InodeTable(uint64_t generation = 1);

  // The current path of `nodeid`; nullopt for an unknown or detached node.
  std::optional<std::string> PathOf(uint64_t nodeid) const;

  // Adds one lookup reference to the node for `path`, creating it if needed. `fs_ino` is the
  // file system's id of the object now at `path` (0 if it has none): when it differs from the
  // one recorded, the path names a different object and gets a new node (see the header
  // comment), so the kernel never sees one node id change type.
  Entry Ref(const std::string& path, uint64_t fs_ino);

  // The file system answered for `nodeid` (GETATTR, SETATTR) with object `fs_ino`: the node
  // names that object now, and a later Ref finding it at the node's path keeps the node. So a
  // replacement this mount made through the node (truncate to 0, O_TRUNC) gives no new node
  // while the kernel still holds the old one with its open files.
  void Answered(uint64_t nodeid, uint64_t fs_ino);

  // The names directly in directory `dir` that have a node, sorted, each once.
  std::vector<std::string> ChildNames(std::string_view dir) const;

  // The current node of `path` (the newest: see Ref), 0 if the kernel holds none.
  uint64_t NodeOf(std::string_view path) const;

  // The file system object `nodeid` names (its last answer), 0 if unknown or none.
  uint64_t FsInoOf(uint64_t nodeid) const;

  // Drops `nlookup` references (saturating); erases the node at zero. The root is never erased.
  void Forget(uint64_t nodeid, uint64_t nlookup);

  // `path` and everything below it no longer exist (after unlink / rmdir).
  void Detach(std::string_view path);

  // `from` (and its subtree) is now at `to`; what was at `to` is detached.
  void Move(std::string_view from, std::string_view to);

  // The subtrees at `a` and `b` swapped places (RENAME_EXCHANGE).
  void Exchange(std::string_view a, std::string_view b);

  // Number of live nodes, root included.
  size_t size() const;
  // Lookup references of `nodeid`, 0 if unknown (for tests and stats).
  uint64_t Lookups(uint64_t nodeid) const;

 private:
  // Path → its nodes, oldest first: the last is the current one; older ones are files that
  // were replaced at the path while the kernel still holds them (see Ref).
  using PathIndex = std::multimap<std::string, uint64_t, std::less<>>;
  struct Node {
    PathIndex::iterator at;  // its path's entry in by_path_ (the path stored once); end(): detached
    uint64_t fs_ino = 0;
    uint64_t lookups = 0;
  };

  // Removes the entries of `path`'s subtree from by_path_ and returns them (path → id); their
  // nodes are detached until placed again (Place).
  std::multimap<std::string, uint64_t> TakeSubtreeLocked(std::string_view path);
  // Indexes node `id` (which exists) under `path`.
  void Place(std::string path, uint64_t id);
  void DetachLocked(std::string_view path);

  mutable std::mutex mutex_;
  const uint64_t generation_;
  uint64_t next_id_ = kRootId + 1;
  std::unordered_map<uint64_t, Node> nodes_;
  PathIndex by_path_;
};

// "/a" + "b" → "/a/b"; "/" + "b" → "/b". `name` must be a valid entry name.
std::string JoinPath(std::string_view parent, std::string_view name);

// The inverse of JoinPath: "/a/b" → {"/a", "b"}, "/b" → {"/", "b"}. `path` is absolute, not "/".
std::pair<std::string_view, std::string_view> SplitPath(std::string_view path);

}  // namespace alluxio::fuse
