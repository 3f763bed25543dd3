// The fuzzer binary of one target: ALLUXIO_FUZZ_ENTRY names its entry point (fuzz_targets.h).
// Linked with AFL++'s libAFLDriver, which calls LLVMFuzzerTestOneInput in persistent mode
// under afl-fuzz, or once per file named on the command line.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return alluxio::fuzz::ALLUXIO_FUZZ_ENTRY(data, size);
}
