#include "core/worker/file_write_session.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/common/block_id.h"
#include "core/common/logging.h"

namespace alluxio {

FinishedFile FinishedFileOf(const FileWriteOptions& options, uint64_t length) {
  FinishedFile finished;
  finished.length = length;
  for (uint64_t i = 0; i < BlockCount(length, options.block_size); ++i) {
    finished.block_ids.push_back(BlockIdForFile(options.file_id, i));
  }
  return finished;
}

FileWriteSession::FileWriteSession(BlockStore& store, FileWriteOptions options)
    : store_(store), options_(std::move(options)) {}

FileWriteSession::~FileWriteSession() {
  if (!done_) Abort();
}

Result<std::unique_ptr<FileWriteSession>> FileWriteSession::Start(BlockStore& store,
                                                                  UfsResolver& ufs,
                                                                  FileWriteOptions options) {
  if (options.block_size == 0) {
    return Fail(ErrorCode::kInvalidArgument, "block size must be positive");
  }
  std::unique_ptr<FileWriteSession> session(new FileWriteSession(store, std::move(options)));
  if (WritesUfsAtCompletion(session->options_.write_type)) {
    auto root = ufs.Root(session->options_.mount_id, session->options_.mount_ufs_uri);
    if (!root.ok()) return root.failure();
    session->ufs_ = std::move(root).value();
    auto writer = session->ufs_->CreateStaged(StagedFileName(session->options_.file_id),
                                              session->options_.mode);
    if (!writer.ok()) return writer.failure();
    session->ufs_writer_ = std::move(writer).value();
  }
  return session;
}

Failure FileWriteSession::Failed(Error error) {
  error_ = error;
  return Fail(std::move(error));
}

Status FileWriteSession::Write(std::span<const char> data) {
  if (error_) return Fail(*error_);
  if (done_) return Fail(ErrorCode::kInvalidArgument, "write after finish");
  // The UFS writer copies the data and writes it behind (a large local file), or writes it
  // into the page cache: either way cheaper than a hop to another thread.
  if (ufs_writer_) {
    if (Status s = ufs_writer_->Write(data); !s.ok()) return Failed(s.error());
  }
  return WriteBlocks(data);
}

Status FileWriteSession::WriteBlocks(std::span<const char> data) {
  const bool cache = options_.write_type != WriteType::kThrough;
  while (!data.empty()) {
    uint64_t in_block = length_ % options_.block_size;
    if (in_block == 0 && cache && !block_ && !block_skipped_) {
      uint64_t block_id = BlockIdForFile(options_.file_id, blocks_started_);
      auto writer =
          store_.CreateBlock(block_id, blocks_started_ * options_.block_size, options_.block_size);
      if (writer.ok()) {
        block_.emplace(std::move(writer).value());
      } else if (RequiresCache(options_.write_type) || writer.code() != ErrorCode::kNoSpace) {
        return Failed(writer.error());
      } else {
        block_skipped_ = true;
        ALX_LOG(kWarn, "worker", "block {} not cached: {}", block_id, writer.error().ToString());
      }
    }
    if (in_block == 0) ++blocks_started_;
    size_t n = std::min<uint64_t>(data.size(), options_.block_size - in_block);
    if (block_) {
      if (Status s = block_->Append(data.first(n)); !s.ok()) {
        if (RequiresCache(options_.write_type) || s.code() != ErrorCode::kNoSpace) {
          return Failed(s.error());
        }
        block_->Abort();
        block_.reset();
        block_skipped_ = true;
      }
    }
    length_ += n;
    data = data.subspan(n);
    if (length_ % options_.block_size == 0) {
      if (Status s = CommitCurrentBlock(); !s.ok()) return Failed(s.error());
    }
  }
  return Ok();
}

Status FileWriteSession::CommitCurrentBlock() {
  block_skipped_ = false;
  if (!block_) return Ok();
  auto committed = block_->Commit();
  block_.reset();
  if (!committed.ok()) return committed.failure();
  if (options_.write_type == WriteType::kAsyncThrough) {
    // Pinned before anything can evict it (this session's next block included).
    auto pin = store_.OpenBlock(committed->block_id);
    if (!pin.ok()) return pin.failure();
    pins_.push_back(std::move(pin).value());
  }
  cached_block_ids_.push_back(committed->block_id);
  committed_.push_back(std::move(committed).value());
  return Ok();
}

Status FileWriteSession::Flush() {
  if (error_) return Fail(*error_);
  if (done_) return Fail(ErrorCode::kInvalidArgument, "flush after finish");
  if (ufs_writer_) {
    if (Status s = ufs_writer_->Flush(); !s.ok()) return Failed(s.error());
  }
  return Ok();
}

std::vector<BlockInfo> FileWriteSession::TakeCommittedBlocks() { return std::move(committed_); }

Result<FinishedFile> FileWriteSession::Finish() {
  if (error_) return Fail(*error_);
  if (done_) return Fail(ErrorCode::kInvalidArgument, "finish called twice");
  if (Status s = CommitCurrentBlock(); !s.ok()) return Failed(s.error());
  FinishedFile finished = FinishedFileOf(options_, length_);
  if (ufs_writer_) {
    auto status = ufs_writer_->Close();
    if (!status.ok()) return Failed(status.error());
    finished.ufs_fingerprint = status->fingerprint;
    ufs_writer_.reset();
  }
  finished.pins = std::move(pins_);
  done_ = true;
  return finished;
}

void FileWriteSession::Abort() {
  done_ = true;
  if (block_) {
    block_->Abort();
    block_.reset();
  }
  if (ufs_writer_) {
    ufs_writer_->Abort();
    ufs_writer_.reset();
  }
  pins_.clear();
  for (uint64_t id : cached_block_ids_) (void)store_.RemoveBlock(id);
  cached_block_ids_.clear();
  committed_.clear();
}

}  // namespace alluxio
