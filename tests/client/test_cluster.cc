#include "tests/client/test_cluster.h"

#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/common/host_id.h"
#include "core/master/master_service.h"
#include "core/worker/worker_service.h"

namespace alluxio::testing {

TestCluster::TestCluster(TestClusterOptions options)
    : ufs_(CreateUnderFileSystem, options.ufs_options) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "alluxio-cluster.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    Fail("mkdtemp failed");
    return;
  }
  work_dir_ = pattern;
  ufs_root_ = work_dir_ + "/ufs";
  std::filesystem::create_directories(ufs_root_);

  Namespace::Options ns_options;
  ns_options.db_path = work_dir_ + "/metastore";
  ns_options.root_ufs_uri = options.root_ufs_uri.empty() ? ufs_root_ : options.root_ufs_uri;
  ns_options.ufs_options = options.ufs_options;
  ns_options.default_block_size = options.default_block_size;
  auto ns = Namespace::Open(ns_options);
  if (!ns) {
    Fail("namespace: " + ns.error().ToString());
    return;
  }
  ns_ = std::move(ns).value();
  registry_ = std::make_unique<WorkerRegistry>(SteadyClock(), std::chrono::hours(1));

  BlockStoreConfig store_config;
  store_config.tiers.push_back(
      TierConfig{"MEM", {TierDirConfig{work_dir_ + "/cache", options.worker_capacity_bytes}}});
  auto store = BlockStore::Open(store_config);
  if (!store) {
    Fail("block store: " + store.error().ToString());
    return;
  }
  store_ = std::move(store).value();
  background_ = std::make_unique<BlockingPool>(1, "cluster-bg");
  BlockingPool* bg = background_.get();
  read_through_ =
      std::make_unique<BlockReadThrough>(*store_, ufs_, [bg](std::function<void()> job) {
        UniqueFunction<void()> f = std::move(job);
        (void)bg->Submit(f);
      });

  pool_ = std::make_unique<ReactorPool>(ReactorPoolOptions{.reactors = 3, .name = "cluster"});
  RunSync(pool_->at(0), [&] {
    // shared_ptr: capnp clients copy only from non-const references; std::function needs more.
    auto bootstrap =
        std::make_shared<wire::Master::Client>(MakeMasterBootstrap({ns_.get(), registry_.get()}));
    auto server =
        rpc::RpcServer::Listen(rpc::Endpoint::Tcp("127.0.0.1", 0),
                               [bootstrap]() -> capnp::Capability::Client { return *bootstrap; });
    if (!server) return Fail("master listen: " + server.error().ToString());
    master_server_ = std::move(server).value();
    master_port_ = master_server_->endpoint().port;
  });
  RunSync(pool_->at(1), [&] {
    WorkerRegistry* registry = registry_.get();
    std::atomic<uint64_t>* worker_id = &worker_id_;
    BlockStore* store = store_.get();
    Namespace* ns = ns_.get();
    UfsResolver* ufs = &ufs_;
    WorkerServiceContext context{store, read_through_.get(), ufs,
                                 [ns, ufs](uint64_t mount_id) -> kj::Promise<Status> {
                                   Result<MountInfo> mount = ns->GetMount(mount_id);
                                   if (!mount.ok()) return Status(mount.failure());
                                   ufs->Learn(mount_id, mount->options);
                                   return Status(Ok());
                                 },
                                 [registry, worker_id, store](const BlockInfo& block) {
                                   (void)registry->CommitBlock(worker_id->load(), block.block_id,
                                                               store->UsedBytes());
                                 }};
    auto service =
        std::make_shared<wire::BlockWorker::Client>(MakeWorkerService(std::move(context)));
    auto server =
        rpc::RpcServer::Listen(rpc::Endpoint::Tcp("127.0.0.1", 0),
                               [service]() -> capnp::Capability::Client { return *service; });
    if (!server) return Fail("worker listen: " + server.error().ToString());
    worker_server_ = std::move(server).value();
    worker_port_ = worker_server_->endpoint().port;
  });
  if (!ok()) return;
  worker_id_ = registry_->Register(WorkerAddress{"127.0.0.1", worker_port_, LocalHostId()},
                                   options.worker_capacity_bytes, 0, {});
}

TestCluster::~TestCluster() {
  if (pool_) {
    RunSync(pool_->at(0), [&] { master_server_.reset(); });
    RunSync(pool_->at(1), [&] { worker_server_.reset(); });
    pool_->Stop();
    pool_.reset();
  }
  if (background_) background_->Stop();
  read_through_.reset();
  store_.reset();
  ns_.reset();
  if (!work_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(work_dir_, ec);
  }
}

Configuration TestCluster::ClientConf() const {
  Configuration conf;
  (void)conf.Set(PropertyKey::kMasterHostname, "127.0.0.1");
  (void)conf.Set(PropertyKey::kMasterRpcPort, std::to_string(master_port_));
  (void)conf.Set(PropertyKey::kUserRpcRetryMaxDuration, "3s");
  // A stopped worker's listener still completes TCP connects (see StopWorker), so calls to it
  // end by timing out: keep that short.
  (void)conf.Set(PropertyKey::kUserStreamingDataReadTimeout, "5s");
  (void)conf.Set(PropertyKey::kUserStreamingDataWriteTimeout, "5s");
  return conf;
}

void TestCluster::StopWorker() {
  RunSync(pool_->at(1), [&] {
    if (worker_server_) worker_server_->Stop();
  });
}

void TestCluster::Heartbeat() {
  BlockChanges changes = store_->TakeChanges();
  std::vector<uint64_t> added;
  for (const auto& [id, tier] : changes.added) added.push_back(id);
  const uint64_t used = store_->UsedBytes();
  HeartbeatReply reply = registry_->Heartbeat(worker_id_, used, added, changes.removed);
  for (uint64_t id : reply.blocks_to_free) (void)store_->RemoveBlock(id);
  if (!reply.blocks_to_free.empty()) {
    BlockChanges more = store_->TakeChanges();
    (void)registry_->Heartbeat(worker_id_, used, {}, more.removed);
  }
}

TestClient::TestClient(TestCluster& cluster, const Configuration& conf)
    : TestClient(cluster, [&] {
        auto options = client::ClientOptions::FromConfiguration(conf);
        if (!options) {
          std::fprintf(stderr, "client options: %s\n", options.error().ToString().c_str());
          std::abort();
        }
        return std::move(options).value();
      }()) {}

TestClient::TestClient(TestCluster& cluster, client::ClientOptions options)
    : reactor_(cluster.client_reactor()),
      context_(std::make_shared<client::ClientContext>(std::move(options))) {
  RunSync(reactor_, [&] { fs_ = std::make_unique<client::FileSystemClient>(context_); });
}

TestClient::~TestClient() {
  RunSync(reactor_, [&] { fs_.reset(); });
}

}  // namespace alluxio::testing
