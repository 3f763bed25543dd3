// The master's namespace: the inode tree, the mount table and the file lifecycle, kept in an
// InodeStore (RocksDB) and mirrored into the under storage. Synchronous and RPC-free; the RPC
// service wraps one Namespace.
//
// Thread-safety: every public method may be called from any thread. One mutex serializes all
// of them, including reads (a read may load metadata from the UFS, which mutates the store),
// and the UFS calls they make run under it. TODO(perf): reader/writer split once reads stop
// loading metadata in place.
//
// Durability: every mutation, including metadata loaded from the UFS, is one RocksDB
// WriteBatch, synced to stable storage before the method returns; an acknowledged change
// survives kill -9 and power loss. The batch is written under the mutex and synced after the
// mutex is released, so that concurrent calls share one WAL sync (group commit); meanwhile
// other calls see the change (a power loss in that window loses a change that was seen but not
// acknowledged). Exceptions, written without a sync of their own (durable with the next one):
// the "last synced" time refreshed by a metadata sync that found nothing changed (losing it only
// causes one more sync), and CreateFile of a new file that replaces nothing and creates no
// directory (an incomplete file: its CompleteFile syncs it along).
//
// Files written through Alluxio: a worker stages the UFS copy of a CACHE_THROUGH/THROUGH file
// in its mount's UFS (UnderFileSystem's staging) and CompleteFile publishes it onto the file's
// path at that moment; renames of the file or of its ancestors while it is written move only
// inodes. A removed incomplete file's staged copy is dropped; at Open and Mount the staged
// files no incomplete or to-be-persisted file waits for (a crashed worker's or master's) are
// dropped.
//
// Asynchronous persistence (ASYNC_THROUGH, `alluxio fs persist`): a complete file marked
// to_be_persisted is listed in the store (InodeStore pending persists) until CompletePersist
// publishes the copy a worker staged from its cached blocks, as CompleteFile does: onto the
// file's path at that moment. Removing such a file (or replacing it) drops the listing and any
// staged copy; the scheduling itself (which worker, when, retries) is the caller's
// (PersistScheduler), rebuilt from PendingPersists() when the master starts.
//
// UFS mirroring: directory and symbolic link creation, removal and rename of persisted paths,
// and mode/mtime changes, are applied to the UFS first and committed to the store only if the UFS
// call succeeded; if it fails the method returns that error and the store is unchanged. If the
// store commit then fails (kIoError) the UFS keeps the change, which the next metadata sync
// reconciles. A method that makes several UFS calls (SetAttribute with mode and mtime) is not
// atomic in the UFS: an earlier call may have taken effect when a later one fails.
//
// Metadata sync (alluxio.user.file.metadata.sync.interval): Options::metadata_sync_interval_ms
//   -1  load once: a path absent from the tree is looked up in the UFS (unless its directory's
//       listing was already loaded); loaded inodes are never compared with the UFS again.
//    0  every access of a path compares it with the UFS (and its listing, for ListStatus).
//    N  as 0, but only when the inode was last compared more than N ms ago (injected clock).
// A re-sync removes inodes whose UFS entry vanished (never a subtree holding a file still being
// written, a non-persisted file or a mount point) and reloads a file whose fingerprint changed
// under a NEW inode id: block ids derive from the id, so blocks cached for the old content can
// never be served for the new one.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/common/file_info.h"
#include "core/common/result.h"
#include "core/master/inode.h"
#include "core/master/inode_store.h"
#include "core/master/mount_table.h"
#include "core/ufs/under_file_system.h"

