// How a written file reaches storage (alluxio.user.file.writetype.default).
#pragma once

#include <string_view>

#include "core/common/result.h"

namespace alluxio {

enum class WriteType {
  kCacheThrough,  // cached on a worker and written to the UFS before completion (default)
  kMustCache,     // cached only; the file is not persisted
  kThrough,       // written to the UFS only
  // Cached only until completion (complete once its blocks are committed); the master then has
  // the worker holding the blocks persist it in the background (docs/master.md, "Persistence").
  kAsyncThrough,
};

// Parses Alluxio's spelling ("CACHE_THROUGH", "MUST_CACHE", "THROUGH", "ASYNC_THROUGH";
// case-insensitive). kInvalidArgument otherwise.
Result<WriteType> ParseWriteType(std::string_view text);

std::string_view WriteTypeName(WriteType type);

// Whether the writer stages the UFS copy while writing, published at completion
// (CACHE_THROUGH, THROUGH).
bool WritesUfsAtCompletion(WriteType type);

// Whether every block must be cached: a block that does not fit is kNoSpace (MUST_CACHE, and
// ASYNC_THROUGH, whose only copy until it is persisted is the cache).
bool RequiresCache(WriteType type);

}  // namespace alluxio
