#include "tests/fuzz/rpc_calls.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <capnp/serialize.h>
#include <kj/exception.h>

namespace alluxio::fuzz {
namespace {

constexpr size_t kCallHeaderBytes = 4;

// Limits of the reader that decodes the parameter bytes, as a server's RPC layer has them.
capnp::ReaderOptions ParamsReaderOptions() {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = 1 << 16;
  options.nestingLimit = 32;
  return options;
}

// Cap'n Proto turns a C++ exception escaping a service method into an exception answered to the
// caller whose description starts so (kj/exception.c++, getCaughtExceptionAsKj).
bool FromCppException(const kj::Exception& e) {
  std::string_view description = e.getDescription().cStr();
  return description.starts_with("std::exception") ||
         description.starts_with("unknown non-KJ exception");
}

}  // namespace

std::vector<RpcCall> SplitCalls(std::span<const uint8_t> input) {
  std::vector<RpcCall> calls;
  while (input.size() >= kCallHeaderBytes && calls.size() < kMaxCallsPerInput) {
    size_t n = input[2] | (size_t{input[3]} << 8);
    if (input.size() - kCallHeaderBytes < n) break;
    calls.push_back(RpcCall{input[0], input[1], input.subspan(kCallHeaderBytes, n)});
    input = input.subspan(kCallHeaderBytes + n);
  }
  return calls;
}

void AppendCall(std::vector<uint8_t>& input, uint8_t slot, uint16_t method,
                capnp::MessageBuilder& params) {
  auto segments = params.getSegmentsForOutput();
  if (segments.size() != 1 || segments[0].asBytes().size() > 0xffff) std::abort();
  auto bytes = segments[0].asBytes();
  input.push_back(slot);
  input.push_back(static_cast<uint8_t>(method));
  input.push_back(static_cast<uint8_t>(bytes.size() & 0xff));
  input.push_back(static_cast<uint8_t>(bytes.size() >> 8));
  input.insert(input.end(), bytes.begin(), bytes.end());
}

CallOutcome Dispatch(capnp::Capability::Client& target, uint64_t interface_id, const RpcCall& call,
                     kj::WaitScope& wait_scope,
                     kj::FunctionParam<bool(capnp::AnyPointer::Reader)> admit,
                     kj::FunctionParam<void(capnp::AnyPointer::Reader)> on_answer) {
  // The segment, word-aligned and zero-padded to whole words.
  auto words = kj::heapArray<capnp::word>((call.params.size() + sizeof(capnp::word) - 1) /
                                          sizeof(capnp::word));
  std::memset(words.begin(), 0, words.asBytes().size());
  if (!call.params.empty()) std::memcpy(words.begin(), call.params.data(), call.params.size());
  kj::ArrayPtr<const capnp::word> segments[1] = {words};
  capnp::SegmentArrayMessageReader reader(segments, ParamsReaderOptions());

  auto request = target.typelessRequest(interface_id, call.method, nullptr);
  bool admitted = false;
  KJ_IF_MAYBE (e, kj::runCatchingExceptions(
                      [&] { admitted = admit(reader.getRoot<capnp::AnyPointer>()); })) {
    (void)e;
    return CallOutcome::kRefused;
  }
  if (!admitted) return CallOutcome::kRefused;
  KJ_IF_MAYBE (e, kj::runCatchingExceptions(
                      [&] { request.set(reader.getRoot<capnp::AnyPointer>()); })) {
    (void)e;
    return CallOutcome::kMalformed;
  }
  auto answer = request.send();
  KJ_IF_MAYBE (e, kj::runCatchingExceptions([&] {
                 auto response = answer.wait(wait_scope);
                 on_answer(response);
               })) {
    if (FromCppException(*e)) {
      std::fprintf(stderr, "fuzz: interface %llx method %u raised a C++ exception: %s\n",
                   static_cast<unsigned long long>(interface_id), call.method,
                   e->getDescription().cStr());
      std::abort();
    }
    return CallOutcome::kFailed;
  }
  return CallOutcome::kAnswered;
}

bool InsideSandboxUfs(std::string_view uri) {
  if (uri.starts_with("file://")) uri.remove_prefix(7);
  if (!uri.starts_with("/ufs/") && uri != "/ufs") return false;
  return uri.find("/..") == std::string_view::npos;
}

}  // namespace alluxio::fuzz
