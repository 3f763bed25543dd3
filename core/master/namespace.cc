#include "core/master/namespace.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "core/common/block_id.h"
#include "core/common/logging.h"
#include "core/master/alluxio_path.h"
#include "core/ufs/ufs_options.h"

namespace alluxio {
namespace {

constexpr int kFormatVersion = 1;
// Container ids are reserved in the store this many at a time, so that most operations do
// not rewrite the counter; ids skipped by a restart are simply never used.
constexpr uint64_t kContainerReservation = 1000;

Failure WithContext(const Error& error, std::string_view context) {
  return Fail(error.code, fmt::format("{}: {}", context, error.message));
}

// A mount id no mount of `mounts` has, neither 0 nor kRootMountId.
uint64_t NewMountId(const MountTable& mounts) {
  std::random_device random;
  while (true) {
    uint64_t id = (uint64_t{random()} << 32) | random();
    if (id > kRootMountId && mounts.FindById(id) == nullptr) return id;
  }
}

bool IsAbsence(ErrorCode code) {
  return code == ErrorCode::kNotFound || code == ErrorCode::kNotADirectory;
}

Status CheckWritable(const MountTable::Resolution& res, std::string_view path) {
  if (res.mount->info.read_only) {
    return Fail(ErrorCode::kReadOnly, fmt::format("{} is under the read-only mount {}", path,
                                                  res.mount->info.alluxio_path));
  }
  return Ok();
}

Status CheckSymlinkTarget(std::string_view target) {
  if (target.empty() || target.find('\0') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, "a link target is non-empty and has no NUL byte");
  }
  if (target.size() > kMaxSymlinkTargetBytes) {
    return Fail(ErrorCode::kNameTooLong, fmt::format("link target of {} bytes (at most {})",
                                                     target.size(), kMaxSymlinkTargetBytes));
  }
  return Ok();
}

// Whether the UFS entry is no longer what `inode` was loaded from: another kind (file,
// directory, link) or another target, or (files and links) another fingerprint.
bool ChangedInUfs(const Inode& inode, const UfsStatus& status) {
  return status.is_directory != inode.is_directory ||
         status.symlink_target != inode.symlink_target ||
         (!inode.is_directory && status.fingerprint != inode.ufs_fingerprint);
}

// POSIX: what is created in a setgid directory takes the directory's group, and a directory
// created there is setgid too.
void InheritSetgid(const Inode& parent, Inode& child) {
  constexpr uint32_t kSetgid = 02000;
  if ((parent.mode & kSetgid) == 0) return;
  child.group = parent.group;
  if (child.is_directory) child.mode |= kSetgid;
}

Status CheckMode(uint32_t mode) {
  if (mode & ~07777u) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("mode {:o} beyond 07777", mode));
  }
  return Ok();
}

}  // namespace

// A store batch plus the container reservation it carries.
struct Namespace::OpBatch {
  InodeStore::Batch batch;
  uint64_t reserves = 0;  // container reservation written by this batch (0: none)
};

// The inodes along a path: chain[0] is the root, chain[i] the inode of the first i components.
// chain.size() - 1 components exist.
struct Namespace::Walk {
  std::vector<Inode> chain;
  size_t existing() const { return chain.size() - 1; }
};

