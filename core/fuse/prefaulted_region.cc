#include "core/fuse/prefaulted_region.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

namespace alluxio::fuse {

size_t RoundUpToPage(size_t n) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return (n + page - 1) / page * page;
}

Result<PrefaultedRegion> PrefaultedRegion::Map(size_t bytes) {
  const size_t size = RoundUpToPage(bytes);
  void* mapped = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) {
    return Fail(ErrorCode::kNoSpace, fmt::format("cannot map {} bytes of request buffers: {}", size,
                                                 std::strerror(errno)));
  }
  auto* data = static_cast<std::byte*>(mapped);
  if (::madvise(data, size, MADV_POPULATE_WRITE) != 0) {
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    for (size_t off = 0; off < size; off += page) {
      *reinterpret_cast<volatile std::byte*>(data + off) = std::byte{0};
    }
  }
  return PrefaultedRegion(data, size);
}

PrefaultedRegion::PrefaultedRegion(PrefaultedRegion&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

PrefaultedRegion& PrefaultedRegion::operator=(PrefaultedRegion&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

PrefaultedRegion::~PrefaultedRegion() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

}  // namespace alluxio::fuse
