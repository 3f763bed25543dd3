// fs::FileSystem over the Alluxio client library: what alluxio-fuse serves.
//
// Threads and reactors. Every call is made on a reactor of `pool` (the FUSE layer's reactors).
// Each reactor gets its own client::FileSystemClient, created on first use on that reactor's
// thread and destroyed there by Shutdown(). Path operations run on the calling reactor. An open
// file handle belongs to the reactor that opened it (its FileInStream / FileOutStream are bound
// to that reactor's client): the handle's low 16 bits carry the owner's index, and Read, Write,
// Flush, Fsync, Release and SetAttr-with-handle arriving on another reactor hop to the owner
// (RunOn). Calls on one handle may overlap: writes, flush, fsync and release of a handle are
// serialised (one at a time, in arrival order on the owner reactor); reads run concurrently
// (the read-ahead serialises the stream).
//
// Lifetime. The owner must follow this order: stop the FUSE session (no more calls) →
// Shutdown() (on a thread that is not a reactor of `pool`; aborts writers still open, closes
// readers, stops background sends and prefetches, destroys each reactor's client on its own
// thread) → pool.Stop(). The destructor calls Shutdown() if the owner did not (only valid while
// the pool still runs; a stopped pool's clients are leaked with an ERROR line).
//
// Semantics (errno per operation: docs/fs-semantics-notes.md):
// - Writing is write-once, as in Alluxio: a file is written while it is created, or replaced as
//   a whole (O_TRUNC, truncate to 0). Writes go through a WritePipeline (write_pipeline.h):
//   sequential, with out-of-order writes inside `reorder_window` reassembled. A writer that has
//   sent nothing to the worker yet and meets what the pipeline cannot take (a read of the
//   handle, as the page faults of a shared writable mapping make; a write beyond the window;
//   ftruncate; a hole at close) moves to a local sparse staging file in `tmp_dir`
//   (staging_file.h), which takes reads and writes at any offset; at release the staging file
//   is written through the pipeline from offset 0 and the file completed.
// - O_TRUNC on an existing non-empty file writes a hidden sibling (".alluxio-fuse-tmp.*",
//   never listed) and renames it over the file on release: the old content stays readable
//   until then and the replacement is atomic; if the writer dies, the old file survives.
// - Readers of an incomplete file wait up to `incomplete_file_wait` (polling with backoff, also
//   when the writer is this process), then get kIncomplete (EBUSY).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/client/client_context.h"
#include "core/client/file_system_client.h"
#include "core/common/configuration.h"
#include "core/fs/file_system.h"
#include "core/fs/read_ahead.h"
#include "core/fs/staging_file.h"
#include "core/fs/user_group_mapping.h"
#include "core/fs/write_pipeline.h"
#include "core/reactor/reactor.h"

namespace alluxio::fs {

// alluxio.fuse.auth.policy.class: whose files a mount shows and creates.
enum class AuthPolicy {
  // LaunchUserGroupAuthPolicy: every file shows the launching user (unless
  // user_group_translation); new files are owned by it.
  kLaunchUser,
  // SystemUserGroupAuthPolicy: owners and groups are shown as local ids; a new file or directory
  // is owned by the uid and gid of the request that created it, and every request's master
  // calls act as that user and group (impersonation: the master checks them against the
  // caller, and refuses them all with kNotPermitted unless the client's user may impersonate).
  kSystemUser,
  // CustomAuthPolicy: owners and groups are shown as local ids; new files are owned by
  // custom_user / custom_group.
  kCustom,
};

struct AlluxioFileSystemOptions {
  // The Alluxio directory mounted: fs path "/a" is Alluxio path alluxio_root + "/a".
  std::string alluxio_root = "/";
  // alluxio.fuse.user.group.translation.enabled: owner/group names ↔ local uid/gid. Off: every
  // file shows uid/gid below and chown/chgrp succeed without changing anything.
  bool user_group_translation = false;
  uint32_t uid = 0;  // the launching user (FromConfiguration: geteuid/getegid)
  uint32_t gid = 0;
  AuthPolicy auth_policy = AuthPolicy::kLaunchUser;
  std::string custom_user;  // alluxio.fuse.auth.policy.custom.{user,group} (kCustom)
  std::string custom_group;
  // alluxio.fuse.special.command.enabled: getattr of /.alluxiocli.metadatacache.dropAll,
  // <dir>/.alluxiocli.metadatacache.drop, /.alluxiocli.metadatacache.size.
  bool special_commands = false;
  // alluxio.fuse.stat.cache.refresh.interval: how long a StatFs answer is reused.
  std::chrono::milliseconds statfs_cache = std::chrono::minutes(5);
  // How long Open (and GetAttr) wait for a file another writer has not completed.
  std::chrono::milliseconds incomplete_file_wait = std::chrono::seconds(5);
  // alluxio.fuse.logging.threshold: operations slower than this are logged at WARN.
  std::chrono::milliseconds logging_threshold = std::chrono::seconds(10);
  // alluxio.fuse.debug.enabled: every operation logged (DEBUG, component "fuse").
  bool debug = false;
  WritePipelineOptions write;    // 4 MiB queued, reorder window 8 MiB
  ReadAheadOptions read;         // 2 segments of 1 MiB after 2 sequential reads
  uint32_t blksize = 128 << 10;  // st_blksize of files
  // alluxio.tmp.dirs (the first): where staging files are created.
  std::string tmp_dir = "/tmp";
  // alluxio.fuse.passthrough.enabled (FromConfiguration): a new file is written in place into
  // the cache file of the worker on this host when it can take it (the FUSE layer passes that
  // file to the kernel as the handle's passthrough backing file), else through the worker.
  bool write_in_place = false;

