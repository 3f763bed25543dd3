#include "core/fuse/fuse_mount.h"

#define FUSE_USE_VERSION 314
#include <fuse3/fuse_log.h>
#include <fuse3/fuse_lowlevel.h>
#include <fuse3/fuse_opt.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>

#include "core/common/logging.h"

extern char** environ;

namespace alluxio::fuse {
namespace {

constexpr std::string_view kComponent = "fuse-mount";

// libfuse reports through fuse_log; the last message of the calling thread becomes the reason
// of a failed mount, everything goes to our log at DEBUG.
thread_local std::string last_libfuse_message;

void LibfuseLog(enum fuse_log_level level, const char* fmt, va_list ap) {
  std::array<char, 1024> buffer{};
  std::vsnprintf(buffer.data(), buffer.size(), fmt, ap);
  std::string_view text(buffer.data());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text.empty()) return;
  if (level <= FUSE_LOG_ERR) {
    // "unknown option(s): `" arrives in pieces: keep them together.
    if (!last_libfuse_message.empty() && last_libfuse_message.back() == '`') {
      last_libfuse_message.append(text);
    } else {
      last_libfuse_message.assign(text);
    }
  }
  ALX_LOG(kDebug, kComponent, "libfuse: {}", text);
}

void InstallLibfuseLog() {
  static std::once_flag once;
  std::call_once(once, [] { fuse_set_log_func(&LibfuseLog); });
}

// Saves the signal mask and the dispositions libfuse's helpers could touch, restores them.
class SignalStateGuard {
 public:
  SignalStateGuard() {
    pthread_sigmask(SIG_SETMASK, nullptr, &mask_);
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], nullptr, &actions_[i]);
  }
  ~SignalStateGuard() {
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &actions_[i], nullptr);
    pthread_sigmask(SIG_SETMASK, &mask_, nullptr);
  }
  SignalStateGuard(const SignalStateGuard&) = delete;
  SignalStateGuard& operator=(const SignalStateGuard&) = delete;

 private:
  static constexpr std::array<int, 6> kSignals = {SIGCHLD, SIGPIPE, SIGINT,
                                                  SIGTERM, SIGHUP,  SIGUSR1};
  sigset_t mask_{};
  std::array<struct sigaction, kSignals.size()> actions_{};
};

// One fuse_opt item: ',' and '\' escaped.
std::string EscapeOption(std::string_view item) {
  std::string out;
  for (char c : item) {
    if (c == ',' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string NormalizePath(std::string_view path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(std::filesystem::path(path), ec);
  if (ec) p = std::filesystem::path(path);
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// /proc/self/mountinfo escapes space, tab, newline and backslash as \ooo.
std::string UnescapeMountinfo(std::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      const std::string_view oct = field.substr(i + 1, 3);
      if (oct.size() == 3 && oct.find_first_not_of("01234567") == std::string_view::npos) {
        out.push_back(static_cast<char>((oct[0] - '0') * 64 + (oct[1] - '0') * 8 + (oct[2] - '0')));
        i += 3;
        continue;
      }
    }
    out.push_back(field[i]);
  }
  return out;
}

struct MountInfoEntry {
  dev_t device = 0;
  std::string mount_point;
  std::string fs_type;
  std::string source;
};

// The top mount at `normalized` (the last line naming it), if any.
std::optional<MountInfoEntry> FindMount(const std::string& normalized) {
  std::ifstream in("/proc/self/mountinfo");
  std::optional<MountInfoEntry> found;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, majmin, root, mount_point;
    if (!(fields >> id >> parent >> majmin >> root >> mount_point)) continue;
    if (UnescapeMountinfo(mount_point) != normalized) continue;
    std::string field;
    while (fields >> field && field != "-") {
    }
    MountInfoEntry entry;
    entry.mount_point = normalized;
    if (!(fields >> entry.fs_type >> entry.source)) continue;
    entry.source = UnescapeMountinfo(entry.source);
    unsigned major = 0, minor = 0;
    if (std::sscanf(majmin.c_str(), "%u:%u", &major, &minor) == 2) {
      entry.device = makedev(major, minor);
    }
    found = std::move(entry);
  }
  return found;
}

bool IsFuseType(std::string_view type) {
  return type == "fuse" || type == "fuseblk" || type.starts_with("fuse.") ||
         type.starts_with("fuseblk.");
}

// Runs fusermount3 with `args` and waits; its exit status, or -1 if it could not be started.
int RunFusermount(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::string program = "fusermount3";
  argv.push_back(program.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, "fusermount3", nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

Result<std::unique_ptr<FuseMount>> FuseMount::Mount(const MountRequest& request) {
  InstallLibfuseLog();
  const std::string& mp = request.mount_point;
  if (mp.empty()) return Fail(ErrorCode::kInvalidArgument, "mount: no mount point given");
  struct stat st {};
  if (::stat(mp.c_str(), &st) != 0) {
    const int err = errno;
    return Fail(ErrorCodeFromErrno(err),
                fmt::format("cannot mount {}: {}", mp, std::strerror(err)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Fail(ErrorCode::kNotADirectory, fmt::format("cannot mount {}: not a directory", mp));
  }
  if (::access("/dev/fuse", F_OK) != 0) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("cannot mount {}: /dev/fuse is missing (load the fuse module, or give "
                            "the container --device /dev/fuse)",
                            mp));
  }

  auto mount = std::unique_ptr<FuseMount>(new FuseMount());
  mount->mount_point_ = NormalizePath(mp);
  mount->owner_ = ::getuid();
  std::string options = "fsname=" + EscapeOption(request.fs_name);
  if (!request.subtype.empty()) options += ",subtype=" + EscapeOption(request.subtype);
  for (const std::string& item : request.mount_options) {
    if (item.empty()) continue;
    if (item == "allow_root") mount->root_and_owner_only_ = true;
    options += ",";
    options += EscapeOption(item);
  }

  SignalStateGuard signals;
  last_libfuse_message.clear();
  std::string program = "alluxio-fuse";
  std::string dash_o = "-o";
  std::array<char*, 4> argv = {program.data(), dash_o.data(), options.data(), nullptr};
  fuse_args args = FUSE_ARGS_INIT(3, argv.data());
  fuse_lowlevel_ops ops{};
  fuse_session* session = fuse_session_new(&args, &ops, sizeof(ops), nullptr);
  fuse_opt_free_args(&args);
  if (session == nullptr) {
    return Fail(
        ErrorCode::kInvalidArgument,
        fmt::format("cannot mount {}: bad mount options '{}': {}", mp, options,
                    last_libfuse_message.empty() ? "rejected by libfuse" : last_libfuse_message));
  }
  if (fuse_session_mount(session, mount->mount_point_.c_str()) != 0) {
    fuse_session_destroy(session);
    const std::string reason =
        last_libfuse_message.empty() ? std::string("mount failed") : last_libfuse_message;
    ErrorCode code = ErrorCode::kUnavailable;
    if (reason.find("ermission denied") != std::string::npos) {
      code = ErrorCode::kPermissionDenied;
    } else if (reason.find("not permitted") != std::string::npos) {
      code = ErrorCode::kNotPermitted;
    }
    return Fail(code, fmt::format("cannot mount {}: {}", mp, reason));
  }
  mount->session_ = session;
  mount->fd_ = fuse_session_fd(session);
  if (auto entry = FindMount(mount->mount_point_)) mount->device_ = entry->device;
  ALX_LOG(kInfo, kComponent, "mounted {} on {} (fd {}, device {}:{}, options {})", request.fs_name,
          mount->mount_point_, mount->fd_, major(mount->device_), minor(mount->device_), options);
  return mount;
}

FuseMount::~FuseMount() { (void)Unmount(); }

Status FuseMount::Unmount() {
  if (session_ == nullptr) return Ok();
  // POLLERR on the session fd: the kernel already ended the session (someone unmounted, or the
  // connection was aborted); libfuse then leaves the path alone.
  pollfd pfd{fd_, 0, 0};
  const bool ended = ::poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR) != 0;
  {
    SignalStateGuard signals;
    // Closes fd_, then (unless ended) a lazy umount2 as root, else fusermount3 -u -z.
    fuse_session_unmount(session_);
    fuse_session_destroy(session_);
  }
  session_ = nullptr;
  fd_ = -1;
  if (ended) {
    ALX_LOG(kInfo, kComponent, "{}: the kernel had already ended the session", mount_point_);
    return Ok();
  }
  if (auto entry = FindMount(mount_point_); entry && entry->device == device_ && device_ != 0) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("cannot unmount {}: still mounted after a lazy unmount (not the "
                            "mounting user?); try fusermount3 -u -z {}",
                            mount_point_, mount_point_));
  }
  ALX_LOG(kInfo, kComponent, "unmounted {}", mount_point_);
  return Ok();
}

