#include "rpc/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <thread>

#include <asio/basic_socket_acceptor.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include "core/common/logging.h"

namespace alluxio::rpc {

using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;
using GenericEndpoint = asio::generic::stream_protocol::endpoint;

struct RpcServer::State {
  State(Reactor& reactor, BootstrapFactory factory, ServerOptions options, std::string name)
      : executor(reactor.executor()),
        acceptor(reactor.context()),
        factory(std::move(factory)),
        options(std::move(options)),
        name(std::move(name)) {}
  Reactor::Executor executor;
  Acceptor acceptor;
  BootstrapFactory factory;
  ServerOptions options;
  std::string name;
  bool tcp = true;
  bool stopped = false;
  uint64_t next_id = 0;
  std::map<uint64_t, std::unique_ptr<RpcConnection>> connections;
};

namespace {
Error ListenError(const std::error_code& ec, const std::string& what) {
  std::string message = what + ": " + ec.message();
  if (ec == asio::error::address_in_use) return Error{ErrorCode::kBusy, message};
  if (ec == asio::error::access_denied) return Error{ErrorCode::kPermissionDenied, message};
  // asio's system category is its own: compare its errno value, not std::errc.
  const bool not_here =
      ec.category() == asio::error::get_system_category() && ec.value() == EADDRNOTAVAIL;
  if (not_here || ec == asio::error::invalid_argument) {
    return Error{ErrorCode::kInvalidArgument, message};
  }
  return Error{ErrorCode::kIoError, message};
}
}  // namespace

Result<std::unique_ptr<RpcServer>> RpcServer::Listen(const Endpoint& endpoint,
                                                     BootstrapFactory factory,
                                                     ServerOptions options) {
  Reactor* reactor = Reactor::Current();
  if (reactor == nullptr) throw std::logic_error("rpc::RpcServer::Listen off a reactor thread");
  auto state = std::make_shared<State>(*reactor, std::move(factory), std::move(options),
                                       endpoint.ToString());
  GenericEndpoint bind_to;
  Endpoint bound = endpoint;
  std::error_code ec;
  if (endpoint.kind == Endpoint::Kind::kUnix) {
    state->tcp = false;
    struct stat st;
    if (::lstat(endpoint.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
      ::unlink(endpoint.path.c_str());
    }
    bind_to = GenericEndpoint(asio::local::stream_protocol::endpoint(endpoint.path));
  } else {
    std::string host = endpoint.host == "localhost" ? "127.0.0.1" : endpoint.host;
    asio::ip::address address = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
    if (ec) return Fail(ErrorCode::kInvalidArgument, "listen address " + endpoint.ToString());
    bind_to = GenericEndpoint(asio::ip::tcp::endpoint(address, endpoint.port));
  }
  Acceptor& acceptor = state->acceptor;
  acceptor.open(bind_to.protocol(), ec);
  if (ec) return Fail(ListenError(ec, "socket " + endpoint.ToString()));
  if (state->tcp) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  const auto give_up = std::chrono::steady_clock::now() + state->options.busy_patience;
  while (true) {
    acceptor.bind(bind_to, ec);
    if (ec != asio::error::address_in_use || std::chrono::steady_clock::now() >= give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // startup: nothing else runs
  }
  if (ec) return Fail(ListenError(ec, "bind " + endpoint.ToString()));
  acceptor.listen(state->options.backlog, ec);
  if (ec) return Fail(ListenError(ec, "listen " + endpoint.ToString()));
  if (state->tcp) {
    GenericEndpoint local = acceptor.local_endpoint(ec);
    if (ec) return Fail(ListenError(ec, "getsockname " + endpoint.ToString()));
    const sockaddr* sa = local.data();
    bound.port = sa->sa_family == AF_INET6
                     ? ntohs(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_port)
                     : ntohs(reinterpret_cast<const sockaddr_in*>(sa)->sin_port);
  }
  state->name = bound.ToString();
  std::unique_ptr<RpcServer> server(new RpcServer(bound, state));
  server->tasks_->Spawn(AcceptLoop(state), "accept loop");
  ALX_LOG(kDebug, "rpc", "listening on {}", state->name);
  return server;
}

RpcServer::RpcServer(Endpoint endpoint, std::shared_ptr<State> state)
    : endpoint_(std::move(endpoint)),
      state_(std::move(state)),
      tasks_(
          std::make_unique<TaskGroup>(*Reactor::Current(), "rpc server " + endpoint_.ToString())) {}

RpcServer::~RpcServer() { Stop(); }

size_t RpcServer::connections() const { return state_->connections.size(); }

void RpcServer::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  tasks_->Cancel();
  // Cancel, not close: the accept loop's frame owns the state, so the acceptor is closed
  // once its pending accept has completed (see SocketCore::Close).
  std::error_code ec;
  state_->acceptor.cancel(ec);
  state_->connections.clear();
  if (endpoint_.kind == Endpoint::Kind::kUnix) ::unlink(endpoint_.path.c_str());
}

Task<void> RpcServer::AcceptLoop(std::shared_ptr<State> state) {
  while (!state->stopped) {
    auto [ec, socket] =
        co_await state->acceptor.async_accept(asio::experimental::as_tuple(asio::use_awaitable));
    if (state->stopped || ec == asio::error::operation_aborted) {
      // No accept is pending any more: closing now is safe, and refuses new connections.
      std::error_code ignored;
      state->acceptor.close(ignored);
      co_return;
    }
    if (ec) {
      ALX_LOG(kWarn, "rpc", "{}: accept: {}", state->name, ec.message());
      continue;
    }
    ConfigureSocket(socket.native_handle(), state->tcp);
    uint64_t id = state->next_id++;
    auto connection =
        RpcConnection::Server(std::move(socket), state->factory(), state->options.connection);
    std::weak_ptr<State> weak = state;
    Reactor::Executor executor = state->executor;
    connection->OnDisconnect([weak, id, executor] {
      // Runs inside kj (in the connection's own watch): remove it on a later turn.
      asio::post(executor, [weak, id] {
        if (auto s = weak.lock()) s->connections.erase(id);
      });
    });
    state->connections.emplace(id, std::move(connection));
  }
}

}  // namespace alluxio::rpc
