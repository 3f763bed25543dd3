#include "tests/fuse/fake_kernel.h"

#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>

#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "core/fuse/fuse_codec.h"

namespace alluxio::fuse::testing {

RequestBuilder::RequestBuilder(abi::Opcode opcode, uint64_t unique, uint64_t nodeid)
    : RequestBuilder(static_cast<uint32_t>(opcode), unique, nodeid) {}

RequestBuilder::RequestBuilder(uint32_t raw_opcode, uint64_t unique, uint64_t nodeid) {
  abi::InHeader header{};
  header.opcode = raw_opcode;
  header.unique = unique;
  header.nodeid = nodeid;
  header.uid = 1000;
  header.gid = 1000;
  header.pid = 4242;
  Add(header);
}

RequestBuilder& RequestBuilder::AddName(std::string_view name) {
  AddBytes(name);
  bytes_.push_back(std::byte{0});
  return *this;
}

RequestBuilder& RequestBuilder::AddBytes(std::string_view bytes) {
  const auto* p = reinterpret_cast<const std::byte*>(bytes.data());
  bytes_.insert(bytes_.end(), p, p + bytes.size());
  return *this;
}

RequestBuilder& RequestBuilder::WithUidGid(uint32_t uid, uint32_t gid) {
  std::memcpy(bytes_.data() + offsetof(abi::InHeader, uid), &uid, sizeof(uid));
  std::memcpy(bytes_.data() + offsetof(abi::InHeader, gid), &gid, sizeof(gid));
  return *this;
}

RequestBuilder& RequestBuilder::WithExtLen(uint16_t units) {
  std::memcpy(bytes_.data() + offsetof(abi::InHeader, total_extlen), &units, sizeof(units));
  return *this;
}

std::vector<std::byte> RequestBuilder::Build() const {
  return BuildWithLen(static_cast<uint32_t>(bytes_.size()));
}

std::vector<std::byte> RequestBuilder::BuildWithLen(uint32_t len) const {
  std::vector<std::byte> out = bytes_;
  std::memcpy(out.data(), &len, sizeof(len));
  return out;
}

void FakeKernel::SocketSink::Reply(uint64_t unique, int error, std::span<const iovec> body) {
  size_t body_size = 0;
  for (const iovec& part : body) body_size += part.iov_len;
  const abi::OutHeader header = MakeOutHeader(unique, error, body_size);
  std::array<iovec, 1 + ReplyBody::kMaxParts + 4> iov;
  ASSERT_LE(body.size() + 1, iov.size());
  iov[0] = iovec{const_cast<abi::OutHeader*>(&header), sizeof(header)};
  for (size_t i = 0; i < body.size(); ++i) iov[i + 1] = body[i];
  const ssize_t n = ::writev(fd_, iov.data(), static_cast<int>(body.size() + 1));
  ASSERT_EQ(n, static_cast<ssize_t>(sizeof(header) + body_size)) << "writev: " << errno;
  ++sent;
}

FakeKernel::FakeKernel(FuseDispatcher& dispatcher)
    : dispatcher_(dispatcher),
      sink_(-1),
      read_buffer_(dispatcher.RequestBufferSize()),
      scratch_(dispatcher.ScratchSize()) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds) != 0) std::abort();
  kernel_fd_ = fds[0];
  server_fd_ = fds[1];
  // Room for the largest reply (1 MiB READ) in one datagram.
  const int size = 4 << 20;
  ::setsockopt(kernel_fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  ::setsockopt(server_fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
  ::setsockopt(server_fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  ::setsockopt(kernel_fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
  sink_ = SocketSink(server_fd_);
}

FakeKernel::~FakeKernel() {
  ::close(kernel_fd_);
  ::close(server_fd_);
}

std::optional<std::vector<std::byte>> FakeKernel::RoundtripRaw(std::span<const std::byte> message) {
  const ssize_t sent = ::send(kernel_fd_, message.data(), message.size(), 0);
  EXPECT_EQ(sent, static_cast<ssize_t>(message.size())) << "send: " << errno;
  // The server end: one read, like read(/dev/fuse), possibly cut short by the buffer size.
  const ssize_t got = ::recv(server_fd_, read_buffer_.data(), read_buffer_.size(), 0);
  EXPECT_GE(got, 0) << "recv: " << errno;
  if (got < 0) return std::nullopt;
  const size_t before = sink_.sent;
  asio::co_spawn(
      io_,
      dispatcher_.Handle(std::span(read_buffer_).first(static_cast<size_t>(got)), scratch_, sink_),
      asio::detached);
  io_.run();
  io_.restart();
  EXPECT_LE(sink_.sent - before, 1U) << "more than one reply to one request";
  replies_sent_ += sink_.sent - before;
  if (sink_.sent == before) {
    std::array<std::byte, 16> probe;
    EXPECT_LT(::recv(kernel_fd_, probe.data(), probe.size(), MSG_DONTWAIT), 0);
    return std::nullopt;
  }
  std::vector<std::byte> reply(8 << 20);
  const ssize_t n = ::recv(kernel_fd_, reply.data(), reply.size(), 0);
  EXPECT_GE(n, 0) << "recv: " << errno;
  reply.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return reply;
}

std::optional<Reply> FakeKernel::Roundtrip(std::span<const std::byte> message) {
  std::optional<std::vector<std::byte>> raw = RoundtripRaw(message);
  if (!raw) return std::nullopt;
  Reply reply;
  EXPECT_GE(raw->size(), sizeof(abi::OutHeader));
  if (raw->size() < sizeof(abi::OutHeader)) return reply;
  std::memcpy(&reply.header, raw->data(), sizeof(reply.header));
  EXPECT_EQ(reply.header.len, raw->size());
  if (message.size() >= sizeof(abi::InHeader)) {
    abi::InHeader in;
    std::memcpy(&in, message.data(), sizeof(in));
    EXPECT_EQ(reply.header.unique, in.unique);
  }
  reply.body.assign(raw->begin() + sizeof(abi::OutHeader), raw->end());
  return reply;
}

Reply FakeKernel::Init() {
  abi::InitIn in{};
  in.major = 7;
  in.minor = 44;
  in.max_readahead = 128 * 1024;
  in.flags = 0xffffffffU & ~static_cast<uint32_t>(abi::kInitReserved);
  in.flags2 = 0x7ff;
  std::optional<Reply> reply =
      Roundtrip(RequestBuilder(abi::Opcode::kInit, NextUnique(), 0).Add(in).Build());
  EXPECT_TRUE(reply.has_value());
  return reply.value_or(Reply{});
}

}  // namespace alluxio::fuse::testing
