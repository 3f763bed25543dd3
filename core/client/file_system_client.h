// The per-reactor half of the Alluxio client: RPC channels to the master and to workers, and
// every file system call as a coroutine. One FileSystemClient per reactor, created, used and
// destroyed on that reactor's thread; all of them share one ClientContext (client_context.h:
// settings, metadata cache, live-worker list, UFS resolver), which is thread-safe.
//
//   auto context = ClientContext::Create(conf);
//   FileSystemClient fs(*context);                           // on the reactor's thread
//   Result<FileInfo> st = co_await fs.GetStatus("/a");
//   auto out = co_await fs.CreateFile("/a/b", {});           // FileOutStream
//   Status s = co_await (*out)->Write(data); s = co_await (*out)->Close();
//
// Master calls map the master's Status to Result (core/wire). A call whose connection could not
// be made (kUnavailable) is retried with exponential backoff, and so is an idempotent call whose
// connection was lost (kDisconnected), for at most alluxio.user.rpc.retry.max.duration. When
// the connection of a namespace change (CreateDirectory, CreateSymlink, Delete, Rename) is lost,
// the master may or may not have made it: the client reads the outcome back (GetStatus, once
// the master answers again) and reports success if the change is there, so a caller (and the
// kernel's cache of names above it) is not told of a failure that did not happen.
// Awaitables returned here must complete before the client is destroyed.
//
// GCC 12 may destroy twice a class-type temporary passed by value to a coroutine inside a
// co_await expression (seen with lambdas, default arguments and ?: results): coroutines here
// take no class-type default arguments (plain overloads supply them), and callers pass named
// objects.
//
// Metadata cache (alluxio.user.metadata.cache.*): GetStatus and ListStatus answer from it when
// enabled; this client's own mutations invalidate what they touch (create, symlink, complete,
// abort, delete, rename (both paths), setAttribute, mount, unmount). Free changes data only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/client/client_context.h"
#include "core/client/client_types.h"
#include "core/client/local_block_files.h"
#include "core/common/file_info.h"
#include "core/common/result.h"
#include "core/common/write_type.h"
#include "core/reactor/reactor.h"
#include "core/reactor/task_group.h"
#include "rpc/channel.h"
#include "schema/master.capnp.h"
#include "schema/worker.capnp.h"

namespace alluxio::client {

class FileInStream;
class FileOutStream;
class LocalFileOutStream;

struct CreateDirectoryOptions {
  bool recursive = false;     // create missing parents
  bool allow_exists = false;  // an existing directory is success
  uint32_t mode = 0755;
  std::string owner;
  std::string group;
};

struct CreateFileOptions {
  uint64_t block_size = 0;  // 0: alluxio.user.block.size.bytes.default
  bool recursive = false;   // create missing parents
  bool overwrite = false;   // replace an existing file when the new one completes
  uint32_t mode = 0644;
  std::string owner;
  std::string group;
  std::optional<WriteType> write_type;  // default: alluxio.user.file.writetype.default
};

struct CreateSymlinkOptions {
  std::string owner;  // "": the acting user, else the client's user, and its group
  std::string group;
};

struct SetAttributeOptions {
  std::optional<uint32_t> mode;  // permission bits
  std::optional<std::string> owner;
  std::optional<std::string> group;
  std::optional<int64_t> mtime_ms;
};

// Another user a client acts as (impersonation, core/master/impersonation.h): the master checks
// its calls against `user` (primary group `group`, also member of `groups`) instead of the user
// the client names (ClientOptions::user), if it lets that user impersonate `user`. Empty `user`:
// the client's own user.
struct ActingUser {
  std::string user;
  std::string group;
  std::vector<std::string> groups;  // besides `group` and those the master's host knows
};

// A new file: written in place (LocalFileOutStream) or through a worker (FileOutStream).
struct NewFile {
  std::unique_ptr<LocalFileOutStream> in_place;
  std::unique_ptr<FileOutStream> stream;
};

class FileSystemClient {
 public:
  // On the reactor thread that will use it.
  explicit FileSystemClient(std::shared_ptr<ClientContext> context);
  // A client whose master calls act as `acting` (nonempty). Every call fails with kNotPermitted
  // (the master's message) when the master refuses the impersonation, or when it predates
  // impersonation. Its GetStatus, ListStatus and GetBlockInfos neither read nor fill the
  // metadata cache (it holds what other users may see); its mutations invalidate it.
  FileSystemClient(std::shared_ptr<ClientContext> context, ActingUser acting);
  // Same thread. Cancels background work (aborts of streams dropped without Close).
  ~FileSystemClient();
  FileSystemClient(const FileSystemClient&) = delete;
  FileSystemClient& operator=(const FileSystemClient&) = delete;

