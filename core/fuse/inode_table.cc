#include "core/fuse/inode_table.h"

#include <algorithm>
#include <iterator>
#include <vector>

namespace alluxio::fuse {

namespace {

bool IsInSubtree(std::string_view candidate, std::string_view root) {
  if (candidate.size() < root.size() || candidate.substr(0, root.size()) != root) return false;
  return candidate.size() == root.size() || root == "/" || candidate[root.size()] == '/';
}

}  // namespace

std::string JoinPath(std::string_view parent, std::string_view name) {
  std::string path;
  path.reserve(parent.size() + 1 + name.size());
  path.append(parent);
  if (path.empty() || path.back() != '/') path.push_back('/');
  path.append(name);
  return path;
}

std::pair<std::string_view, std::string_view> SplitPath(std::string_view path) {
  const size_t slash = path.rfind('/');
  return {path.substr(0, std::max<size_t>(slash, 1)), path.substr(slash + 1)};
}

InodeTable::InodeTable(uint64_t generation) : generation_(generation) {
  nodes_.emplace(kRootId, Node{by_path_.emplace("/", kRootId), 0, 1});
}

std::optional<std::string> InodeTable::PathOf(uint64_t nodeid) const {
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(nodeid);
  if (it == nodes_.end() || it->second.at == by_path_.end()) return std::nullopt;
  return it->second.at->first;
}

InodeTable::Entry InodeTable::Ref(const std::string& path, uint64_t fs_ino) {
  std::lock_guard lock(mutex_);
  auto [first, last] = by_path_.equal_range(path);
  if (first != last) {
    const auto found = std::prev(last);  // the newest node of the path is the current one
    Node& node = nodes_.at(found->second);
    const bool replaced = fs_ino != 0 && node.fs_ino != 0 && node.fs_ino != fs_ino;
    if (!replaced || found->second == kRootId) {
      if (fs_ino != 0) node.fs_ino = fs_ino;
      ++node.lookups;
      return {found->second, generation_};
    }
    // Another file took the path (a replacement here or by another client): it gets a node of
    // its own, so the kernel drops what it cached for the old one. The old node stays indexed
    // under the path until forgotten, and moves with renames: the kernel reaches it through
    // open files, and through its dentry after a rename of the path onto itself (which the
    // kernel forwards, then treats as having unlinked the target, when the two names resolve
    // to different nodes).
  }
  const uint64_t id = next_id_++;
  nodes_.emplace(id, Node{by_path_.emplace(path, id), fs_ino, 1});
  return {id, generation_};
}

void InodeTable::Answered(uint64_t nodeid, uint64_t fs_ino) {
  if (fs_ino == 0) return;
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(nodeid);
  if (it != nodes_.end()) it->second.fs_ino = fs_ino;
}

std::vector<std::string> InodeTable::ChildNames(std::string_view dir) const {
  std::string prefix(dir);
  if (prefix.back() != '/') prefix.push_back('/');
  std::vector<std::string> names;
  std::lock_guard lock(mutex_);
  // Every path below `dir` starts with the prefix, so they are one range of the index; the
  // subtree of a child "c" is the range of "c/…", all before "c0" ('0' follows '/'): skipped.
  for (auto it = by_path_.lower_bound(prefix);
       it != by_path_.end() && it->first.starts_with(prefix);) {
    const std::string_view name = std::string_view(it->first).substr(prefix.size());
    if (const size_t slash = name.find('/'); slash != std::string_view::npos) {
      std::string past = prefix;
      past.append(name.substr(0, slash)).push_back('0');
      it = by_path_.lower_bound(past);
      continue;
    }
    // (The empty name: `dir` itself, when it is "/".)
    if (!name.empty() && (names.empty() || names.back() != name)) names.emplace_back(name);
    ++it;
  }
  return names;
}

uint64_t InodeTable::NodeOf(std::string_view path) const {
  std::lock_guard lock(mutex_);
  auto [first, last] = by_path_.equal_range(path);
  return first == last ? 0 : std::prev(last)->second;
}

uint64_t InodeTable::FsInoOf(uint64_t nodeid) const {
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(nodeid);
  return it == nodes_.end() ? 0 : it->second.fs_ino;
}

void InodeTable::Forget(uint64_t nodeid, uint64_t nlookup) {
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(nodeid);
  if (it == nodes_.end()) return;
  Node& node = it->second;
  node.lookups = nlookup >= node.lookups ? 0 : node.lookups - nlookup;
  if (node.lookups > 0 || nodeid == kRootId) return;
  if (node.at != by_path_.end()) by_path_.erase(node.at);
  nodes_.erase(it);
}

std::multimap<std::string, uint64_t> InodeTable::TakeSubtreeLocked(std::string_view path) {
  std::multimap<std::string, uint64_t> taken;
  for (auto it = by_path_.lower_bound(path); it != by_path_.end();) {
    if (!IsInSubtree(it->first, path)) {
      // Keys between "/a" and "/a/" (e.g. "/a-b", "/a.b") sort before "/a/x": skip them.
      if (it->first.size() > path.size() && it->first.substr(0, path.size()) == path &&
          it->first[path.size()] < '/') {
        ++it;
        continue;
      }
      break;
    }
    if (auto node = nodes_.find(it->second); node != nodes_.end()) node->second.at = by_path_.end();
    taken.emplace(it->first, it->second);
    it = by_path_.erase(it);
  }
  return taken;
}

void InodeTable::Place(std::string path, uint64_t id) {
  nodes_.at(id).at = by_path_.emplace(std::move(path), id);
}

void InodeTable::DetachLocked(std::string_view path) {
  for (const auto& [key, id] : TakeSubtreeLocked(path)) {
    auto node = nodes_.find(id);
    if (node == nodes_.end()) continue;
    if (id == kRootId) {  // the root cannot be detached; put it back
      Place(key, id);
      continue;
    }
    if (node->second.lookups == 0) nodes_.erase(node);
  }
}

void InodeTable::Detach(std::string_view path) {
  std::lock_guard lock(mutex_);
  DetachLocked(path);
}

void InodeTable::Move(std::string_view from, std::string_view to) {
  std::lock_guard lock(mutex_);
  if (from == to) return;
  DetachLocked(to);
  for (const auto& [key, id] : TakeSubtreeLocked(from)) {
    Place(std::string(to) + key.substr(from.size()), id);
  }
}

void InodeTable::Exchange(std::string_view a, std::string_view b) {
  std::lock_guard lock(mutex_);
  if (a == b) return;
  auto from_a = TakeSubtreeLocked(a);
  auto from_b = TakeSubtreeLocked(b);
  auto place = [this](const std::multimap<std::string, uint64_t>& entries, std::string_view from,
                      std::string_view to) {
    for (const auto& [key, id] : entries) Place(std::string(to) + key.substr(from.size()), id);
  };
  place(from_a, a, b);
  place(from_b, b, a);
}

size_t InodeTable::size() const {
  std::lock_guard lock(mutex_);
  return nodes_.size();
}

uint64_t InodeTable::Lookups(uint64_t nodeid) const {
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(nodeid);
  return it == nodes_.end() ? 0 : it->second.lookups;
}

}  // namespace alluxio::fuse
