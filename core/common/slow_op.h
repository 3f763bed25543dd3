// SlowOpLogger: times a scope and, when it took longer than a threshold, logs one WARN line
// (alluxio.fuse.logging.threshold for FUSE operations, alluxio.user.logging.threshold for
// client RPCs). Cheap when fast: two clock reads and a comparison; the description is built
// only when the operation was slow, so pass a lambda for anything that needs formatting:
//
//   SlowOpLogger op("fuse", conf.GetDuration(PropertyKey::kFuseLoggingThreshold),
//                   [&] { return fmt::format("read({}, {} bytes at {})", path, size, off); });
//
// logs   "fuse: read(/a, 4096 bytes at 0) took 12034 ms (threshold 10000 ms)".
// Works across co_await (it is an ordinary object in the coroutine frame). The lambda and what
// it captures by reference must outlive the SlowOpLogger; a plain string description is
// copied.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/common/clock.h"
#include "core/common/logging.h"

namespace alluxio {

template <typename Describe>
class [[nodiscard]] SlowOpLogger {
 public:
  // `describe`: a callable returning something fmt can format, or a string.
  SlowOpLogger(std::string_view component, std::chrono::nanoseconds threshold, Describe describe,
               const MonotonicClock& clock = SteadyClock())
      : component_(component),
        threshold_(threshold),
        describe_(std::move(describe)),
        clock_(clock),
        start_(clock.Now()) {}

  SlowOpLogger(const SlowOpLogger&) = delete;
  SlowOpLogger& operator=(const SlowOpLogger&) = delete;

  ~SlowOpLogger() {
    if (!cancelled_) Finish();
  }

  // Time since construction.
  std::chrono::nanoseconds Elapsed() const { return clock_.Now() - start_; }

  // Checks now instead of at destruction; true when it was slow (and logged). Later calls and
  // the destructor do nothing.
  bool Finish() {
    if (cancelled_) return false;
    cancelled_ = true;
    const std::chrono::nanoseconds elapsed = Elapsed();
    if (elapsed <= threshold_) return false;
    if (LogEnabled(LogLevel::kWarn)) {
      using Ms = std::chrono::milliseconds;
      LogLine(LogLevel::kWarn, component_,
              fmt::format("{} took {} ms (threshold {} ms)", Description(),
                          std::chrono::duration_cast<Ms>(elapsed).count(),
                          std::chrono::duration_cast<Ms>(threshold_).count()));
    }
    return true;
  }

  // Never logs (e.g. the operation is abandoned).
  void Cancel() { cancelled_ = true; }

 private:
  auto Description() {
    if constexpr (std::is_invocable_v<Describe&>) {
      return describe_();
    } else {
      return std::string_view(describe_);
    }
  }

  std::string_view component_;  // a literal in practice; must outlive this object
  std::chrono::nanoseconds threshold_;
  Describe describe_;
  const MonotonicClock& clock_;
  MonotonicClock::time_point start_;
  bool cancelled_ = false;
};

// A string description is stored by value.
SlowOpLogger(std::string_view, std::chrono::nanoseconds, const char*)->SlowOpLogger<std::string>;
SlowOpLogger(std::string_view, std::chrono::nanoseconds, const char*, const MonotonicClock&)
    ->SlowOpLogger<std::string>;
SlowOpLogger(std::string_view, std::chrono::nanoseconds, std::string_view)
    ->SlowOpLogger<std::string>;
SlowOpLogger(std::string_view, std::chrono::nanoseconds, std::string_view, const MonotonicClock&)
    ->SlowOpLogger<std::string>;

}  // namespace alluxio
