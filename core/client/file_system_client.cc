#include "core/client/file_system_client.h"

#include <algorithm>
#include <chrono>
#include <string_view>
#include <type_traits>
#include <utility>

#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "core/client/file_in_stream.h"
#include "core/client/file_out_stream.h"
#include "core/client/local_file_out_stream.h"
#include "core/common/logging.h"
#include "core/wire/wire_convert.h"
#include "rpc/await.h"

namespace alluxio::client {
namespace {

// The file a createFileWriter or createLocalFile request is for.
template <typename Request>
void SetNewFile(Request& req, const FileInfo& info, const std::string& mount_ufs_uri,
                WriteType write_type) {
  req.setFileId(info.id);
  req.setBlockSizeBytes(info.block_size);
  req.setMountUfsUri(mount_ufs_uri);
  req.setMountId(info.mount_id);
  req.setMode(info.mode);
  req.setWriteType(alluxio::ToWire(write_type));
}

using Clock = std::chrono::steady_clock;

std::string_view View(capnp::Text::Reader text) { return {text.cStr(), text.size()}; }

WorkerAddress FromWire(wire::WorkerAddress::Reader in) {
  return WorkerAddress{std::string(View(in.getHost())), in.getRpcPort(),
                       std::string(View(in.getHostId())), std::string(View(in.getDomainSocket()))};
}

template <typename Request>
struct RequestTraits;
template <typename Params, typename Results>
struct RequestTraits<capnp::Request<Params, Results>> {
  using ResultsType = Results;
};

template <typename Build>
using ResultsOf = typename RequestTraits<
    std::invoke_result_t<Build&, wire::FileSystemMaster::Client&>>::ResultsType;
template <typename Build, typename Parse>
using CallResult = std::invoke_result_t<Parse&, typename ResultsOf<Build>::Reader>;

enum class Idempotent { kNo, kYes };

// One master call with the retry policy of the file comment. `build` makes the request from the
// service capability, `parse` turns the results (status already checked) into the Result.
// Neither is a coroutine, so they may capture. `what` lives in the caller's frame.
// (Callers pass named locals, never temporaries, to coroutines in a co_await: GCC 12 may
// destroy such temporaries twice.)
template <typename Build, typename Parse>
Task<CallResult<Build, Parse>> CallMaster(FileSystemClient& client, const std::string& what,
                                          Idempotent idempotent, Build build, Parse parse) {
  const ClientOptions& o = client.options();
  const Clock::time_point deadline = Clock::now() + o.retry_max_duration;
  Duration sleep = o.retry_base_sleep;
  while (true) {
    std::optional<Error> error;
    Result<wire::FileSystemMaster::Client> fs = co_await client.FsMaster();
    if (fs) {
      Duration left = std::max<Duration>(deadline - Clock::now(), std::chrono::milliseconds(1));
      auto response = co_await rpc::Await(build(*fs).send(), left);
      if (response) {
        Status status = alluxio::FromWire(response->getStatus());
        if (!status) co_return status.failure();
        co_return parse(*response);
      }
      error = response.error();
    } else {
      error = fs.error();
    }
    bool retry = error->code == ErrorCode::kUnavailable ||
                 (idempotent == Idempotent::kYes && error->code == ErrorCode::kDisconnected);
    if (!retry || Clock::now() + sleep >= deadline) {
      co_return Fail(error->code, fmt::format("{}: {}", what, error->message));
    }
    ALX_LOG(kDebug, "client", "{} failed ({}); retrying in {} ms", what, error->ToString(),
            std::chrono::duration_cast<std::chrono::milliseconds>(sleep).count());
    asio::steady_timer timer(co_await asio::this_coro::executor, sleep);
    co_await timer.async_wait(asio::use_awaitable);
    sleep = std::min<Duration>(sleep * 2, o.retry_max_sleep);
  }
}

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || path == "/") return {};
  return slash == 0 ? "/" : path.substr(0, slash);
}

// After a recursive create, ancestors cached as missing exist now.
void ForgetMissingAncestors(MetadataCache* cache, const std::string& key) {
  if (cache == nullptr) return;
  for (std::string p = ParentOf(key); !p.empty() && p != "/"; p = ParentOf(p)) {
    if (cache->IsMissing(p)) cache->InvalidatePath(p);
  }
}

}  // namespace

