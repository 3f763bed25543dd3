#include "core/master/mount_table.h"

#include <cassert>

#include "core/master/alluxio_path.h"

namespace alluxio {

std::string LocalPathOfUri(std::string_view uri) {
  if (uri.starts_with("/")) return std::string(uri);
  constexpr std::string_view kFile = "file://";
  if (!uri.starts_with(kFile)) return "";
  std::string_view rest = uri.substr(kFile.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return "";
  return std::string(rest.substr(slash));
}

std::string JoinUfsPath(std::string_view base, std::string_view relative) {
  std::string out(base);
  if (relative.empty()) return out;
  if (out.empty() || out.back() != '/') out += '/';
  out += relative;
  return out;
}

void MountTable::Add(MountInfo info, std::shared_ptr<UnderFileSystem> ufs) {
  std::string key = info.alluxio_path;
  entries_[key] = Entry{std::move(info), std::move(ufs)};
}

void MountTable::Remove(const std::string& alluxio_path) { entries_.erase(alluxio_path); }

MountTable::Resolution MountTable::Resolve(std::string_view path) const {
  // Walk ancestors from the longest; at most depth+1 map lookups.
  std::string_view probe = path;
  while (true) {
    auto it = entries_.find(probe);
    if (it != entries_.end()) {
      std::string_view relative = path.substr(probe.size());
      while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
      Resolution r;
      r.mount = &it->second;
      r.ufs_path = JoinUfsPath("/", relative);
      r.ufs_uri = JoinUfsPath(it->second.info.ufs_uri, relative);
      return r;
    }
    assert(probe != "/" && "the root mount is always present");
    size_t slash = probe.rfind('/');
    probe = slash == 0 ? std::string_view("/") : probe.substr(0, slash);
  }
}

const MountTable::Entry* MountTable::Find(std::string_view path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

const MountTable::Entry* MountTable::FindById(uint64_t mount_id) const {
  for (const auto& [path, entry] : entries_) {
    if (entry.info.mount_id == mount_id) return &entry;
  }
  return nullptr;
}

bool MountTable::HasMountBelow(std::string_view path) const {
  for (const auto& [mount_path, entry] : entries_) {
    if (mount_path != path && IsSameOrUnder(mount_path, path)) return true;
  }
  return false;
}

std::vector<MountInfo> MountTable::List() const {
  std::vector<MountInfo> out;
  for (const auto& [path, entry] : entries_) out.push_back(entry.info);
  return out;
}

}  // namespace alluxio
