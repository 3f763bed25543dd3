#include "core/worker/tiered_store_config.h"

#include <cctype>
#include <charconv>
#include <set>

#include <fmt/format.h>

namespace alluxio {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string_view::npos) j = s.size();
    std::string_view item = Trim(s.substr(i, j - i));
    if (!item.empty()) out.emplace_back(item);
    i = j + 1;
  }
  return out;
}

}  // namespace

Status ValidateBlockStoreConfig(const BlockStoreConfig& config) {
  if (config.tiers.empty()) return Fail(ErrorCode::kInvalidArgument, "tiered store has no tier");
  std::set<std::string> aliases;
  std::set<std::string> paths;
  for (size_t t = 0; t < config.tiers.size(); ++t) {
    const TierConfig& tier = config.tiers[t];
    if (tier.alias.empty()) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("tier {} has an empty alias", t));
    }
    if (!aliases.insert(tier.alias).second) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("duplicate tier alias {}", tier.alias));
    }
    if (tier.dirs.empty()) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("tier {} has no directory", tier.alias));
    }
    for (const TierDirConfig& dir : tier.dirs) {
      if (dir.path.empty() || dir.path.front() != '/') {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("tier {} directory '{}' is not absolute", tier.alias, dir.path));
      }
      std::string normalized = dir.path;
      while (normalized.size() > 1 && normalized.back() == '/') normalized.pop_back();
      if (!paths.insert(normalized).second) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("directory {} is configured twice", dir.path));
      }
    }
  }
  return Ok();
}

Result<uint64_t> ParseByteSize(std::string_view text) {
  std::string_view s = Trim(text);
  size_t n = 0;
  while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.')) ++n;
  std::string_view number = s.substr(0, n);
  std::string unit;
  for (char c : Trim(s.substr(n)))
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto bad = [&] {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("invalid size '{}'", text));
  };
  if (number.empty()) return bad();
  int shift = 0;
  if (unit.empty() || unit == "b") {
    shift = 0;
  } else if (unit == "k" || unit == "kb") {
    shift = 10;
  } else if (unit == "m" || unit == "mb") {
    shift = 20;
  } else if (unit == "g" || unit == "gb") {
    shift = 30;
  } else if (unit == "t" || unit == "tb") {
    shift = 40;
  } else if (unit == "p" || unit == "pb") {
    shift = 50;
  } else {
    return bad();
  }
  if (number.find('.') == std::string_view::npos) {
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size()) return bad();
    if (shift > 0 && value > (UINT64_MAX >> shift)) return bad();
    return value << shift;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size()) return bad();
  long double bytes = static_cast<long double>(value) * static_cast<long double>(1ULL << shift);
  if (bytes >= 18446744073709551615.0L) return bad();
  return static_cast<uint64_t>(bytes);
}

Result<BlockStoreConfig> TieredStoreConfigFromProperties(const PropertyLookup& lookup) {
  constexpr std::string_view kPrefix = "alluxio.worker.tieredstore.";
  int levels = 1;
  if (auto v = lookup(fmt::format("{}levels", kPrefix))) {
    std::string_view s = Trim(*v);
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), levels);
    if (ec != std::errc() || end != s.data() + s.size() || levels < 1 || levels > 16) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("{}levels: '{}' is not a level count (1-16)", kPrefix, *v));
    }
  }
  static constexpr std::string_view kDefaultAliases[] = {"MEM", "SSD", "HDD"};
  BlockStoreConfig config;
  for (int level = 0; level < levels; ++level) {
    TierConfig tier;
    std::string alias_key = fmt::format("{}level{}.alias", kPrefix, level);
    if (auto v = lookup(alias_key)) {
      tier.alias = std::string(Trim(*v));
    } else if (level < 3) {
      tier.alias = std::string(kDefaultAliases[level]);
    } else {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("{} is not set", alias_key));
    }
    std::string path_key = fmt::format("{}level{}.dirs.path", kPrefix, level);
    std::string quota_key = fmt::format("{}level{}.dirs.quota", kPrefix, level);
    auto paths = lookup(path_key);
    if (!paths) return Fail(ErrorCode::kInvalidArgument, fmt::format("{} is not set", path_key));
    auto quotas = lookup(quota_key);
    if (!quotas) return Fail(ErrorCode::kInvalidArgument, fmt::format("{} is not set", quota_key));
    std::vector<std::string> path_list = SplitList(*paths);
    std::vector<std::string> quota_list = SplitList(*quotas);
    if (path_list.empty()) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("{} is empty", path_key));
    }
    if (quota_list.empty()) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("{} is empty", quota_key));
    }
    for (size_t i = 0; i < path_list.size(); ++i) {
      const std::string& q = quota_list[std::min(i, quota_list.size() - 1)];
      auto bytes = ParseByteSize(q);
      if (!bytes.ok()) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("{}: {}", quota_key, bytes.error().message));
      }
      tier.dirs.push_back(TierDirConfig{path_list[i], *bytes});
    }
    config.tiers.push_back(std::move(tier));
  }
  if (Status s = ValidateBlockStoreConfig(config); !s.ok()) return s.failure();
  return config;
}

}  // namespace alluxio
