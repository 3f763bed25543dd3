#include "core/worker/ufs_resolver.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/ufs/ufs_options.h"

namespace alluxio {

bool UfsResolver::Knows(uint64_t mount_id) const {
  std::lock_guard lock(mutex_);
  return mounts_.contains(mount_id);
}

void UfsResolver::Learn(uint64_t mount_id, std::map<std::string, std::string> mount_options) {
  std::lock_guard lock(mutex_);
  auto [it, added] = mounts_.try_emplace(mount_id);
  if (!added) return;
  it->second.options = std::move(mount_options);
  it->second.learned = ++generation_;
}

uint64_t UfsResolver::Generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::vector<uint64_t> UfsResolver::Retain(std::span<const uint64_t> live, uint64_t generation) {
  std::vector<uint64_t> dropped;
  std::lock_guard lock(mutex_);
  std::erase_if(mounts_, [&](const auto& entry) {
    const bool gone = entry.second.learned <= generation &&
                      std::find(live.begin(), live.end(), entry.first) == live.end();
    if (gone) dropped.push_back(entry.first);
    return gone;
  });
  return dropped;
}

Result<ResolvedUfsPath> UfsResolver::Resolve(uint64_t mount_id, std::string_view uri) {
  // Split into the root ("file:///" or "scheme://authority/") and the path inside it.
  std::string root;
  std::string_view path;
  if (uri.starts_with("/")) {
    root = "/";
    path = uri;
  } else {
    size_t scheme_end = uri.find("://");
    if (scheme_end == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidPath, fmt::format("'{}' is not a UFS URI", uri));
    }
    size_t path_start = uri.find('/', scheme_end + 3);
    if (path_start == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidPath, fmt::format("UFS URI '{}' has no path", uri));
    }
    root = std::string(uri.substr(0, path_start + 1));
    path = uri.substr(path_start);
  }
  auto ufs = Root(mount_id, root);
  if (!ufs.ok()) return ufs.failure();
  return ResolvedUfsPath{std::move(ufs).value(), std::string(path)};
}

Result<std::shared_ptr<UnderFileSystem>> UfsResolver::Root(uint64_t mount_id,
                                                           std::string_view root_uri) {
  std::lock_guard lock(mutex_);
  auto mount = mounts_.find(mount_id);
  if (mount == mounts_.end()) {
    return Fail(ErrorCode::kNotFound, fmt::format("mount {} is not known here", mount_id));
  }
  auto& by_root = mount->second.by_root;
  auto it = by_root.find(root_uri);
  if (it == by_root.end()) {
    auto ufs = factory_(root_uri, MergeUfsOptions(options_, mount->second.options));
    if (!ufs.ok()) return ufs.failure();
    it = by_root.emplace(std::string(root_uri), std::move(ufs).value()).first;
  }
  return it->second;
}

}  // namespace alluxio
