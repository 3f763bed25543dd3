// Resolves a UFS URI naming one file ("file:///data/ufs/a/b", "/data/ufs/a/b") to an
// UnderFileSystem and the path inside it. One UFS object per scheme and authority is created on
// first use and kept. Thread-safe.
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
  // kInvalidPath for a URI without a path, kUnsupported for an unknown scheme.
  Result<ResolvedUfsPath> Resolve(std::string_view uri);

 private:
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<UnderFileSystem>, std::less<>> by_root_;
};

}  // namespace alluxio