namespace alluxio {

struct ListResult {
  std::vector<FileInfo> entries;  // in byte order of name
  bool has_more = false;          // next page: start_after = entries.back().name
};

struct CreateDirectoryOptions {
  bool recursive = false;     // create missing parents (else kNotFound)
  bool allow_exists = false;  // an existing directory is success (else kAlreadyExists)
  uint32_t mode = 0755;
  std::string owner;
  std::string group;
};

struct CreateFileOptions {
  uint64_t block_size = 0;  // 0: Options::default_block_size
  uint32_t mode = 0644;
  std::string owner;
  std::string group;
  bool overwrite = false;  // replace an existing file (never a directory)
  bool recursive = false;  // create missing parent directories
};

struct CreateSymlinkOptions {
  std::string owner;
  std::string group;
};

struct CompleteFileOptions {
  uint64_t length = 0;
  // Must equal BlockIdForFile(id, 0..BlockCount(length, block_size)-1) (kInvalidArgument).
  std::vector<uint64_t> block_ids;
  // The worker staged the content in the UFS of the file's mount (CACHE_THROUGH/THROUGH,
  // under StagedFileName(id)): completion publishes it onto the file's current path, wherever
  // renames of the file or of its directories have put it.
  bool persisted = false;
  // ASYNC_THROUGH: the file is complete with its blocks cached only, and to be persisted later
  // (Inode::to_be_persisted). kInvalidArgument together with `persisted`.
  bool to_be_persisted = false;
};

// What a worker needs to persist a to-be-persisted file from its cached blocks: it stages the
// UFS copy in the mount's UFS under StagedFileName(file_id), for CompletePersist.
struct PersistJob {
  uint64_t file_id = 0;
  uint64_t length = 0;
  uint64_t block_size = 0;
  std::vector<uint64_t> block_ids;
  uint32_t mode = 0;
  uint64_t mount_id = 0;
  std::string mount_ufs_uri;
};

// Files and blocks that left the namespace: workers free these blocks.
struct RemovedFiles {
  std::vector<uint64_t> block_ids;             // of completed files
  std::vector<uint64_t> incomplete_file_ids;   // files still being written (blocks unknown)
  std::vector<uint64_t> unpersisted_file_ids;  // complete files that were to be persisted
};

struct CreateFileResult {
  FileInfo info;
  RemovedFiles replaced;      // the overwritten file, if any
  std::string mount_ufs_uri;  // of the file's mount: where its UFS copy is staged
};

struct SetAttributeOptions {
  std::optional<uint32_t> mode;  // permission bits (kInvalidArgument beyond 07777)
  std::optional<std::string> owner;
  std::optional<std::string> group;
  std::optional<int64_t> mtime_ms;
};

// What a reader needs to read a complete file (from workers, or through from the UFS).
struct FileBlockInfo {
  uint64_t file_id = 0;
  uint64_t length = 0;
  uint64_t block_size = 0;
  std::vector<uint64_t> block_ids;
  bool persisted = false;
  std::string ufs_fingerprint;
  std::string mount_ufs_uri;  // CreateUnderFileSystem(mount_ufs_uri) gives the mount's UFS ...
  std::string ufs_path;       // ... and this is the file's path inside it ("/a/b")
  std::string ufs_uri;        // mount_ufs_uri joined with the relative path
};

class Namespace {
 public:
  using Clock = std::function<int64_t()>;  // milliseconds since the epoch

  struct Options {
    std::string db_path;       // RocksDB directory (created if absent)
    std::string root_ufs_uri;  // alluxio.master.mount.table.root.ufs; created if absent
    int64_t metadata_sync_interval_ms = -1;  // see the header comment
    uint64_t default_block_size = 64ull << 20;
    Clock clock;             // default: system clock
    UfsFactory ufs_factory;  // default: CreateUnderFileSystem
    UfsOptions ufs_options;  // the process's (UfsOptionsOf), under every mount's options
  };

  // Opens the store, formatting it on first use (root inode, root mount). kInvalidArgument if
  // the store was formatted with a different root UFS; kIoError if RocksDB cannot open it;
  // the UFS errors of creating/reaching the root UFS.
  static Result<std::unique_ptr<Namespace>> Open(Options options);
  ~Namespace();
  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

  // Errors common to path arguments: kInvalidPath, kNameTooLong (alluxio_path.h); kNotFound
  // for a missing path or parent; kNotADirectory when a file is used as a directory
  // component; kReadOnly for a change under a read-only mount; UFS errors of mirroring/loading.

  Result<FileInfo> GetStatus(std::string_view path);
  // GetStatus by inode id, without UFS sync (kNotFound if the inode is gone).
  Result<FileInfo> GetStatusById(uint64_t id);
  // Children of a directory, a page at a time (limit 0 = all). kNotADirectory for a file.
  // The UFS listing is merged when the directory is first listed and, under a sync interval,
  // on each first page (start_after == "").
  Result<ListResult> ListStatus(std::string_view path, std::string_view start_after = {},
                                size_t limit = 0);

