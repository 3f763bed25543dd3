// Decoding of kernel requests and encoding of replies, over caller-owned byte buffers. Nothing
// here allocates, throws or reads outside the span it is given: every length the kernel sends
// is checked against the bytes actually received before use. Structs are copied out with memcpy,
// so buffers need no particular alignment. Thread-compatible (no shared state).
#pragma once

#include <sys/uio.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include "core/fuse/fuse_abi.h"

namespace alluxio::fuse {

// ---- Requests ----

struct ParsedRequest {
  enum class Status {
    kOk,       // header and args are valid
    kDrop,     // shorter than an InHeader: no unique id to answer; drop and count
    kInvalid,  // header readable but `len` or `total_extlen` inconsistent: answer EINVAL
  };
  Status status = Status::kDrop;
  abi::InHeader header{};  // valid unless kDrop
  // The opcode's arguments: bytes after the header up to `len`, minus trailing extensions.
  std::span<const std::byte> args;
};

// Splits one message read from the kernel. `message` is exactly the bytes received.
ParsedRequest ParseRequest(std::span<const std::byte> message);

// Sequential reader over a request's argument bytes. Every Read* either fully succeeds and
// advances, or fails and leaves the position unchanged.
class ArgReader {
 public:
  explicit ArgReader(std::span<const std::byte> args) : args_(args) {}

  template <typename T>
  bool Read(T* out) {
    static_assert(std::is_trivially_copyable_v<T>);
    return ReadPrefix(out, sizeof(T));
  }
  // Reads the first `size` bytes of *out (an older, shorter layout), zeroing the rest.
  template <typename T>
  bool ReadPrefix(T* out, size_t size) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (size > sizeof(T) || remaining() < size) return false;
    std::memset(static_cast<void*>(out), 0, sizeof(T));
    if (size == 0) return true;
    std::memcpy(static_cast<void*>(out), args_.data() + pos_, size);
    pos_ += size;
    return true;
  }
  // A NUL-terminated string; the terminator must lie within the arguments. May be empty.
  bool ReadString(std::string_view* out);
  bool ReadBytes(size_t size, std::span<const std::byte>* out);
  size_t remaining() const { return args_.size() - pos_; }

 private:
  std::span<const std::byte> args_;
  size_t pos_ = 0;
};

// True for a usable directory entry name: non-empty, no '/', not "." or "..", no NUL.
bool IsValidName(std::string_view name);

// Decoded arguments of the opcodes that carry more than one fixed struct. Views point into the
// request buffer. Each Decode* returns nullopt for malformed arguments (answer EINVAL).
struct NameArgs {  // LOOKUP, UNLINK, RMDIR, REMOVEXATTR
  std::string_view name;
};
struct MkdirArgs {
  abi::MkdirIn in;
  std::string_view name;
};
struct MknodArgs {
  abi::MknodIn in;
  std::string_view name;
};
struct RenameArgs {  // RENAME and RENAME2
  uint64_t newdir;
  uint32_t flags;  // 0 for RENAME
  std::string_view oldname;
  std::string_view newname;
};
struct LinkArgs {
  abi::LinkIn in;
  std::string_view newname;
};
struct SymlinkArgs {
  std::string_view name;
  std::string_view target;
};
struct CreateArgs {
  abi::CreateIn in;
  std::string_view name;
};
struct WriteArgs {
  abi::WriteIn in;
  std::span<const std::byte> data;  // exactly in.size bytes
};
struct SetxattrArgs {
  abi::SetxattrIn in;
  std::string_view name;
  std::span<const std::byte> value;  // exactly in.size bytes
};
struct GetxattrArgs {  // GETXATTR (with name) and LISTXATTR (name empty)
  abi::GetxattrIn in;
  std::string_view name;
};
struct BatchForgetArgs {
  uint32_t count;
  std::span<const std::byte> entries;  // count * sizeof(ForgetOne) bytes

  abi::ForgetOne At(uint32_t i) const {
    abi::ForgetOne one;
    std::memcpy(&one, entries.data() + size_t{i} * sizeof(one), sizeof(one));
    return one;
  }
};

