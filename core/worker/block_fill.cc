#include "core/worker/block_fill.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace alluxio {

BlockFill::BlockFill(uint64_t block_id, std::string what, std::unique_ptr<UfsReader> reader,
                     uint64_t offset_in_file, uint64_t length, std::optional<BlockWriter> writer,
                     std::optional<Error> cache_error, BlockFillOptions options,
                     std::atomic<uint64_t>& ufs_bytes)
    : block_id_(block_id),
      what_(std::move(what)),
      reader_(std::move(reader)),
      offset_in_file_(offset_in_file),
      length_(length),
      options_{std::max<uint64_t>(1, options.range_bytes),
               std::max<size_t>(1, options.ranges_in_flight)},
      ufs_bytes_(ufs_bytes),
      data_(std::make_unique_for_overwrite<char[]>(length)),
      writer_(std::move(writer)),
      cache_error_(std::move(cache_error)) {}

bool BlockFill::Covers(uint64_t offset) {
  std::lock_guard lock(mu_);
  return offset < ready_ + options_.range_bytes;
}

Status BlockFill::WaitFor(uint64_t end) {
  std::unique_lock lock(mu_);
  DriveUntil(lock, [&] { return error_ || ready_ >= end; });
  if (error_) return Fail(*error_);
  return Ok();
}

void BlockFill::CopyOut(uint64_t offset, std::span<char> buf) const {
  std::memcpy(buf.data(), data_.get() + offset, buf.size());
}

Status BlockFill::Finish() {
  std::unique_lock lock(mu_);
  DriveUntil(lock, [&] { return finished_; });
  if (error_) return Fail(*error_);
  if (cache_error_) return Fail(*cache_error_);
  return Ok();
}

bool BlockFill::finished() {
  std::lock_guard lock(mu_);
  return finished_;
}

template <typename Done>
void BlockFill::DriveUntil(std::unique_lock<std::mutex>& lock, Done done) {
  while (!done()) {
    if (driving_) {
      cv_.wait(lock);
      continue;
    }
    driving_ = true;
    while (!done()) Step(lock);
    driving_ = false;
    cv_.notify_all();  // a waiting caller takes over
  }
}

void BlockFill::End(std::unique_lock<std::mutex>& lock) {
  // Waits for the ranges still in flight (their bytes go into data_), then commits what
  // arrived whole or drops it.
  auto in_flight = std::move(in_flight_);
  in_flight_.clear();
  const bool failed = error_.has_value();
  lock.unlock();
  in_flight.clear();
  std::optional<Error> cache_error;
  if (writer_ && failed) writer_->Abort();
  if (writer_ && !failed) {
    auto committed = writer_->Commit();
    if (!committed.ok() && committed.code() != ErrorCode::kAlreadyExists) {
      cache_error = committed.error();
    }
  }
  writer_.reset();
  lock.lock();
  if (cache_error) cache_error_ = std::move(cache_error);
  if (!failed) ready_ = length_;
  finished_ = true;
  cv_.notify_all();
}

void BlockFill::Step(std::unique_lock<std::mutex>& lock) {
  if (error_ || length_ == 0) return End(lock);  // an empty block
  while (in_flight_.size() < options_.ranges_in_flight && issued_ < length_) {
    uint64_t end = std::min(length_, issued_ + options_.range_bytes);
    in_flight_.emplace_back(
        end, reader_->StartRead(offset_in_file_ + issued_, {data_.get() + issued_, end - issued_}));
    issued_ = end;
  }
  auto [end, read] = std::move(in_flight_.front());
  in_flight_.pop_front();
  const uint64_t begin = ready_;
  lock.unlock();
  auto got = read->Wait();
  read.reset();
  std::optional<Error> error;
  if (!got.ok()) {
    error = got.error();
  } else if (*got != end - begin) {
    error = Error{ErrorCode::kIoError,
                  fmt::format("{} ended at {} inside block {} (expected {} bytes)", what_,
                              offset_in_file_ + begin + *got, block_id_, length_)};
  } else {
    ufs_bytes_.fetch_add(*got, std::memory_order_relaxed);
    StoreRange(begin, end);
  }
  lock.lock();
  if (error) {
    error_ = std::move(error);
  } else if (end < length_) {
    ready_ = end;
    cv_.notify_all();
    return;
  }
  End(lock);  // the driver that gets the last byte commits before anyone sees it
}

void BlockFill::StoreRange(uint64_t begin, uint64_t end) {
  if (!writer_) return;
  if (Status s = writer_->Append({data_.get() + begin, end - begin}); !s.ok()) {
    cache_error_ = s.error();  // the readers still get their bytes
    writer_->Abort();
    writer_.reset();
  }
}

}  // namespace alluxio
