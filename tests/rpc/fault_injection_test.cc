// RPC fault injection: the RpcTest service behind WithRpcFaults on reactor 0, a client on
// reactor 1 over loopback TCP, commands written to a control file.
#include "rpc/fault_injection.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/reactor/block_on.h"
#include "rpc/await.h"
#include "rpc/channel.h"
#include "rpc/server.h"
#include "tests/rpc/test_service.h"
#include "tests/util/temp_dir.h"

namespace alluxio::rpc {
namespace {

using namespace std::chrono_literals;
using test::RpcTest;

class RpcFaultInjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    control_ = tmp_.path() + "/rpc-faults";
    std::promise<Endpoint> bound;
    pool_.at(0).Post([&] {
      auto stats = std::make_shared<test::TestServiceStats>();
      auto served = std::make_shared<RpcTest::Client>(
          WithRpcFaults<RpcTest>(test::MakeTestService(stats), control_));
      auto server = RpcServer::Listen(Endpoint::Tcp("127.0.0.1", 0),
                                      [served]() -> capnp::Capability::Client { return *served; });
      if (!server) {
        ADD_FAILURE() << server.error().ToString();
        bound.set_value(Endpoint::Tcp("127.0.0.1", 0));
        return;
      }
      server_ = std::move(*server);
      bound.set_value(server_->endpoint());
    });
    endpoint_ = bound.get_future().get();
  }
  void TearDown() override {
    std::promise<void> done;
    pool_.at(0).Post([&] {
      server_.reset();
      done.set_value();
    });
    done.get_future().get();
  }

  // Replaces the control file (a new inode) after the server's 100 ms check interval has
  // passed since its last look, so that its next call sees the change.
  void Command(const std::string& text) {
    std::this_thread::sleep_for(150ms);
    std::ofstream(control_ + ".tmp", std::ios::trunc) << text;
    std::filesystem::rename(control_ + ".tmp", control_);
  }

  testing::TempDir tmp_;
  std::string control_;
  ReactorPool pool_{{.reactors = 2, .blocking_threads = 1}};
  std::unique_ptr<RpcServer> server_;
  Endpoint endpoint_;
};

// The codes of `calls` pings then one echo on one connection ("ok" for success).
Task<std::vector<std::string>> PingsThenEcho(Endpoint endpoint, int pings) {
  std::vector<std::string> codes;
  Channel channel(endpoint);
  auto cap = co_await channel.Get<RpcTest>();
  if (!cap) co_return std::vector<std::string>{"connect: " + cap.error().ToString()};
  auto code = [](const auto& r) {
    return r.ok() ? std::string("ok") : std::string(ErrorCodeSymbol(r.code()));
  };
  for (int i = 0; i < pings; ++i) codes.push_back(code(co_await Call(cap->pingRequest(), 10s)));
  codes.push_back(code(co_await Call(cap->echoRequest(), 10s)));
  co_return codes;
}

TEST_F(RpcFaultInjectionTest, FailsAndDisconnectsTheNextCallsOfAMethod) {
  Command("fail ping 2\n");
  EXPECT_EQ(BlockOn(pool_.at(1), PingsThenEcho(endpoint_, 3)),
            (std::vector<std::string>{"kUnavailable", "kUnavailable", "ok", "ok"}));
  Command("disconnect echo\nfail * 1\n");  // the first matching rule with calls left applies
  EXPECT_EQ(BlockOn(pool_.at(1), PingsThenEcho(endpoint_, 2)),
            (std::vector<std::string>{"kUnavailable", "ok", "kDisconnected"}));
  EXPECT_EQ(BlockOn(pool_.at(1), PingsThenEcho(endpoint_, 1)),
            (std::vector<std::string>{"ok", "ok"}));
  Command("lose-reply ping\n");  // runs, then the answer is lost
  EXPECT_EQ(BlockOn(pool_.at(1), PingsThenEcho(endpoint_, 2)),
            (std::vector<std::string>{"kDisconnected", "ok", "ok"}));
}