Result<std::unique_ptr<Namespace>> Namespace::Open(Options options) {
  if (!options.clock) {
    options.clock = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  if (!options.ufs_factory) options.ufs_factory = CreateUnderFileSystem;
  if (options.default_block_size == 0) {
    return Fail(ErrorCode::kInvalidArgument, "default block size must be positive");
  }
  auto store = InodeStore::Open(options.db_path);
  if (!store.ok()) return store.failure();
  std::unique_ptr<Namespace> ns(new Namespace(std::move(options), std::move(*store)));
  if (Status st = ns->Init(); !st.ok()) return st.failure();
  if (Status st = ns->store_->WaitDurable(ns->wait_ticket_); !st.ok()) return st.failure();
  return ns;
}

Namespace::Namespace(Options options, std::unique_ptr<InodeStore> store)
    : options_(std::move(options)), store_(std::move(store)) {}

Namespace::~Namespace() = default;

Status Namespace::Init() {
  auto version = store_->GetFormatVersion();
  if (!version.ok()) return version.failure();
  if (version->has_value()) {
    if (**version != kFormatVersion) {
      return Fail(ErrorCode::kUnsupported,
                  fmt::format("store format {} (this master reads {})", **version, kFormatVersion));
    }
    auto mounts = store_->ListMounts();
    if (!mounts.ok()) return mounts.failure();
    bool has_root = false;
    OpBatch upgraded;  // mounts recorded before mount ids get theirs
    for (MountInfo& mount : *mounts) {
      if (mount.mount_id == 0) {
        mount.mount_id = mount.alluxio_path == "/" ? kRootMountId : NewMountId(mounts_);
        upgraded.batch.PutMount(mount);
      }
      if (mount.alluxio_path == "/") {
        has_root = true;
        if (mount.ufs_uri != options_.root_ufs_uri) {
          return Fail(ErrorCode::kInvalidArgument,
                      fmt::format("store {} was formatted with root UFS {}, not {}",
                                  options_.db_path, mount.ufs_uri, options_.root_ufs_uri));
        }
      }
      auto ufs =
          options_.ufs_factory(mount.ufs_uri, MergeUfsOptions(options_.ufs_options, mount.options));
      if (!ufs.ok()) return WithContext(ufs.error(), fmt::format("mount {}", mount.alluxio_path));
      std::shared_ptr<UnderFileSystem> shared = std::move(*ufs);
      mounts_.Add(std::move(mount), std::move(shared));
    }
    if (!has_root) return Fail(ErrorCode::kInternal, "store has no root mount");
    if (!upgraded.batch.empty()) {
      if (Status st = Commit(upgraded); !st.ok()) return st;
    }
    if (Status st = UndoRenames(); !st.ok()) return st;
    for (const MountInfo& mount : mounts_.List()) {
      CleanStaged(*mounts_.Find(mount.alluxio_path)->ufs, mount.ufs_uri);
    }
    auto reserved = store_->GetContainerReservation();
    if (!reserved.ok()) return reserved.failure();
    if (!reserved->has_value()) return Fail(ErrorCode::kInternal, "store has no id counter");
    next_container_ = durable_reserved_ = **reserved;
    ALX_LOG(kInfo, "master", "opened namespace {} (root UFS {}, {} mounts)", options_.db_path,
            options_.root_ufs_uri, mounts_.List().size());
    return Ok();
  }

  // Format. A missing local root directory is created (as Alluxio's format does).
  auto ufs = options_.ufs_factory(options_.root_ufs_uri, options_.ufs_options);
  std::string local_root = LocalPathOfUri(options_.root_ufs_uri);
  if (!ufs.ok() && ufs.code() == ErrorCode::kNotFound && !local_root.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(local_root, ec);
    if (ec) return Fail(ErrnoError(ec.value(), fmt::format("create root UFS {}", local_root)));
    ufs = options_.ufs_factory(options_.root_ufs_uri, options_.ufs_options);
  }
  if (!ufs.ok()) return WithContext(ufs.error(), fmt::format("root UFS {}", options_.root_ufs_uri));
  auto status = (*ufs)->GetStatus("/");
  if (!status.ok()) {
    return WithContext(status.error(), fmt::format("root UFS {}", options_.root_ufs_uri));
  }
  if (!status->is_directory) {
    return Fail(ErrorCode::kNotADirectory,
                fmt::format("root UFS {} is not a directory", options_.root_ufs_uri));
  }
  Inode root;
  root.id = kRootInodeId;
  root.parent_id = kRootInodeId;
  root.is_directory = true;
  root.mode = status->mode & 07777;
  root.owner = status->owner;
  root.group = status->group;
  root.mtime_ms = status->mtime_ms;
  root.completed = true;
  root.persisted = true;
  root.ufs_fingerprint = status->fingerprint;
  root.last_sync_ms = Now();
  MountInfo root_mount{"/", options_.root_ufs_uri, false, {}, kRootMountId};
  OpBatch batch;
  batch.batch.PutFormatVersion(kFormatVersion);
  batch.batch.PutInode(root);
  batch.batch.PutMount(root_mount);
  batch.batch.PutContainerReservation(1);
  if (Status st = Commit(batch); !st.ok()) return st;
  // A UFS formatted again may hold a previous namespace's staged files.
  CleanStaged(**ufs, options_.root_ufs_uri);
  std::shared_ptr<UnderFileSystem> shared = std::move(*ufs);
  mounts_.Add(std::move(root_mount), std::move(shared));
  next_container_ = durable_reserved_ = 1;
  ALX_LOG(kInfo, "master", "formatted namespace {} on root UFS {}", options_.db_path,
          options_.root_ufs_uri);
  return Ok();
}

int64_t Namespace::Now() const { return options_.clock(); }

bool Namespace::SyncDue(int64_t last_sync_ms) const {
  int64_t interval = options_.metadata_sync_interval_ms;
  if (interval < 0) return false;
  if (interval == 0) return true;
  return Now() - last_sync_ms > interval;
}

uint64_t Namespace::AllocateInodeId(OpBatch& batch) {
  uint64_t container = next_container_++;
  assert(container <= kMaxContainerId);
  if (container >= durable_reserved_) {
    batch.reserves = std::max(batch.reserves, container + kContainerReservation);
    batch.batch.PutContainerReservation(batch.reserves);
  }
  return InodeIdForContainer(container);
}

Status Namespace::Commit(OpBatch& batch, Wait wait) {
  Result<uint64_t> ticket = store_->Write(batch.batch);
  if (!ticket.ok()) return ticket.failure();
  if (batch.reserves != 0) reservation_ticket_ = *ticket;
  wait_ticket_ = std::max(wait_ticket_, wait == Wait::kDurable ? *ticket : reservation_ticket_);
  durable_reserved_ = std::max(durable_reserved_, batch.reserves);
  return Ok();
}

template <typename Body>
std::invoke_result_t<Body&> Namespace::Durably(Body body) {
  std::optional<std::invoke_result_t<Body&>> result;
  uint64_t ticket = 0;
  {
    std::lock_guard lock(mu_);
    wait_ticket_ = 0;
    result.emplace(body());
    ticket = wait_ticket_;
  }
  if (ticket != 0) {
    if (Status st = store_->WaitDurable(ticket); !st.ok()) return st.failure();
  }
  return std::move(*result);
}

// ---- path walking and metadata loading ----

Result<Namespace::Walk> Namespace::WalkPath(const std::vector<std::string>& components) {
  auto root = store_->GetInode(kRootInodeId);
  if (!root.ok()) return root.failure();
  if (!root->has_value()) return Fail(ErrorCode::kInternal, "root inode missing");
  Walk walk;
  walk.chain.push_back(std::move(**root));
  std::string dir_path = "/";
  for (size_t i = 0; i < components.size(); ++i) {
    const Inode& dir = walk.chain.back();
    if (!dir.is_directory) {
      return Fail(ErrorCode::kNotADirectory,
                  fmt::format("{} is not a directory", JoinPath(components, i)));
    }
    auto child = LookupChild(dir, dir_path, components[i]);
    if (!child.ok()) return child.failure();
    if (!child->has_value()) break;
    walk.chain.push_back(std::move(**child));
    dir_path = ChildPath(dir_path, components[i]);
  }
  return walk;
}

Result<std::optional<Inode>> Namespace::LookupChild(const Inode& dir, const std::string& dir_path,
                                                    const std::string& name) {
  auto id = store_->GetChildId(dir.id, name);
  if (!id.ok()) return id.failure();
  if (id->has_value()) {
    auto inode = store_->GetInode(**id);
    if (!inode.ok()) return inode.failure();
    if (!inode->has_value()) {
      return Fail(ErrorCode::kInternal, fmt::format("dangling edge {}/{}", dir_path, name));
    }
    return std::move(*inode);
  }
  if (!dir.persisted || (dir.children_loaded && !SyncDue(dir.children_sync_ms))) {
    return std::optional<Inode>();
  }
  std::string path = ChildPath(dir_path, name);
  MountTable::Resolution res = mounts_.Resolve(path);
  auto status = res.mount->ufs->GetStatus(res.ufs_path);
  if (!status.ok()) {
    if (IsAbsence(status.code())) return std::optional<Inode>();
    return WithContext(status.error(), fmt::format("load {} from {}", path, res.ufs_uri));
  }
  OpBatch batch;
  auto inode = NewInodeFromUfs(dir.id, name, *status, batch);
  if (!inode.ok()) return inode.failure();
  if (Status st = Commit(batch); !st.ok()) return st.failure();
  ALX_LOG(kDebug, "master", "loaded {} from {}", path, res.ufs_uri);
  return std::optional<Inode>(std::move(*inode));
}

Result<Inode> Namespace::NewInodeFromUfs(uint64_t parent_id, const std::string& name,
                                         const UfsStatus& status, OpBatch& batch) {
  Inode inode;
  inode.parent_id = parent_id;
  inode.name = name;
  inode.is_directory = status.is_directory;
  inode.mode = status.mode & 07777;
  inode.owner = status.owner;
  inode.group = status.group;
  inode.mtime_ms = status.mtime_ms;
  inode.completed = true;
  inode.persisted = true;
  inode.ufs_fingerprint = status.fingerprint;
  inode.last_sync_ms = Now();
  inode.symlink_target = status.symlink_target;
  if (inode.is_symlink()) {
    inode.length = status.length;
    inode.id = AllocateInodeId(batch);
  } else if (!status.is_directory) {
    inode.length = status.length;
    inode.block_size = options_.default_block_size;
    uint64_t blocks = BlockCount(inode.length, inode.block_size);
    if (blocks >= kMaxSequence) {
      return Fail(
          ErrorCode::kOutOfRange,
          fmt::format("UFS file {} of {} bytes needs too many blocks", name, status.length));
    }
    inode.id = AllocateInodeId(batch);
    for (uint64_t i = 0; i < blocks; ++i) inode.block_ids.push_back(BlockIdForFile(inode.id, i));
  } else {
    inode.id = AllocateInodeId(batch);
  }
  batch.batch.PutInode(inode);
  batch.batch.PutEdge(parent_id, name, inode.id);
  return inode;
}

Result<Inode> Namespace::ResolveExisting(const std::vector<std::string>& components,
                                         const std::string& path, bool sync) {
  auto walk = WalkPath(components);
  if (!walk.ok()) return walk.failure();
  if (walk->existing() != components.size()) {
    return Fail(ErrorCode::kNotFound, fmt::format("{} does not exist", path));
  }
  Inode inode = std::move(walk->chain.back());
  if (!sync) return inode;
  auto synced = SyncInode(inode, path);
  if (!synced.ok()) return synced.failure();
  if (!synced->has_value()) {
    return Fail(ErrorCode::kNotFound, fmt::format("{} no longer exists in the UFS", path));
  }
  return std::move(**synced);
}

Result<std::vector<Inode>> Namespace::CollectSubtree(const Inode& top) {
  std::vector<Inode> out{top};
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i].is_directory) continue;
    auto children = store_->ListChildren(out[i].id, "", 0);
    if (!children.ok()) return children.failure();
    for (const InodeStore::Child& child : *children) {
      auto inode = store_->GetInode(child.id);
      if (!inode.ok()) return inode.failure();
      if (!inode->has_value()) return Fail(ErrorCode::kInternal, "dangling edge");
      out.push_back(std::move(**inode));
    }
  }
  return out;
}

bool Namespace::SubtreeRemovableBySync(const std::vector<Inode>& subtree,
                                       const std::string& path) const {
  if (mounts_.Find(path) != nullptr || mounts_.HasMountBelow(path)) return false;
  return std::all_of(subtree.begin(), subtree.end(),
                     [](const Inode& inode) { return inode.persisted && inode.completed; });
}

