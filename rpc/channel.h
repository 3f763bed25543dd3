// Channel: a client's handle on one RPC service endpoint. It owns at most one RpcConnection,
// hands out the service's bootstrap capability, notices when the connection is lost and
// reconnects on the next use, with exponential backoff between failed attempts.
//
//   rpc::Channel master(rpc::Endpoint::Tcp("127.0.0.1", 19998));
//   Result<wire::Master::Client> m = co_await master.Get<wire::Master>();
//   if (!m) co_return m.failure();                 // kUnavailable / kCancelled
//   auto r = co_await rpc::Call(m->getStatusRequest(), 5s);   // kDisconnected if it dies
//
// Contract: created, used and destroyed on one reactor thread, before that reactor stops; it
// must outlive the awaitables it returns. Several coroutines may call Get concurrently: one
// connects, the others wait for it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include <capnp/capability.h>

#include "core/common/clock.h"
#include "core/common/result.h"
#include "core/reactor/reactor.h"
#include "rpc/connection.h"
#include "rpc/endpoint.h"

namespace alluxio::rpc {

struct ChannelOptions {
  Duration connect_timeout = std::chrono::seconds(5);
  // Wait before the first retry after a failed connect; doubles per failure up to the max.
  // A connection lost after it worked is retried at once on the next use.
  Duration backoff_initial = std::chrono::milliseconds(50);
  Duration backoff_max = std::chrono::seconds(5);
  ConnectionOptions connection;
};

class Channel {
 public:
  explicit Channel(Endpoint endpoint, ChannelOptions options = {});
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // The bootstrap capability of a live connection; if there is none, waits out the backoff
  // of the last failed attempt and connects once. A connection counts as made once the peer
  // has answered the bootstrap request (one round trip, before any call goes out on it): a
  // peer that accepts and then drops the connection without answering (the listener of a
  // process just killed, held a moment by the kernel while it tears the process's io_uring
  // down) is one that could not be made. So kUnavailable always means that no call reached the
  // peer (callers may retry any call), and kDisconnected that a call may have. Errors:
  // kUnavailable (refused, unreachable, no such socket, connect or handshake not done within
  // connect_timeout, e.g. a stopped peer), kCancelled (the caller's cancellation slot).
  Task<Result<capnp::Capability::Client>> Bootstrap();

  // Bootstrap() cast to the service interface T.
  template <typename T>
  Task<Result<typename T::Client>> Get() {
    Result<capnp::Capability::Client> cap = co_await Bootstrap();
    if (!cap) co_return cap.failure();
    co_return cap->castAs<T>();
  }

  // A connection exists and has not been seen to fail.
  bool connected() const;
  // Drops the connection (its calls fail with kDisconnected); the next use reconnects.
  void Reset();

  const Endpoint& endpoint() const { return endpoint_; }
  // Successful connects so far.
  uint64_t connects() const { return connects_; }

 private:
  struct Gate;
  // One attempt: connect, then the handshake. Sets connection_ when it succeeds.
  Task<Result<capnp::Capability::Client>> Connect();

  const Endpoint endpoint_;
  const ChannelOptions options_;
  std::unique_ptr<RpcConnection> connection_;
  std::optional<capnp::Capability::Client> bootstrap_;
  std::shared_ptr<Gate> gate_;
  Duration backoff_ = Duration::zero();
  std::chrono::steady_clock::time_point next_attempt_{};
  uint64_t connects_ = 0;
};

}  // namespace alluxio::rpc
