// S3StagedWriter: the UfsWriter of the S3 under file system. Streams a staged file to one
// object key while it is written, never spooling it to a local file:
//  - bytes collect in a part buffer of `part_size` bytes; when it is full the writer starts a
//    multipart upload (on the first full part) and uploads the part in the background;
//  - at most `max_parts_in_flight` parts are in flight; Write waits for the oldest beyond that,
//    so a writer holds at most (max_parts_in_flight + 1) × part_size bytes of memory;
//  - Close uploads the rest and completes the upload, or, for a file smaller than one part,
//    sends it with a single PUT. Nothing shows at the key before Close completes.
//  - Abort (or destruction without Close) waits for the parts in flight and aborts the upload.
// An upload error is returned by a later Write, Flush or Close (and sticks).
//
// Thread-safety: one thread at a time. Lifetime: holds the S3Client (shared) it uses.
#pragma once

#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ufs/s3_client.h"
#include "core/ufs/under_file_system.h"

namespace alluxio {

class S3StagedWriter final : public UfsWriter {
 public:
  // `name`: the UfsStatus::name Close reports; `status_template` gives its mode, owner, group.
  S3StagedWriter(std::shared_ptr<S3Client> client, std::string key, uint64_t part_size,
                 int max_parts_in_flight, UfsStatus status_template);
  ~S3StagedWriter() override;

  Status Write(std::span<const char> data) override;
  // Nothing to hand over: the bytes are in the part buffer or in flight. Returns the sticky error.
  Status Flush() override;
  // The staged object's status (length, ETag fingerprint). kInvalidArgument once closed.
  Result<UfsStatus> Close() override;
  void Abort() override;

 private:
  struct Part {
    std::unique_ptr<std::string> data;  // must outlive the request
    std::future<HttpResponse> response;
  };

  Status StartPart();
  // Waits for the oldest part in flight and records its ETag (or the sticky error).
  void ReapOldest();
  void WaitAll();

  const std::shared_ptr<S3Client> client_;
  const std::string key_;
  const uint64_t part_size_;
  const size_t max_parts_in_flight_;
  UfsStatus status_;

  enum class State { kOpen, kClosed, kAborted } state_ = State::kOpen;
  std::string buffer_;  // the part being filled
  uint64_t length_ = 0;
  std::string upload_id_;  // "" until the first part is started
  std::deque<Part> in_flight_;
  std::vector<std::string> part_etags_;
  std::optional<Error> error_;
};

}  // namespace alluxio
