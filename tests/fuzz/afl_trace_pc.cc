// Edge coverage for AFL++ from GCC's -fsanitize-coverage=trace-pc (ALLUXIO_FUZZ builds):
// AFL++'s GCC plugin does not load into Debian's GCC 12, so every instrumented basic block calls
// this hook, which records the edge (previous block, this block) in AFL++'s shared coverage
// map the way AFL's classic instrumentation does. The map and the fork server come from AFL++'s
// runtime (afl-compiler-rt), the persistent loop from its libAFLDriver.
#include <cstdint>

extern "C" uint8_t* __afl_area_ptr;

namespace {
constexpr uintptr_t kMapMask = (1 << 16) - 1;  // AFL++'s default map size
thread_local uintptr_t previous_block = 0;
}  // namespace

extern "C" __attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_pc() {
  auto pc = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  const uintptr_t block = (pc >> 4) ^ (pc << 8);
  ++__afl_area_ptr[(block ^ previous_block) & kMapMask];
  previous_block = block >> 1;
}
