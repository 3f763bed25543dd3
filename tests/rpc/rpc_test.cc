// RPC over loopback TCP and unix sockets: server on reactor 0, client on reactor 1 (or a
// server in a child process for the kill tests).
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "core/reactor/block_on.h"
#include "core/reactor/blocking_pool.h"
#include "core/reactor/task_group.h"
#include "rpc/await.h"
#include "rpc/channel.h"
#include "rpc/server.h"
#include "tests/rpc/test_service.h"

extern char** environ;

namespace alluxio::rpc {
namespace {

using namespace std::chrono_literals;
using test::RpcTest;

std::string UniqueSocketPath(const char* tag) {
  static int counter = 0;
  return (std::filesystem::temp_directory_path() /
          ("alluxio-rpc-test-" + std::to_string(::getpid()) + "-" + tag + "-" +
           std::to_string(counter++) + ".sock"))
      .string();
}

kj::Array<kj::byte> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  auto bytes = kj::heapArray<kj::byte>(n);
  for (auto& b : bytes) b = static_cast<kj::byte>(rng());
  return bytes;
}

enum class Net { kTcp, kUnix };

struct Param {
  Net net;
  Transport transport;
};

std::string ParamName(const testing::TestParamInfo<Param>& info) {
  return std::string(info.param.net == Net::kTcp ? "Tcp" : "Unix") +
         (info.param.transport == Transport::kMessageStream ? "MessageStream" : "AsyncIoStream");
}

// A server on reactor 0 of `pool`, created and destroyed there.
class InProcessServer {
 public:
  InProcessServer(ReactorPool& pool, const Param& param) : pool_(pool) {
    stats_ = std::make_shared<test::TestServiceStats>();
    Endpoint endpoint = param.net == Net::kTcp ? Endpoint::Tcp("127.0.0.1", 0)
                                               : Endpoint::Unix(UniqueSocketPath("inproc"));
    ServerOptions options;
    options.connection.transport = param.transport;
    std::promise<Endpoint> bound;
    pool_.at(0).Post([&] {
      auto stats = stats_;
      auto server = RpcServer::Listen(
          endpoint, [stats] { return test::MakeTestService(stats); }, options);
      if (!server) {
        ADD_FAILURE() << server.error().ToString();
        bound.set_value(endpoint);
        return;
      }
      server_ = std::move(*server);
      bound.set_value(server_->endpoint());
    });
    endpoint_ = bound.get_future().get();
  }
  ~InProcessServer() {
    std::promise<void> done;
    pool_.at(0).Post([&] {
      server_.reset();
      done.set_value();
    });
    done.get_future().get();
  }
  const Endpoint& endpoint() const { return endpoint_; }
  test::TestServiceStats& stats() { return *stats_; }

 private:
  ReactorPool& pool_;
  std::shared_ptr<test::TestServiceStats> stats_;
  std::unique_ptr<RpcServer> server_;
  Endpoint endpoint_;
};

ChannelOptions ClientOptions(Transport transport) {
  ChannelOptions options;
  options.connection.transport = transport;
  options.connect_timeout = 5s;
  return options;
}

class RpcTest_ : public testing::TestWithParam<Param> {
 protected:
  ReactorPool pool_{{.reactors = 2, .blocking_threads = 1}};
  InProcessServer server_{pool_, GetParam()};
};

// ---- plain calls ----

Task<int> PingAndEcho(Endpoint endpoint, Transport transport) {
  Channel channel(endpoint, ClientOptions(transport));
  auto cap = co_await channel.Get<RpcTest>();
  if (!cap) {
    ADD_FAILURE() << cap.error().ToString();
    co_return -1;
  }
  auto ping = co_await Call(cap->pingRequest());
  EXPECT_TRUE(ping.ok());
  auto request = cap->echoRequest();
  const char text[] = "hello reactor";
  request.setData(kj::arrayPtr(reinterpret_cast<const kj::byte*>(text), sizeof(text)));
  auto echo = co_await Call(std::move(request), 5s);
  if (!echo) {
    ADD_FAILURE() << echo.error().ToString();
    co_return -1;
  }
  auto data = echo->getData();
  EXPECT_EQ(data.size(), sizeof(text));
  EXPECT_EQ(std::memcmp(data.begin(), text, sizeof(text)), 0);
  co_return static_cast<int>(channel.connects());
}

TEST_P(RpcTest_, PingAndEcho) {
  EXPECT_EQ(BlockOn(pool_.at(1), PingAndEcho(server_.endpoint(), GetParam().transport)), 1);
}

// ---- garbage on a connection ----

// Connects without Cap'n Proto, sends `bytes`, half-closes and reads until the server drops the
// connection. Returns whether it did (read() saw the end or a reset).
bool ServerDropsGarbage(const Endpoint& endpoint, std::span<const kj::byte> bytes) {
  int fd = -1;
  if (endpoint.kind == Endpoint::Kind::kUnix) {
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, endpoint.path.c_str(), sizeof(addr.sun_path) - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd);
      return false;
    }
  } else {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(endpoint.port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd);
      return false;
    }
  }
  bool dropped = false;
  if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()) &&
      ::shutdown(fd, SHUT_WR) == 0) {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof(buf))) > 0) {
    }
    dropped = n == 0 || errno == ECONNRESET;
  }
  ::close(fd);
  return dropped;
}