std::string CacheKey(std::string_view path) {
  if (!path.starts_with('/')) return std::string(path);
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) {
      out += '/';
      out.append(path.substr(i, j - i));
    }
    i = j + 1;
  }
  return out.empty() ? "/" : out;
}

FileSystemClient::FileSystemClient(std::shared_ptr<ClientContext> context)
    : FileSystemClient(std::move(context), ActingUser{}) {}

FileSystemClient::FileSystemClient(std::shared_ptr<ClientContext> context, ActingUser acting)
    : context_(std::move(context)),
      acting_(std::move(acting)),
      owner_(acting_.user.empty()
                 ? ActingUser{context_->options().user, context_->options().group, {}}
                 : acting_),
      master_(context_->options().master),
      background_(*Reactor::Current(), "client") {}

FileSystemClient::~FileSystemClient() = default;

Task<Result<wire::FileSystemMaster::Client>> FileSystemClient::FsMaster() {
  Result<wire::Master::Client> master = co_await master_.Get<wire::Master>();
  if (!master) co_return master.failure();
  if (fs_connects_ == master_.connects() && refusal_) co_return Fail(*refusal_);
  if (!fs_ || fs_connects_ != master_.connects()) {
    const uint64_t connects = master_.connects();
    refusal_.reset();
    auto request = master->fileSystemRequest();
    request.setUser(options().user);
    request.setGroup(options().group);
    if (acting_.user.empty()) {
      // Pipelined: calls on the service go out without waiting for this one.
      fs_ = request.send().getService();
    } else {
      request.setActingUser(acting_.user);
      request.setActingGroup(acting_.group);
      auto groups = request.initActingGroups(acting_.groups.size());
      for (size_t i = 0; i < acting_.groups.size(); ++i) groups.set(i, acting_.groups[i]);
      auto response = co_await rpc::Await(request.send(), options().retry_max_duration);
      if (!response) co_return response.failure();
      Status allowed = response->hasStatus()
                           ? alluxio::FromWire(response->getStatus())
                           : Fail(ErrorCode::kNotPermitted,
                                  fmt::format("the master does not support impersonation: {} "
                                              "cannot act as {}",
                                              options().user, acting_.user));
      if (!allowed) {
        // Not asked again before a reconnect (the master's rules change with a restart only).
        fs_.reset();
        fs_connects_ = connects;
        refusal_ = allowed.error();
        co_return allowed.failure();
      }
      fs_ = response->getService();
    }
    fs_connects_ = connects;
  }
  co_return *fs_;
}

MetadataCache* FileSystemClient::LookupCache() {
  return acting_.user.empty() ? context_->metadata_cache() : nullptr;
}

Task<Result<FileInfo>> FileSystemClient::GetStatus(std::string path) {
  MetadataCache* cache = LookupCache();
  std::string key = CacheKey(path);
  if (cache != nullptr) {
    if (auto cached = cache->GetStatus(key)) co_return *cached;
    if (cache->IsMissing(key)) co_return Fail(ErrorCode::kNotFound, path + " does not exist");
  }
  const std::string what = "getStatus " + path;
  Result<FileInfo> info = co_await CallMaster(
      *this, what, Idempotent::kYes,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.getStatusRequest();
        req.setPath(path);
        return req;
      },
      [](wire::FileSystemMaster::GetStatusResults::Reader r) -> Result<FileInfo> {
        return alluxio::FromWire(r.getInfo());
      });
  if (cache != nullptr) {
    if (info && (info->is_directory || info->completed)) cache->PutStatus(*info);
    if (!info && info.code() == ErrorCode::kNotFound) cache->PutMissing(key);
  }
  co_return info;
}

Task<Result<ListPage>> FileSystemClient::ListStatusPage(std::string path, std::string start_after,
                                                        uint32_t limit) {
  const std::string what = "listStatus " + path;
  Result<ListPage> page = co_await CallMaster(
      *this, what, Idempotent::kYes,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.listStatusRequest();
        req.setPath(path);
        req.setStartAfter(start_after);
        req.setLimit(limit);
        return req;
      },
      [](wire::FileSystemMaster::ListStatusResults::Reader r) -> Result<ListPage> {
        ListPage page;
        page.entries.reserve(r.getEntries().size());
        for (auto e : r.getEntries()) page.entries.push_back(alluxio::FromWire(e));
        page.has_more = r.getHasMore();
        return page;
      });
  // What a listing shows of each child is what a getStatus of it would: a stat of a listed file
  // asks no master, and one of a name the listing lacks does (it was removed meanwhile).
  if (MetadataCache* cache = LookupCache(); cache != nullptr && page) {
    cache->PutListingPage(CacheKey(path), start_after, page->entries, !page->has_more);
  }
  co_return page;
}

