#include "core/fuse/fuse_codec.h"

#include <cassert>
#include <cmath>

namespace alluxio::fuse {

ParsedRequest ParseRequest(std::span<const std::byte> message) {
  ParsedRequest parsed;
  if (message.size() < sizeof(abi::InHeader)) {
    parsed.status = ParsedRequest::Status::kDrop;
    return parsed;
  }
  std::memcpy(&parsed.header, message.data(), sizeof(abi::InHeader));
  const abi::InHeader& h = parsed.header;
  const size_t ext_bytes = size_t{h.total_extlen} * 8;
  if (h.len < sizeof(abi::InHeader) || h.len > message.size() ||
      ext_bytes > h.len - sizeof(abi::InHeader)) {
    parsed.status = ParsedRequest::Status::kInvalid;
    return parsed;
  }
  parsed.status = ParsedRequest::Status::kOk;
  parsed.args = message.subspan(sizeof(abi::InHeader), h.len - sizeof(abi::InHeader) - ext_bytes);
  return parsed;
}

bool ArgReader::ReadString(std::string_view* out) {
  if (remaining() == 0) return false;
  const std::byte* begin = args_.data() + pos_;
  const void* nul = std::memchr(begin, 0, remaining());
  if (nul == nullptr) return false;
  const size_t length = static_cast<const std::byte*>(nul) - begin;
  *out = std::string_view(reinterpret_cast<const char*>(begin), length);
  pos_ += length + 1;
  return true;
}

bool ArgReader::ReadBytes(size_t size, std::span<const std::byte>* out) {
  if (remaining() < size) return false;
  *out = args_.subspan(pos_, size);
  pos_ += size;
  return true;
}

bool IsValidName(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  return name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

namespace {

// Reads one name that must be a valid directory entry name.
bool ReadName(ArgReader& reader, std::string_view* name) {
  return reader.ReadString(name) && IsValidName(*name);
}

}  // namespace

std::optional<NameArgs> DecodeName(std::span<const std::byte> args) {
  ArgReader reader(args);
  NameArgs out;
  if (!ReadName(reader, &out.name)) return std::nullopt;
  return out;
}

std::optional<MkdirArgs> DecodeMkdir(std::span<const std::byte> args) {
  ArgReader reader(args);
  MkdirArgs out;
  if (!reader.Read(&out.in) || !ReadName(reader, &out.name)) return std::nullopt;
  return out;
}

std::optional<MknodArgs> DecodeMknod(std::span<const std::byte> args) {
  ArgReader reader(args);
  MknodArgs out;
  if (!reader.Read(&out.in) || !ReadName(reader, &out.name)) return std::nullopt;
  return out;
}

std::optional<RenameArgs> DecodeRename(std::span<const std::byte> args) {
  ArgReader reader(args);
  abi::RenameIn in;
  RenameArgs out;
  if (!reader.Read(&in) || !ReadName(reader, &out.oldname) || !ReadName(reader, &out.newname)) {
    return std::nullopt;
  }
  out.newdir = in.newdir;
  out.flags = 0;
  return out;
}

std::optional<RenameArgs> DecodeRename2(std::span<const std::byte> args) {
  ArgReader reader(args);
  abi::Rename2In in;
  RenameArgs out;
  if (!reader.Read(&in) || !ReadName(reader, &out.oldname) || !ReadName(reader, &out.newname)) {
    return std::nullopt;
  }
  out.newdir = in.newdir;
  out.flags = in.flags;
  return out;
}

std::optional<LinkArgs> DecodeLink(std::span<const std::byte> args) {
  ArgReader reader(args);
  LinkArgs out;
  if (!reader.Read(&out.in) || !ReadName(reader, &out.newname)) return std::nullopt;
  return out;
}

std::optional<SymlinkArgs> DecodeSymlink(std::span<const std::byte> args) {
  ArgReader reader(args);
  SymlinkArgs out;
  if (!ReadName(reader, &out.name) || !reader.ReadString(&out.target) || out.target.empty()) {
    return std::nullopt;
  }
  return out;
}

std::optional<CreateArgs> DecodeCreate(std::span<const std::byte> args) {
  ArgReader reader(args);
  CreateArgs out;
  if (!reader.Read(&out.in) || !ReadName(reader, &out.name)) return std::nullopt;
  return out;
}

std::optional<WriteArgs> DecodeWrite(std::span<const std::byte> args) {
  ArgReader reader(args);
  WriteArgs out;
  if (!reader.Read(&out.in) || reader.remaining() != out.in.size ||
      !reader.ReadBytes(out.in.size, &out.data)) {
    return std::nullopt;
  }
  return out;
}

std::optional<SetxattrArgs> DecodeSetxattr(std::span<const std::byte> args, bool extended) {
  ArgReader reader(args);
  SetxattrArgs out;
  const size_t fixed = extended ? sizeof(abi::SetxattrIn) : abi::kCompatSetxattrInSize;
  if (!reader.ReadPrefix(&out.in, fixed) || !reader.ReadString(&out.name) || out.name.empty() ||
      reader.remaining() != out.in.size || !reader.ReadBytes(out.in.size, &out.value)) {
    return std::nullopt;
  }
  return out;
}

std::optional<GetxattrArgs> DecodeGetxattr(std::span<const std::byte> args) {
  ArgReader reader(args);
  GetxattrArgs out;
  if (!reader.Read(&out.in) || !reader.ReadString(&out.name) || out.name.empty()) {
    return std::nullopt;
  }
  return out;
}

std::optional<GetxattrArgs> DecodeListxattr(std::span<const std::byte> args) {
  ArgReader reader(args);
  GetxattrArgs out;
  if (!reader.Read(&out.in)) return std::nullopt;
  out.name = {};
  return out;
}

std::optional<BatchForgetArgs> DecodeBatchForget(std::span<const std::byte> args) {
  ArgReader reader(args);
  abi::BatchForgetIn in;
  BatchForgetArgs out;
  if (!reader.Read(&in)) return std::nullopt;
  // count * 16 cannot overflow size_t for a uint32_t count on 64-bit targets.
  if (!reader.ReadBytes(size_t{in.count} * sizeof(abi::ForgetOne), &out.entries)) {
    return std::nullopt;
  }
  out.count = in.count;
  return out;
}

std::optional<abi::InitIn> DecodeInit(std::span<const std::byte> args) {
  ArgReader reader(args);
  abi::InitIn in;
  const size_t size =
      args.size() >= sizeof(abi::InitIn) ? sizeof(abi::InitIn) : abi::kCompatInitInSize;
  if (!reader.ReadPrefix(&in, size)) return std::nullopt;
  if ((in.flags & abi::kInitExt) == 0) in.flags2 = 0;
  return in;
}

abi::OutHeader MakeOutHeader(uint64_t unique, int error, size_t body_size) {
  abi::OutHeader header;
  header.len = static_cast<uint32_t>(sizeof(abi::OutHeader) + body_size);
  header.error = -error;
  header.unique = unique;
  return header;
}

void ReplyBody::Add(const void* data, size_t size) {
  if (size == 0) return;
  assert(count_ < kMaxParts);
  iov_[count_++] = iovec{const_cast<void*>(data), size};
  size_ += size;
}

size_t DirentPacker::RecordSize(std::string_view name) const {
  const size_t header = plus_ ? sizeof(abi::Direntplus) : sizeof(abi::Dirent);
  return abi::DirentAlign(header + name.size());
}

bool DirentPacker::Add(std::string_view name, uint64_t ino, uint32_t type, uint64_t next_offset,
                       const abi::EntryOut* entry) {
  assert(!plus_ || entry != nullptr);
  const size_t record = RecordSize(name);
  if (used_ + record > buffer_.size()) return false;
  std::byte* out = buffer_.data() + used_;
  std::memset(out, 0, record);
  if (plus_) {
    std::memcpy(out, entry, sizeof(abi::EntryOut));
    out += sizeof(abi::EntryOut);
  }
  abi::Dirent dirent;
  dirent.ino = ino;
  dirent.off = next_offset;
  dirent.namelen = static_cast<uint32_t>(name.size());
  dirent.type = type;
  std::memcpy(out, &dirent, sizeof(dirent));
  std::memcpy(out + sizeof(dirent), name.data(), name.size());
  used_ += record;
  return true;
}

Validity ToValidity(double seconds) {
  if (!(seconds > 0)) return {};  // also NaN
  if (seconds >= 1e18) return {uint64_t{1'000'000'000'000'000'000}, 0};
  double whole = std::floor(seconds);
  auto nsec = static_cast<uint32_t>((seconds - whole) * 1e9);
  if (nsec >= 1'000'000'000U) nsec = 999'999'999U;
  return {static_cast<uint64_t>(whole), nsec};
}

}  // namespace alluxio::fuse
