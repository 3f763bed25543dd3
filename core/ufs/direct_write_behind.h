// Sequential writes of one file with O_DIRECT, behind its writer: Append copies the data into
// one of a few aligned 4 MiB buffers and returns; two threads of the object's own (started when
// the first buffer fills) write the full buffers, so the disk sees a queue of two while the
// writer goes on. The page cache is not
// used: on a VM whose host backs fresh page-cache memory lazily, filling the page cache costs
// more CPU than the disk write, and its writeback competes with the writer.
//
// An error of a write behind (ENOSPC, EIO) is returned by the next Append or Flush, and by
// every call after it.
//
// A buffer the file system refuses to take directly (EINVAL: an alignment it does not accept)
// is written through the page cache instead.
//
// Contract: one caller thread at a time; nothing else writes the file from the starting offset
// on while the object lives.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/common/result.h"

namespace alluxio {

class DirectWriteBehind {
 public:
  static constexpr uint64_t kAlignment = 4096;

  // direct_fd: the file opened with O_DIRECT (owned: closed by the destructor); buffered_fd:
  // the same file without it (not owned), for a partial buffer at Flush; offset: where the
  // next byte goes (a multiple of kAlignment, or every write goes through the page cache).
  // `name` names the file in errors.
  DirectWriteBehind(int direct_fd, int buffered_fd, uint64_t offset, std::string name);
  // Waits for the writes in flight; queued ones are dropped (Flush first to keep them).
  ~DirectWriteBehind();
  DirectWriteBehind(const DirectWriteBehind&) = delete;
  DirectWriteBehind& operator=(const DirectWriteBehind&) = delete;

  // Copies data to be written; waits only while every buffer is full.
  Status Append(std::span<const char> data);
  // Writes everything appended and waits for it: when Ok, the file holds every byte (a partial
  // last buffer through buffered_fd; it is written again, directly, once it fills).
  Status Flush();
  // End of the data appended.
  uint64_t offset() const { return current_.offset + current_.size; }

 private:
  struct Buffer {
    char* data = nullptr;
    size_t size = 0;
    uint64_t offset = 0;
  };
  void WriteFull();  // the writer threads' loop
  Status WriteBuffer(const Buffer& b);
  Status WaitForFreeBuffer();    // current_ gets a buffer; mu_ not held
  std::optional<Error> error();  // the first error of a write behind

  const int direct_fd_;
  const int buffered_fd_;
  const std::string name_;
  Buffer current_;  // being filled (data null until the first Append)

  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<char*> free_;    // buffers owned, not in use
  std::deque<Buffer> queued_;  // full, waiting for a thread
  size_t buffers_ = 0;         // allocated by this object
  size_t in_flight_ = 0;       // being written
  bool stopping_ = false;
  std::optional<Error> error_;  // first failure
  std::vector<std::thread> threads_;
};

}  // namespace alluxio