Task<Result<std::vector<FileInfo>>> FileSystemClient::ListStatus(std::string path) {
  MetadataCache* cache = LookupCache();
  std::string key = CacheKey(path);
  if (cache != nullptr) {
    if (auto cached = cache->GetListing(key)) co_return std::move(*cached);
  }
  std::vector<FileInfo> all;
  std::string start_after;
  while (true) {
    Result<ListPage> page = co_await ListStatusPage(path, start_after, options().list_page_size);
    if (!page) co_return page.failure();
    for (FileInfo& e : page->entries) all.push_back(std::move(e));
    if (!page->has_more || page->entries.empty()) break;
    start_after = all.back().name;
  }
  if (cache != nullptr) cache->PutListing(key, all);
  co_return all;
}

Task<Result<FileInfo>> FileSystemClient::CreateDirectory(std::string path,
                                                         CreateDirectoryOptions options) {
  const std::string what = "createDirectory " + path;
  Result<FileInfo> info = co_await CallMaster(
      *this, what, Idempotent::kNo,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.createDirectoryRequest();
        req.setPath(path);
        req.setRecursive(options.recursive);
        req.setAllowExists(options.allow_exists);
        req.setMode(options.mode);
        req.setOwner(options.owner.empty() ? owner_.user : options.owner);
        req.setGroup(options.group.empty() ? owner_.group : options.group);
        return req;
      },
      [](wire::FileSystemMaster::CreateDirectoryResults::Reader r) -> Result<FileInfo> {
        return alluxio::FromWire(r.getInfo());
      });
  if (MetadataCache* cache = context_->metadata_cache()) {
    std::string key = CacheKey(path);
    cache->InvalidateCreated(key);
    ForgetMissingAncestors(cache, key);
    // A directory this call made is empty: lookups of names in it need no master until this
    // client's own changes there (or expiry, for other clients' changes).
    if (info && !options.allow_exists) cache->PutListing(key, {});
  }
  if (!info && info.code() == ErrorCode::kDisconnected) {
    Result<FileInfo> now = co_await GetStatus(path);
    if (now && now->is_directory) co_return now;
  }
  co_return info;
}

Task<Result<FileInfo>> FileSystemClient::CreateSymlink(std::string path, std::string target,
                                                       CreateSymlinkOptions options) {
  const std::string what = "createSymlink " + path;
  Result<FileInfo> info = co_await CallMaster(
      *this, what, Idempotent::kNo,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.createSymlinkRequest();
        req.setPath(path);
        req.setTarget(target);
        req.setOwner(options.owner.empty() ? owner_.user : options.owner);
        req.setGroup(options.group.empty() ? owner_.group : options.group);
        return req;
      },
      [](wire::FileSystemMaster::CreateSymlinkResults::Reader r) -> Result<FileInfo> {
        return alluxio::FromWire(r.getInfo());
      });
  InvalidateCached(path);
  if (!info && info.code() == ErrorCode::kDisconnected) {
    Result<FileInfo> now = co_await GetStatus(path);
    if (now && now->symlink_target == target) co_return now;
  }
  co_return info;
}

Task<Status> FileSystemClient::Delete(std::string path, bool recursive) {
  const std::string what = "delete " + path;
  Status s = co_await CallMaster(
      *this, what, Idempotent::kNo,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.removeRequest();
        req.setPath(path);
        req.setRecursive(recursive);
        return req;
      },
      [](wire::FileSystemMaster::RemoveResults::Reader) { return Ok(); });
  InvalidateCached(path);
  if (!s && s.code() == ErrorCode::kDisconnected) {
    Result<FileInfo> now = co_await GetStatus(path);
    if (!now && now.code() == ErrorCode::kNotFound) co_return Ok();
  }
  co_return s;
}

void FileSystemClient::InvalidateCached(std::string_view path) {
  if (MetadataCache* cache = context_->metadata_cache()) cache->InvalidatePath(CacheKey(path));
}

