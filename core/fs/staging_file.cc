#include "core/fs/staging_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "core/common/write_all.h"

namespace alluxio::fs {

Result<std::unique_ptr<StagingFile>> StagingFile::Create(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {
    // A file system without O_TMPFILE: a named file, unlinked at once.
    std::string name = dir + "/alluxio-fuse-staging.XXXXXX";
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(name.c_str());
  }
  if (fd < 0) return Fail(ErrnoError(errno, fmt::format("staging file in {}", dir)));
  return std::unique_ptr<StagingFile>(new StagingFile(fd));
}

StagingFile::~StagingFile() { ::close(fd_); }

Status StagingFile::Write(uint64_t offset, std::span<const char> data) {
  Status s = PwriteAll(fd_, data, offset, "staging file");
  if (!s) return s;
  size_ = std::max(size_, offset + data.size());
  return Ok();
}

Result<size_t> StagingFile::Read(uint64_t offset, std::span<char> buffer) const {
  if (offset >= size_) return size_t{0};
  const size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), size_ - offset));
  size_t done = 0;
  while (done < want) {
    const ssize_t n =
        ::pread(fd_, buffer.data() + done, want - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(ErrnoError(errno, "read staging file"));
    if (n == 0) return Fail(ErrorCode::kIoError, "read staging file: shorter than written");
    done += static_cast<size_t>(n);
  }
  return done;
}

Status StagingFile::Truncate(uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    return Fail(ErrnoError(errno, "truncate staging file"));
  }
  size_ = size;
  return Ok();
}

}  // namespace alluxio::fs