void Namespace::RemoveSubtree(const std::vector<Inode>& subtree, OpBatch& batch,
                              RemovedFiles* removed) {
  for (const Inode& inode : subtree) {
    batch.batch.DeleteInode(inode.id);
    batch.batch.DeleteEdge(inode.parent_id, inode.name);
    if (removed == nullptr || inode.is_directory) continue;
    if (inode.completed) {
      removed->block_ids.insert(removed->block_ids.end(), inode.block_ids.begin(),
                                inode.block_ids.end());
      if (inode.to_be_persisted) {
        batch.batch.DeletePendingPersist(inode.id);
        removed->unpersisted_file_ids.push_back(inode.id);
      }
    } else {
      removed->incomplete_file_ids.push_back(inode.id);
    }
  }
}

Result<std::optional<Inode>> Namespace::SyncInode(const Inode& inode, const std::string& path) {
  if (!inode.persisted || !inode.completed || !SyncDue(inode.last_sync_ms)) {
    return std::optional<Inode>(inode);
  }
  if (mounts_.Find(path) != nullptr) return std::optional<Inode>(inode);
  MountTable::Resolution res = mounts_.Resolve(path);
  auto status = res.mount->ufs->GetStatus(res.ufs_path);
  if (!status.ok() && !IsAbsence(status.code())) {
    return WithContext(status.error(), fmt::format("sync {} with {}", path, res.ufs_uri));
  }
  OpBatch batch;
  bool gone = !status.ok();
  bool changed = !gone && ChangedInUfs(inode, *status);
  if (gone || changed) {
    auto subtree = CollectSubtree(inode);
    if (!subtree.ok()) return subtree.failure();
    if (!SubtreeRemovableBySync(*subtree, path)) {
      ALX_LOG(kWarn, "master", "{} changed in the UFS but holds unpersisted files or mounts; kept",
              path);
      return std::optional<Inode>(inode);
    }
    RemoveSubtree(*subtree, batch, nullptr);
    std::optional<Inode> result;
    if (changed) {
      auto fresh = NewInodeFromUfs(inode.parent_id, inode.name, *status, batch);
      if (!fresh.ok()) return fresh.failure();
      result = std::move(*fresh);
    }
    if (Status st = Commit(batch); !st.ok()) return st.failure();
    ALX_LOG(kInfo, "master", "sync: {} {} in the UFS", path, gone ? "vanished" : "changed");
    return result;
  }
  Inode updated = inode;
  if (options_.metadata_sync_interval_ms > 0) {
    updated.last_sync_ms = Now();
    batch.batch.PutInode(updated);
    if (Status st = store_->Commit(batch.batch, InodeStore::Durability::kLazy); !st.ok()) {
      return st.failure();
    }
  }
  return std::optional<Inode>(std::move(updated));
}

Status Namespace::SyncChildren(Inode& dir, const std::string& path) {
  if (!dir.persisted) return Ok();
  bool resync = dir.children_loaded && SyncDue(dir.children_sync_ms);
  if (dir.children_loaded && !resync) return Ok();
  MountTable::Resolution res = mounts_.Resolve(path);
  auto listing = res.mount->ufs->List(res.ufs_path);
  bool listed = listing.ok();
  if (!listed && !IsAbsence(listing.code())) {
    return WithContext(listing.error(), fmt::format("list {} in {}", path, res.ufs_uri));
  }
  auto existing_list = store_->ListChildren(dir.id, "", 0);
  if (!existing_list.ok()) return existing_list.failure();
  std::unordered_map<std::string, uint64_t> existing;
  for (InodeStore::Child& child : *existing_list) existing.emplace(std::move(child.name), child.id);

  OpBatch batch;
  std::set<std::string> in_ufs;
  if (listed) {
    for (const UfsStatus& status : *listing) {
      if (!ValidateName(status.name).ok()) continue;  // not expressible as an Alluxio path
      std::string child_path = ChildPath(path, status.name);
      if (mounts_.Find(child_path) != nullptr) continue;  // the mount shadows the UFS entry
      in_ufs.insert(status.name);
      auto it = existing.find(status.name);
      if (it == existing.end()) {
        auto inode = NewInodeFromUfs(dir.id, status.name, status, batch);
        if (!inode.ok()) return inode.failure();
        continue;
      }
      if (!resync) continue;
      auto child = store_->GetInode(it->second);
      if (!child.ok()) return child.failure();
      if (!child->has_value()) return Fail(ErrorCode::kInternal, "dangling edge");
      Inode& inode = **child;
      if (!inode.persisted || !inode.completed) continue;
      if (!ChangedInUfs(inode, status)) {
        if (options_.metadata_sync_interval_ms > 0) {
          inode.last_sync_ms = Now();
          batch.batch.PutInode(inode);
        }
        continue;
      }
      auto subtree = CollectSubtree(inode);
      if (!subtree.ok()) return subtree.failure();
      if (!SubtreeRemovableBySync(*subtree, child_path)) continue;
      RemoveSubtree(*subtree, batch, nullptr);
      auto fresh = NewInodeFromUfs(dir.id, status.name, status, batch);
      if (!fresh.ok()) return fresh.failure();
    }
  }
  if (resync && listed) {
    for (const auto& [name, id] : existing) {
      if (in_ufs.count(name) != 0) continue;
      auto child = store_->GetInode(id);
      if (!child.ok()) return child.failure();
      if (!child->has_value()) return Fail(ErrorCode::kInternal, "dangling edge");
      auto subtree = CollectSubtree(**child);
      if (!subtree.ok()) return subtree.failure();
      if (!SubtreeRemovableBySync(*subtree, ChildPath(path, name))) continue;
      RemoveSubtree(*subtree, batch, nullptr);
    }
  }
  dir.children_loaded = true;
  dir.children_sync_ms = Now();
  batch.batch.PutInode(dir);
  return Commit(batch);
}

Result<std::string> Namespace::PathOf(uint64_t id) {
  std::vector<std::string> reversed;
  uint64_t cur = id;
  while (cur != kRootInodeId) {
    if (reversed.size() > kMaxPathBytes / 2) return Fail(ErrorCode::kInternal, "inode cycle");
    auto inode = store_->GetInode(cur);
    if (!inode.ok()) return inode.failure();
    if (!inode->has_value()) {
      return Fail(ErrorCode::kNotFound, fmt::format("inode {} does not exist", cur));
    }
    reversed.push_back((*inode)->name);
    cur = (*inode)->parent_id;
  }
  std::reverse(reversed.begin(), reversed.end());
  return JoinPath(reversed);
}

Status Namespace::TouchParent(uint64_t parent_id, int64_t now, OpBatch& batch) {
  auto parent = store_->GetInode(parent_id);
  if (!parent.ok()) return parent.failure();
  if (!parent->has_value()) return Fail(ErrorCode::kInternal, "parent inode missing");
  (*parent)->mtime_ms = now;
  batch.batch.PutInode(**parent);
  return Ok();
}

Status Namespace::UndoRenames() {
  auto intents = store_->ListRenameIntents();
  if (!intents.ok()) return intents.failure();
  for (const InodeStore::RenameIntent& intent : *intents) {
    OpBatch done;
    done.batch.DeleteRenameIntent(intent.mount_id, intent.from);
    const MountTable::Entry* mount = mounts_.FindById(intent.mount_id);
    if (mount != nullptr) {
      auto from = mount->ufs->GetStatus(intent.from);
      auto to = mount->ufs->GetStatus(intent.to);
      if (!from.ok() && from.code() == ErrorCode::kNotFound && to.ok()) {
        if (Status st = mount->ufs->Rename(intent.to, intent.from); !st.ok()) {
          ALX_LOG(kWarn, "master", "cannot undo the interrupted rename of {} to {} in {}: {}",
                  intent.from, intent.to, mount->info.ufs_uri, st.error().ToString());
          continue;  // tried again at the next start
        }
        ALX_LOG(kWarn, "master",
                "undid the rename of {} to {} in {}: the master stopped before recording it",
                intent.from, intent.to, mount->info.ufs_uri);
      } else if (!from.ok() && from.code() != ErrorCode::kNotFound) {
        ALX_LOG(kWarn, "master", "cannot check the interrupted rename of {} to {} in {}: {}",
                intent.from, intent.to, mount->info.ufs_uri, from.error().ToString());
        continue;
      }
    }
    if (Status st = store_->Commit(done.batch, InodeStore::Durability::kSync); !st.ok()) return st;
  }
  return Ok();
}