Task<Status> FileSystemClient::Rename(std::string src, std::string dst, bool no_replace) {
  const std::string what = "rename " + src + " to " + dst;
  Status s = co_await CallMaster(
      *this, what, Idempotent::kNo,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.renameRequest();
        req.setSrc(src);
        req.setDst(dst);
        req.setNoReplace(no_replace);
        return req;
      },
      [](wire::FileSystemMaster::RenameResults::Reader) { return Ok(); });
  InvalidateCached(src);
  InvalidateCached(dst);
  if (!s && s.code() == ErrorCode::kDisconnected && src != dst) {
    Result<FileInfo> source = co_await GetStatus(src);
    Result<FileInfo> target = co_await GetStatus(dst);
    if (!source && source.code() == ErrorCode::kNotFound && target) co_return Ok();
  }
  co_return s;
}

Task<Result<FileInfo>> FileSystemClient::SetAttribute(std::string path,
                                                      SetAttributeOptions options) {
  const std::string what = "setAttribute " + path;
  Result<FileInfo> info = co_await CallMaster(
      *this, what, Idempotent::kYes,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.setAttributeRequest();
        req.setPath(path);
        auto o = req.initOptions();
        o.setHasMode(options.mode.has_value());
        o.setMode(options.mode.value_or(0));
        o.setOwner(options.owner.value_or(""));
        o.setGroup(options.group.value_or(""));
        o.setHasMtime(options.mtime_ms.has_value());
        o.setMtimeMs(options.mtime_ms.value_or(0));
        return req;
      },
      [](wire::FileSystemMaster::SetAttributeResults::Reader r) -> Result<FileInfo> {
        return alluxio::FromWire(r.getInfo());
      });
  InvalidateCached(path);
  co_return info;
}

Task<Status> FileSystemClient::Mount(std::string alluxio_path, std::string ufs_uri, bool read_only,
                                     std::map<std::string, std::string> options) {
  const std::string what = "mount " + alluxio_path;
  Status s = co_await CallMaster(
      *this, what, Idempotent::kNo,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.mountRequest();
        req.setAlluxioPath(alluxio_path);
        req.setUfsUri(ufs_uri);
        req.setReadOnly(read_only);
        alluxio::ToWire(options, req.initOptions(options.size()));
        return req;
      },
      [](wire::FileSystemMaster::MountResults::Reader) { return Ok(); });
  InvalidateCached(alluxio_path);
  co_return s;
}

Task<Status> FileSystemClient::Unmount(std::string alluxio_path) {
  const std::string what = "unmount " + alluxio_path;
  Status s = co_await CallMaster(
      *this, what, Idempotent::kNo,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.unmountRequest();
        req.setAlluxioPath(alluxio_path);
        return req;
      },
      [](wire::FileSystemMaster::UnmountResults::Reader) { return Ok(); });
  InvalidateCached(alluxio_path);
  co_return s;
}

Task<Result<std::vector<MountPointInfo>>> FileSystemClient::GetMountTable() {
  const std::string what = "getMountTable";
  co_return co_await CallMaster(
      *this, what, Idempotent::kYes,
      [](wire::FileSystemMaster::Client& fs) { return fs.getMountTableRequest(); },
      [](wire::FileSystemMaster::GetMountTableResults::Reader r)
          -> Result<std::vector<MountPointInfo>> {
        std::vector<MountPointInfo> mounts;
        for (auto m : r.getMounts()) {
          mounts.push_back(MountPointInfo{std::string(View(m.getAlluxioPath())),
                                          std::string(View(m.getUfsUri())), m.getReadOnly(),
                                          alluxio::FromWire(m.getOptions())});
        }
        return mounts;
      });
}

Task<Result<std::map<std::string, std::string>>> FileSystemClient::GetMountOptions(
    uint64_t mount_id) {
  const std::string what = fmt::format("getMountOptions {}", mount_id);
  co_return co_await CallMaster(
      *this, what, Idempotent::kYes,
      [mount_id](wire::FileSystemMaster::Client& fs) {
        auto req = fs.getMountOptionsRequest();
        req.setMountId(mount_id);
        return req;
      },
      [](wire::FileSystemMaster::GetMountOptionsResults::Reader r)
          -> Result<std::map<std::string, std::string>> {
        return alluxio::FromWire(r.getOptions());
      });
}

