// What end-to-end tests do with whole files on a mount, as a program would: write one in 1 MiB
// writes then fsync and close, read one in 1 MiB reads, and the first errno of either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace alluxio::testing {

inline constexpr size_t kMiB = 1 << 20;

// Root with /dev/fuse: the tests that mount can run.
bool CanMount();

// `n` pseudo-random bytes, the same for the same seed.
std::string RandomBytes(size_t n, uint32_t seed);

// The content of a local file ("" if it cannot be read).
std::string ReadLocal(const std::string& path);

// open(O_CREAT|O_TRUNC)/write/fsync/close: 0, or the first errno and the call that failed.
struct WriteOutcome {
  int error = 0;
  std::string step;
};

// Writes `data` in 1 MiB writes, calling `after_chunk(i)` after the i-th. A short write (the
// part that reached a worker before it died) is followed by the write that reports the error.
WriteOutcome WriteWhole(const std::string& path, const std::string& data,
                        const std::function<void(size_t)>& after_chunk = {});

// What was read, and the errno of the read that failed (0 if none).
struct ReadOutcome {
  int error = 0;
  std::string data;
};

// Reads the file in 1 MiB reads, calling `after_chunk(i)` after the i-th.
ReadOutcome ReadWhole(const std::string& path, const std::function<void(size_t)>& after_chunk = {});

}  // namespace alluxio::testing
