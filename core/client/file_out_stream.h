// Writing one new file through a worker (FileSystemClient::CreateFile makes it): data is sent
// to the worker's FileWriter in messages of alluxio.user.streaming.writer.chunk.size.bytes,
// each send awaited (Cap'n Proto `-> stream` flow control); Close() finishes the worker's
// session (blocks committed, UFS copy staged per write type) and completes the file on the
// master, which publishes the staged copy at the file's path. Any failure aborts the file (worker
// session and master entry) and is reported; later calls return the same error.
//
// Contract: used on the reactor of the FileSystemClient that made it, which must outlive it;
// one call at a time (co_await each before the next). Destroying an open stream aborts it in
// the background (the client's TaskGroup).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/client/client_types.h"
#include "core/common/file_info.h"
#include "core/common/result.h"
#include "core/common/write_type.h"
#include "core/reactor/reactor.h"
#include "schema/master.capnp.h"
#include "schema/worker.capnp.h"

namespace alluxio::client {

class FileSystemClient;

class FileOutStream {
 public:
  // Use FileSystemClient::CreateFile. `info`: the incomplete file from createFile.
  FileOutStream(FileSystemClient& client, wire::FileSystemMaster::Client fs, FileInfo info,
                WriteType write_type, WorkerAddress worker, wire::FileWriter::Client writer);
  ~FileOutStream();
  FileOutStream(const FileOutStream&) = delete;
  FileOutStream& operator=(const FileOutStream&) = delete;

  // One message filled in place: the bytes appended to it are the RPC request's own data, so
  // WriteChunk sends them without another copy. Made by NewChunk; on the stream's reactor.
  class Chunk {
   public:
    Chunk() = default;  // empty, capacity 0
    // A moved-from chunk is empty (its bytes belong to the destination's message).
    Chunk(Chunk&& other) noexcept
        : request_(std::move(other.request_)),
          data_(std::exchange(other.data_, {})),
          size_(std::exchange(other.size_, 0)) {}
    Chunk& operator=(Chunk&& other) noexcept {
      request_ = std::move(other.request_);
      data_ = std::exchange(other.data_, {});
      size_ = std::exchange(other.size_, 0);
      return *this;
    }
    size_t size() const { return size_; }
    size_t capacity() const { return data_.size(); }
    size_t room() const { return capacity() - size_; }
    char* data() { return reinterpret_cast<char*>(data_.begin()); }
    std::span<const char> bytes() const {
      return {reinterpret_cast<const char*>(data_.begin()), size_};
    }
    // Precondition: bytes.size() <= room().
    void Append(std::span<const char> bytes);

   private:
    friend class FileOutStream;
    Chunk(capnp::StreamingRequest<wire::FileWriter::WriteParams> request, capnp::Data::Builder data)
        : request_(std::move(request)), data_(data) {}
    capnp::StreamingRequest<wire::FileWriter::WriteParams> request_{nullptr};
    capnp::Data::Builder data_;
    size_t size_ = 0;
  };

  // Appends data (copied before the call returns). Worker errors: kNoSpace (MUST_CACHE and the
  // cache is full), kIoError (UFS), kDisconnected / kTimedOut (the worker).
  Task<Status> Write(std::span<const char> data);
  // A chunk of `capacity` bytes (at most chunk_bytes()) to fill and give to WriteChunk.
  Chunk NewChunk(size_t capacity);
  // Write of chunk.bytes(), sent as it is (after anything Write buffered). Same errors.
  Task<Status> WriteChunk(Chunk chunk);
  // Pushes everything written so far to the worker's block store and UFS file, without
  // completing the file.
  Task<Status> Flush();
  // Finishes the worker session and completes the file; returns the completed file.
  Task<Result<FileInfo>> Close();
  // Drops the file (worker session and master entry). Idempotent; no-op after Close().
  Task<Status> Abort();

  // Size of the messages Write sends (alluxio.user.streaming.writer.chunk.size.bytes), and the
  // largest chunk.
  size_t chunk_bytes() const;
  const FileInfo& info() const { return info_; }
  WriteType write_type() const { return write_type_; }
  const WorkerAddress& worker() const { return worker_; }
  uint64_t bytes_written() const { return written_; }
  bool open() const { return state_ == State::kOpen; }

 private:
  enum class State { kOpen, kClosed, kAborted, kFailed };

  Task<Status> Send(std::span<const char> chunk);
  // Sends a write request carrying `bytes` bytes; records a failure.
  Task<Status> SendRequest(capnp::StreamingRequest<wire::FileWriter::WriteParams> request,
                           size_t bytes);
  Task<Status> SendBuffered();
  // Aborts and remembers `error` for later calls; returns it.
  Task<Status> Failed(Error error);
  Status NotOpen() const;

  FileSystemClient& client_;
  wire::FileSystemMaster::Client fs_;
  FileInfo info_;
  const WriteType write_type_;
  const WorkerAddress worker_;
  wire::FileWriter::Client writer_;
  std::vector<char> buffer_;  // less than one chunk
  uint64_t written_ = 0;
  State state_ = State::kOpen;
  std::optional<Error> error_;
};

}  // namespace alluxio::client
