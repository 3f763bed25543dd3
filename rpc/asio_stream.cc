#include "rpc/asio_stream.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include <kj/debug.h>
#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/write.hpp>

#include "rpc/kj_loop.h"

namespace alluxio::rpc {
namespace internal {

namespace {
constexpr size_t kReadAhead = 256 * 1024;
// A read still missing at least this much tries a plain non-blocking recv straight into its
// destination first (one copy less than through the read-ahead buffer).
constexpr size_t kDirectReceive = 64 * 1024;
constexpr int kMaxIov = 256;

kj::Exception Disconnected(const std::string& what) {
  return kj::Exception(kj::Exception::Type::DISCONNECTED, __FILE__, __LINE__,
                       kj::heapString(what.data(), what.size()));
}
}  // namespace

// State shared between the kj-facing adapters and asio completion handlers. kj objects in it
// (fulfillers) are only touched on the reactor thread and dropped by Close().
class SocketCore : public std::enable_shared_from_this<SocketCore> {
 public:
  explicit SocketCore(Socket socket)
      : socket_(std::move(socket)),
        loop_(KjLoop::Current()),
        rbuf_(std::make_unique<uint8_t[]>(kReadAhead)) {}

  int fd() { return socket_.native_handle(); }

  // Reads at least `min` (fewer only at EOF) and at most `max` bytes into dst. Asynchronous
  // receives land in the read-ahead buffer and are copied to dst only while the promise is
  // still awaited; what the socket already holds for a large read is received into dst
  // directly (ReceiveDirect). Asynchronous io_uring receives straight into dst were tried:
  // 256 KiB-1 MiB on a unix socket were 5-10x slower than read-ahead steps. The read-ahead is
  // 256 KiB: 1 MiB messages at the speed of plain kj (64 KiB: ~0.8x).
  kj::Promise<size_t> Read(uint8_t* dst, size_t min, size_t max) {
    size_t got = TakeBuffered(dst, max);
    if (got < min) got += ReceiveDirect(dst + got, min - got, max - got);
    if (got >= min) return got;
    if (read_error_) return kj::cp(*read_error_);
    if (eof_) return got;
    auto paf = kj::newPromiseAndFulfiller<size_t>();
    pending_.emplace(Pending{dst, min, max, got, kj::mv(paf.fulfiller)});
    if (!receiving_) StartReceive();
    return kj::mv(paf.promise);
  }

  kj::Promise<void> Write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) {
    if (write_error_) return kj::cp(*write_error_);
    if (closed_) return Disconnected("socket closed");
    iovec iov[kMaxIov];
    int count = 0;
    size_t total = 0;
    size_t in_iov = 0;
    for (auto& piece : pieces) {
      total += piece.size();
      if (piece.size() == 0 || count == kMaxIov) continue;
      iov[count].iov_base = const_cast<kj::byte*>(piece.begin());
      iov[count].iov_len = piece.size();
      in_iov += piece.size();
      ++count;
    }
    if (total == 0) return kj::READY_NOW;
    // Only whole leading pieces are in iov if count hit the limit; sending them is still a
    // prefix of the stream because pieces are added in order.
    size_t sent = 0;
    if (in_iov == total || count == kMaxIov) {
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = count;
      ssize_t n;
      do {
        n = ::sendmsg(fd(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
      } while (n < 0 && errno == EINTR);
      if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          SetWriteError(std::error_code(errno, std::system_category()));
          return kj::cp(*write_error_);
        }
        n = 0;
      }
      sent = static_cast<size_t>(n);
    }
    if (sent == total) return kj::READY_NOW;
    // Copy the unsent rest: kj may free the pieces as soon as the promise is dropped.
    auto rest = std::make_shared<std::vector<uint8_t>>();
    rest->reserve(total - sent);
    size_t skip = sent;
    for (auto& piece : pieces) {
      if (skip >= piece.size()) {
        skip -= piece.size();
        continue;
      }
      rest->insert(rest->end(), piece.begin() + skip, piece.end());
      skip = 0;
    }
    auto paf = kj::newPromiseAndFulfiller<void>();
    auto self = shared_from_this();
    asio::async_write(
        socket_, asio::buffer(*rest),
        [self, rest, fulfiller = kj::mv(paf.fulfiller)](std::error_code ec, size_t) mutable {
          if (self->closed_) return;
          if (ec) {
            self->SetWriteError(ec);
            fulfiller->reject(kj::cp(*self->write_error_));
          } else {
            fulfiller->fulfill();
          }
          self->loop_.RunInline();
        });
    return kj::mv(paf.promise);
  }

