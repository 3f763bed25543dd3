#include "core/worker/ufs_resolver.h"

#include <fmt/format.h>

namespace alluxio {

Result<ResolvedUfsPath> UfsResolver::Resolve(std::string_view uri) {
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
  auto ufs = Root(root);
  if (!ufs.ok()) return ufs.failure();
  return ResolvedUfsPath{*ufs, std::string(path)};
}

Result<UnderFileSystem*> UfsResolver::Root(std::string_view root_uri) {
  std::lock_guard lock(mutex_);
  auto it = by_root_.find(root_uri);
  if (it == by_root_.end()) {
    auto ufs = factory_(root_uri, options_);
    if (!ufs.ok()) return ufs.failure();
    it = by_root_.emplace(std::string(root_uri), std::move(ufs).value()).first;
  }
  return it->second.get();
}

}  // namespace alluxio
