// Monotonic time behind an interface so tests can drive it (no sleeping, no wall-clock
// asserts). Production code takes `const MonotonicClock&` and main passes SteadyClock().
#pragma once

#include <atomic>
#include <chrono>

namespace alluxio {

class MonotonicClock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;

  virtual ~MonotonicClock() = default;
  // Thread-safe; never goes backwards.
  virtual time_point Now() const = 0;
};

// std::chrono::steady_clock. Stateless; the returned object lives for the whole program.
const MonotonicClock& SteadyClock();

// A clock that moves only when told. Thread-safe.
class FakeClock final : public MonotonicClock {
 public:
  time_point Now() const override { return time_point(duration(now_.load())); }
  void Advance(duration d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<duration::rep> now_{0};
};

}  // namespace alluxio