Task<Result<FileBlocks>> FileSystemClient::GetBlockInfos(std::string path) {
  MetadataCache* cache = LookupCache();
  const std::string key = CacheKey(path);
  if (cache != nullptr) {
    if (std::optional<FileBlocks> cached = cache->GetBlocks(key)) co_return *std::move(cached);
    if (cache->IsMissing(key)) co_return Fail(ErrorCode::kNotFound, path + " does not exist");
  }
  const std::string what = "getBlockInfos " + path;
  Result<FileBlocks> blocks = co_await CallMaster(
      *this, what, Idempotent::kYes,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.getBlockInfosRequest();
        req.setPath(path);
        return req;
      },
      [](wire::FileSystemMaster::GetBlockInfosResults::Reader r) -> Result<FileBlocks> {
        FileBlocks out;
        out.info = alluxio::FromWire(r.getInfo());
        out.ufs_fingerprint = View(r.getUfsFingerprint());
        for (auto b : r.getBlocks()) {
          BlockInfo block{b.getBlockId(), b.getOffset(), b.getLength(), {}};
          for (auto l : b.getLocations()) {
            block.locations.push_back(BlockLocation{l.getWorkerId(), FromWire(l.getAddress()),
                                                    std::string(View(l.getTierAlias()))});
          }
          out.blocks.push_back(std::move(block));
        }
        return out;
      });
  if (cache != nullptr) {
    // Not the blocks of a file still to be persisted: once persisted its blocks may be evicted,
    // and a reader must then learn that it can read the under storage.
    if (blocks && !blocks->info.to_be_persisted) cache->PutBlocks(*blocks);
    if (!blocks && blocks.code() == ErrorCode::kNotFound) cache->PutMissing(key);
  }
  co_return blocks;
}

Task<Result<uint64_t>> FileSystemClient::Free(std::string path, bool recursive) {
  const std::string what = "free " + path;
  co_return co_await CallMaster(
      *this, what, Idempotent::kYes,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.freeRequest();
        req.setPath(path);
        req.setRecursive(recursive);
        return req;
      },
      [](wire::FileSystemMaster::FreeResults::Reader r) -> Result<uint64_t> {
        return r.getFreedBlocks();
      });
}

Task<Result<Capacity>> FileSystemClient::GetCapacity() {
  const std::string what = "getCapacity";
  co_return co_await CallMaster(
      *this, what, Idempotent::kYes,
      [](wire::FileSystemMaster::Client& fs) { return fs.getCapacityRequest(); },
      [](wire::FileSystemMaster::GetCapacityResults::Reader r) -> Result<Capacity> {
        return Capacity{r.getCapacityBytes(), r.getUsedBytes(), r.getUfsCapacityBytes(),
                        r.getUfsFreeBytes()};
      });
}

Task<Result<std::vector<WorkerInfo>>> FileSystemClient::GetWorkers() {
  const std::string what = "getWorkers";
  Result<std::vector<WorkerInfo>> workers = co_await CallMaster(
      *this, what, Idempotent::kYes,
      [](wire::FileSystemMaster::Client& fs) { return fs.getWorkersRequest(); },
      [](wire::FileSystemMaster::GetWorkersResults::Reader r) -> Result<std::vector<WorkerInfo>> {
        std::vector<WorkerInfo> out;
        for (auto w : r.getWorkers()) {
          out.push_back(WorkerInfo{w.getWorkerId(), FromWire(w.getAddress()), w.getCapacityBytes(),
                                   w.getUsedBytes(), w.getLastHeartbeatMsAgo(),
                                   View(w.getState()) == "LIVE", w.getBlockCount()});
        }
        return out;
      });
  if (workers) context_->workers().Update(*workers);
  co_return workers;
}

