#include "core/common/self_connection.h"

#include <sys/socket.h>

#include <cstring>

namespace alluxio {

bool IsSelfConnection(int fd) {
  sockaddr_storage local{}, remote{};
  socklen_t local_len = sizeof(local), remote_len = sizeof(remote);
  return getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0 &&
         getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &remote_len) == 0 &&
         local_len == remote_len && std::memcmp(&local, &remote, local_len) == 0;
}

}  // namespace alluxio