void Namespace::DropStaged(UnderFileSystem& ufs, const RemovedFiles& removed) {
  std::vector<uint64_t> ids = removed.incomplete_file_ids;
  ids.insert(ids.end(), removed.unpersisted_file_ids.begin(), removed.unpersisted_file_ids.end());
  for (uint64_t id : ids) {
    if (Status st = ufs.DeleteStaged(StagedFileName(id)); !st.ok()) {
      // Invisible meanwhile; the next CleanStaged drops it.
      ALX_LOG(kWarn, "master", "cannot drop the staged copy of file {}: {}", id,
              st.error().ToString());
    }
  }
}

void Namespace::DropStagedInEveryMount(const RemovedFiles& removed) {
  for (const MountInfo& mount : mounts_.List()) {
    DropStaged(*mounts_.Find(mount.alluxio_path)->ufs, removed);
  }
}

void Namespace::CleanStaged(UnderFileSystem& ufs, const std::string& ufs_uri) {
  auto names = ufs.ListStaged();
  if (!names.ok()) {
    ALX_LOG(kWarn, "master", "cannot list the staged files of {}: {}", ufs_uri,
            names.error().ToString());
    return;
  }
  for (const std::string& name : *names) {
    std::optional<uint64_t> id = FileIdOfStagedName(name);
    if (id) {
      auto inode = store_->GetInode(*id);
      if (!inode.ok() || (inode->has_value() && !(*inode)->is_directory &&
                          (!(*inode)->completed || (*inode)->to_be_persisted))) {
        continue;  // a file still being written or persisted (or unknown: kept for the next try)
      }
    }
    if (Status st = ufs.DeleteStaged(name); !st.ok()) {
      ALX_LOG(kWarn, "master", "cannot drop the staged file {} in {}: {}", name, ufs_uri,
              st.error().ToString());
      continue;
    }
    ALX_LOG(kInfo, "master", "dropped the leftover staged file {} in {}", name, ufs_uri);
  }
}

FileInfo Namespace::ToFileInfo(const Inode& inode, const std::string& path) const {
  FileInfo info;
  info.id = inode.id;
  info.name = inode.name;
  info.path = path;
  info.is_directory = inode.is_directory;
  info.mode = inode.mode;
  info.owner = inode.owner;
  info.group = inode.group;
  info.mtime_ms = inode.mtime_ms;
  info.length = inode.length;
  info.block_size = inode.block_size;
  info.completed = inode.completed;
  info.persisted = inode.persisted;
  info.to_be_persisted = inode.to_be_persisted;
  info.mount_point = mounts_.Find(path) != nullptr;
  info.block_ids = inode.block_ids;
  MountTable::Resolution res = mounts_.Resolve(path);
  info.ufs_uri = res.ufs_uri;
  info.mount_id = res.mount->info.mount_id;
  info.symlink_target = inode.symlink_target;
  return info;
}

// ---- public operations ----

Result<FileInfo> Namespace::GetStatus(std::string_view path) {
  auto components = SplitPath(path);
  if (!components.ok()) return components.failure();
  std::string normalized = JoinPath(*components);
  return Durably([&]() -> Result<FileInfo> {
    auto inode = ResolveExisting(*components, normalized, true);
    if (!inode.ok()) return inode.failure();
    return ToFileInfo(*inode, normalized);
  });
}

Result<FileInfo> Namespace::GetStatusById(uint64_t id) {
  std::lock_guard lock(mu_);
  auto inode = store_->GetInode(id);
  if (!inode.ok()) return inode.failure();
  if (!inode->has_value()) {
    return Fail(ErrorCode::kNotFound, fmt::format("inode {} does not exist", id));
  }
  auto path = PathOf(id);
  if (!path.ok()) return path.failure();
  return ToFileInfo(**inode, *path);
}

Result<ListResult> Namespace::ListStatus(std::string_view path, std::string_view start_after,
                                         size_t limit) {
  auto components = SplitPath(path);
  if (!components.ok()) return components.failure();
  std::string normalized = JoinPath(*components);
  return Durably([&]() -> Result<ListResult> {
    auto dir = ResolveExisting(*components, normalized, true);
    if (!dir.ok()) return dir.failure();
    if (!dir->is_directory) {
      return Fail(ErrorCode::kNotADirectory, fmt::format("{} is not a directory", normalized));
    }
    if (start_after.empty() || !dir->children_loaded) {
      if (Status st = SyncChildren(*dir, normalized); !st.ok()) return st.failure();
    }
    auto children = store_->ListChildren(dir->id, start_after, limit == 0 ? 0 : limit + 1);
    if (!children.ok()) return children.failure();
    ListResult result;
    if (limit != 0 && children->size() > limit) {
      result.has_more = true;
      children->pop_back();
    }
    result.entries.reserve(children->size());
    for (const InodeStore::Child& child : *children) {
      auto inode = store_->GetInode(child.id);
      if (!inode.ok()) return inode.failure();
      if (!inode->has_value()) return Fail(ErrorCode::kInternal, "dangling edge");
      result.entries.push_back(ToFileInfo(**inode, ChildPath(normalized, child.name)));
    }
    return result;
  });
}

Result<FileInfo> Namespace::CreateDirectory(std::string_view path,
                                            const CreateDirectoryOptions& options) {
  auto components = SplitPath(path);
  if (!components.ok()) return components.failure();
  if (Status st = CheckMode(options.mode); !st.ok()) return st.failure();
  std::string normalized = JoinPath(*components);
  return Durably([&]() -> Result<FileInfo> {
    auto walk = WalkPath(*components);
    if (!walk.ok()) return walk.failure();
    size_t existing = walk->existing();
    if (existing == components->size()) {
      const Inode& inode = walk->chain.back();
      if (options.allow_exists && inode.is_directory) return ToFileInfo(inode, normalized);
      return Fail(ErrorCode::kAlreadyExists, fmt::format("{} already exists", normalized));
    }
    if (existing + 1 < components->size() && !options.recursive) {
      return Fail(ErrorCode::kNotFound,
                  fmt::format("parent {} does not exist", JoinPath(*components, existing + 1)));
    }
    MountTable::Resolution res = mounts_.Resolve(normalized);
    if (Status st = CheckWritable(res, normalized); !st.ok()) return st.failure();
    if (Status st = res.mount->ufs->Mkdirs(res.ufs_path, options.mode); !st.ok()) {
      return WithContext(st.error(), fmt::format("mkdir {} in {}", normalized, res.ufs_uri));
    }
    int64_t now = Now();
    OpBatch batch;
    Inode parent = walk->chain.back();
    parent.mtime_ms = now;
    batch.batch.PutInode(parent);
    Inode created;
    Inode above = parent;  // the directory the next one goes in
    uint64_t parent_id = parent.id;
    for (size_t i = existing; i < components->size(); ++i) {
      created = Inode{};
      created.id = AllocateInodeId(batch);
      created.parent_id = parent_id;
      created.name = (*components)[i];
      created.is_directory = true;
      created.mode = options.mode;
      created.owner = options.owner;
      created.group = options.group;
      created.mtime_ms = now;
      created.completed = true;
      created.persisted = true;
      created.children_loaded = true;  // just created: nothing below it in the UFS
      created.last_sync_ms = created.children_sync_ms = now;
      InheritSetgid(above, created);
      above = created;
      batch.batch.PutInode(created);
      batch.batch.PutEdge(parent_id, created.name, created.id);
      parent_id = created.id;
    }
    if (Status st = Commit(batch); !st.ok()) return st.failure();
    return ToFileInfo(created, normalized);
  });
}

