#include "rpc/connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <capnp/message.h>
#include <asio/experimental/as_tuple.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "core/common/logging.h"
#include "core/common/self_connection.h"

namespace alluxio::rpc {
namespace {

constexpr auto kAsTuple = asio::experimental::as_tuple(asio::use_awaitable);

using GenericEndpoint = asio::generic::stream_protocol::endpoint;

// Resolves a TCP endpoint to its first address.
Task<Result<GenericEndpoint>> ResolveTcp(const Endpoint& endpoint) {
  std::error_code ec;
  asio::ip::address address = asio::ip::make_address(endpoint.host, ec);
  if (!ec) co_return GenericEndpoint(asio::ip::tcp::endpoint(address, endpoint.port));
  asio::ip::tcp::resolver resolver(co_await asio::this_coro::executor);
  auto [rec, results] =
      co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port),
                                      asio::ip::resolver_base::numeric_service, kAsTuple);
  if (rec) co_return Fail(ErrorFromConnect(rec, "resolve " + endpoint.ToString()));
  if (results.empty()) {
    co_return Fail(ErrorCode::kUnavailable, "resolve " + endpoint.ToString() + ": no address");
  }
  co_return GenericEndpoint(results.begin()->endpoint());
}

}  // namespace

void ConfigureSocket(int fd, bool tcp) {
  if (tcp) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return;
  }
  int bytes = 4 << 20;  // capped by net.core.{w,r}mem_max
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

Task<Result<Socket>> ConnectSocket(Endpoint endpoint, Duration timeout) {
  auto executor = co_await asio::this_coro::executor;
  GenericEndpoint target;
  if (endpoint.kind == Endpoint::Kind::kUnix) {
    target = GenericEndpoint(asio::local::stream_protocol::endpoint(endpoint.path));
  } else {
    Result<GenericEndpoint> resolved = co_await ResolveTcp(endpoint);
    if (!resolved) co_return resolved.failure();
    target = *resolved;
  }
  // Shared so that a timeout firing in the same turn as the connect completion stays safe.
  auto socket = std::make_shared<Socket>(executor);
  std::error_code ec;
  socket->open(target.protocol(), ec);
  if (ec) co_return Fail(ErrorFromConnect(ec, "socket " + endpoint.ToString()));

  // The timeout closes the socket's pending connect; `timed_out` tells it from a cancel.
  auto timed_out = std::make_shared<bool>(false);
  std::optional<asio::steady_timer> timer;
  if (timeout > Duration::zero()) {
    timer.emplace(executor, timeout);
    timer->async_wait([socket, timed_out](std::error_code wec) {
      if (wec || !socket->is_open()) return;
      *timed_out = true;
      std::error_code ignored;
      socket->cancel(ignored);
    });
  }
  auto [cec] = co_await socket->async_connect(target, kAsTuple);
  if (timer) timer->cancel();
  if (*timed_out)
    co_return Fail(ErrorCode::kTimedOut, "connect " + endpoint.ToString() + ": timed out");
  if (cec) co_return Fail(ErrorFromConnect(cec, "connect " + endpoint.ToString()));
  if (endpoint.kind == Endpoint::Kind::kTcp && IsSelfConnection(socket->native_handle())) {
    co_return Fail(ErrorCode::kUnavailable,
                   "connect " + endpoint.ToString() + ": connected to itself (no listener)");
  }
  ConfigureSocket(socket->native_handle(), endpoint.kind == Endpoint::Kind::kTcp);
  co_return std::move(*socket);
}

RpcConnection::RpcConnection(Socket socket, const ConnectionOptions& options)
    : stream_(std::move(socket)) {
  if (options.transport == Transport::kMessageStream) {
    message_stream_.emplace(stream_);
  } else {
    io_message_stream_.emplace(stream_);
  }
}

std::unique_ptr<RpcConnection> RpcConnection::Client(Socket socket,
                                                     const ConnectionOptions& options) {
  std::unique_ptr<RpcConnection> c(new RpcConnection(std::move(socket), options));
  capnp::MessageStream& ms = c->message_stream_
                                 ? static_cast<capnp::MessageStream&>(*c->message_stream_)
                                 : *c->io_message_stream_;
  c->network_.emplace(ms, capnp::rpc::twoparty::Side::CLIENT, options.reader_options);
  c->rpc_.emplace(capnp::makeRpcClient(*c->network_));
  c->Watch();
  return c;
}

std::unique_ptr<RpcConnection> RpcConnection::Server(Socket socket,
                                                     capnp::Capability::Client bootstrap,
                                                     const ConnectionOptions& options) {
  std::unique_ptr<RpcConnection> c(new RpcConnection(std::move(socket), options));
  capnp::MessageStream& ms = c->message_stream_
                                 ? static_cast<capnp::MessageStream&>(*c->message_stream_)
                                 : *c->io_message_stream_;
  c->network_.emplace(ms, capnp::rpc::twoparty::Side::SERVER, options.reader_options);
  c->rpc_.emplace(capnp::makeRpcServer(*c->network_, kj::mv(bootstrap)));
  c->Watch();
  return c;
}

void RpcConnection::Watch() {
  watch_ = network_->onDisconnect()
               .then([this] {
                 disconnected_ = true;
                 if (on_disconnect_) {
                   auto fn = std::move(on_disconnect_);
                   fn();
                 }
               })
               .eagerlyEvaluate([](kj::Exception&& e) {
                 ALX_LOG(kDebug, "rpc", "disconnect watch: {}", e.getDescription().cStr());
               });
}

RpcConnection::~RpcConnection() {
  watch_ = nullptr;
  rpc_.reset();
  network_.reset();
}

capnp::Capability::Client RpcConnection::Bootstrap() {
  capnp::MallocMessageBuilder message(8);
  auto vat_id = message.initRoot<capnp::rpc::twoparty::VatId>();
  vat_id.setSide(capnp::rpc::twoparty::Side::SERVER);
  return rpc_->bootstrap(vat_id);
}

}  // namespace alluxio::rpc
