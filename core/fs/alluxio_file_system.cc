#include "core/fs/alluxio_file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <random>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "core/client/file_in_stream.h"
#include "core/client/file_out_stream.h"
#include "core/client/local_file_out_stream.h"
#include "core/common/logging.h"
#include "core/common/property_key.h"
#include "core/common/slow_op.h"
#include "core/fs/caller_process.h"
#include "core/reactor/block_on.h"
#include "core/reactor/run_on.h"

namespace alluxio::fs {
namespace {

// What a close, fsync or release returns when the file's write stream failed: ENOSPC as it is
// (a writer can act on it), anything else EIO.
Failure StreamFailure(const Error& error) {
  if (error.code == ErrorCode::kNoSpace) return Fail(error);
  return Fail(ErrorCode::kIoError, error.ToString());
}

// Why a handle whose file was completed at its opener's last close takes no more changes.
std::string CompletedAtClose(const std::string& path) {
  return fmt::format(
      "{} was completed when the process that opened it closed it: a descriptor "
      "that outlived that close (inherited or passed) cannot change it",
      path);
}

// Size and mtime (ns) of a file written in place.
std::pair<uint64_t, int64_t> CacheFileState(const StagingFile& file) {
  struct stat st {};
  if (::fstat(file.fd(), &st) != 0) return {0, 0};
  return {static_cast<uint64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

constexpr std::string_view kDropAll = ".alluxiocli.metadatacache.dropAll";
constexpr std::string_view kDrop = ".alluxiocli.metadatacache.drop";
constexpr std::string_view kCacheSize = ".alluxiocli.metadatacache.size";
constexpr uint64_t kZeroFillPiece = 128 << 10;
constexpr uint64_t kUnstagePiece = 1 << 20;
constexpr size_t kMaxCursors = 4096;

std::string JoinPath(const std::string& dir, std::string_view name) {
  std::string out = dir;
  if (out.empty() || out.back() != '/') out.push_back('/');
  out.append(name);
  return out;
}

// True if `path` is strictly below directory `dir` ("/a/b" is below "/a" and "/", "/ab" is not).
bool IsBelow(const std::string& path, const std::string& dir) {
  if (dir == "/") return path.size() > 1;
  return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

std::string ParentPath(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

std::string_view BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string_view(path)
                                    : std::string_view(path).substr(slash + 1);
}

Timespec FromMillis(int64_t ms) {
  int64_t sec = ms / 1000;
  int64_t rem = ms % 1000;
  if (rem < 0) {
    rem += 1000;
    --sec;
  }
  return Timespec{sec, static_cast<uint32_t>(rem * 1000000)};
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// co_spawn (RunOn) needs a default-constructible value.
template <typename T>
asio::awaitable<std::optional<Result<T>>> Boxed(Task<T> task) {
  co_return co_await std::move(task);
}

bool Hidden(std::string_view name) { return name.starts_with(AlluxioFileSystem::kTempPrefix); }

// The access bits (R_OK | W_OK | X_OK) `attr` grants a process of `uid`, primary `gid` and
// supplementary `groups`, as the kernel's generic_permission: root reads and writes anything,
// and executes what anyone may execute and directories.
uint32_t Granted(const Attributes& attr, uint32_t uid, uint32_t gid,
                 const std::vector<uint32_t>& groups) {
  if (uid == 0) return R_OK | W_OK | ((attr.mode & 0111) || S_ISDIR(attr.mode) ? X_OK : 0);
  if (uid == attr.uid) return (attr.mode >> 6) & 7;
  if (gid == attr.gid || std::find(groups.begin(), groups.end(), attr.gid) != groups.end()) {
    return (attr.mode >> 3) & 7;
  }
  return attr.mode & 7;
}

}  // namespace

// A writer of this process, visible to every reactor (GetAttr sizes, Rename). `path` is
// guarded by writers_mu_.
struct AlluxioFileSystem::Writer {
  std::string path;      // fs path the file will have when complete
  std::string temp_dir;  // a replacement's: fs path of the directory of the hidden sibling
  FileHandle handle = 0;
  // The file id the path had when it was opened: shown as st_ino while this process writes,
  // although writing an existing empty file makes a new Alluxio file. The kernel keeps one
  // inode for a file it writes; another id would make the FUSE layer give the path a new node
  // (a replacement), whose attributes the writes through this handle do not refresh.
  uint64_t ino = 0;
  // The path was unlinked or renamed over: the data is dropped at release (as the kernel drops
  // an unlinked inode's), and the writer no longer shows in GetAttr.
  bool unlinked = false;
  // Closed (FLUSH) or released: the file is about to be completed (or renamed over its
  // target). Operations on the path wait for that to finish (AwaitClosingWriters): the kernel
  // does not wait for RELEASE.
  bool closing = false;
  // A close (FLUSH) reported that the file will not be completed: its RELEASE removes it (a
  // replacement: the hidden sibling), and a lookup of the path waits for that.
  bool failed = false;
  // mode / owner / group / mtime set while writing: applied again once the file is complete
  // (completion sets mtime; a replacement carries the attributes of open time).
  client::SetAttributeOptions pending;
  std::atomic<uint64_t> size{0};
  // Written in place (OpenFile::in_place): a descriptor of the cache file, whose size is the
  // file's (the kernel writes it without telling this process). Owned; -1 otherwise.
  int in_place_fd = -1;

  Writer() = default;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() {
    if (in_place_fd >= 0) ::close(in_place_fd);
  }
};

// One open handle; lives on its owner reactor.
struct AlluxioFileSystem::OpenFile {
  OpenFile(FileHandle h, std::string p, int f, Reactor& reactor)
      : handle(h), path(std::move(p)), flags(f), mu(reactor.executor()) {}

  const FileHandle handle;
  const std::string path;  // at open (logs)
  const int flags;
  // Master calls of the handle: the opener's client (ClientFor), but the mount's own for
  // writes to a file that existed (OpenHere).
  client::FileSystemClient* client = nullptr;
  Caller opener;
  AsyncMutex mu;  // write, flush, fsync, truncate, release: one at a time
  std::shared_ptr<ReadAhead> reader;
  int backing_fd = -1;                    // BackingFile(): owned by the reader's stream
  std::optional<ContentVersion> content;  // ContentOf(): a read-only open of a complete file
  // Writing.
  bool can_write = false;
  // Write a hidden sibling, renamed over the complete file at release: a write that fails
  // leaves the file as it was. An existing file is always written so, also an empty one.
  bool replace = false;
  // O_TRUNC (or ftruncate to 0) of a non-empty file: emptied at release even if nothing is
  // written.
  bool truncates = false;
  uint64_t replaced_id = 0;
  uint32_t mode = 0644;
  std::string owner;
  std::string group;
  std::string temp_name;  // name of the hidden sibling once created (in writer->temp_dir)
  std::shared_ptr<WritePipeline> pipeline;
  // What the handle wrote was completed (or aborted): at the close(2) that ended its opener's
  // last use of it (FlushLocal), else at release. Writes through the handle then fail.
  bool completed = false;
  // The file's bytes while the pipeline cannot take them (Stage); written through it at release.
  // Or, written in place, the worker's cache file (the handle's FUSE passthrough backing file).
  std::unique_ptr<StagingFile> staging;
  // Written in place into the cache file of the worker on this host (staging is that file):
  // completed by asking the worker to persist and commit it, never through a pipeline.
  std::unique_ptr<client::LocalFileOutStream> in_place;
  // The cache file's size and mtime (ns) when the in-place file completed: a write the kernel
  // passed through after that (a descriptor or mapping the opener's last close did not see)
  // changes them, and the worker's copy, which no longer matches the file, is freed at release.
  std::optional<std::pair<uint64_t, int64_t>> completed_as;
  std::shared_ptr<Writer> writer;
  std::string refused;          // why writes are refused (can_write false, opened for writing)
  bool refusal_logged = false;  // a refused write (or, for a writer, read) was logged
};

struct AlluxioFileSystem::PerReactor {
  std::unique_ptr<client::FileSystemClient> client;
  // SystemUserGroupAuthPolicy: a client acting as each caller identity (uid, gid, then its
  // supplementary gids) that made a request here, kept until shutdown.
  std::map<std::vector<uint32_t>, std::unique_ptr<client::FileSystemClient>> acting;
  std::unique_ptr<TaskGroup> tasks;
  std::map<FileHandle, std::shared_ptr<OpenFile>> files;
  // Readers of other reactors' handles (ReadAsGuest), dropped when the owner releases them.
  std::map<FileHandle, std::shared_ptr<ReadAhead>> guests;
  uint64_t next_handle = 1;
  bool shut_down = false;
};

AlluxioFileSystemOptions AlluxioFileSystemOptions::FromConfiguration(const Configuration& conf,
                                                                     std::string alluxio_root) {
  AlluxioFileSystemOptions o;
  if (alluxio_root.empty()) alluxio_root = "/";
  while (alluxio_root.size() > 1 && alluxio_root.back() == '/') alluxio_root.pop_back();
  o.alluxio_root = std::move(alluxio_root);
  o.user_group_translation = conf.GetBool(PropertyKey::kFuseUserGroupTranslationEnabled);
  o.uid = geteuid();
  o.gid = getegid();
  const std::string policy = conf.GetEnum(PropertyKey::kFuseAuthPolicyClass);
  if (policy == "SystemUserGroupAuthPolicy") {
    o.auth_policy = AuthPolicy::kSystemUser;
  } else if (policy == "CustomAuthPolicy") {
    o.auth_policy = AuthPolicy::kCustom;
  }
  o.custom_user = conf.GetString(PropertyKey::kFuseAuthPolicyCustomUser);
  o.custom_group = conf.GetString(PropertyKey::kFuseAuthPolicyCustomGroup);
  o.special_commands = conf.GetBool(PropertyKey::kFuseSpecialCommandEnabled);
  o.statfs_cache = conf.GetDuration(PropertyKey::kFuseStatCacheRefreshInterval);
  o.logging_threshold = conf.GetDuration(PropertyKey::kFuseLoggingThreshold);
  o.debug = conf.GetBool(PropertyKey::kFuseDebugEnabled);
  o.write_in_place = conf.GetBool(PropertyKey::kFusePassthroughEnabled);
  const std::vector<std::string>& tmp_dirs = conf.GetList(PropertyKey::kTmpDirs);
  if (!tmp_dirs.empty()) o.tmp_dir = tmp_dirs.front();
  return o;
}

AlluxioFileSystem::AlluxioFileSystem(std::shared_ptr<client::ClientContext> context,
                                     ReactorPool& pool, AlluxioFileSystemOptions options)
    : context_(std::move(context)),
      pool_(pool),
      options_(std::move(options)),
      users_(options_.uid, options_.gid),
      instance_token_(std::random_device()()) {
  assert(pool_.size() <= 65536);
  for (size_t i = 0; i < pool_.size(); ++i) reactors_.push_back(std::make_unique<PerReactor>());
}

AlluxioFileSystem::~AlluxioFileSystem() { Shutdown(); }

void AlluxioFileSystem::Shutdown() {
  if (shut_down_.exchange(true)) return;
  for (size_t i = 0; i < pool_.size(); ++i) {
    PerReactor& slot = *reactors_[i];
    Reactor& reactor = pool_.at(i);
    if (reactor.stopping()) {
      if (slot.client) {
        ALX_LOG(kError, "fuse",
                "{} stopped before the file system was shut down: its client "
                "and {} open files are leaked",
                reactor.name(), slot.files.size());
        (void)slot.client.release();
        for (auto& [caller, client] : slot.acting) (void)client.release();
        (void)slot.tasks.release();
        for (auto& [handle, file] : slot.files) new std::shared_ptr<OpenFile>(std::move(file));
      }
      continue;
    }
    (void)BlockOn(reactor, ShutdownHere());
  }
}

asio::awaitable<bool> AlluxioFileSystem::ShutdownHere() {
  PerReactor& slot = *reactors_[Reactor::Current()->index()];
  slot.shut_down = true;
  std::map<FileHandle, std::shared_ptr<OpenFile>> files = std::move(slot.files);
  slot.files.clear();
  for (auto& [handle, file] : files) {
    if (file->can_write) {
      ALX_LOG(kWarn, "fuse", "{} still open for writing at shutdown: aborted", file->path);
    }
    co_await file->mu.Lock();
    AsyncLockGuard guard(file->mu);
    (void)co_await Finish(*file, /*abort=*/true);
    --open_handles_;
  }
  files.clear();
  std::map<FileHandle, std::shared_ptr<ReadAhead>> guests = std::move(slot.guests);
  slot.guests.clear();
  for (auto& [handle, guest] : guests) co_await guest->Close();
  guests.clear();
  if (slot.tasks) {
    co_await slot.tasks->Stop();
    slot.tasks.reset();
  }
  slot.acting.clear();
  slot.client.reset();
  co_return true;
}

AlluxioFileSystem::PerReactor& AlluxioFileSystem::Here() {
  Reactor* reactor = Reactor::Current();
  assert(reactor != nullptr && reactor->index() < reactors_.size() &&
         &pool_.at(reactor->index()) == reactor && "called off the pool's reactors");
  PerReactor& slot = *reactors_[reactor->index()];
  if (!slot.client && !slot.shut_down) {
    slot.client = std::make_unique<client::FileSystemClient>(context_);
    slot.tasks = std::make_unique<TaskGroup>(*reactor, "fs");
  }
  return slot;
}

client::FileSystemClient* AlluxioFileSystem::ClientFor(Caller caller) {
  PerReactor& here = Here();
  if (!here.client || options_.auth_policy != AuthPolicy::kSystemUser) return here.client.get();
  std::vector<uint32_t> identity{caller.uid, caller.gid};
  // TODO(perf): reading /proc/<pid>/status costs ~17 us a request (measured on this VM); a
  // cache per pid must not outlive the process nor miss a setgroups.
  const std::vector<uint32_t> groups = SupplementaryGroups(caller.pid);
  identity.insert(identity.end(), groups.begin(), groups.end());
  std::unique_ptr<client::FileSystemClient>& acting = here.acting[std::move(identity)];
  if (!acting) {
    client::ActingUser as{users_.UserName(caller.uid), users_.GroupName(caller.gid), {}};
    for (uint32_t gid : groups) as.groups.push_back(users_.GroupName(gid));
    acting = std::make_unique<client::FileSystemClient>(context_, std::move(as));
  }
  return acting.get();
}

std::shared_ptr<AlluxioFileSystem::OpenFile> AlluxioFileSystem::FileHere(FileHandle handle) {
  PerReactor& here = Here();
  auto it = here.files.find(handle);
  return it == here.files.end() ? nullptr : it->second;
}

Reactor* AlluxioFileSystem::OwnerOf(FileHandle handle) {
  const size_t index = handle & 0xffff;
  if ((handle >> 16) == 0 || index >= pool_.size()) return nullptr;
  return &pool_.at(index);
}

// Runs fn() (a Task<T>) on the reactor that owns `handle`: here, or hopping there and back.
template <typename T, typename F>
Task<T> AlluxioFileSystem::OnOwner(FileHandle handle, F fn) {
  Reactor* owner = OwnerOf(handle);
  if (owner == nullptr) co_return Fail(ErrorCode::kInvalidArgument, "bad file handle");
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  if (owner->IsCurrent()) co_return co_await fn();
  auto boxed = [&fn] { return Boxed(fn()); };
  auto result = co_await RunOn(*owner, boxed);
  co_return std::move(*result);
}

std::string AlluxioFileSystem::ToAlluxio(const std::string& path) const {
  if (options_.alluxio_root == "/") return path;
  if (path == "/") return options_.alluxio_root;
  std::string out = options_.alluxio_root;
  out.append(path);
  return out;
}

bool AlluxioFileSystem::MapsOwners() const {
  return options_.user_group_translation || options_.auth_policy != AuthPolicy::kLaunchUser;
}

std::pair<std::string, std::string> AlluxioFileSystem::NewOwner(Caller caller) {
  switch (options_.auth_policy) {
    case AuthPolicy::kLaunchUser:
      return {};
    case AuthPolicy::kSystemUser:
      return {users_.UserName(caller.uid), users_.GroupName(caller.gid)};
    case AuthPolicy::kCustom:
      return {options_.custom_user, options_.custom_group};
  }
  return {};
}

Status AlluxioFileSystem::CheckWrite(const FileInfo& info, Caller caller) {
  if (options_.auth_policy != AuthPolicy::kSystemUser) return Ok();
  if (Granted(ToAttributes(info), caller.uid, caller.gid, SupplementaryGroups(caller.pid)) & W_OK) {
    return Ok();
  }
  return Fail(ErrorCode::kPermissionDenied, fmt::format("{} is not writable by uid {} gid {}",
                                                        info.path, caller.uid, caller.gid));
}

Attributes AlluxioFileSystem::ToAttributes(const FileInfo& info) {
  Attributes a;
  a.ino = info.id;
  a.mode = (info.mode & 07777) | (info.is_directory   ? S_IFDIR
                                  : info.is_symlink() ? S_IFLNK
                                                      : S_IFREG);
  a.nlink = info.is_directory ? 2 : 1;
  if (MapsOwners()) {
    a.uid = users_.Uid(info.owner);
    a.gid = users_.Gid(info.group);
  } else {
    a.uid = options_.uid;
    a.gid = options_.gid;
  }
  a.size = info.length;
  a.blocks = (a.size + 511) / 512;
  a.mtime = FromMillis(info.mtime_ms);
  a.atime = a.mtime;
  a.ctime = a.mtime;
  a.blksize = options_.blksize;
  return a;
}

std::shared_ptr<AlluxioFileSystem::Writer> AlluxioFileSystem::FindWriter(const std::string& path) {
  std::lock_guard lock(writers_mu_);
  for (const auto& [handle, writer] : writers_) {
    if (writer->path == path && !writer->unlinked) return writer;
  }
  return nullptr;
}

bool AlluxioFileSystem::HasClosingWriter(const std::string& path, Closing which) {
  std::lock_guard lock(writers_mu_);
  for (const auto& [handle, writer] : writers_) {
    if (!writer->closing) continue;
    if (which == Closing::kFailedAtPath ? writer->failed && writer->path == path
                                        : writer->path == path || IsBelow(writer->path, path)) {
      return true;
    }
  }
  return false;
}

asio::awaitable<void> AlluxioFileSystem::AwaitClosingWriters(const std::string& path,
                                                             Closing which) {
  if (!HasClosingWriter(path, which)) co_return;
  const auto deadline = std::chrono::steady_clock::now() + options_.incomplete_file_wait;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (HasClosingWriter(path, which) && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(1));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

size_t AlluxioFileSystem::open_writers() const {
  std::lock_guard lock(writers_mu_);
  return writers_.size();
}

void AlluxioFileSystem::UnlinkWriters(const std::string& path) {
  std::lock_guard lock(writers_mu_);
  for (auto& [handle, writer] : writers_) {
    if (writer->path == path) writer->unlinked = true;
  }
}

void AlluxioFileSystem::ApplyWriter(const std::string& path, Attributes& attr) {
  if (attr.mode & S_IFDIR) return;
  std::shared_ptr<Writer> writer = FindWriter(path);
  if (!writer) return;
  attr.ino = writer->ino;
  attr.changing = true;
  attr.size = writer->size.load();
  std::lock_guard lock(writers_mu_);
  struct stat st {};
  if (writer->in_place_fd >= 0 && ::fstat(writer->in_place_fd, &st) == 0) {
    attr.size = static_cast<uint64_t>(st.st_size);
  }
  attr.blocks = (attr.size + 511) / 512;
  if (writer->pending.mode) attr.mode = (attr.mode & S_IFMT) | *writer->pending.mode;
}

namespace {

// `path` after renaming `from` to `to` (itself or a path below it); unchanged otherwise.
void Rebase(std::string& path, const std::string& from, const std::string& to) {
  if (path == from) {
    path = to;
  } else if (IsBelow(path, from)) {
    std::string moved = to;
    moved.append(path, from.size());
    path = std::move(moved);
  }
}

}  // namespace

void AlluxioFileSystem::RenameWriters(const std::string& from, const std::string& to) {
  std::lock_guard lock(writers_mu_);
  for (auto& [handle, writer] : writers_) {
    Rebase(writer->path, from, to);
    if (!writer->temp_dir.empty()) Rebase(writer->temp_dir, from, to);
  }
}

std::optional<Attributes> AlluxioFileSystem::SpecialCommand(const std::string& path) {
  if (!options_.special_commands) return std::nullopt;
  const std::string_view name = BaseName(path);
  MetadataCache* cache = context_->metadata_cache();
  uint64_t size = 0;
  if (name == kDropAll && ParentPath(path) == "/") {
    if (cache != nullptr) cache->InvalidateAll();
    ALX_LOG(kInfo, "fuse", "metadata cache dropped");
  } else if (name == kDrop) {
    const std::string dir = ToAlluxio(ParentPath(path));
    if (cache != nullptr) cache->InvalidatePath(client::CacheKey(dir));
    ALX_LOG(kInfo, "fuse", "metadata cache dropped for {}", dir);
  } else if (name == kCacheSize && ParentPath(path) == "/") {
    size = cache != nullptr ? cache->size() : 0;
  } else {
    return std::nullopt;
  }
  Attributes a;
  a.mode = S_IFREG | 0444;
  a.uid = options_.uid;
  a.gid = options_.gid;
  a.size = size;
  a.mtime = FromMillis(NowMillis());
  a.atime = a.mtime;
  a.ctime = a.mtime;
  a.blksize = options_.blksize;
  return a;
}

Task<FileInfo> AlluxioFileSystem::StatusOf(std::string path, bool wait_if_incomplete,
                                           bool fail_if_incomplete,
                                           client::FileSystemClient& client) {
  const std::string alluxio = ToAlluxio(path);
  const auto deadline = std::chrono::steady_clock::now() + options_.incomplete_file_wait;
  std::chrono::milliseconds sleep(10);
  while (true) {
    Result<FileInfo> st = co_await client.GetStatus(alluxio);
    if (!st || st->is_directory || st->completed || !wait_if_incomplete) co_return st;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      if (!fail_if_incomplete) co_return st;
      ALX_LOG(kWarn, "fuse", "{} is still being written after {} ms: EBUSY", path,
              options_.incomplete_file_wait.count());
      co_return Fail(ErrorCode::kIncomplete, path + " is still being written");
    }
    asio::steady_timer timer(co_await asio::this_coro::executor,
                             std::min<std::chrono::steady_clock::duration>(sleep, deadline - now));
    co_await timer.async_wait(asio::use_awaitable);
    sleep = std::min(sleep * 2, std::chrono::milliseconds(500));
    client.InvalidateCached(alluxio);
  }
}

// ---- Path operations.

Task<Attributes> AlluxioFileSystem::GetAttr(std::string path, Caller caller) {
  SlowOpLogger slow("fuse", options_.logging_threshold, [&] { return "getattr(" + path + ")"; });
  if (options_.debug) ALX_LOG(kDebug, "fuse", "getattr({})", path);
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  if (std::optional<Attributes> special = SpecialCommand(path)) co_return *special;
  // A file whose close failed is removed (a replacement: the old file kept) by the RELEASE the
  // kernel sends after close returned: the next command sees that. (Not every closed writer is
  // waited for: one open through another descriptor, as a shell's redirection leaves it, gets
  // no RELEASE while that descriptor is fstat'ed.)
  co_await AwaitClosingWriters(path, Closing::kFailedAtPath);
  const bool mine = FindWriter(path) != nullptr;
  client::FileSystemClient* client = ClientFor(caller);
  if (client == nullptr) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  Result<FileInfo> st = co_await StatusOf(path, /*wait_if_incomplete=*/!mine, false, *client);
  if (!st) co_return st.failure();
  Attributes attr = ToAttributes(*st);
  ApplyWriter(path, attr);
  // Taken while this process wrote the file: if its writer completed meanwhile, the master's
  // answer may predate the completion (size 0), and the kernel must not keep it.
  if (mine) attr.changing = true;
  co_return attr;
}

Task<Attributes> AlluxioFileSystem::SetAttr(std::string path, SetAttrRequest change,
                                            Caller caller) {
  SlowOpLogger slow("fuse", options_.logging_threshold, [&] { return "setattr(" + path + ")"; });
  if (options_.debug) ALX_LOG(kDebug, "fuse", "setattr({})", path);
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  client::FileSystemClient* client = ClientFor(caller);
  if (client == nullptr) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  const std::string alluxio = ToAlluxio(path);
  // A writer that was closed is completing the file (the kernel does not wait for RELEASE): the
  // change applies to the complete file, not to the one about to be replaced or the handle
  // that is going away.
  if (!change.handle) co_await AwaitClosingWriters(path);
  if (change.size) {
    std::optional<FileHandle> handle = change.handle;
    if (!handle) {
      if (std::shared_ptr<Writer> writer = FindWriter(path)) handle = writer->handle;
    }
    Result<void> truncated;
    if (handle) {
      truncated = co_await TruncateHandle(*handle, *change.size);
    } else {
      truncated = co_await TruncateClosed(path, *change.size, caller);
    }
    if (!truncated) co_return truncated.failure();
  }
  client::SetAttributeOptions set;
  bool any = false;
  if (change.mode) {
    set.mode = *change.mode & 07777;
    any = true;
  }
  if (MapsOwners()) {
    if (change.uid) {
      set.owner = users_.UserName(*change.uid);
      any = true;
    }
    if (change.gid) {
      set.group = users_.GroupName(*change.gid);
      any = true;
    }
  }
  if (change.mtime) {
    set.mtime_ms = change.mtime->kind == SetAttrRequest::TimeKind::kNow
                       ? NowMillis()
                       : change.mtime->time.sec * 1000 + change.mtime->time.nsec / 1000000;
    any = true;
  }
  Attributes attr;
  if (any) {
    if (std::shared_ptr<Writer> writer = FindWriter(path)) {
      std::lock_guard lock(writers_mu_);
      if (set.mode) writer->pending.mode = set.mode;
      if (set.owner) writer->pending.owner = set.owner;
      if (set.group) writer->pending.group = set.group;
      if (set.mtime_ms) writer->pending.mtime_ms = set.mtime_ms;
    }
    Result<FileInfo> info = co_await client->SetAttribute(alluxio, set);
    if (!info) co_return info.failure();
    attr = ToAttributes(*info);
  } else {
    Result<FileInfo> info = co_await client->GetStatus(alluxio);
    if (!info) co_return info.failure();
    attr = ToAttributes(*info);
  }
  ApplyWriter(path, attr);
  co_return attr;
}

Task<void> AlluxioFileSystem::ReplaceWithEmpty(std::string alluxio_path, uint32_t mode,
                                               std::string owner, std::string group,
                                               client::FileSystemClient& client) {
  const std::string temp =
      JoinPath(ParentPath(alluxio_path),
               fmt::format("{}empty.{:x}.{:x}", kTempPrefix, instance_token_, ++empty_count_));
  client::CreateFileOptions create;
  create.overwrite = true;
  create.mode = mode & 07777;
  create.owner = std::move(owner);
  create.group = std::move(group);
  auto out = co_await client.CreateFile(temp, create);
  if (!out) co_return out.failure();
  Result<FileInfo> done = co_await (*out)->Close();
  if (!done) co_return done.failure();
  co_return co_await RenameOver(temp, alluxio_path, client);
}

Task<void> AlluxioFileSystem::RenameOver(std::string sibling, std::string target,
                                         client::FileSystemClient& client) {
  Status renamed = co_await client.Rename(sibling, target, false);
  if (!renamed) {
    ALX_LOG(kWarn, "fuse", "replacing {} by {} failed: {}", target, sibling,
            renamed.error().ToString());
    (void)co_await client.Delete(sibling, false);
  }
  co_return renamed;
}

Task<void> AlluxioFileSystem::TruncateClosed(std::string path, uint64_t size, Caller caller) {
  client::FileSystemClient* client = ClientFor(caller);
  if (client == nullptr) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  const std::string alluxio = ToAlluxio(path);
  Result<FileInfo> st = co_await client->GetStatus(alluxio);
  if (!st) co_return st.failure();
  if (st->is_directory) co_return Fail(ErrorCode::kIsADirectory, path);
  if (!st->completed) co_return Fail(ErrorCode::kIncomplete, path + " is still being written");
  if (Status may = CheckWrite(*st, caller); !may) co_return may;
  if (size == st->length) co_return Ok();
  if (size != 0) {
    ALX_LOG(kInfo, "fuse", "truncate({}, {}) of a complete {} byte file: EOPNOTSUPP", path, size,
            st->length);
    co_return Fail(ErrorCode::kUnsupported,
                   fmt::format("{}: a complete file can only be truncated to 0", path));
  }
  // As the mounting user: the master would check the caller for a create in the directory.
  co_return co_await ReplaceWithEmpty(alluxio, st->mode, st->owner, st->group, *Here().client);
}

Task<void> AlluxioFileSystem::TruncateHandle(FileHandle handle, uint64_t size) {
  auto fn = [this, handle, size] { return TruncateLocal(handle, size); };
  co_return co_await OnOwner<void>(handle, fn);
}

Task<void> AlluxioFileSystem::TruncateLocal(FileHandle handle, uint64_t size) {
  std::shared_ptr<OpenFile> file = FileHere(handle);
  if (!file) co_return Fail(ErrorCode::kInvalidArgument, "bad file handle");
  co_await file->mu.Lock();
  AsyncLockGuard guard(file->mu);
  if (file->completed) co_return Fail(ErrorCode::kIoError, CompletedAtClose(file->path));
  if (!file->can_write) {
    if (file->reader && file->reader->length() == size) co_return Ok();
    if ((file->flags & O_ACCMODE) != O_RDONLY && size == 0 && file->reader == nullptr) {
      // ftruncate(fd, 0) of a file opened for writing: from now on the handle writes a
      // replacement, as if opened with O_TRUNC.
      const std::string alluxio = ToAlluxio(file->path);
      Result<FileInfo> st = co_await file->client->GetStatus(alluxio);
      if (!st) co_return st.failure();
      if (!st->completed) co_return Fail(ErrorCode::kIncomplete, file->path);
      file->can_write = true;
      file->replace = true;
      file->truncates = true;
      file->replaced_id = st->id;
      file->mode = st->mode;
      file->owner = st->owner;
      file->group = st->group;
      file->writer = std::make_shared<Writer>();
      file->writer->path = file->path;
      file->writer->handle = handle;
      std::lock_guard lock(writers_mu_);
      writers_[handle] = file->writer;
      co_return Ok();
    }
    co_return co_await TruncateClosed(file->path, size, file->opener);
  }
  const uint64_t current = file->staging ? file->staging->size() : file->writer->size.load();
  if (size == current) co_return Ok();
  if (!file->staging && (!file->pipeline || file->pipeline->sent_nothing())) {
    // ftruncate before anything was sent (a file sized, then written through a mapping or at
    // any offset): staged. Without a staging file, growing zero-fills through the pipeline.
    (void)Stage(*file, fmt::format("ftruncate to {}", size));
  }
  if (file->staging) {
    Status s = file->staging->Truncate(size);
    if (!s) co_return s;
    file->writer->size = size;
    co_return Ok();
  }
  if (size < current || (file->pipeline && file->pipeline->has_gaps())) {
    ALX_LOG(kInfo, "fuse", "truncate of {} being written from {} to {} bytes: EOPNOTSUPP",
            file->path, current, size);
    co_return Fail(ErrorCode::kUnsupported,
                   fmt::format("{}: a file being written can only grow", file->path));
  }
  if (!file->pipeline) {
    Result<void> started = co_await EnsureStream(*file);
    if (!started) co_return started;
  }
  std::vector<char> zeros(static_cast<size_t>(std::min<uint64_t>(kZeroFillPiece, size - current)));
  while (file->pipeline->size() < size) {
    const uint64_t at = file->pipeline->size();
    const std::span<const char> piece(
        zeros.data(), static_cast<size_t>(std::min<uint64_t>(zeros.size(), size - at)));
    Status s = co_await file->pipeline->Write(at, piece);
    if (!s) co_return s;
    file->writer->size = file->pipeline->size();
  }
  co_return Ok();
}

Task<std::vector<DirEntry>> AlluxioFileSystem::ListDir(std::string path, uint64_t offset,
                                                       uint32_t max_entries, Caller caller) {
  SlowOpLogger slow("fuse", options_.logging_threshold,
                    [&] { return fmt::format("readdir({}, offset {})", path, offset); });
  if (options_.debug)
    ALX_LOG(kDebug, "fuse", "readdir({}, offset {}, {})", path, offset, max_entries);
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  client::FileSystemClient* client = ClientFor(caller);
  if (client == nullptr) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  const std::string alluxio = ToAlluxio(path);
  std::string start_after;
  uint64_t skip = offset;
  if (offset > 0) {
    std::lock_guard lock(cursors_mu_);
    auto it = cursors_.find({path, offset});
    if (it != cursors_.end()) {
      start_after = it->second;
      skip = 0;
    }
  }
  std::vector<DirEntry> entries;
  std::string last;
  bool more = true;
  while (more && entries.size() < max_entries) {
    const uint32_t limit =
        static_cast<uint32_t>(std::clamp<uint64_t>(skip + (max_entries - entries.size()), 1, 1000));
    Result<client::ListPage> page = co_await client->ListStatusPage(alluxio, start_after, limit);
    if (!page) co_return page.failure();
    more = page->has_more && !page->entries.empty();
    for (const FileInfo& info : page->entries) {
      if (entries.size() >= max_entries) {
        more = false;
        break;
      }
      start_after = info.name;
      if (Hidden(info.name)) continue;
      if (skip > 0) {
        --skip;
        continue;
      }
      DirEntry entry;
      entry.name = info.name;
      entry.attr = ToAttributes(info);
      ApplyWriter(JoinPath(path, info.name), entry.attr);
      entries.push_back(std::move(entry));
      last = info.name;
    }
  }
  if (!entries.empty()) {
    std::lock_guard lock(cursors_mu_);
    std::pair<std::string, uint64_t> key(path, offset + entries.size());
    if (auto found = cursors_.find(key); found != cursors_.end()) {
      found->second = last;
    } else {
      if (cursor_order_.size() >= kMaxCursors) {
        cursors_.erase(cursor_order_[cursor_next_]);
        cursor_order_[cursor_next_] = key;
        cursor_next_ = (cursor_next_ + 1) % kMaxCursors;
      } else {
        cursor_order_.push_back(key);
      }
      cursors_.emplace(std::move(key), last);
    }
  }
  co_return entries;
}

Task<Attributes> AlluxioFileSystem::Mkdir(std::string path, uint32_t mode, Caller caller) {
  SlowOpLogger slow("fuse", options_.logging_threshold, [&] { return "mkdir(" + path + ")"; });
  if (options_.debug) ALX_LOG(kDebug, "fuse", "mkdir({}, {:o})", path, mode);
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  client::FileSystemClient* client = ClientFor(caller);
  if (client == nullptr) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  client::CreateDirectoryOptions create;
  create.mode = mode & 07777;
  std::tie(create.owner, create.group) = NewOwner(caller);
  const std::string alluxio = ToAlluxio(path);
  Result<FileInfo> info = co_await client->CreateDirectory(alluxio, create);
  if (!info) co_return info.failure();
  co_return ToAttributes(*info);
}

Task<Attributes> AlluxioFileSystem::Symlink(std::string path, std::string target, Caller caller) {
  SlowOpLogger slow("fuse", options_.logging_threshold, [&] { return "symlink(" + path + ")"; });
  if (options_.debug) ALX_LOG(kDebug, "fuse", "symlink({}, {})", path, target);
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  client::FileSystemClient* client = ClientFor(caller);
  if (client == nullptr) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  const std::string alluxio = ToAlluxio(path);
  client::CreateSymlinkOptions link;
  std::tie(link.owner, link.group) = NewOwner(caller);
  Result<FileInfo> info = co_await client->CreateSymlink(alluxio, target, link);
  if (!info) co_return info.failure();
  co_return ToAttributes(*info);
}

Task<std::string> AlluxioFileSystem::ReadLink(std::string path, Caller caller) {
  SlowOpLogger slow("fuse", options_.logging_threshold, [&] { return "readlink(" + path + ")"; });
  if (options_.debug) ALX_LOG(kDebug, "fuse", "readlink({})", path);
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  client::FileSystemClient* client = ClientFor(caller);
  if (client == nullptr) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  const std::string alluxio = ToAlluxio(path);
  Result<FileInfo> st = co_await client->GetStatus(alluxio);
  if (!st) co_return st.failure();
  if (!st->is_symlink()) co_return Fail(ErrorCode::kInvalidArgument, path + " is not a link");
  co_return std::move(st->symlink_target);
}

Task<void> AlluxioFileSystem::Unlink(std::string path, Caller caller) {
  SlowOpLogger slow("fuse", options_.logging_threshold, [&] { return "unlink(" + path + ")"; });
  if (options_.debug) ALX_LOG(kDebug, "fuse", "unlink({})", path);
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  co_await AwaitClosingWriters(path);
  client::FileSystemClient* client = ClientFor(caller);
  if (client == nullptr) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  const std::string alluxio = ToAlluxio(path);
  Result<FileInfo> st = co_await client->GetStatus(alluxio);
  if (!st) co_return st.failure();
  if (st->is_directory) co_return Fail(ErrorCode::kIsADirectory, path);
  Status deleted = co_await client->Delete(alluxio, false);
  if (deleted) UnlinkWriters(path);
  co_return deleted;
}

Task<void> AlluxioFileSystem::Rmdir(std::string path, Caller caller) {
  SlowOpLogger slow("fuse", options_.logging_threshold, [&] { return "rmdir(" + path + ")"; });
  if (options_.debug) ALX_LOG(kDebug, "fuse", "rmdir({})", path);
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  client::FileSystemClient* client = ClientFor(caller);
  if (client == nullptr) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  const std::string alluxio = ToAlluxio(path);
  Result<FileInfo> st = co_await client->GetStatus(alluxio);
  if (!st) co_return st.failure();
  if (!st->is_directory) co_return Fail(ErrorCode::kNotADirectory, path);
  co_return co_await client->Delete(alluxio, false);
}

Task<void> AlluxioFileSystem::Rename(std::string from, std::string to, RenameMode mode,
                                     Caller caller) {
  SlowOpLogger slow("fuse", options_.logging_threshold,
                    [&] { return "rename(" + from + ", " + to + ")"; });
  if (options_.debug) ALX_LOG(kDebug, "fuse", "rename({}, {})", from, to);
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  if (mode == RenameMode::kExchange) {
    co_return Fail(ErrorCode::kUnsupported, "RENAME_EXCHANGE is not supported");
  }
  co_await AwaitClosingWriters(from);
  co_await AwaitClosingWriters(to);
  client::FileSystemClient* client = ClientFor(caller);
  if (client == nullptr) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  const std::string src = ToAlluxio(from);
  const std::string dst = ToAlluxio(to);
  Status s = co_await client->Rename(src, dst, mode == RenameMode::kNoReplace);
  if (!s) co_return s;
  if (from != to) UnlinkWriters(to);
  RenameWriters(from, to);
  co_return Ok();
}

// ---- Opening.

Task<FileHandle> AlluxioFileSystem::Open(std::string path, int flags, Caller caller) {
  SlowOpLogger slow("fuse", options_.logging_threshold,
                    [&] { return fmt::format("open({}, {:#o})", path, flags); });
  if (options_.debug) ALX_LOG(kDebug, "fuse", "open({}, {:#o})", path, flags);
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  client::FileSystemClient* client = ClientFor(caller);
  if (client == nullptr) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  co_await AwaitClosingWriters(path);
  const bool read_only = (flags & O_ACCMODE) == O_RDONLY;
  if (read_only && (flags & O_TRUNC)) {
    // Linux truncates on O_RDONLY | O_TRUNC too (the kernel already shows the file as empty).
    Result<FileInfo> st = co_await StatusOf(path, true, /*fail_if_incomplete=*/true, *client);
    if (!st) co_return st.failure();
    if (st->is_directory) co_return Fail(ErrorCode::kIsADirectory, path);
    Result<void> truncated = co_await TruncateClosed(path, 0, caller);
    if (!truncated) co_return truncated.failure();
  }
  if (read_only) {
    // One master call (block infos carry the file's status) when the file is complete.
    auto in = co_await client->OpenFile(ToAlluxio(path));
    if (in) {
      FileInfo existing = (*in)->info();
      std::unique_ptr<client::FileOutStream> none;
      co_return co_await OpenHere(*client, caller, path, flags, existing, false, std::move(none),
                                  std::move(in).value());
    }
    if (in.code() != ErrorCode::kIncomplete) co_return in.failure();
  }
  Result<FileInfo> st = co_await StatusOf(path, read_only, /*fail_if_incomplete=*/true, *client);
  if (!st) co_return st.failure();
  if (st->is_directory) co_return Fail(ErrorCode::kIsADirectory, path);
  FileInfo existing = std::move(st).value();
  std::unique_ptr<client::FileOutStream> no_out;
  std::unique_ptr<client::FileInStream> no_in;
  co_return co_await OpenHere(*client, caller, path, flags, existing, false, std::move(no_out),
                              std::move(no_in));
}

Task<CreatedFile> AlluxioFileSystem::Create(std::string path, uint32_t mode, int flags,
                                            Caller caller) {
  SlowOpLogger slow("fuse", options_.logging_threshold,
                    [&] { return fmt::format("create({}, {:#o})", path, flags); });
  if (options_.debug) ALX_LOG(kDebug, "fuse", "create({}, {:o}, {:#o})", path, mode, flags);
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  client::FileSystemClient* client = ClientFor(caller);
  if (client == nullptr) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  client::CreateFileOptions create;
  create.mode = mode & 07777;
  std::tie(create.owner, create.group) = NewOwner(caller);
  const std::string alluxio = ToAlluxio(path);
  if (options_.write_in_place && (flags & O_ACCMODE) != O_RDONLY) {
    Result<client::NewFile> made = co_await client->CreateFileInPlace(alluxio, create);
    if (made && made->in_place) {
      co_return co_await CreateInPlace(std::move(path), flags, caller, *client,
                                       std::move(made->in_place));
    }
    if (made) {
      FileInfo info = made->stream->info();
      co_return co_await CreateWritten(std::move(path), flags, caller, *client,
                                       std::move(made->stream), std::move(info));
    }
    if (made.code() != ErrorCode::kAlreadyExists || (flags & O_EXCL)) co_return made.failure();
    co_return co_await CreateExisting(std::move(path), flags, caller);
  }
  auto out = co_await client->CreateFile(alluxio, create);
  if (!out) {
    if (out.code() != ErrorCode::kAlreadyExists || (flags & O_EXCL)) co_return out.failure();
    co_return co_await CreateExisting(std::move(path), flags, caller);
  }
  std::unique_ptr<client::FileOutStream> stream = std::move(out).value();
  if ((flags & O_ACCMODE) == O_RDONLY) {
    // Created only to be read (flock(1)'s lock files): empty and complete at once.
    Result<FileInfo> done = co_await stream->Close();
    if (!done) co_return done.failure();
    auto in = co_await client->OpenFile(alluxio);
    if (!in) co_return in.failure();
    std::unique_ptr<client::FileOutStream> none;
    Result<FileHandle> handle = co_await OpenHere(*client, caller, path, flags, *done, false,
                                                  std::move(none), std::move(in).value());
    if (!handle) co_return handle.failure();
    co_return CreatedFile{*handle, ToAttributes(*done)};
  }
  FileInfo info = stream->info();
  co_return co_await CreateWritten(std::move(path), flags, caller, *client, std::move(stream),
                                   std::move(info));
}

// O_CREAT without O_EXCL of an existing file: an open.
Task<CreatedFile> AlluxioFileSystem::CreateExisting(std::string path, int flags, Caller caller) {
  Result<FileHandle> handle = co_await Open(path, flags, caller);
  if (!handle) co_return handle.failure();
  Result<Attributes> attr = co_await GetAttr(path, caller);
  if (!attr) {
    (void)co_await Release(*handle);
    co_return attr.failure();
  }
  co_return CreatedFile{*handle, *attr};
}

Task<CreatedFile> AlluxioFileSystem::CreateWritten(std::string path, int flags, Caller caller,
                                                   client::FileSystemClient& client,
                                                   std::unique_ptr<client::FileOutStream> stream,
                                                   FileInfo info) {
  std::unique_ptr<client::FileInStream> no_in;
  Result<FileHandle> handle = co_await OpenHere(client, caller, path, flags, info, true,
                                                std::move(stream), std::move(no_in));
  if (!handle) co_return handle.failure();
  Attributes attr = ToAttributes(info);
  ApplyWriter(path, attr);  // empty so far, and changing: the kernel caches neither (GetAttr)
  co_return CreatedFile{*handle, attr};
}

Task<CreatedFile> AlluxioFileSystem::CreateInPlace(
    std::string path, int flags, Caller caller, client::FileSystemClient& client,
    std::unique_ptr<client::LocalFileOutStream> in_place) {
  Result<std::unique_ptr<StagingFile>> cache = StagingFile::Open(in_place->cache_path());
  struct stat st {};
  if (cache && (::fstat((*cache)->fd(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != 0)) {
    // Not the new, empty cache file a worker makes: never written into.
    cache =
        Fail(ErrorCode::kInvalidArgument, in_place->cache_path() + " is not an empty regular file");
  }
  if (!cache) {
    // The worker's cache file is not ours to write (another user's worker): through the worker.
    ALX_LOG(kInfo, "fuse", "{}: written through the worker: {}", path, cache.error().ToString());
    (void)co_await in_place->Abort();
    client::CreateFileOptions create;
    create.mode = in_place->info().mode & 07777;
    std::tie(create.owner, create.group) = NewOwner(caller);
    auto out = co_await client.CreateFile(ToAlluxio(path), create);
    if (!out) co_return out.failure();
    FileInfo info = (*out)->info();
    co_return co_await CreateWritten(std::move(path), flags, caller, client, std::move(out).value(),
                                     std::move(info));
  }
  const int fd = ::dup((*cache)->fd());
  if (fd < 0) {
    Error e = ErrnoError(errno, "dup");
    (void)co_await in_place->Abort();
    co_return Fail(std::move(e));
  }
  FileInfo info = in_place->info();
  std::unique_ptr<client::FileOutStream> no_out;
  std::unique_ptr<client::FileInStream> no_in;
  Result<FileHandle> handle = co_await OpenHere(client, caller, path, flags, info, true,
                                                std::move(no_out), std::move(no_in));
  if (!handle) {
    ::close(fd);
    (void)co_await in_place->Abort();
    co_return handle.failure();
  }
  std::shared_ptr<OpenFile> file = FileHere(*handle);
  file->staging = std::move(cache).value();
  file->in_place = std::move(in_place);
  {
    std::lock_guard lock(writers_mu_);
    file->writer->in_place_fd = fd;
  }
  Attributes attr = ToAttributes(info);
  ApplyWriter(path, attr);
  co_return CreatedFile{*handle, attr};
}

Task<FileHandle> AlluxioFileSystem::OpenHere(client::FileSystemClient& client, Caller caller,
                                             std::string path, int flags, FileInfo existing,
                                             bool created,
                                             std::unique_ptr<client::FileOutStream> out,
                                             std::unique_ptr<client::FileInStream> in) {
  PerReactor& here = Here();
  Reactor& reactor = *Reactor::Current();
  const FileHandle handle = (here.next_handle++ << 16) | reactor.index();
  auto file = std::make_shared<OpenFile>(handle, path, flags, reactor);
  file->client = &client;
  file->opener = caller;
  const int access = flags & O_ACCMODE;
  if (access != O_RDONLY && !created) {
    // The master checks writing an existing file as a create in its directory (Alluxio's
    // overwrite), not against the file: the file is checked here, and its writes are made as
    // the mounting user.
    if (Status may = CheckWrite(existing, caller); !may) co_return may.failure();
    if (!here.client) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
    file->client = here.client.get();
  }
  if (access != O_RDONLY) {
    if (created) {
      file->can_write = true;
      if (out) StartPipeline(*file, std::move(out));
    } else if (!existing.completed) {
      co_return Fail(ErrorCode::kIncomplete, path + " is still being written");
    } else if ((flags & O_TRUNC) || existing.length == 0) {
      file->can_write = true;
      file->replace = true;
      file->truncates = existing.length > 0;
    } else {
      file->refused = fmt::format(
          "{} is a complete {} byte file opened without O_TRUNC: Alluxio files are written once "
          "(no overwrite or append)",
          path, existing.length);
    }
    file->replaced_id = existing.id;
    file->mode = existing.mode;
    file->owner = existing.owner;
    file->group = existing.group;
  }
  if (access == O_RDONLY || (access == O_RDWR && !file->can_write)) {
    if (!in) {
      auto opened = co_await client.OpenFile(ToAlluxio(path));
      if (!opened) co_return opened.failure();
      in = std::move(opened).value();
    }
    if (access == O_RDONLY) file->backing_fd = co_await in->WholeFileLocal();
    if (access == O_RDONLY && !created && in->info().completed) {
      const FileInfo& read = in->info();
      file->content = ContentVersion{read.id, read.length, read.mtime_ms};
    }
    file->reader = std::make_shared<ReadAhead>(std::move(in), reactor, *here.tasks, options_.read);
    if (!file->can_write) {
      auto blocks = std::make_shared<const client::FileBlocks>(file->reader->blocks());
      std::lock_guard lock(shared_reads_mu_);
      shared_reads_[handle] = std::move(blocks);
    }
  }
  if (file->can_write) {
    file->writer = std::make_shared<Writer>();
    file->writer->path = path;
    file->writer->handle = handle;
    file->writer->ino = existing.id;
    std::lock_guard lock(writers_mu_);
    writers_[handle] = file->writer;
  }
  here.files.emplace(handle, std::move(file));
  ++open_handles_;
  co_return handle;
}

void AlluxioFileSystem::StartPipeline(OpenFile& file, std::unique_ptr<client::FileOutStream> out) {
  PerReactor& here = Here();
  file.pipeline = std::make_shared<WritePipeline>(std::move(out), *Reactor::Current(), *here.tasks,
                                                  options_.write, file.path);
}

Task<void> AlluxioFileSystem::EnsureStream(OpenFile& file) {
  if (file.pipeline) co_return Ok();
  std::string target;
  {
    std::lock_guard lock(writers_mu_);
    if (file.replace) {
      file.writer->temp_dir = ParentPath(file.writer->path);
      file.temp_name = fmt::format("{}{:x}.{:x}.{:x}", kTempPrefix, file.replaced_id,
                                   instance_token_, file.handle);
      target = ToAlluxio(JoinPath(file.writer->temp_dir, file.temp_name));
    } else {
      target = ToAlluxio(file.writer->path);
    }
  }
  client::CreateFileOptions create;
  create.overwrite = true;
  create.mode = file.mode & 07777;
  create.owner = file.owner;
  create.group = file.group;
  auto out = co_await file.client->CreateFile(target, create);
  if (!out) co_return out.failure();
  StartPipeline(file, std::move(out).value());
  co_return Ok();
}

// ---- Handle operations.

int AlluxioFileSystem::BackingFile(FileHandle handle) {
  std::shared_ptr<OpenFile> file = FileHere(handle);
  if (!file) return -1;
  if (file->in_place && !file->completed) return file->staging->fd();
  return file->backing_fd;
}

std::optional<ContentVersion> AlluxioFileSystem::ContentOf(FileHandle handle) {
  std::shared_ptr<OpenFile> file = FileHere(handle);
  return file ? file->content : std::nullopt;
}

Task<size_t> AlluxioFileSystem::Read(FileHandle handle, uint64_t offset,
                                     std::span<std::byte> buffer) {
  Reactor* owner = OwnerOf(handle);
  if (owner != nullptr && !owner->IsCurrent() && !shut_down_) {
    std::shared_ptr<const client::FileBlocks> blocks;
    {
      std::lock_guard lock(shared_reads_mu_);
      auto it = shared_reads_.find(handle);
      if (it != shared_reads_.end()) blocks = it->second;
    }
    if (blocks) co_return co_await ReadAsGuest(handle, std::move(blocks), offset, buffer);
  }
  auto fn = [this, handle, offset, buffer] { return ReadLocal(handle, offset, buffer); };
  co_return co_await OnOwner<size_t>(handle, fn);
}

Task<size_t> AlluxioFileSystem::ReadLocal(FileHandle handle, uint64_t offset,
                                          std::span<std::byte> buffer) {
  std::shared_ptr<OpenFile> file = FileHere(handle);
  if (!file) co_return Fail(ErrorCode::kInvalidArgument, "bad file handle");
  SlowOpLogger slow("fuse", options_.logging_threshold, [&] {
    return fmt::format("read({}, {} bytes at {})", file->path, buffer.size(), offset);
  });
  if (options_.debug) {
    ALX_LOG(kDebug, "fuse", "read({}, {} bytes at {})", file->path, buffer.size(), offset);
  }
  const std::span<char> view(reinterpret_cast<char*>(buffer.data()), buffer.size());
  if (!file->reader) {
    if (!file->can_write) {
      co_return Fail(ErrorCode::kInvalidArgument, file->path + " is not open for reading");
    }
    co_await file->mu.Lock();
    AsyncLockGuard guard(file->mu);
    // A writing handle reads its file as empty until the first byte is written.
    if (!file->staging && file->writer->size.load() == 0) co_return size_t{0};
    if (!file->staging) {
      Status staged = Stage(*file, "read back");
      if (!staged) {
        if (!file->refusal_logged) {
          // In a mapping of the file, the kernel turns this into SIGBUS: say why.
          file->refusal_logged = true;
          ALX_LOG(kWarn, "fuse", "read refused: {}", staged.error().ToString());
        }
        co_return staged.failure();
      }
    }
    co_return file->staging->Read(offset, view);
  }
  co_return co_await file->reader->Read(offset, view);
}

Task<size_t> AlluxioFileSystem::ReadAsGuest(FileHandle handle,
                                            std::shared_ptr<const client::FileBlocks> blocks,
                                            uint64_t offset, std::span<std::byte> buffer) {
  PerReactor& here = Here();
  if (!here.client) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  std::shared_ptr<ReadAhead>& slot = here.guests[handle];
  if (!slot) {
    auto in = std::make_unique<client::FileInStream>(*here.client, *blocks);
    slot =
        std::make_shared<ReadAhead>(std::move(in), *Reactor::Current(), *here.tasks, options_.read);
  }
  std::shared_ptr<ReadAhead> reader = slot;  // survives a DropGuestReaders meanwhile
  const std::span<char> view(reinterpret_cast<char*>(buffer.data()), buffer.size());
  co_return co_await reader->Read(offset, view);
}

namespace {

asio::awaitable<void> CloseReader(std::shared_ptr<ReadAhead> reader) { co_await reader->Close(); }

}  // namespace

void AlluxioFileSystem::DropGuestReaders(FileHandle handle) {
  {
    std::lock_guard lock(shared_reads_mu_);
    if (shared_reads_.erase(handle) == 0) return;
  }
  for (size_t i = 0; i < pool_.size(); ++i) {
    Reactor& reactor = pool_.at(i);
    if (reactor.IsCurrent()) continue;
    asio::post(reactor.executor(), [this, i, handle] {
      PerReactor& slot = *reactors_[i];
      auto it = slot.guests.find(handle);
      if (it == slot.guests.end()) return;
      std::shared_ptr<ReadAhead> reader = std::move(it->second);
      slot.guests.erase(it);
      if (slot.tasks) slot.tasks->Spawn(CloseReader(std::move(reader)), "close guest reader");
    });
  }
}

Task<size_t> AlluxioFileSystem::Write(FileHandle handle, uint64_t offset,
                                      std::span<const std::byte> data) {
  auto fn = [this, handle, offset, data] { return WriteLocal(handle, offset, data); };
  co_return co_await OnOwner<size_t>(handle, fn);
}

Task<size_t> AlluxioFileSystem::WriteLocal(FileHandle handle, uint64_t offset,
                                           std::span<const std::byte> data) {
  std::shared_ptr<OpenFile> file = FileHere(handle);
  if (!file) co_return Fail(ErrorCode::kInvalidArgument, "bad file handle");
  SlowOpLogger slow("fuse", options_.logging_threshold, [&] {
    return fmt::format("write({}, {} bytes at {})", file->path, data.size(), offset);
  });
  if (options_.debug) {
    ALX_LOG(kDebug, "fuse", "write({}, {} bytes at {})", file->path, data.size(), offset);
  }
  if (!file->can_write) {
    if ((file->flags & O_ACCMODE) == O_RDONLY) {
      co_return Fail(ErrorCode::kInvalidArgument, file->path + " is not open for writing");
    }
    if (!file->refusal_logged) {
      file->refusal_logged = true;
      ALX_LOG(kWarn, "fuse", "write refused: {}", file->refused);
    }
    co_return Fail(ErrorCode::kUnsupported, file->refused);
  }
  co_await file->mu.Lock();
  AsyncLockGuard guard(file->mu);
  if (file->completed) co_return Fail(ErrorCode::kIoError, CompletedAtClose(file->path));
  {
    std::lock_guard lock(writers_mu_);
    file->writer->closing = false;  // still written through another descriptor
  }
  const std::span<const char> view(reinterpret_cast<const char*>(data.data()), data.size());
  if (!file->staging) {
    if (!file->pipeline) {
      Result<void> started = co_await EnsureStream(*file);
      if (!started) co_return started.failure();
    }
    Status s = co_await file->pipeline->Write(offset, view);
    if (s) {
      file->writer->size = file->pipeline->size();
      co_return data.size();
    }
    // Out of the pipeline's reach (far beyond the reorder window): staged if nothing was sent.
    if (s.code() != ErrorCode::kUnsupported ||
        !Stage(*file, fmt::format("{} bytes written at {}", data.size(), offset))) {
      co_return s.failure();
    }
  }
  Status s = file->staging->Write(offset, view);
  if (!s) co_return s.failure();
  file->writer->size = file->staging->size();
  co_return data.size();
}

Task<void> AlluxioFileSystem::KillSetId(FileHandle handle) {
  auto fn = [this, handle] { return KillSetIdLocal(handle); };
  co_return co_await OnOwner<void>(handle, fn);
}

Task<void> AlluxioFileSystem::KillSetIdLocal(FileHandle handle) {
  std::shared_ptr<OpenFile> file = FileHere(handle);
  if (!file) co_return Fail(ErrorCode::kInvalidArgument, "bad file handle");
  uint32_t mode = file->mode & ~S_ISUID;
  if (mode & S_IXGRP) mode &= ~S_ISGID;
  if (!file->can_write || file->completed || mode == file->mode) co_return Ok();
  file->mode = mode;
  // Shown from now on, and set once the file is complete (its stream may carry the old mode).
  std::lock_guard lock(writers_mu_);
  file->writer->pending.mode = mode & 07777;
  co_return Ok();
}

Task<void> AlluxioFileSystem::Flush(FileHandle handle, Caller closer) {
  auto fn = [this, handle, closer] { return FlushLocal(handle, closer.pid); };
  co_return co_await OnOwner<void>(handle, fn);
}

Task<void> AlluxioFileSystem::Fsync(FileHandle handle, bool datasync) {
  (void)datasync;
  auto fn = [this, handle] { return FlushLocal(handle, std::nullopt); };
  co_return co_await OnOwner<void>(handle, fn);
}

Task<void> AlluxioFileSystem::FlushLocal(FileHandle handle, std::optional<uint32_t> closer) {
  std::shared_ptr<OpenFile> file = FileHere(handle);
  if (!file) co_return Fail(ErrorCode::kInvalidArgument, "bad file handle");
  const bool sync = !closer;
  SlowOpLogger slow("fuse", options_.logging_threshold,
                    [&] { return fmt::format("{}({})", sync ? "fsync" : "flush", file->path); });
  if (options_.debug) ALX_LOG(kDebug, "fuse", "{}({})", sync ? "fsync" : "flush", file->path);
  co_await file->mu.Lock();
  AsyncLockGuard guard(file->mu);
  if (file->completed) co_return Ok();
  if (!sync && file->writer) {
    // A close(2): RELEASE usually follows, queued by the kernel after close returned. Until it
    // is done (or the handle writes again) operations on the path wait for it.
    std::lock_guard lock(writers_mu_);
    file->writer->closing = true;
  }
  if (file->pipeline && !file->staging && file->pipeline->has_gaps() &&
      file->pipeline->sent_nothing()) {
    // A hole before anything was sent: staged, the hole reads as zeros.
    (void)Stage(*file, "a hole before the bytes written");  // else EIO below
  }
  if (!sync && file->truncates && !file->pipeline && !file->staging) {
    // O_TRUNC and nothing written: the file is emptied now, where close(2) learns of a failure
    // (the file then stays as it was).
    file->truncates = false;
    std::string target;
    {
      std::lock_guard lock(writers_mu_);
      target = ToAlluxio(file->writer->path);
    }
    Status emptied =
        co_await ReplaceWithEmpty(target, file->mode, file->owner, file->group, *file->client);
    if (!emptied) co_return StreamFailure(emptied.error());
    co_return Ok();
  }
  if (!file->pipeline && !file->staging) co_return Ok();
  if (sync && file->in_place) co_return file->staging->Sync();
  std::string path;
  {
    std::lock_guard lock(writers_mu_);
    path = file->writer->path;
  }
  // A staged file may be written through a mapping after its descriptors are closed.
  if (!sync && ClosedByOpenerForGood(file->opener.pid, *closer, path,
                                     file->staging != nullptr && !file->in_place)) {
    // The opener's last use: completed here, where close(2) reports a failure (RELEASE comes
    // after close returned). Only then: a write through another descriptor would fail. The
    // completion finishes the worker's session, which reports what a flush would (an error it
    // kept, a hole): no flush is sent first.
    Status done = co_await Complete(*file, /*abort=*/false);
    if (!done) {
      ALX_LOG(kWarn, "fuse", "completing {} at close failed: {}", file->path,
              done.error().ToString());
      co_return StreamFailure(done.error());
    }
    co_return Ok();
  }
  if (!file->staging) {
    // Sync for close(2) too: it is the writer's last chance to learn of a failure (RELEASE
    // errors do not reach it), and the worker reports an error it kept (a full cache or under
    // storage) only when asked. A hole is reported for the same reason.
    Status s = co_await file->pipeline->Sync();
    if (!sync && (!s || file->pipeline->has_gaps())) {
      std::lock_guard lock(writers_mu_);
      file->writer->failed = true;  // the RELEASE removes the file
    }
    if (!s) co_return StreamFailure(s.error());
    if (!sync && file->pipeline->has_gaps()) {
      co_return Fail(ErrorCode::kIoError,
                     fmt::format("{}: closed with a hole: bytes after {} were written, bytes "
                                 "before them were not; the file will not be completed",
                                 file->path, file->pipeline->contiguous()));
    }
  }
  // A staged file reaches the worker when it is completed.
  co_return Ok();
}

Task<void> AlluxioFileSystem::Release(FileHandle handle) {
  auto fn = [this, handle] { return ReleaseLocal(handle); };
  co_return co_await OnOwner<void>(handle, fn);
}

Task<void> AlluxioFileSystem::ReleaseLocal(FileHandle handle) {
  std::shared_ptr<OpenFile> file = FileHere(handle);
  if (!file) co_return Fail(ErrorCode::kInvalidArgument, "bad file handle");
  Here().files.erase(handle);
  --open_handles_;
  DropGuestReaders(handle);
  if (file->writer) {
    std::lock_guard lock(writers_mu_);
    file->writer->closing = true;
  }
  SlowOpLogger slow("fuse", options_.logging_threshold,
                    [&] { return "release(" + file->path + ")"; });
  if (options_.debug) ALX_LOG(kDebug, "fuse", "release({})", file->path);
  co_await file->mu.Lock();
  AsyncLockGuard guard(file->mu);
  Status s = co_await Finish(*file, /*abort=*/false);
  if (!s) {
    ALX_LOG(kWarn, "fuse", "release of {} failed: {}", file->path, s.error().ToString());
    co_return StreamFailure(s.error());
  }
  if (file->completed_as && CacheFileState(*file->staging) != *file->completed_as) {
    const std::string completed = file->in_place->info().path;
    ALX_LOG(kWarn, "fuse",
            "{} was written after it completed (through a descriptor or mapping its opener's "
            "last close did not see): those bytes are not part of the file; its cached copy is "
            "freed",
            completed);
    Result<uint64_t> freed = co_await file->client->Free(completed);
    if (!freed) ALX_LOG(kWarn, "fuse", "free of {}: {}", completed, freed.error().ToString());
  }
  co_return Ok();
}

Status AlluxioFileSystem::Stage(OpenFile& file, std::string_view why) {
  if (file.staging) return Ok();
  if (file.pipeline && !file.pipeline->sent_nothing()) {
    return Fail(ErrorCode::kUnsupported,
                fmt::format("{} is being written: {} after bytes were sent to the worker needs "
                            "the file complete",
                            file.path, why));
  }
  Result<std::unique_ptr<StagingFile>> staging = StagingFile::Create(options_.tmp_dir);
  if (!staging) {
    ALX_LOG(kWarn, "fuse", "{}: {}: no staging file: {}", file.path, why,
            staging.error().ToString());
    return staging.failure();
  }
  if (file.pipeline) {
    StagingFile& to = **staging;
    Status taken = file.pipeline->TakeUnsent(
        [&to](uint64_t offset, std::span<const char> bytes) { return to.Write(offset, bytes); });
    if (!taken) return taken;
  }
  file.staging = std::move(staging).value();
  ALX_LOG(kInfo, "fuse", "{}: {}: written to a staging file in {} until it is closed", file.path,
          why, options_.tmp_dir);
  return Ok();
}

Task<void> AlluxioFileSystem::Unstage(OpenFile& file) {
  const std::unique_ptr<StagingFile> staging = std::move(file.staging);
  if (!file.pipeline) {
    Result<void> started = co_await EnsureStream(file);
    if (!started) co_return started;
  }
  std::vector<char> piece(static_cast<size_t>(std::min(kUnstagePiece, staging->size())));
  uint64_t at = 0;
  while (at < staging->size()) {
    Result<size_t> n = staging->Read(at, piece);
    if (!n) co_return n.failure();
    Status s = co_await file.pipeline->Write(at, std::span<const char>(piece.data(), *n));
    if (!s) co_return s;
    at += *n;
  }
  co_return Ok();
}

Task<void> AlluxioFileSystem::Finish(OpenFile& file, bool abort) {
  if (file.reader) co_await file.reader->Close();
  if (!file.can_write || file.completed) co_return Ok();
  co_return co_await Complete(file, abort);
}

Task<void> AlluxioFileSystem::Complete(OpenFile& file, bool abort) {
  file.completed = true;
  Status result;
  {
    std::string target;
    std::string temp;
    {
      std::lock_guard lock(writers_mu_);
      if (file.writer->unlinked) abort = true;
      target = ToAlluxio(file.writer->path);
      if (!file.temp_name.empty())
        temp = ToAlluxio(JoinPath(file.writer->temp_dir, file.temp_name));
    }
    if (!abort && !file.staging && file.pipeline && file.pipeline->has_gaps() &&
        file.pipeline->sent_nothing()) {
      (void)Stage(file, "a hole before the bytes written");  // else Close fails with EIO
    }
    if (!abort && file.staging && !file.in_place) {
      result = co_await Unstage(file);
      if (!result) {
        ALX_LOG(kWarn, "fuse", "writing the staged {} failed: {}", file.path,
                result.error().ToString());
        abort = true;
      }
    }
    if (abort) {
      if (file.pipeline) co_await file.pipeline->Abort();
      if (file.in_place) (void)co_await file.in_place->Abort();
    } else if (file.in_place) {
      const std::pair<uint64_t, int64_t> state = CacheFileState(*file.staging);
      Result<FileInfo> info = co_await file.in_place->Close(state.first);
      if (info) {
        file.completed_as = state;
      } else {
        result = info.failure();
      }
    } else if (file.pipeline) {
      Result<FileInfo> info = co_await file.pipeline->Close();
      if (!info) {
        result = info.failure();
      } else if (file.replace) {
        result = co_await RenameOver(temp, target, *file.client);
      }
    } else if (file.truncates) {
      // O_TRUNC and nothing written: the file becomes empty now.
      result = co_await ReplaceWithEmpty(target, file.mode, file.owner, file.group, *file.client);
    }
    client::SetAttributeOptions pending;
    {
      std::lock_guard lock(writers_mu_);
      pending = file.writer->pending;
      writers_.erase(file.handle);
    }
    if (!abort && result && (pending.mode || pending.owner || pending.group || pending.mtime_ms)) {
      Result<FileInfo> set = co_await file.client->SetAttribute(target, pending);
      if (!set) {
        ALX_LOG(kWarn, "fuse", "{}: attributes set while writing not applied: {}", target,
                set.error().ToString());
      }
    }
  }
  co_return result;
}

Task<FsStats> AlluxioFileSystem::StatFs() {
  SlowOpLogger slow("fuse", options_.logging_threshold, "statfs");
  if (options_.debug) ALX_LOG(kDebug, "fuse", "statfs");
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  {
    std::lock_guard lock(statfs_mu_);
    if (statfs_at_ && std::chrono::steady_clock::now() - *statfs_at_ < options_.statfs_cache) {
      co_return statfs_;
    }
  }
  PerReactor& here = Here();
  Result<client::Capacity> capacity = co_await here.client->GetCapacity();
  if (!capacity) co_return capacity.failure();
  FsStats stats;
  stats.blocks = capacity->capacity_bytes / stats.frsize;
  const uint64_t free_bytes = capacity->capacity_bytes > capacity->used_bytes
                                  ? capacity->capacity_bytes - capacity->used_bytes
                                  : 0;
  stats.bfree = free_bytes / stats.frsize;
  stats.bavail = stats.bfree;
  stats.files = uint64_t{1} << 31;
  stats.ffree = stats.files;
  std::lock_guard lock(statfs_mu_);
  statfs_ = stats;
  statfs_at_ = std::chrono::steady_clock::now();
  co_return stats;
}

Task<void> AlluxioFileSystem::Access(std::string path, uint32_t mask, Caller caller) {
  SlowOpLogger slow("fuse", options_.logging_threshold, [&] { return "access(" + path + ")"; });
  if (options_.debug) ALX_LOG(kDebug, "fuse", "access({}, {})", path, mask);
  if (shut_down_) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
  Attributes attr;
  if (std::optional<Attributes> special = SpecialCommand(path)) {
    attr = *special;
  } else {
    client::FileSystemClient* client = ClientFor(caller);
    if (client == nullptr) co_return Fail(ErrorCode::kUnavailable, "file system shut down");
    Result<FileInfo> st = co_await client->GetStatus(ToAlluxio(path));
    if (!st) co_return st.failure();
    attr = ToAttributes(*st);
  }
  const uint32_t want = mask & 7;
  if (want == 0) co_return Ok();
  uint32_t granted = Granted(attr, caller.uid, caller.gid, {});
  if ((want & granted) != want && caller.uid != 0 && caller.uid != attr.uid) {
    granted = Granted(attr, caller.uid, caller.gid, SupplementaryGroups(caller.pid));
  }
  if ((want & granted) != want) {
    co_return Fail(ErrorCode::kPermissionDenied, fmt::format("access({}, {})", path, mask));
  }
  co_return Ok();
}

}  // namespace alluxio::fs