  static AlluxioFileSystemOptions FromConfiguration(const Configuration& conf,
                                                    std::string alluxio_root = "/");
};

class AlluxioFileSystem : public FileSystem {
 public:
  AlluxioFileSystem(std::shared_ptr<client::ClientContext> context, ReactorPool& pool,
                    AlluxioFileSystemOptions options);
  ~AlluxioFileSystem() override;
  AlluxioFileSystem(const AlluxioFileSystem&) = delete;
  AlluxioFileSystem& operator=(const AlluxioFileSystem&) = delete;

  // See the header comment. Blocks; not on a reactor of the pool. Idempotent. Calls after it
  // fail with kUnavailable.
  void Shutdown();

  Task<Attributes> GetAttr(std::string path, Caller caller) override;
  Task<Attributes> SetAttr(std::string path, SetAttrRequest change, Caller caller) override;
  Task<std::vector<DirEntry>> ListDir(std::string path, uint64_t offset, uint32_t max_entries,
                                      Caller caller) override;
  Task<Attributes> Mkdir(std::string path, uint32_t mode, Caller caller) override;
  Task<Attributes> Symlink(std::string path, std::string target, Caller caller) override;
  Task<std::string> ReadLink(std::string path, Caller caller) override;
  Task<void> Unlink(std::string path, Caller caller) override;
  Task<void> Rmdir(std::string path, Caller caller) override;
  Task<void> Rename(std::string from, std::string to, RenameMode mode, Caller caller) override;
  Task<FileHandle> Open(std::string path, int flags, Caller caller) override;
  Task<CreatedFile> Create(std::string path, uint32_t mode, int flags, Caller caller) override;
  // The cache file of a file cached whole by a worker on this host (short-circuit), or the
  // cache file a created file is written into in place until it is completed.
  int BackingFile(FileHandle handle) override;
  std::optional<ContentVersion> ContentOf(FileHandle handle) override;
  Task<size_t> Read(FileHandle handle, uint64_t offset, std::span<std::byte> buffer) override;
  Task<size_t> Write(FileHandle handle, uint64_t offset, std::span<const std::byte> data) override;
  // Clears the bits in the mode the written file gets (set again once it is complete) and in
  // what GetAttr shows meanwhile. No master call.
  Task<void> KillSetId(FileHandle handle) override;
  Task<void> Flush(FileHandle handle, Caller closer) override;
  Task<void> Fsync(FileHandle handle, bool datasync) override;
  Task<void> Release(FileHandle handle) override;
  Task<FsStats> StatFs() override;
  Task<void> Access(std::string path, uint32_t mask, Caller caller) override;

  const AlluxioFileSystemOptions& options() const { return options_; }
  // Handles currently open (all reactors).
  size_t open_handles() const { return open_handles_.load(); }
  // Files this process is writing: open for writing, or released and still completing.
  size_t open_writers() const;

