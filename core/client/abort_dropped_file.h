// The background abort of a file whose writing stream (FileOutStream, LocalFileOutStream) was
// destroyed open: the worker's writer and the master's incomplete file are dropped.
#pragma once

#include <cstdint>
#include <string>

#include "core/client/client_options.h"
#include "core/common/logging.h"
#include "core/reactor/reactor.h"
#include "rpc/await.h"
#include "schema/master.capnp.h"

namespace alluxio::client {

// Holds only capabilities (valid after the client is gone too). `Writer`: a wire::FileWriter
// or wire::LocalFileWriter client.
template <typename Writer>
Task<void> AbortDroppedFile(wire::FileSystemMaster::Client fs, Writer writer, uint64_t file_id,
                            std::string path, Duration timeout) {
  (void)co_await rpc::Await(writer.abortRequest().send(), timeout);
  auto req = fs.abortFileRequest();
  req.setFileId(file_id);
  auto response = co_await rpc::Await(req.send(), timeout);
  if (!response) {
    ALX_LOG(kWarn, "client", "abort of {} (dropped while open) failed: {}", path,
            response.error().ToString());
  }
}

}  // namespace alluxio::client
