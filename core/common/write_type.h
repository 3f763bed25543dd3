// How a written file reaches storage (alluxio.user.file.writetype.default).
#pragma once

#include <string_view>

#include "core/common/result.h"

namespace alluxio {

enum class WriteType {
  kCacheThrough,  // cached on a worker and written to the UFS before completion (default)
  kMustCache,     // cached only; the file is not persisted
  kThrough,       // written to the UFS only
};

// Parses Alluxio's spelling ("CACHE_THROUGH", "MUST_CACHE", "THROUGH"; case-insensitive).
// ASYNC_THROUGH is accepted as CACHE_THROUGH (persisted before completion, which is stronger).
// kInvalidArgument otherwise.
Result<WriteType> ParseWriteType(std::string_view text);

std::string_view WriteTypeName(WriteType type);

}  // namespace alluxio
