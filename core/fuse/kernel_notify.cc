#include "core/fuse/kernel_notify.h"

#include <sys/uio.h>

#include <cerrno>

#include "core/fuse/fuse_abi.h"
#include "core/fuse/fuse_codec.h"

namespace alluxio::fuse {

int KernelNotifier::InvalidateAttributes(uint64_t nodeid) {
  if (device_fd_ < 0) return 0;
  abi::NotifyInvalInodeOut body{};
  body.ino = nodeid;
  body.off = -1;
  body.len = 0;
  abi::OutHeader header = MakeOutHeader(0, 0, sizeof(body));
  header.error = static_cast<int32_t>(abi::NotifyCode::kInvalInode);
  iovec parts[] = {{&header, sizeof(header)}, {&body, sizeof(body)}};
  const ssize_t n = ::writev(device_fd_, parts, 2);
  if (n < 0 && errno != ENOENT) return errno;
  return 0;
}

int KernelNotifier::InvalidateEntry(uint64_t parent, std::string_view name) {
  if (device_fd_ < 0) return 0;
  abi::NotifyInvalEntryOut body{};
  body.parent = parent;
  body.namelen = static_cast<uint32_t>(name.size());
  const char nul = '\0';  // the kernel reads the name with its terminating NUL
  abi::OutHeader header = MakeOutHeader(0, 0, sizeof(body) + name.size() + 1);
  header.error = static_cast<int32_t>(abi::NotifyCode::kInvalEntry);
  iovec parts[] = {{&header, sizeof(header)},
                   {&body, sizeof(body)},
                   {const_cast<char*>(name.data()), name.size()},
                   {const_cast<char*>(&nul), 1}};
  const ssize_t n = ::writev(device_fd_, parts, 4);
  if (n < 0 && errno != ENOENT) return errno;
  return 0;
}

}  // namespace alluxio::fuse
