// A master and a worker in the calling process, on loopback ephemeral ports, for client, CLI
// and bench code: reactor 0 serves the master (RocksDB namespace in a temp dir, UFS root in a
// temp dir, worker registry), reactor 1 the worker (MEM block store in a temp dir), and
// reactor 2 is for clients. The worker is registered with the master directly (no heartbeat
// loop): Heartbeat() delivers block changes and frees when a test needs them.
// Everything is stopped and removed by the destructor, also when a test fails.
#pragma once

#include <atomic>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <asio/co_spawn.hpp>

#include "core/client/file_in_stream.h"
#include "core/client/file_out_stream.h"
#include "core/client/file_system_client.h"
#include "core/common/configuration.h"
#include "core/master/namespace.h"
#include "core/master/worker_registry.h"
#include "core/reactor/blocking_pool.h"
#include "core/reactor/reactor.h"
#include "core/worker/block_read_through.h"
#include "core/worker/block_store.h"
#include "core/worker/ufs_resolver.h"
#include "rpc/server.h"

namespace alluxio::testing {

namespace internal {
// co_spawn's completion needs a default-constructible value.
template <typename T>
Task<std::optional<T>> Optional(Task<T> task) {
  co_return co_await std::move(task);
}
}  // namespace internal

// Runs `task` on `reactor` and blocks the calling (non-reactor) thread for its value.
template <typename T>
T BlockOn(Reactor& reactor, Task<T> task) {
  std::promise<T> promise;
  auto future = promise.get_future();
  asio::co_spawn(reactor.executor(), internal::Optional(std::move(task)),
                 [&promise](std::exception_ptr e, std::optional<T> value) {
                   if (e) {
                     promise.set_exception(e);
                   } else {
                     promise.set_value(std::move(*value));
                   }
                 });
  return future.get();
}

// Runs fn() on `reactor`'s thread and waits for it.
template <typename F>
void RunSync(Reactor& reactor, F fn) {
  std::promise<void> done;
  reactor.Post([&] {
    fn();
    done.set_value();
  });
  done.get_future().get();
}

struct TestClusterOptions {
  uint64_t worker_capacity_bytes = 256ull << 20;
  uint64_t default_block_size = 64ull << 20;
  // The root UFS ("s3://bucket/prefix"); empty: a local directory in the cluster's temp dir.
  std::string root_ufs_uri;
  // UFS properties of the master and the worker (an S3 endpoint and credentials).
  UfsOptions ufs_options;
};

class TestCluster {
 public:
  explicit TestCluster(TestClusterOptions options = {});
  ~TestCluster();
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  // False (with error()) when something failed to start.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  ReactorPool& pool() { return *pool_; }
  Reactor& client_reactor() { return pool_->at(2); }
  // A configuration whose master address is this cluster's (short retry budget for tests).
  Configuration ClientConf() const;

  // The local root UFS directory (unused when TestClusterOptions::root_ufs_uri is set).
  const std::string& ufs_root() const { return ufs_root_; }
  const std::string& work_dir() const { return work_dir_; }
  uint16_t master_port() const { return master_port_; }
  uint16_t worker_port() const { return worker_port_; }
  uint64_t worker_id() const { return worker_id_.load(); }
  Namespace& ns() { return *ns_; }
  WorkerRegistry& registry() { return *registry_; }
  BlockStore& store() { return *store_; }
  const ReadThroughCounters& counters() const { return read_through_->counters(); }

  // Stops the worker's RPC server: peers see their connections drop. (The listening socket
  // currently stays open after RpcServer::Stop, so new connects complete and calls on them
  // time out instead of being refused.)
  void StopWorker();
  // Reports the worker's block changes to the master and removes the blocks it asks to free.
  void Heartbeat();

 private:
  void Fail(std::string what) {
    if (error_.empty()) error_ = std::move(what);
  }

  std::string work_dir_;
  std::string ufs_root_;
  std::string error_;
  std::unique_ptr<Namespace> ns_;
  std::unique_ptr<WorkerRegistry> registry_;
  std::unique_ptr<BlockStore> store_;
  UfsResolver ufs_;
  std::unique_ptr<BlockingPool> background_;
  std::unique_ptr<BlockReadThrough> read_through_;
  std::atomic<uint64_t> worker_id_{0};
  uint16_t master_port_ = 0;
  uint16_t worker_port_ = 0;
  // Reactor-bound: created and destroyed on their reactors.
  std::unique_ptr<rpc::RpcServer> master_server_;
  std::unique_ptr<rpc::RpcServer> worker_server_;
  std::unique_ptr<ReactorPool> pool_;
};

// A client (ClientContext + FileSystemClient) living on the cluster's client reactor.
class TestClient {
 public:
  TestClient(TestCluster& cluster, const Configuration& conf);
  TestClient(TestCluster& cluster, client::ClientOptions options);
  explicit TestClient(TestCluster& cluster) : TestClient(cluster, cluster.ClientConf()) {}
  ~TestClient();

  client::FileSystemClient& fs() { return *fs_; }
  client::ClientContext& context() { return *context_; }
  template <typename T>
  T Run(Task<T> task) {
    return BlockOn(reactor_, std::move(task));
  }
  // Takes a reactor-bound object (a stream) so that it is destroyed on the client reactor.
  // Call from a non-reactor thread.
  template <typename T>
  std::shared_ptr<T> Adopt(std::unique_ptr<T> object) {
    Reactor* reactor = &reactor_;
    return std::shared_ptr<T>(object.release(),
                              [reactor](T* t) { RunSync(*reactor, [t] { delete t; }); });
  }

 private:
  Reactor& reactor_;
  std::shared_ptr<client::ClientContext> context_;
  std::unique_ptr<client::FileSystemClient> fs_;
};

}  // namespace alluxio::testing
