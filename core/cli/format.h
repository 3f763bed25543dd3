// Text forms shared by the shell commands, as Alluxio prints them.
#pragma once

#include <cstdint>
#include <string>

#include "core/common/file_info.h"

namespace alluxio::cli {

// "drwxr-xr-x" / "-rw-r--r--" / "lrwxrwxrwx" (a symbolic link).
std::string PermissionString(const FileInfo& info);
// Alluxio's FormatUtils.getSizeFromBytes: "512B", "1.50KB", "64.00MB".
std::string FormatBytes(uint64_t bytes);
// "MM-dd-yyyy HH:mm:ss:SSS" in local time.
std::string FormatTimeMs(int64_t ms);
// One line of `fs ls` (with the newline). `in_alluxio`: "100%" for files, "DIR" otherwise. A
// symbolic link's path is followed by " -> " and its target, as ls -l shows it.
std::string LsLine(const FileInfo& info, const std::string& in_alluxio);

}  // namespace alluxio::cli