  kj::Promise<void> WhenWriteDisconnected() {
    if (!disconnect_fork_) {
      auto paf = kj::newPromiseAndFulfiller<void>();
      disconnect_fulfiller_ = kj::mv(paf.fulfiller);
      disconnect_fork_ = paf.promise.fork();
      if (eof_ || read_error_ || write_error_) FireDisconnect();
    }
    return disconnect_fork_->addBranch();
  }

  void ShutdownWrite() {
    std::error_code ec;
    socket_.shutdown(asio::socket_base::shutdown_send, ec);
  }
  void AbortRead() {
    std::error_code ec;
    socket_.shutdown(asio::socket_base::shutdown_receive, ec);
  }

  // Shuts the socket down, cancels its operations and drops every kj object; handlers still
  // in flight find closed_ set. The descriptor itself is closed by ~SocketCore, after the
  // last handler released the core: asio 1.22's io_uring service mishandles ops still pending
  // on a closed socket when the io_context is destroyed (docs/rpc.md).
  void Close() {
    closed_ = true;
    pending_.reset();
    disconnect_fulfiller_ = nullptr;
    disconnect_fork_.reset();
    read_error_.reset();
    write_error_.reset();
    std::error_code ec;
    socket_.shutdown(asio::socket_base::shutdown_both, ec);
    socket_.cancel(ec);
  }

 private:
  struct Pending {
    uint8_t* dst;
    size_t min;
    size_t max;
    size_t got;
    kj::Own<kj::PromiseFulfiller<size_t>> fulfiller;
  };

  size_t TakeBuffered(uint8_t* dst, size_t max) {
    size_t n = std::min(rend_ - rbegin_, max);
    if (n > 0) {
      std::memcpy(dst, rbuf_.get() + rbegin_, n);
      rbegin_ += n;
      if (rbegin_ == rend_) rbegin_ = rend_ = 0;
    }
    return n;
  }

  // Receives what the socket already holds into dst, synchronously (nothing keeps dst after
  // it returns), when `missing` is large, the read-ahead buffer is empty and no asynchronous
  // receive is in flight (it would race for the same bytes). Records EOF and errors.
  size_t ReceiveDirect(uint8_t* dst, size_t missing, size_t max) {
    if (missing < kDirectReceive || receiving_ || rbegin_ != rend_ || eof_ || read_error_) {
      return 0;
    }
    size_t got = 0;
    while (got < max) {
      ssize_t n = ::recv(fd(), dst + got, max - got, MSG_DONTWAIT);
      if (n > 0) {
        got += static_cast<size_t>(n);
        continue;
      }
      if (n == 0) {
        SetReadError(asio::error::eof);
      } else if (errno == EINTR) {
        continue;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        SetReadError(std::error_code(errno, std::system_category()));
      }
      break;
    }
    return got;
  }

  void StartReceive() {
    receiving_ = true;
    auto self = shared_from_this();
    if (rbegin_ > 0 && rend_ == kReadAhead) {
      std::memmove(rbuf_.get(), rbuf_.get() + rbegin_, rend_ - rbegin_);
      rend_ -= rbegin_;
      rbegin_ = 0;
    }
    socket_.async_receive(asio::buffer(rbuf_.get() + rend_, kReadAhead - rend_),
                          [self](std::error_code ec, size_t n) { self->OnReceive(ec, n); });
  }

  void OnReceive(std::error_code ec, size_t n) {
    receiving_ = false;
    if (closed_) return;
    if (ec) {
      SetReadError(ec);
    } else {
      rend_ += n;
    }
    Service();
    loop_.RunInline();
  }

  // Moves buffered bytes to the pending read and completes it, or receives more.
  void Service() {
    if (!pending_) return;
    Pending& p = *pending_;
    if (!p.fulfiller->isWaiting()) {
      pending_.reset();
      return;
    }
    p.got += TakeBuffered(p.dst + p.got, p.max - p.got);
    if (p.got < p.min) p.got += ReceiveDirect(p.dst + p.got, p.min - p.got, p.max - p.got);
    if (p.got >= p.min || (eof_ && !read_error_)) {
      auto fulfiller = kj::mv(p.fulfiller);
      size_t got = p.got;
      pending_.reset();
      fulfiller->fulfill(kj::cp(got));
      return;
    }
    if (read_error_) {
      auto fulfiller = kj::mv(p.fulfiller);
      pending_.reset();
      fulfiller->reject(kj::cp(*read_error_));
      return;
    }
    if (!receiving_) StartReceive();
  }

