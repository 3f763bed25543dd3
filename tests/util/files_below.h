// What a directory holds, for tests that check that nothing is left behind.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace alluxio::testing {

// Every regular file below `dir` (relative paths, sorted), hidden and staged files alike.
inline std::vector<std::string> FilesBelow(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(std::filesystem::relative(e.path(), dir).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace alluxio::testing
