#include "core/worker/block_fill.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

namespace alluxio {

BlockFill::BlockFill(uint64_t block_id, std::string what, std::unique_ptr<UfsReader> reader,
                     uint64_t offset_in_file, uint64_t length, BlockWriter writer,
                     BlockStore& store, BlockFillOptions options, std::atomic<uint64_t>& ufs_bytes)
    : block_id_(block_id),
      what_(std::move(what)),
      reader_(std::move(reader)),
      offset_in_file_(offset_in_file),
      length_(length),
      options_{std::max<uint64_t>(1, options.range_bytes),
               std::max<size_t>(1, options.ranges_in_flight)},
      ufs_bytes_(ufs_bytes),
      store_(store),
      writer_(std::move(writer)),
      path_(writer_.path()),
      base_(writer_.offset()) {}

BlockFill::~BlockFill() {
  in_flight_.clear();  // before the writer aborts: their transfers write into its file
  if (read_fd_ >= 0) ::close(read_fd_);
}

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

Status BlockFill::CopyOut(uint64_t offset, std::span<char> buf) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !ending_ || finished_; });
  if (finished_) {
    // Committed (or dropped): the store pins the block while it is read.
    lock.unlock();
    auto block = store_.OpenBlock(block_id_);
    if (!block.ok()) return block.failure();
    auto n = block->ReadAt(offset, buf);
    if (!n.ok()) return n.failure();
    if (*n != buf.size()) {
      return Fail(ErrorCode::kIoError, fmt::format("block {} holds {} bytes at {}, not {}",
                                                   block_id_, *n, offset, buf.size()));
    }
    return Ok();
  }
  // Not committed: the writer holds the range until End(), which waits for copying_ readers.
  if (read_fd_ < 0) {
    read_fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (read_fd_ < 0) return Fail(ErrnoError(errno, fmt::format("open {}", path_)));
  }
  const int fd = read_fd_;
  ++copying_;
  lock.unlock();
  size_t done = 0;
  std::optional<Error> error;
  while (done < buf.size()) {
    ssize_t n = ::pread(fd, buf.data() + done, buf.size() - done,
                        static_cast<off_t>(base_ + offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = n < 0 ? ErrnoError(errno, fmt::format("pread {}", path_))
                    : Error{ErrorCode::kIoError,
                            fmt::format("{} ends inside block {}", path_, block_id_)};
      break;
    }
    done += static_cast<size_t>(n);
  }
  lock.lock();
  if (--copying_ == 0) cv_.notify_all();
  if (error) return Fail(*error);
  return Ok();
}

Status BlockFill::Finish() {
  std::unique_lock lock(mu_);
  DriveUntil(lock, [&] { return finished_; });
  if (error_) return Fail(*error_);
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
  // Waits for the ranges still in flight (they write into the file) and for the readers of the
  // file, then commits what arrived whole or drops it.
  auto in_flight = std::move(in_flight_);
  in_flight_.clear();
  const bool failed = error_.has_value();
  ending_ = true;
  lock.unlock();
  in_flight.clear();
  lock.lock();
  cv_.wait(lock, [&] { return copying_ == 0; });
  lock.unlock();
  std::optional<Error> error;
  if (failed) {
    // What the ranges wrote beyond the bytes recorded is punched with them (the reservation
    // is the whole block: no allocation).
    (void)writer_.Wrote(issued_);
    writer_.Abort();
  } else if (auto committed = writer_.Commit();
             !committed.ok() && committed.code() != ErrorCode::kAlreadyExists) {
    error = committed.error();
  }
  lock.lock();
  if (error) error_ = std::move(error);
  if (!error_) ready_ = length_;
  finished_ = true;
  cv_.notify_all();
}

void BlockFill::Step(std::unique_lock<std::mutex>& lock) {
  if (error_ || length_ == 0) return End(lock);  // an empty block
  while (in_flight_.size() < options_.ranges_in_flight && issued_ < length_) {
    uint64_t end = std::min(length_, issued_ + options_.range_bytes);
    // The range ending the block starts once every earlier one has arrived: ranges land out of
    // order, and the cache file must reach the block's end only when the block is whole (a
    // one-block file's is read by path once its size is the block's length,
    // client/local_block_files.h).
    if (end == length_ && !in_flight_.empty()) break;
    in_flight_.emplace_back(end, reader_->StartCopy(offset_in_file_ + issued_, end - issued_,
                                                    writer_.fd(), base_ + issued_));
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
  } else if (Status s = writer_.Wrote(end); !s.ok()) {
    error = s.error();
  } else {
    ufs_bytes_.fetch_add(*got, std::memory_order_relaxed);
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

}  // namespace alluxio
