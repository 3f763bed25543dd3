#include "core/fuse_daemon/fuse_daemon.h"

#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "core/client/client_context.h"
#include "core/common/live_process.h"
#include "core/common/logging.h"
#include "core/fs/alluxio_file_system.h"
#include "core/fuse/fuse_mount.h"
#include "core/fuse/fuse_session.h"
#include "core/reactor/block_on.h"
#include "core/reactor/reactor.h"

namespace alluxio {
namespace {

constexpr const char* kLog = "fuse";

Status MountPointError(ErrorCode code, const std::string& mount_point, std::string_view why) {
  return Fail(code, fmt::format("mount point {} {}", mount_point, why));
}

// Is the Alluxio path (the file system's root) a directory? Asked as the mounting user.
Task<Status> CheckAlluxioPath(fs::AlluxioFileSystem* fs, std::string alluxio_path) {
  const fs::Caller mounter{fs->options().uid, fs->options().gid};
  Result<fs::Attributes> attr = co_await fs->GetAttr("/", mounter);
  if (!attr.ok()) {
    co_return Fail(attr.error().code,
                   fmt::format("alluxio path {}: {}", alluxio_path, attr.error().message));
  }
  if (!S_ISDIR(attr->mode)) {
    co_return Fail(ErrorCode::kNotADirectory,
                   fmt::format("alluxio path {} is not a directory", alluxio_path));
  }
  co_return Ok();
}

// Properties of Alluxio's Java FUSE that shape this mount, or that have no counterpart here
// (said once in the log rather than ignored silently).
void ApplyFuseProperties(const Configuration& conf, FuseMountSpec* spec) {
  spec->fuse.passthrough = conf.GetBool(PropertyKey::kFusePassthroughEnabled);
  spec->io_uring = conf.GetBool(PropertyKey::kFuseIoUringEnabled);
  spec->io_uring_poll = std::chrono::microseconds(conf.GetInt(PropertyKey::kFuseIoUringPollMicros));
  if (conf.IsSet(PropertyKey::kFuseMaxwriteBytes) && spec->fuse.max_write == 0) {
    spec->fuse.max_write = static_cast<uint32_t>(conf.GetBytes(PropertyKey::kFuseMaxwriteBytes));
  }
  // With the client metadata cache, the kernel remembers a missing name as long as the cache
  // may (entry_timeout at most), unless negative_timeout is given.
  const bool negative_given = std::any_of(spec->items.begin(), spec->items.end(), [](auto& item) {
    return std::string_view(item).starts_with("negative_timeout=");
  });
  if (!negative_given && conf.GetBool(PropertyKey::kUserMetadataCacheEnabled)) {
    const double expiration = std::chrono::duration<double>(
                                  conf.GetDuration(PropertyKey::kUserMetadataCacheExpirationTime))
                                  .count();
    spec->fuse.negative_timeout = std::min(spec->fuse.entry_timeout, expiration);
  }
  for (PropertyKey key : {PropertyKey::kFuseJnifuseEnabled, PropertyKey::kFuseCachedPathsMax,
                          PropertyKey::kFuseSharedCachingReaderEnabled}) {
    if (conf.IsSet(key)) {
      ALX_LOG(kWarn, kLog, "{} has no effect on this FUSE server (set by {})",
              GetPropertyDef(key).name, conf.GetSource(key).ToString());
    }
  }
  if (conf.GetEnum(PropertyKey::kFuseAuthPolicyClass) != "LaunchUserGroupAuthPolicy") {
    ALX_LOG(kInfo, kLog, "{}={}: files show their Alluxio owner and group as local ids",
            GetPropertyDef(PropertyKey::kFuseAuthPolicyClass).name,
            conf.GetEnum(PropertyKey::kFuseAuthPolicyClass));
  }
}

}  // namespace

bool IsDeadFuseMount(const std::string& mount_point) {
  if (!fuse::IsFuseMountPoint(mount_point, nullptr)) return false;
  struct statfs st {};
  return statfs(mount_point.c_str(), &st) != 0 && (errno == ENOTCONN || errno == ECONNABORTED);
}

Status PrepareMountPoint(const std::string& mount_point) {
  // Stale mounts may be stacked: unmount until the directory below shows.
  while (IsDeadFuseMount(mount_point)) {
    ALX_LOG(kWarn, kLog, "unmounting the stale mount at {} (its process is gone)", mount_point);
    if (Status s = fuse::UnmountPath(mount_point, /*lazy=*/true); !s.ok()) return s;
  }
  struct stat st {};
  if (stat(mount_point.c_str(), &st) != 0) {
    return MountPointError(ErrorCodeFromErrno(errno), mount_point,
                           fmt::format("cannot be used: {}", std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return MountPointError(ErrorCode::kNotADirectory, mount_point, "is not a directory");
  }
  if (access(mount_point.c_str(), R_OK | W_OK | X_OK) != 0) {
    return MountPointError(ErrorCode::kPermissionDenied, mount_point,
                           "must be readable and writable by the user mounting it");
  }
  std::error_code ec;
  if (!std::filesystem::is_empty(mount_point, ec) || ec) {
    return MountPointError(ErrorCode::kNotEmpty, mount_point,
                           ec ? "cannot be listed: " + ec.message() : "is not empty");
  }
  return Ok();
}

Result<std::unique_ptr<FuseDaemon>> StartWorkerHostedFuse(const Configuration& conf) {
  Configuration mount_conf = conf;
  FuseMountSpec spec;
  spec.mount_point = conf.GetString(PropertyKey::kFuseMountPoint);
  spec.alluxio_path = conf.GetString(PropertyKey::kFuseMountAlluxioPath);
  if (Status s = ApplyMountOptions({}, &mount_conf, &spec); !s.ok()) return Fail(s.error());
  std::error_code ec;
  std::filesystem::create_directories(spec.mount_point, ec);
  if (Status s = PrepareMountPoint(spec.mount_point); !s.ok()) return Fail(s.error());
  return FuseDaemon::Start(mount_conf, std::move(spec), /*hosted_by_worker=*/true);
}

FuseDaemon::FuseDaemon(const Configuration& conf, FuseMountSpec spec)
    : conf_(conf), spec_(std::move(spec)), registry_(conf_) {}

Result<std::unique_ptr<FuseDaemon>> FuseDaemon::Start(const Configuration& conf, FuseMountSpec spec,
                                                      bool hosted_by_worker) {
  ApplyFuseProperties(conf, &spec);
  std::unique_ptr<FuseDaemon> daemon(new FuseDaemon(conf, std::move(spec)));
  FuseDaemon& d = *daemon;
  auto context = client::ClientContext::Create(d.conf_);
  if (!context.ok()) return Fail(context.error());
  d.context_ = std::move(*context);
  d.pool_ = std::make_unique<ReactorPool>(ReactorPoolOptions{
      .reactors = 0, .pin_threads = true, .blocking_threads = 2, .name = "fuse"});
  d.fs_ = std::make_unique<fs::AlluxioFileSystem>(
      d.context_, *d.pool_,
      fs::AlluxioFileSystemOptions::FromConfiguration(d.conf_, d.spec_.alluxio_path));
  LogPermissionCheck(d.spec_, d.fs_->options().auth_policy == fs::AuthPolicy::kSystemUser);
  if (Status s = BlockOn(d.pool_->at(0), CheckAlluxioPath(d.fs_.get(), d.spec_.alluxio_path));
      !s.ok()) {
    return Fail(s.error());
  }

  fuse::FuseSessionOptions options;
  options.mount.mount_point = d.spec_.mount_point;
  options.mount.fs_name = d.conf_.GetString(PropertyKey::kFuseFsName);
  options.mount.subtype = options.mount.fs_name;
  options.mount.mount_options = d.spec_.kernel_options;
  options.fuse = d.spec_.fuse;
  options.request_slots = d.spec_.request_slots;
  options.io_uring = d.spec_.io_uring;
  options.io_uring_poll = d.spec_.io_uring_poll;
  auto session = fuse::FuseSession::Start(*d.pool_, *d.fs_, options);
  if (!session.ok()) return Fail(session.error());
  d.session_ = std::move(*session);

  MountRecord record{getpid(), d.spec_.mount_point, d.spec_.alluxio_path, hosted_by_worker,
                     CurrentProgramName()};
  if (Status s = d.registry_.Add(record); !s.ok()) {
    ALX_LOG(kWarn, kLog, "cannot record the mount for `alluxio-fuse stat`: {}",
            s.error().ToString());
  } else {
    d.registered_ = true;
  }
  ALX_LOG(kInfo, kLog, "mounted alluxio path {} at {} (options: {}; {} request slots; {})",
          d.spec_.alluxio_path, d.spec_.mount_point, fmt::join(d.spec_.items, ","),
          d.spec_.request_slots, d.session_->transport().name());
  return daemon;
}

FuseDaemon::~FuseDaemon() { Stop(std::chrono::milliseconds(0)); }

std::chrono::milliseconds FuseDaemon::UnmountDrain() const {
  if (conf_.IsSet(PropertyKey::kFuseUmountTimeout)) {
    return conf_.GetDuration(PropertyKey::kFuseUmountTimeout);
  }
  return kDefaultUnmountDrain;
}

void FuseDaemon::WaitUntilFinished() {
  if (session_) session_->WaitUntilFinished();
}

void FuseDaemon::Stop(std::chrono::milliseconds drain) {
  if (stopped_) return;
  stopped_ = true;
  if (session_) {
    const auto deadline = std::chrono::steady_clock::now() + drain;
    while (fs_->open_writers() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!session_->WaitForIdle(std::max(left, std::chrono::milliseconds(0)))) {
      ALX_LOG(kWarn, kLog, "unmounting {} with requests still in flight", spec_.mount_point);
    }
    session_->Stop();
  }
  if (fs_) fs_->Shutdown();
  if (pool_) pool_->Stop();
  session_.reset();
  fs_.reset();
  pool_.reset();
  if (registered_) registry_.Remove(spec_.mount_point, getpid());
  ALX_LOG(kInfo, kLog, "unmounted {}", spec_.mount_point);
}

}  // namespace alluxio