// A fixed-size argument struct that must be present in full.
template <typename T>
std::optional<T> DecodeFixed(std::span<const std::byte> args) {
  T value;
  ArgReader reader(args);
  if (!reader.Read(&value)) return std::nullopt;
  return value;
}

std::optional<NameArgs> DecodeName(std::span<const std::byte> args);
std::optional<MkdirArgs> DecodeMkdir(std::span<const std::byte> args);
std::optional<MknodArgs> DecodeMknod(std::span<const std::byte> args);
std::optional<RenameArgs> DecodeRename(std::span<const std::byte> args);
std::optional<RenameArgs> DecodeRename2(std::span<const std::byte> args);
std::optional<LinkArgs> DecodeLink(std::span<const std::byte> args);
std::optional<SymlinkArgs> DecodeSymlink(std::span<const std::byte> args);
std::optional<CreateArgs> DecodeCreate(std::span<const std::byte> args);
std::optional<WriteArgs> DecodeWrite(std::span<const std::byte> args);
// `extended`: kSetxattrExt was negotiated (16-byte SetxattrIn instead of 8).
std::optional<SetxattrArgs> DecodeSetxattr(std::span<const std::byte> args, bool extended);
std::optional<GetxattrArgs> DecodeGetxattr(std::span<const std::byte> args);
std::optional<GetxattrArgs> DecodeListxattr(std::span<const std::byte> args);
std::optional<BatchForgetArgs> DecodeBatchForget(std::span<const std::byte> args);
// INIT: the 16-byte pre-7.36 layout or the full one; flags2 is zero unless kInitExt is set.
std::optional<abi::InitIn> DecodeInit(std::span<const std::byte> args);

// ---- Replies ----

// The header of a reply carrying `body_size` bytes; `error` is 0 or a positive errno.
abi::OutHeader MakeOutHeader(uint64_t unique, int error, size_t body_size);

// A reply body as a short list of iovecs pointing at caller-owned memory (structs on the
// handler's frame, payload in the request's scratch buffer). No allocation.
class ReplyBody {
 public:
  static constexpr size_t kMaxParts = 4;

  ReplyBody() = default;
  template <typename T>
  static ReplyBody Of(const T& fixed) {
    ReplyBody body;
    body.Add(&fixed, sizeof(T));
    return body;
  }
  // Appends a part (ignored when size is 0). Asserts on more than kMaxParts parts.
  void Add(const void* data, size_t size);
  std::span<const iovec> parts() const { return {iov_.data(), count_}; }
  size_t size() const { return size_; }

 private:
  std::array<iovec, kMaxParts> iov_{};
  size_t count_ = 0;
  size_t size_ = 0;
};

// Packs READDIR or READDIRPLUS entries into `buffer` (at most the request's `size`): each
// record is a (EntryOut +) Dirent header, the name, and zero padding to 8 bytes.
class DirentPacker {
 public:
  DirentPacker(std::span<std::byte> buffer, bool plus) : buffer_(buffer), plus_(plus) {}

  // Bytes one record for `name` takes.
  size_t RecordSize(std::string_view name) const;
  bool Fits(std::string_view name) const { return used_ + RecordSize(name) <= buffer_.size(); }
  // Appends a record; returns false and writes nothing when it does not fit. `entry` is used
  // (and required) only for READDIRPLUS. `next_offset` is the offset that resumes after it.
  bool Add(std::string_view name, uint64_t ino, uint32_t type, uint64_t next_offset,
           const abi::EntryOut* entry);
  size_t size() const { return used_; }
  std::span<const std::byte> bytes() const { return buffer_.first(used_); }
  bool empty() const { return used_ == 0; }

 private:
  std::span<std::byte> buffer_;
  bool plus_;
  size_t used_ = 0;
};

// Seconds (non-negative, finite) to the kernel's {seconds, nanoseconds} validity pair.
struct Validity {
  uint64_t sec = 0;
  uint32_t nsec = 0;
};
Validity ToValidity(double seconds);

}  // namespace alluxio::fuse
