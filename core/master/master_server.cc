#include "core/master/master_server.h"

#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "core/common/logging.h"
#include "core/master/master_service.h"
#include "core/ufs/fault_injecting_under_file_system.h"
#include "core/ufs/ufs_options.h"
#include "rpc/fault_injection.h"

namespace alluxio {
namespace {

// Threads that run namespace mutations: each mostly waits for the namespace lock or a WAL sync,
// and as many mutations as run at once share a sync.
constexpr size_t kMutationThreads = 16;

// Marks silent workers lost; what they were persisting is handed to others.
Task<void> DetectLostWorkers(WorkerRegistry* workers, PersistScheduler* persists,
                             std::chrono::milliseconds interval) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (true) {
    timer.expires_after(interval);
    co_await timer.async_wait(asio::use_awaitable);
    for (uint64_t lost : workers->DetectLostWorkers()) persists->ReleaseWorker(lost);
  }
}

}  // namespace

Result<std::unique_ptr<MasterServer>> MasterServer::Start(const Configuration& conf) {
  std::unique_ptr<MasterServer> master(new MasterServer());
  Namespace::Options options;
  options.db_path = conf.GetString(PropertyKey::kMasterMetastoreDir);
  options.root_ufs_uri = conf.GetString(PropertyKey::kMasterMountTableRootUfs);
  options.metadata_sync_interval_ms =
      conf.GetDuration(PropertyKey::kUserFileMetadataSyncInterval).count();
  options.default_block_size = conf.GetBytes(PropertyKey::kUserBlockSizeBytesDefault);
  options.ufs_options = UfsOptionsOf(conf);
  options.ufs_factory = MakeUfsFactory(conf.GetString(PropertyKey::kUnderfsFaultInjectionFile));
  auto ns = Namespace::Open(options);
  if (!ns.ok()) return ns.failure();
  master->ns_ = std::move(ns).value();
  master->workers_ = std::make_unique<WorkerRegistry>(
      SteadyClock(), conf.GetDuration(PropertyKey::kMasterWorkerTimeout));
  // The persists a previous run left pending are due at once (their initial wait is not kept).
  master->persists_ = std::make_unique<PersistScheduler>(SteadyClock());
  auto pending = master->ns_->PendingPersists();
  if (!pending.ok()) return pending.failure();
  for (uint64_t file_id : *pending) master->persists_->Add(file_id, std::chrono::milliseconds(0));
  if (!pending->empty()) {
    ALX_LOG(kInfo, "master", "{} files are still to be persisted", pending->size());
  }

  const PermissionOptions permissions = PermissionOptions::FromConfiguration(conf);
  master->permissions_ = std::make_unique<PermissionChecker>(*master->ns_, permissions);
  if (!permissions.enabled) {
    ALX_LOG(kWarn, "master",
            "alluxio.security.authorization.permission.enabled=false: every client may do "
            "anything");
  }
  master->impersonation_ = std::make_unique<Impersonation>(Impersonation::FromConfiguration(conf));
  master->mutations_ = std::make_unique<BlockingPool>(kMutationThreads, "ns-mutation");
  wire::Master::Client bootstrap = rpc::WithRpcFaults<wire::Master>(
      MakeMasterBootstrap(MasterServiceContext{
          master->ns_.get(), master->workers_.get(), master->permissions_.get(),
          master->impersonation_.get(), master->mutations_.get(), master->persists_.get()}),
      conf.GetString(PropertyKey::kRpcFaultInjectionFile));
  auto endpoint = rpc::Endpoint::Tcp(conf.GetString(PropertyKey::kMasterBindHost),
                                     conf.GetInt(PropertyKey::kMasterRpcPort));
  auto server = rpc::RpcServer::Listen(
      endpoint,
      [shared = std::make_shared<wire::Master::Client>(
           std::move(bootstrap))]() -> capnp::Capability::Client { return *shared; },
      rpc::ServerOptions{.busy_patience = rpc::kRestartBindPatience});
  if (!server.ok()) return server.failure();
  master->server_ = std::move(server).value();

  Reactor* reactor = Reactor::Current();
  master->tasks_ = std::make_unique<TaskGroup>(*reactor, "master");
  master->tasks_->Spawn(
      DetectLostWorkers(master->workers_.get(), master->persists_.get(),
                        conf.GetDuration(PropertyKey::kMasterLostWorkerDetectionInterval)),
      "lost worker detection");
  ALX_LOG(kInfo, "master", "master serving on {} (metastore {}, root UFS {})",
          master->server_->endpoint().ToString(), options.db_path, options.root_ufs_uri);
  return master;
}

MasterServer::~MasterServer() = default;

uint16_t MasterServer::port() const { return server_->endpoint().port; }

Task<void> MasterServer::Stop() {
  server_->Stop();
  mutations_->Stop();
  co_await tasks_->Stop();
}

}  // namespace alluxio
