#include "core/ufs/ufs_options.h"

#include "core/common/property_key.h"

namespace alluxio {

UfsOptions UfsOptionsOf(const Configuration& conf) {
  UfsOptions options;
  for (const ConfigEntry& e : conf.Entries()) {
    if (e.name.starts_with("alluxio.underfs.") || e.name.starts_with("s3a.")) {
      options[e.name] = e.value;
    }
  }
  return options;
}

UfsOptions MergeUfsOptions(UfsOptions base, const std::map<std::string, std::string>& overrides) {
  for (const auto& [key, value] : overrides) base[key] = value;
  return base;
}

std::map<std::string, std::string> MaskedUfsOptions(
    const std::map<std::string, std::string>& options) {
  std::map<std::string, std::string> masked = options;
  for (auto& [key, value] : masked) {
    if (IsSecretProperty(key)) value = "******";
  }
  return masked;
}

}  // namespace alluxio
