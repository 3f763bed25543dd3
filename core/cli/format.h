// Text forms shared by the shell commands, as Alluxio prints them.
#pragma once

#include <cstdint>
#include <string>

#include "core/common/file_info.h"

namespace alluxio::cli {

// "drwxr-xr-x" / "-rw-r--r--".
std::string PermissionString(bool is_directory, uint32_t mode);
// Alluxio's FormatUtils.getSizeFromBytes: "512B", "1.50KB", "64.00MB".
std::string FormatBytes(uint64_t bytes);
// "MM-dd-yyyy HH:mm:ss:SSS" in local time.
std::string FormatTimeMs(int64_t ms);
// One line of `fs ls` (with the newline). `in_alluxio`: "100%" for files, "DIR" otherwise.
std::string LsLine(const FileInfo& info, const std::string& in_alluxio);

}  // namespace alluxio::cli
