// Writing one new file in place: the file's bytes go into the cache file of the worker on this
// host (FileSystemClient::CreateFileInPlace makes it), written by the caller at any offset
// (alluxio-fuse registers it as the FUSE passthrough backing file: the kernel writes it).
// Close(length) asks the worker to persist and commit it (LocalFileWriter.finish) and completes
// the file on the master. Any failure aborts the file (worker's cache file and master entry) and
// is reported; later calls return the same error.
//
// Contract: used on the reactor of the FileSystemClient that made it, which must outlive it;
// one call at a time. Destroying an open stream aborts it in the background (the client's
// TaskGroup): the worker drops the cache file, the master the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/client/client_types.h"
#include "core/common/file_info.h"
#include "core/common/result.h"
#include "core/common/write_type.h"
#include "core/reactor/reactor.h"
#include "schema/master.capnp.h"
#include "schema/worker.capnp.h"

namespace alluxio::client {

class FileSystemClient;

class LocalFileOutStream {
 public:
  // Use FileSystemClient::CreateFileInPlace. `info`: the incomplete file from createFile;
  // `cache_path`: the worker's cache file for it.
  LocalFileOutStream(FileSystemClient& client, wire::FileSystemMaster::Client fs, FileInfo info,
                     WriteType write_type, WorkerAddress worker, std::string cache_path,
                     wire::LocalFileWriter::Client writer);
  ~LocalFileOutStream();
  LocalFileOutStream(const LocalFileOutStream&) = delete;
  LocalFileOutStream& operator=(const LocalFileOutStream&) = delete;

  // The file the caller writes the file's bytes into (it exists; open it O_RDWR).
  const std::string& cache_path() const { return cache_path_; }
  const FileInfo& info() const { return info_; }
  WriteType write_type() const { return write_type_; }
  bool open() const { return state_ == State::kOpen; }

  // The caller wrote the file: [0, length) of the cache file, whose size is `length`. The
  // worker persists it per the write type and commits its blocks, then the master completes
  // the file. kNoSpace (the tier cannot hold it), kIoError (UFS), kDisconnected / kTimedOut
  // (the worker), the master's errors.
  Task<Result<FileInfo>> Close(uint64_t length);
  // Drops the file (worker's cache file and master entry). Idempotent; no-op after Close().
  Task<Status> Abort();

 private:
  enum class State { kOpen, kClosed, kAborted, kFailed };
  Task<Status> Failed(Error error);

  FileSystemClient& client_;
  wire::FileSystemMaster::Client fs_;
  FileInfo info_;
  const WriteType write_type_;
  const WorkerAddress worker_;
  const std::string cache_path_;
  wire::LocalFileWriter::Client writer_;
  State state_ = State::kOpen;
  std::optional<Error> error_;
};

}  // namespace alluxio::client