  void SetReadError(std::error_code ec) {
    if (ec == asio::error::eof) {
      eof_ = true;
    } else if (!read_error_) {
      read_error_.emplace(Disconnected("receive: " + ec.message()));
    }
    FireDisconnect();
  }

  void SetWriteError(std::error_code ec) {
    if (!write_error_) write_error_.emplace(Disconnected("send: " + ec.message()));
    FireDisconnect();
  }

  void FireDisconnect() {
    if (disconnect_fulfiller_.get() != nullptr) {
      disconnect_fulfiller_->fulfill();
      disconnect_fulfiller_ = nullptr;
    }
  }

  Socket socket_;
  KjLoop& loop_;
  bool closed_ = false;

  std::unique_ptr<uint8_t[]> rbuf_;
  size_t rbegin_ = 0;
  size_t rend_ = 0;
  bool receiving_ = false;
  bool eof_ = false;
  std::optional<kj::Exception> read_error_;
  std::optional<Pending> pending_;

  std::optional<kj::Exception> write_error_;
  kj::Own<kj::PromiseFulfiller<void>> disconnect_fulfiller_;
  std::optional<kj::ForkedPromise<void>> disconnect_fork_;
};

}  // namespace internal

AsioStream::AsioStream(Socket socket)
    : core_(std::make_shared<internal::SocketCore>(std::move(socket))) {}

AsioStream::~AsioStream() noexcept(false) { core_->Close(); }

kj::Promise<size_t> AsioStream::tryRead(void* buffer, size_t min_bytes, size_t max_bytes) {
  return core_->Read(static_cast<uint8_t*>(buffer), min_bytes, max_bytes);
}

kj::Promise<void> AsioStream::write(const void* buffer, size_t size) {
  kj::ArrayPtr<const kj::byte> piece(static_cast<const kj::byte*>(buffer), size);
  return core_->Write(kj::arrayPtr(&piece, 1));
}

kj::Promise<void> AsioStream::write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) {
  return core_->Write(pieces);
}

kj::Promise<void> AsioStream::whenWriteDisconnected() { return core_->WhenWriteDisconnected(); }
void AsioStream::shutdownWrite() { core_->ShutdownWrite(); }
void AsioStream::abortRead() { core_->AbortRead(); }

void AsioStream::getsockopt(int level, int option, void* value, kj::uint* length) {
  socklen_t len = *length;
  KJ_SYSCALL(::getsockopt(core_->fd(), level, option, value, &len));
  *length = len;
}
void AsioStream::setsockopt(int level, int option, const void* value, kj::uint length) {
  KJ_SYSCALL(::setsockopt(core_->fd(), level, option, value, length));
}
void AsioStream::getsockname(struct sockaddr* addr, kj::uint* length) {
  socklen_t len = *length;
  KJ_SYSCALL(::getsockname(core_->fd(), addr, &len));
  *length = len;
}
void AsioStream::getpeername(struct sockaddr* addr, kj::uint* length) {
  socklen_t len = *length;
  KJ_SYSCALL(::getpeername(core_->fd(), addr, &len));
  *length = len;
}
kj::Maybe<int> AsioStream::getFd() const { return core_->fd(); }

// ---- AsioMessageStream ----

namespace {
constexpr uint32_t kMaxSegments = 512;

struct OwnedWords {
  kj::Array<capnp::word> words;
};
}  // namespace

AsioMessageStream::AsioMessageStream(AsioStream& stream) : stream_(stream), core_(stream.core_) {}
AsioMessageStream::~AsioMessageStream() = default;

kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> AsioMessageStream::tryReadMessage(
    kj::ArrayPtr<kj::AutoCloseFd> fd_space, capnp::ReaderOptions options,
    kj::ArrayPtr<capnp::word> scratch_space) {
  auto* header = reinterpret_cast<uint8_t*>(header_);
  return core_->Read(header, 8, 8)
      .then([this, options](size_t n) -> kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> {
        if (n == 0) return kj::Maybe<capnp::MessageReaderAndFds>(nullptr);
        if (n < 8) {
          return kj::Exception(kj::Exception::Type::DISCONNECTED, __FILE__, __LINE__,
                               kj::str("premature EOF in a message header"));
        }
        uint32_t first[2];
        std::memcpy(first, header_, 8);
        uint32_t count = first[0] + 1;  // little-endian host (x86-64, aarch64)
        KJ_REQUIRE(count <= kMaxSegments, "message has too many segments", count);
        auto sizes = kj::heapArray<uint32_t>(count + (count % 2 == 0 ? 1 : 0));
        sizes[0] = first[1];
        size_t extra_words = count / 2;
        kj::Promise<size_t> table = size_t(0);
        if (extra_words > 0) {
          table = core_->Read(reinterpret_cast<uint8_t*>(sizes.begin() + 1), extra_words * 8,
                              extra_words * 8);
        }
        return table.then(
            [this, options, count, extra_words, sizes = kj::mv(sizes)](
                size_t got) mutable -> kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> {
              KJ_REQUIRE(got == extra_words * 8, "premature EOF in a segment table");
              uint64_t total = 0;
              for (uint32_t i = 0; i < count; ++i) total += sizes[i];
              KJ_REQUIRE(total <= options.traversalLimitInWords,
                         "message is larger than the traversal limit", total);
              auto body = std::make_shared<OwnedWords>();
              body->words = kj::heapArray<capnp::word>(total);
              auto* dst = reinterpret_cast<uint8_t*>(body->words.begin());
              kj::Promise<size_t> read = size_t(0);
              if (total > 0) read = core_->Read(dst, total * 8, total * 8);
              return read.then([options, count, total, sizes = kj::mv(sizes),
                                body](size_t got) -> kj::Maybe<capnp::MessageReaderAndFds> {
                if (got != total * 8) {
                  kj::throwFatalException(
                      kj::Exception(kj::Exception::Type::DISCONNECTED, __FILE__, __LINE__,
                                    kj::str("premature EOF in a message body")));
                }
                auto segments = kj::heapArray<kj::ArrayPtr<const capnp::word>>(count);
                const capnp::word* p = body->words.begin();
                for (uint32_t i = 0; i < count; ++i) {
                  segments[i] = kj::arrayPtr(p, sizes[i]);
                  p += sizes[i];
                }
                auto reader = kj::heap<capnp::SegmentArrayMessageReader>(segments.asPtr(), options)
                                  .attach(kj::mv(segments), body);
                return capnp::MessageReaderAndFds{kj::mv(reader), nullptr};
              });
            });
      });
}

namespace {
// The segment table of one message, as words.
kj::Array<capnp::word> SegmentTable(kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segs) {
  size_t words = segs.size() / 2 + 1;
  auto table = kj::heapArray<capnp::word>(words);
  auto* sizes = reinterpret_cast<uint32_t*>(table.begin());
  sizes[0] = static_cast<uint32_t>(segs.size() - 1);
  for (size_t i = 0; i < segs.size(); ++i) sizes[i + 1] = static_cast<uint32_t>(segs[i].size());
  if (segs.size() % 2 == 0) sizes[segs.size() + 1] = 0;
  return table;
}
}  // namespace

kj::Promise<void> AsioMessageStream::writeMessage(
    kj::ArrayPtr<const int> fds, kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments) {
  KJ_REQUIRE(fds.size() == 0, "file descriptor passing is not supported");
  auto table = SegmentTable(segments);
  auto pieces = kj::heapArray<kj::ArrayPtr<const kj::byte>>(segments.size() + 1);
  pieces[0] = table.asBytes();
  for (size_t i = 0; i < segments.size(); ++i) pieces[i + 1] = segments[i].asBytes();
  // Write sends now or copies what it could not send, so table and pieces may die here.
  return core_->Write(pieces);
}

kj::Promise<void> AsioMessageStream::writeMessages(
    kj::ArrayPtr<kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>>> messages) {
  std::vector<kj::Array<capnp::word>> tables;
  std::vector<kj::ArrayPtr<const kj::byte>> pieces;
  tables.reserve(messages.size());
  for (auto& segments : messages) {
    tables.push_back(SegmentTable(segments));
    pieces.push_back(tables.back().asBytes());
    for (auto& segment : segments) pieces.push_back(segment.asBytes());
  }
  return core_->Write(kj::arrayPtr(pieces.data(), pieces.size()));
}

kj::Maybe<int> AsioMessageStream::getSendBufferSize() {
  int value = 0;
  kj::uint length = sizeof(value);
  stream_.getsockopt(SOL_SOCKET, SO_SNDBUF, &value, &length);
  return value;
}

kj::Promise<void> AsioMessageStream::end() {
  stream_.shutdownWrite();
  return kj::READY_NOW;
}

}  // namespace alluxio::rpc
