// UfsOptions (under_file_system.h) from the process configuration, and their display form.
#pragma once

#include <map>
#include <string>

#include "core/common/configuration.h"
#include "core/ufs/under_file_system.h"

namespace alluxio {

// The UFS properties of `conf` (alluxio.underfs.*, s3a.*): what CreateUnderFileSystem gets
// for a UFS without mount options.
UfsOptions UfsOptionsOf(const Configuration& conf);

// `base` with every entry of `overrides` set over it (a mount's options over the process's).
UfsOptions MergeUfsOptions(UfsOptions base, const std::map<std::string, std::string>& overrides);

// The options for display: secrets (IsSecretProperty) shown as "******".
std::map<std::string, std::string> MaskedUfsOptions(
    const std::map<std::string, std::string>& options);

}  // namespace alluxio