Task<Result<std::pair<FileInfo, std::string>>> FileSystemClient::CreateIncompleteFile(
    std::string path, const CreateFileOptions& options) {
  const uint64_t block_size =
      options.block_size != 0 ? options.block_size : this->options().block_size;
  const WriteType write_type = options.write_type.value_or(this->options().write_type);
  const std::string what = "createFile " + path;
  Result<std::pair<FileInfo, std::string>> created = co_await CallMaster(
      *this, what, Idempotent::kNo,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.createFileRequest();
        req.setPath(path);
        req.setBlockSizeBytes(block_size);
        req.setRecursive(options.recursive);
        req.setOverwrite(options.overwrite);
        req.setMode(options.mode);
        req.setOwner(options.owner.empty() ? owner_.user : options.owner);
        req.setGroup(options.group.empty() ? owner_.group : options.group);
        req.setWriteType(alluxio::ToWire(write_type));
        return req;
      },
      [](wire::FileSystemMaster::CreateFileResults::Reader r)
          -> Result<std::pair<FileInfo, std::string>> {
        return std::pair(alluxio::FromWire(r.getInfo()), std::string(View(r.getMountUfsUri())));
      });
  if (MetadataCache* cache = context_->metadata_cache()) {
    std::string key = CacheKey(path);
    cache->InvalidateCreated(key);
    ForgetMissingAncestors(cache, key);
  }
  co_return created;
}

Task<Result<FileInfo>> FileSystemClient::CompleteFile(uint64_t file_id, std::string path,
                                                      uint64_t length,
                                                      std::vector<uint64_t> block_ids,
                                                      WriteType write_type) {
  const std::string what = "completeFile " + path;
  // Repeating a completion that happened returns the file (the master's contract).
  Result<FileInfo> info = co_await CallMaster(
      *this, what, Idempotent::kYes,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.completeFileRequest();
        req.setFileId(file_id);
        req.setLength(length);
        alluxio::ToWire(block_ids, req.initBlockIds(block_ids.size()));
        req.setPersisted(WritesUfsAtCompletion(write_type));
        req.setToBePersisted(write_type == WriteType::kAsyncThrough);
        req.setPersistenceWaitMs(options().persistence_initial_wait.count());
        return req;
      },
      [](wire::FileSystemMaster::CompleteFileResults::Reader r) -> Result<FileInfo> {
        return alluxio::FromWire(r.getInfo());
      });
  if (MetadataCache* cache = context_->metadata_cache()) {
    const std::string key = CacheKey(path);
    if (!info || info->path == key) {
      cache->InvalidateCreated(key);
    } else {  // renamed while being written
      cache->InvalidatePath(key);
      cache->InvalidatePath(info->path);
    }
  }
  co_return info;
}

Task<Result<FileInfo>> FileSystemClient::ScheduleAsyncPersistence(std::string path) {
  const std::string what = "persist " + path;
  Result<FileInfo> info = co_await CallMaster(
      *this, what, Idempotent::kYes,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.scheduleAsyncPersistenceRequest();
        req.setPath(path);
        return req;
      },
      [](wire::FileSystemMaster::ScheduleAsyncPersistenceResults::Reader r) -> Result<FileInfo> {
        return alluxio::FromWire(r.getInfo());
      });
  InvalidateCached(path);
  co_return info;
}

Task<Status> FileSystemClient::AbortFile(uint64_t file_id, std::string path) {
  const std::string what = "abortFile " + path;
  Status s = co_await CallMaster(
      *this, what, Idempotent::kYes,
      [&](wire::FileSystemMaster::Client& fs) {
        auto req = fs.abortFileRequest();
        req.setFileId(file_id);
        return req;
      },
      [](wire::FileSystemMaster::AbortFileResults::Reader) { return Ok(); });
  InvalidateCached(path);
  co_return s;
}

Task<Result<std::shared_ptr<const std::vector<WorkerInfo>>>> FileSystemClient::LiveWorkers(
    bool refresh) {
  WorkerList& list = context_->workers();
  if (refresh || list.Stale(options().worker_list_refresh)) {
    Result<std::vector<WorkerInfo>> fresh = co_await GetWorkers();
    if (!fresh && list.Get()->empty()) co_return fresh.failure();
  }
  co_return list.Get();
}

