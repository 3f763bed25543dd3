// Fuzz target: the FUSE request decoder (core/fuse/fuse_codec). One arbitrary message through
// ParseRequest and every Decode*, which must stay inside the message (ASan in the fuzz build)
// and keep their promises (checked below).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "core/fuse/fuse_codec.h"
#include "tests/fuzz/fuzz_targets.h"

namespace alluxio::fuzz {
namespace {

using namespace alluxio::fuse;  // NOLINT: the decoder's whole vocabulary

void Check(bool condition) { FuzzAssert(condition, "a FUSE decoder promise"); }

bool Within(std::span<const std::byte> outer, const void* p, size_t size) {
  const auto* b = static_cast<const std::byte*>(p);
  return size == 0 || (b >= outer.data() && b + size <= outer.data() + outer.size());
}

void CheckName(std::span<const std::byte> args, std::string_view name) {
  Check(Within(args, name.data(), name.size() + 1));  // the NUL is inside too
  Check(IsValidName(name));
}

}  // namespace

int FuzzFuseRequest(const uint8_t* data, size_t size) {
  const auto message = std::span(reinterpret_cast<const std::byte*>(data), size);
  const ParsedRequest parsed = ParseRequest(message);
  if (parsed.status == ParsedRequest::Status::kDrop) {
    Check(size < sizeof(abi::InHeader));
    return 0;
  }
  if (parsed.status == ParsedRequest::Status::kInvalid) return 0;
  Check(parsed.header.len <= size);
  Check(Within(message, parsed.args.data(), parsed.args.size()));
  const std::span<const std::byte> args = parsed.args;

  if (auto name = DecodeName(args)) CheckName(args, name->name);
  if (auto mkdir = DecodeMkdir(args)) CheckName(args, mkdir->name);
  if (auto mknod = DecodeMknod(args)) CheckName(args, mknod->name);
  if (auto create = DecodeCreate(args)) CheckName(args, create->name);
  if (auto link = DecodeLink(args)) CheckName(args, link->newname);
  for (auto rename : {DecodeRename(args), DecodeRename2(args)}) {
    if (rename) {
      CheckName(args, rename->oldname);
      CheckName(args, rename->newname);
    }
  }
  if (auto symlink = DecodeSymlink(args)) {
    CheckName(args, symlink->name);
    Check(Within(args, symlink->target.data(), symlink->target.size() + 1));
  }
  if (auto write = DecodeWrite(args)) {
    Check(write->data.size() == write->in.size);
    Check(Within(args, write->data.data(), write->data.size()));
  }
  for (bool extended : {false, true}) {
    if (auto set = DecodeSetxattr(args, extended)) {
      Check(set->value.size() == set->in.size);
      Check(Within(args, set->value.data(), set->value.size()));
    }
  }
  if (auto get = DecodeGetxattr(args)) Check(Within(args, get->name.data(), get->name.size()));
  if (auto batch = DecodeBatchForget(args)) {
    Check(batch->entries.size() == size_t{batch->count} * sizeof(abi::ForgetOne));
    for (uint32_t i = 0; i < batch->count; ++i) (void)batch->At(i);
  }
  if (auto init = DecodeInit(args)) Check(init->flags2 == 0 || (init->flags & abi::kInitExt));
  (void)DecodeFixed<abi::SetattrIn>(args);
  (void)DecodeFixed<abi::ReadIn>(args);
  return 0;
}

}  // namespace alluxio::fuzz