// Garbage on one connection (random bytes; a segment table announcing more segments than
// allowed; one announcing a segment larger than the message limit; a valid frame whose message
// is not an RPC message) drops that connection only. Returns how many garbage connections the
// server dropped, or -1 if a client connected before stopped working.
Task<int> GarbageConnections(Endpoint endpoint, Transport transport) {
  Channel established(endpoint, ClientOptions(transport));
  auto cap = co_await established.Get<RpcTest>();
  if (!cap || !(co_await Call(cap->pingRequest())).ok()) co_return -1;

  std::vector<kj::Array<kj::byte>> garbage;
  for (uint32_t seed = 1; seed <= 4; ++seed) garbage.push_back(RandomBytes(4096 * seed, seed));
  // Segment tables (little-endian words): segment count - 1, then each segment's size.
  const std::vector<std::vector<uint32_t>> frames = {
      {100000, 1, 0, 0},                                       // too many segments
      {0, 0x7fffffff},                                         // a segment over the limit
      {0, 2, 0x00000000, 0x00010000, 0xdeadbeef, 0xdeadbeef},  // not an RPC message
  };
  for (const auto& words : frames) {
    auto bytes = kj::heapArray<kj::byte>(words.size() * sizeof(uint32_t));
    std::memcpy(bytes.begin(), words.data(), bytes.size());
    garbage.push_back(kj::mv(bytes));
  }
  int dropped = 0;
  for (const auto& bytes : garbage) dropped += ServerDropsGarbage(endpoint, bytes) ? 1 : 0;

  if (!(co_await Call(cap->pingRequest())).ok()) co_return -1;
  co_return dropped;
}

TEST_P(RpcTest_, GarbageStreamDropsOnlyThatConnection) {
  EXPECT_EQ(BlockOn(pool_.at(1), GarbageConnections(server_.endpoint(), GetParam().transport)), 7);
  // A new connection is served too.
  EXPECT_EQ(BlockOn(pool_.at(1), PingAndEcho(server_.endpoint(), GetParam().transport)), 1);
}

// ---- 64 pipelined calls ----

Task<int> Pipelined(Endpoint endpoint, Transport transport) {
  Channel channel(endpoint, ClientOptions(transport));
  auto cap = co_await channel.Get<RpcTest>();
  if (!cap) co_return -1;
  std::vector<kj::Promise<capnp::Response<RpcTest::EchoResults>>> calls;
  for (uint32_t i = 0; i < 64; ++i) {
    auto request = cap->echoRequest();
    auto bytes = RandomBytes(100 + i, i);
    request.setData(bytes);
    calls.push_back(request.send());
  }
  int good = 0;
  for (uint32_t i = 0; i < 64; ++i) {
    auto r = co_await Await(kj::mv(calls[i]));
    if (!r) {
      ADD_FAILURE() << r.error().ToString();
      continue;
    }
    auto expected = RandomBytes(100 + i, i);
    auto data = r->getData();
    if (data.size() == expected.size() &&
        std::memcmp(data.begin(), expected.begin(), expected.size()) == 0) {
      ++good;
    }
  }
  co_return good;
}

TEST_P(RpcTest_, SixtyFourPipelinedCalls) {
  EXPECT_EQ(BlockOn(pool_.at(1), Pipelined(server_.endpoint(), GetParam().transport)), 64);
}

// ---- 1 MiB both ways ----

