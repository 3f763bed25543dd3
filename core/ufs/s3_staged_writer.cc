#include "core/ufs/s3_staged_writer.h"

#include <chrono>

#include <fmt/format.h>

#include "core/common/logging.h"

namespace alluxio {

S3StagedWriter::S3StagedWriter(std::shared_ptr<S3Client> client, std::string key,
                               uint64_t part_size, int max_parts_in_flight,
                               UfsStatus status_template)
    : client_(std::move(client)),
      key_(std::move(key)),
      part_size_(part_size),
      max_parts_in_flight_(static_cast<size_t>(std::max(1, max_parts_in_flight))),
      status_(std::move(status_template)) {}

S3StagedWriter::~S3StagedWriter() {
  if (state_ == State::kOpen) Abort();
}

Status S3StagedWriter::Write(std::span<const char> data) {
  if (state_ != State::kOpen) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("write to closed S3 writer of {}", key_));
  }
  if (error_) return Fail(*error_);
  while (!data.empty()) {
    size_t take = std::min<uint64_t>(data.size(), part_size_ - buffer_.size());
    if (buffer_.capacity() < part_size_) buffer_.reserve(part_size_);
    buffer_.append(data.data(), take);
    data = data.subspan(take);
    length_ += take;
    if (buffer_.size() == part_size_) {
      if (Status st = StartPart(); !st.ok()) return st;
    }
  }
  return Ok();
}

Status S3StagedWriter::StartPart() {
  if (upload_id_.empty()) {
    auto id = client_->CreateMultipartUpload(key_, {});
    if (!id.ok()) {
      error_ = id.error();
      return id.failure();
    }
    upload_id_ = std::move(*id);
  }
  while (in_flight_.size() >= max_parts_in_flight_) ReapOldest();
  if (error_) return Fail(*error_);
  Part part;
  part.data = std::make_unique<std::string>(std::move(buffer_));
  buffer_ = std::string();
  int number = static_cast<int>(part_etags_.size() + in_flight_.size()) + 1;
  part.response =
      client_->StartUploadPart(key_, upload_id_, number, std::span<const char>(*part.data));
  in_flight_.push_back(std::move(part));
  return Ok();
}

void S3StagedWriter::ReapOldest() {
  Part part = std::move(in_flight_.front());
  in_flight_.pop_front();
  HttpResponse response = part.response.get();
  auto etag = client_->PartETag(key_, response);
  if (!etag.ok()) {
    if (!error_) error_ = etag.error();
    return;
  }
  part_etags_.push_back(std::move(*etag));
}

void S3StagedWriter::WaitAll() {
  while (!in_flight_.empty()) ReapOldest();
}

Status S3StagedWriter::Flush() {
  if (state_ != State::kOpen) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("flush of closed S3 writer of {}", key_));
  }
  if (error_) return Fail(*error_);
  return Ok();
}

Result<UfsStatus> S3StagedWriter::Close() {
  if (state_ != State::kOpen) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("close of closed S3 writer of {}", key_));
  }
  Result<std::string> etag = std::string();
  if (upload_id_.empty()) {
    etag = client_->Put(key_, std::span<const char>(buffer_), {});
  } else {
    if (!buffer_.empty() && !error_) (void)StartPart();
    WaitAll();
    if (error_) {
      etag = Fail(*error_);
    } else {
      etag = client_->CompleteMultipartUpload(key_, upload_id_, part_etags_);
    }
  }
  if (!etag.ok()) {
    Abort();
    return etag.failure();
  }
  state_ = State::kClosed;
  buffer_ = std::string();
  status_.length = length_;
  status_.mtime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  status_.fingerprint = fmt::format("{}:{}", *etag, length_);
  return status_;
}

void S3StagedWriter::Abort() {
  if (state_ != State::kOpen) return;  // a closed upload is complete: nothing to abort
  state_ = State::kAborted;
  WaitAll();
  buffer_ = std::string();
  if (!upload_id_.empty()) {
    Status st = client_->AbortMultipartUpload(key_, upload_id_);
    if (!st.ok()) {
      // The parts stay invisible (never listed), but they occupy storage until a lifecycle rule
      // (AbortIncompleteMultipartUpload) removes them.
      ALX_LOG(kWarn, "s3", "abort of the upload of {}: {}", key_, st.error().ToString());
    }
  }
}

}  // namespace alluxio
