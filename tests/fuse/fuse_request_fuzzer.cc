// libFuzzer target: one arbitrary message through the real dispatcher (after a valid INIT),
// against the in-memory file system. Checks: no crash, no sanitizer report, at most one reply.
// Built only with clang (tests/fuse/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include "core/fuse/dispatcher.h"
#include "core/fuse/fuse_codec.h"
#include "tests/fuse/memory_file_system.h"

namespace {

using alluxio::fuse::FuseDispatcher;
using alluxio::fuse::FuseOptions;
using alluxio::fuse::FuseReplySink;
namespace abi = alluxio::fuse::abi;

class CountingSink : public FuseReplySink {
 public:
  void Reply(uint64_t, int error, std::span<const iovec> body) override {
    ++replies;
    if (error < 0 || (error != 0 && !body.empty())) std::abort();
  }
  size_t replies = 0;
};

struct State {
  alluxio::fuse::testing::MemoryFileSystem fs;
  FuseDispatcher dispatcher{fs, FuseOptions{}};
  asio::io_context io;
  std::vector<std::byte> scratch = std::vector<std::byte>(dispatcher.ScratchSize());
  CountingSink sink;

  void Run(std::span<const std::byte> message) {
    asio::co_spawn(io, dispatcher.Handle(message, scratch, sink), asio::detached);
    io.run();
    io.restart();
  }
};

State& GetState() {
  static State* state = [] {
    auto* s = new State;
    abi::InHeader header{};
    abi::InitIn init{};
    init.major = 7;
    init.minor = 44;
    init.flags = 0x7fffffff;
    header.len = sizeof(header) + sizeof(init);
    header.opcode = static_cast<uint32_t>(abi::Opcode::kInit);
    header.unique = 1;
    std::vector<std::byte> message(header.len);
    std::memcpy(message.data(), &header, sizeof(header));
    std::memcpy(message.data() + sizeof(header), &init, sizeof(init));
    s->Run(message);
    return s;
  }();
  return *state;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  State& state = GetState();
  // Decoder alone: every Decode* on the arguments must stay in bounds.
  const auto bytes = std::span(reinterpret_cast<const std::byte*>(data), size);
  const alluxio::fuse::ParsedRequest parsed = alluxio::fuse::ParseRequest(bytes);
  if (parsed.status == alluxio::fuse::ParsedRequest::Status::kOk) {
    (void)alluxio::fuse::DecodeName(parsed.args);
    (void)alluxio::fuse::DecodeRename2(parsed.args);
    (void)alluxio::fuse::DecodeWrite(parsed.args);
    (void)alluxio::fuse::DecodeSetxattr(parsed.args, true);
    (void)alluxio::fuse::DecodeSymlink(parsed.args);
    (void)alluxio::fuse::DecodeBatchForget(parsed.args);
    (void)alluxio::fuse::DecodeInit(parsed.args);
  }
  const size_t before = state.sink.replies;
  state.Run(bytes);
  if (state.sink.replies - before > 1) std::abort();
  return 0;
}