Task<bool> BigPayloads(Endpoint endpoint, Transport transport) {
  constexpr size_t kSize = 1 << 20;
  Channel channel(endpoint, ClientOptions(transport));
  auto cap = co_await channel.Get<RpcTest>();
  if (!cap) co_return false;
  auto payload = RandomBytes(kSize, 7);
  auto request = cap->echoRequest();
  request.setData(payload);
  auto echo = co_await Call(std::move(request));
  if (!echo) {
    ADD_FAILURE() << echo.error().ToString();
    co_return false;
  }
  auto data = echo->getData();
  bool echo_ok = data.size() == kSize && std::memcmp(data.begin(), payload.begin(), kSize) == 0;
  auto fetch_request = cap->fetchRequest();
  fetch_request.setSize(kSize);
  auto fetched = co_await Call(std::move(fetch_request));
  if (!fetched) co_return false;
  auto bytes = fetched->getData();
  bool fetch_ok = bytes.size() == kSize;
  for (size_t i = 0; fetch_ok && i < kSize; ++i) fetch_ok = bytes[i] == test::PatternByte(i);
  EXPECT_TRUE(echo_ok);
  EXPECT_TRUE(fetch_ok);
  co_return echo_ok&& fetch_ok;
}

TEST_P(RpcTest_, OneMebibytePayloadsBothWays) {
  EXPECT_TRUE(BlockOn(pool_.at(1), BigPayloads(server_.endpoint(), GetParam().transport)));
}

// ---- -> stream upload ended by finish() ----

Task<bool> Upload(Endpoint endpoint, Transport transport) {
  constexpr size_t kChunk = 64 << 10;
  constexpr int kChunks = 128;  // 8 MiB
  Channel channel(endpoint, ClientOptions(transport));
  auto cap = co_await channel.Get<RpcTest>();
  if (!cap) co_return false;
  auto opened = co_await Call(cap->uploadRequest());
  if (!opened) co_return false;
  test::Sink::Client sink = opened->getSink();
  uint64_t hash = test::kFnvOffset;
  for (int i = 0; i < kChunks; ++i) {
    auto chunk = RandomBytes(kChunk, 1000 + i);
    hash = test::Fnv1a(hash, chunk.begin(), chunk.size());
    auto request = sink.writeRequest();
    request.setData(chunk);
    kj::Promise<void> sent = request.send();
    Status status = co_await AwaitVoid(kj::mv(sent));
    if (!status) {
      ADD_FAILURE() << status.error().ToString();
      co_return false;
    }
  }
  auto finished = co_await Call(sink.finishRequest());
  if (!finished) co_return false;
  EXPECT_EQ(finished->getBytes(), kChunk * kChunks);
  EXPECT_EQ(finished->getChecksum(), hash);
  co_return finished->getBytes() == kChunk* kChunks && finished->getChecksum() == hash;
}

TEST_P(RpcTest_, StreamUploadEndedByFinish) {
  EXPECT_TRUE(BlockOn(pool_.at(1), Upload(server_.endpoint(), GetParam().transport)));
}

// ---- cancellation ----

Task<uint64_t> CancelledCount(RpcTest::Client& cap) {
  auto r = co_await Call(cap.cancelledCountRequest());
  co_return r ? r->getCount() : ~0ull;
}

Task<ErrorCode> SlowForever(RpcTest::Client cap) {
  auto request = cap.slowRequest();
  request.setMillis(0xFFFFFFFFu);
  auto r = co_await Call(std::move(request));
  co_return r ? ErrorCode::kInternal : r.code();
}