Task<Result<wire::BlockWorker::Client>> FileSystemClient::Worker(const WorkerAddress& address) {
  std::string key = address.ToString();
  // A worker on this host is reached through its unix socket when it has one (no TCP/IP), and
  // over TCP if that socket cannot be used (e.g. its permissions) or does not answer now.
  if (!address.domain_socket.empty() && context_->IsLocal(address) &&
      !unix_refused_.contains(key)) {
    auto it = workers_.find(key + "|unix");
    if (it == workers_.end()) {
      it = workers_
               .emplace(key + "|unix",
                        std::make_unique<rpc::Channel>(rpc::Endpoint::Unix(address.domain_socket)))
               .first;
    }
    Result<wire::BlockWorker::Client> local = co_await it->second->Get<wire::BlockWorker>();
    if (local || local.code() == ErrorCode::kCancelled) co_return local;
    // A worker that is down (or restarting) does not answer on either: the socket is tried
    // again next time. One that cannot be used while the worker serves is given up.
    if (local.code() != ErrorCode::kUnavailable && local.code() != ErrorCode::kTimedOut) {
      ALX_LOG(kWarn, "client", "worker {}: its unix socket {} is not usable ({}); using TCP", key,
              address.domain_socket, local.error().ToString());
      unix_refused_.insert(key);
    }
  }
  auto it = workers_.find(key);
  if (it == workers_.end()) {
    it = workers_
             .emplace(key, std::make_unique<rpc::Channel>(
                               rpc::Endpoint::Tcp(address.host, address.rpc_port)))
             .first;
  }
  co_return co_await it->second->Get<wire::BlockWorker>();
}

Task<Result<WorkerStats>> FileSystemClient::GetWorkerStats(WorkerAddress address) {
  Result<wire::BlockWorker::Client> worker = co_await Worker(address);
  if (!worker) co_return worker.failure();
  auto response = co_await rpc::Await(worker->getStatsRequest().send(), options().read_timeout);
  if (!response) co_return response.failure();
  if (Status s = alluxio::FromWire(response->getStatus()); !s) co_return s.failure();
  auto st = response->getStats();
  co_return WorkerStats{st.getBlocksCached(), st.getCapacityBytes(), st.getUsedBytes(),
                        st.getCacheHits(),    st.getCacheMisses(),   st.getBytesReadCache(),
                        st.getBytesReadUfs(), st.getEvictions()};
}

Task<Result<std::unique_ptr<FileOutStream>>> FileSystemClient::CreateFile(
    std::string path, CreateFileOptions options) {
  const WriteType write_type = options.write_type.value_or(this->options().write_type);
  options.write_type = write_type;
  Result<std::pair<FileInfo, std::string>> created = co_await CreateIncompleteFile(path, options);
  if (!created) co_return created.failure();
  co_return co_await OpenFileWriter(std::move(created->first), created->second, write_type);
}

Task<Result<std::unique_ptr<FileOutStream>>> FileSystemClient::OpenFileWriter(
    FileInfo info, std::string mount_ufs_uri, WriteType write_type) {
  Result<std::shared_ptr<const std::vector<WorkerInfo>>> live = co_await LiveWorkers();
  std::vector<WorkerInfo> candidates = live ? **live : std::vector<WorkerInfo>{};
  std::optional<Error> last_error;
  // The preferred worker first, then the others in order.
  while (!candidates.empty()) {
    std::optional<WorkerInfo> chosen =
        ChooseWorker(*context_, this->options().write_policy, candidates, info.id);
    std::erase_if(candidates, [&](const WorkerInfo& w) { return w.address == chosen->address; });
    Result<wire::BlockWorker::Client> worker = co_await Worker(chosen->address);
    if (!worker) {
      last_error = worker.error();
      context_->workers().Invalidate();
      continue;
    }
    auto req = worker->createFileWriterRequest();
    SetNewFile(req, info, mount_ufs_uri, write_type);
    auto response = co_await rpc::Await(req.send(), this->options().write_timeout);
    if (!response) {
      last_error = response.error();
      context_->workers().Invalidate();
      continue;
    }
    if (Status s = alluxio::FromWire(response->getStatus()); !s) {
      last_error = s.error();
      break;  // the worker refused (UFS error, bad argument): another one would too
    }
    Result<wire::FileSystemMaster::Client> fs = co_await FsMaster();
    if (!fs) {
      last_error = fs.error();
      break;
    }
    co_return std::make_unique<FileOutStream>(*this, *fs, std::move(info), write_type,
                                              chosen->address, response->getWriter());
  }
  Error error = last_error.value_or(
      Error{ErrorCode::kUnavailable, "no live worker to write " + info.path + " to"});
  (void)co_await AbortFile(info.id, info.path);
  co_return Fail(error.code, "create " + info.path + ": " + error.message);
}

