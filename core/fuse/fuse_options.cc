#include "core/fuse/fuse_options.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

namespace alluxio::fuse {

namespace {

constexpr uint32_t kPageSize = 4096;

bool ParseSeconds(std::string_view text, double* out) {
  // std::from_chars for double is not in GCC 12's libstdc++ for all modes; strtod on a copy.
  std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(value) || value < 0) {
    return false;
  }
  *out = value;
  return true;
}

template <typename T>
bool ParseUnsigned(std::string_view text, T* out) {
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return false;
  *out = value;
  return true;
}

}  // namespace

uint32_t FuseOptions::MaxRead() const {
  const uint32_t pages = uint32_t{max_pages} * kPageSize;
  return max_read == 0 || max_read > pages ? pages : max_read;
}

uint32_t FuseOptions::MaxWrite() const {
  const uint32_t pages = uint32_t{max_pages} * kPageSize;
  return max_write == 0 || max_write > pages ? pages : max_write;
}

Status ApplyFuseOption(FuseOptions& options, std::string_view item, bool* consumed) {
  *consumed = true;
  const size_t eq = item.find('=');
  const std::string_view key = item.substr(0, eq);
  const std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
  const bool has_value = eq != std::string_view::npos;
  auto bad = [&] {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("bad FUSE option '{}'", item));
  };

  if (key == "direct_io" && !has_value) {
    options.direct_io = true;
  } else if (key == "kernel_cache" && !has_value) {
    options.kernel_cache = true;
  } else if (key == "auto_cache" && !has_value) {
    options.auto_cache = true;
  } else if (key == "big_writes" && !has_value) {
    // Always on (FUSE_BIG_WRITES is offered unconditionally); accepted for compatibility.
  } else if (key == "attr_timeout") {
    if (!ParseSeconds(value, &options.attr_timeout)) return bad();
  } else if (key == "entry_timeout") {
    if (!ParseSeconds(value, &options.entry_timeout)) return bad();
  } else if (key == "negative_timeout") {
    if (!ParseSeconds(value, &options.negative_timeout)) return bad();
  } else if (key == "max_read") {
    if (!ParseUnsigned(value, &options.max_read)) return bad();
  } else if (key == "max_write") {
    if (!ParseUnsigned(value, &options.max_write)) return bad();
  } else if (key == "max_background") {
    if (!ParseUnsigned(value, &options.max_background) || options.max_background == 0) {
      return bad();
    }
  } else if (key == "congestion_threshold") {
    if (!ParseUnsigned(value, &options.congestion_threshold)) return bad();
  } else if (key == "max_pages") {
    if (!ParseUnsigned(value, &options.max_pages) || options.max_pages == 0) return bad();
  } else {
    *consumed = false;
  }
  return Ok();
}

}  // namespace alluxio::fuse