Result<CreateFileResult> Namespace::CreateFile(std::string_view path,
                                               const CreateFileOptions& options) {
  auto components = SplitPath(path);
  if (!components.ok()) return components.failure();
  if (components->empty()) return Fail(ErrorCode::kIsADirectory, "/ is a directory");
  if (Status st = CheckMode(options.mode); !st.ok()) return st.failure();
  uint64_t block_size = options.block_size != 0 ? options.block_size : options_.default_block_size;
  std::string normalized = JoinPath(*components);
  std::string parent_path = JoinPath(*components, components->size() - 1);
  return Durably([&]() -> Result<CreateFileResult> {
    auto walk = WalkPath(*components);
    if (!walk.ok()) return walk.failure();
    size_t existing = walk->existing();
    std::optional<Inode> replaced;
    if (existing == components->size()) {
      // Compare with the UFS first: a file that vanished there is not "existing".
      auto synced = SyncInode(walk->chain.back(), normalized);
      if (!synced.ok()) return synced.failure();
      if (synced->has_value()) {
        const Inode& inode = **synced;
        if (inode.is_directory) {
          return Fail(ErrorCode::kIsADirectory, fmt::format("{} is a directory", normalized));
        }
        if (!options.overwrite) {
          return Fail(ErrorCode::kAlreadyExists, fmt::format("{} already exists", normalized));
        }
        replaced = inode;
      }
      walk->chain.pop_back();
      existing = walk->existing();
    }
    if (existing + 1 < components->size() && !options.recursive) {
      return Fail(ErrorCode::kNotFound,
                  fmt::format("parent {} does not exist", JoinPath(*components, existing + 1)));
    }
    MountTable::Resolution res = mounts_.Resolve(normalized);
    if (Status st = CheckWritable(res, normalized); !st.ok()) return st.failure();
    if (replaced && replaced->persisted) {
      Status st = res.mount->ufs->Delete(res.ufs_path, false);
      if (!st.ok() && st.code() != ErrorCode::kNotFound) {
        return WithContext(st.error(),
                           fmt::format("delete replaced {} in {}", normalized, res.ufs_uri));
      }
    }
    if (existing + 1 < components->size()) {
      MountTable::Resolution parent_res = mounts_.Resolve(parent_path);
      if (Status st = parent_res.mount->ufs->Mkdirs(parent_res.ufs_path, 0755); !st.ok()) {
        return WithContext(st.error(),
                           fmt::format("mkdir {} in {}", parent_path, parent_res.ufs_uri));
      }
    }
    int64_t now = Now();
    OpBatch batch;
    CreateFileResult result;
    if (replaced) RemoveSubtree({*replaced}, batch, &result.replaced);
    Inode parent = walk->chain.back();
    parent.mtime_ms = now;
    batch.batch.PutInode(parent);
    uint64_t parent_id = parent.id;
    Inode above = parent;  // the directory the next inode goes in
    for (size_t i = existing; i + 1 < components->size(); ++i) {
      Inode dir;
      dir.id = AllocateInodeId(batch);
      dir.parent_id = parent_id;
      dir.name = (*components)[i];
      dir.is_directory = true;
      dir.mode = 0755;
      dir.owner = options.owner;
      dir.group = options.group;
      dir.mtime_ms = now;
      dir.completed = true;
      dir.persisted = true;
      dir.children_loaded = true;
      dir.last_sync_ms = dir.children_sync_ms = now;
      InheritSetgid(above, dir);
      above = dir;
      batch.batch.PutInode(dir);
      batch.batch.PutEdge(parent_id, dir.name, dir.id);
      parent_id = dir.id;
    }
    Inode file;
    file.id = AllocateInodeId(batch);
    file.parent_id = parent_id;
    file.name = components->back();
    file.mode = options.mode;
    file.owner = options.owner;
    file.group = options.group;
    file.mtime_ms = now;
    file.block_size = block_size;
    InheritSetgid(above, file);
    batch.batch.PutInode(file);
    batch.batch.PutEdge(parent_id, file.name, file.id);
    // A new file that replaced nothing in the UFS or the namespace and created no directory there
    // need not be durable before its completion, which syncs it along (WAL order).
    const bool only_new_file = !replaced && existing + 1 == components->size();
    if (Status st = Commit(batch, only_new_file ? Wait::kReservations : Wait::kDurable); !st.ok()) {
      return st.failure();
    }
    DropStaged(*res.mount->ufs, result.replaced);
    result.info = ToFileInfo(file, normalized);
    result.mount_ufs_uri = res.mount->info.ufs_uri;
    return result;
  });
}

Result<FileInfo> Namespace::CreateSymlink(std::string_view path, std::string_view target,
                                          const CreateSymlinkOptions& options) {
  auto components = SplitPath(path);
  if (!components.ok()) return components.failure();
  if (components->empty()) return Fail(ErrorCode::kAlreadyExists, "/ already exists");
  if (Status st = CheckSymlinkTarget(target); !st.ok()) return st.failure();
  std::string normalized = JoinPath(*components);
  return Durably([&]() -> Result<FileInfo> {
    auto walk = WalkPath(*components);
    if (!walk.ok()) return walk.failure();
    if (walk->existing() == components->size()) {
      // Compare with the UFS first: a path that vanished there is not "existing".
      auto synced = SyncInode(walk->chain.back(), normalized);
      if (!synced.ok()) return synced.failure();
      if (synced->has_value()) {
        return Fail(ErrorCode::kAlreadyExists, fmt::format("{} already exists", normalized));
      }
      walk->chain.pop_back();
    }
    if (walk->existing() + 1 < components->size()) {
      return Fail(ErrorCode::kNotFound, fmt::format("parent of {} does not exist", normalized));
    }
    MountTable::Resolution res = mounts_.Resolve(normalized);
    if (Status st = CheckWritable(res, normalized); !st.ok()) return st.failure();
    if (Status st = res.mount->ufs->CreateSymlink(res.ufs_path, target); !st.ok()) {
      return WithContext(st.error(), fmt::format("symlink {} in {}", normalized, res.ufs_uri));
    }
    int64_t now = Now();
    OpBatch batch;
    Inode link;
    link.id = AllocateInodeId(batch);
    link.parent_id = walk->chain.back().id;
    link.name = components->back();
    link.mode = 0777;
    link.owner = options.owner;
    link.group = options.group;
    link.mtime_ms = now;
    link.length = target.size();
    link.completed = true;
    link.persisted = true;
    link.last_sync_ms = now;
    link.symlink_target = target;
    // Our own link must not look like a foreign change at the next sync.
    auto status = res.mount->ufs->GetStatus(res.ufs_path);
    if (status.ok()) link.ufs_fingerprint = status->fingerprint;
    batch.batch.PutInode(link);
    batch.batch.PutEdge(link.parent_id, link.name, link.id);
    if (Status st = TouchParent(link.parent_id, now, batch); !st.ok()) return st.failure();
    if (Status st = Commit(batch); !st.ok()) return st.failure();
    return ToFileInfo(link, normalized);
  });
}

Result<FileInfo> Namespace::CompleteFile(std::string_view path,
                                         const CompleteFileOptions& options) {
  auto components = SplitPath(path);
  if (!components.ok()) return components.failure();
  std::string normalized = JoinPath(*components);
  return Durably([&]() -> Result<FileInfo> {
    auto inode = ResolveExisting(*components, normalized, false);
    if (!inode.ok()) return inode.failure();
    return CompleteFileLocked(std::move(*inode), normalized, options);
  });
}

