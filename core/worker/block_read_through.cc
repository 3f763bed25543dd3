#include "core/worker/block_read_through.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/common/logging.h"

namespace alluxio {

BlockReadThrough::BlockReadThrough(BlockStore& store, UfsResolver& ufs, BackgroundRunner background,
                                   BlockFillOptions fill_options)
    : store_(store), ufs_(ufs), background_(std::move(background)), fill_options_(fill_options) {}

Result<BlockReadThrough::ReadResult> BlockReadThrough::ReadCached(uint64_t block_id,
                                                                  uint64_t offset,
                                                                  std::span<char> buf) {
  auto reader = store_.OpenBlock(block_id);
  if (!reader.ok()) {
    if (reader.code() != ErrorCode::kNotFound) return reader.failure();
    return Fail(ErrorCode::kNotFound, fmt::format("block {} is not cached here", block_id));
  }
  if (offset > reader->length()) {
    return Fail(ErrorCode::kOutOfRange, fmt::format("offset {} past the end of block {} ({} bytes)",
                                                    offset, block_id, reader->length()));
  }
  size_t want = std::min<uint64_t>(buf.size(), reader->length() - offset);
  size_t done = 0;
  while (done < want) {
    auto n = reader->ReadAt(offset + done, buf.subspan(done, want - done));
    if (!n.ok()) return n.failure();
    if (*n == 0) break;
    done += *n;
  }
  counters_.cache_hits.fetch_add(1, std::memory_order_relaxed);
  counters_.bytes_read_cache.fetch_add(done, std::memory_order_relaxed);
  return ReadResult{done, true};
}

Result<BlockReadThrough::ReadResult> BlockReadThrough::Read(uint64_t block_id, uint64_t offset,
                                                            std::span<char> buf,
                                                            const UfsBlockSource* source,
                                                            bool cache) {
  if (auto hit = ReadCached(block_id, offset, buf);
      hit.ok() || hit.code() != ErrorCode::kNotFound) {
    return hit;
  } else if (source == nullptr) {
    return hit.failure();
  }
  if (offset > source->block_length) {
    return Fail(ErrorCode::kOutOfRange, fmt::format("offset {} past the end of block {} ({} bytes)",
                                                    offset, block_id, source->block_length));
  }
  // A failure to start a fill (the UFS's, or no room in the store) leaves this range alone.
  auto fill = FillOf(block_id, *source, cache, /*created=*/nullptr);
  if (fill.ok() && *fill == nullptr && cache) {
    return ReadCached(block_id, offset, buf);  // committed meanwhile
  }
  counters_.cache_misses.fetch_add(1, std::memory_order_relaxed);
  const size_t want = std::min<uint64_t>(buf.size(), source->block_length - offset);
  if (fill.ok() && *fill != nullptr && (*fill)->Covers(offset)) {
    Status s = (*fill)->WaitFor(offset + want);
    if (!s.ok() || (*fill)->finished()) Forget(block_id, *fill);
    if (s.ok()) s = (*fill)->CopyOut(offset, buf.first(want));
    if (s.ok()) return ReadResult{want, false};
    // The fill failed (the UFS's error comes again below) or could not cache (no space, the
    // cache file's error): this range alone.
  }
  // Not cached, not cacheable here, or beyond what the fill fetches soon (a random read): this
  // range alone.
  auto file = OpenSource(*source);
  if (!file.ok()) return file.failure();
  auto n = (*file)->StartRead(source->offset_in_file + offset, buf.first(want))->Wait();
  if (!n.ok()) return n.failure();
  counters_.bytes_read_ufs.fetch_add(*n, std::memory_order_relaxed);
  return ReadResult{*n, false};
}

Status BlockReadThrough::CacheBlock(uint64_t block_id, const UfsBlockSource& source,
                                    bool for_reader) {
  if (store_.HasBlock(block_id)) return Ok();
  if (for_reader) counters_.cache_misses.fetch_add(1, std::memory_order_relaxed);
  bool created = false;
  auto fill = FillOf(block_id, source, /*create=*/true, &created);
  if (!fill.ok()) return fill.failure();
  if (*fill == nullptr) return Ok();              // cached meanwhile
  if (created) return Complete(block_id, *fill);  // driven here, no background job
  Status s = (*fill)->Finish();
  Forget(block_id, *fill);
  return s;
}

Status BlockReadThrough::Complete(uint64_t block_id, const std::shared_ptr<BlockFill>& fill) {
  Status s = fill->Finish();
  if (s.ok()) {
    counters_.blocks_cached_from_ufs.fetch_add(1, std::memory_order_relaxed);
  } else {
    ALX_LOG(kWarn, "worker", "caching block {} from {} failed: {}", block_id, fill->what(),
            s.error().ToString());
  }
  Forget(block_id, fill);
  return s;
}

Result<std::shared_ptr<BlockFill>> BlockReadThrough::FillOf(uint64_t block_id,
                                                            const UfsBlockSource& source,
                                                            bool create, bool* created) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = fills_.find(block_id); it != fills_.end()) return it->second;
    // A fill commits before it is forgotten: a block without a fill here is cached or absent.
    if (!create || store_.HasBlock(block_id)) return std::shared_ptr<BlockFill>();
  }
  // Opened without the lock: an open may take a round trip (or stall), other blocks go on.
  auto file = OpenSource(source);
  if (!file.ok()) return file.failure();
  auto writer = store_.CreateBlock(block_id, source.offset_in_file, source.block_length);
  if (!writer.ok()) {
    if (writer.code() == ErrorCode::kAlreadyExists) return std::shared_ptr<BlockFill>();
    return writer.failure();  // no room (the readers read their own ranges)
  }
  auto fill = std::make_shared<BlockFill>(
      block_id, source.ufs_uri, std::move(file).value(), source.offset_in_file, source.block_length,
      std::move(writer).value(), store_, fill_options_, counters_.bytes_read_ufs);
  std::lock_guard lock(mutex_);
  // Another reader of the block may have started one meanwhile: that one serves (ours, not
  // started, goes with its writer).
  if (auto [it, added] = fills_.emplace(block_id, fill); !added) return it->second;
  if (created != nullptr) {
    *created = true;
  } else {
    // Fetches what the readers leave: the whole block gets cached.
    background_([this, block_id, fill] { (void)Complete(block_id, fill); });
  }
  return fill;
}

void BlockReadThrough::Forget(uint64_t block_id, const std::shared_ptr<BlockFill>& fill) {
  std::lock_guard lock(mutex_);
  if (auto it = fills_.find(block_id); it != fills_.end() && it->second == fill) fills_.erase(it);
}

Result<std::unique_ptr<UfsReader>> BlockReadThrough::OpenSource(const UfsBlockSource& source) {
  auto resolved = ufs_.Resolve(source.mount_id, source.ufs_uri);
  if (!resolved.ok()) return resolved.failure();
  return resolved->ufs->OpenVersion(resolved->path, source.ufs_fingerprint);
}

}  // namespace alluxio
