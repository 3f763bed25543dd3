#include "core/client/file_in_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <utility>

#include <fmt/format.h>

#include "core/client/file_system_client.h"
#include "core/common/logging.h"
#include "core/reactor/blocking_pool.h"
#include "core/wire/wire_convert.h"
#include "rpc/await.h"

namespace alluxio::client {
namespace {

// Failures after which another source is tried: the worker is gone, or does not hold the block
// it was asked for without a UFS source.
bool FailOver(ErrorCode code) {
  return code == ErrorCode::kDisconnected || code == ErrorCode::kUnavailable ||
         code == ErrorCode::kTimedOut || code == ErrorCode::kNotFound;
}

// Runs a blocking call on the reactor's blocking pool (inline where there is none).
template <typename F>
Task<std::invoke_result_t<F&>> Blocking(F fn) {
  Reactor* reactor = Reactor::Current();
  if (reactor != nullptr && reactor->blocking_pool() != nullptr) {
    co_return co_await RunBlocking(*reactor->blocking_pool(), std::move(fn));
  }
  co_return fn();
}

Result<size_t> PreadFully(int fd, uint64_t offset, std::span<char> buf) {
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::pread(fd, buf.data() + done, buf.size() - done, offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(ErrnoError(errno, "pread of a local block"));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

}  // namespace

FileInStream::FileInStream(FileSystemClient& client, FileBlocks file)
    : client_(client), file_(std::move(file)) {}

FileInStream::~FileInStream() {
  for (auto& [id, local] : local_) ::close(local.fd);
  if (whole_.fd >= 0) ::close(whole_.fd);
}

bool FileInStream::IsLocal(uint64_t offset) const {
  if (whole_.fd >= 0) return true;
  const uint64_t block_size = file_.info.block_size;
  if (block_size == 0) return false;
  const size_t index = static_cast<size_t>(offset / block_size);
  return index < file_.blocks.size() && local_.contains(file_.blocks[index].block_id);
}

Task<int> FileInStream::WholeFileLocal() {
  if (file_.blocks.empty() || file_.info.length == 0 || !client_.options().short_circuit) {
    co_return -1;
  }
  if (file_.blocks.size() > 1) co_return co_await OpenWholeFile();
  const BlockInfo& block = file_.blocks[0];
  if (block.length != file_.info.length || not_local_.contains(block.block_id)) co_return -1;
  std::optional<WorkerAddress> worker = co_await ChooseWorker(0);
  if (!worker || !client_.context().IsLocal(*worker)) co_return -1;
  const ClientOptions& o = client_.options();
  const bool load =
      o.read_cache && file_.info.persisted && block.length <= o.load_on_open_max_bytes;
  LocalBlock* local = co_await OpenLocal(*worker, 0, load);
  if (local == nullptr) co_return -1;
  struct stat st {};
  if (::fstat(local->fd, &st) != 0 || static_cast<uint64_t>(st.st_size) != block.length) {
    ALX_LOG(kWarn, "client", "{}: local block file of block {} is not {} bytes long; not used",
            file_.info.path, block.block_id, block.length);
    CloseLocal(block.block_id);
    not_local_.insert(block.block_id);
    co_return -1;
  }
  co_return local->fd;
}

Task<int> FileInStream::OpenWholeFile() {
  if (whole_.fd >= 0) co_return whole_.fd;
  // The worker of block 0, when it is on this host, answers for the whole file.
  std::optional<WorkerAddress> worker = co_await ChooseWorker(0);
  if (!worker || !client_.context().IsLocal(*worker)) co_return -1;
  Result<wire::BlockWorker::Client> service = co_await client_.Worker(*worker);
  if (!service) co_return -1;
  auto req = service->openLocalFileRequest();
  auto ids = req.initBlockIds(static_cast<unsigned>(file_.blocks.size()));
  for (size_t i = 0; i < file_.blocks.size(); ++i) {
    ids.set(static_cast<unsigned>(i), file_.blocks[i].block_id);
  }
  auto response = co_await rpc::Await(req.send(), client_.options().read_timeout);
  // Not (or not wholly) cached here, or on several tiers: the blocks are read one by one.
  if (!response || !alluxio::FromWire(response->getStatus())) co_return -1;
  std::string path(response->getPath().cStr());
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) != file_.info.length ||
      response->getLength() != file_.info.length) {
    ALX_LOG(kWarn, "client", "{}: cache file {} does not hold the file's {} bytes; not used",
            file_.info.path, path, file_.info.length);
    if (fd >= 0) ::close(fd);
    co_return -1;
  }
  whole_.fd = fd;
  whole_.lease = response->getLease();
  co_return fd;
}

void FileInStream::CloseLocal(uint64_t block_id) {
  auto it = local_.find(block_id);
  if (it == local_.end()) return;
  ::close(it->second.fd);
  local_lru_.erase(it->second.lru);
  local_.erase(it);
}

void FileInStream::GiveUpOn(const WorkerAddress& worker, const Error& error) {
  ALX_LOG(kWarn, "client", "reading {}: worker {} failed ({}); trying another source",
          file_.info.path, worker.ToString(), error.ToString());
  if (failed_workers_.insert(worker.ToString()).second) ++stats_.worker_failovers;
  client_.context().workers().Invalidate();
}

Task<Result<size_t>> FileInStream::Read(uint64_t offset, std::span<char> buf) {
  const uint64_t length = file_.info.length;
  if (offset >= length || buf.empty()) co_return size_t{0};
  const uint64_t end = std::min<uint64_t>(length, offset + buf.size());
  const uint64_t block_size = file_.info.block_size;
  uint64_t pos = offset;
  while (pos < end) {
    size_t index = static_cast<size_t>(pos / block_size);
    if (index >= file_.blocks.size()) {
      co_return Fail(ErrorCode::kIoError,
                     fmt::format("{}: offset {} has no block (the master listed {})",
                                 file_.info.path, pos, file_.blocks.size()));
    }
    const BlockInfo& block = file_.blocks[index];
    uint64_t block_end = std::min(end, block.offset + block.length);
    std::span<char> part = buf.subspan(pos - offset, block_end - pos);
    Status s = co_await ReadBlock(index, pos - block.offset, part);
    if (!s) co_return s.failure();
    pos = block_end;
  }
  co_return static_cast<size_t>(end - offset);
}

Task<Status> FileInStream::ReadBlock(size_t index, uint64_t offset, std::span<char> buf) {
  const BlockInfo& block = file_.blocks[index];
  const ClientOptions& o = client_.options();
  if (whole_.fd >= 0) {
    // Pinned: the range cannot be freed while the lease lasts.
    Result<size_t> n = PreadFully(whole_.fd, block.offset + offset, buf);
    if (n && *n == buf.size()) {
      stats_.bytes_short_circuit += *n;
      co_return Ok();
    }
    ALX_LOG(kWarn, "client", "{}: read of the local cache file failed ({}); reading block {}",
            file_.info.path,
            n ? fmt::format("short: {} of {}", *n, buf.size()) : n.error().ToString(),
            block.block_id);
  }
  while (!buf.empty()) {
    std::optional<WorkerAddress> worker = co_await ChooseWorker(index);
    if (!worker) {
      if (!file_.info.persisted) {
        co_return Fail(ErrorCode::kUnavailable,
                       fmt::format("{}: no worker can serve block {} and the file is not "
                                   "persisted",
                                   file_.info.path, block.block_id));
      }
      co_return co_await ReadFromUfs(block.offset + offset, buf);
    }
    const bool on_this_host = client_.context().IsLocal(*worker);
    if (o.passive_cache && !on_this_host && !block.locations.empty()) co_await CacheHere(index);
    if (o.short_circuit && on_this_host && !not_local_.contains(block.block_id)) {
      // A cold block of a persisted file entered at its first byte is cached by the worker here
      // first (read type CACHE), then read from its cache file: no byte crosses the RPC
      // connection; the next block is cached meanwhile. A read further in (random access)
      // does not wait for the whole block: see below.
      const bool load = o.read_cache && file_.info.persisted && offset == 0;
      if (load) co_await CacheNextBlock(index);
      LocalBlock* local = co_await OpenLocal(*worker, index, load);
      if (local != nullptr) {
        Result<size_t> n = PreadFully(local->fd, local->base + offset, buf);
        if (n && *n == buf.size()) {
          stats_.bytes_short_circuit += *n;
          co_return Ok();
        }
        ALX_LOG(kWarn, "client", "{}: local read of block {} failed ({}); using RPC",
                file_.info.path, block.block_id,
                n ? fmt::format("short: {} of {}", *n, buf.size()) : n.error().ToString());
        CloseLocal(block.block_id);
        not_local_.insert(block.block_id);
      }
    }
    WorkerRead read = co_await ReadFromWorker(*worker, index, offset, buf);
    if (read.from_cache && on_this_host) {
      not_local_.erase(block.block_id);  // cached here now: the next read opens its file
    }
    stats_.bytes_from_workers += read.done;
    offset += read.done;
    buf = buf.subspan(read.done);
    if (!read.error) continue;  // done (buf empty)
    if (!FailOver(read.error->code)) co_return Fail(*read.error);
    GiveUpOn(*worker, *read.error);
  }
  co_return Ok();
}

Task<std::optional<WorkerAddress>> FileInStream::ChooseWorker(size_t index) {
  const BlockInfo& block = file_.blocks[index];
  const BlockLocation* any = nullptr;
  for (const BlockLocation& l : block.locations) {
    if (failed_workers_.contains(l.address.ToString())) continue;
    if (client_.context().IsLocal(l.address)) co_return l.address;
    if (any == nullptr) any = &l;
  }
  if (any != nullptr) co_return any->address;
  auto live = co_await client_.LiveWorkers();
  if (!live) co_return std::nullopt;
  std::vector<WorkerInfo> usable;
  for (const WorkerInfo& w : **live) {
    if (!failed_workers_.contains(w.address.ToString())) usable.push_back(w);
  }
  std::optional<WorkerInfo> chosen = client::ChooseWorker(
      client_.context(), client_.options().ufs_read_policy, usable, block.block_id);
  if (!chosen) co_return std::nullopt;
  co_return chosen->address;
}

Task<FileInStream::WorkerRead> FileInStream::ReadFromWorker(const WorkerAddress& address,
                                                            size_t index, uint64_t offset,
                                                            std::span<char> buf) {
  using Response = capnp::Response<wire::BlockWorker::ReadBlockResults>;
  const BlockInfo& block = file_.blocks[index];
  const ClientOptions& o = client_.options();
  WorkerRead result;
  if (offset == 0) co_await CacheNextBlock(index);
  Result<wire::BlockWorker::Client> worker = co_await client_.Worker(address);
  if (!worker) {
    result.error = worker.error();
    co_return result;
  }
  struct InFlight {
    size_t at;
    size_t length;
    kj::Promise<Response> response;
  };
  std::deque<InFlight> in_flight;
  size_t issued = 0;
  const size_t depth = std::max<uint32_t>(1, o.read_pipeline_depth);
  while (result.done < buf.size()) {
    while (in_flight.size() < depth && issued < buf.size()) {
      size_t n = std::min<size_t>(o.reader_chunk_bytes, buf.size() - issued);
      auto req = worker->readBlockRequest();
      req.setBlockId(block.block_id);
      req.setOffset(offset + issued);
      req.setLength(static_cast<uint32_t>(n));
      if (file_.info.persisted) {
        SetUfsSource(file_, block, req.initSource());
      }
      req.setCache(o.read_cache);
      in_flight.push_back(InFlight{issued, n, req.send()});
      issued += n;
    }
    InFlight next = std::move(in_flight.front());
    in_flight.pop_front();
    Result<Response> response = co_await rpc::Await(std::move(next.response), o.read_timeout);
    if (!response) {
      result.error = response.error();
      co_return result;
    }
    if (Status s = alluxio::FromWire(response->getStatus()); !s) {
      result.error = s.error();
      co_return result;
    }
    auto data = response->getData();
    if (data.size() != next.length) {
      result.error = Error{ErrorCode::kIoError,
                           fmt::format("{}: worker {} returned {} bytes of block {} at {}, "
                                       "expected {}",
                                       file_.info.path, address.ToString(), data.size(),
                                       block.block_id, offset + next.at, next.length)};
      co_return result;
    }
    std::memcpy(buf.data() + next.at, data.begin(), data.size());
    result.done += data.size();
    result.from_cache = result.from_cache || response->getFromCache();
  }
  co_return result;
}

void SetUfsSource(const FileBlocks& file, const BlockInfo& block,
                  wire::UfsBlockSource::Builder source) {
  source.setUfsPath(file.info.ufs_uri);
  source.setMountId(file.info.mount_id);
  source.setOffsetInFile(block.offset);
  source.setBlockLength(block.length);
  source.setUfsFingerprint(file.ufs_fingerprint);
}

Task<void> FileInStream::CacheNextBlock(size_t index) {
  const ClientOptions& o = client_.options();
  const size_t next = index + 1;
  if (!file_.info.persisted || !o.read_cache || next >= file_.blocks.size() ||
      !file_.blocks[index].locations.empty() || !file_.blocks[next].locations.empty() ||
      !cache_requested_.insert(next).second) {
    co_return;
  }
  std::optional<WorkerAddress> address = co_await ChooseWorker(next);
  if (!address) co_return;
  co_await RequestCache(*address, next);
}

Task<void> FileInStream::CacheHere(size_t index) {
  const ClientOptions& o = client_.options();
  if (!o.read_cache || !file_.info.persisted || !cache_requested_.insert(index).second) {
    co_return;
  }
  auto live = co_await client_.LiveWorkers();
  if (!live) co_return;
  for (const WorkerInfo& w : **live) {
    if (client_.context().IsLocal(w.address)) co_return co_await RequestCache(w.address, index);
  }
}

Task<void> FileInStream::RequestCache(const WorkerAddress& address, size_t index) {
  Result<wire::BlockWorker::Client> worker = co_await client_.Worker(address);
  if (!worker) co_return;
  const BlockInfo& block = file_.blocks[index];
  auto req = worker->cacheBlockRequest();
  req.setBlockId(block.block_id);
  SetUfsSource(file_, block, req.initSource());
  // Not waited for: a failure only means the reads of that block fetch it themselves.
  req.send().ignoreResult().detach([](kj::Exception&&) {});
}

Task<FileInStream::LocalBlock*> FileInStream::OpenLocal(const WorkerAddress& address, size_t index,
                                                        bool load) {
  const uint64_t block_id = file_.blocks[index].block_id;
  if (auto it = local_.find(block_id); it != local_.end()) {
    local_lru_.splice(local_lru_.begin(), local_lru_, it->second.lru);
    co_return &it->second;
  }
  LocalBlockFiles& files = client_.local_block_files();
  wire::BlockLease::Client lease = nullptr;
  uint64_t base = 0;
  // By path (no pin) only the block of a one-block file (see LocalBlockFiles).
  int fd = file_.blocks.size() == 1 ? files.Open(address, block_id, file_.blocks[0].length) : -1;
  if (fd < 0) {
    Result<wire::BlockWorker::Client> worker = co_await client_.Worker(address);
    if (!worker) co_return nullptr;
    auto req = worker->openLocalBlockRequest();
    req.setBlockId(block_id);
    if (load) SetUfsSource(file_, file_.blocks[index], req.initSource());
    // The only block of its file is read unpinned, as by path (see LocalBlockFiles).
    const bool unpinned = file_.blocks.size() == 1;
    req.setUnpinned(unpinned);
    auto response = co_await rpc::Await(req.send(), client_.options().read_timeout);
    if (!response || !alluxio::FromWire(response->getStatus())) {
      not_local_.insert(block_id);
      co_return nullptr;
    }
    std::string path(response->getPath().cStr());
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      ALX_LOG(kWarn, "client", "open of local block file {} failed: {}", path,
              std::strerror(errno));
      not_local_.insert(block_id);
      co_return nullptr;
    }
    files.Learn(address, *worker, path, block_id);
    if (unpinned) {
      struct stat st {};
      if (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) != response->getLength()) {
        ::close(fd);  // removed and being cached again meanwhile
        not_local_.insert(block_id);
        co_return nullptr;
      }
    } else {
      lease = response->getLease();
    }
    base = response->getOffset();
  }
  while (local_.size() >= std::max<uint32_t>(1, client_.options().max_local_blocks_per_stream)) {
    CloseLocal(local_lru_.back());
  }
  local_lru_.push_front(block_id);
  LocalBlock& local = local_[block_id];
  local.fd = fd;
  local.base = base;
  local.lease = std::move(lease);
  local.lru = local_lru_.begin();
  co_return &local;
}

