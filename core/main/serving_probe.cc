#include "core/main/serving_probe.h"

#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "core/client/client_context.h"
#include "core/client/file_system_client.h"
#include "core/reactor/reactor.h"

namespace alluxio {
namespace {

// A client whose calls give up after `timeout` (retries included).
Result<std::shared_ptr<client::ClientContext>> ProbeContext(const Configuration& conf,
                                                            std::chrono::milliseconds timeout) {
  Result<client::ClientOptions> options = client::ClientOptions::FromConfiguration(conf);
  if (!options) return options.failure();
  options->retry_max_duration = timeout;
  options->retry_max_sleep = std::min<client::Duration>(options->retry_max_sleep, timeout / 4);
  options->read_timeout = timeout;
  options->metadata_cache_enabled = false;
  return std::make_shared<client::ClientContext>(std::move(options).value());
}

using Probe = std::function<Task<bool>(client::FileSystemClient&)>;

Task<int> RunProbeOnReactor(std::shared_ptr<client::ClientContext> context, Probe probe) {
  client::FileSystemClient fs(context);
  co_return co_await probe(fs) ? 1 : 0;
}

// Runs `probe` with a client of `context` on a reactor of a thread of its own, so that the
// caller may be any thread, a reactor's too (which waits meanwhile: a reactor cannot be run
// inside another on one thread).
bool RunProbe(std::shared_ptr<client::ClientContext> context, Probe probe) {
  bool served = false;
  std::thread prober([&context, &probe, &served] {
    served = RunMainReactor([&context, &probe] { return RunProbeOnReactor(context, probe); }) == 1;
  });
  prober.join();
  return served;
}

Task<bool> AnswersGetStatus(client::FileSystemClient& fs) {
  Result<FileInfo> root = co_await fs.GetStatus("/");
  co_return root.ok();
}

Task<bool> ListsAndAnswers(client::FileSystemClient& fs, int worker_port) {
  Result<std::vector<client::WorkerInfo>> workers = co_await fs.GetWorkers();
  if (!workers.ok()) co_return false;
  std::optional<client::WorkerAddress> address;
  for (const client::WorkerInfo& w : *workers) {
    if (w.live && w.address.rpc_port == worker_port) address = w.address;
  }
  if (!address) co_return false;
  Result<client::WorkerStats> stats = co_await fs.GetWorkerStats(*address);
  co_return stats.ok();
}

}  // namespace

bool MasterServes(const Configuration& conf, std::chrono::milliseconds timeout) {
  auto context = ProbeContext(conf, timeout);
  return context.ok() && RunProbe(*context, AnswersGetStatus);
}

bool WorkerServes(const Configuration& conf, int worker_port, std::chrono::milliseconds timeout) {
  auto context = ProbeContext(conf, timeout);
  if (!context.ok()) return false;
  return RunProbe(*context, [worker_port](client::FileSystemClient& fs) {
    return ListsAndAnswers(fs, worker_port);
  });
}

}  // namespace alluxio