Task<bool> Cancellation(Endpoint endpoint, Transport transport) {
  using namespace asio::experimental::awaitable_operators;
  Channel channel(endpoint, ClientOptions(transport));
  auto cap = co_await channel.Get<RpcTest>();
  if (!cap) co_return false;

  // 1. Timeout of Await.
  auto slow = cap->slowRequest();
  slow.setMillis(0xFFFFFFFFu);
  auto timed = co_await Call(std::move(slow), 50ms);
  EXPECT_FALSE(timed.ok());
  if (!timed.ok()) {
    EXPECT_EQ(timed.code(), ErrorCode::kTimedOut);
  }
  // The connection stays usable, and the server saw the call dropped (Finish precedes ping).
  EXPECT_TRUE((co_await Call(cap->pingRequest(), 5s)).ok());
  EXPECT_EQ(co_await CancelledCount(*cap), 1u);

  // 2. `call || timer`: the timer wins and cancels the call through the cancellation slot.
  asio::steady_timer timer(co_await asio::this_coro::executor, 20ms);
  auto raced = co_await (SlowForever(*cap) || timer.async_wait(asio::use_awaitable));
  EXPECT_EQ(raced.index(), 1u);
  EXPECT_EQ(co_await CancelledCount(*cap), 2u);

  // 3. A TaskGroup cancelling a coroutine blocked in an RPC: it sees kCancelled.
  auto seen = std::make_shared<ErrorCode>(ErrorCode::kInternal);
  {
    TaskGroup group(*Reactor::Current(), "rpc-cancel");
    auto record = [](RpcTest::Client c, std::shared_ptr<ErrorCode> out) -> Task<void> {
      *out = co_await SlowForever(std::move(c));
    };
    group.Spawn(record(*cap, seen));
    EXPECT_TRUE((co_await Call(cap->pingRequest(), 5s)).ok());  // the slow call is in flight
    co_await group.Stop();
  }
  EXPECT_EQ(*seen, ErrorCode::kCancelled);
  EXPECT_EQ(co_await CancelledCount(*cap), 3u);
  EXPECT_TRUE(channel.connected());
  co_return channel.connected() && channel.connects() == 1;
}

TEST_P(RpcTest_, CancellationKeepsConnectionUsable) {
  EXPECT_TRUE(BlockOn(pool_.at(1), Cancellation(server_.endpoint(), GetParam().transport)));
}

INSTANTIATE_TEST_SUITE_P(Transports, RpcTest_,
                         testing::Values(Param{Net::kTcp, Transport::kMessageStream},
                                         Param{Net::kUnix, Transport::kMessageStream},
                                         Param{Net::kTcp, Transport::kAsyncIoStream},
                                         Param{Net::kUnix, Transport::kAsyncIoStream}),
                         ParamName);

// ---- connect errors ----

Task<ErrorCode> ConnectError(Endpoint endpoint) {
  ChannelOptions options;
  options.connect_timeout = 5s;
  Channel channel(endpoint, options);
  auto cap = co_await channel.Bootstrap();
  co_return cap ? ErrorCode::kInternal : cap.code();
}

// A plain listening socket on a free loopback port; -1 on failure.
int ListenOnLoopback(uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, 1) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

// A loopback port with nothing listening: bound, then closed.
uint16_t FreePort() {
  uint16_t port = 0;
  ::close(ListenOnLoopback(&port));
  return port;
}

TEST(RpcConnectTest, RefusedAndMissingSocketAreUnavailable) {
  ReactorPool pool({.reactors = 1, .blocking_threads = 1});
  EXPECT_EQ(BlockOn(pool.at(0), ConnectError(Endpoint::Tcp("127.0.0.1", FreePort()))),
            ErrorCode::kUnavailable);
  EXPECT_EQ(BlockOn(pool.at(0), ConnectError(Endpoint::Unix(UniqueSocketPath("missing")))),
            ErrorCode::kUnavailable);
}

Task<ErrorCode> ConnectAfterStop() {
  auto stats = std::make_shared<test::TestServiceStats>();
  auto server = RpcServer::Listen(Endpoint::Tcp("127.0.0.1", 0),
                                  [stats] { return test::MakeTestService(stats); });
  if (!server) co_return ErrorCode::kInternal;
  Endpoint endpoint = (*server)->endpoint();
  (*server)->Stop();
  // Let the accept loop observe the stop and close the listening socket.
  asio::steady_timer timer(co_await asio::this_coro::executor, 50ms);
  co_await timer.async_wait(asio::use_awaitable);
  co_return co_await ConnectError(endpoint);
}

TEST(RpcConnectTest, StoppedServerRefusesConnections) {
  ReactorPool pool({.reactors = 1, .blocking_threads = 1});
  EXPECT_EQ(BlockOn(pool.at(0), ConnectAfterStop()), ErrorCode::kUnavailable);
}

// nullopt once listening, else the error's code.
Task<std::optional<ErrorCode>> ListenCode(Endpoint endpoint, std::chrono::milliseconds patience) {
  auto server = RpcServer::Listen(
      endpoint,
      [stats = std::make_shared<test::TestServiceStats>()] { return test::MakeTestService(stats); },
      ServerOptions{.busy_patience = patience});
  if (server) co_return std::nullopt;
  co_return server.code();
}