TEST_F(RpcFaultInjectionTest, EachChangeOfTheFileRestoresTheCountsAndClearDropsThem) {
  Command("fail ping\n");
  EXPECT_EQ(BlockOn(pool_.at(1), PingsThenEcho(endpoint_, 2)),
            (std::vector<std::string>{"kUnavailable", "ok", "ok"}));
  Command("fail ping\n ");  // changed: counts start again
  EXPECT_EQ(BlockOn(pool_.at(1), PingsThenEcho(endpoint_, 2)),
            (std::vector<std::string>{"kUnavailable", "ok", "ok"}));
  Command("fail * 100\nclear\n");
  EXPECT_EQ(BlockOn(pool_.at(1), PingsThenEcho(endpoint_, 1)),
            (std::vector<std::string>{"ok", "ok"}));
  Command("fail * 100\nnonsense\n");  // does not parse: nothing injected
  EXPECT_EQ(BlockOn(pool_.at(1), PingsThenEcho(endpoint_, 1)),
            (std::vector<std::string>{"ok", "ok"}));
}

// A ping delayed by an hour is still pending after an echo sent behind it has completed.
Task<std::vector<std::string>> DelayedPing(Endpoint endpoint) {
  Channel channel(endpoint);
  auto cap = co_await channel.Get<RpcTest>();
  if (!cap) co_return std::vector<std::string>{"connect: " + cap.error().ToString()};
  kj::Promise<capnp::Response<RpcTest::PingResults>> ping = cap->pingRequest().send();
  auto echo = co_await Call(cap->echoRequest(), 10s);
  auto late = co_await Await(kj::mv(ping), 100ms);
  co_return std::vector<std::string>{echo.ok() ? "ok" : echo.error().ToString(),
                                     late.ok() ? "ok" : std::string(ErrorCodeSymbol(late.code()))};
}

TEST_F(RpcFaultInjectionTest, DelayHoldsTheCall) {
  Command("delay ping 1h\n");
  EXPECT_EQ(BlockOn(pool_.at(1), DelayedPing(endpoint_)),
            (std::vector<std::string>{"ok", "kTimedOut"}));
  Command("delay ping 1ms\n");
  EXPECT_EQ(BlockOn(pool_.at(1), PingsThenEcho(endpoint_, 1)),
            (std::vector<std::string>{"ok", "ok"}));
}

// upload() succeeds; finish() on the sink it returned fails: returned capabilities are behind
// the membrane too.
Task<std::string> UploadAndFinish(Endpoint endpoint) {
  Channel channel(endpoint);
  auto cap = co_await channel.Get<RpcTest>();
  if (!cap) co_return "connect: " + cap.error().ToString();
  auto opened = co_await Call(cap->uploadRequest(), 10s);
  if (!opened) co_return "upload: " + opened.error().ToString();
  test::Sink::Client sink = opened->getSink();
  auto finished = co_await Call(sink.finishRequest(), 10s);
  co_return finished.ok() ? std::string("ok") : std::string(ErrorCodeSymbol(finished.code()));
}

TEST_F(RpcFaultInjectionTest, CapabilitiesHandedOutAreCoveredToo) {
  Command("fail finish\n");
  EXPECT_EQ(BlockOn(pool_.at(1), UploadAndFinish(endpoint_)), "kUnavailable");
  EXPECT_EQ(BlockOn(pool_.at(1), UploadAndFinish(endpoint_)), "ok");
}

TEST(RpcFaultRulesTest, ParsesAndRefuses) {
  auto rules = ParseRpcFaultRules(
      "fail getStatus 3\ndisconnect *\ndelay readBlock 2s 5 # x\nlose-reply remove 2\n");
  ASSERT_TRUE(rules.ok()) << rules.error().ToString();
  ASSERT_EQ(rules->size(), 4u);
  EXPECT_EQ((*rules)[3].action, RpcFaultRule::Action::kLoseReply);
  EXPECT_EQ((*rules)[3].count, 2u);
  EXPECT_EQ((*rules)[0].action, RpcFaultRule::Action::kFail);
  EXPECT_EQ((*rules)[0].method, "getStatus");
  EXPECT_EQ((*rules)[0].count, 3u);
  EXPECT_EQ((*rules)[1].action, RpcFaultRule::Action::kDisconnect);
  EXPECT_EQ((*rules)[1].count, 1u);
  EXPECT_EQ((*rules)[2].action, RpcFaultRule::Action::kDelay);
  EXPECT_EQ((*rules)[2].delay, 2000ms);
  EXPECT_EQ((*rules)[2].count, 5u);
  for (const char* text : {"fail", "fail x 0", "fail x -1", "fail x y", "delay x", "delay x soon",
                           "disconnect x 1 2", "lose-reply", "clear all", "drop x"}) {
    EXPECT_EQ(ParseRpcFaultRules(text).code(), ErrorCode::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace alluxio::rpc