  ClientContext& context() { return *context_; }
  const ClientOptions& options() const { return context_->options(); }

  // ---- Namespace (master). Path errors: kInvalidPath, kNameTooLong, kNotFound,
  // kNotADirectory (a file used as a directory), kReadOnly (read-only mount).
  Task<Result<FileInfo>> GetStatus(std::string path);
  // Every entry of a directory, fetched in pages of list_page_size. kNotADirectory for a file.
  Task<Result<std::vector<FileInfo>>> ListStatus(std::string path);
  // One page, in name order, of at most `limit` entries after `start_after` ("" = first). With
  // the metadata cache, each child's status is cached as GetStatus would cache it.
  Task<Result<ListPage>> ListStatusPage(std::string path, std::string start_after, uint32_t limit);
  // kAlreadyExists unless allow_exists (and it is a directory).
  Task<Result<FileInfo>> CreateDirectory(std::string path, CreateDirectoryOptions options);
  Task<Result<FileInfo>> CreateDirectory(std::string path) {
    return CreateDirectory(std::move(path), CreateDirectoryOptions{});
  }
  // A symbolic link at `path` holding `target` (not interpreted; may dangle). kAlreadyExists,
  // kInvalidArgument (empty target), kNameTooLong (target over 4095 bytes).
  Task<Result<FileInfo>> CreateSymlink(std::string path, std::string target,
                                       CreateSymlinkOptions options);
  Task<Result<FileInfo>> CreateSymlink(std::string path, std::string target) {
    return CreateSymlink(std::move(path), std::move(target), CreateSymlinkOptions{});
  }
  // Recursive delete of a non-empty directory needs `recursive` (else kNotEmpty).
  Task<Status> Delete(std::string path, bool recursive = false);
  // no_replace: kAlreadyExists if dst exists.
  Task<Status> Rename(std::string src, std::string dst, bool no_replace = false);
  Task<Result<FileInfo>> SetAttribute(std::string path, SetAttributeOptions options);
  // `options`: UFS properties of this mount (alluxio.underfs.s3.endpoint, s3a.secretKey, ...)
  // over the master's own.
  Task<Status> Mount(std::string alluxio_path, std::string ufs_uri, bool read_only,
                     std::map<std::string, std::string> options);
  Task<Status> Unmount(std::string alluxio_path);
  Task<Result<std::vector<MountPointInfo>>> GetMountTable();
  // The options mount `mount_id` (FileInfo::mount_id) was mounted with, secrets included: for
  // opening its UFS here (ClientContext::ufs), never for display. kNotFound once unmounted.
  Task<Result<std::map<std::string, std::string>>> GetMountOptions(uint64_t mount_id);
  // A complete file's blocks and their locations. kIsADirectory, kIncomplete.
  Task<Result<FileBlocks>> GetBlockInfos(std::string path);
  // Removes cached blocks of the file or tree (directories need recursive: else
  // kIsADirectory). Returns the number of cached copies to be removed.
  Task<Result<uint64_t>> Free(std::string path, bool recursive = false);
  Task<Result<Capacity>> GetCapacity();
  // `alluxio fs persist`: a complete, non-persisted file becomes TO_BE_PERSISTED, due at once;
  // returns its status (PERSISTED or TO_BE_PERSISTED already: unchanged). kIsADirectory,
  // kIncomplete, kNotFound.
  Task<Result<FileInfo>> ScheduleAsyncPersistence(std::string path);
  // Every worker known to the master (live and lost). Also refreshes the live-worker list.
  Task<Result<std::vector<WorkerInfo>>> GetWorkers();

  // ---- File lifecycle on the master (FileOutStream uses these).
  // A new incomplete file, and the UFS URI of its mount (where a worker stages its UFS copy).
  // kAlreadyExists (file, unless overwrite), kIsADirectory.
  Task<Result<std::pair<FileInfo, std::string>>> CreateIncompleteFile(
      std::string path, const CreateFileOptions& options);
  // A file written with `write_type`: CACHE_THROUGH and THROUGH: the worker staged the UFS
  // copy, which the master publishes at the file's path; ASYNC_THROUGH: the master has a worker
  // persist it later, after ClientOptions::persistence_initial_wait; MUST_CACHE: not persisted.
  Task<Result<FileInfo>> CompleteFile(uint64_t file_id, std::string path, uint64_t length,
                                      std::vector<uint64_t> block_ids, WriteType write_type);
  Task<Status> AbortFile(uint64_t file_id, std::string path);

