// Resolves a UFS URI naming one file ("file:///data/ufs/a/b", "/data/ufs/a/b") to an
// UnderFileSystem and the path inside it, or a mount's UFS URI to the UFS rooted there. One UFS
// object per root (a scheme and authority, or a mount URI) is created on first use and kept.
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/common/result.h"
#include "core/ufs/under_file_system.h"

namespace alluxio {

struct ResolvedUfsPath {
  UnderFileSystem* ufs;  // owned by the resolver, valid for its lifetime
  std::string path;      // absolute path inside `ufs`
};

class UfsResolver {
 public:
  // UFS objects are made by `factory`, each with `options` (the process's UFS properties,
  // UfsOptionsOf).
  explicit UfsResolver(UfsFactory factory = CreateUnderFileSystem, UfsOptions options = {})
      : factory_(std::move(factory)), options_(std::move(options)) {}

  // kInvalidPath for a URI without a path, kUnsupported for an unknown scheme.
  Result<ResolvedUfsPath> Resolve(std::string_view uri);
  // The UFS rooted at `root_uri` itself (a mount's UFS URI: its staging area is there), owned
  // by the resolver; created on first use. The errors of the factory.
  Result<UnderFileSystem*> Root(std::string_view root_uri);

 private:
  const UfsFactory factory_;
  const UfsOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<UnderFileSystem>, std::less<>> by_root_;
};

}  // namespace alluxio
