#include "core/ufs/local_under_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "core/common/logging.h"
#include "core/common/write_all.h"
#include "core/ufs/direct_write_behind.h"

namespace alluxio {
namespace {

// SplitUfsPath for a path argument of the UnderFileSystem methods: a path into the staging
// directory is refused with `refusal`.
Result<std::vector<std::string_view>> SplitUserPath(std::string_view path, ErrorCode refusal) {
  auto parts = SplitUfsPath(path);
  if (parts.ok() && !parts->empty() && parts->front() == kLocalUfsStagingDir) {
    return Fail(refusal, fmt::format("'{}' is inside the staging directory", path));
  }
  return parts;
}

std::string Join(const std::string& root, const std::vector<std::string_view>& parts,
                 size_t count) {
  std::string out = root == "/" ? std::string() : root;
  for (size_t i = 0; i < count; ++i) {
    out += '/';
    out += parts[i];
  }
  if (out.empty()) out.push_back('/');
  return out;
}

std::string ParentOf(const std::string& local) {
  size_t slash = local.rfind('/');
  if (slash == 0 || slash == std::string::npos) return "/";
  return local.substr(0, slash);
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

// fsync of a directory so that a rename or create in it survives a crash.
Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Fail(ErrnoError(errno, fmt::format("open {}", dir)));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Fail(ErrnoError(err, fmt::format("fsync {}", dir)));
  return Ok();
}

// mkdir -p over parts[0..count) below root. The last created directory gets `mode`, missing
// intermediate ones mode|0700.
Status MakeDirectories(const std::string& root, const std::vector<std::string_view>& parts,
                       size_t count, uint32_t mode) {
  for (size_t i = 1; i <= count; ++i) {
    std::string local = Join(root, parts, i);
    bool last = i == count;
    mode_t m = static_cast<mode_t>(last ? (mode & 07777) : ((mode & 07777) | 0700));
    if (::mkdir(local.c_str(), m) == 0) {
      if (::chmod(local.c_str(), m) != 0) {
        return Fail(ErrnoError(errno, fmt::format("chmod {}", local)));
      }
      continue;
    }
    int err = errno;
    if (err != EEXIST) return Fail(ErrnoError(err, fmt::format("mkdir {}", local)));
    struct stat st;
    if (::stat(local.c_str(), &st) != 0) {
      return Fail(ErrnoError(errno, fmt::format("stat {}", local)));
    }
    if (!S_ISDIR(st.st_mode)) {
      if (last) return Fail(ErrorCode::kAlreadyExists, fmt::format("{} is a file", local));
      return Fail(ErrorCode::kNotADirectory, fmt::format("{} is not a directory", local));
    }
  }
  return Ok();
}

// The target of the symbolic link `name` in directory `dirfd` (AT_FDCWD: `name` is a path),
// whose lstat size is `size` (0 when the file system does not say).
Result<std::string> ReadLinkAt(int dirfd, const char* name, off_t size) {
  std::string target(size > 0 ? static_cast<size_t>(size) + 1 : size_t{PATH_MAX}, '\0');
  ssize_t n = ::readlinkat(dirfd, name, target.data(), target.size());
  if (n < 0) return Fail(ErrnoError(errno, fmt::format("readlink {}", name)));
  if (static_cast<size_t>(n) == target.size()) {
    return Fail(ErrorCode::kIoError, fmt::format("readlink {}: the link changed", name));
  }
  target.resize(static_cast<size_t>(n));
  return target;
}

std::string RandomSuffix() {
  uint64_t r = 0;
  ssize_t n = ::getrandom(&r, sizeof(r), 0);
  assert(n == sizeof(r));
  (void)n;
  return fmt::format("{:016x}", r);
}

// The local path of a file about to be written at `parts` (not the root): not a directory
// (kIsADirectory), missing parents created with mode 0755 (kNotADirectory if one is a file).
Result<std::string> PrepareFilePath(const std::string& root,
                                    const std::vector<std::string_view>& parts) {
  if (parts.empty()) return Fail(ErrorCode::kIsADirectory, "the root is a directory");
  std::string local = Join(root, parts, parts.size());
  struct stat st;
  if (::stat(local.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return Fail(ErrorCode::kIsADirectory, fmt::format("{} is a directory", local));
  }
  if (Status s = MakeDirectories(root, parts, parts.size() - 1, 0755); !s.ok()) {
    if (s.code() == ErrorCode::kAlreadyExists) {
      return Fail(ErrorCode::kNotADirectory, s.error().message);
    }
    return s.failure();
  }
  return local;
}

// A temp name beside `local` that List hides. It fits in 255 bytes: prefix (13) + name
// (≤ 200) + '.' + 16 hex digits.
std::string TempPathBeside(const std::string& local) {
  std::string_view name = std::string_view(local).substr(local.rfind('/') + 1).substr(0, 200);
  return fmt::format("{}/{}{}.{}", ParentOf(local), kLocalUfsTempPrefix, name, RandomSuffix());
}

// Opens `path` for writing (O_CREAT | `flags`) with exactly `mode` (umask not applied); the
// file is removed again if that fails.
Result<int> OpenForWriting(const std::string& path, int flags, uint32_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, mode & 07777);
  if (fd < 0) return Fail(ErrnoError(errno, fmt::format("create {}", path)));
  if (::fchmod(fd, mode & 07777) != 0) {
    Error e = ErrnoError(errno, fmt::format("chmod {}", path));
    ::close(fd);
    ::unlink(path.c_str());
    return Fail(std::move(e));
  }
  return fd;
}

// Copies `from` to a temp file beside `to` and renames it onto `to`: a rename(2) across file
// systems (`to` below a symbolic link or mount point inside the root). `from` is left as is.
Status CopyOnto(const std::string& from, const std::string& to) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Fail(ErrnoError(errno, fmt::format("open {}", from)));
  struct stat st;
  if (::fstat(in, &st) != 0) {
    Error e = ErrnoError(errno, fmt::format("stat {}", from));
    ::close(in);
    return Fail(std::move(e));
  }
  std::string temp = TempPathBeside(to);
  auto out = OpenForWriting(temp, O_EXCL, st.st_mode);
  if (!out.ok()) {
    ::close(in);
    return out.failure();
  }
  Status copied = Ok();
  std::vector<char> buf(1 << 20);
  for (uint64_t offset = 0;;) {
    ssize_t n = ::pread(in, buf.data(), buf.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) copied = Fail(ErrnoError(errno, fmt::format("read {}", from)));
    if (n <= 0) break;
    copied = PwriteAll(*out, {buf.data(), static_cast<size_t>(n)}, offset, temp);
    if (!copied.ok()) break;
    offset += static_cast<uint64_t>(n);
  }
  ::close(in);
  if (copied.ok() && ::fsync(*out) != 0) {
    copied = Fail(ErrnoError(errno, fmt::format("fsync {}", temp)));
  }
  ::close(*out);
  if (copied.ok() && ::rename(temp.c_str(), to.c_str()) != 0) {
    copied = Fail(ErrnoError(errno, fmt::format("rename {} to {}", temp, to)));
  }
  if (!copied.ok()) ::unlink(temp.c_str());
  return copied;
}

class LocalUfsReader final : public UfsReader {
 public:
  LocalUfsReader(int fd, std::string local) : fd_(fd), local_(std::move(local)) {}
  ~LocalUfsReader() override { ::close(fd_); }

