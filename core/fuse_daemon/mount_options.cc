#include "core/fuse_daemon/mount_options.h"

#include <charconv>

#include <fmt/format.h>

#include "core/common/logging.h"

namespace alluxio {
namespace {

constexpr size_t kMaxRequestSlots = 1024;

struct Shortcut {
  std::string_view item_key;
  PropertyKey property;
  PropertyKey enabled;  // set to true alongside; == property when there is none
};

// Alluxio's mount-option shortcuts for client cache properties.
constexpr Shortcut kShortcuts[] = {
    {"metadata_cache_size", PropertyKey::kUserMetadataCacheMaxSize,
     PropertyKey::kUserMetadataCacheEnabled},
    {"metadata_cache_expire", PropertyKey::kUserMetadataCacheExpirationTime,
     PropertyKey::kUserMetadataCacheEnabled},
    {"data_cache", PropertyKey::kUserClientCacheDirs, PropertyKey::kUserClientCacheEnabled},
    {"data_cache_size", PropertyKey::kUserClientCacheSize, PropertyKey::kUserClientCacheEnabled},
};

Status BadItem(std::string_view item, std::string_view why) {
  return Fail(ErrorCode::kInvalidArgument, fmt::format("bad mount option '{}': {}", item, why));
}

Status ApplyItem(std::string_view item, Configuration* conf, FuseMountSpec* spec) {
  const size_t eq = item.find('=');
  const std::string_view key = item.substr(0, eq);
  const std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
  const ConfigSource source = ConfigSource::Runtime(fmt::format("mount option '{}'", item));

  if (eq != std::string_view::npos && key.starts_with("alluxio.")) {
    Status st = conf->Set(key, value, source);
    if (!st.ok()) return BadItem(item, st.error().message);
    return Ok();
  }
  for (const Shortcut& shortcut : kShortcuts) {
    if (key != shortcut.item_key) continue;
    if (eq == std::string_view::npos) return BadItem(item, "a value is required");
    if (Status st = conf->Set(shortcut.property, value, source); !st.ok()) {
      return BadItem(item, st.error().message);
    }
    if (Status st = conf->Set(shortcut.enabled, "true", source); !st.ok()) return st;
    if (shortcut.enabled == PropertyKey::kUserClientCacheEnabled) {
      ALX_LOG(kWarn, "fuse",
              "mount option '{}': there is no client-side data cache; reads are cached by the "
              "workers (short-circuit when local)",
              item);
    }
    return Ok();
  }
  if (key == "max_idle_threads") {
    size_t n = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || ptr != value.data() + value.size() || n == 0 || n > kMaxRequestSlots) {
      return BadItem(item, fmt::format("expected a number from 1 to {}", kMaxRequestSlots));
    }
    spec->request_slots = n;
    return Ok();
  }
  bool consumed = false;
  if (Status st = fuse::ApplyFuseOption(spec->fuse, item, &consumed); !st.ok()) return st;
  if (consumed) return Ok();
  spec->kernel_options.emplace_back(item);
  return Ok();
}

bool Has(const std::vector<std::string>& items, std::string_view item) {
  for (const auto& i : items) {
    if (i == item) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> SplitMountOptions(const std::vector<std::string>& option_args) {
  std::vector<std::string> items;
  for (const auto& arg : option_args) {
    size_t start = 0;
    while (start <= arg.size()) {
      size_t comma = arg.find(',', start);
      if (comma == std::string::npos) comma = arg.size();
      if (comma > start) items.push_back(arg.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return items;
}

Status ApplyMountOptions(const std::vector<std::string>& items, Configuration* conf,
                         FuseMountSpec* spec) {
  const std::vector<std::string>& chosen =
      items.empty() ? conf->GetList(PropertyKey::kFuseMountOptions) : items;
  if (Has(chosen, "allow_other") && Has(chosen, "allow_root")) {
    return Fail(ErrorCode::kInvalidArgument,
                "mount options allow_other and allow_root cannot be used together");
  }
  for (const auto& item : chosen) {
    if (Status st = ApplyItem(item, conf, spec); !st.ok()) return st;
  }
  spec->items = chosen;
  const bool shared = Has(chosen, "allow_other") || Has(chosen, "allow_root");
  if (shared && !Has(chosen, "default_permissions")) {
    if (conf->GetBool(PropertyKey::kFusePermissionCheckEnabled)) {
      spec->kernel_options.emplace_back("default_permissions");
      spec->permission_check = FuseMountSpec::PermissionCheck::kAdded;
    } else {
      spec->permission_check = FuseMountSpec::PermissionCheck::kOptedOut;
    }
  }
  return Ok();
}

void LogPermissionCheck(const FuseMountSpec& spec, bool master_checks_callers) {
  switch (spec.permission_check) {
    case FuseMountSpec::PermissionCheck::kAsGiven:
      return;
    case FuseMountSpec::PermissionCheck::kAdded:
      ALX_LOG(kInfo, "fuse",
              "{}: default_permissions added: the kernel checks each request against its "
              "caller's uid, gid and groups (alluxio.fuse.permission.check.enabled=false turns "
              "this off)",
              Has(spec.items, "allow_other") ? "allow_other" : "allow_root");
      return;
    case FuseMountSpec::PermissionCheck::kOptedOut:
      if (master_checks_callers) {
        ALX_LOG(kWarn, "fuse",
                "alluxio.fuse.permission.check.enabled=false: the kernel checks no permissions; "
                "the master checks each request as its caller (SystemUserGroupAuthPolicy)");
        return;
      }
      ALX_LOG(kWarn, "fuse",
              "alluxio.fuse.permission.check.enabled=false: every user admitted to the mount "
              "acts as the user who mounted it (no permission checks against the caller)");
      return;
  }
}

}  // namespace alluxio
