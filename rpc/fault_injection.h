// Fault injection for the RPC servers (for tests and soak runs; docs/fault_injection.md): a
// Cap'n Proto membrane around a served capability that, on command, fails, disconnects or
// delays the next calls of a method. Commands come from a control file
// (alluxio.rpc.fault.injection.file) that the server re-reads when it changes (WatchedFile,
// looked at no more than every 100 ms), one command a line; '#' starts a comment:
//
//   fail <method> [<count>]                the next count (default 1) calls fail with
//                                          kUnavailable (a kj OVERLOADED exception)
//   disconnect <method> [<count>]          ... fail with kDisconnected (a kj DISCONNECTED
//                                          exception, as when the connection drops mid-call;
//                                          the connection itself stays up)
//   lose-reply <method> [<count>]          ... run, then fail with kDisconnected as if the
//                                          connection dropped before the answer came
//   delay <method> <duration> [<count>]    ... run after `duration` ("2s": ParseDuration)
//   clear                                  drops every command above it
//
// <method> is a method name of the served interface or of an interface it hands out
// ("getStatus", "createFile", "readBlock", "write") or "*" (every method). Each change of the
// file installs the commands with fresh counts; a file that does not parse (logged) or is absent
// injects nothing. The first matching command with calls left applies (one per call).
// Capabilities returned by a delayed call are not behind the membrane.
//
// Cost: WithRpcFaults with an empty control file returns the capability itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <capnp/capability.h>
#include <capnp/schema-loader.h>

#include "core/common/result.h"

namespace alluxio::rpc {

struct RpcFaultRule {
  enum class Action { kFail, kDisconnect, kLoseReply, kDelay };
  Action action = Action::kFail;
  std::string method;                  // a method name or "*"
  uint64_t count = 1;                  // calls left
  std::chrono::milliseconds delay{0};  // kDelay
};

// Parses control-file text (format above). kInvalidArgument naming the line for anything else.
Result<std::vector<RpcFaultRule>> ParseRpcFaultRules(std::string_view text);

// `cap` behind the fault membrane reading `control_file`; `methods` names the methods of the
// interfaces it serves (loaded with loadCompiledTypeAndDependencies). Calls run on the reactor
// that serves the capability. `cap` itself when control_file is empty.
capnp::Capability::Client WithRpcFaults(capnp::Capability::Client cap, std::string control_file,
                                        std::shared_ptr<capnp::SchemaLoader> methods);

// The same for a typed capability: its interface and every interface reachable from it name
// the methods.
template <typename Interface>
typename Interface::Client WithRpcFaults(typename Interface::Client cap, std::string control_file) {
  if (control_file.empty()) return cap;
  auto methods = std::make_shared<capnp::SchemaLoader>();
  methods->loadCompiledTypeAndDependencies<Interface>();
  return WithRpcFaults(capnp::Capability::Client(kj::mv(cap)), std::move(control_file),
                       std::move(methods))
      .template castAs<Interface>();
}

}  // namespace alluxio::rpc
