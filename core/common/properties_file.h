// Reader of Java properties text (alluxio-site.properties): `key=value`, `key: value` or
// `key value`; lines starting with `#` or `!` are comments; a line ending in an odd number of
// backslashes continues on the next line (whose leading whitespace is dropped); escapes \t \n
// \r \f \uXXXX and \<char>. Keys and values are trimmed, as Alluxio does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace alluxio {

struct PropertiesEntry {
  std::string key;
  std::string value;
  int line = 0;  // 1-based line on which the entry starts
};

// Entries in file order (a repeated key appears twice; the later one wins for the caller).
// Fails with kInvalidArgument naming the line for a malformed \uXXXX escape.
Result<std::vector<PropertiesEntry>> ParseProperties(std::string_view text);

// Reads and parses a file. kNotFound when it does not exist; other read errors map from errno;
// parse errors name the file and line.
Result<std::vector<PropertiesEntry>> ReadPropertiesFile(const std::string& path);

}  // namespace alluxio
