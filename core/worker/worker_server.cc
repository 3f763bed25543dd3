#include "core/worker/worker_server.h"

#include <filesystem>

#include <fmt/format.h>

#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "core/common/block_id.h"
#include "core/common/host_id.h"
#include "core/common/local_user.h"
#include "core/common/logging.h"
#include "core/reactor/blocking_pool.h"
#include "core/ufs/fault_injecting_under_file_system.h"
#include "core/ufs/ufs_options.h"
#include "core/wire/wire_convert.h"
#include "core/worker/worker_service.h"
#include "rpc/await.h"
#include "rpc/channel.h"
#include "rpc/fault_injection.h"
#include "schema/master.capnp.h"

namespace alluxio {
namespace {

constexpr auto kRpcTimeout = std::chrono::seconds(30);
// Threads that finish write sessions (their UFS fsyncs): as many commits run at once.
constexpr size_t kUfsCommitThreads = 8;
// Threads that persist files in the background (ASYNC_THROUGH), apart from the commits that
// a writer's close waits for.
constexpr size_t kPersistThreads = 4;

uint64_t CapacityBytes(const BlockStore& store) {
  uint64_t capacity = 0;
  for (const DirUsage& dir : store.Usage()) capacity += dir.capacity_bytes;
  return capacity;
}

struct AdvertisedAddress {
  std::string host;
  uint16_t port = 0;
  std::string domain_socket;  // "" none
};

struct HeartbeatConfig {
  rpc::Endpoint master;
  AdvertisedAddress address;
  std::chrono::milliseconds interval;
};

// Removes blocks the master names (their files left the namespace), with their persist pins.
void FreeBlocks(BlockStore* store, FilePersister* persister,
                capnp::List<uint64_t>::Reader block_ids) {
  for (uint64_t block : block_ids) {
    persister->Unpin(FileIdOfBlock(block));
    (void)store->RemoveBlock(block);
  }
}

Task<Result<uint64_t>> Register(wire::BlockMaster::Client master, BlockStore* store,
                                FilePersister* persister, const HeartbeatConfig& config) {
  auto request = master.registerWorkerRequest();
  auto address = request.initAddress();
  address.setHost(config.address.host);
  address.setRpcPort(config.address.port);
  address.setHostId(LocalHostId());
  address.setDomainSocket(config.address.domain_socket);
  request.setCapacityBytes(CapacityBytes(*store));
  request.setUsedBytes(store->UsedBytes());
  (void)store->TakeChanges();  // the full list below supersedes pending changes
  auto blocks = store->ListBlocks();
  auto ids = request.initBlockIds(blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) ids.set(i, blocks[i].block_id);
  auto response = co_await rpc::Await(request.send(), kRpcTimeout);
  if (!response.ok()) co_return response.failure();
  if (Status s = FromWire(response->getStatus()); !s.ok()) co_return s.failure();
  // Blocks of no file (e.g. a namespace formatted anew reuses their ids): gone before any
  // client can write a block with the same id here.
  FreeBlocks(store, persister, response->getBlocksToFree());
  // Blocks of files still to be persisted: kept until they are (after a restart of this worker).
  std::vector<uint64_t> to_pin = FromWire(response->getBlocksToPin());
  persister->PinBlocks(to_pin);
  co_return response->getWorkerId();
}

// What persisting files takes (FilePersister), all owned by the WorkerServer.
struct PersistContext {
  FilePersister* persister;
  BlockingPool* pool;    // runs FilePersister::Persist
  TaskGroup* tasks;      // owns the persist tasks
  rpc::Channel* master;  // for mount options and persistDone
  UfsResolver* ufs;
  std::shared_ptr<uint64_t> worker_id;
};

Task<Status> LearnMount(rpc::Channel* channel, UfsResolver* ufs, uint64_t mount_id);

// Persists one file the master handed this worker and reports the outcome; the file's pins go
// once the master recorded it persisted (or gone). A failure is the master's to retry.
Task<void> PersistFile(PersistContext c, PersistRequest request) {
  Status done = Ok();
  if (!c.ufs->Knows(request.mount_id))
    done = co_await LearnMount(c.master, c.ufs, request.mount_id);
  if (done.ok()) {
    // Named: a temporary passed by value to a coroutine can be destroyed twice (GCC 12).
    auto persist = [persister = c.persister, request] { return persister->Persist(request); };
    done = co_await RunBlocking(*c.pool, std::move(persist));
  }
  if (!done.ok()) {
    ALX_LOG(kWarn, "worker", "persisting file {} failed: {}", request.file_id,
            done.error().ToString());
  }
  auto master = co_await c.master->Get<wire::Master>();
  Status reported = master.ok() ? Ok() : Status(master.failure());
  if (master.ok()) {
    wire::BlockMaster::Client blocks = master->blockMasterRequest().send().getService();
    auto call = blocks.persistDoneRequest();
    call.setWorkerId(*c.worker_id);
    call.setFileId(request.file_id);
    call.setLength(request.length);
    ToWire(done, call.initResult());
    auto response = co_await rpc::Await(call.send(), kRpcTimeout);
    reported = response.ok() ? FromWire(response->getStatus()) : Status(response.failure());
  }
  if (done.ok() && (reported.ok() || reported.code() == ErrorCode::kNotFound)) {
    c.persister->Unpin(request.file_id);
  } else if (done.ok()) {
    ALX_LOG(kWarn, "worker", "persist of file {} not recorded by the master (retried): {}",
            request.file_id, reported.error().ToString());
  }
  c.persister->End(request.file_id);
}

// Starts the persists of `files` not running already.
void StartPersists(const PersistContext& c, capnp::List<wire::PersistFile>::Reader files) {
  for (wire::PersistFile::Reader f : files) {
    if (!c.persister->Begin(f.getFileId())) continue;
    PersistRequest request{f.getFileId(),
                           f.getLength(),
                           f.getBlockSize(),
                           FromWire(f.getBlockIds()),
                           f.getMode(),
                           f.getMountId(),
                           std::string(f.getMountUfsUri().cStr(), f.getMountUfsUri().size())};
    c.tasks->Spawn(PersistFile(c, request), "persist");
  }
}

// Heartbeats while the worker runs; registers first and whenever the master asks. Drops the
// UFS objects of mounts the master no longer has; starts the persists the master hands out.
Task<void> HeartbeatLoop(BlockStore* store, UfsResolver* ufs, HeartbeatConfig config,
                         std::shared_ptr<uint64_t> worker_id, PersistContext persist) {
  rpc::Channel channel(config.master);  // its own: a stalled commit never delays a heartbeat
  asio::steady_timer timer(co_await asio::this_coro::executor);
  bool registered = false;
  BlockChanges unsent;
  while (true) {
    auto master = co_await channel.Get<wire::Master>();
    Status status = master.ok() ? Ok() : Status(master.failure());
    if (master.ok()) {
      wire::BlockMaster::Client blocks = master->blockMasterRequest().send().getService();
      if (!registered) {
        auto id = co_await Register(blocks, store, persist.persister, config);
        if (id.ok()) {
          *worker_id = *id;
          registered = true;
          unsent = {};
          ALX_LOG(kInfo, "worker", "registered with the master at {} as worker {}",
                  config.master.ToString(), *id);
        } else {
          status = id.failure();
        }
      } else {
        BlockChanges changes = store->TakeChanges();
        for (auto& added : changes.added) unsent.added.push_back(added);
        for (uint64_t removed : changes.removed) unsent.removed.push_back(removed);
        auto request = blocks.heartbeatRequest();
        request.setWorkerId(*worker_id);
        request.setUsedBytes(store->UsedBytes());
        auto added = request.initAddedBlocks(unsent.added.size());
        for (size_t i = 0; i < unsent.added.size(); ++i) added.set(i, unsent.added[i].first);
        ToWire(unsent.removed, request.initRemovedBlocks(unsent.removed.size()));
        std::vector<uint64_t> persisting = persist.persister->Running();
        ToWire(persisting, request.initPersisting(persisting.size()));
        const uint64_t mounts_learned = ufs->Generation();
        auto response = co_await rpc::Await(request.send(), kRpcTimeout);
        if (response.ok()) {
          unsent = {};
          if (response->getReregister()) registered = false;
          FreeBlocks(store, persist.persister, response->getBlocksToFree());
          if (!response->getReregister()) StartPersists(persist, response->getPersistFiles());
          for (uint64_t gone : ufs->Retain(FromWire(response->getMountIds()), mounts_learned)) {
            ALX_LOG(kInfo, "worker", "mount {} is gone: its UFS objects are dropped", gone);
          }
        } else {
          status = response.failure();  // changes stay in `unsent` for the next beat
        }
      }
    }
    if (!status.ok()) {
      ALX_LOG(kWarn, "worker", "master at {} unreachable: {}", config.master.ToString(),
              status.error().ToString());
      registered = false;
    }
    timer.expires_after(config.interval);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

// Asks the master for the options of mount `mount_id` and teaches them to `ufs`.
Task<Status> LearnMount(rpc::Channel* channel, UfsResolver* ufs, uint64_t mount_id) {
  auto master = co_await channel->Get<wire::Master>();
  if (!master.ok()) co_return master.failure();
  auto login = master->fileSystemRequest();
  login.setUser(LocalUserName());
  wire::FileSystemMaster::Client fs = login.send().getService();
  auto request = fs.getMountOptionsRequest();
  request.setMountId(mount_id);
  auto response = co_await rpc::Await(request.send(), kRpcTimeout);
  if (!response.ok()) co_return response.failure();
  if (Status s = FromWire(response->getStatus()); !s.ok()) co_return s;
  ufs->Learn(mount_id, FromWire(response->getOptions()));
  ALX_LOG(kInfo, "worker", "mount {}: its UFS is opened with its options from the master",
          mount_id);
  co_return Ok();
}

// LearnMount for the worker service (WorkerServiceContext::learn_mount), on the calling reactor.
kj::Promise<Status> LearnMountPromise(rpc::Channel* channel, UfsResolver* ufs, uint64_t mount_id) {
  auto learned = kj::newPromiseAndCrossThreadFulfiller<Status>();
  // Shared: a kj::Own may throw from its destructor, which a completion handler must not.
  auto fulfiller =
      std::make_shared<kj::Own<kj::CrossThreadPromiseFulfiller<Status>>>(kj::mv(learned.fulfiller));
  asio::co_spawn(Reactor::Current()->executor(), LearnMount(channel, ufs, mount_id),
                 [fulfiller](std::exception_ptr e, Status status) {
                   if (e) std::rethrow_exception(e);  // a bug, not an outcome
                   (*fulfiller)->fulfill(std::move(status));
                 });
  return kj::mv(learned.promise);
}

// Tells the master about each block a write session committed, so readers find it at once
// (the next heartbeat reports it too; a lost commit costs nothing but that delay).
Task<void> CommitBlock(rpc::Channel* channel, std::shared_ptr<uint64_t> worker_id, BlockInfo block,
                       uint64_t used_bytes) {
  if (*worker_id == 0) co_return;  // not registered yet: registration will list the block
  auto master = co_await channel->Get<wire::Master>();
  if (!master.ok()) co_return;
  wire::BlockMaster::Client blocks = master->blockMasterRequest().send().getService();
  auto request = blocks.commitBlockRequest();
  request.setWorkerId(*worker_id);
  request.setBlockId(block.block_id);
  request.setLength(block.length);
  request.setTierAlias(block.tier_alias);
  request.setUsedBytes(used_bytes);
  auto response = co_await rpc::Await(request.send(), kRpcTimeout);
  if (!response.ok()) {
    ALX_LOG(kDebug, "worker", "commitBlock {} not delivered: {}", block.block_id,
            response.error().ToString());
  }
}

}  // namespace

Result<BlockStoreConfig> WorkerBlockStoreConfig(const Configuration& conf) {
  auto config =
      TieredStoreConfigFromProperties([&conf](std::string_view key) { return conf.Lookup(key); });
  if (!config.ok()) return config.failure();
  std::string folder = conf.GetString(PropertyKey::kWorkerDataFolder);
  for (TierConfig& tier : config->tiers) {
    for (TierDirConfig& dir : tier.dirs) {
      if (!folder.empty()) dir.path += "/" + folder;
    }
  }
  return config;
}

Result<std::unique_ptr<WorkerServer>> WorkerServer::Start(const Configuration& conf) {
  Reactor* reactor = Reactor::Current();
  std::unique_ptr<WorkerServer> worker(new WorkerServer());
  auto store_config = WorkerBlockStoreConfig(conf);
  if (!store_config.ok()) return store_config.failure();
  auto store = BlockStore::Open(*store_config);
  if (!store.ok()) return store.failure();
  worker->store_ = std::move(store).value();
  worker->ufs_ = std::make_unique<UfsResolver>(
      MakeUfsFactory(conf.GetString(PropertyKey::kUnderfsFaultInjectionFile)), UfsOptionsOf(conf));
  worker->ufs_reads_ = std::make_unique<BlockingPool>(
      std::max<int64_t>(1, conf.GetInt(PropertyKey::kWorkerBlockReaderThreads)), "ufs-read");
  worker->ufs_commits_ = std::make_unique<BlockingPool>(kUfsCommitThreads, "ufs-commit");
  worker->persists_ = std::make_unique<BlockingPool>(kPersistThreads, "persist");
  BlockingPool* pool = worker->ufs_reads_.get();
  worker->read_through_ = std::make_unique<BlockReadThrough>(
      *worker->store_, *worker->ufs_,
      [pool](std::function<void()> job) {
        UniqueFunction<void()> fn(std::move(job));
        if (!pool->Submit(fn)) ALX_LOG(kDebug, "worker", "background caching skipped: stopping");
      },
      BlockFillOptions{
          static_cast<uint64_t>(conf.GetBytes(PropertyKey::kWorkerUfsBlockReadRangeSize)),
          static_cast<size_t>(conf.GetInt(PropertyKey::kWorkerUfsBlockReadRangesMax))});

  worker->persister_ = std::make_unique<FilePersister>(*worker->store_, *worker->ufs_);
  worker->tasks_ = std::make_unique<TaskGroup>(*reactor, "worker");
  rpc::Endpoint master_endpoint = rpc::Endpoint::Tcp(conf.GetString(PropertyKey::kMasterHostname),
                                                     conf.GetInt(PropertyKey::kMasterRpcPort));
  worker->master_ = std::make_unique<rpc::Channel>(master_endpoint);
  WorkerServer* self = worker.get();
  auto on_commit = [self](const BlockInfo& block) {
    self->tasks_->Spawn(
        CommitBlock(self->master_.get(), self->worker_id_, block, self->store_->UsedBytes()),
        "commit");
  };
  // One service behind both listeners (TCP, and the unix socket for clients on this host).
  auto service = std::make_shared<wire::BlockWorker::Client>(rpc::WithRpcFaults<wire::BlockWorker>(
      MakeWorkerService(WorkerServiceContext{
          worker->store_.get(), worker->read_through_.get(), worker->ufs_.get(),
          [self](uint64_t mount_id) {
            return LearnMountPromise(self->master_.get(), self->ufs_.get(), mount_id);
          },
          on_commit, worker->ufs_reads_.get(), worker->ufs_commits_.get(),
          worker->persister_.get()}),
      conf.GetString(PropertyKey::kRpcFaultInjectionFile)));
  auto bootstrap = [service]() -> capnp::Capability::Client { return *service; };
  std::string bind_host = conf.GetString(PropertyKey::kWorkerBindHost);
  auto server = rpc::RpcServer::Listen(
      rpc::Endpoint::Tcp(bind_host, conf.GetInt(PropertyKey::kWorkerRpcPort)), bootstrap,
      rpc::ServerOptions{.busy_patience = rpc::kRestartBindPatience});
  if (!server.ok()) return server.failure();
  worker->server_ = std::move(server).value();
  const std::string socket_dir = conf.GetString(PropertyKey::kWorkerDomainSocketAddress);
  std::string domain_socket;
  if (!socket_dir.empty()) {
    domain_socket = fmt::format("{}/worker-{}.sock", socket_dir, worker->port());
    std::error_code ec;
    std::filesystem::create_directories(socket_dir, ec);
    auto local = rpc::RpcServer::Listen(rpc::Endpoint::Unix(domain_socket), bootstrap);
    if (local.ok()) {
      worker->local_server_ = std::move(local).value();
    } else {
      ALX_LOG(kWarn, "worker", "no unix socket at {} (clients on this host use TCP): {}",
              domain_socket, local.error().ToString());
      domain_socket.clear();
    }
  }

  std::string host = conf.GetString(PropertyKey::kWorkerHostname);
  if (host.empty()) {
    host = bind_host == "0.0.0.0" || bind_host == "::" ? LocalHostName() : bind_host;
  }
  HeartbeatConfig heartbeat{master_endpoint,
                            {host, worker->port(), domain_socket},
                            conf.GetDuration(PropertyKey::kWorkerBlockHeartbeatInterval)};
  // Named: a braced temporary passed by value to a coroutine can be destroyed twice (GCC 12).
  PersistContext persist{worker->persister_.get(), worker->persists_.get(), worker->tasks_.get(),
                         worker->master_.get(),    worker->ufs_.get(),      worker->worker_id_};
  worker->tasks_->Spawn(HeartbeatLoop(worker->store_.get(), worker->ufs_.get(), heartbeat,
                                      worker->worker_id_, persist),
                        "heartbeat");
  ALX_LOG(kInfo, "worker", "worker serving on {} as {}:{}", worker->server_->endpoint().ToString(),
          host, worker->port());
  return worker;
}

WorkerServer::~WorkerServer() = default;

uint16_t WorkerServer::port() const { return server_->endpoint().port; }

Task<void> WorkerServer::Stop() {
  server_->Stop();
  if (local_server_) local_server_->Stop();
  co_await tasks_->Stop();
}

}  // namespace alluxio
