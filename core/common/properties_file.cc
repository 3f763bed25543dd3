#include "core/common/properties_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "core/common/config_value.h"

namespace alluxio {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

std::string_view LeftTrim(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsBlank(s[i])) ++i;
  return s.substr(i);
}

bool EndsWithOddBackslashes(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && s[s.size() - 1 - n] == '\\') ++n;
  return n % 2 == 1;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the escape starting after the backslash at s[*i]; advances *i past it.
Status DecodeEscape(std::string_view s, size_t* i, int line, std::string* out) {
  if (*i >= s.size()) return Ok();  // a lone trailing backslash: dropped, as in Java
  char c = s[(*i)++];
  switch (c) {
    case 't':
      out->push_back('\t');
      return Ok();
    case 'n':
      out->push_back('\n');
      return Ok();
    case 'r':
      out->push_back('\r');
      return Ok();
    case 'f':
      out->push_back('\f');
      return Ok();
    case 'u': {
      if (*i + 4 > s.size()) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("line {}: malformed \\uXXXX escape", line));
      }
      char32_t cp = 0;
      for (int k = 0; k < 4; ++k) {
        char h = s[*i + k];
        int d = (h >= '0' && h <= '9')   ? h - '0'
                : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                         : -1;
        if (d < 0) {
          return Fail(ErrorCode::kInvalidArgument,
                      fmt::format("line {}: malformed \\uXXXX escape", line));
        }
        cp = cp * 16 + static_cast<char32_t>(d);
      }
      *i += 4;
      AppendUtf8(cp, out);
      return Ok();
    }
    default:
      out->push_back(c);
      return Ok();
  }
}

Status ParseLogicalLine(std::string_view s, int line, std::vector<PropertiesEntry>* entries) {
  PropertiesEntry entry;
  entry.line = line;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\\') {
      ++i;
      if (Status st = DecodeEscape(s, &i, line, &entry.key); !st) return st;
      continue;
    }
    if (c == '=' || c == ':' || IsBlank(c)) break;
    entry.key.push_back(c);
    ++i;
  }
  while (i < s.size() && IsBlank(s[i])) ++i;
  if (i < s.size() && (s[i] == '=' || s[i] == ':')) ++i;
  while (i < s.size() && IsBlank(s[i])) ++i;
  while (i < s.size()) {
    char c = s[i++];
    if (c == '\\') {
      if (Status st = DecodeEscape(s, &i, line, &entry.value); !st) return st;
    } else {
      entry.value.push_back(c);
    }
  }
  entry.value = std::string(TrimWhitespace(entry.value));
  entries->push_back(std::move(entry));
  return Ok();
}

}  // namespace

Result<std::vector<PropertiesEntry>> ParseProperties(std::string_view text) {
  // Physical lines end at \n, \r\n or \r.
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || text[i] == '\r') {
      lines.push_back(text.substr(start, i - start));
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < text.size()) lines.push_back(text.substr(start));

  std::vector<PropertiesEntry> entries;
  size_t n = 0;
  while (n < lines.size()) {
    const int first_line = static_cast<int>(n) + 1;
    std::string_view physical = LeftTrim(lines[n++]);
    if (physical.empty() || physical[0] == '#' || physical[0] == '!') continue;
    std::string logical(physical);
    while (EndsWithOddBackslashes(logical)) {
      logical.pop_back();
      if (n >= lines.size()) break;
      logical.append(LeftTrim(lines[n++]));
    }
    if (Status st = ParseLogicalLine(logical, first_line, &entries); !st) return st.failure();
  }
  return entries;
}

Result<std::vector<PropertiesEntry>> ReadPropertiesFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(ErrnoError(errno, fmt::format("open {}", path)));
  std::string text;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Fail(ErrnoError(err, fmt::format("read {}", path)));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  auto entries = ParseProperties(text);
  if (!entries.ok()) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path, entries.error().message));
  }
  return entries;
}

}  // namespace alluxio