  // ---- Data.
  // Creates the file on the master and opens a writer on a worker (a worker on this host
  // first, else one chosen by hashing the file id). kUnavailable when no worker is live or
  // reachable (the master's file is then aborted).
  Task<Result<std::unique_ptr<FileOutStream>>> CreateFile(std::string path,
                                                          CreateFileOptions options);
  Task<Result<std::unique_ptr<FileOutStream>>> CreateFile(std::string path) {
    return CreateFile(std::move(path), CreateFileOptions{});
  }
  // A file created (CreateIncompleteFile) whose writer is opened on a worker, as CreateFile
  // does; on failure the master's file is aborted.
  Task<Result<std::unique_ptr<FileOutStream>>> OpenFileWriter(FileInfo info,
                                                              std::string mount_ufs_uri,
                                                              WriteType write_type);
  // Creates the file on the master and, when the worker on this host can take it
  // (createLocalFile: not THROUGH, a tier has one block of the file free), opens it to
  // be written in place in that worker's cache file; else opens a stream as CreateFile (the
  // reason is logged). Exactly one of the results is set. The master's errors as CreateFile.
  Task<Result<NewFile>> CreateFileInPlace(std::string path, CreateFileOptions options);
  // The in-place writer of a created file on the worker of this host. kUnsupported when there
  // is none or the write type is THROUGH; the worker's errors (kNoSpace). The master's file is
  // left as it is.
  Task<Result<std::unique_ptr<LocalFileOutStream>>> OpenLocalFileWriter(
      const FileInfo& info, const std::string& mount_ufs_uri, WriteType write_type);
  // Opens a complete file for positioned reads. kIsADirectory, kIncomplete, kNotFound.
  Task<Result<std::unique_ptr<FileInStream>>> OpenFile(std::string path);
  // Caches every block of a complete file not cached anywhere yet (cacheBlock on a worker
  // chosen as for reads). Returns the number of blocks loaded. kUnavailable when a block
  // has no cached copy, the file is not persisted, or no worker is live.
  Task<Result<uint64_t>> LoadFile(std::string path);

  // ---- Workers.
  // The live workers, refreshed from the master when older than worker_list_refresh, when
  // invalidated, or when `refresh`. A failed refresh returns the last list if there is one.
  Task<Result<std::shared_ptr<const std::vector<WorkerInfo>>>> LiveWorkers(bool refresh = false);
  // The block worker service at `address` over this reactor's channel to it.
  Task<Result<wire::BlockWorker::Client>> Worker(const WorkerAddress& address);
  Task<Result<WorkerStats>> GetWorkerStats(WorkerAddress address);
  // The master's file system service (the capability is refreshed after a reconnect). Acting
  // as another user, the first call after a (re)connect waits for the master's answer to the
  // impersonation: kNotPermitted when refused, then for every call until a reconnect.
  Task<Result<wire::FileSystemMaster::Client>> FsMaster();

  // Drops `path` and everything below it from the metadata cache (no-op when it is off).
  void InvalidateCached(std::string_view path);

  // Owner of this client's background coroutines.
  TaskGroup& background() { return background_; }
  // Block files of workers on this host opened by path (short-circuit without a call).
  LocalBlockFiles& local_block_files() { return local_block_files_; }

 private:
  // The metadata cache for lookups: null when off or when acting as another user.
  MetadataCache* LookupCache();

  std::shared_ptr<ClientContext> context_;
  const ActingUser acting_;
  const ActingUser owner_;  // of what this client creates by default: acting_, else its user
  rpc::Channel master_;
  std::optional<wire::FileSystemMaster::Client> fs_;
  uint64_t fs_connects_ = 0;      // master_.connects() when fs_ (or refusal_) was obtained
  std::optional<Error> refusal_;  // the master refused the impersonation on that connection
  // By "host:port", and "host:port|unix" for a worker's unix socket.
  std::map<std::string, std::unique_ptr<rpc::Channel>> workers_;
  std::set<std::string> unix_refused_;  // "host:port" whose unix socket failed to connect
  TaskGroup background_;
  LocalBlockFiles local_block_files_;
};

// "/a//b/" → "/a/b": the metadata cache's key for a path. Text not starting with '/' is
// returned unchanged (the master reports the error).
std::string CacheKey(std::string_view path);

}  // namespace alluxio::client
