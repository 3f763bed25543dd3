// RpcServer: accepts connections on the calling reactor (TCP or unix socket) and serves a
// bootstrap capability on each.
//
//   auto server = rpc::RpcServer::Listen(rpc::Endpoint::Tcp("127.0.0.1", 0),
//                                        [&] { return kj::heap<MasterImpl>(state); });
//   uint16_t port = (*server)->endpoint().port;     // the bound port
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include <capnp/capability.h>

#include "core/common/result.h"
#include "core/reactor/task_group.h"
#include "rpc/connection.h"
#include "rpc/endpoint.h"

namespace alluxio::rpc {

// Returns the capability served to one new connection: a fresh object per connection, or a
// copy of a shared capability (`return shared_cap;`). Runs on the server's reactor, in an asio
// handler (not inside kj).
using BootstrapFactory = std::function<capnp::Capability::Client()>;

struct ServerOptions {
  ConnectionOptions connection;
  int backlog = 128;
  // How long a TCP bind that finds the address in use is retried (every 50 ms) before kBusy: a
  // process restarted right after its predecessor died finds the port held until the kernel
  // has torn down the dead process's io_uring (which holds its pending accept's listener).
  std::chrono::milliseconds busy_patience{0};
};

// The master's and the worker's busy_patience.
inline constexpr std::chrono::milliseconds kRestartBindPatience{5000};

// Contract: created, used and destroyed on one reactor thread, before that reactor stops.
class RpcServer {
 public:
  // Binds and listens on `endpoint` (TCP port 0: an ephemeral port; unix: a stale socket file
  // at the path is replaced) and starts accepting. Errors: kBusy (address in use),
  // kPermissionDenied, kInvalidArgument (bad address), kIoError.
  static Result<std::unique_ptr<RpcServer>> Listen(const Endpoint& endpoint,
                                                   BootstrapFactory factory,
                                                   ServerOptions options = {});
  // Stop().
  ~RpcServer();
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  // The bound endpoint: the actual port for TCP.
  const Endpoint& endpoint() const { return endpoint_; }
  // Live connections.
  size_t connections() const;
  // Stops accepting and drops every connection (peers see kDisconnected); removes the unix
  // socket file. Idempotent.
  void Stop();

 private:
  struct State;
  RpcServer(Endpoint endpoint, std::shared_ptr<State> state);
  static Task<void> AcceptLoop(std::shared_ptr<State> state);

  Endpoint endpoint_;
  std::shared_ptr<State> state_;
  std::unique_ptr<TaskGroup> tasks_;
};

}  // namespace alluxio::rpc
