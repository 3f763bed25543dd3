#include "rpc/error_mapping.h"

#include <cerrno>

#include <fmt/format.h>
#include <asio/error.hpp>

namespace alluxio::rpc {

Error ErrorFromKj(const kj::Exception& e) {
  std::string message(e.getDescription().cStr());
  switch (e.getType()) {
    case kj::Exception::Type::DISCONNECTED:
      return Error{ErrorCode::kDisconnected, std::move(message)};
    case kj::Exception::Type::OVERLOADED:
      return Error{ErrorCode::kUnavailable, std::move(message)};
    case kj::Exception::Type::UNIMPLEMENTED:
      return Error{ErrorCode::kUnsupported, std::move(message)};
    case kj::Exception::Type::FAILED:
      return Error{ErrorCode::kInternal, std::move(message)};
  }
  return Error{ErrorCode::kInternal, std::move(message)};
}

Error ErrorFromConnect(const std::error_code& ec, std::string_view what) {
  std::string message = fmt::format("{}: {}", what, ec.message());
  if (ec == asio::error::operation_aborted) return Error{ErrorCode::kCancelled, message};
  if (ec == asio::error::timed_out) return Error{ErrorCode::kTimedOut, message};
  if (ec.category() == std::system_category() ||
      ec.category() == asio::error::get_system_category()) {
    switch (ec.value()) {
      case ECONNREFUSED:
      case ENOENT:
      case EHOSTUNREACH:
      case ENETUNREACH:
      case ECONNRESET:
      case ECONNABORTED:
      case EADDRNOTAVAIL:
        return Error{ErrorCode::kUnavailable, message};
      case ETIMEDOUT:
        return Error{ErrorCode::kTimedOut, message};
      default:
        break;
    }
  }
  if (ec.category() == asio::error::get_netdb_category() ||
      ec.category() == asio::error::get_addrinfo_category()) {
    return Error{ErrorCode::kUnavailable, message};
  }
  return Error{ErrorCode::kIoError, message};
}

}  // namespace alluxio::rpc
