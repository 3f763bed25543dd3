// Cap'n Proto transports over an asio socket of a reactor (TCP or unix):
//
// - AsioStream: a kj::AsyncIoStream. Cancel-safe: reads land in a read-ahead buffer the adapter
//   owns (io_uring may keep writing into a buffer after cancellation, so kj's buffers are never
//   handed to the kernel) and are copied out only while kj still waits; writes try
//   sendmsg(MSG_DONTWAIT | MSG_NOSIGNAL) first and copy only the unsent rest for an async
//   write. get/setsockopt, getsockname/getpeername pass through (TwoPartyVatNetwork sizes the
//   `-> stream` window from SO_SNDBUF).
// - AsioMessageStream: a capnp::MessageStream over the same socket whose messages own their
//   segments: one heap array per message body (held by the reader, so it survives the stream
//   and cancellation), filled from the read-ahead buffer in one pass, header and table
//   included, instead of capnp's 2-3 reads per message; a batch of messages is one sendmsg.
//
// Contract: created, used and destroyed on the socket's reactor thread (the one whose
// KjLoop is current). Destroying closes the socket; reads/writes still in flight complete into
// memory the adapter's shared core keeps alive.
#pragma once

#include <memory>

#include <capnp/serialize-async.h>
#include <kj/async-io.h>
#include <asio/generic/stream_protocol.hpp>

namespace alluxio::rpc {

using Socket = asio::generic::stream_protocol::socket;

namespace internal {
class SocketCore;
}

class AsioStream final : public kj::AsyncIoStream {
 public:
  // Takes the connected socket. Precondition: on the socket's reactor thread.
  explicit AsioStream(Socket socket);
  ~AsioStream() noexcept(false);

  kj::Promise<size_t> tryRead(void* buffer, size_t min_bytes, size_t max_bytes) override;
  kj::Promise<void> write(const void* buffer, size_t size) override;
  kj::Promise<void> write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) override;
  kj::Promise<void> whenWriteDisconnected() override;
  void shutdownWrite() override;
  void abortRead() override;
  void getsockopt(int level, int option, void* value, kj::uint* length) override;
  void setsockopt(int level, int option, const void* value, kj::uint length) override;
  void getsockname(struct sockaddr* addr, kj::uint* length) override;
  void getpeername(struct sockaddr* addr, kj::uint* length) override;
  kj::Maybe<int> getFd() const override;

 private:
  friend class AsioMessageStream;
  std::shared_ptr<internal::SocketCore> core_;
};

class AsioMessageStream final : public capnp::MessageStream {
 public:
  // `stream` must outlive this object. Reads must go through one of the two, not both.
  explicit AsioMessageStream(AsioStream& stream);
  ~AsioMessageStream();

  kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> tryReadMessage(
      kj::ArrayPtr<kj::AutoCloseFd> fd_space, capnp::ReaderOptions options,
      kj::ArrayPtr<capnp::word> scratch_space) override;
  kj::Promise<void> writeMessage(
      kj::ArrayPtr<const int> fds,
      kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments) override;
  kj::Promise<void> writeMessages(
      kj::ArrayPtr<kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>>> messages) override;
  kj::Maybe<int> getSendBufferSize() override;
  kj::Promise<void> end() override;

 private:
  AsioStream& stream_;
  std::shared_ptr<internal::SocketCore> core_;
  capnp::word header_[1];
};

}  // namespace alluxio::rpc
