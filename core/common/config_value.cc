#include "core/common/config_value.h"

#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace alluxio {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A decimal number split into sign, integer part and fraction (num/den), plus the text after it.
struct Decimal {
  bool negative = false;
  unsigned __int128 int_part = 0;
  unsigned __int128 frac_num = 0;
  unsigned __int128 frac_den = 1;
  std::string_view rest;
};

constexpr unsigned __int128 kTooBig = static_cast<unsigned __int128>(1) << 100;

// Parses [+-]digits[.digits]; false when there is no digit or the number is absurdly large.
bool ParseDecimal(std::string_view text, bool allow_sign, Decimal* out) {
  size_t i = 0;
  if (allow_sign && i < text.size() && (text[i] == '-' || text[i] == '+')) {
    out->negative = text[i] == '-';
    ++i;
  }
  bool any_digit = false;
  while (i < text.size() && IsDigit(text[i])) {
    out->int_part = out->int_part * 10 + static_cast<unsigned>(text[i] - '0');
    if (out->int_part > kTooBig) return false;
    any_digit = true;
    ++i;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    int frac_digits = 0;
    while (i < text.size() && IsDigit(text[i])) {
      if (frac_digits < 18) {  // further digits cannot change a millisecond or a byte count
        out->frac_num = out->frac_num * 10 + static_cast<unsigned>(text[i] - '0');
        out->frac_den *= 10;
        ++frac_digits;
      }
      any_digit = true;
      ++i;
    }
  }
  out->rest = TrimWhitespace(text.substr(i));
  return any_digit;
}

// int_part*unit + frac*unit, rounded toward zero; false on overflow of int64.
bool Scale(const Decimal& d, uint64_t unit, int64_t* out) {
  unsigned __int128 v = d.int_part * unit + d.frac_num * unit / d.frac_den;
  if (v > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max())) return false;
  *out = d.negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return true;
}

struct Unit {
  std::string_view name;
  uint64_t factor;
};

constexpr uint64_t kKiB = 1024;
constexpr Unit kByteUnits[] = {
    {"", 1},
    {"b", 1},
    {"k", kKiB},
    {"kb", kKiB},
    {"kib", kKiB},
    {"m", kKiB* kKiB},
    {"mb", kKiB* kKiB},
    {"mib", kKiB* kKiB},
    {"g", kKiB* kKiB* kKiB},
    {"gb", kKiB* kKiB* kKiB},
    {"gib", kKiB* kKiB* kKiB},
    {"t", kKiB* kKiB* kKiB* kKiB},
    {"tb", kKiB* kKiB* kKiB* kKiB},
    {"tib", kKiB* kKiB* kKiB* kKiB},
    {"p", kKiB* kKiB* kKiB* kKiB* kKiB},
    {"pb", kKiB* kKiB* kKiB* kKiB* kKiB},
    {"pib", kKiB* kKiB* kKiB* kKiB* kKiB},
};

constexpr uint64_t kSecond = 1000;
constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kHour = 60 * kMinute;
constexpr uint64_t kDay = 24 * kHour;
constexpr Unit kDurationUnits[] = {
    {"", 1},        {"ms", 1},        {"msec", 1},       {"millisecond", 1},  {"milliseconds", 1},
    {"s", kSecond}, {"sec", kSecond}, {"secs", kSecond}, {"second", kSecond}, {"seconds", kSecond},
    {"m", kMinute}, {"min", kMinute}, {"mins", kMinute}, {"minute", kMinute}, {"minutes", kMinute},
    {"h", kHour},   {"hr", kHour},    {"hrs", kHour},    {"hour", kHour},     {"hours", kHour},
    {"d", kDay},    {"day", kDay},    {"days", kDay},
};

template <size_t N>
const Unit* FindUnit(const Unit (&units)[N], std::string_view suffix) {
  std::string lower = Lower(suffix);
  for (const Unit& u : units) {
    if (u.name == lower) return &u;
  }
  return nullptr;
}

}  // namespace

std::string_view TrimWhitespace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  size_t b = text.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  size_t e = text.find_last_not_of(kSpace);
  return text.substr(b, e - b + 1);
}

Result<bool> ParseBool(std::string_view text) {
  std::string v = Lower(TrimWhitespace(text));
  if (v == "true") return true;
  if (v == "false") return false;
  return Fail(ErrorCode::kInvalidArgument, "expected true or false");
}

Result<int64_t> ParseInt(std::string_view text) {
  std::string_view t = TrimWhitespace(text);
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec == std::errc::invalid_argument || end != t.data() + t.size()) {
    return Fail(ErrorCode::kInvalidArgument, "expected an integer");
  }
  if (ec == std::errc::result_out_of_range) {
    return Fail(ErrorCode::kInvalidArgument, "integer out of range");
  }
  return v;
}

Result<int64_t> ParseBytes(std::string_view text) {
  constexpr std::string_view kExpected =
      "expected a byte size such as 64MB, 1.5GB, 512KB or a number of bytes";
  Decimal d;
  if (!ParseDecimal(TrimWhitespace(text), /*allow_sign=*/false, &d)) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kExpected));
  }
  const Unit* unit = FindUnit(kByteUnits, d.rest);
  if (unit == nullptr) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("unknown size unit \"{}\"; {}", d.rest, kExpected));
  }
  int64_t v = 0;
  if (!Scale(d, unit->factor, &v)) return Fail(ErrorCode::kInvalidArgument, "byte size too large");
  return v;
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  constexpr std::string_view kExpected =
      "expected a duration such as 100ms, 5s, 10min, 1h, 1d or a number of milliseconds";
  Decimal d;
  if (!ParseDecimal(TrimWhitespace(text), /*allow_sign=*/true, &d)) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kExpected));
  }
  const Unit* unit = FindUnit(kDurationUnits, d.rest);
  if (unit == nullptr) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("unknown time unit \"{}\"; {}", d.rest, kExpected));
  }
  int64_t v = 0;
  if (!Scale(d, unit->factor, &v)) return Fail(ErrorCode::kInvalidArgument, "duration too large");
  return std::chrono::milliseconds(v);
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = TrimWhitespace(text.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

std::string FormatBytes(int64_t bytes) {
  constexpr std::string_view kNames[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  if (bytes < 0) return fmt::format("{}B", bytes);
  int unit = 0;
  uint64_t factor = 1;
  while (unit + 1 < static_cast<int>(std::size(kNames)) &&
         static_cast<uint64_t>(bytes) >= factor * kKiB) {
    factor *= kKiB;
    ++unit;
  }
  if (static_cast<uint64_t>(bytes) % factor == 0) {
    return fmt::format("{}{}", static_cast<uint64_t>(bytes) / factor, kNames[unit]);
  }
  return fmt::format("{:.2f}{}", static_cast<double>(bytes) / static_cast<double>(factor),
                     kNames[unit]);
}

std::string FormatDuration(std::chrono::milliseconds duration) {
  const int64_t ms = duration.count();
  if (ms == 0) return "0ms";
  struct Named {
    uint64_t factor;
    std::string_view name;
  };
  constexpr Named kUnits[] = {{kDay, "d"}, {kHour, "h"}, {kMinute, "min"}, {kSecond, "s"}};
  for (const Named& u : kUnits) {
    if (ms % static_cast<int64_t>(u.factor) == 0) {
      return fmt::format("{}{}", ms / static_cast<int64_t>(u.factor), u.name);
    }
  }
  return fmt::format("{}ms", ms);
}

}  // namespace alluxio
