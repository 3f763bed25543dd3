#include "rpc/endpoint.h"

#include <charconv>

#include <fmt/format.h>

namespace alluxio::rpc {

Endpoint Endpoint::Tcp(std::string host, uint16_t port) {
  Endpoint e;
  e.kind = Kind::kTcp;
  e.host = std::move(host);
  e.port = port;
  return e;
}

Endpoint Endpoint::Unix(std::string path) {
  Endpoint e;
  e.kind = Kind::kUnix;
  e.path = std::move(path);
  return e;
}

Result<Endpoint> Endpoint::Parse(std::string_view text) {
  if (text.starts_with("unix:")) {
    std::string_view path = text.substr(5);
    if (path.empty()) return Fail(ErrorCode::kInvalidArgument, "empty unix socket path");
    return Unix(std::string(path));
  }
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("not host:port: '{}'", text));
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.starts_with('[')) {
    if (!host.ends_with(']') || host.size() < 3) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("bad IPv6 literal in '{}'", text));
    }
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535 ||
      port_text.empty()) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("bad port in '{}'", text));
  }
  return Tcp(std::string(host), static_cast<uint16_t>(port));
}

std::string Endpoint::ToString() const {
  if (kind == Kind::kUnix) return "unix:" + path;
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

}  // namespace alluxio::rpc