Status UnmountPath(std::string_view mount_point, bool lazy) {
  const std::string mp = NormalizePath(mount_point);
  if (::geteuid() == 0) {
    if (::umount2(mp.c_str(), lazy ? MNT_DETACH : 0) == 0) return Ok();
    const int err = errno;
    if (err == EINVAL) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("cannot unmount {}: not a mount point", mp));
    }
    if (err == EBUSY) {
      return Fail(ErrorCode::kBusy,
                  fmt::format("cannot unmount {}: busy (a lazy unmount detaches it)", mp));
    }
    return Fail(ErrorCodeFromErrno(err),
                fmt::format("cannot unmount {}: {}", mp, std::strerror(err)));
  }
  if (!IsFuseMountPoint(mp)) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("cannot unmount {}: not a FUSE mount point", mp));
  }
  std::vector<std::string> args = {"-u", "-q"};
  if (lazy) args.push_back("-z");
  args.push_back("--");
  args.push_back(mp);
  const int status = RunFusermount(args);
  if (status == 0) return Ok();
  if (status < 0) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("cannot unmount {}: fusermount3 could not be run", mp));
  }
  return Fail(ErrorCode::kNotPermitted,
              fmt::format("cannot unmount {}: fusermount3 -u failed (exit {}; not the mounting "
                          "user, or busy)",
                          mp, status));
}

bool IsFuseMountPoint(std::string_view mount_point, std::string* fs_name) {
  const auto entry = FindMount(NormalizePath(mount_point));
  if (!entry || !IsFuseType(entry->fs_type)) return false;
  if (fs_name != nullptr) *fs_name = entry->source;
  return true;
}

Status RaiseReadAhead(dev_t device, uint32_t min_kb) {
  const std::string path =
      fmt::format("/sys/class/bdi/{}:{}/read_ahead_kb", major(device), minor(device));
  uint64_t current = 0;
  {
    std::ifstream in(path);
    if (!(in >> current)) {
      return Fail(ErrorCode::kNotFound, fmt::format("cannot read {}", path));
    }
  }
  if (current >= min_kb) return Ok();
  std::ofstream out(path);
  out << min_kb << '\n';
  out.flush();
  if (!out) {
    return Fail(ErrorCode::kPermissionDenied,
                fmt::format("cannot write {} to {}: {}", min_kb, path, std::strerror(errno)));
  }
  return Ok();
}

}  // namespace alluxio::fuse