Result<FileInfo> Namespace::CompleteFile(uint64_t file_id, const CompleteFileOptions& options) {
  return Durably([&]() -> Result<FileInfo> {
    auto inode = store_->GetInode(file_id);
    if (!inode.ok()) return inode.failure();
    if (!inode->has_value()) {
      // Removed while being written, possibly before its writer staged anything.
      RemovedFiles gone;
      gone.incomplete_file_ids.push_back(file_id);
      DropStagedInEveryMount(gone);
      return Fail(ErrorCode::kNotFound, fmt::format("file {} does not exist", file_id));
    }
    auto path = PathOf(file_id);
    if (!path.ok()) return path.failure();
    return CompleteFileLocked(std::move(**inode), *path, options);
  });
}

Result<UfsStatus> Namespace::PublishStagedCopy(uint64_t id, const std::string& path,
                                               uint64_t length) {
  MountTable::Resolution res = mounts_.Resolve(path);
  auto status = res.mount->ufs->PublishStaged(StagedFileName(id), res.ufs_path, length);
  if (!status.ok() && status.code() == ErrorCode::kNotFound) {
    // Nothing staged: a master killed between the publish and recording it has published it
    // already (the completion is repeated), if the path holds exactly `length` bytes (a file
    // replaced at create was deleted from the UFS then).
    auto published = res.mount->ufs->GetStatus(res.ufs_path);
    if (published.ok() && !published->is_directory && published->symlink_target.empty() &&
        published->length == length) {
      status = std::move(published);
    }
  }
  if (!status.ok()) {
    return WithContext(status.error(), fmt::format("publish {} in {}", path, res.ufs_uri));
  }
  return status;
}

Result<FileInfo> Namespace::CompleteFileLocked(Inode inode, const std::string& path,
                                               const CompleteFileOptions& options) {
  if (inode.is_directory) {
    return Fail(ErrorCode::kIsADirectory, fmt::format("{} is a directory", path));
  }
  if (inode.completed) {
    // The same completion again (the client repeats one whose answer it lost): done already.
    if (inode.length == options.length && inode.block_ids == options.block_ids) {
      return ToFileInfo(inode, path);
    }
    return Fail(ErrorCode::kAlreadyExists, fmt::format("{} is already complete", path));
  }
  if (options.persisted && options.to_be_persisted) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: completed both persisted and to be persisted", path));
  }
  uint64_t blocks = BlockCount(options.length, inode.block_size);
  if (blocks >= kMaxSequence) {
    return Fail(ErrorCode::kOutOfRange,
                fmt::format("{} bytes need more than {} blocks", options.length, kMaxSequence));
  }
  std::vector<uint64_t> expected;
  expected.reserve(blocks);
  for (uint64_t i = 0; i < blocks; ++i) expected.push_back(BlockIdForFile(inode.id, i));
  if (options.block_ids != expected) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: {} block ids given, expected the {} blocks of file {}", path,
                            options.block_ids.size(), blocks, inode.id));
  }
  if (options.persisted) {
    auto status = PublishStagedCopy(inode.id, path, options.length);
    if (!status.ok()) return status.failure();
    inode.ufs_fingerprint = status->fingerprint;
  }
  int64_t now = Now();
  inode.length = options.length;
  inode.block_ids = std::move(expected);
  inode.completed = true;
  inode.persisted = options.persisted;
  inode.to_be_persisted = options.to_be_persisted;
  inode.mtime_ms = now;
  inode.last_sync_ms = now;
  OpBatch batch;
  batch.batch.PutInode(inode);
  if (inode.to_be_persisted) batch.batch.PutPendingPersist(inode.id);
  if (Status st = Commit(batch); !st.ok()) return st.failure();
  return ToFileInfo(inode, path);
}

Result<FileInfo> Namespace::ScheduleAsyncPersistence(std::string_view path) {
  auto components = SplitPath(path);
  if (!components.ok()) return components.failure();
  std::string normalized = JoinPath(*components);
  return Durably([&]() -> Result<FileInfo> {
    auto inode = ResolveExisting(*components, normalized, false);
    if (!inode.ok()) return inode.failure();
    if (inode->is_directory) {
      return Fail(ErrorCode::kIsADirectory, fmt::format("{} is a directory", normalized));
    }
    if (inode->is_symlink()) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("{} is a symbolic link: it is persisted", normalized));
    }
    if (!inode->completed) {
      return Fail(ErrorCode::kIncomplete, fmt::format("{} is being written", normalized));
    }
    if (inode->persisted || inode->to_be_persisted) return ToFileInfo(*inode, normalized);
    MountTable::Resolution res = mounts_.Resolve(normalized);
    if (Status st = CheckWritable(res, normalized); !st.ok()) return st.failure();
    inode->to_be_persisted = true;
    OpBatch batch;
    batch.batch.PutInode(*inode);
    batch.batch.PutPendingPersist(inode->id);
    if (Status st = Commit(batch); !st.ok()) return st.failure();
    return ToFileInfo(*inode, normalized);
  });
}

Result<std::vector<uint64_t>> Namespace::PendingPersists() {
  std::lock_guard lock(mu_);
  return store_->ListPendingPersists();
}

Result<PersistJob> Namespace::GetPersistJob(uint64_t file_id) {
  std::lock_guard lock(mu_);
  auto inode = store_->GetInode(file_id);
  if (!inode.ok()) return inode.failure();
  if (!inode->has_value() || !(*inode)->to_be_persisted) {
    return Fail(ErrorCode::kNotFound, fmt::format("file {} is not to be persisted", file_id));
  }
  auto path = PathOf(file_id);
  if (!path.ok()) return path.failure();
  MountTable::Resolution res = mounts_.Resolve(*path);
  const Inode& file = **inode;
  return PersistJob{file.id,
                    file.length,
                    file.block_size,
                    file.block_ids,
                    file.mode,
                    res.mount->info.mount_id,
                    res.mount->info.ufs_uri};
}

Result<FileInfo> Namespace::CompletePersist(uint64_t file_id, uint64_t length) {
  return Durably([&]() -> Result<FileInfo> {
    auto inode = store_->GetInode(file_id);
    if (!inode.ok()) return inode.failure();
    if (!inode->has_value()) {
      // Removed (or replaced) while a worker persisted it: its copy must never appear.
      RemovedFiles gone;
      gone.unpersisted_file_ids.push_back(file_id);
      DropStagedInEveryMount(gone);
      return Fail(ErrorCode::kNotFound, fmt::format("file {} does not exist", file_id));
    }
    auto path = PathOf(file_id);
    if (!path.ok()) return path.failure();
    Inode& file = **inode;
    if (file.persisted) return ToFileInfo(file, *path);
    if (!file.to_be_persisted) {
      return Fail(ErrorCode::kNotFound, fmt::format("{} is not to be persisted", *path));
    }
    if (length != file.length) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("{}: {} bytes staged, the file has {}", *path, length, file.length));
    }
    auto status = PublishStagedCopy(file.id, *path, length);
    if (!status.ok()) return status.failure();
    file.persisted = true;
    file.to_be_persisted = false;
    file.ufs_fingerprint = status->fingerprint;
    file.last_sync_ms = Now();
    OpBatch batch;
    batch.batch.PutInode(file);
    batch.batch.DeletePendingPersist(file.id);
    if (Status st = Commit(batch); !st.ok()) return st.failure();
    return ToFileInfo(file, *path);
  });
}

