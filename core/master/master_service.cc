#include "core/master/master_service.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/block_id.h"
#include "core/common/logging.h"
#include "core/ufs/ufs_options.h"
#include "core/wire/wire_convert.h"

namespace alluxio {
namespace {

std::string_view View(capnp::Text::Reader text) { return {text.cStr(), text.size()}; }

// Fills `status` and reports whether the result is ok.
template <typename T>
bool SetStatus(const Result<T>& result, wire::Status::Builder status) {
  if (result.ok()) {
    ToWire(Ok(), status);
    return true;
  }
  ToWire(result.error(), status);
  return false;
}

void ToWire(const WorkerAddress& address, wire::WorkerAddress::Builder out) {
  out.setHost(address.host);
  out.setRpcPort(address.rpc_port);
  out.setHostId(address.host_id);
  out.setDomainSocket(address.domain_socket);
}

WorkerAddress FromWire(wire::WorkerAddress::Reader in) {
  return WorkerAddress{in.getHost(), in.getRpcPort(), in.getHostId(), in.getDomainSocket()};
}

// Runs the namespace call `call` on `pool` (inline without one), then `answer(result)` on this
// (the reactor) thread. `call` must not touch the call's message (it runs on another thread):
// it captures copies of what it needs.
template <typename Call, typename Answer>
kj::Promise<void> MutateOn(BlockingPool* pool, Call call, Answer answer) {
  using R = std::invoke_result_t<Call&>;
  if (pool == nullptr) {
    answer(call());
    return kj::READY_NOW;
  }
  auto done = kj::newPromiseAndCrossThreadFulfiller<void>();
  // Shared: a kj::Own may throw from its destructor, which a job's captures must not.
  auto fulfiller =
      std::make_shared<kj::Own<kj::CrossThreadPromiseFulfiller<void>>>(kj::mv(done.fulfiller));
  auto result = std::make_shared<std::optional<R>>();
  UniqueFunction<void()> job = [call = std::move(call), fulfiller, result]() mutable {
    result->emplace(call());
    (*fulfiller)->fulfill();
  };
  if (!pool->Submit(job)) {
    answer(R(Fail(ErrorCode::kUnavailable, "the master is stopping")));
    return kj::READY_NOW;
  }
  return done.promise.then(
      [result, answer = kj::mv(answer)]() mutable { answer(std::move(**result)); });
}

// The file system service of one client: every call acts as the user that client named.
class FileSystemMasterImpl final : public wire::FileSystemMaster::Server {
 public:
  FileSystemMasterImpl(MasterServiceContext context, MasterUser user)
      : c_(std::move(context)), user_(std::move(user)) {}

  kj::Promise<void> getStatus(GetStatusContext context) override {
    auto path = View(context.getParams().getPath());
    auto out = context.getResults();
    if (Refused(Check(&PermissionChecker::CheckLookup, path), out)) return kj::READY_NOW;
    auto result = c_.ns->GetStatus(path);
    if (SetStatus(result, out.initStatus())) alluxio::ToWire(*result, out.initInfo());
    return kj::READY_NOW;
  }

