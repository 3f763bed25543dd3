// Parsers of configuration value text, shared by Configuration and by the FUSE mount-option
// shortcuts. Each returns kInvalidArgument with a message saying what was expected; callers
// add which property and source the text came from.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace alluxio {

// "true" or "false", case-insensitive, surrounding whitespace ignored.
Result<bool> ParseBool(std::string_view text);

// A decimal integer with optional sign ("-1", "+42", "1024").
Result<int64_t> ParseInt(std::string_view text);

// A byte size: a non-negative decimal number (fraction allowed: "1.5GB") with an optional unit,
// case-insensitive, optionally separated by spaces: B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB,
// P/PB/PiB, all powers of 1024 as in Alluxio. No unit: bytes. Fractions round down to a byte.
Result<int64_t> ParseBytes(std::string_view text);

// A duration: a decimal number (optionally negative, fraction allowed) with an optional unit,
// case-insensitive: ms/msec/millisecond(s), s/sec/second(s), m/min/minute(s), h/hr/hour(s),
// d/day(s). No unit: milliseconds, as in Alluxio. Fractions round toward zero to a millisecond.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Comma-separated items, each trimmed; empty items are dropped ("a, b,,c" → {a, b, c}).
std::vector<std::string> SplitList(std::string_view text);

// Compact display forms: 67108864 → "64MB", 1536 → "1.50KB"; 600000ms → "10min", 1500ms →
// "1500ms".
std::string FormatBytes(int64_t bytes);
std::string FormatDuration(std::chrono::milliseconds duration);

// Leading and trailing spaces, tabs, CR, LF and form feeds removed.
std::string_view TrimWhitespace(std::string_view text);

}  // namespace alluxio
