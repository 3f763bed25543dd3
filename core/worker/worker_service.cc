#include "core/worker/worker_service.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <capnp/orphan.h>

#include "core/common/block_id.h"
#include "core/common/logging.h"
#include "core/wire/wire_convert.h"
#include "core/worker/file_write_session.h"
#include "core/worker/local_file_write.h"

namespace alluxio {
namespace {

std::string_view View(capnp::Text::Reader text) { return {text.cStr(), text.size()}; }

UfsBlockSource SourceOf(wire::UfsBlockSource::Reader s) {
  return UfsBlockSource{std::string(View(s.getUfsPath())), s.getOffsetInFile(), s.getBlockLength(),
                        s.getMountId(), std::string(View(s.getUfsFingerprint()))};
}

// Runs `fn` on `pool`; the promise is false when the pool has stopped (fn not run).
template <typename Fn>
kj::Promise<bool> OnPool(BlockingPool& pool, Fn fn) {
  auto done = kj::newPromiseAndCrossThreadFulfiller<void>();
  // Shared: a kj::Own may throw from its destructor, which a job's captures must not.
  auto fulfiller =
      std::make_shared<kj::Own<kj::CrossThreadPromiseFulfiller<void>>>(kj::mv(done.fulfiller));
  UniqueFunction<void()> run = [fn = std::move(fn), fulfiller]() mutable {
    fn();
    (*fulfiller)->fulfill();
  };
  if (!pool.Submit(run)) return false;
  return done.promise.then([] { return true; });
}

// Pin: a BlockReader (one block) or a PinnedFile (every block of a file).
template <typename Pin>
class BlockLeaseImpl final : public wire::BlockLease::Server {
 public:
  explicit BlockLeaseImpl(Pin pin) : pin_(std::move(pin)) {}
  kj::Promise<void> release(ReleaseContext) override {
    pin_.reset();
    return kj::READY_NOW;
  }

 private:
  std::optional<Pin> pin_;  // pins the blocks until released or dropped
};

// The results of FileWriter.finish or LocalFileWriter.finish.
template <typename Results>
void AnswerFinish(Results out, Result<FinishedFile> finished) {
  if (!finished.ok()) {
    ToWire(finished.error(), out.initStatus());
    return;
  }
  ToWire(Ok(), out.initStatus());
  out.setLength(finished->length);
  ToWire(finished->block_ids, out.initBlockIds(finished->block_ids.size()));
  out.setUfsFingerprint(finished->ufs_fingerprint);
}

// The end of a write, shared by both writer servers. Finish(args...): `Write::Finish(args...)`
// runs on c.ufs_commits when there is one (the commits of many files proceed at once, their
// fsyncs sharing the file system's journal commits, while the reactor serves other calls), else
// inline; then the committed blocks are reported, an ASYNC_THROUGH file's pins are handed to the
// persister (kept until it is persisted) and the call is answered. Abort(): drops the write (an
// abort arriving while Finish runs on the pool is applied once it ends) and takes back the pins
// finish gave the persister (the writer gave up after finish: its completion failed).
// Reactor thread.
template <typename Write>
class WriteEnd {
 public:
  WriteEnd(std::unique_ptr<Write> write, WorkerServiceContext context)
      : write_(std::move(write)), c_(std::move(context)) {}

  Write& write() { return *write_; }

  template <typename Context, typename... Args>
  kj::Promise<void> Finish(Context context, Args... args) {
    if (c_.ufs_commits == nullptr) {
      Answer(context, write_->Finish(args...));
      return kj::READY_NOW;
    }
    auto finished = std::make_shared<std::optional<Result<FinishedFile>>>();
    finishing_ = true;
    auto ran = OnPool(*c_.ufs_commits, [write = write_, finished, args...] {
      finished->emplace(write->Finish(args...));
    });
    return ran.then([this, context, finished](bool ran) mutable {
      finishing_ = false;
      Answer(context,
             ran ? std::move(**finished) : Fail(ErrorCode::kUnavailable, "the worker is stopping"));
      if (abort_after_finish_) Abort();
    });
  }