  // Prefix of the hidden siblings that O_TRUNC replacements are written to.
  static constexpr std::string_view kTempPrefix = ".alluxio-fuse-tmp.";

 private:
  struct OpenFile;
  struct Writer;
  struct PerReactor;

  PerReactor& Here();
  // The client whose master calls act for `caller` on this reactor: under kSystemUser one
  // acting as the caller's user, group and supplementary groups (SupplementaryGroups of its pid:
  // read on every call; the client is made on first use of that identity), else the mount's own
  // client. Null once shut down.
  client::FileSystemClient* ClientFor(Caller caller);
  // The open file `handle` names on this reactor (its owner); null when there is none.
  std::shared_ptr<OpenFile> FileHere(FileHandle handle);
  std::string ToAlluxio(const std::string& path) const;
  // Owners and groups are local ids of Alluxio's names (translation or a non-launch policy).
  bool MapsOwners() const;
  // Owner and group names of what `caller` creates under the policy ("": the client's user).
  std::pair<std::string, std::string> NewOwner(Caller caller);
  Attributes ToAttributes(const FileInfo& info);
  // Under kSystemUser, kPermissionDenied unless `caller` (with its supplementary groups) may
  // write the file `info` by its mode bits, as the kernel would check; Ok under the other
  // policies (every request acts as the mounting user).
  Status CheckWrite(const FileInfo& info, Caller caller);
  // Overrides the size (and a mode set meanwhile) with those of a writer of this process.
  void ApplyWriter(const std::string& path, Attributes& attr);
  std::shared_ptr<Writer> FindWriter(const std::string& path);
  void RenameWriters(const std::string& from, const std::string& to);
  // Which closed writers of this process an operation on a path waits for.
  enum class Closing {
    kAtOrBelow,     // any at the path or below it
    kFailedAtPath,  // at the path, whose close failed (Writer::failed)
  };
  bool HasClosingWriter(const std::string& path, Closing which);
  // Waits (at most incomplete_file_wait) until no released writer of this process is still
  // completing `path` or a file below it (a directory renamed or removed while a file in it
  // completes would move the file from under its completion), or, kFailedAtPath, removing the
  // file at `path` whose close failed.
  asio::awaitable<void> AwaitClosingWriters(const std::string& path,
                                            Closing which = Closing::kAtOrBelow);
  void UnlinkWriters(const std::string& path);
  // Attributes of a special command path, after running it; nullopt for other paths.
  std::optional<Attributes> SpecialCommand(const std::string& path);
  // GetStatus of `path`; an incomplete file is polled with backoff until complete or until
  // incomplete_file_wait passed (then kIncomplete when fail_if_incomplete, else as it is).
  Task<FileInfo> StatusOf(std::string path, bool wait_if_incomplete, bool fail_if_incomplete,
                          client::FileSystemClient& client);
  // Truncation of a file no handle of this process writes, by `caller` (CheckWrite): size 0
  // replaces it with an empty file, its own size is a no-op, anything else kUnsupported.
  Task<void> TruncateClosed(std::string path, uint64_t size, Caller caller);
  Task<void> TruncateHandle(FileHandle handle, uint64_t size);

