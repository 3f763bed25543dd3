#include "core/master/inode_store.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>

namespace alluxio {
namespace {

constexpr char kFormatKey[] = "F";
constexpr char kContainerKey[] = "C";
constexpr char kInodeTag = 'I';
constexpr char kEdgeTag = 'E';
constexpr char kMountTag = 'M';
constexpr char kRenameTag = 'R';
constexpr char kPersistTag = 'P';

void AppendBe64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

uint64_t ReadBe64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string InodeKey(uint64_t id) {
  std::string key(1, kInodeTag);
  AppendBe64(key, id);
  return key;
}

std::string EdgePrefix(uint64_t parent_id) {
  std::string key(1, kEdgeTag);
  AppendBe64(key, parent_id);
  return key;
}

std::string EdgeKey(uint64_t parent_id, std::string_view name) {
  std::string key = EdgePrefix(parent_id);
  key.append(name);
  return key;
}

std::string MountKey(std::string_view path) {
  std::string key(1, kMountTag);
  key.append(path);
  return key;
}

std::string RenameIntentKey(uint64_t mount_id, std::string_view from) {
  std::string key(1, kRenameTag);
  AppendBe64(key, mount_id);
  key.append(from);
  return key;
}

std::string PendingPersistKey(uint64_t file_id) {
  std::string key(1, kPersistTag);
  AppendBe64(key, file_id);
  return key;
}

std::string Be64Value(uint64_t v) {
  std::string out;
  AppendBe64(out, v);
  return out;
}

Failure RocksFailure(const rocksdb::Status& st, std::string_view what) {
  return Fail(ErrorCode::kIoError, fmt::format("rocksdb {}: {}", what, st.ToString()));
}

void PutLenString(std::string& out, std::string_view s) {
  AppendBe64(out, s.size());
  out.append(s);
}

bool ReadLenString(std::string_view& in, std::string& s) {
  if (in.size() < 8) return false;
  uint64_t n = ReadBe64(in);
  in.remove_prefix(8);
  if (n > in.size()) return false;
  s.assign(in.substr(0, n));
  in.remove_prefix(n);
  return true;
}

}  // namespace

std::string EncodeMount(const MountInfo& mount) {
  std::string out;
  out.push_back(2);  // version: 1 had no mount id
  out.push_back(mount.read_only ? 1 : 0);
  PutLenString(out, mount.ufs_uri);
  AppendBe64(out, mount.options.size());
  for (const auto& [k, v] : mount.options) {
    PutLenString(out, k);
    PutLenString(out, v);
  }
  AppendBe64(out, mount.mount_id);
  return out;
}

Result<MountInfo> DecodeMount(std::string_view alluxio_path, std::string_view bytes) {
  MountInfo mount;
  mount.alluxio_path = std::string(alluxio_path);
  std::string_view in = bytes;
  const char version = in.empty() ? 0 : in[0];
  bool ok = in.size() >= 10 && (version == 1 || version == 2);
  if (ok) {
    mount.read_only = in[1] != 0;
    in.remove_prefix(2);
    ok = ReadLenString(in, mount.ufs_uri) && in.size() >= 8;
  }
  if (ok) {
    uint64_t n = ReadBe64(in);
    in.remove_prefix(8);
    for (uint64_t i = 0; ok && i < n; ++i) {
      std::string k, v;
      ok = ReadLenString(in, k) && ReadLenString(in, v);
      if (ok) mount.options.emplace(std::move(k), std::move(v));
    }
  }
  if (ok && version == 2) {
    ok = in.size() >= 8;
    if (ok) {
      mount.mount_id = ReadBe64(in);
      in.remove_prefix(8);
    }
  }
  if (!ok || !in.empty()) {
    return Fail(ErrorCode::kInternal, fmt::format("corrupt mount record for {}", alluxio_path));
  }
  return mount;
}

void InodeStore::Batch::PutInode(const Inode& inode) {
  batch_.Put(InodeKey(inode.id), EncodeInode(inode)).PermitUncheckedError();
}
void InodeStore::Batch::DeleteInode(uint64_t id) {
  batch_.Delete(InodeKey(id)).PermitUncheckedError();
}
void InodeStore::Batch::PutEdge(uint64_t parent_id, std::string_view name, uint64_t child_id) {
  batch_.Put(EdgeKey(parent_id, name), Be64Value(child_id)).PermitUncheckedError();
}
void InodeStore::Batch::DeleteEdge(uint64_t parent_id, std::string_view name) {
  batch_.Delete(EdgeKey(parent_id, name)).PermitUncheckedError();
}
void InodeStore::Batch::PutMount(const MountInfo& mount) {
  batch_.Put(MountKey(mount.alluxio_path), EncodeMount(mount)).PermitUncheckedError();
}
void InodeStore::Batch::DeleteMount(std::string_view alluxio_path) {
  batch_.Delete(MountKey(alluxio_path)).PermitUncheckedError();
}
void InodeStore::Batch::PutRenameIntent(uint64_t mount_id, std::string_view from,
                                        std::string_view to) {
  batch_.Put(RenameIntentKey(mount_id, from), rocksdb::Slice(to.data(), to.size()))
      .PermitUncheckedError();
}
void InodeStore::Batch::DeleteRenameIntent(uint64_t mount_id, std::string_view from) {
  batch_.Delete(RenameIntentKey(mount_id, from)).PermitUncheckedError();
}
void InodeStore::Batch::PutPendingPersist(uint64_t file_id) {
  batch_.Put(PendingPersistKey(file_id), "").PermitUncheckedError();
}
void InodeStore::Batch::DeletePendingPersist(uint64_t file_id) {
  batch_.Delete(PendingPersistKey(file_id)).PermitUncheckedError();
}
void InodeStore::Batch::PutContainerReservation(uint64_t next_unreserved) {
  batch_.Put(kContainerKey, Be64Value(next_unreserved)).PermitUncheckedError();
}
void InodeStore::Batch::PutFormatVersion(int version) {
  batch_.Put(kFormatKey, std::to_string(version)).PermitUncheckedError();
}

Result<std::unique_ptr<InodeStore>> InodeStore::Open(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.IncreaseParallelism(2);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status st = rocksdb::DB::Open(options, dir, &raw);
  if (!st.ok()) return RocksFailure(st, fmt::format("open {}", dir));
  return std::unique_ptr<InodeStore>(new InodeStore(std::unique_ptr<rocksdb::DB>(raw)));
}

InodeStore::InodeStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

InodeStore::~InodeStore() {
  if (db_) db_->Close().PermitUncheckedError();
}

Status InodeStore::Commit(Batch& batch, Durability durability) {
  rocksdb::WriteOptions options;
  options.sync = durability == Durability::kSync;
  rocksdb::Status st = db_->Write(options, &batch.batch_);
  if (!st.ok()) return RocksFailure(st, "write");
  batch.batch_.Clear();
  written_.fetch_add(1);
  return Ok();
}

Result<uint64_t> InodeStore::Write(Batch& batch) {
  rocksdb::Status st = db_->Write(rocksdb::WriteOptions(), &batch.batch_);
  if (!st.ok()) return RocksFailure(st, "write");
  batch.batch_.Clear();
  return written_.fetch_add(1) + 1;
}

Status InodeStore::WaitDurable(uint64_t ticket) {
  std::unique_lock lock(sync_mu_);
  while (synced_ < ticket) {
    if (syncing_) {
      sync_done_.wait(lock);
      continue;
    }
    // Leader: every ticket up to `target` was handed out after its batch reached the WAL, so
    // the sync below covers them all.
    syncing_ = true;
    const uint64_t target = written_.load();
    lock.unlock();
    rocksdb::Status st = db_->SyncWAL();
    wal_syncs_.fetch_add(1);
    lock.lock();
    syncing_ = false;
    if (st.ok()) synced_ = std::max(synced_, target);
    sync_done_.notify_all();
    if (!st.ok()) return RocksFailure(st, "sync the write-ahead log");
  }
  return Ok();
}

Result<std::optional<std::string>> InodeStore::Get(const std::string& key) const {
  std::string value;
  rocksdb::Status st = db_->Get(rocksdb::ReadOptions(), key, &value);
  if (st.IsNotFound()) return std::optional<std::string>();
  if (!st.ok()) return RocksFailure(st, "get");
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<Inode>> InodeStore::GetInode(uint64_t id) const {
  auto value = Get(InodeKey(id));
  if (!value.ok()) return value.failure();
  if (!value->has_value()) return std::optional<Inode>();
  auto inode = DecodeInode(**value);
  if (!inode.ok()) return inode.failure();
  return std::optional<Inode>(std::move(*inode));
}

Result<std::optional<uint64_t>> InodeStore::GetChildId(uint64_t parent_id,
                                                       std::string_view name) const {
  auto value = Get(EdgeKey(parent_id, name));
  if (!value.ok()) return value.failure();
  if (!value->has_value()) return std::optional<uint64_t>();
  if ((*value)->size() != 8) return Fail(ErrorCode::kInternal, "corrupt directory edge");
  return std::optional<uint64_t>(ReadBe64(**value));
}

Result<std::vector<InodeStore::Child>> InodeStore::ListChildren(uint64_t parent_id,
                                                                std::string_view start_after,
                                                                size_t limit) const {
  std::string prefix = EdgePrefix(parent_id);
  std::string start = prefix;
  start.append(start_after);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  std::vector<Child> out;
  for (it->Seek(start); it->Valid(); it->Next()) {
    rocksdb::Slice key = it->key();
    if (!key.starts_with(prefix)) break;
    std::string_view name(key.data() + prefix.size(), key.size() - prefix.size());
    if (!start_after.empty() && name == start_after) continue;
    if (it->value().size() != 8) return Fail(ErrorCode::kInternal, "corrupt directory edge");
    out.push_back(Child{std::string(name), ReadBe64(it->value().ToStringView())});
    if (limit != 0 && out.size() >= limit) break;
  }
  if (!it->status().ok()) return RocksFailure(it->status(), "iterate");
  return out;
}

Result<bool> InodeStore::HasChildren(uint64_t parent_id) const {
  auto children = ListChildren(parent_id, "", 1);
  if (!children.ok()) return children.failure();
  return !children->empty();
}

Result<std::vector<MountInfo>> InodeStore::ListMounts() const {
  std::string prefix(1, kMountTag);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  std::vector<MountInfo> out;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view path(it->key().data() + 1, it->key().size() - 1);
    auto mount = DecodeMount(path, it->value().ToStringView());
    if (!mount.ok()) return mount.failure();
    out.push_back(std::move(*mount));
  }
  if (!it->status().ok()) return RocksFailure(it->status(), "iterate");
  return out;
}

Result<std::vector<InodeStore::RenameIntent>> InodeStore::ListRenameIntents() const {
  std::string prefix(1, kRenameTag);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  std::vector<RenameIntent> out;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key.size() < 9) return Fail(ErrorCode::kInternal, "corrupt rename intent key");
    out.push_back({ReadBe64(key.substr(1)), std::string(key.substr(9)), it->value().ToString()});
  }
  if (!it->status().ok()) return RocksFailure(it->status(), "iterate");
  return out;
}

Result<std::vector<uint64_t>> InodeStore::ListPendingPersists() const {
  std::string prefix(1, kPersistTag);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  std::vector<uint64_t> out;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key.size() != 9) return Fail(ErrorCode::kInternal, "corrupt pending persist key");
    out.push_back(ReadBe64(key.substr(1)));
  }
  if (!it->status().ok()) return RocksFailure(it->status(), "iterate");
  return out;
}

Result<std::optional<uint64_t>> InodeStore::GetContainerReservation() const {
  auto value = Get(kContainerKey);
  if (!value.ok()) return value.failure();
  if (!value->has_value()) return std::optional<uint64_t>();
  if ((*value)->size() != 8) return Fail(ErrorCode::kInternal, "corrupt container counter");
  return std::optional<uint64_t>(ReadBe64(**value));
}

Result<std::optional<int>> InodeStore::GetFormatVersion() const {
  auto value = Get(kFormatKey);
  if (!value.ok()) return value.failure();
  if (!value->has_value()) return std::optional<int>();
  int version = 0;
  const std::string& s = **value;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), version);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return Fail(ErrorCode::kInternal, "corrupt format version");
  }
  return std::optional<int>(version);
}

}  // namespace alluxio