Result<RemovedFiles> Namespace::Remove(std::string_view path, bool recursive) {
  auto components = SplitPath(path);
  if (!components.ok()) return components.failure();
  if (components->empty()) return Fail(ErrorCode::kInvalidArgument, "cannot remove /");
  std::string normalized = JoinPath(*components);
  return Durably([&]() -> Result<RemovedFiles> {
    auto target = ResolveExisting(*components, normalized, true);
    if (!target.ok()) return target.failure();
    if (mounts_.Find(normalized) != nullptr || mounts_.HasMountBelow(normalized)) {
      return Fail(ErrorCode::kBusy, fmt::format("{} is or contains a mount point", normalized));
    }
    MountTable::Resolution res = mounts_.Resolve(normalized);
    if (Status st = CheckWritable(res, normalized); !st.ok()) return st.failure();
    if (target->is_directory && !recursive) {
      if (Status st = SyncChildren(*target, normalized); !st.ok()) return st.failure();
      auto has_children = store_->HasChildren(target->id);
      if (!has_children.ok()) return has_children.failure();
      if (*has_children) {
        return Fail(ErrorCode::kNotEmpty, fmt::format("{} is not empty", normalized));
      }
    }
    auto subtree = CollectSubtree(*target);
    if (!subtree.ok()) return subtree.failure();
    if (target->persisted) {
      Status st = res.mount->ufs->Delete(res.ufs_path, recursive && target->is_directory);
      if (!st.ok() && st.code() != ErrorCode::kNotFound) {
        return WithContext(st.error(), fmt::format("delete {} in {}", normalized, res.ufs_uri));
      }
    }
    OpBatch batch;
    RemovedFiles removed;
    RemoveSubtree(*subtree, batch, &removed);
    if (Status st = TouchParent(target->parent_id, Now(), batch); !st.ok()) return st.failure();
    if (Status st = Commit(batch); !st.ok()) return st.failure();
    DropStaged(*res.mount->ufs, removed);
    return removed;
  });
}

Result<RemovedFiles> Namespace::Rename(std::string_view src, std::string_view dst) {
  auto src_components = SplitPath(src);
  if (!src_components.ok()) return src_components.failure();
  auto dst_components = SplitPath(dst);
  if (!dst_components.ok()) return dst_components.failure();
  if (src_components->empty() || dst_components->empty()) {
    return Fail(ErrorCode::kInvalidArgument, "cannot rename / or onto /");
  }
  std::string src_path = JoinPath(*src_components);
  std::string dst_path = JoinPath(*dst_components);
  return Durably([&]() -> Result<RemovedFiles> {
    auto source = ResolveExisting(*src_components, src_path, true);
    if (!source.ok()) return source.failure();
    if (src_path == dst_path) return RemovedFiles{};
    if (IsSameOrUnder(dst_path, src_path)) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("cannot move {} into itself ({})", src_path, dst_path));
    }
    if (mounts_.Find(src_path) != nullptr || mounts_.HasMountBelow(src_path)) {
      return Fail(ErrorCode::kBusy, fmt::format("{} is or contains a mount point", src_path));
    }
    auto walk = WalkPath(*dst_components);
    if (!walk.ok()) return walk.failure();
    std::optional<Inode> target;
    if (walk->existing() == dst_components->size()) {
      auto synced = SyncInode(walk->chain.back(), dst_path);
      if (!synced.ok()) return synced.failure();
      target = std::move(*synced);
      walk->chain.pop_back();
    }
    if (walk->existing() + 1 < dst_components->size()) {
      return Fail(ErrorCode::kNotFound, fmt::format("parent of {} does not exist", dst_path));
    }
    if (target) {
      if (mounts_.Find(dst_path) != nullptr) {
        return Fail(ErrorCode::kBusy, fmt::format("{} is a mount point", dst_path));
      }
      if (target->is_directory) {
        if (!source->is_directory) {
          return Fail(ErrorCode::kIsADirectory, fmt::format("{} is a directory", dst_path));
        }
        if (Status st = SyncChildren(*target, dst_path); !st.ok()) return st.failure();
        auto has_children = store_->HasChildren(target->id);
        if (!has_children.ok()) return has_children.failure();
        if (*has_children) {
          return Fail(ErrorCode::kNotEmpty, fmt::format("{} is not empty", dst_path));
        }
      } else if (source->is_directory) {
        return Fail(ErrorCode::kNotADirectory, fmt::format("{} is not a directory", dst_path));
      }
    }
    MountTable::Resolution src_res = mounts_.Resolve(src_path);
    MountTable::Resolution dst_res = mounts_.Resolve(dst_path);
    if (src_res.mount != dst_res.mount) {
      return Fail(ErrorCode::kUnsupported,
                  fmt::format("cannot rename {} to {} across mounts", src_path, dst_path));
    }
    if (Status st = CheckWritable(src_res, src_path); !st.ok()) return st.failure();
    UnderFileSystem& ufs = *src_res.mount->ufs;
    const uint64_t mount_id = src_res.mount->info.mount_id;
    OpBatch batch;
    if (source->persisted) {
      // Recorded first: a master killed between the UFS rename and the namespace commit undoes
      // the UFS rename when it starts again (UndoRenames), so the two never disagree.
      OpBatch intent;
      intent.batch.PutRenameIntent(mount_id, src_res.ufs_path, dst_res.ufs_path);
      if (Status st = store_->Commit(intent.batch, InodeStore::Durability::kLazy); !st.ok()) {
        return st.failure();
      }
      batch.batch.DeleteRenameIntent(mount_id, src_res.ufs_path);
      if (Status st = ufs.Rename(src_res.ufs_path, dst_res.ufs_path); !st.ok()) {
        (void)store_->Commit(batch.batch, InodeStore::Durability::kLazy);
        return WithContext(st.error(), fmt::format("rename {} to {} in {}", src_path, dst_path,
                                                   src_res.mount->info.ufs_uri));
      }
      if (!source->is_directory) {
        auto status = ufs.GetStatus(dst_res.ufs_path);
        if (status.ok()) source->ufs_fingerprint = status->fingerprint;
      }
    } else if (target && target->persisted) {
      Status st = ufs.Delete(dst_res.ufs_path, false);
      if (!st.ok() && st.code() != ErrorCode::kNotFound) {
        return WithContext(st.error(),
                           fmt::format("delete replaced {} in {}", dst_path, dst_res.ufs_uri));
      }
    }
    int64_t now = Now();
    RemovedFiles removed;
    if (target) RemoveSubtree({*target}, batch, &removed);
    uint64_t old_parent = source->parent_id;
    uint64_t new_parent = walk->chain.back().id;
    batch.batch.DeleteEdge(old_parent, source->name);
    source->parent_id = new_parent;
    source->name = dst_components->back();
    batch.batch.PutInode(*source);
    batch.batch.PutEdge(new_parent, source->name, source->id);
    if (Status st = TouchParent(old_parent, now, batch); !st.ok()) return st.failure();
    if (new_parent != old_parent) {
      if (Status st = TouchParent(new_parent, now, batch); !st.ok()) return st.failure();
    }
    if (Status st = Commit(batch); !st.ok()) return st.failure();
    DropStaged(ufs, removed);
    return removed;
  });
}

Result<FileInfo> Namespace::SetAttribute(std::string_view path,
                                         const SetAttributeOptions& options) {
  auto components = SplitPath(path);
  if (!components.ok()) return components.failure();
  if (options.mode) {
    if (Status st = CheckMode(*options.mode); !st.ok()) return st.failure();
  }
  std::string normalized = JoinPath(*components);
  return Durably([&]() -> Result<FileInfo> {
    auto inode = ResolveExisting(*components, normalized, true);
    if (!inode.ok()) return inode.failure();
    if (options.mode && inode->is_symlink()) {
      return Fail(ErrorCode::kUnsupported,
                  fmt::format("{} is a symbolic link: its mode is always 0777", normalized));
    }
    MountTable::Resolution res = mounts_.Resolve(normalized);
    if (Status st = CheckWritable(res, normalized); !st.ok()) return st.failure();
    if (inode->persisted && (options.mode || options.mtime_ms)) {
      if (options.mode) {
        if (Status st = res.mount->ufs->SetMode(res.ufs_path, *options.mode); !st.ok()) {
          return WithContext(st.error(), fmt::format("chmod {} in {}", normalized, res.ufs_uri));
        }
      }
      if (options.mtime_ms) {
        if (Status st = res.mount->ufs->SetMtime(res.ufs_path, *options.mtime_ms); !st.ok()) {
          return WithContext(st.error(),
                             fmt::format("set mtime of {} in {}", normalized, res.ufs_uri));
        }
      }
      if (!inode->is_directory) {
        // Our own change must not look like a foreign one at the next sync.
        auto status = res.mount->ufs->GetStatus(res.ufs_path);
        if (status.ok()) inode->ufs_fingerprint = status->fingerprint;
      }
    }
    if (options.mode) inode->mode = *options.mode;
    if (options.owner) inode->owner = *options.owner;
    if (options.group) inode->group = *options.group;
    if (options.mtime_ms) inode->mtime_ms = *options.mtime_ms;
    OpBatch batch;
    batch.batch.PutInode(*inode);
    if (Status st = Commit(batch); !st.ok()) return st.failure();
    return ToFileInfo(*inode, normalized);
  });
}