  Result<size_t> ReadAt(uint64_t offset, std::span<char> buf) override {
    size_t done = 0;
    while (done < buf.size()) {
      ssize_t n =
          ::pread(fd_, buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Fail(ErrnoError(errno, fmt::format("pread {}", local_)));
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return done;
  }

  // copy_file_range in Wait(): the kernel moves the bytes (tmpfs to tmpfs: one page copy, no
  // user-space buffer); where it cannot (another file system on an older kernel: EXDEV), the
  // default's buffered copy.
  std::unique_ptr<UfsPendingRead> StartCopy(uint64_t offset, uint64_t length, int out_fd,
                                            uint64_t out_offset) override {
    return std::make_unique<KernelCopy>(*this, offset, length, out_fd, out_offset);
  }

 private:
  class KernelCopy final : public UfsPendingRead {
   public:
    KernelCopy(LocalUfsReader& reader, uint64_t offset, uint64_t length, int out_fd,
               uint64_t out_offset)
        : reader_(reader),
          offset_(offset),
          length_(length),
          out_fd_(out_fd),
          out_offset_(out_offset) {}

    Result<size_t> Wait() override {
      uint64_t done = 0;
      while (done < length_) {
        auto in = static_cast<off64_t>(offset_ + done);
        auto out = static_cast<off64_t>(out_offset_ + done);
        ssize_t n = ::copy_file_range(reader_.fd_, &in, out_fd_, &out, length_ - done, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && done == 0 &&
            (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
          return reader_.UfsReader::StartCopy(offset_, length_, out_fd_, out_offset_)->Wait();
        }
        if (n < 0)
          return Fail(ErrnoError(errno, fmt::format("copy_file_range {}", reader_.local_)));
        if (n == 0) break;
        done += static_cast<uint64_t>(n);
      }
      return static_cast<size_t>(done);
    }

   private:
    LocalUfsReader& reader_;
    const uint64_t offset_;
    const uint64_t length_;
    const int out_fd_;
    const uint64_t out_offset_;
  };

  const int fd_;
  const std::string local_;
};

// The first kDirectAfterBytes of a file are written through the page cache, the rest with
// O_DIRECT behind the writer (DirectWriteBehind) where the file system allows it: small files
// cost no threads or buffers, large ones no page-cache fill.
constexpr uint64_t kDirectAfterBytes = 1 << 20;

}  // namespace

// Writes the staged file `staged` (open as `fd`, owned); Abort() removes it.
class LocalUfsWriter final : public UfsWriter {
 public:
  LocalUfsWriter(LocalUnderFileSystem* ufs, std::string staged, int fd)
      : ufs_(ufs), staged_(std::move(staged)), fd_(fd) {}
  ~LocalUfsWriter() override { Abort(); }

  Status Write(std::span<const char> data) override {
    if (fd_ < 0) return Fail(ErrorCode::kInvalidArgument, "write after close or abort");
    if (direct_) return direct_->Append(data);
    if (Status s = PwriteAll(fd_, data, written_, staged_); !s.ok()) return s;
    written_ += data.size();
    MaybeGoDirect();
    return Ok();
  }

  Status Flush() override {
    if (fd_ < 0) return Fail(ErrorCode::kInvalidArgument, "flush after close or abort");
    return direct_ ? direct_->Flush() : Ok();
  }

  Result<UfsStatus> Close() override {
    if (fd_ < 0) return Fail(ErrorCode::kInvalidArgument, "close after close or abort");
    if (Status s = Flush(); !s.ok()) {
      Abort();
      return s.failure();
    }
    direct_.reset();
    struct stat st;
    if (::fsync(fd_) != 0 || ::fstat(fd_, &st) != 0) {
      Error e = ErrnoError(errno, fmt::format("fsync and stat {}", staged_));
      Abort();
      return Fail(std::move(e));
    }
    ::close(fd_);
    fd_ = -1;
    return ufs_->MakeStatus(staged_.substr(staged_.rfind('/') + 1), st, std::string());
  }

  void Abort() override {
    if (fd_ < 0) return;
    direct_.reset();
    ::close(fd_);
    fd_ = -1;
    if (::unlink(staged_.c_str()) != 0 && errno != ENOENT) {
      ALX_LOG(kWarn, "ufs", "cannot remove {}: {}", staged_, ErrnoError(errno, "unlink").message);
    }
  }

 private:
  void MaybeGoDirect() {
    if (direct_tried_ || written_ < kDirectAfterBytes ||
        written_ % DirectWriteBehind::kAlignment != 0) {
      return;
    }
    direct_tried_ = true;
    int fd = ::open(staged_.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
    if (fd < 0) return;  // EINVAL: the file system has no direct I/O; stay buffered
    direct_ = std::make_unique<DirectWriteBehind>(fd, fd_, written_, staged_);
  }

  LocalUnderFileSystem* const ufs_;
  const std::string staged_;
  int fd_;                                     // -1 once closed or aborted
  uint64_t written_ = 0;                       // through fd_ (its next offset), before direct_
  bool direct_tried_ = false;                  // one try per file
  std::unique_ptr<DirectWriteBehind> direct_;  // past the first kDirectAfterBytes
};

Result<std::unique_ptr<LocalUnderFileSystem>> LocalUnderFileSystem::OpenRoot(std::string_view root,
                                                                             bool create_root) {
  auto parts = SplitUfsPath(root);
  if (!parts.ok()) return parts.failure();
  std::string normalized = Join("/", *parts, parts->size());
  if (create_root) {
    if (Status s = MakeDirectories("/", *parts, parts->size(), 0755); !s.ok()) {
      if (s.code() != ErrorCode::kAlreadyExists) return s.failure();
    }
  }
  struct stat st;
  if (::stat(normalized.c_str(), &st) != 0) {
    return Fail(ErrnoError(errno, fmt::format("under storage root {}", normalized)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Fail(ErrorCode::kNotADirectory,
                fmt::format("under storage root {} is not a directory", normalized));
  }
  return std::unique_ptr<LocalUnderFileSystem>(new LocalUnderFileSystem(std::move(normalized)));
}

Result<std::string> LocalUnderFileSystem::LocalPath(std::string_view path) const {
  auto parts = SplitUfsPath(path);
  if (!parts.ok()) return parts.failure();
  return Join(root_, *parts, parts->size());
}

std::string LocalUnderFileSystem::OwnerName(uid_t uid) {
  {
    std::lock_guard lock(names_mu_);
    if (auto it = owner_names_.find(uid); it != owner_names_.end()) return it->second;
  }
  std::string name = std::to_string(uid);
  std::vector<char> buf(16384);
  struct passwd pw;
  struct passwd* out = nullptr;
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &out) == 0 && out != nullptr) {
    name = out->pw_name;
  }
  std::lock_guard lock(names_mu_);
  owner_names_.emplace(uid, name);
  return name;
}

std::string LocalUnderFileSystem::GroupName(gid_t gid) {
  {
    std::lock_guard lock(names_mu_);
    if (auto it = group_names_.find(gid); it != group_names_.end()) return it->second;
  }
  std::string name = std::to_string(gid);
  std::vector<char> buf(16384);
  struct group gr;
  struct group* out = nullptr;
  if (::getgrgid_r(gid, &gr, buf.data(), buf.size(), &out) == 0 && out != nullptr) {
    name = out->gr_name;
  }
  std::lock_guard lock(names_mu_);
  group_names_.emplace(gid, name);
  return name;
}

UfsStatus LocalUnderFileSystem::MakeStatus(std::string name, const struct stat& st,
                                           std::string symlink_target) {
  UfsStatus s;
  s.name = std::move(name);
  s.symlink_target = std::move(symlink_target);
  s.is_directory = S_ISDIR(st.st_mode);
  s.length = s.is_directory ? 0 : static_cast<uint64_t>(st.st_size);
  s.mtime_ms = MtimeNs(st) / 1'000'000;
  s.mode = st.st_mode & 07777;
  s.owner = OwnerName(st.st_uid);
  s.group = GroupName(st.st_gid);
  s.fingerprint = fmt::format("{}:{}:{}:{}", static_cast<uint64_t>(st.st_size), MtimeNs(st),
                              static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
  return s;
}

Result<UfsStatus> LocalUnderFileSystem::GetStatus(std::string_view path) {
  auto parts = SplitUserPath(path, ErrorCode::kNotFound);
  if (!parts.ok()) return parts.failure();
  std::string local = Join(root_, *parts, parts->size());
  struct stat st;
  if (parts->empty()) {  // the root: followed if it is a link
    if (::stat(local.c_str(), &st) != 0) {
      return Fail(ErrnoError(errno, fmt::format("stat {}", local)));
    }
    return MakeStatus(std::string(), st, std::string());
  }
  if (::lstat(local.c_str(), &st) != 0) {
    return Fail(ErrnoError(errno, fmt::format("stat {}", local)));
  }
  std::string target;
  if (S_ISLNK(st.st_mode)) {
    auto read = ReadLinkAt(AT_FDCWD, local.c_str(), st.st_size);
    if (!read.ok()) return read.failure();
    target = std::move(*read);
  }
  return MakeStatus(std::string(parts->back()), st, std::move(target));
}

Result<std::vector<UfsStatus>> LocalUnderFileSystem::List(std::string_view path) {
  auto parts = SplitUserPath(path, ErrorCode::kNotFound);
  if (!parts.ok()) return parts.failure();
  std::string local = Join(root_, *parts, parts->size());
  int fd = ::open(local.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Fail(ErrnoError(errno, fmt::format("open {}", local)));
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    Error e = ErrnoError(errno, fmt::format("fdopendir {}", local));
    ::close(fd);
    return Fail(std::move(e));
  }
  std::vector<UfsStatus> out;
  while (true) {
    errno = 0;
    struct dirent* ent = ::readdir(dir);
    if (ent == nullptr) {
      if (errno != 0) {
        Error e = ErrnoError(errno, fmt::format("readdir {}", local));
        ::closedir(dir);
        return Fail(std::move(e));
      }
      break;
    }
    std::string_view name = ent->d_name;
    if (name == "." || name == ".." || name.starts_with(kLocalUfsTempPrefix)) continue;
    if (parts->empty() && name == kLocalUfsStagingDir) continue;
    struct stat st;
    if (::fstatat(fd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // removed since readdir
      Error e = ErrnoError(errno, fmt::format("stat {}/{}", local, name));
      ::closedir(dir);
      return Fail(std::move(e));
    }
    std::string target;
    if (S_ISLNK(st.st_mode)) {
      auto read = ReadLinkAt(fd, ent->d_name, st.st_size);
      if (!read.ok()) {
        if (read.code() == ErrorCode::kNotFound) continue;  // removed since readdir
        ::closedir(dir);
        return read.failure();
      }
      target = std::move(*read);
    }
    out.push_back(MakeStatus(std::string(name), st, std::move(target)));
  }
  ::closedir(dir);
  return out;
}

Result<std::unique_ptr<UfsReader>> LocalUnderFileSystem::Open(std::string_view path) {
  auto parts = SplitUserPath(path, ErrorCode::kNotFound);
  if (!parts.ok()) return parts.failure();
  std::string local = Join(root_, *parts, parts->size());
  int fd = ::open(local.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(ErrnoError(errno, fmt::format("open {}", local)));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Error e = ErrnoError(errno, fmt::format("fstat {}", local));
    ::close(fd);
    return Fail(std::move(e));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Fail(ErrorCode::kIsADirectory, fmt::format("open {}", local));
  }
  return std::unique_ptr<UfsReader>(new LocalUfsReader(fd, std::move(local)));
}

Status LocalUnderFileSystem::Mkdirs(std::string_view path, uint32_t mode) {
  auto parts = SplitUserPath(path, ErrorCode::kNotPermitted);
  if (!parts.ok()) return parts.failure();
  if (parts->empty()) return Ok();  // the root exists
  return MakeDirectories(root_, *parts, parts->size(), mode);
}

Status LocalUnderFileSystem::CreateSymlink(std::string_view path, std::string_view target) {
  auto parts = SplitUfsPath(path);
  if (!parts.ok()) return parts.failure();
  if (parts->empty()) return Fail(ErrorCode::kAlreadyExists, "the under storage root exists");
  if (target.empty() || target.find('\0') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, "a link target is non-empty and has no NUL byte");
  }
  std::string local = Join(root_, *parts, parts->size());
  if (::symlink(std::string(target).c_str(), local.c_str()) != 0) {
    return Fail(ErrnoError(errno, fmt::format("symlink {}", local)));
  }
  return SyncDirectory(ParentOf(local));
}

Status LocalUnderFileSystem::Delete(std::string_view path, bool recursive) {
  auto parts = SplitUserPath(path, ErrorCode::kNotPermitted);
  if (!parts.ok()) return parts.failure();
  if (parts->empty()) return Fail(ErrorCode::kNotPermitted, "cannot delete the under storage root");
  std::string local = Join(root_, *parts, parts->size());
  struct stat st;
  if (::lstat(local.c_str(), &st) != 0) {
    return Fail(ErrnoError(errno, fmt::format("stat {}", local)));
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlink(local.c_str()) != 0) {
      return Fail(ErrnoError(errno, fmt::format("unlink {}", local)));
    }
    return Ok();
  }
  if (!recursive) {
    if (::rmdir(local.c_str()) != 0) {
      return Fail(ErrnoError(errno, fmt::format("rmdir {}", local)));
    }
    return Ok();
  }
  std::error_code ec;
  std::filesystem::remove_all(local, ec);  // does not follow symbolic links
  if (ec) return Fail(ErrnoError(ec.value(), fmt::format("remove {}", local)));
  return Ok();
}

Status LocalUnderFileSystem::Rename(std::string_view src, std::string_view dst) {
  auto src_parts = SplitUserPath(src, ErrorCode::kNotPermitted);
  if (!src_parts.ok()) return src_parts.failure();
  auto dst_parts = SplitUserPath(dst, ErrorCode::kNotPermitted);
  if (!dst_parts.ok()) return dst_parts.failure();
  if (src_parts->empty() || dst_parts->empty()) {
    return Fail(ErrorCode::kNotPermitted, "cannot rename the under storage root");
  }
  std::string from = Join(root_, *src_parts, src_parts->size());
  std::string to = Join(root_, *dst_parts, dst_parts->size());
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return Fail(ErrnoError(errno, fmt::format("rename {} to {}", from, to)));
  }
  std::string to_parent = ParentOf(to);
  std::string from_parent = ParentOf(from);
  if (Status s = SyncDirectory(to_parent); !s.ok()) return s;
  if (from_parent != to_parent) return SyncDirectory(from_parent);
  return Ok();
}

Status LocalUnderFileSystem::SetMode(std::string_view path, uint32_t mode) {
  auto parts = SplitUserPath(path, ErrorCode::kNotPermitted);
  if (!parts.ok()) return parts.failure();
  std::string local = Join(root_, *parts, parts->size());
  if (::chmod(local.c_str(), static_cast<mode_t>(mode & 07777)) != 0) {
    return Fail(ErrnoError(errno, fmt::format("chmod {}", local)));
  }
  return Ok();
}

Status LocalUnderFileSystem::SetMtime(std::string_view path, int64_t mtime_ms) {
  auto parts = SplitUserPath(path, ErrorCode::kNotPermitted);
  if (!parts.ok()) return parts.failure();
  std::string local = Join(root_, *parts, parts->size());
  struct timespec times[2];
  times[0].tv_sec = 0;
  times[0].tv_nsec = UTIME_OMIT;
  int64_t sec = mtime_ms / 1000;
  int64_t ms = mtime_ms % 1000;
  if (ms < 0) {  // floor division for times before 1970
    ms += 1000;
    sec -= 1;
  }
  times[1].tv_sec = static_cast<time_t>(sec);
  times[1].tv_nsec = static_cast<long>(ms * 1'000'000);
  if (::utimensat(AT_FDCWD, local.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    return Fail(ErrnoError(errno, fmt::format("utimensat {}", local)));
  }
  return Ok();
}

Result<std::pair<uint64_t, uint64_t>> LocalUnderFileSystem::CapacityAndFree() {
  struct statvfs vfs;
  if (::statvfs(root_.c_str(), &vfs) != 0) {
    return Fail(ErrnoError(errno, fmt::format("statvfs {}", root_)));
  }
  uint64_t frsize = vfs.f_frsize;
  return std::pair<uint64_t, uint64_t>(frsize * vfs.f_blocks, frsize * vfs.f_bavail);
}

std::string LocalUnderFileSystem::StagingDir() const {
  std::string dir = root_ == "/" ? std::string() : root_;
  dir += '/';
  dir += kLocalUfsStagingDir;
  return dir;
}

Result<std::string> LocalUnderFileSystem::StagedPath(std::string_view name) const {
  if (Status st = CheckStagedName(name); !st.ok()) return st.failure();
  std::string path = StagingDir();
  path += '/';
  path += name;
  return path;
}

Result<std::unique_ptr<UfsWriter>> LocalUnderFileSystem::CreateStaged(std::string_view name,
                                                                      uint32_t mode) {
  auto staged = StagedPath(name);
  if (!staged.ok()) return staged.failure();
  std::string dir = StagingDir();
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Fail(ErrnoError(errno, fmt::format("mkdir {}", dir)));
  }
  auto fd = OpenForWriting(*staged, O_TRUNC, mode);
  if (!fd.ok()) return fd.failure();
  return std::unique_ptr<UfsWriter>(new LocalUfsWriter(this, std::move(*staged), *fd));
}

Result<UfsStatus> LocalUnderFileSystem::PublishStaged(std::string_view name, std::string_view path,
                                                      uint64_t length) {
  auto staged = StagedPath(name);
  if (!staged.ok()) return staged.failure();
  auto parts = SplitUserPath(path, ErrorCode::kNotPermitted);
  if (!parts.ok()) return parts.failure();
  struct stat st;
  if (::stat(staged->c_str(), &st) != 0) {
    return Fail(ErrnoError(errno, fmt::format("staged file {}", *staged)));
  }
  if (static_cast<uint64_t>(st.st_size) != length) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("staged file {} holds {} bytes, not {}", *staged,
                            static_cast<uint64_t>(st.st_size), length));
  }
  auto local = PrepareFilePath(root_, *parts);
  if (!local.ok()) return local.failure();
  if (::rename(staged->c_str(), local->c_str()) != 0) {
    if (errno != EXDEV) {
      return Fail(ErrnoError(errno, fmt::format("rename {} to {}", *staged, *local)));
    }
    if (Status s = CopyOnto(*staged, *local); !s.ok()) return s.failure();
    ::unlink(staged->c_str());
  }
  // The staging directory is not fsynced: a staged name that reappears after a crash belongs to
  // a completed file, and the master drops it at start.
  if (Status s = SyncDirectory(ParentOf(*local)); !s.ok()) return s.failure();
  return GetStatus(path);
}

Status LocalUnderFileSystem::DeleteStaged(std::string_view name) {
  auto staged = StagedPath(name);
  if (!staged.ok()) return staged.failure();
  if (::unlink(staged->c_str()) != 0 && errno != ENOENT) {
    return Fail(ErrnoError(errno, fmt::format("unlink {}", *staged)));
  }
  return Ok();
}

Result<std::vector<std::string>> LocalUnderFileSystem::ListStaged() {
  std::string dir = StagingDir();
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return Fail(ErrnoError(ec.value(), fmt::format("list {}", dir)));
  }
  return names;
}

}  // namespace alluxio
