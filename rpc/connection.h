// One Cap'n Proto two-party RPC connection (TwoPartyVatNetwork + RpcSystem) over an asio socket
// of the calling reactor, and the socket connect that precedes it.
#pragma once

#include <memory>
#include <optional>

#include <capnp/rpc-twoparty.h>
#include <capnp/rpc.h>

#include "core/common/result.h"
#include "core/reactor/reactor.h"
#include "core/reactor/unique_function.h"
#include "rpc/asio_stream.h"
#include "rpc/await.h"
#include "rpc/endpoint.h"

namespace alluxio::rpc {

// How messages are framed on the socket.
enum class Transport {
  // AsioMessageStream: messages own their segments (no copy of large bodies). Default.
  kMessageStream,
  // capnp::AsyncIoMessageStream over AsioStream (the plain kj::AsyncIoStream path).
  kAsyncIoStream,
};

struct ConnectionOptions {
  Transport transport = Transport::kMessageStream;
  capnp::ReaderOptions reader_options;
};

// Socket options of either end of a connection: TCP_NODELAY for TCP; 4 MiB send and receive
// buffers for unix sockets (their 208 KiB default stalls streams of 128 KiB-1 MiB messages,
// which TCP's autotuning would grow).
void ConfigureSocket(int fd, bool tcp);

// Connects to `endpoint` from the calling reactor: TCP (TCP_NODELAY set; names resolved) or
// unix. Errors: kUnavailable (refused, unreachable, no such socket, name not found),
// kTimedOut after `timeout` (kNoTimeout: none), kCancelled (the caller's cancellation slot).
Task<Result<Socket>> ConnectSocket(Endpoint endpoint, Duration timeout);

// Contract: created, used and destroyed on one reactor thread (the socket's), before that
// reactor stops. Capabilities obtained from it may outlive it: calls on them then fail with
// kDisconnected.
class RpcConnection {
 public:
  // Client side: the peer serves the bootstrap capability.
  static std::unique_ptr<RpcConnection> Client(Socket socket, const ConnectionOptions& options);
  // Server side: serves `bootstrap` to the peer.
  static std::unique_ptr<RpcConnection> Server(Socket socket, capnp::Capability::Client bootstrap,
                                               const ConnectionOptions& options);
  ~RpcConnection();
  RpcConnection(const RpcConnection&) = delete;
  RpcConnection& operator=(const RpcConnection&) = delete;

  // The peer's bootstrap capability (client side).
  capnp::Capability::Client Bootstrap();

  // True once the peer went away (EOF, reset, protocol error) or a send failed.
  bool disconnected() const { return disconnected_; }

  // fn runs once, on this reactor, when the connection is lost. It runs inside kj: it must not
  // destroy this connection synchronously (post that instead).
  void OnDisconnect(UniqueFunction<void()> fn) { on_disconnect_ = std::move(fn); }

 private:
  RpcConnection(Socket socket, const ConnectionOptions& options);
  void Watch();

  // Declaration order = reverse destruction order: the RPC system goes first, streams last.
  AsioStream stream_;
  std::optional<AsioMessageStream> message_stream_;
  std::optional<capnp::AsyncIoMessageStream> io_message_stream_;
  std::optional<capnp::TwoPartyVatNetwork> network_;
  std::optional<capnp::RpcSystem<capnp::rpc::twoparty::VatId>> rpc_;
  bool disconnected_ = false;
  UniqueFunction<void()> on_disconnect_;
  kj::Promise<void> watch_ = nullptr;
};

}  // namespace alluxio::rpc