TEST(RpcListenTest, BusyPortIsRetriedForThePatienceGiven) {
  ReactorPool pool({.reactors = 1, .blocking_threads = 1});
  uint16_t port = 0;
  const int holder = ListenOnLoopback(&port);
  ASSERT_GE(holder, 0);
  EXPECT_EQ(BlockOn(pool.at(0), ListenCode(Endpoint::Tcp("127.0.0.1", port), 0ms)),
            ErrorCode::kBusy);
  std::thread release([holder] {
    std::this_thread::sleep_for(300ms);
    ::close(holder);
  });
  EXPECT_EQ(BlockOn(pool.at(0), ListenCode(Endpoint::Tcp("127.0.0.1", port), 10s)), std::nullopt);
  release.join();
}

TEST(RpcListenTest, AnAddressNotOnThisHostIsAnInvalidArgument) {
  ReactorPool pool({.reactors = 1, .blocking_threads = 1});
  // TEST-NET-1: never an address of this host.
  EXPECT_EQ(BlockOn(pool.at(0), ListenCode(Endpoint::Tcp("192.0.2.1", 0), 0ms)),
            ErrorCode::kInvalidArgument);
}

TEST(EndpointTest, ParsesAndPrints) {
  auto tcp = Endpoint::Parse("127.0.0.1:19998");
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->kind, Endpoint::Kind::kTcp);
  EXPECT_EQ(tcp->port, 19998);
  EXPECT_EQ(tcp->ToString(), "127.0.0.1:19998");
  auto v6 = Endpoint::Parse("[::1]:7");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->ToString(), "[::1]:7");
  auto unix_ep = Endpoint::Parse("unix:/run/a.sock");
  ASSERT_TRUE(unix_ep.ok());
  EXPECT_EQ(unix_ep->path, "/run/a.sock");
  EXPECT_FALSE(Endpoint::Parse("nohost").ok());
  EXPECT_FALSE(Endpoint::Parse("h:99999").ok());
  EXPECT_FALSE(Endpoint::Parse("unix:").ok());
}

// ---- a server in a child process, killed mid-call ----

// rpc_test_server next to this binary, killed (SIGKILL) and reaped by the destructor.
class ChildServer {
 public:
  explicit ChildServer(const std::string& endpoint) {
    std::string binary =
        (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "rpc_test_server")
            .string();
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    char* argv[] = {binary.data(), const_cast<char*>(endpoint.c_str()), nullptr};
    int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      pid_ = -1;
      throw std::runtime_error("posix_spawn " + binary + ": " + std::strerror(rc));
    }
    std::string line;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    ::close(fds[0]);
    if (line.empty()) throw std::runtime_error("rpc_test_server did not report a port");
    port_ = static_cast<uint16_t>(std::stoi(line));
  }
  ~ChildServer() { Kill(); }
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// Blocks until a plain connect to `endpoint` is refused.
void WaitUntilRefused(const Endpoint& endpoint) {
  for (;;) {
    int fd;
    int rc;
    if (endpoint.kind == Endpoint::Kind::kUnix) {
      fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::strncpy(addr.sun_path, endpoint.path.c_str(), sizeof(addr.sun_path) - 1);
      rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    } else {
      fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(endpoint.port);
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    }
    int err = rc == 0 ? 0 : errno;
    ::close(fd);
    if (err == ECONNREFUSED || err == ENOENT) return;
    std::this_thread::sleep_for(5ms);
  }
}

class ServerKillTest : public testing::TestWithParam<Net> {};

struct KillScenario {
  std::unique_ptr<ChildServer> first;
  std::unique_ptr<ChildServer> second;
  std::string endpoint_text;  // for the restart: the same endpoint
};

