// A fake kernel for driving the real dispatcher through a socket pair. SOCK_SEQPACKET keeps
// message boundaries like /dev/fuse: one send is one request, one writev one reply, and a
// message larger than the server's read buffer is cut short like a short device read.
//
// Single-threaded: Roundtrip() sends a message from the kernel end, lets the server end read it
// (with a buffer of the dispatcher's RequestBufferSize()) and run Handle() to completion on an
// io_context, then collects the reply, if any, from the kernel end.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <asio/io_context.hpp>

#include "core/fuse/dispatcher.h"
#include "core/fuse/fuse_abi.h"
#include "core/fuse/reply_sink.h"

namespace alluxio::fuse::testing {

// Builds a request: header fields, then argument structs, strings and bytes; len is filled in.
class RequestBuilder {
 public:
  RequestBuilder(abi::Opcode opcode, uint64_t unique, uint64_t nodeid = abi::kRootId);
  RequestBuilder(uint32_t raw_opcode, uint64_t unique, uint64_t nodeid);

  template <typename T>
  RequestBuilder& Add(const T& value) {
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
    return *this;
  }
  // The string and its NUL terminator.
  RequestBuilder& AddName(std::string_view name);
  // Raw bytes (no terminator).
  RequestBuilder& AddBytes(std::string_view bytes);
  RequestBuilder& WithUidGid(uint32_t uid, uint32_t gid);
  RequestBuilder& WithExtLen(uint16_t units);
  // The message with len = its size, or with `len` forced (malformed requests).
  std::vector<std::byte> Build() const;
  std::vector<std::byte> BuildWithLen(uint32_t len) const;

 private:
  std::vector<std::byte> bytes_;
};

struct Reply {
  abi::OutHeader header{};
  std::vector<std::byte> body;

  int error() const { return -header.error; }
  template <typename T>
  T As(size_t offset = 0) const {
    T value{};
    if (offset + sizeof(T) <= body.size()) std::memcpy(&value, body.data() + offset, sizeof(T));
    return value;
  }
  std::string_view Text() const {
    return {reinterpret_cast<const char*>(body.data()), body.size()};
  }
};

class FakeKernel {
 public:
  explicit FakeKernel(FuseDispatcher& dispatcher);
  ~FakeKernel();
  FakeKernel(const FakeKernel&) = delete;
  FakeKernel& operator=(const FakeKernel&) = delete;

  // Sends `message`, runs the server for it, and returns the raw reply bytes if one was sent.
  std::optional<std::vector<std::byte>> RoundtripRaw(std::span<const std::byte> message);
  // Same, parsed; asserts (gtest) that the reply's len matches its size and unique matches.
  std::optional<Reply> Roundtrip(std::span<const std::byte> message);
  // INIT with a 7.44 kernel offering everything; returns the reply.
  Reply Init();

  uint64_t NextUnique() { return next_unique_++; }
  // Replies the server sent over the whole session.
  size_t replies_sent() const { return replies_sent_; }

 private:
  class SocketSink : public FuseReplySink {
   public:
    explicit SocketSink(int fd) : fd_(fd) {}
    void Reply(uint64_t unique, int error, std::span<const iovec> body) override;
    size_t sent = 0;

   private:
    int fd_;
  };

  FuseDispatcher& dispatcher_;
  int kernel_fd_ = -1;
  int server_fd_ = -1;
  asio::io_context io_;
  SocketSink sink_;
  std::vector<std::byte> read_buffer_;
  std::vector<std::byte> scratch_;
  uint64_t next_unique_ = 100;
  size_t replies_sent_ = 0;
};

}  // namespace alluxio::fuse::testing
