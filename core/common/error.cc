#include "core/common/error.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace alluxio {

int ToErrno(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound: return ENOENT;
    case ErrorCode::kAlreadyExists: return EEXIST;
    case ErrorCode::kNotEmpty: return ENOTEMPTY;
    case ErrorCode::kNotADirectory: return ENOTDIR;
    case ErrorCode::kIsADirectory: return EISDIR;
    case ErrorCode::kInvalidPath: return EINVAL;
    case ErrorCode::kNameTooLong: return ENAMETOOLONG;
    case ErrorCode::kInvalidArgument: return EINVAL;
    case ErrorCode::kPermissionDenied: return EACCES;
    case ErrorCode::kNotPermitted: return EPERM;
    case ErrorCode::kIncomplete: return EBUSY;
    case ErrorCode::kUnavailable: return EIO;
    case ErrorCode::kDisconnected: return EIO;
    case ErrorCode::kTimedOut: return ETIMEDOUT;
    case ErrorCode::kCancelled: return EINTR;
    case ErrorCode::kUnsupported: return EOPNOTSUPP;
    case ErrorCode::kNoSpace: return ENOSPC;
    case ErrorCode::kBusy: return EBUSY;
    case ErrorCode::kReadOnly: return EROFS;
    case ErrorCode::kOutOfRange: return EINVAL;
    case ErrorCode::kIoError: return EIO;
    case ErrorCode::kInternal: return EIO;
  }
  return EIO;  // unreachable for valid enum values
}

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kAlreadyExists: return "already exists";
    case ErrorCode::kNotEmpty: return "directory not empty";
    case ErrorCode::kNotADirectory: return "not a directory";
    case ErrorCode::kIsADirectory: return "is a directory";
    case ErrorCode::kInvalidPath: return "invalid path";
    case ErrorCode::kNameTooLong: return "name too long";
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kPermissionDenied: return "permission denied";
    case ErrorCode::kNotPermitted: return "operation not permitted";
    case ErrorCode::kIncomplete: return "file incomplete";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kDisconnected: return "disconnected";
    case ErrorCode::kTimedOut: return "timed out";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kUnsupported: return "not supported";
    case ErrorCode::kNoSpace: return "no space";
    case ErrorCode::kBusy: return "busy";
    case ErrorCode::kReadOnly: return "read-only";
    case ErrorCode::kOutOfRange: return "out of range";
    case ErrorCode::kIoError: return "I/O error";
    case ErrorCode::kInternal: return "internal error";
  }
  return "unknown error";
}

std::string_view ErrorCodeSymbol(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound: return "kNotFound";
    case ErrorCode::kAlreadyExists: return "kAlreadyExists";
    case ErrorCode::kNotEmpty: return "kNotEmpty";
    case ErrorCode::kNotADirectory: return "kNotADirectory";
    case ErrorCode::kIsADirectory: return "kIsADirectory";
    case ErrorCode::kInvalidPath: return "kInvalidPath";
    case ErrorCode::kNameTooLong: return "kNameTooLong";
    case ErrorCode::kInvalidArgument: return "kInvalidArgument";
    case ErrorCode::kPermissionDenied: return "kPermissionDenied";
    case ErrorCode::kNotPermitted: return "kNotPermitted";
    case ErrorCode::kIncomplete: return "kIncomplete";
    case ErrorCode::kUnavailable: return "kUnavailable";
    case ErrorCode::kDisconnected: return "kDisconnected";
    case ErrorCode::kTimedOut: return "kTimedOut";
    case ErrorCode::kCancelled: return "kCancelled";
    case ErrorCode::kUnsupported: return "kUnsupported";
    case ErrorCode::kNoSpace: return "kNoSpace";
    case ErrorCode::kBusy: return "kBusy";
    case ErrorCode::kReadOnly: return "kReadOnly";
    case ErrorCode::kOutOfRange: return "kOutOfRange";
    case ErrorCode::kIoError: return "kIoError";
    case ErrorCode::kInternal: return "kInternal";
  }
  return "kInternal";  // unreachable for valid enum values
}

std::optional<ErrorCode> ErrorCodeFromSymbol(std::string_view symbol) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {  // kInternal is the last
    if (ErrorCodeSymbol(static_cast<ErrorCode>(i)) == symbol) return static_cast<ErrorCode>(i);
  }
  return std::nullopt;
}

ErrorCode ErrorCodeFromErrno(int err) {
  switch (err) {
    case ENOENT: return ErrorCode::kNotFound;
    case EEXIST: return ErrorCode::kAlreadyExists;
    case ENOTEMPTY: return ErrorCode::kNotEmpty;
    case ENOTDIR: return ErrorCode::kNotADirectory;
    case EISDIR: return ErrorCode::kIsADirectory;
    case ENAMETOOLONG: return ErrorCode::kNameTooLong;
    case EINVAL: return ErrorCode::kInvalidArgument;
    case EACCES: return ErrorCode::kPermissionDenied;
    case EPERM: return ErrorCode::kNotPermitted;
    case ETIMEDOUT: return ErrorCode::kTimedOut;
    case EINTR: return ErrorCode::kCancelled;
    case EOPNOTSUPP: return ErrorCode::kUnsupported;
    case ENOSPC:
    case EDQUOT: return ErrorCode::kNoSpace;
    case EBUSY: return ErrorCode::kBusy;
    case EROFS: return ErrorCode::kReadOnly;
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH: return ErrorCode::kUnavailable;
    case ECONNRESET:
    case EPIPE:
    case ENOTCONN: return ErrorCode::kDisconnected;
    default: return ErrorCode::kIoError;
  }
}

std::string Error::ToString() const {
  if (message.empty()) return std::string(ErrorCodeName(code));
  return fmt::format("{}: {}", ErrorCodeName(code), message);
}

Error ErrnoError(int err, std::string_view context) {
  return Error{ErrorCodeFromErrno(err), fmt::format("{}: {}", context, std::strerror(err))};
}

}  // namespace alluxio
