// Alluxio path syntax: validation, normalization and splitting. Pure functions, thread-safe.
//
// An Alluxio path is absolute ("/" first) and '/'-separated. Normalization follows Alluxio's
// AlluxioURI: runs of '/' collapse into one and a trailing '/' is dropped, so "//a//b/" names
// "/a/b". Refused:
//   - ""  or a path not starting with '/'           → kInvalidPath
//   - a NUL byte anywhere                            → kInvalidPath
//   - a "." or ".." component                        → kInvalidPath (no relative resolution)
//   - a component longer than kMaxNameBytes (255)    → kNameTooLong
//   - a path longer than kMaxPathBytes (4096) bytes  → kNameTooLong (measured on the input)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace alluxio {

inline constexpr size_t kMaxNameBytes = 255;
inline constexpr size_t kMaxPathBytes = 4096;
// The longest symbolic link target: PATH_MAX (4096) with its NUL, as symlink(2) takes.
inline constexpr size_t kMaxSymlinkTargetBytes = 4095;

// Checks a single component (a file name): non-empty, not "." or "..", no '/' or NUL, at most
// kMaxNameBytes. kInvalidPath or kNameTooLong.
Status ValidateName(std::string_view name);

// The components of a path ("/" → {}), after validation and normalization as described above.
Result<std::vector<std::string>> SplitPath(std::string_view path);

// The normalized form of a path ("//a/b/" → "/a/b"); same errors as SplitPath.
Result<std::string> NormalizePath(std::string_view path);

// "/" joined with components ({} → "/", {"a","b"} → "/a/b"). Components must be valid.
std::string JoinPath(const std::vector<std::string>& components, size_t count);
inline std::string JoinPath(const std::vector<std::string>& components) {
  return JoinPath(components, components.size());
}

// child of a normalized directory path: ("/", "a") → "/a", ("/a", "b") → "/a/b".
std::string ChildPath(std::string_view dir, std::string_view name);

// True if `ancestor` equals `path` or is a directory above it, both normalized
// ("/a" is under "/a" and "/", "/ab" is not under "/a").
bool IsSameOrUnder(std::string_view path, std::string_view ancestor);

}  // namespace alluxio
