#include "core/common/write_all.h"

#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

namespace alluxio {

Status PwriteAll(int fd, std::span<const char> data, uint64_t offset, std::string_view name) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n =
        ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(ErrnoError(errno, fmt::format("write {}", name)));
    }
    if (n == 0) return Fail(ErrorCode::kIoError, fmt::format("write {}: no progress", name));
    done += static_cast<size_t>(n);
  }
  return Ok();
}

}  // namespace alluxio
