#include "core/client/local_file_out_stream.h"

#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/client/abort_dropped_file.h"
#include "core/client/file_system_client.h"
#include "core/common/logging.h"
#include "core/wire/wire_convert.h"
#include "rpc/await.h"

namespace alluxio::client {

LocalFileOutStream::LocalFileOutStream(FileSystemClient& client, wire::FileSystemMaster::Client fs,
                                       FileInfo info, WriteType write_type, WorkerAddress worker,
                                       std::string cache_path, wire::LocalFileWriter::Client writer)
    : client_(client),
      fs_(std::move(fs)),
      info_(std::move(info)),
      write_type_(write_type),
      worker_(std::move(worker)),
      cache_path_(std::move(cache_path)),
      writer_(std::move(writer)) {}

LocalFileOutStream::~LocalFileOutStream() {
  if (state_ != State::kOpen) return;
  ALX_LOG(kWarn, "client", "{} dropped without Close(): aborting it", info_.path);
  client_.InvalidateCached(info_.path);
  client_.background().Spawn(
      AbortDroppedFile(fs_, writer_, info_.id, info_.path, client_.options().write_timeout),
      "abort " + info_.path);
}

Task<Status> LocalFileOutStream::Failed(Error error) {
  if (state_ == State::kOpen) (void)co_await Abort();
  state_ = State::kFailed;
  error_ = error;
  co_return Fail(std::move(error));
}

Task<Result<FileInfo>> LocalFileOutStream::Close(uint64_t length) {
  if (state_ != State::kOpen) {
    if (state_ == State::kFailed && error_) co_return Fail(*error_);
    co_return Fail(ErrorCode::kInvalidArgument, info_.path + " is closed or aborted");
  }
  auto req = writer_.finishRequest();
  req.setLength(length);
  auto finished = co_await rpc::Await(req.send(), client_.options().write_timeout);
  if (!finished) co_return (co_await Failed(finished.error())).failure();
  if (Status s = alluxio::FromWire(finished->getStatus()); !s) {
    // A named error: a braced temporary passed to a coroutine is destroyed twice (GCC 12).
    Error error{s.code(), fmt::format("{} on worker {}: {}", info_.path, worker_.ToString(),
                                      s.error().message)};
    co_return (co_await Failed(std::move(error))).failure();
  }
  std::vector<uint64_t> block_ids = alluxio::FromWire(finished->getBlockIds());
  Result<FileInfo> completed = co_await client_.CompleteFile(info_.id, info_.path, length,
                                                             std::move(block_ids), write_type_);
  if (!completed) co_return (co_await Failed(completed.error())).failure();
  state_ = State::kClosed;
  info_ = *completed;
  co_return completed;
}

Task<Status> LocalFileOutStream::Abort() {
  if (state_ != State::kOpen) co_return Ok();
  state_ = State::kAborted;
  // The worker drops the cache file; errors reaching it are moot (it drops it when the
  // connection goes as well).
  (void)co_await rpc::Await(writer_.abortRequest().send(), client_.options().write_timeout);
  co_return co_await client_.AbortFile(info_.id, info_.path);
}

}  // namespace alluxio::client
