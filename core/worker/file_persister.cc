#include "core/worker/file_persister.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/common/block_id.h"

namespace alluxio {
namespace {

constexpr size_t kCopyChunkBytes = 4 << 20;

}  // namespace

FilePersister::FilePersister(BlockStore& store, UfsResolver& ufs) : store_(store), ufs_(ufs) {}

void FilePersister::Pin(uint64_t file_id, std::vector<BlockReader> pins) {
  std::lock_guard lock(mu_);
  auto& held = pins_[file_id];
  for (BlockReader& pin : pins) held.push_back(std::move(pin));
}

void FilePersister::PinBlocks(std::span<const uint64_t> block_ids) {
  for (uint64_t block : block_ids) {
    auto reader = store_.OpenBlock(block);
    if (!reader.ok()) continue;  // gone meanwhile: nothing to keep
    std::vector<BlockReader> pin;
    pin.push_back(std::move(reader).value());
    Pin(FileIdOfBlock(block), std::move(pin));
  }
}

void FilePersister::Unpin(uint64_t file_id) {
  std::vector<BlockReader> released;  // closed outside the lock
  std::lock_guard lock(mu_);
  auto it = pins_.find(file_id);
  if (it == pins_.end()) return;
  released = std::move(it->second);
  pins_.erase(it);
}

size_t FilePersister::pinned_files() const {
  std::lock_guard lock(mu_);
  return pins_.size();
}

bool FilePersister::Begin(uint64_t file_id) {
  std::lock_guard lock(mu_);
  return running_.insert(file_id).second;
}

void FilePersister::End(uint64_t file_id) {
  std::lock_guard lock(mu_);
  running_.erase(file_id);
}

std::vector<uint64_t> FilePersister::Running() const {
  std::lock_guard lock(mu_);
  return {running_.begin(), running_.end()};
}

Status FilePersister::Persist(const PersistRequest& request) {
  auto root = ufs_.Root(request.mount_id, request.mount_ufs_uri);
  if (!root.ok()) return root.failure();
  std::shared_ptr<UnderFileSystem> ufs = std::move(root).value();
  auto writer = ufs->CreateStaged(StagedFileName(request.file_id), request.mode);
  if (!writer.ok()) return writer.failure();
  auto fail = [&](Error error) -> Status {
    (*writer)->Abort();
    return Fail(std::move(error));
  };
  std::vector<char> buffer(kCopyChunkBytes);
  uint64_t copied = 0;
  for (uint64_t block_id : request.block_ids) {
    auto reader = store_.OpenBlock(block_id);
    if (!reader.ok()) {
      return fail(Error{reader.code(), fmt::format("block {} of file {}: {}", block_id,
                                                   request.file_id, reader.error().message)});
    }
    for (uint64_t offset = 0; offset < reader->length();) {
      auto n = reader->ReadAt(offset, buffer);
      if (!n.ok()) return fail(n.error());
      if (*n == 0) {
        return fail(Error{ErrorCode::kIoError, fmt::format("block {} ends at {} of {} bytes",
                                                           block_id, offset, reader->length())});
      }
      if (Status s = (*writer)->Write({buffer.data(), *n}); !s.ok()) return fail(s.error());
      offset += *n;
      copied += *n;
    }
  }
  if (copied != request.length) {
    return fail(Error{ErrorCode::kIoError, fmt::format("file {}: {} bytes cached, {} expected",
                                                       request.file_id, copied, request.length)});
  }
  auto closed = (*writer)->Close();
  if (!closed.ok()) return fail(closed.error());
  return Ok();
}

}  // namespace alluxio
