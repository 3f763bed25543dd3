// Fuzz target: the master's Cap'n Proto services (core/master/master_service.cc) receiving
// arbitrary calls (rpc_calls.h) in-process, over a real Namespace: RocksDB in /meta and the root
// UFS in /ufs of the sandbox (sandbox.h). Slots: 0 the Master bootstrap, 1 FileSystemMaster,
// 2 BlockMaster. Every call must be answered (a Status, or an exception for a malformed call);
// after each input the namespace must still list "/" and stat every path it lists. Then the
// input's changes are undone (mounts, then the children of "/"), so each input starts from an
// empty tree; only the inode id counter goes on (the first input of a process creates inode
// 0x1ffffff, as the seeds expect). One namespace serves every input of the process: opening a
// fresh RocksDB per input ran at 10 inputs/s instead of about 450.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <kj/async.h>

#include "core/common/clock.h"
#include "core/master/master_service.h"
#include "core/master/namespace.h"
#include "core/master/worker_registry.h"
#include "tests/fuzz/fuzz_targets.h"
#include "tests/fuzz/rpc_calls.h"
#include "tests/fuzz/sandbox.h"

namespace alluxio::fuzz {
namespace {

constexpr size_t kSanityEntryLimit = 2000;

struct MasterFixture {
  MasterFixture() {
    EnterSandbox();
    Namespace::Options options;
    options.db_path = "/meta";
    options.root_ufs_uri = "/ufs";
    auto opened = Namespace::Open(options);
    FuzzAssert(opened.ok(), "the namespace opens in the sandbox");
    ns = std::move(opened).value();
  }

  kj::EventLoop loop;
  kj::WaitScope wait_scope{loop};
  std::unique_ptr<Namespace> ns;
};

MasterFixture& Fixture() {
  static MasterFixture* fixture = new MasterFixture();  // lives until exit
  return *fixture;
}

// A mount must name a directory of the sandbox's UFS: a mount of "/" would let a recursive
// remove delete the RocksDB store under the namespace, an administrator's choice, not a finding.
bool Admit(uint8_t slot, uint16_t method, capnp::AnyPointer::Reader params) {
  if (slot != 1 || method != 9) return true;
  auto mount = params.getAs<wire::FileSystemMaster::MountParams>();
  std::string_view uri(mount.getUfsUri().cStr(), mount.getUfsUri().size());
  return InsideSandboxUfs(uri);
}

// Lists the whole tree (up to kSanityEntryLimit entries); every listed path must stat.
void CheckTree(Namespace& ns) {
  std::vector<std::string> pending = {"/"};
  size_t seen = 0;
  while (!pending.empty() && seen < kSanityEntryLimit) {
    std::string dir = std::move(pending.back());
    pending.pop_back();
    auto listed = ns.ListStatus(dir);
    FuzzAssert(listed.ok() || dir != "/", "\"/\" lists after the input");
    if (!listed.ok()) continue;
    for (const FileInfo& entry : listed->entries) {
      ++seen;
      FuzzAssert(ns.GetStatus(entry.path).ok(), "every listed path stats");
      if (entry.is_directory) pending.push_back(entry.path);
    }
  }
}

void Reset(Namespace& ns) {
  std::vector<MountInfo> mounts = ns.GetMountTable();
  std::sort(mounts.begin(), mounts.end(), [](const MountInfo& a, const MountInfo& b) {
    return a.alluxio_path.size() > b.alluxio_path.size();
  });
  for (const MountInfo& mount : mounts) {
    if (mount.alluxio_path != "/") {
      FuzzAssert(ns.Unmount(mount.alluxio_path).ok(), "a mount point unmounts");
    }
  }
  auto root = ns.ListStatus("/");
  FuzzAssert(root.ok(), "\"/\" lists");
  for (const FileInfo& entry : root->entries) (void)ns.Remove(entry.path, /*recursive=*/true);
}

}  // namespace

int FuzzMasterService(const uint8_t* data, size_t size) {
  MasterFixture& f = Fixture();
  {
    WorkerRegistry workers(SteadyClock(), std::chrono::seconds(30));
    wire::Master::Client master = MakeMasterBootstrap(MasterServiceContext{f.ns.get(), &workers});
    capnp::Capability::Client slots[] = {
        master, master.fileSystemRequest().send().wait(f.wait_scope).getService(),
        master.blockMasterRequest().send().wait(f.wait_scope).getService()};
    const uint64_t interfaces[] = {capnp::typeId<wire::Master>(),
                                   capnp::typeId<wire::FileSystemMaster>(),
                                   capnp::typeId<wire::BlockMaster>()};
    for (const RpcCall& call : SplitCalls({data, size})) {
      const uint8_t slot = call.slot % 3;
      (void)Dispatch(
          slots[slot], interfaces[slot], call, f.wait_scope,
          [&](capnp::AnyPointer::Reader params) { return Admit(slot, call.method, params); },
          [](capnp::AnyPointer::Reader) {});
    }
  }
  f.wait_scope.poll();
  CheckTree(*f.ns);
  Reset(*f.ns);
  return 0;
}

}  // namespace alluxio::fuzz
