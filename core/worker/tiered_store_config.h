// Configuration of the worker's tiered block store: tiers in order (0 = top, fastest), each with
// one or more directories and a byte quota per directory. Built by the caller, usually from the
// Alluxio properties alluxio.worker.tieredstore.* through TieredStoreConfigFromProperties().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace alluxio {

struct TierDirConfig {
  std::string path;  // absolute; created if missing
  uint64_t quota_bytes = 0;
};

struct TierConfig {
  std::string alias;  // "MEM", "SSD", "HDD", ...; unique across tiers
  std::vector<TierDirConfig> dirs;
};

struct BlockStoreConfig {
  std::vector<TierConfig> tiers;  // at least one; index 0 is the top tier
};

// kInvalidArgument naming the first problem: no tier, a tier without directories, an empty or
// duplicate alias, a relative or duplicate directory path.
Status ValidateBlockStoreConfig(const BlockStoreConfig& config);

// Returns the value of a property, or nullopt when it is not set.
using PropertyLookup = std::function<std::optional<std::string>(std::string_view key)>;

// Reads alluxio.worker.tieredstore.levels (default 1) and for each level N:
//   .level{N}.alias       default MEM, SSD, HDD for levels 0, 1, 2; required beyond
//   .level{N}.dirs.path   comma-separated directories; required
//   .level{N}.dirs.quota  comma-separated sizes ("16GB", "512MB", "1024"); required. When shorter
//                         than the path list its last value applies to the remaining dirs
//                         (Alluxio's rule).
// Whitespace around list items is ignored. kInvalidArgument names the offending key.
Result<BlockStoreConfig> TieredStoreConfigFromProperties(const PropertyLookup& lookup);

// Parses a size as Alluxio writes them: a decimal number with an optional case-insensitive unit
// B, K/KB, M/MB, G/GB, T/TB, P/PB (powers of 1024): "64MB", "1.5g", "4096". kInvalidArgument
// otherwise or on overflow.
Result<uint64_t> ParseByteSize(std::string_view text);

}  // namespace alluxio
