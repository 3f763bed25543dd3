#include "core/common/write_type.h"

#include <strings.h>

#include <string>

#include <fmt/format.h>

namespace alluxio {

Result<WriteType> ParseWriteType(std::string_view text) {
  std::string s(text);
  for (WriteType type : {WriteType::kCacheThrough, WriteType::kMustCache, WriteType::kThrough,
                         WriteType::kAsyncThrough}) {
    if (strcasecmp(s.c_str(), std::string(WriteTypeName(type)).c_str()) == 0) return type;
  }
  return Fail(
      ErrorCode::kInvalidArgument,
      fmt::format("unknown write type '{}' (CACHE_THROUGH, MUST_CACHE, THROUGH, ASYNC_THROUGH)",
                  text));
}

std::string_view WriteTypeName(WriteType type) {
  switch (type) {
    case WriteType::kCacheThrough:
      return "CACHE_THROUGH";
    case WriteType::kMustCache:
      return "MUST_CACHE";
    case WriteType::kThrough:
      return "THROUGH";
    case WriteType::kAsyncThrough:
      return "ASYNC_THROUGH";
  }
  return "?";
}

bool WritesUfsAtCompletion(WriteType type) {
  return type == WriteType::kCacheThrough || type == WriteType::kThrough;
}

bool RequiresCache(WriteType type) {
  return type == WriteType::kMustCache || type == WriteType::kAsyncThrough;
}

}  // namespace alluxio
