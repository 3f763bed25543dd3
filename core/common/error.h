// The one error vocabulary of the project: every expected failure (a file system outcome, an
// unreachable service, a bad option) is an Error value carrying an ErrorCode. The same codes
// cross the wire (schema/common.capnp mirrors them) and map to errno in ToErrno().
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace alluxio {

enum class ErrorCode {
  kNotFound,          // ENOENT
  kAlreadyExists,     // EEXIST
  kNotEmpty,          // ENOTEMPTY
  kNotADirectory,     // ENOTDIR
  kIsADirectory,      // EISDIR
  kInvalidPath,       // EINVAL: empty component, "..", not absolute
  kNameTooLong,       // ENAMETOOLONG: a component over 255 bytes or a path over the limit
  kInvalidArgument,   // EINVAL
  kPermissionDenied,  // EACCES
  kNotPermitted,      // EPERM
  kIncomplete,        // EBUSY: the file is still being written
  kUnavailable,       // EIO: a service cannot be reached
  kDisconnected,      // EIO: a connection was lost mid-call
  kTimedOut,          // ETIMEDOUT
  kCancelled,         // EINTR
  kUnsupported,       // EOPNOTSUPP
  kNoSpace,           // ENOSPC
  kBusy,              // EBUSY
  kReadOnly,          // EROFS
  kOutOfRange,        // EINVAL: an offset or size outside what the object holds
  kIoError,           // EIO
  kInternal,          // EIO: a bug; logged. Stays last (ErrorCodeFromSymbol iterates to it).
};

// errno for an ErrorCode. Exhaustive: a new code fails to compile until it is mapped here.
int ToErrno(ErrorCode code);

// Stable lower-case name, as used in logs and CLI messages ("not found").
std::string_view ErrorCodeName(ErrorCode code);

// The enumerator's spelling ("kNoSpace"), as configuration and control files name a code.
// Exhaustive like ToErrno.
std::string_view ErrorCodeSymbol(ErrorCode code);
// The code ErrorCodeSymbol spells `symbol`; nullopt for any other text.
std::optional<ErrorCode> ErrorCodeFromSymbol(std::string_view symbol);

// ErrorCode for a system errno (used by the under storage and the block store).
ErrorCode ErrorCodeFromErrno(int err);

struct Error {
  ErrorCode code;
  std::string message;

  // "not found: /a/b" style text for logs and CLI output.
  std::string ToString() const;
};

// Builds an Error from a system errno with a context message ("open /x: No such file").
Error ErrnoError(int err, std::string_view context);

}  // namespace alluxio
