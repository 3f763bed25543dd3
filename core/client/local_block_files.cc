#include "core/client/local_block_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include <fmt/format.h>

#include "core/common/block_id.h"

namespace alluxio::client {
namespace {

constexpr auto kReportDelay = std::chrono::seconds(1);
constexpr size_t kReportBatch = 256;

}  // namespace

int LocalBlockFiles::Open(const WorkerAddress& worker, uint64_t block_id, uint64_t length) {
  auto it = workers_.find(worker.ToString());
  if (it == workers_.end()) return -1;
  const std::string name = fmt::format("/{}", ContainerIdOf(block_id));
  for (const std::string& dir : it->second.dirs) {
    const std::string path = dir + name;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) != length) {
      ::close(fd);  // being written (or not this block): ask the worker
      return -1;
    }
    NoteRead(it->second, block_id);
    return fd;
  }
  return -1;
}

void LocalBlockFiles::Learn(const WorkerAddress& worker, wire::BlockWorker::Client service,
                            std::string_view path, uint64_t block_id) {
  const std::string name = fmt::format("/{}", ContainerIdOf(block_id));
  if (!path.ends_with(name) || path.size() == name.size()) return;
  PerWorker& state = workers_[worker.ToString()];
  state.service = std::move(service);
  std::string dir(path.substr(0, path.size() - name.size()));
  for (const std::string& known : state.dirs) {
    if (known == dir) return;
  }
  state.dirs.push_back(std::move(dir));
}

void LocalBlockFiles::NoteRead(PerWorker& state, uint64_t block_id) {
  state.touched.push_back(block_id);
  const auto now = std::chrono::steady_clock::now();
  if (state.touched.size() < kReportBatch && now - state.last_report < kReportDelay) return;
  state.last_report = now;
  auto req = state.service.touchBlocksRequest();
  auto list = req.initBlockIds(static_cast<unsigned>(state.touched.size()));
  for (size_t i = 0; i < state.touched.size(); ++i) {
    list.set(static_cast<unsigned>(i), state.touched[i]);
  }
  state.touched.clear();
  // Nothing waits for it: a lost report only leaves the worker's LRU order less exact.
  req.send().ignoreResult().detach([](kj::Exception&&) {});
}

}  // namespace alluxio::client
