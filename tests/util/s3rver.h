// A real S3 server for tests: s3rver (npm, installed into build/s3rver by scripts/setup)
// listening on a free loopback port, with its own temporary data directory and one bucket.
// Killed by pid (and reaped) on destruction, also when a test fails; it dies with the test
// process if that crashes (PR_SET_PDEATHSIG). Stop() and Start() again keep port and data, for
// tests of an S3 outage.
#pragma once

#include <sys/types.h>

#include <string>

#include "core/ufs/under_file_system.h"
#include "tests/util/temp_dir.h"

namespace alluxio::testing {

class S3rver {
 public:
  // Starts the server with bucket `bucket`; ADD_FAILURE (and ok() false) when it does not come up.
  explicit S3rver(std::string bucket = "test-bucket");
  ~S3rver();
  S3rver(const S3rver&) = delete;
  S3rver& operator=(const S3rver&) = delete;

  bool ok() const { return pid_ > 0; }
  // SIGKILL, reaped. Then Start() brings it back on the same port with the same data.
  void Stop();
  bool Start();

  int port() const { return port_; }
  const std::string& bucket() const { return bucket_; }
  std::string Endpoint() const;  // "http://127.0.0.1:<port>"
  // "s3://<bucket>/<prefix>"
  std::string Uri(const std::string& prefix = "") const;
  // Endpoint, path-style access and s3rver's credentials (S3RVER/S3RVER).
  UfsOptions Options() const;
  // The server's log (requests and errors), for failure messages.
  std::string Log() const;

 private:
  TempDir dir_;
  std::string bucket_;
  int port_ = 0;
  pid_t pid_ = 0;
};

}  // namespace alluxio::testing