  // kAlreadyExists if the path exists (unless allow_exists and it is a directory).
  Result<FileInfo> CreateDirectory(std::string_view path, const CreateDirectoryOptions& options);
  // A new incomplete, non-persisted file. kIsADirectory if a directory is at path;
  // kAlreadyExists if a file is and !overwrite (overwrite deletes a persisted file's UFS copy).
  Result<CreateFileResult> CreateFile(std::string_view path, const CreateFileOptions& options);
  // A symbolic link holding `target` (not interpreted: absolute, relative or dangling), mode
  // 0777, created in the UFS first (UnderFileSystem::CreateSymlink: a real link on a local
  // UFS). The parent must exist. kAlreadyExists if anything is at path; kInvalidArgument for
  // an empty target or one with a NUL byte; kNameTooLong beyond kMaxSymlinkTargetBytes.
  // A link is never followed by the master: a path through one is kNotADirectory; reading it
  // (GetFileBlockInfo) is kInvalidArgument; its mode cannot change (kUnsupported).
  Result<FileInfo> CreateSymlink(std::string_view path, std::string_view target,
                                 const CreateSymlinkOptions& options);
  // Marks an incomplete file complete; with `persisted`, publishes its staged UFS copy first.
  // kIsADirectory; kAlreadyExists if already completed; kInvalidArgument if block ids or
  // (persisted) the staged length do not match; kNotFound (persisted) if nothing is staged;
  // kOutOfRange if the length needs more than kMaxSequence blocks. kNotFound for a file that
  // was removed meanwhile: its staged copy, if any, is dropped.
  Result<FileInfo> CompleteFile(std::string_view path, const CompleteFileOptions& options);
  Result<FileInfo> CompleteFile(uint64_t file_id, const CompleteFileOptions& options);

  // Marks a complete, non-persisted file to be persisted (`alluxio fs persist`); a file that is
  // persisted or to be persisted already is returned unchanged. kIsADirectory; kIncomplete
  // while it is being written; kInvalidArgument for a symbolic link.
  Result<FileInfo> ScheduleAsyncPersistence(std::string_view path);
  // The files to be persisted, in id order (for the scheduler when the master starts).
  Result<std::vector<uint64_t>> PendingPersists();
  // What persisting the file takes. kNotFound if it is gone or no longer to be persisted.
  Result<PersistJob> GetPersistJob(uint64_t file_id);
  // A worker staged the file's UFS copy (`length` bytes, StagedFileName(file_id)): publishes it
  // onto the file's current path and records the file persisted. A file persisted already is
  // returned unchanged. kNotFound if the file was removed (its staged copy is dropped); the
  // UFS errors of publishing (kInvalidArgument: the staged length differs), the file staying
  // to be persisted.
  Result<FileInfo> CompletePersist(uint64_t file_id, uint64_t length);

  // Removes a file or directory. kNotEmpty for a non-empty directory without recursive;
  // kInvalidArgument for /; kBusy for a mount point or a tree containing one.
  Result<RemovedFiles> Remove(std::string_view path, bool recursive);

  // Atomically moves src to dst, replacing a file or an empty directory at dst (returned as
  // removed). kInvalidArgument: / or dst inside src; kIsADirectory: file onto a directory;
  // kNotADirectory: directory onto a file; kNotEmpty: onto a non-empty directory; kBusy: mount
  // points; kUnsupported: across mounts. Renaming a file still being written is allowed.
  Result<RemovedFiles> Rename(std::string_view src, std::string_view dst);

  Result<FileInfo> SetAttribute(std::string_view path, const SetAttributeOptions& options);

  // Mounts a UFS directory at a new Alluxio path whose parent exists. kAlreadyExists if the
  // path exists (in the tree or in the parent's UFS); the UFS errors of reaching the URI;
  // kNotADirectory if the URI is not a directory.
  Status Mount(std::string_view alluxio_path, std::string_view ufs_uri, bool read_only,
               const std::map<std::string, std::string>& options = {});
  // Removes a mount and its inodes (the UFS is untouched). kInvalidArgument for / or a path
  // that is not a mount point; kBusy if a mount lies below it.
  Result<RemovedFiles> Unmount(std::string_view alluxio_path);
  // The mounts with their options as given (secrets included: MaskedUfsOptions for display).
  std::vector<MountInfo> GetMountTable();
  // The mount with this id (MountInfo::mount_id), secrets included; kNotFound if none (it
  // was unmounted).
  Result<MountInfo> GetMount(uint64_t mount_id);
  // The UFS mounted at / (for its capacity).
  std::shared_ptr<UnderFileSystem> RootUfs();

  // Of `block_ids` (a registering worker's), those of no file: the file is gone, or it is
  // complete without that block (a namespace formatted anew reuses ids). Blocks of a file being
  // written are known. A store read error leaves the block known.
  std::vector<uint64_t> UnknownBlocks(const std::vector<uint64_t>& block_ids) const;

