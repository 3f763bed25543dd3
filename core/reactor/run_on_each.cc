#include "core/reactor/run_on_each.h"

#include <cassert>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>

namespace alluxio {
namespace {

// Counts down when destroyed: a posted closure signals whether it ran or was dropped.
class Countdown {
 public:
  explicit Countdown(size_t n) : remaining_(n) {}
  void Arrive(bool ran) {
    std::lock_guard lock(mu_);
    if (ran) ++ran_;
    if (--remaining_ == 0) cv_.notify_all();
  }
  size_t Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return remaining_ == 0; });
    return ran_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t remaining_;
  size_t ran_ = 0;
};

struct Arrival {
  std::shared_ptr<Countdown> countdown;
  bool ran = false;
  explicit Arrival(std::shared_ptr<Countdown> c) : countdown(std::move(c)) {}
  Arrival(Arrival&& other) noexcept : countdown(std::move(other.countdown)), ran(other.ran) {}
  Arrival& operator=(Arrival&&) = delete;
  ~Arrival() {
    if (countdown) countdown->Arrive(ran);
  }
};

}  // namespace

size_t RunOnEach(std::span<Reactor* const> reactors, std::function<void(size_t)> fn) {
  assert(Reactor::Current() == nullptr);
  if (reactors.empty()) return 0;
  auto countdown = std::make_shared<Countdown>(reactors.size());
  for (size_t i = 0; i < reactors.size(); ++i) {
    reactors[i]->Post([i, fn, arrival = Arrival(countdown)]() mutable {
      fn(i);
      arrival.ran = true;
    });
  }
  return countdown->Wait();
}

}  // namespace alluxio