  // Handle operations on the owner reactor.
  Task<size_t> ReadLocal(FileHandle handle, uint64_t offset, std::span<std::byte> buffer);
  // A read of another reactor's read handle, served here by this reactor's own reader of the
  // same blocks (a guest): no hop to the owner, which would cost two cross-CPU wake-ups.
  Task<size_t> ReadAsGuest(FileHandle handle, std::shared_ptr<const client::FileBlocks> blocks,
                           uint64_t offset, std::span<std::byte> buffer);
  // After the owner released `handle`: every other reactor closes its guest reader.
  void DropGuestReaders(FileHandle handle);
  Task<size_t> WriteLocal(FileHandle handle, uint64_t offset, std::span<const std::byte> data);
  Task<void> KillSetIdLocal(FileHandle handle);
  // A close(2) by thread `closer`, or an fsync (nullopt).
  Task<void> FlushLocal(FileHandle handle, std::optional<uint32_t> closer);
  Task<void> ReleaseLocal(FileHandle handle);
  Task<void> TruncateLocal(FileHandle handle, uint64_t size);
  // Registers an open file on this reactor for `caller`, whose `client` (ClientFor) opened it:
  // a reader (`in`: its stream if already open, else null), a writer (`out`: the stream of a
  // created file), or a handle whose writes are refused. Opening an existing file for writing
  // needs CheckWrite (kPermissionDenied). Returns its handle.
  Task<FileHandle> OpenHere(client::FileSystemClient& client, Caller caller, std::string path,
                            int flags, FileInfo existing, bool created,
                            std::unique_ptr<client::FileOutStream> out,
                            std::unique_ptr<client::FileInStream> in);
  // Create's ends: an existing file opened (O_CREAT without O_EXCL); a created file written
  // through `stream`; a created file written in place (the worker's cache file is opened here
  // and becomes the handle's staging file and passthrough backing file; if it cannot be
  // opened, the file is created again and written through the worker).
  Task<CreatedFile> CreateExisting(std::string path, int flags, Caller caller);
  Task<CreatedFile> CreateWritten(std::string path, int flags, Caller caller,
                                  client::FileSystemClient& client,
                                  std::unique_ptr<client::FileOutStream> stream, FileInfo info);
  Task<CreatedFile> CreateInPlace(std::string path, int flags, Caller caller,
                                  client::FileSystemClient& client,
                                  std::unique_ptr<client::LocalFileOutStream> in_place);
  void StartPipeline(OpenFile& file, std::unique_ptr<client::FileOutStream> out);
  // Creates the stream of a writer opened on an existing file, at its first write.
  Task<void> EnsureStream(OpenFile& file);
  // Moves a writer that has sent nothing to the worker yet to a staging file, with the bytes it
  // accepted so far (`why`: logged). A no-op when it is staged already. kUnsupported when bytes
  // were sent already; the errors of creating the staging file (logged).
  Status Stage(OpenFile& file, std::string_view why);
  // At release of a staged writer: writes the staging file through the stream from offset 0.
  Task<void> Unstage(OpenFile& file);
  // Closes the handle's reader and completes (or aborts) what it wrote, unless done already.
  Task<void> Finish(OpenFile& file, bool abort);
  // Completes (or aborts) what writable handle `file` wrote; marks it completed either way.
  Task<void> Complete(OpenFile& file, bool abort);
  // Replaces `alluxio_path` by an empty file with the given attributes, written as a hidden
  // sibling renamed over it: a failure leaves the file as it was.
  Task<void> ReplaceWithEmpty(std::string alluxio_path, uint32_t mode, std::string owner,
                              std::string group, client::FileSystemClient& client);
  // Renames a hidden sibling over `target` (a replacement taking the file's place); on failure
  // the sibling is deleted and the file stays as it was.
  Task<void> RenameOver(std::string sibling, std::string target, client::FileSystemClient& client);
  asio::awaitable<bool> ShutdownHere();
  Reactor* OwnerOf(FileHandle handle);
  template <typename T, typename F>
  Task<T> OnOwner(FileHandle handle, F fn);

  std::shared_ptr<client::ClientContext> context_;
  ReactorPool& pool_;
  const AlluxioFileSystemOptions options_;
  UserGroupMapping users_;
  const uint32_t instance_token_;         // random: hidden sibling names differ between processes
  std::atomic<uint64_t> empty_count_{0};  // names ReplaceWithEmpty's siblings
  std::vector<std::unique_ptr<PerReactor>> reactors_;  // by index; each touched on its thread
  std::atomic<size_t> open_handles_{0};
  std::atomic<bool> shut_down_{false};

  // Blocks of every open read handle, for guest readers (ReadAsGuest).
  std::mutex shared_reads_mu_;
  std::unordered_map<FileHandle, std::shared_ptr<const client::FileBlocks>> shared_reads_;
  mutable std::mutex writers_mu_;
  std::map<FileHandle, std::shared_ptr<Writer>> writers_;  // writers of this process

  std::mutex statfs_mu_;
  std::optional<std::chrono::steady_clock::time_point> statfs_at_;
  FsStats statfs_;

  std::mutex cursors_mu_;
  // (directory, offset) → name of the entry before that offset; bounded, oldest dropped.
  std::map<std::pair<std::string, uint64_t>, std::string> cursors_;
  std::vector<std::pair<std::string, uint64_t>> cursor_order_;
  size_t cursor_next_ = 0;
};

}  // namespace alluxio::fs
