// Fuzz target: the worker's Cap'n Proto service (core/worker/worker_service.cc) receiving
// arbitrary calls (rpc_calls.h) in-process, over a real BlockStore (16 MiB in /blocks of the
// sandbox, sandbox.h), read-through and write sessions on the local UFS in /ufs, where /ufs/src
// holds 256 KiB to read through. Slots: 0 the BlockWorker, 1 the FileWriter of the last
// successful createFileWriter, 2 the BlockLease of the last successful openLocalBlock. Background
// caching jobs run after each call. Every call must be answered (a Status, or an exception for a
// malformed call); after each input, with its writers and leases dropped and its blocks removed,
// the store must account no committed or reserved bytes. Each input starts from an empty store.
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <kj/async.h>

#include "core/worker/block_read_through.h"
#include "core/worker/block_store.h"
#include "core/worker/ufs_resolver.h"
#include "core/worker/worker_service.h"
#include "tests/fuzz/fuzz_targets.h"
#include "tests/fuzz/rpc_calls.h"
#include "tests/fuzz/sandbox.h"

namespace alluxio::fuzz {
namespace {

constexpr uint64_t kStoreQuota = 16 << 20;
constexpr size_t kSourceBytes = 256 << 10;

struct WorkerFixture {
  WorkerFixture() {
    EnterSandbox();
    std::filesystem::create_directories("/ufs");
    std::string content(kSourceBytes, '\0');
    for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 131 % 251);
    std::ofstream("/ufs/src", std::ios::binary) << content;
    BlockStoreConfig config;
    config.tiers.push_back(TierConfig{"MEM", {TierDirConfig{"/blocks", kStoreQuota}}});
    auto opened = BlockStore::Open(config);
    FuzzAssert(opened.ok(), "the block store opens in the sandbox");
    store = std::move(opened).value();
    read_through = std::make_unique<BlockReadThrough>(
        *store, ufs, [this](std::function<void()> job) { background.push_back(std::move(job)); });
  }

  void RunBackground() {
    while (!background.empty()) {
      auto jobs = std::move(background);
      background.clear();
      for (auto& job : jobs) job();
    }
  }

  kj::EventLoop loop;
  kj::WaitScope wait_scope{loop};
  std::unique_ptr<BlockStore> store;
  UfsResolver ufs;
  std::vector<std::function<void()>> background;
  std::unique_ptr<BlockReadThrough> read_through;
};

WorkerFixture& Fixture() {
  static WorkerFixture* fixture = new WorkerFixture();  // lives until exit
  return *fixture;
}

// Files a writer creates stay in the sandbox's UFS: one written into /blocks would be a file the
// block store does not own, an operator's mistake, not a finding.
bool Admit(uint8_t slot, uint16_t method, capnp::AnyPointer::Reader params) {
  if (slot != 0 || method != 2) return true;
  auto create = params.getAs<wire::BlockWorker::CreateFileWriterParams>();
  std::string_view uri(create.getMountUfsUri().cStr(), create.getMountUfsUri().size());
  return uri.empty() || InsideSandboxUfs(uri);
}

void CheckEmptyStore(BlockStore& store) {
  for (const BlockInfo& block : store.ListBlocks()) {
    FuzzAssert(store.RemoveBlock(block.block_id).ok(), "a listed block removes");
  }
  FuzzAssert(store.ListBlocks().empty(), "no block left after removing them all");
  for (const DirUsage& dir : store.Usage()) {
    FuzzAssert(dir.committed_bytes == 0, "no committed bytes without blocks");
    FuzzAssert(dir.reserved_bytes == 0, "no reserved bytes without writers");
    FuzzAssert(dir.blocks == 0, "no block counted without blocks");
  }
}

void ClearUfs() {
  for (const auto& entry : std::filesystem::directory_iterator("/ufs")) {
    if (entry.path() != "/ufs/src") std::filesystem::remove_all(entry.path());
  }
}

}  // namespace

int FuzzWorkerService(const uint8_t* data, size_t size) {
  WorkerFixture& f = Fixture();
  {
    capnp::Capability::Client slots[] = {
        MakeWorkerService(WorkerServiceContext{
            f.store.get(),
            f.read_through.get(),
            &f.ufs,
            [&f](uint64_t mount_id) -> kj::Promise<Status> {
              f.ufs.Learn(mount_id, {});  // every mount: the sandbox's UFS, no options
              return Status(Ok());
            },
            {}}),
        capnp::Capability::Client(nullptr), capnp::Capability::Client(nullptr)};
    const uint64_t interfaces[] = {capnp::typeId<wire::BlockWorker>(),
                                   capnp::typeId<wire::FileWriter>(),
                                   capnp::typeId<wire::BlockLease>()};
    for (const RpcCall& call : SplitCalls({data, size})) {
      const uint8_t slot = call.slot % 3;
      auto on_answer = [&](capnp::AnyPointer::Reader results) {
        if (slot != 0) return;
        if (call.method == 2) {
          auto created = results.getAs<wire::BlockWorker::CreateFileWriterResults>();
          if (created.getStatus().getCode() == wire::ErrorCode::NONE)
            slots[1] = created.getWriter();
        } else if (call.method == 1) {
          auto opened = results.getAs<wire::BlockWorker::OpenLocalBlockResults>();
          if (opened.getStatus().getCode() == wire::ErrorCode::NONE) slots[2] = opened.getLease();
        }
      };
      (void)Dispatch(
          slots[slot], interfaces[slot], call, f.wait_scope,
          [&](capnp::AnyPointer::Reader params) { return Admit(slot, call.method, params); },
          on_answer);
      f.RunBackground();
    }
  }
  f.wait_scope.poll();
  f.RunBackground();
  CheckEmptyStore(*f.store);
  ClearUfs();
  return 0;
}

}  // namespace alluxio::fuzz
