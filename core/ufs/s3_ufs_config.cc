#include "core/ufs/s3_ufs_config.h"

#include <charconv>

#include <fmt/format.h>

#include "core/common/config_value.h"
#include "core/common/property_key.h"

namespace alluxio {
namespace {

std::string OptionOf(const UfsOptions& options, PropertyKey key) {
  const PropertyDef& def = GetPropertyDef(key);
  auto it = options.find(def.name);
  return it != options.end() ? it->second : std::string(def.default_value);
}

Failure BadOption(PropertyKey key, const std::string& value, std::string_view expected) {
  const PropertyDef& def = GetPropertyDef(key);
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("{}: {} (got '{}')", def.name, expected,
                          IsSecretProperty(def.name) ? "******" : value));
}

Result<int64_t> IntOption(const UfsOptions& options, PropertyKey key) {
  const PropertyDef& def = GetPropertyDef(key);
  std::string text = OptionOf(options, key);
  Result<int64_t> value = Fail(ErrorCode::kInvalidArgument);
  if (def.type == PropertyType::kBytes) {
    value = ParseBytes(text);
  } else if (def.type == PropertyType::kDuration) {
    auto d = ParseDuration(text);
    value = d.ok() ? Result<int64_t>(d->count()) : Result<int64_t>(d.failure());
  } else {
    value = ParseInt(text);
  }
  if (!value.ok()) return BadOption(key, text, value.error().message);
  if (*value < def.min || *value > def.max) {
    return BadOption(key, text, fmt::format("must lie in [{}, {}]", def.min, def.max));
  }
  return value;
}

}  // namespace

Result<S3UfsConfig> S3UfsConfigOf(std::string_view uri, const UfsOptions& options,
                                  const Environment& env) {
  constexpr std::string_view kScheme = "s3://";
  if (!uri.starts_with(kScheme)) {
    return Fail(ErrorCode::kInvalidPath, fmt::format("'{}' is not an s3:// URI", uri));
  }
  std::string_view rest = uri.substr(kScheme.size());
  size_t slash = rest.find('/');
  S3UfsConfig config;
  config.client.bucket = std::string(rest.substr(0, slash));
  if (config.client.bucket.empty()) {
    return Fail(ErrorCode::kInvalidPath, fmt::format("'{}' names no bucket", uri));
  }
  if (slash != std::string_view::npos) {
    auto parts = SplitUfsPath(rest.substr(slash));
    if (!parts.ok()) return parts.failure();
    for (std::string_view part : *parts) {
      if (!config.prefix.empty()) config.prefix += '/';
      config.prefix.append(part);
    }
  }
  config.client.endpoint = OptionOf(options, PropertyKey::kUnderfsS3Endpoint);
  config.client.region = OptionOf(options, PropertyKey::kUnderfsS3EndpointRegion);
  if (config.client.region.empty()) config.client.region = "us-east-1";
  std::string path_style = OptionOf(options, PropertyKey::kUnderfsS3DisableDnsBuckets);
  auto path_style_value = ParseBool(path_style);
  if (!path_style_value.ok()) {
    return BadOption(PropertyKey::kUnderfsS3DisableDnsBuckets, path_style, "true or false");
  }
  config.client.path_style = *path_style_value;
  auto threads = IntOption(options, PropertyKey::kUnderfsS3ThreadsMax);
  if (!threads.ok()) return threads.failure();
  config.client.max_connections = static_cast<int>(*threads);
  auto upload_threads = IntOption(options, PropertyKey::kUnderfsS3UploadThreadsMax);
  if (!upload_threads.ok()) return upload_threads.failure();
  config.upload_parts_in_flight = static_cast<int>(*upload_threads);
  auto timeout = IntOption(options, PropertyKey::kUnderfsS3RequestTimeout);
  if (!timeout.ok()) return timeout.failure();
  config.client.request_timeout_ms = static_cast<long>(*timeout);
  auto part_size = IntOption(options, PropertyKey::kUnderfsS3StreamingUploadPartitionSize);
  if (!part_size.ok()) return part_size.failure();
  config.part_size = static_cast<uint64_t>(*part_size);
  config.directory_suffix = OptionOf(options, PropertyKey::kUnderfsS3DirectorySuffix);
  if (config.directory_suffix.empty()) {
    return BadOption(PropertyKey::kUnderfsS3DirectorySuffix, "", "must not be empty");
  }
  std::string mode = OptionOf(options, PropertyKey::kUnderfsS3DefaultMode);
  uint32_t mode_value = 0;
  auto [end, ec] = std::from_chars(mode.data(), mode.data() + mode.size(), mode_value, 8);
  if (mode.empty() || ec != std::errc() || end != mode.data() + mode.size() || mode_value > 07777) {
    return BadOption(PropertyKey::kUnderfsS3DefaultMode, mode, "octal permission bits");
  }
  config.default_mode = mode_value;
  config.client.access_key = OptionOf(options, PropertyKey::kS3aAccessKeyId);
  config.client.secret_key = OptionOf(options, PropertyKey::kS3aSecretKey);
  if (config.client.access_key.empty() && config.client.secret_key.empty()) {
    if (auto it = env.find("AWS_ACCESS_KEY_ID"); it != env.end()) {
      config.client.access_key = it->second;
    }
    if (auto it = env.find("AWS_SECRET_ACCESS_KEY"); it != env.end()) {
      config.client.secret_key = it->second;
    }
  }
  if (config.client.access_key.empty() != config.client.secret_key.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "S3 credentials need both s3a.accessKeyId and s3a.secretKey (or both "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
  }
  return config;
}

}  // namespace alluxio