Status Namespace::Mount(std::string_view alluxio_path, std::string_view ufs_uri, bool read_only,
                        const std::map<std::string, std::string>& options) {
  auto components = SplitPath(alluxio_path);
  if (!components.ok()) return components.failure();
  if (components->empty()) return Fail(ErrorCode::kAlreadyExists, "/ is already mounted");
  if (ufs_uri.empty()) return Fail(ErrorCode::kInvalidArgument, "empty UFS URI");
  std::string normalized = JoinPath(*components);
  return Durably([&]() -> Status {
    auto walk = WalkPath(*components);
    if (!walk.ok()) return walk.failure();
    if (walk->existing() == components->size()) {
      return Fail(ErrorCode::kAlreadyExists, fmt::format("{} already exists", normalized));
    }
    if (walk->existing() + 1 < components->size()) {
      return Fail(ErrorCode::kNotFound, fmt::format("parent of {} does not exist", normalized));
    }
    auto ufs = options_.ufs_factory(ufs_uri, MergeUfsOptions(options_.ufs_options, options));
    if (!ufs.ok()) return WithContext(ufs.error(), fmt::format("mount {}", ufs_uri));
    auto status = (*ufs)->GetStatus("/");
    if (!status.ok()) return WithContext(status.error(), fmt::format("mount {}", ufs_uri));
    if (!status->is_directory) {
      return Fail(ErrorCode::kNotADirectory, fmt::format("{} is not a directory", ufs_uri));
    }
    int64_t now = Now();
    OpBatch batch;
    Inode inode;
    inode.id = AllocateInodeId(batch);
    inode.parent_id = walk->chain.back().id;
    inode.name = components->back();
    inode.is_directory = true;
    inode.mode = status->mode & 07777;
    inode.owner = status->owner;
    inode.group = status->group;
    inode.mtime_ms = status->mtime_ms;
    inode.completed = true;
    inode.persisted = true;
    inode.ufs_fingerprint = status->fingerprint;
    inode.last_sync_ms = now;
    MountInfo info{normalized, std::string(ufs_uri), read_only, options, NewMountId(mounts_)};
    batch.batch.PutInode(inode);
    batch.batch.PutEdge(inode.parent_id, inode.name, inode.id);
    batch.batch.PutMount(info);
    if (Status st = TouchParent(inode.parent_id, now, batch); !st.ok()) return st;
    if (Status st = Commit(batch); !st.ok()) return st;
    CleanStaged(**ufs, info.ufs_uri);
    std::shared_ptr<UnderFileSystem> shared = std::move(*ufs);
    mounts_.Add(std::move(info), std::move(shared));
    ALX_LOG(kInfo, "master", "mounted {} at {}{}", ufs_uri, normalized,
            read_only ? " (read-only)" : "");
    return Ok();
  });
}

Result<RemovedFiles> Namespace::Unmount(std::string_view alluxio_path) {
  auto components = SplitPath(alluxio_path);
  if (!components.ok()) return components.failure();
  if (components->empty()) return Fail(ErrorCode::kInvalidArgument, "cannot unmount /");
  std::string normalized = JoinPath(*components);
  return Durably([&]() -> Result<RemovedFiles> {
    auto inode = ResolveExisting(*components, normalized, false);
    if (!inode.ok()) return inode.failure();
    if (mounts_.Find(normalized) == nullptr) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("{} is not a mount point", normalized));
    }
    if (mounts_.HasMountBelow(normalized)) {
      return Fail(ErrorCode::kBusy, fmt::format("{} contains other mount points", normalized));
    }
    auto subtree = CollectSubtree(*inode);
    if (!subtree.ok()) return subtree.failure();
    OpBatch batch;
    RemovedFiles removed;
    RemoveSubtree(*subtree, batch, &removed);
    batch.batch.DeleteMount(normalized);
    if (Status st = TouchParent(inode->parent_id, Now(), batch); !st.ok()) return st.failure();
    if (Status st = Commit(batch); !st.ok()) return st.failure();
    DropStaged(*mounts_.Find(normalized)->ufs, removed);
    mounts_.Remove(normalized);
    ALX_LOG(kInfo, "master", "unmounted {}", normalized);
    return removed;
  });
}

std::vector<uint64_t> Namespace::UnknownBlocks(const std::vector<uint64_t>& block_ids) const {
  std::vector<uint64_t> unknown;
  std::optional<std::pair<uint64_t, std::optional<Inode>>> file;  // the last container read
  for (uint64_t block : block_ids) {
    const uint64_t container = ContainerIdOf(block);
    if (!file || file->first != container) {
      auto inode = store_->GetInode(InodeIdForContainer(container));
      if (!inode.ok()) continue;
      file.emplace(container, std::move(*inode));
    }
    const std::optional<Inode>& inode = file->second;
    const bool known =
        inode && !inode->is_directory &&
        (!inode->completed || std::find(inode->block_ids.begin(), inode->block_ids.end(), block) !=
                                  inode->block_ids.end());
    if (!known) unknown.push_back(block);
  }
  return unknown;
}

std::vector<MountInfo> Namespace::GetMountTable() {
  std::lock_guard lock(mu_);
  return mounts_.List();
}

Result<MountInfo> Namespace::GetMount(uint64_t mount_id) {
  std::lock_guard lock(mu_);
  const MountTable::Entry* entry = mounts_.FindById(mount_id);
  if (entry == nullptr) {
    return Fail(ErrorCode::kNotFound, fmt::format("no mount has id {}", mount_id));
  }
  return entry->info;
}

std::shared_ptr<UnderFileSystem> Namespace::RootUfs() {
  std::lock_guard lock(mu_);
  return mounts_.Find("/")->ufs;
}

Result<FileBlockInfo> Namespace::GetFileBlockInfo(std::string_view path) {
  auto components = SplitPath(path);
  if (!components.ok()) return components.failure();
  std::string normalized = JoinPath(*components);
  return Durably([&]() -> Result<FileBlockInfo> {
    auto inode = ResolveExisting(*components, normalized, true);
    if (!inode.ok()) return inode.failure();
    if (inode->is_directory) {
      return Fail(ErrorCode::kIsADirectory, fmt::format("{} is a directory", normalized));
    }
    if (inode->is_symlink()) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("{} is a symbolic link to {}", normalized, inode->symlink_target));
    }
    if (!inode->completed) {
      return Fail(ErrorCode::kIncomplete, fmt::format("{} is still being written", normalized));
    }
    MountTable::Resolution res = mounts_.Resolve(normalized);
    FileBlockInfo info;
    info.file_id = inode->id;
    info.length = inode->length;
    info.block_size = inode->block_size;
    info.block_ids = inode->block_ids;
    info.persisted = inode->persisted;
    info.ufs_fingerprint = inode->ufs_fingerprint;
    info.mount_ufs_uri = res.mount->info.ufs_uri;
    info.ufs_path = res.ufs_path;
    info.ufs_uri = res.ufs_uri;
    return info;
  });
}

Result<std::vector<Inode>> Namespace::InodesAlong(std::string_view path) {
  auto components = SplitPath(path);
  if (!components.ok()) return components.failure();
  return Durably([&]() -> Result<std::vector<Inode>> {
    auto walk = WalkPath(*components);
    if (!walk.ok()) return walk.failure();
    return std::move(walk->chain);
  });
}

}  // namespace alluxio