  void Abort() {
    if (finishing_) {
      abort_after_finish_ = true;  // the write is in use on the pool
      return;
    }
    write_->Abort();
    if (pinned_file_) c_.persister->Unpin(*pinned_file_);
  }

  void ReportCommitted() {
    if (!c_.on_block_committed) return;
    for (const BlockInfo& block : write_->TakeCommittedBlocks()) c_.on_block_committed(block);
  }

 private:
  template <typename Context>
  void Answer(Context& context, Result<FinishedFile> finished) {
    ReportCommitted();
    if (finished.ok() && c_.persister != nullptr && !finished->pins.empty()) {
      pinned_file_ = FileIdOfBlock(finished->block_ids.front());
      c_.persister->Pin(*pinned_file_, std::move(finished->pins));
    }
    AnswerFinish(context.getResults(), std::move(finished));
  }

  // Aborted on destruction unless finished; shared with a finish running on the pool.
  std::shared_ptr<Write> write_;
  WorkerServiceContext c_;
  bool finishing_ = false;               // Finish() is running on c_.ufs_commits
  bool abort_after_finish_ = false;      // abort arrived meanwhile
  std::optional<uint64_t> pinned_file_;  // the file whose pins finish gave c_.persister
};

class FileWriterImpl final : public wire::FileWriter::Server {
 public:
  FileWriterImpl(std::unique_ptr<FileWriteSession> session, WorkerServiceContext context)
      : end_(std::move(session), std::move(context)) {}