Task<Result<NewFile>> FileSystemClient::CreateFileInPlace(std::string path,
                                                          CreateFileOptions options) {
  const WriteType write_type = options.write_type.value_or(this->options().write_type);
  options.write_type = write_type;
  Result<std::pair<FileInfo, std::string>> created = co_await CreateIncompleteFile(path, options);
  if (!created) co_return created.failure();
  FileInfo& info = created->first;
  NewFile out;
  Result<std::unique_ptr<LocalFileOutStream>> local =
      co_await OpenLocalFileWriter(info, created->second, write_type);
  if (local) {
    out.in_place = std::move(local).value();
    co_return out;
  }
  if (local.code() != ErrorCode::kUnsupported) {
    ALX_LOG(kInfo, "client", "{} written through the worker: {}", path, local.error().ToString());
  }
  Result<std::unique_ptr<FileOutStream>> stream =
      co_await OpenFileWriter(std::move(info), created->second, write_type);
  if (!stream) co_return stream.failure();
  out.stream = std::move(stream).value();
  co_return out;
}

Task<Result<std::unique_ptr<LocalFileOutStream>>> FileSystemClient::OpenLocalFileWriter(
    const FileInfo& info, const std::string& mount_ufs_uri, WriteType write_type) {
  if (write_type == WriteType::kThrough) {
    co_return Fail(ErrorCode::kUnsupported, "THROUGH: nothing is cached");
  }
  Result<std::shared_ptr<const std::vector<WorkerInfo>>> live = co_await LiveWorkers();
  if (!live) co_return live.failure();
  const WorkerInfo* here = nullptr;
  for (const WorkerInfo& w : **live) {
    if (context_->IsLocal(w.address)) {
      here = &w;
      break;
    }
  }
  if (here == nullptr) co_return Fail(ErrorCode::kUnsupported, "no worker on this host");
  const WorkerAddress address = here->address;
  Result<wire::BlockWorker::Client> worker = co_await Worker(address);
  if (!worker) co_return worker.failure();
  auto req = worker->createLocalFileRequest();
  SetNewFile(req, info, mount_ufs_uri, write_type);
  req.setReservation(info.block_size);
  auto response = co_await rpc::Await(req.send(), options().write_timeout);
  if (!response) co_return response.failure();
  if (Status s = alluxio::FromWire(response->getStatus()); !s) co_return s.failure();
  Result<wire::FileSystemMaster::Client> fs = co_await FsMaster();
  if (!fs) co_return fs.failure();
  co_return std::make_unique<LocalFileOutStream>(*this, *fs, info, write_type, address,
                                                 std::string(View(response->getPath())),
                                                 response->getWriter());
}

Task<Result<std::unique_ptr<FileInStream>>> FileSystemClient::OpenFile(std::string path) {
  Result<FileBlocks> blocks = co_await GetBlockInfos(path);
  if (!blocks) co_return blocks.failure();
  co_return std::make_unique<FileInStream>(*this, std::move(blocks).value());
}

Task<Result<uint64_t>> FileSystemClient::LoadFile(std::string path) {
  Result<FileBlocks> file = co_await GetBlockInfos(path);
  if (!file) co_return file.failure();
  uint64_t loaded = 0;
  for (const BlockInfo& block : file->blocks) {
    if (!block.locations.empty()) continue;
    if (!file->info.persisted) {
      co_return Fail(ErrorCode::kUnavailable,
                     fmt::format("block {} of {} is cached nowhere and the file is not persisted",
                                 block.block_id, path));
    }
    Result<std::shared_ptr<const std::vector<WorkerInfo>>> live = co_await LiveWorkers();
    if (!live) co_return live.failure();
    std::optional<WorkerInfo> chosen =
        ChooseWorker(*context_, options().ufs_read_policy, **live, block.block_id);
    if (!chosen) co_return Fail(ErrorCode::kUnavailable, "no live worker to load " + path);
    Result<wire::BlockWorker::Client> worker = co_await Worker(chosen->address);
    if (!worker) co_return worker.failure();
    auto req = worker->cacheBlockRequest();
    req.setBlockId(block.block_id);
    SetUfsSource(*file, block, req.initSource());
    auto response = co_await rpc::Await(req.send(), options().read_timeout);
    if (!response) co_return response.failure();
    if (Status s = alluxio::FromWire(response->getStatus()); !s) co_return s.failure();
    ++loaded;
  }
  co_return loaded;
}

}  // namespace alluxio::client
