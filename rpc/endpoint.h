// Where an RPC service listens: "host:port" (TCP; "[::1]:port" for IPv6 literals) or
// "unix:/path/to/socket".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/result.h"

namespace alluxio::rpc {

struct Endpoint {
  enum class Kind { kTcp, kUnix };
  Kind kind = Kind::kTcp;
  std::string host;   // kTcp: a name or an address literal (without brackets)
  uint16_t port = 0;  // kTcp; 0 when listening = pick an ephemeral port
  std::string path;   // kUnix

  static Endpoint Tcp(std::string host, uint16_t port);
  static Endpoint Unix(std::string path);
  // kInvalidArgument for text that is neither form.
  static Result<Endpoint> Parse(std::string_view text);
  // The inverse of Parse.
  std::string ToString() const;
};

}  // namespace alluxio::rpc