  // Write errors are kept and reported by flush/finish: a failed streaming call would poison
  // every later call on this object.
  kj::Promise<void> write(WriteContext context) override {
    if (!error_) {
      auto data = context.getParams().getData();
      Status s = end_.write().Write({reinterpret_cast<const char*>(data.begin()), data.size()});
      if (!s.ok()) error_ = s.error();
      end_.ReportCommitted();
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> flush(FlushContext context) override {
    auto out = context.getResults();
    if (!error_) {
      if (Status s = end_.write().Flush(); !s.ok()) error_ = s.error();
    }
    ToWire(error_ ? Status(Fail(*error_)) : Ok(), out.initStatus());
    out.setLength(end_.write().length());
    return kj::READY_NOW;
  }

  // The last block's commit and the staged file's fsync (WriteEnd::Finish).
  kj::Promise<void> finish(FinishContext context) override {
    if (error_) {
      end_.write().Abort();
      ToWire(*error_, context.getResults().initStatus());
      return kj::READY_NOW;
    }
    return end_.Finish(context);
  }

  kj::Promise<void> abort(AbortContext) override {
    end_.Abort();
    return kj::READY_NOW;
  }

 private:
  WriteEnd<FileWriteSession> end_;
  std::optional<Error> error_;
};

// A file a same-host client writes into its cache file. finish: the UFS copy, the commit's
// fdatasync and the staged file's fsync (WriteEnd::Finish).
class LocalFileWriterImpl final : public wire::LocalFileWriter::Server {
 public:
  LocalFileWriterImpl(std::unique_ptr<LocalFileWrite> write, WorkerServiceContext context)
      : end_(std::move(write), std::move(context)) {}

  kj::Promise<void> finish(FinishContext context) override {
    return end_.Finish(context, context.getParams().getLength());
  }

  kj::Promise<void> abort(AbortContext) override {
    end_.Abort();
    return kj::READY_NOW;
  }

 private:
  WriteEnd<LocalFileWrite> end_;
};

class BlockWorkerImpl final : public wire::BlockWorker::Server {
 public:
  explicit BlockWorkerImpl(WorkerServiceContext context) : c_(std::move(context)) {}

  kj::Promise<void> readBlock(ReadBlockContext context) override {
    auto p = context.getParams();
    if (!p.hasSource() || p.getSource().getUfsPath().size() == 0) {
      return Read(context, std::nullopt);
    }
    const uint64_t mount_id = p.getSource().getMountId();
    if (!c_.ufs->Knows(mount_id) && c_.store->HasBlock(p.getBlockId())) {
      // Cached: served without the UFS, so without asking the master (which may be away) for
      // the mount's options. Evicted meanwhile: kNotFound, and the client reads elsewhere.
      return Read(context, std::nullopt);
    }
    return AfterLearning(mount_id, context, [this](ReadBlockContext context) {
      return Read(context, SourceOf(context.getParams().getSource()));
    });
  }

  // readBlock once the source's mount is known.
  kj::Promise<void> Read(ReadBlockContext context, std::optional<UfsBlockSource> source) {
    auto p = context.getParams();
    auto out = context.getResults();
    uint32_t length = std::min(p.getLength(), kMaxReadChunkBytes);
    if (source && c_.ufs_reads != nullptr) {
      return ReadOnPool(context, *source, p.getBlockId(), p.getOffset(), length, p.getCache());
    }
    auto orphan = capnp::Orphanage::getForMessageContaining(out).newOrphan<capnp::Data>(length);
    auto buffer = orphan.get();
    auto read = c_.read_through->Read(p.getBlockId(), p.getOffset(),
                                      {reinterpret_cast<char*>(buffer.begin()), buffer.size()},
                                      source ? &*source : nullptr, p.getCache());
    if (!read.ok()) {
      ToWire(read.error(), out.initStatus());
      return kj::READY_NOW;
    }
    orphan.truncate(read->bytes);
    out.adoptData(kj::mv(orphan));
    out.setFromCache(read->from_cache);
    ToWire(Ok(), out.initStatus());
    return kj::READY_NOW;
  }

  // readBlock of a cold block on the UFS read pool. The pool thread reads into a buffer of its
  // own (the call, and its result message, may be cancelled meanwhile); the reactor copies it
  // into the answer.
  kj::Promise<void> ReadOnPool(ReadBlockContext context, UfsBlockSource source, uint64_t block_id,
                               uint64_t offset, uint32_t length, bool cache) {
    struct Job {
      std::vector<char> data;
      std::optional<Result<BlockReadThrough::ReadResult>> read;
    };
    auto job = std::make_shared<Job>();
    job->data.resize(length);
    auto ran = OnUfsPool(
        [read_through = c_.read_through, source = std::move(source), block_id, offset, cache, job] {
          job->read = read_through->Read(block_id, offset, job->data, &source, cache);
        });
    return ran.then([context, job](bool ran) mutable {
      auto out = context.getResults();
      if (!ran) {
        ToWire(Fail(ErrorCode::kUnavailable, "the worker is stopping"), out.initStatus());
        return;
      }
      if (!job->read->ok()) {
        ToWire(job->read->error(), out.initStatus());
        return;
      }
      const BlockReadThrough::ReadResult& read = **job->read;
      auto data = out.initData(static_cast<unsigned>(read.bytes));
      std::copy_n(job->data.data(), read.bytes, reinterpret_cast<char*>(data.begin()));
      out.setFromCache(read.from_cache);
      ToWire(Ok(), out.initStatus());
    });
  }

  // Runs `fn` on the UFS read pool; the promise is false when the pool has stopped (fn not run).
  template <typename Fn>
  kj::Promise<bool> OnUfsPool(Fn fn) {
    return OnPool(*c_.ufs_reads, std::move(fn));
  }

  kj::Promise<void> openLocalBlock(OpenLocalBlockContext context) override {
    auto p = context.getParams();
    if (!c_.store->HasBlock(p.getBlockId()) && p.hasSource()) return LoadLocal(context);
    ReplyLocal(context);
    return kj::READY_NOW;
  }

  // openLocalBlock of a block not cached, with a source.
  kj::Promise<void> LoadLocal(OpenLocalBlockContext context) {
    // Loaded from the source first (as cacheBlock), then opened.
    return AfterLearning(context.getParams().getSource().getMountId(), context,
                         [this](OpenLocalBlockContext context) {
                           auto p = context.getParams();
                           return Load(p.getBlockId(), SourceOf(p.getSource()), /*for_reader=*/true)
                               .then([this, context](Status loaded) mutable {
                                 if (!loaded.ok())
                                   return ToWire(loaded.error(), context.getResults().initStatus());
                                 ReplyLocal(context);
                               });
                         });
  }

  // Answers openLocalBlock with the cached block (kNotFound when it is not cached): pinned by
  // a lease, or unpinned (no lease, no descriptor kept) when asked.
  void ReplyLocal(OpenLocalBlockContext& context) {
    auto out = context.getResults();
    const uint64_t block_id = context.getParams().getBlockId();
    if (context.getParams().getUnpinned()) {
      const uint64_t ids[] = {block_id};
      c_.store->Touch(ids);
      auto block = c_.store->GetBlock(block_id);
      if (!block.ok()) return ToWire(block.error(), out.initStatus());
      out.setPath(block->path);
      out.setLength(block->length);
      out.setOffset(block->offset);
      ToWire(Ok(), out.initStatus());
      return;
    }
    auto reader = c_.store->OpenBlock(block_id);
    if (!reader.ok()) return ToWire(reader.error(), out.initStatus());
    out.setPath(reader->path());
    out.setLength(reader->length());
    out.setOffset(reader->offset());
    out.setLease(kj::heap<BlockLeaseImpl<BlockReader>>(std::move(reader).value()));
    ToWire(Ok(), out.initStatus());
  }

  kj::Promise<void> openLocalFile(OpenLocalFileContext context) override {
    auto out = context.getResults();
    auto list = context.getParams().getBlockIds();
    std::vector<uint64_t> ids;
    ids.reserve(list.size());
    for (uint64_t id : list) ids.push_back(id);
    auto file = c_.store->OpenFile(ids);
    if (!file.ok()) {
      ToWire(file.error(), out.initStatus());
      return kj::READY_NOW;
    }
    out.setPath(file->path());
    out.setLength(file->length());
    out.setLease(kj::heap<BlockLeaseImpl<PinnedFile>>(std::move(file).value()));
    ToWire(Ok(), out.initStatus());
    return kj::READY_NOW;
  }

  kj::Promise<void> createFileWriter(CreateFileWriterContext context) override {
    auto p = context.getParams();
    auto create = [this](CreateFileWriterContext context) -> kj::Promise<void> {
      CreateFileWriter(context);
      return kj::READY_NOW;
    };
    if (p.getWriteType() == wire::WriteType::MUST_CACHE) return create(context);
    return AfterLearning(p.getMountId(), context, create);
  }

  // createFileWriter once the file's mount is known (or without the UFS: MUST_CACHE).
  void CreateFileWriter(CreateFileWriterContext context) {
    auto p = context.getParams();
    auto out = context.getResults();
    FileWriteOptions options{
        p.getFileId(), p.getBlockSizeBytes(),      std::string(View(p.getMountUfsUri())),
        p.getMode(),   FromWire(p.getWriteType()), p.getMountId()};
    auto session = FileWriteSession::Start(*c_.store, *c_.ufs, std::move(options));
    if (!session.ok()) {
      ToWire(session.error(), out.initStatus());
      return;
    }
    out.setWriter(kj::heap<FileWriterImpl>(std::move(session).value(), c_));
    ToWire(Ok(), out.initStatus());
  }

  kj::Promise<void> createLocalFile(CreateLocalFileContext context) override {
    auto p = context.getParams();
    auto create = [this](CreateLocalFileContext context) -> kj::Promise<void> {
      CreateLocalFile(context);
      return kj::READY_NOW;
    };
    if (p.getWriteType() == wire::WriteType::MUST_CACHE) return create(context);
    return AfterLearning(p.getMountId(), context, create);
  }

  // createLocalFile once the file's mount is known (or without the UFS: MUST_CACHE).
  void CreateLocalFile(CreateLocalFileContext context) {
    auto p = context.getParams();
    auto out = context.getResults();
    FileWriteOptions options{
        p.getFileId(), p.getBlockSizeBytes(),      std::string(View(p.getMountUfsUri())),
        p.getMode(),   FromWire(p.getWriteType()), p.getMountId()};
    auto write = LocalFileWrite::Start(*c_.store, *c_.ufs, std::move(options), p.getReservation());
    if (!write.ok()) {
      ToWire(write.error(), out.initStatus());
      return;
    }
    out.setPath((*write)->path());
    out.setWriter(kj::heap<LocalFileWriterImpl>(std::move(write).value(), c_));
    ToWire(Ok(), out.initStatus());
  }

  kj::Promise<void> cacheBlock(CacheBlockContext context) override {
    return AfterLearning(context.getParams().getSource().getMountId(), context,
                         [this](CacheBlockContext context) { return Cache(context); });
  }

  // cacheBlock once the source's mount is known. The cached block is reported to the master
  // before the reply (as a write session's), so a caller that loaded it (`fs load`) finds it
  // listed at once, not after the next heartbeat.
  kj::Promise<void> Cache(CacheBlockContext context) {
    auto p = context.getParams();
    const uint64_t block_id = p.getBlockId();
    return Load(block_id, SourceOf(p.getSource()), /*for_reader=*/false)
        .then([this, context, block_id](Status loaded) mutable {
          if (Result<BlockInfo> block = c_.store->GetBlock(block_id);
              loaded.ok() && block.ok() && c_.on_block_committed) {
            c_.on_block_committed(*block);
          }
          ToWire(loaded, context.getResults().initStatus());
        });
  }

  // Loads the whole block from the UFS into the store (BlockReadThrough::CacheBlock), on the
  // pool when there is one: the reactor serves others meanwhile. The source's mount is known.
  kj::Promise<Status> Load(uint64_t block_id, UfsBlockSource source, bool for_reader) {
    if (c_.ufs_reads == nullptr) return c_.read_through->CacheBlock(block_id, source, for_reader);
    auto status = std::make_shared<Status>(Ok());
    auto ran = OnUfsPool(
        [read_through = c_.read_through, source = std::move(source), block_id, status, for_reader] {
          *status = read_through->CacheBlock(block_id, source, for_reader);
        });
    return ran.then([status](bool ran) -> Status {
      return ran ? *status : Fail(ErrorCode::kUnavailable, "the worker is stopping");
    });
  }

  kj::Promise<void> touchBlocks(TouchBlocksContext context) override {
    auto ids = context.getParams().getBlockIds();
    std::vector<uint64_t> block_ids;
    block_ids.reserve(ids.size());
    for (uint64_t id : ids) block_ids.push_back(id);
    c_.store->Touch(block_ids);
    return kj::READY_NOW;
  }

  kj::Promise<void> removeBlock(RemoveBlockContext context) override {
    ToWire(c_.store->RemoveBlock(context.getParams().getBlockId()),
           context.getResults().initStatus());
    return kj::READY_NOW;
  }

  kj::Promise<void> getStats(GetStatsContext context) override {
    auto out = context.getResults();
    auto stats = out.initStats();
    uint64_t capacity = 0, used = 0, blocks = 0;
    for (const DirUsage& dir : c_.store->Usage()) {
      capacity += dir.capacity_bytes;
      used += dir.committed_bytes + dir.reserved_bytes;
      blocks += dir.blocks;
    }
    const auto& counters = c_.read_through->counters();
    stats.setBlocksCached(blocks);
    stats.setCapacityBytes(capacity);
    stats.setUsedBytes(used);
    stats.setCacheHits(counters.cache_hits.load());
    stats.setCacheMisses(counters.cache_misses.load());
    stats.setBytesReadCache(counters.bytes_read_cache.load());
    stats.setBytesReadUfs(counters.bytes_read_ufs.load());
    stats.setEvictions(c_.store->Counters().blocks_evicted);
    ToWire(Ok(), out.initStatus());
    return kj::READY_NOW;
  }

 private:
  // `serve(context)` at once if c_.ufs knows mount `mount_id`, else once c_.learn_mount
  // taught it; a failure to learn is the call's answer.
  template <typename Context, typename Serve>
  kj::Promise<void> AfterLearning(uint64_t mount_id, Context context, Serve serve) {
    if (c_.ufs->Knows(mount_id)) return serve(context);
    return c_.learn_mount(mount_id).then(
        [context, serve = kj::mv(serve)](Status status) mutable -> kj::Promise<void> {
          if (!status.ok()) {
            ToWire(status.error(), context.getResults().initStatus());
            return kj::READY_NOW;
          }
          return serve(context);
        });
  }

  WorkerServiceContext c_;
};

}  // namespace

wire::BlockWorker::Client MakeWorkerService(WorkerServiceContext context) {
  return kj::heap<BlockWorkerImpl>(std::move(context));
}

}  // namespace alluxio
