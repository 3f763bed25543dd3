// The input format of the RPC fuzz targets and the in-process dispatch of one call.
//
// An input is a sequence of calls, each
//   [u8 slot][u8 method ordinal][u16 little-endian n][n bytes: the parameter struct]
// where the parameter bytes are one Cap'n Proto segment, root pointer first (what a caller's
// message carries as the call's params). A trailing incomplete call is ignored. `slot` picks one
// of the target's capabilities (its bootstrap, or one an earlier call returned); the call goes to
// that capability's interface with the given ordinal, so unknown ordinals are tried too.
//
// Calls are made as a local client makes them (typeless requests on capnp::Capability::Client):
// the parameters are copied into the request, which is where Cap'n Proto checks pointers and
// bounds, so a service receives every well-formed but arbitrary struct (wrong sizes, wrong
// pointer kinds, absent fields, any values). Malformed messages on the wire are the RPC layer's
// concern and are covered by the garbage-stream test (tests/rpc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <capnp/any.h>
#include <capnp/capability.h>
#include <capnp/message.h>
#include <kj/async.h>
#include <kj/function.h>

namespace alluxio::fuzz {

inline constexpr size_t kMaxCallsPerInput = 64;

struct RpcCall {
  uint8_t slot = 0;
  uint16_t method = 0;
  std::span<const uint8_t> params;
};

// The calls of an input, at most kMaxCallsPerInput.
std::vector<RpcCall> SplitCalls(std::span<const uint8_t> input);

// Appends one call to an input (seed inputs). `params` must fit in one segment of at most
// 65535 bytes.
void AppendCall(std::vector<uint8_t>& input, uint8_t slot, uint16_t method,
                capnp::MessageBuilder& params);

enum class CallOutcome {
  kAnswered,   // results returned
  kFailed,     // an exception answered to the caller (decoding error, unimplemented method)
  kMalformed,  // the parameter bytes are not a valid message: nothing was sent
  kRefused,    // `admit` refused the parameters: nothing was sent
};

// Sends `call` to `target` as a call of interface `interface_id` and waits for the answer on
// `wait_scope`. `admit` sees the parameters first and may refuse them (a target's sandbox
// rules); an exception while it reads them refuses too. On kAnswered `on_answer` sees the
// results. Aborts (a finding) when the answer is an exception that a service raised as a C++
// exception rather than Cap'n Proto decoding: services report failures as a Status.
CallOutcome Dispatch(capnp::Capability::Client& target, uint64_t interface_id, const RpcCall& call,
                     kj::WaitScope& wait_scope,
                     kj::FunctionParam<bool(capnp::AnyPointer::Reader)> admit,
                     kj::FunctionParam<void(capnp::AnyPointer::Reader)> on_answer);

// Whether a UFS location from a fuzz input stays inside the sandbox's under storage "/ufs"
// (a path or a file:// URI under it, without ".." components).
bool InsideSandboxUfs(std::string_view uri);

}  // namespace alluxio::fuzz
