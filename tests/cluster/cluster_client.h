// The client library against a ClusterProcesses cluster, for tests: a client on a reactor of
// its own, whole-file writes and reads, and test data. ASSERT_* cannot be used inside the
// coroutines: checks there are EXPECT_* plus early co_return.
#pragma once

#include <span>
#include <string>

#include <gtest/gtest.h>

#include "core/client/client_context.h"
#include "core/client/file_in_stream.h"
#include "core/client/file_out_stream.h"
#include "core/client/file_system_client.h"
#include "core/common/write_type.h"
#include "core/reactor/reactor.h"
#include "tests/cluster/cluster_processes.h"

namespace alluxio::testing {

// `n` bytes that differ with `seed` and are not periodic in small strides.
inline std::string Pattern(size_t n, int seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed * 17 + i / 7) % 256);
  return s;
}

// Runs `body` (a coroutine taking a FileSystemClient&) with a client of configuration `conf` on
// a reactor of its own; returns when body finishes.
template <typename Body>
void WithClient(const Configuration& conf, Body body) {
  auto context = client::ClientContext::Create(conf);
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  auto shared = std::move(context).value();
  int rc = RunMainReactor([&]() -> Task<int> {
    client::FileSystemClient fs(shared);
    co_await body(fs);
    co_return 0;
  });
  EXPECT_EQ(rc, 0);
}

// The same with a client of `cluster`.
template <typename Body>
void WithClient(const ClusterProcesses& cluster, Body body) {
  WithClient(cluster.Conf(), std::move(body));
}

// A new file at `path` (parents created) holding `content`. Option structs are built inside the
// coroutine: GCC 12 mis-destroys class-type arguments of coroutines in some cases (see
// docs/DEVELOPING.md).
inline Task<Status> WriteFile(client::FileSystemClient& fs, std::string path, std::string content,
                              WriteType type = WriteType::kCacheThrough) {
  client::CreateFileOptions options;
  options.recursive = true;
  options.write_type = type;
  auto out = co_await fs.CreateFile(path, options);
  if (!out.ok()) co_return out.failure();
  Status written = co_await (*out)->Write(content);
  if (!written.ok()) co_return written;
  auto closed = co_await (*out)->Close();
  if (!closed.ok()) co_return closed.failure();
  co_return Ok();
}

// The whole content of the file at `path`.
inline Task<Result<std::string>> ReadFile(client::FileSystemClient& fs, std::string path) {
  auto in = co_await fs.OpenFile(path);
  if (!in.ok()) co_return in.failure();
  auto status = co_await fs.GetStatus(path);
  if (!status.ok()) co_return status.failure();
  std::string data(status->length, '\0');
  size_t done = 0;
  while (done < data.size()) {
    auto n = co_await (*in)->Read(done, std::span(data).subspan(done));
    if (!n.ok()) co_return n.failure();
    if (*n == 0) break;
    done += *n;
  }
  data.resize(done);
  co_return data;
}

}  // namespace alluxio::testing