Task<bool> KillMidCall(Endpoint endpoint, KillScenario* scenario) {
  ChannelOptions options;
  options.backoff_initial = 10ms;
  options.backoff_max = 100ms;
  Channel channel(endpoint, options);
  auto cap = co_await channel.Get<RpcTest>();
  if (!cap) {
    ADD_FAILURE() << cap.error().ToString();
    co_return false;
  }
  auto pid = co_await Call(cap->pidRequest(), 5s);
  EXPECT_TRUE(pid.ok());
  if (!pid || pid->getPid() != scenario->first->pid()) co_return false;

  // A call in flight when the server dies.
  auto slow = cap->slowRequest();
  slow.setMillis(0xFFFFFFFFu);
  kj::Promise<capnp::Response<RpcTest::SlowResults>> in_flight = slow.send();
  EXPECT_TRUE((co_await Call(cap->pingRequest(), 5s)).ok());  // the slow call reached it
  scenario->first->Kill();
  auto died = co_await Await(kj::mv(in_flight), 10s);
  EXPECT_FALSE(died.ok());
  if (!died.ok()) {
    EXPECT_EQ(died.code(), ErrorCode::kDisconnected) << died.error().ToString();
  }
  EXPECT_FALSE(channel.connected());

  // Nobody listens: reconnecting fails as unavailable. (A killed io_uring server's listening
  // socket can outlive the process briefly while the kernel tears its ring down, so first wait
  // until the endpoint refuses.)
  auto refused = [endpoint] { WaitUntilRefused(endpoint); };
  co_await RunBlocking(refused);
  auto down = co_await channel.Get<RpcTest>();
  EXPECT_FALSE(down.ok());
  if (!down.ok()) {
    EXPECT_EQ(down.code(), ErrorCode::kUnavailable) << down.error().ToString();
  }

  // A new server on the same endpoint: the next use reconnects (after the backoff).
  auto start = [](KillScenario* s) { s->second = std::make_unique<ChildServer>(s->endpoint_text); };
  auto restart = [scenario, start] { start(scenario); };
  co_await RunBlocking(restart);
  auto again = co_await channel.Get<RpcTest>();
  if (!again) {
    ADD_FAILURE() << again.error().ToString();
    co_return false;
  }
  auto pid2 = co_await Call(again->pidRequest(), 5s);
  EXPECT_TRUE(pid2.ok());
  EXPECT_EQ(channel.connects(), 2u);
  co_return pid2.ok() && pid2->getPid() == scenario->second->pid();
}

TEST_P(ServerKillTest, DisconnectedThenReconnects) {
  ReactorPool pool({.reactors = 1, .blocking_threads = 1});
  KillScenario scenario;
  Endpoint endpoint;
  if (GetParam() == Net::kTcp) {
    scenario.first = std::make_unique<ChildServer>("127.0.0.1:0");
    endpoint = Endpoint::Tcp("127.0.0.1", scenario.first->port());
  } else {
    endpoint = Endpoint::Unix(UniqueSocketPath("kill"));
    scenario.first = std::make_unique<ChildServer>(endpoint.ToString());
  }
  scenario.endpoint_text = endpoint.ToString();
  EXPECT_TRUE(BlockOn(pool.at(0), KillMidCall(endpoint, &scenario)));
  if (GetParam() == Net::kUnix) std::filesystem::remove(endpoint.path);
}

INSTANTIATE_TEST_SUITE_P(Nets, ServerKillTest, testing::Values(Net::kTcp, Net::kUnix),
                         [](const testing::TestParamInfo<Net>& info) {
                           return info.param == Net::kTcp ? "Tcp" : "Unix";
                         });

// ---- teardown with RPCs in flight ----

Task<int> ServeAndHang(Param param, std::shared_ptr<std::promise<void>> in_flight) {
  auto stats = std::make_shared<test::TestServiceStats>();
  auto server = RpcServer::Listen(Endpoint::Tcp("127.0.0.1", 0),
                                  [stats] { return test::MakeTestService(stats); });
  if (!server) co_return -1;
  Channel channel((*server)->endpoint(), ClientOptions(param.transport));
  auto cap = co_await channel.Get<RpcTest>();
  if (!cap) co_return -1;
  EXPECT_TRUE((co_await Call(cap->pingRequest())).ok());
  in_flight->set_value();
  co_return static_cast<int>(co_await SlowForever(*cap));  // never completes
}

TEST(RpcTeardownTest, PoolStopWithCallsInFlightIsClean) {
  ReactorPool pool({.reactors = 1, .blocking_threads = 1});
  auto in_flight = std::make_shared<std::promise<void>>();
  auto done = std::make_shared<std::atomic<bool>>(false);
  asio::co_spawn(pool.at(0).executor(),
                 ServeAndHang(Param{Net::kTcp, Transport::kMessageStream}, in_flight),
                 [done](std::exception_ptr, int) { *done = true; });
  in_flight->get_future().get();
  pool.Stop();  // the coroutine, its channel and server are destroyed on the reactor thread
  EXPECT_FALSE(*done);
}

}  // namespace
}  // namespace alluxio::rpc
