// Fuzz target: the FUSE dispatcher (core/fuse/dispatcher) answering arbitrary kernel messages
// against the in-memory reference file system (tests/fuse/memory_file_system.h). An input is a
// sequence of messages, each [u16 little-endian n][n bytes], handled in order by one dispatcher
// that a valid INIT has initialized (so later messages reach the operations); each message is an
// exactly sized heap copy, so ASan sees any read past its end. Every message must get at most
// one reply, to its own unique id, with a non-negative errno and no body with an error; Handle
// must not throw. Each input starts from a fresh file system and dispatcher.
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "core/fuse/dispatcher.h"
#include "core/fuse/fuse_abi.h"
#include "core/fuse/reply_sink.h"
#include "tests/fuse/memory_file_system.h"
#include "tests/fuzz/fuzz_targets.h"

namespace alluxio::fuzz {
namespace {

constexpr size_t kMaxMessagesPerInput = 64;

class CheckingSink : public fuse::FuseReplySink {
 public:
  void Expect(std::optional<uint64_t> unique) {
    expected_ = unique;
    replies_ = 0;
  }
  size_t replies() const { return replies_; }

  void Reply(uint64_t unique, int error, std::span<const iovec> body) override {
    ++replies_;
    FuzzAssert(replies_ == 1, "at most one reply per message");
    FuzzAssert(expected_ && unique == *expected_, "a reply goes to the message's unique id");
    FuzzAssert(error >= 0, "errno is non-negative");
    FuzzAssert(error == 0 || body.empty(), "an error reply has no body");
    unsigned sum = 0;
    for (const iovec& part : body) {  // read every byte so ASan checks the reply memory
      const auto* bytes = static_cast<const unsigned char*>(part.iov_base);
      for (size_t i = 0; i < part.iov_len; ++i) sum += bytes[i];
    }
    checksum_ = checksum_ + sum;
  }

 private:
  std::optional<uint64_t> expected_;
  size_t replies_ = 0;
  volatile unsigned checksum_ = 0;
};

void Handle(fuse::FuseDispatcher& dispatcher, asio::io_context& io, std::span<std::byte> scratch,
            CheckingSink& sink, std::span<const uint8_t> bytes) {
  const auto* first = reinterpret_cast<const std::byte*>(bytes.data());
  const std::vector<std::byte> copy(first, first + bytes.size());  // exactly sized
  std::optional<uint64_t> unique;
  if (bytes.size() >= sizeof(fuse::abi::InHeader)) {
    fuse::abi::InHeader header;
    std::memcpy(&header, bytes.data(), sizeof(header));
    unique = header.unique;
  }
  sink.Expect(unique);
  asio::co_spawn(io, dispatcher.Handle(copy, scratch, sink),
                 [](std::exception_ptr e) { FuzzAssert(!e, "Handle does not throw"); });
  io.run();
  io.restart();
}

}  // namespace

int FuzzFuseDispatcher(const uint8_t* data, size_t size) {
  fuse::testing::MemoryFileSystem fs;
  fuse::FuseDispatcher dispatcher(fs, fuse::FuseOptions{});
  asio::io_context io;
  std::vector<std::byte> scratch(dispatcher.ScratchSize());
  CheckingSink sink;

  fuse::abi::InHeader init_header{};
  fuse::abi::InitIn init{7, 38, 1 << 17, 0xffffffff, 0, {}};
  init_header.len = sizeof(init_header) + sizeof(init);
  init_header.opcode = static_cast<uint32_t>(fuse::abi::Opcode::kInit);
  init_header.unique = 1;
  std::vector<uint8_t> init_message(init_header.len);
  std::memcpy(init_message.data(), &init_header, sizeof(init_header));
  std::memcpy(init_message.data() + sizeof(init_header), &init, sizeof(init));
  Handle(dispatcher, io, scratch, sink, init_message);
  FuzzAssert(dispatcher.initialized(), "a valid INIT initializes the dispatcher");

  std::span<const uint8_t> input(data, size);
  for (size_t handled = 0; input.size() >= 2 && handled < kMaxMessagesPerInput; ++handled) {
    size_t n = input[0] | (size_t{input[1]} << 8);
    if (input.size() - 2 < n) break;
    Handle(dispatcher, io, scratch, sink, input.subspan(2, n));
    input = input.subspan(2 + n);
  }
  return 0;
}

}  // namespace alluxio::fuzz
