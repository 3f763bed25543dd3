#include "core/fs/staging_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
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

Result<std::unique_ptr<StagingFile>> StagingFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Fail(ErrnoError(errno, fmt::format("open {}", path)));
  return std::unique_ptr<StagingFile>(new StagingFile(fd));
}

StagingFile::~StagingFile() { ::close(fd_); }

uint64_t StagingFile::size() const {
  struct stat st {};
  return ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

Status StagingFile::Write(uint64_t offset, std::span<const char> data) {
  return PwriteAll(fd_, data, offset, "staging file");
}

Status StagingFile::Sync() {
  if (::fdatasync(fd_) != 0) return Fail(ErrnoError(errno, "fdatasync staging file"));
  return Ok();
}

Result<size_t> StagingFile::Read(uint64_t offset, std::span<char> buffer) const {
  const uint64_t size = this->size();
  if (offset >= size) return size_t{0};
  const size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), size - offset));
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
  return Ok();
}

}  // namespace alluxio::fs
