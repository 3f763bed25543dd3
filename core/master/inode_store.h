// The master's durable state in one RocksDB database: inodes, directory edges, the mount
// table and the container id counter. Key layout (one column family, a tag byte first;
// integers big-endian so that keys sort numerically):
//
//   "F"                           → format version (decimal text)
//   "C"                           → next unreserved container id (8 bytes BE)
//   "I" id(8 BE)                  → EncodeInode(inode)
//   "E" parent_id(8 BE) name      → child inode id (8 BE)    children in byte order of name
//   "M" alluxio_path              → EncodeMount(MountInfo)
//   "R" mount_id(8 BE) from       → to: a UFS rename begun and not yet in the namespace
//   "P" file_id(8 BE)             → "": a complete file to be persisted (Inode::to_be_persisted)
//
// Thread-safety: every method may be called from any thread (RocksDB is internally
// synchronized), but a sequence of reads is not a snapshot; the Namespace serializes
// mutations, and each Commit()/Write() is atomic (one WriteBatch).
//
// Group commit: Write() appends a batch to the write-ahead log without syncing it and returns a
// ticket; WaitDurable(ticket) returns once a WAL sync covered that batch. Threads waiting at the
// same time share one sync: the first becomes the leader and syncs everything written so far,
// the others wait for it (and sync again only if their batch came after its sync began).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "core/common/result.h"
#include "core/master/inode.h"
#include "core/master/mount_table.h"

namespace alluxio {

class InodeStore {
 public:
  // Opens (creating if absent) the database in directory `dir`. kIoError if RocksDB cannot
  // open it (e.g. another process holds its lock).
  static Result<std::unique_ptr<InodeStore>> Open(const std::string& dir);
  ~InodeStore();

  // A set of changes applied atomically by Commit(). Later changes to a key win.
  class Batch {
   public:
    void PutInode(const Inode& inode);
    void DeleteInode(uint64_t id);
    void PutEdge(uint64_t parent_id, std::string_view name, uint64_t child_id);
    void DeleteEdge(uint64_t parent_id, std::string_view name);
    void PutMount(const MountInfo& mount);
    void DeleteMount(std::string_view alluxio_path);
    // A rename of UFS path `from` to `to` in mount `mount_id` (paths inside the mount), recorded
    // before the UFS rename and deleted with the namespace change that follows it.
    void PutRenameIntent(uint64_t mount_id, std::string_view from, std::string_view to);
    void DeleteRenameIntent(uint64_t mount_id, std::string_view from);
    // A file to be persisted, listed until its persist is recorded or the file is removed.
    void PutPendingPersist(uint64_t file_id);
    void DeletePendingPersist(uint64_t file_id);
    void PutContainerReservation(uint64_t next_unreserved);
    void PutFormatVersion(int version);
    bool empty() const { return batch_.Count() == 0; }

   private:
    friend class InodeStore;
    rocksdb::WriteBatch batch_;
  };

  enum class Durability {
    kSync,  // fsync the WAL before returning: survives kill -9 and power loss
    kLazy,  // WAL written, not synced: survives kill -9 of this process, not power loss;
            // used only for re-derivable hints (last_sync_ms)
  };
  // Applies the batch atomically. kIoError on failure (nothing applied).
  Status Commit(Batch& batch, Durability durability = Durability::kSync);

  // Applies the batch atomically without syncing the WAL (it survives kill -9 of this process,
  // not yet a power loss; readers see it at once) and returns its ticket for WaitDurable.
  // kIoError on failure (nothing applied). Tickets grow with the order of the writes.
  Result<uint64_t> Write(Batch& batch);
  // Returns once every batch written up to `ticket` (and, in the WAL, everything before it) is
  // synced to stable storage: it then survives a power loss. Blocks the calling thread for at
  // most one WAL sync in progress plus one of its own; concurrent callers share syncs.
  // kIoError when the sync fails (the batch may or may not survive a power loss).
  Status WaitDurable(uint64_t ticket);
  // WAL syncs WaitDurable made so far.
  uint64_t wal_syncs() const { return wal_syncs_.load(); }

  Result<std::optional<Inode>> GetInode(uint64_t id) const;
  Result<std::optional<uint64_t>> GetChildId(uint64_t parent_id, std::string_view name) const;

  struct Child {
    std::string name;
    uint64_t id = 0;
  };
  // Children of `parent_id` in byte order of name, strictly after `start_after` ("" = from the
  // first), at most `limit` of them (0 = all).
  Result<std::vector<Child>> ListChildren(uint64_t parent_id, std::string_view start_after,
                                          size_t limit) const;
  Result<bool> HasChildren(uint64_t parent_id) const;

  Result<std::vector<MountInfo>> ListMounts() const;
  struct RenameIntent {
    uint64_t mount_id = 0;
    std::string from;
    std::string to;
  };
  Result<std::vector<RenameIntent>> ListRenameIntents() const;
  // The files of PutPendingPersist, in id order.
  Result<std::vector<uint64_t>> ListPendingPersists() const;
  Result<std::optional<uint64_t>> GetContainerReservation() const;
  Result<std::optional<int>> GetFormatVersion() const;

 private:
  explicit InodeStore(std::unique_ptr<rocksdb::DB> db);
  Result<std::optional<std::string>> Get(const std::string& key) const;

  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<uint64_t> written_{0};  // tickets handed out (each after its batch was written)
  std::mutex sync_mu_;
  std::condition_variable sync_done_;
  bool syncing_ = false;  // a leader is in SyncWAL (guarded by sync_mu_)
  uint64_t synced_ = 0;   // every ticket up to this is durable (guarded by sync_mu_)
  std::atomic<uint64_t> wal_syncs_{0};
};

// Mount record encoding (exposed for tests).
std::string EncodeMount(const MountInfo& mount);
Result<MountInfo> DecodeMount(std::string_view alluxio_path, std::string_view bytes);

}  // namespace alluxio
