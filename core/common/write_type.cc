#include "core/common/write_type.h"

#include <strings.h>

#include <string>

#include <fmt/format.h>

namespace alluxio {

Result<WriteType> ParseWriteType(std::string_view text) {
  std::string s(text);
  if (strcasecmp(s.c_str(), "CACHE_THROUGH") == 0 || strcasecmp(s.c_str(), "ASYNC_THROUGH") == 0) {
    return WriteType::kCacheThrough;
  }
  if (strcasecmp(s.c_str(), "MUST_CACHE") == 0) return WriteType::kMustCache;
  if (strcasecmp(s.c_str(), "THROUGH") == 0) return WriteType::kThrough;
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown write type '{}' (CACHE_THROUGH, MUST_CACHE, THROUGH)", text));
}

std::string_view WriteTypeName(WriteType type) {
  switch (type) {
    case WriteType::kCacheThrough:
      return "CACHE_THROUGH";
    case WriteType::kMustCache:
      return "MUST_CACHE";
    case WriteType::kThrough:
      return "THROUGH";
  }
  return "?";
}

}  // namespace alluxio
