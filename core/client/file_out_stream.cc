#include "core/client/file_out_stream.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "core/client/abort_dropped_file.h"
#include "core/client/file_system_client.h"
#include "core/common/logging.h"
#include "core/wire/wire_convert.h"
#include "rpc/await.h"

namespace alluxio::client {

FileOutStream::FileOutStream(FileSystemClient& client, wire::FileSystemMaster::Client fs,
                             FileInfo info, WriteType write_type, WorkerAddress worker,
                             wire::FileWriter::Client writer)
    : client_(client),
      fs_(std::move(fs)),
      info_(std::move(info)),
      write_type_(write_type),
      worker_(std::move(worker)),
      writer_(std::move(writer)) {
  buffer_.reserve(chunk_bytes());
}

size_t FileOutStream::chunk_bytes() const { return client_.options().writer_chunk_bytes; }

FileOutStream::~FileOutStream() {
  if (state_ != State::kOpen) return;
  ALX_LOG(kWarn, "client", "{} dropped without Close(): aborting it", info_.path);
  client_.InvalidateCached(info_.path);
  client_.background().Spawn(
      AbortDroppedFile(fs_, writer_, info_.id, info_.path, client_.options().write_timeout),
      "abort " + info_.path);
}

Status FileOutStream::NotOpen() const {
  if (state_ == State::kFailed && error_) return Fail(*error_);
  return Fail(ErrorCode::kInvalidArgument,
              info_.path + (state_ == State::kClosed ? " is closed" : " was aborted"));
}

Task<Status> FileOutStream::Failed(Error error) {
  if (state_ == State::kOpen) {
    (void)co_await Abort();
  }
  state_ = State::kFailed;
  error_ = error;
  co_return Fail(std::move(error));
}

void FileOutStream::Chunk::Append(std::span<const char> bytes) {
  std::memcpy(data() + size_, bytes.data(), bytes.size());
  size_ += bytes.size();
}

FileOutStream::Chunk FileOutStream::NewChunk(size_t capacity) {
  // Sized so that the data is the one segment's last object (WriteChunk's truncate frees the
  // unused rest instead of sending zeros).
  auto req = writer_.writeRequest(capnp::MessageSize{capacity / sizeof(capnp::word) + 8, 0});
  capnp::Data::Builder data = req.initData(static_cast<capnp::uint>(capacity));
  return Chunk(std::move(req), data);
}

Task<Status> FileOutStream::WriteChunk(Chunk chunk) {
  if (state_ != State::kOpen) co_return NotOpen();
  if (Status s = co_await SendBuffered(); !s) co_return s;
  if (chunk.size() < chunk.capacity()) {
    capnp::Orphan<capnp::Data> data = chunk.request_.disownData();
    data.truncate(static_cast<capnp::uint>(chunk.size()));
    chunk.request_.adoptData(kj::mv(data));
  }
  co_return co_await SendRequest(std::move(chunk.request_), chunk.size());
}

Task<Status> FileOutStream::Send(std::span<const char> chunk) {
  auto req = writer_.writeRequest();
  req.setData(kj::arrayPtr(reinterpret_cast<const kj::byte*>(chunk.data()), chunk.size()));
  co_return co_await SendRequest(std::move(req), chunk.size());
}

Task<Status> FileOutStream::SendRequest(
    capnp::StreamingRequest<wire::FileWriter::WriteParams> request, size_t bytes) {
  Status s = co_await rpc::AwaitVoid(request.send(), client_.options().write_timeout);
  if (!s) {
    Error error{s.code(), fmt::format("write {} to worker {}: {}", info_.path, worker_.ToString(),
                                      s.error().message)};
    co_return co_await Failed(std::move(error));
  }
  written_ += bytes;
  co_return Ok();
}

Task<Status> FileOutStream::SendBuffered() {
  if (buffer_.empty()) co_return Ok();
  Status s = co_await Send(buffer_);
  buffer_.clear();
  co_return s;
}

Task<Status> FileOutStream::Write(std::span<const char> data) {
  if (state_ != State::kOpen) co_return NotOpen();
  const size_t chunk = chunk_bytes();
  while (!data.empty()) {
    if (buffer_.empty() && data.size() >= chunk) {
      Status s = co_await Send(data.first(chunk));
      if (!s) co_return s;
      data = data.subspan(chunk);
      continue;
    }
    size_t n = std::min(chunk - buffer_.size(), data.size());
    buffer_.insert(buffer_.end(), data.begin(), data.begin() + n);
    data = data.subspan(n);
    if (buffer_.size() == chunk) {
      Status s = co_await SendBuffered();
      if (!s) co_return s;
    }
  }
  co_return Ok();
}

Task<Status> FileOutStream::Flush() {
  if (state_ != State::kOpen) co_return NotOpen();
  if (Status s = co_await SendBuffered(); !s) co_return s;
  auto response =
      co_await rpc::Await(writer_.flushRequest().send(), client_.options().write_timeout);
  if (!response) co_return co_await Failed(response.error());
  if (Status s = alluxio::FromWire(response->getStatus()); !s) {
    co_return co_await Failed(s.error());
  }
  co_return Ok();
}

Task<Result<FileInfo>> FileOutStream::Close() {
  if (state_ != State::kOpen) co_return NotOpen().failure();
  if (Status s = co_await SendBuffered(); !s) co_return s.failure();
  auto finished =
      co_await rpc::Await(writer_.finishRequest().send(), client_.options().write_timeout);
  if (!finished) co_return (co_await Failed(finished.error())).failure();
  if (Status s = alluxio::FromWire(finished->getStatus()); !s) {
    co_return (co_await Failed(s.error())).failure();
  }
  if (finished->getLength() != written_) {
    Error error{ErrorCode::kIoError, fmt::format("{}: worker stored {} bytes, {} were sent",
                                                 info_.path, finished->getLength(), written_)};
    co_return (co_await Failed(std::move(error))).failure();
  }
  std::vector<uint64_t> block_ids = alluxio::FromWire(finished->getBlockIds());
  Result<FileInfo> completed = co_await client_.CompleteFile(
      info_.id, info_.path, finished->getLength(), std::move(block_ids), write_type_);
  if (!completed) co_return (co_await Failed(completed.error())).failure();
  state_ = State::kClosed;
  info_ = *completed;
  co_return completed;
}

Task<Status> FileOutStream::Abort() {
  if (state_ != State::kOpen) co_return Ok();
  state_ = State::kAborted;
  // The worker drops its session (and any UFS temp file); errors reaching it are moot.
  (void)co_await rpc::Await(writer_.abortRequest().send(), client_.options().write_timeout);
  co_return co_await client_.AbortFile(info_.id, info_.path);
}

}  // namespace alluxio::client