  // Block layout and UFS location of a complete file. kIsADirectory; kIncomplete while the
  // file is being written.
  Result<FileBlockInfo> GetFileBlockInfo(std::string_view path);

  // The inodes along `path`, from / down, as far as its components exist (looked up as
  // GetStatus does, loading from the UFS): the first size() - 1 components exist. For
  // permission checks (permission_checker.h). kNotADirectory when a file is used as a directory.
  Result<std::vector<Inode>> InodesAlong(std::string_view path);

 private:
  struct OpBatch;
  struct Walk;

  Namespace(Options options, std::unique_ptr<InodeStore> store);
  Status Init();
  // Undoes the UFS renames that a master stopped between the UFS rename and the namespace
  // commit left behind (rename intents), so that the UFS matches the namespace again. An intent
  // whose UFS cannot be checked or changed is kept for the next start (logged).
  Status UndoRenames();

  int64_t Now() const;
  // Whether a comparison last made at `last_sync_ms` is due again: an inode's own
  // (Inode::last_sync_ms) or a directory's listing (Inode::children_sync_ms).
  bool SyncDue(int64_t last_sync_ms) const;
  uint64_t AllocateInodeId(OpBatch& batch);
  // What a commit must have made durable before the public method returns.
  enum class Wait {
    kDurable,  // the batch itself
    // Only the container reservations the batch relies on (an id handed out is never reused);
    // the batch becomes durable with the next sync (the completion of the file it creates).
    kReservations,
  };
  // Writes the batch (visible at once) and records what the current public method waits for
  // after it released mu_ (Durably). Called under mu_.
  Status Commit(OpBatch& batch, Wait wait = Wait::kDurable);
  // Runs `body` under mu_, then, with mu_ released, waits until what its commits must make
  // durable is (InodeStore::WaitDurable: concurrent calls share one WAL sync). A failed sync is
  // the call's kIoError (its change may or may not survive a power loss).
  template <typename Body>
  std::invoke_result_t<Body&> Durably(Body body);

  Result<Walk> WalkPath(const std::vector<std::string>& components);
  Result<std::optional<Inode>> LookupChild(const Inode& dir, const std::string& dir_path,
                                           const std::string& name);
  Result<Inode> ResolveExisting(const std::vector<std::string>& components, const std::string& path,
                                bool sync);
  Result<std::optional<Inode>> SyncInode(const Inode& inode, const std::string& path);
  Status SyncChildren(Inode& dir, const std::string& path);
  Result<Inode> NewInodeFromUfs(uint64_t parent_id, const std::string& name,
                                const UfsStatus& status, OpBatch& batch);
  Result<std::vector<Inode>> CollectSubtree(const Inode& top);
  bool SubtreeRemovableBySync(const std::vector<Inode>& subtree, const std::string& path) const;
  static void RemoveSubtree(const std::vector<Inode>& subtree, OpBatch& batch,
                            RemovedFiles* removed);
  Result<std::string> PathOf(uint64_t id);
  Status TouchParent(uint64_t parent_id, int64_t now, OpBatch& batch);
  Result<FileInfo> CompleteFileLocked(Inode inode, const std::string& path,
                                      const CompleteFileOptions& options);
  // Drops the staged UFS copies of the incomplete files in `removed` (files that left the
  // namespace while being written; their writers' copies must never be published).
  static void DropStaged(UnderFileSystem& ufs, const RemovedFiles& removed);
  // DropStaged in the UFS of every mount (a file gone from the tree no longer names its mount).
  void DropStagedInEveryMount(const RemovedFiles& removed);
  // Publishes file `id`'s staged copy onto `path` (see CompleteFile); the published status.
  Result<UfsStatus> PublishStagedCopy(uint64_t id, const std::string& path, uint64_t length);
  // Drops the staged files of `ufs` that no incomplete file of the namespace waits for
  // (left by a crashed worker or master). Failures are logged: what stays is invisible.
  void CleanStaged(UnderFileSystem& ufs, const std::string& ufs_uri);
  FileInfo ToFileInfo(const Inode& inode, const std::string& path) const;

  const Options options_;
  std::mutex mu_;
  std::unique_ptr<InodeStore> store_;
  MountTable mounts_;
  uint64_t next_container_ = 1;    // next container id to hand out
  uint64_t durable_reserved_ = 1;  // containers below this are reserved in the store
  // The ticket (InodeStore::Write) the public method running under mu_ waits for (0: none).
  uint64_t wait_ticket_ = 0;
  // The ticket of the last batch that wrote a container reservation.
  uint64_t reservation_ticket_ = 0;
};

}  // namespace alluxio
