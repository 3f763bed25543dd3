#include "core/common/clock.h"

namespace alluxio {
namespace {

class SteadyClockImpl final : public MonotonicClock {
 public:
  time_point Now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

const MonotonicClock& SteadyClock() {
  static const SteadyClockImpl clock;
  return clock;
}

}  // namespace alluxio
