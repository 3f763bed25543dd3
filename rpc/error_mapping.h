// kj exceptions → the project's Error (core/common/error.h), in one place.
#pragma once

#include <string_view>
#include <system_error>

#include <kj/exception.h>

#include "core/common/error.h"

namespace alluxio::rpc {

// DISCONNECTED → kDisconnected; OVERLOADED → kUnavailable; UNIMPLEMENTED → kUnsupported;
// FAILED (a peer's bug or a protocol violation) → kInternal. The message is kj's description.
Error ErrorFromKj(const kj::Exception& e);

// A socket-level error while connecting → kUnavailable (refused, unreachable, no such unix
// socket), kTimedOut, kCancelled (operation_aborted); other codes → kIoError.
Error ErrorFromConnect(const std::error_code& ec, std::string_view what);

}  // namespace alluxio::rpc