  kj::Promise<void> listStatus(ListStatusContext context) override {
    auto params = context.getParams();
    auto out = context.getResults();
    if (Refused(Check(&PermissionChecker::CheckRead, View(params.getPath())), out)) {
      return kj::READY_NOW;
    }
    auto result =
        c_.ns->ListStatus(View(params.getPath()), View(params.getStartAfter()), params.getLimit());
    if (SetStatus(result, out.initStatus())) {
      auto entries = out.initEntries(result->entries.size());
      for (size_t i = 0; i < result->entries.size(); ++i) {
        alluxio::ToWire(result->entries[i], entries[i]);
      }
      out.setHasMore(result->has_more);
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> createDirectory(CreateDirectoryContext context) override {
    auto p = context.getParams();
    CreateDirectoryOptions options{p.getRecursive(), p.getAllowExists(), p.getMode(), p.getOwner(),
                                   p.getGroup()};
    auto out = context.getResults();
    if (Refused(Check(&PermissionChecker::CheckCreate, View(p.getPath())), out)) {
      return kj::READY_NOW;
    }
    return Mutate([ns = c_.ns, path = std::string(View(p.getPath())),
                   options] { return ns->CreateDirectory(path, options); },
                  [context](const Result<FileInfo>& result) mutable {
                    auto out = context.getResults();
                    if (SetStatus(result, out.initStatus())) {
                      alluxio::ToWire(*result, out.initInfo());
                    }
                  });
  }

  kj::Promise<void> createFile(CreateFileContext context) override {
    auto p = context.getParams();
    CreateFileOptions options;
    options.block_size = p.getBlockSizeBytes();
    options.mode = p.getMode();
    options.owner = p.getOwner();
    options.group = p.getGroup();
    options.overwrite = p.getOverwrite();
    options.recursive = p.getRecursive();
    auto out = context.getResults();
    if (Refused(Check(&PermissionChecker::CheckCreate, View(p.getPath())), out)) {
      return kj::READY_NOW;
    }
    return Mutate([ns = c_.ns, path = std::string(View(p.getPath())),
                   options] { return ns->CreateFile(path, options); },
                  [context, workers = c_.workers](const Result<CreateFileResult>& result) mutable {
                    auto out = context.getResults();
                    if (SetStatus(result, out.initStatus())) {
                      FreeCachedBlocks(workers, result->replaced);
                      alluxio::ToWire(result->info, out.initInfo());
                      out.setMountUfsUri(result->mount_ufs_uri);
                    }
                  });
  }

  kj::Promise<void> createSymlink(CreateSymlinkContext context) override {
    auto p = context.getParams();
    CreateSymlinkOptions options{p.getOwner(), p.getGroup()};
    auto out = context.getResults();
    if (Refused(Check(&PermissionChecker::CheckCreate, View(p.getPath())), out)) {
      return kj::READY_NOW;
    }
    return Mutate([ns = c_.ns, path = std::string(View(p.getPath())),
                   target = std::string(View(p.getTarget())),
                   options] { return ns->CreateSymlink(path, target, options); },
                  [context](const Result<FileInfo>& result) mutable {
                    auto out = context.getResults();
                    if (SetStatus(result, out.initStatus()))
                      alluxio::ToWire(*result, out.initInfo());
                  });
  }

  kj::Promise<void> completeFile(CompleteFileContext context) override {
    auto p = context.getParams();
    CompleteFileOptions options;
    options.length = p.getLength();
    options.block_ids = alluxio::FromWire(p.getBlockIds());
    options.persisted = p.getPersisted();
    options.to_be_persisted = p.getToBePersisted();
    const std::chrono::milliseconds wait(std::max<int64_t>(0, p.getPersistenceWaitMs()));
    return Mutate([ns = c_.ns, id = p.getFileId(),
                   options = std::move(options)] { return ns->CompleteFile(id, options); },
                  [context, persists = c_.persists, wait](const Result<FileInfo>& result) mutable {
                    auto out = context.getResults();
                    if (SetStatus(result, out.initStatus())) {
                      if (result->to_be_persisted && persists != nullptr) {
                        persists->Add(result->id, wait);
                      }
                      alluxio::ToWire(*result, out.initInfo());
                    }
                  });
  }

  kj::Promise<void> abortFile(AbortFileContext context) override {
    return Mutate([ns = c_.ns, id = context.getParams().getFileId()] { return Abort(*ns, id); },
                  [context, workers = c_.workers](const Result<RemovedFiles>& removed) mutable {
                    if (SetStatus(removed, context.getResults().initStatus())) {
                      FreeCachedBlocks(workers, *removed);
                    }
                  });
  }

  kj::Promise<void> remove(RemoveContext context) override {
    auto p = context.getParams();
    auto out = context.getResults();
    if (Refused(Check(&PermissionChecker::CheckRemove, View(p.getPath())), out)) {
      return kj::READY_NOW;
    }
    return Mutate([ns = c_.ns, path = std::string(View(p.getPath())),
                   recursive = p.getRecursive()] { return ns->Remove(path, recursive); },
                  [context, workers = c_.workers](const Result<RemovedFiles>& removed) mutable {
                    if (SetStatus(removed, context.getResults().initStatus())) {
                      FreeCachedBlocks(workers, *removed);
                    }
                  });
  }

  kj::Promise<void> rename(RenameContext context) override {
    auto p = context.getParams();
    auto out = context.getResults();
    if (Refused(Check(&PermissionChecker::CheckRename, View(p.getSrc()), View(p.getDst())), out)) {
      return kj::READY_NOW;
    }
    if (p.getNoReplace()) {
      auto existing = c_.ns->GetStatus(View(p.getDst()));
      if (existing.ok()) {
        ToWire(Status(Fail(ErrorCode::kAlreadyExists, std::string(View(p.getDst())))),
               out.initStatus());
        return kj::READY_NOW;
      }
    }
    return Mutate([ns = c_.ns, src = std::string(View(p.getSrc())),
                   dst = std::string(View(p.getDst()))] { return ns->Rename(src, dst); },
                  [context, workers = c_.workers](const Result<RemovedFiles>& removed) mutable {
                    if (SetStatus(removed, context.getResults().initStatus())) {
                      FreeCachedBlocks(workers, *removed);
                    }
                  });
  }

  kj::Promise<void> setAttribute(SetAttributeContext context) override {
    auto p = context.getParams();
    auto o = p.getOptions();
    SetAttributeOptions options;
    if (o.getHasMode()) options.mode = o.getMode();
    if (o.getOwner().size() > 0) options.owner = std::string(View(o.getOwner()));
    if (o.getGroup().size() > 0) options.group = std::string(View(o.getGroup()));
    if (o.getHasMtime()) options.mtime_ms = o.getMtimeMs();
    auto out = context.getResults();
    if (Refused(Check(&PermissionChecker::CheckSetAttribute, View(p.getPath()), options), out)) {
      return kj::READY_NOW;
    }
    return Mutate([ns = c_.ns, path = std::string(View(p.getPath())),
                   options] { return ns->SetAttribute(path, options); },
                  [context](const Result<FileInfo>& result) mutable {
                    auto out = context.getResults();
                    if (SetStatus(result, out.initStatus())) {
                      alluxio::ToWire(*result, out.initInfo());
                    }
                  });
  }

  kj::Promise<void> mount(MountContext context) override {
    auto p = context.getParams();
    auto out = context.getResults();
    if (Refused(Check(&PermissionChecker::CheckCreate, View(p.getAlluxioPath())), out)) {
      return kj::READY_NOW;
    }
    Status s = c_.ns->Mount(View(p.getAlluxioPath()), View(p.getUfsUri()), p.getReadOnly(),
                            alluxio::FromWire(p.getOptions()));
    ToWire(s, out.initStatus());
    return kj::READY_NOW;
  }

  kj::Promise<void> unmount(UnmountContext context) override {
    auto path = View(context.getParams().getAlluxioPath());
    auto out = context.getResults();
    if (Refused(Check(&PermissionChecker::CheckRemove, path), out)) return kj::READY_NOW;
    auto removed = c_.ns->Unmount(path);
    if (SetStatus(removed, out.initStatus())) FreeCachedBlocks(c_.workers, *removed);
    return kj::READY_NOW;
  }

  kj::Promise<void> getMountTable(GetMountTableContext context) override {
    auto table = c_.ns->GetMountTable();
    auto out = context.getResults();
    ToWire(Ok(), out.initStatus());
    auto mounts = out.initMounts(table.size());
    for (size_t i = 0; i < table.size(); ++i) {
      mounts[i].setAlluxioPath(table[i].alluxio_path);
      mounts[i].setUfsUri(table[i].ufs_uri);
      mounts[i].setReadOnly(table[i].read_only);
      std::map<std::string, std::string> shown = MaskedUfsOptions(table[i].options);
      alluxio::ToWire(shown, mounts[i].initOptions(shown.size()));
    }
    return kj::READY_NOW;
  }

  // Secrets included: what a worker or client needs to open the mount's UFS itself.
  kj::Promise<void> getMountOptions(GetMountOptionsContext context) override {
    auto out = context.getResults();
    Result<MountInfo> mount = c_.ns->GetMount(context.getParams().getMountId());
    if (!mount.ok()) {
      ToWire(mount.error(), out.initStatus());
      return kj::READY_NOW;
    }
    ToWire(Ok(), out.initStatus());
    alluxio::ToWire(mount->options, out.initOptions(mount->options.size()));
    return kj::READY_NOW;
  }

  kj::Promise<void> scheduleAsyncPersistence(ScheduleAsyncPersistenceContext context) override {
    auto path = std::string(View(context.getParams().getPath()));
    auto out = context.getResults();
    if (Refused(Check(&PermissionChecker::CheckRead, path), out)) return kj::READY_NOW;
    return Mutate([ns = c_.ns, path] { return ns->ScheduleAsyncPersistence(path); },
                  [context, persists = c_.persists](const Result<FileInfo>& result) mutable {
                    auto out = context.getResults();
                    if (SetStatus(result, out.initStatus())) {
                      if (result->to_be_persisted && persists != nullptr) {
                        persists->Add(result->id, std::chrono::milliseconds(0));
                      }
                      alluxio::ToWire(*result, out.initInfo());
                    }
                  });
  }

  kj::Promise<void> getBlockInfos(GetBlockInfosContext context) override {
    auto path = View(context.getParams().getPath());
    auto out = context.getResults();
    if (Refused(Check(&PermissionChecker::CheckRead, path), out)) return kj::READY_NOW;
    auto info = c_.ns->GetStatus(path);
    if (!SetStatus(info, out.initStatus())) return kj::READY_NOW;
    auto blocks = c_.ns->GetFileBlockInfo(path);
    if (!SetStatus(blocks, out.initStatus())) return kj::READY_NOW;
    alluxio::ToWire(*info, out.initInfo());
    out.setUfsFingerprint(blocks->ufs_fingerprint);
    auto list = out.initBlocks(blocks->block_ids.size());
    for (size_t i = 0; i < blocks->block_ids.size(); ++i) {
      uint64_t offset = i * blocks->block_size;
      list[i].setBlockId(blocks->block_ids[i]);
      list[i].setOffset(offset);
      list[i].setLength(std::min(blocks->block_size, blocks->length - offset));
      auto workers = c_.workers->Locations(blocks->block_ids[i]);
      auto locations = list[i].initLocations(workers.size());
      for (size_t w = 0; w < workers.size(); ++w) {
        locations[w].setWorkerId(workers[w].id);
        ToWire(workers[w].address, locations[w].initAddress());
      }
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> free(FreeContext context) override {
    auto p = context.getParams();
    auto out = context.getResults();
    if (Refused(Check(&PermissionChecker::CheckRead, View(p.getPath())), out)) {
      return kj::READY_NOW;
    }
    std::vector<uint64_t> blocks;
    Status s = CollectBlocks(std::string(View(p.getPath())), p.getRecursive(), blocks);
    ToWire(s, out.initStatus());
    if (s.ok()) out.setFreedBlocks(c_.workers->FreeBlocks(blocks));
    return kj::READY_NOW;
  }

  kj::Promise<void> getCapacity(GetCapacityContext context) override {
    auto out = context.getResults();
    uint64_t capacity = 0, used = 0;
    for (const auto& w : c_.workers->LiveWorkers()) {
      capacity += w.capacity_bytes;
      used += w.used_bytes;
    }
    out.setCapacityBytes(capacity);
    out.setUsedBytes(used);
    // An object store reports none (kUnsupported): 0.
    if (auto space = c_.ns->RootUfs()->CapacityAndFree(); space.ok()) {
      out.setUfsCapacityBytes(space->first);
      out.setUfsFreeBytes(space->second);
    }
    ToWire(Ok(), out.initStatus());
    return kj::READY_NOW;
  }

  kj::Promise<void> getWorkers(GetWorkersContext context) override {
    auto workers = c_.workers->Workers();
    auto out = context.getResults();
    ToWire(Ok(), out.initStatus());
    auto list = out.initWorkers(workers.size());
    auto now = std::chrono::steady_clock::now();
    for (size_t i = 0; i < workers.size(); ++i) {
      list[i].setWorkerId(workers[i].id);
      ToWire(workers[i].address, list[i].initAddress());
      list[i].setCapacityBytes(workers[i].capacity_bytes);
      list[i].setUsedBytes(workers[i].used_bytes);
      list[i].setLastHeartbeatMsAgo(
          std::chrono::duration_cast<std::chrono::milliseconds>(now - workers[i].last_heartbeat)
              .count());
      list[i].setState(workers[i].lost ? "LOST" : "LIVE");
      list[i].setBlockCount(workers[i].block_count);
    }
    return kj::READY_NOW;
  }

 private:
  // The check `check` of this client's user, Ok when the master checks nothing.
  template <typename... Params, typename... Args>
  Status Check(Status (PermissionChecker::*check)(const MasterUser&, Params...),
               const Args&... args) {
    if (c_.permissions == nullptr) return Ok();
    return (c_.permissions->*check)(user_, args...);
  }

  // A refused call: its status is set to `checked`'s error; true when so.
  template <typename Results>
  static bool Refused(const Status& checked, Results out) {
    if (checked.ok()) return false;
    ToWire(checked, out.initStatus());
    return true;
  }

  static void FreeCachedBlocks(WorkerRegistry* workers, const RemovedFiles& removed) {
    if (!removed.block_ids.empty()) (void)workers->FreeBlocks(removed.block_ids);
  }

  // Removes file `file_id` if it is still being written (abortFile); an absent file is Ok.
  static Result<RemovedFiles> Abort(Namespace& ns, uint64_t file_id) {
    auto info = ns.GetStatusById(file_id);
    if (!info.ok()) {
      // Already gone (removed or replaced): nothing to abort.
      if (info.code() == ErrorCode::kNotFound) return RemovedFiles{};
      return info.failure();
    }
    if (info->completed) {
      return Fail(ErrorCode::kInvalidArgument,
                  info->path + " is complete; abort applies to files being written");
    }
    return ns.Remove(info->path, false);
  }

  template <typename Call, typename Answer>
  kj::Promise<void> Mutate(Call call, Answer answer) {
    return MutateOn(c_.mutations, std::move(call), std::move(answer));
  }

  // The blocks of `file` unless they are its only copy until it is persisted (TO_BE_PERSISTED).
  static void AddFreeable(const FileInfo& file, std::vector<uint64_t>& blocks) {
    if (file.to_be_persisted) return;
    blocks.insert(blocks.end(), file.block_ids.begin(), file.block_ids.end());
  }

  Status CollectBlocks(const std::string& path, bool recursive, std::vector<uint64_t>& blocks) {
    auto info = c_.ns->GetStatus(path);
    if (!info.ok()) return info.failure();
    if (!info->is_directory) {
      AddFreeable(*info, blocks);
      return Ok();
    }
    if (!recursive) {
      return Fail(ErrorCode::kIsADirectory, path + " is a directory (free it with -R)");
    }
    std::string start_after;
    while (true) {
      auto page = c_.ns->ListStatus(path, start_after, 1000);
      if (!page.ok()) return page.failure();
      for (const auto& child : page->entries) {
        if (child.is_directory) {
          if (Status s = CollectBlocks(child.path, true, blocks); !s.ok()) return s;
        } else {
          AddFreeable(child, blocks);
        }
      }
      if (!page->has_more || page->entries.empty()) return Ok();
      start_after = page->entries.back().name;
    }
  }

  MasterServiceContext c_;
  const MasterUser user_;
};

class BlockMasterImpl final : public wire::BlockMaster::Server {
 public:
  explicit BlockMasterImpl(MasterServiceContext context) : c_(std::move(context)) {}

  // A worker is handed files while it persists fewer than this many.
  static constexpr size_t kMaxPersistsPerWorker = 64;

  kj::Promise<void> registerWorker(RegisterWorkerContext context) override {
    auto p = context.getParams();
    std::vector<uint64_t> blocks = alluxio::FromWire(p.getBlockIds());
    std::sort(blocks.begin(), blocks.end());  // a file's blocks together: one inode read each
    std::vector<uint64_t> unknown = c_.ns->UnknownBlocks(blocks);
    std::vector<uint64_t> known;
    std::set_difference(blocks.begin(), blocks.end(), unknown.begin(), unknown.end(),
                        std::back_inserter(known));
    uint64_t id = c_.workers->Register(FromWire(p.getAddress()), p.getCapacityBytes(),
                                       p.getUsedBytes(), known);
    std::vector<uint64_t> to_pin;
    if (c_.persists != nullptr) {
      for (uint64_t block : known) {
        if (c_.persists->Pending(FileIdOfBlock(block))) to_pin.push_back(block);
      }
    }
    if (!unknown.empty()) {
      ALX_LOG(kInfo, "master", "worker {} holds {} blocks of no file: it removes them", id,
              unknown.size());
    }
    auto out = context.getResults();
    ToWire(Ok(), out.initStatus());
    out.setWorkerId(id);
    alluxio::ToWire(unknown, out.initBlocksToFree(unknown.size()));
    alluxio::ToWire(to_pin, out.initBlocksToPin(to_pin.size()));
    return kj::READY_NOW;
  }

  kj::Promise<void> heartbeat(HeartbeatContext context) override {
    auto p = context.getParams();
    HeartbeatReply reply = c_.workers->Heartbeat(p.getWorkerId(), p.getUsedBytes(),
                                                 alluxio::FromWire(p.getAddedBlocks()),
                                                 alluxio::FromWire(p.getRemovedBlocks()));
    auto out = context.getResults();
    ToWire(Ok(), out.initStatus());
    out.setReregister(reply.reregister);
    alluxio::ToWire(reply.blocks_to_free, out.initBlocksToFree(reply.blocks_to_free.size()));
    std::vector<MountInfo> mounts = c_.ns->GetMountTable();
    auto ids = out.initMountIds(mounts.size());
    for (size_t i = 0; i < mounts.size(); ++i) ids.set(i, mounts[i].mount_id);
    if (!reply.reregister && c_.persists != nullptr) {
      std::vector<uint64_t> running = alluxio::FromWire(p.getPersisting());
      std::sort(running.begin(), running.end());
      c_.persists->Reconcile(p.getWorkerId(), running);
      std::vector<PersistJob> jobs = TakePersistJobs(
          p.getWorkerId(), kMaxPersistsPerWorker - std::min(kMaxPersistsPerWorker, running.size()));
      auto list = out.initPersistFiles(jobs.size());
      for (size_t i = 0; i < jobs.size(); ++i) {
        list[i].setFileId(jobs[i].file_id);
        list[i].setLength(jobs[i].length);
        list[i].setBlockSize(jobs[i].block_size);
        alluxio::ToWire(jobs[i].block_ids, list[i].initBlockIds(jobs[i].block_ids.size()));
        list[i].setMode(jobs[i].mode);
        list[i].setMountId(jobs[i].mount_id);
        list[i].setMountUfsUri(jobs[i].mount_ufs_uri);
      }
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> persistDone(PersistDoneContext context) override {
    auto p = context.getParams();
    const uint64_t file_id = p.getFileId();
    const uint64_t worker_id = p.getWorkerId();
    if (c_.persists == nullptr) {
      ToWire(Status(Fail(ErrorCode::kUnsupported, "this master persists nothing")),
             context.getResults().initStatus());
      return kj::READY_NOW;
    }
    if (Status s = alluxio::FromWire(p.getResult()); !s.ok()) {
      Retry(c_.persists, file_id, worker_id, s.error());
      ToWire(Ok(), context.getResults().initStatus());
      return kj::READY_NOW;
    }
    return MutateOn(
        c_.mutations,
        [ns = c_.ns, file_id, length = p.getLength()] {
          return ns->CompletePersist(file_id, length);
        },
        [context, persists = c_.persists, file_id,
         worker_id](const Result<FileInfo>& persisted) mutable {
          ToWire(persisted.ok() ? Ok() : Status(persisted.failure()),
                 context.getResults().initStatus());
          if (persisted.ok() || persisted.code() == ErrorCode::kNotFound) {
            persists->Remove(file_id);
            if (persisted.ok()) {
              ALX_LOG(kInfo, "master", "{} persisted by worker {}", persisted->path, worker_id);
            }
            return;
          }
          Retry(persists, file_id, worker_id, persisted.error());
        });
  }

  // Up to `limit` due files whose every block worker `worker_id` holds, now assigned to it.
  // Files gone or persisted meanwhile are forgotten.
  std::vector<PersistJob> TakePersistJobs(uint64_t worker_id, size_t limit) {
    std::vector<PersistJob> jobs;
    if (c_.persists == nullptr) return jobs;
    for (uint64_t file_id : c_.persists->Due()) {
      if (jobs.size() == limit) break;
      Result<PersistJob> job = c_.ns->GetPersistJob(file_id);
      if (!job.ok()) {
        if (job.code() == ErrorCode::kNotFound) c_.persists->Remove(file_id);
        continue;
      }
      bool holds_all = true;
      std::optional<uint64_t> lost_block;  // cached by no live worker
      for (uint64_t block : job->block_ids) {
        auto holders = c_.workers->Locations(block);
        if (holders.empty()) lost_block = block;
        holds_all = holds_all && std::any_of(holders.begin(), holders.end(),
                                             [&](const auto& w) { return w.id == worker_id; });
      }
      if (lost_block) {
        // Its only copy is gone (or on a worker that is away): retried with the backoff.
        int failures = c_.persists->Failed(file_id);
        ALX_LOG(kWarn, "master",
                "file {} cannot be persisted: no live worker holds its block {} ({} tries)",
                file_id, *lost_block, failures);
        continue;
      }
      if (!holds_all) continue;
      c_.persists->Assign(file_id, worker_id);
      jobs.push_back(std::move(job).value());
    }
    return jobs;
  }

  // A failed attempt of `worker_id`: logged, and due again after the backoff (unless the file
  // was handed to another worker meanwhile).
  static void Retry(PersistScheduler* persists, uint64_t file_id, uint64_t worker_id,
                    const Error& error) {
    if (persists->AssignedWorker(file_id) != worker_id) return;
    int failures = persists->Failed(file_id);
    ALX_LOG(kWarn, "master", "persisting file {} on worker {} failed ({} so far; retried): {}",
            file_id, worker_id, failures, error.ToString());
  }

  kj::Promise<void> commitBlock(CommitBlockContext context) override {
    auto p = context.getParams();
    ToWire(c_.workers->CommitBlock(p.getWorkerId(), p.getBlockId(), p.getUsedBytes()),
           context.getResults().initStatus());
    return kj::READY_NOW;
  }

 private:
  MasterServiceContext c_;
};

class MasterImpl final : public wire::Master::Server {
 public:
  explicit MasterImpl(MasterServiceContext context)
      : c_(context), blocks_(kj::heap<BlockMasterImpl>(context)) {}

  // A service acting as the user the client names, or as the user it acts for (impersonation).
  kj::Promise<void> fileSystem(FileSystemContext context) override {
    auto p = context.getParams();
    MasterUser user = Identify(View(p.getUser()), View(p.getGroup()));
    auto out = context.getResults();
    if (p.getActingUser().size() > 0) {
      std::vector<std::string> groups;
      for (capnp::Text::Reader g : p.getActingGroups()) groups.emplace_back(View(g));
      MasterUser acting = Identify(View(p.getActingUser()), View(p.getActingGroup()), groups);
      const Impersonation& rules = c_.impersonation != nullptr ? *c_.impersonation : unconfigured_;
      Status allowed = rules.Check(user, acting);
      ToWire(allowed, out.initStatus());
      if (!allowed.ok()) {
        ALX_LOG(kWarn, "master", "{}", allowed.error().message);
        return kj::READY_NOW;
      }
      user = std::move(acting);
    } else {
      ToWire(Ok(), out.initStatus());
    }
    out.setService(kj::heap<FileSystemMasterImpl>(c_, std::move(user)));
    return kj::READY_NOW;
  }
  kj::Promise<void> blockMaster(BlockMasterContext context) override {
    context.getResults().setService(blocks_);
    return kj::READY_NOW;
  }

 private:
  // The user a client names (everything allowed when the master checks nothing).
  MasterUser Identify(std::string_view name, std::string_view group,
                      const std::vector<std::string>& more_groups = {}) const {
    if (c_.permissions == nullptr) return MasterUser{.name = std::string(name), .superuser = true};
    return c_.permissions->Identify(name, group, more_groups);
  }

  MasterServiceContext c_;
  const Impersonation unconfigured_{{}};
  wire::BlockMaster::Client blocks_;
};

}  // namespace

wire::Master::Client MakeMasterBootstrap(MasterServiceContext context) {
  return kj::heap<MasterImpl>(std::move(context));
}

}  // namespace alluxio