Task<Status> FileInStream::ReadFromUfs(uint64_t file_offset, std::span<char> buf) {
  if (!ufs_reader_) {
    std::string uri = file_.info.ufs_uri;
    const uint64_t mount_id = file_.info.mount_id;
    std::string fingerprint = file_.ufs_fingerprint;
    UfsResolver* resolver = &client_.context().ufs();
    if (!resolver->Knows(mount_id)) {
      Result<std::map<std::string, std::string>> options =
          co_await client_.GetMountOptions(mount_id);
      if (!options) co_return options.failure();
      resolver->Learn(mount_id, std::move(options).value());
    }
    // Named, not a temporary in the co_await (GCC 12 may destroy such temporaries twice).
    auto open = [resolver, mount_id, uri, fingerprint]() -> Result<std::unique_ptr<UfsReader>> {
      Result<ResolvedUfsPath> resolved = resolver->Resolve(mount_id, uri);
      if (!resolved) return resolved.failure();
      return resolved->ufs->OpenVersion(resolved->path, fingerprint);
    };
    Result<std::unique_ptr<UfsReader>> reader = co_await Blocking(std::move(open));
    if (!reader) co_return reader.failure();
    ufs_reader_ = std::move(reader).value();
  }
  std::shared_ptr<UfsReader> reader = ufs_reader_;
  auto read = [reader, file_offset, buf]() -> Result<size_t> {
    size_t done = 0;
    while (done < buf.size()) {
      Result<size_t> r = reader->ReadAt(file_offset + done, buf.subspan(done));
      if (!r) return r;
      if (*r == 0) break;
      done += *r;
    }
    return done;
  };
  Result<size_t> n = co_await Blocking(std::move(read));
  if (!n) co_return n.failure();
  if (*n != buf.size()) {
    co_return Fail(ErrorCode::kIoError,
                   fmt::format("{}: the UFS file {} ends before offset {} (changed outside "
                               "Alluxio?)",
                               file_.info.path, file_.info.ufs_uri, file_offset + buf.size()));
  }
  stats_.bytes_from_ufs += *n;
  co_return Ok();
}

}  // namespace alluxio::client
