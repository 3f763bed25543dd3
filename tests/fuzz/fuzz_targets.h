// The fuzz targets' entry points. Each takes one input, as LLVMFuzzerTestOneInput does, and
// aborts (a finding) when the code under test breaks its contract; returns 0 otherwise. The
// fuzzer binaries (fuzz_main.cc, ALLUXIO_FUZZ builds) and the replay test (fuzz_replay_test.cc,
// every build) call them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace alluxio::fuzz {

// One FUSE kernel message through ParseRequest and every argument decoder (core/fuse/fuse_codec).
int FuzzFuseRequest(const uint8_t* data, size_t size);
// A sequence of FUSE messages to the dispatcher over the in-memory reference file system.
int FuzzFuseDispatcher(const uint8_t* data, size_t size);
// A sequence of calls (rpc_calls.h) to the master's services over a real Namespace (RocksDB and
// a local UFS in the sandbox).
int FuzzMasterService(const uint8_t* data, size_t size);
// A sequence of calls (rpc_calls.h) to the worker's service over a real BlockStore and a local
// UFS in the sandbox.
int FuzzWorkerService(const uint8_t* data, size_t size);
// One HTTP answer body through every parser of S3's XML (core/ufs/s3_xml.h).
int FuzzS3Xml(const uint8_t* data, size_t size);

// A broken promise of the code under test: reported, then abort() so the fuzzer keeps the input.
inline void FuzzAssert(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz: contract broken: %s\n", what);
  std::abort();
}

}  // namespace alluxio::fuzz
