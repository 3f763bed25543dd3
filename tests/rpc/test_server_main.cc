// rpc_test_server <endpoint>: serves RpcTest on <endpoint> (e.g. 127.0.0.1:0 or unix:/tmp/x)
// on a reactor of its own, prints the bound port and a newline on stdout, and runs until
// killed. Used by tests that kill a server mid-call.
#include <cstdio>
#include <memory>

#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "core/reactor/reactor.h"
#include "rpc/server.h"
#include "tests/rpc/test_service.h"

namespace {

using alluxio::Task;
using namespace alluxio::rpc;

Task<int> Serve(Endpoint endpoint) {
  auto stats = std::make_shared<test::TestServiceStats>();
  auto server = RpcServer::Listen(endpoint, [stats] { return test::MakeTestService(stats); });
  if (!server) {
    std::fprintf(stderr, "listen: %s\n", server.error().ToString().c_str());
    co_return 2;
  }
  std::printf("%u\n", static_cast<unsigned>((*server)->endpoint().port));
  std::fflush(stdout);
  asio::steady_timer forever(co_await asio::this_coro::executor);
  for (;;) {
    forever.expires_after(std::chrono::hours(1));
    co_await forever.async_wait(asio::use_awaitable);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: rpc_test_server <endpoint>\n");
    return 2;
  }
  auto endpoint = Endpoint::Parse(argv[1]);
  if (!endpoint) {
    std::fprintf(stderr, "%s\n", endpoint.error().ToString().c_str());
    return 2;
  }
  Endpoint e = *endpoint;
  return alluxio::RunMainReactor([e]() -> Task<int> { return Serve(e); });
}
