#include "core/wire/wire_convert.h"

namespace alluxio {

wire::ErrorCode ToWire(ErrorCode code) {
  using W = wire::ErrorCode;
  switch (code) {
    case ErrorCode::kNotFound:
      return W::NOT_FOUND;
    case ErrorCode::kAlreadyExists:
      return W::ALREADY_EXISTS;
    case ErrorCode::kNotEmpty:
      return W::NOT_EMPTY;
    case ErrorCode::kNotADirectory:
      return W::NOT_A_DIRECTORY;
    case ErrorCode::kIsADirectory:
      return W::IS_A_DIRECTORY;
    case ErrorCode::kInvalidPath:
      return W::INVALID_PATH;
    case ErrorCode::kNameTooLong:
      return W::NAME_TOO_LONG;
    case ErrorCode::kInvalidArgument:
      return W::INVALID_ARGUMENT;
    case ErrorCode::kPermissionDenied:
      return W::PERMISSION_DENIED;
    case ErrorCode::kNotPermitted:
      return W::NOT_PERMITTED;
    case ErrorCode::kIncomplete:
      return W::INCOMPLETE;
    case ErrorCode::kUnavailable:
      return W::UNAVAILABLE;
    case ErrorCode::kDisconnected:
      return W::DISCONNECTED;
    case ErrorCode::kTimedOut:
      return W::TIMED_OUT;
    case ErrorCode::kCancelled:
      return W::CANCELLED;
    case ErrorCode::kUnsupported:
      return W::UNSUPPORTED;
    case ErrorCode::kNoSpace:
      return W::NO_SPACE;
    case ErrorCode::kBusy:
      return W::BUSY;
    case ErrorCode::kReadOnly:
      return W::READ_ONLY;
    case ErrorCode::kOutOfRange:
      return W::OUT_OF_RANGE;
    case ErrorCode::kIoError:
      return W::IO_ERROR;
    case ErrorCode::kInternal:
      return W::INTERNAL;
  }
  return W::INTERNAL;
}

ErrorCode FromWire(wire::ErrorCode code) {
  using W = wire::ErrorCode;
  switch (code) {
    case W::NONE:
      return ErrorCode::kInternal;  // callers check for NONE first
    case W::NOT_FOUND:
      return ErrorCode::kNotFound;
    case W::ALREADY_EXISTS:
      return ErrorCode::kAlreadyExists;
    case W::NOT_EMPTY:
      return ErrorCode::kNotEmpty;
    case W::NOT_A_DIRECTORY:
      return ErrorCode::kNotADirectory;
    case W::IS_A_DIRECTORY:
      return ErrorCode::kIsADirectory;
    case W::INVALID_PATH:
      return ErrorCode::kInvalidPath;
    case W::NAME_TOO_LONG:
      return ErrorCode::kNameTooLong;
    case W::INVALID_ARGUMENT:
      return ErrorCode::kInvalidArgument;
    case W::PERMISSION_DENIED:
      return ErrorCode::kPermissionDenied;
    case W::NOT_PERMITTED:
      return ErrorCode::kNotPermitted;
    case W::INCOMPLETE:
      return ErrorCode::kIncomplete;
    case W::UNAVAILABLE:
      return ErrorCode::kUnavailable;
    case W::DISCONNECTED:
      return ErrorCode::kDisconnected;
    case W::TIMED_OUT:
      return ErrorCode::kTimedOut;
    case W::CANCELLED:
      return ErrorCode::kCancelled;
    case W::UNSUPPORTED:
      return ErrorCode::kUnsupported;
    case W::NO_SPACE:
      return ErrorCode::kNoSpace;
    case W::BUSY:
      return ErrorCode::kBusy;
    case W::READ_ONLY:
      return ErrorCode::kReadOnly;
    case W::OUT_OF_RANGE:
      return ErrorCode::kOutOfRange;
    case W::IO_ERROR:
      return ErrorCode::kIoError;
    case W::INTERNAL:
      return ErrorCode::kInternal;
  }
  return ErrorCode::kInternal;  // a code from a newer peer
}

void ToWire(const Status& status, wire::Status::Builder out) {
  if (status.ok()) {
    out.setCode(wire::ErrorCode::NONE);
  } else {
    ToWire(status.error(), out);
  }
}

void ToWire(const Error& error, wire::Status::Builder out) {
  out.setCode(ToWire(error.code));
  out.setMessage(error.message);
}

Status FromWire(wire::Status::Reader status) {
  if (status.getCode() == wire::ErrorCode::NONE) return Ok();
  return Fail(FromWire(status.getCode()), status.getMessage().cStr());
}

void ToWire(const FileInfo& info, wire::FileInfo::Builder out) {
  out.setFileId(info.id);
  out.setName(info.name);
  out.setPath(info.path);
  out.setIsDirectory(info.is_directory);
  out.setLength(info.length);
  out.setBlockSizeBytes(info.block_size);
  out.setMode(info.mode);
  out.setOwner(info.owner);
  out.setGroup(info.group);
  out.setMtimeMs(info.mtime_ms);
  out.setCompleted(info.completed);
  out.setPersisted(info.persisted);
  out.setToBePersisted(info.to_be_persisted);
  out.setMountPoint(info.mount_point);
  ToWire(info.block_ids, out.initBlockIds(info.block_ids.size()));
  out.setUfsUri(info.ufs_uri);
  out.setMountId(info.mount_id);
  out.setSymlinkTarget(info.symlink_target);
}

FileInfo FromWire(wire::FileInfo::Reader in) {
  FileInfo info;
  info.id = in.getFileId();
  info.name = in.getName();
  info.path = in.getPath();
  info.is_directory = in.getIsDirectory();
  info.length = in.getLength();
  info.block_size = in.getBlockSizeBytes();
  info.mode = in.getMode();
  info.owner = in.getOwner();
  info.group = in.getGroup();
  info.mtime_ms = in.getMtimeMs();
  info.completed = in.getCompleted();
  info.persisted = in.getPersisted();
  info.to_be_persisted = in.getToBePersisted();
  info.mount_point = in.getMountPoint();
  info.block_ids = FromWire(in.getBlockIds());
  info.ufs_uri = in.getUfsUri();
  info.mount_id = in.getMountId();
  info.symlink_target = in.getSymlinkTarget();
  return info;
}

wire::WriteType ToWire(WriteType type) {
  switch (type) {
    case WriteType::kCacheThrough:
      return wire::WriteType::CACHE_THROUGH;
    case WriteType::kMustCache:
      return wire::WriteType::MUST_CACHE;
    case WriteType::kThrough:
      return wire::WriteType::THROUGH;
    case WriteType::kAsyncThrough:
      return wire::WriteType::ASYNC_THROUGH;
  }
  return wire::WriteType::CACHE_THROUGH;
}

WriteType FromWire(wire::WriteType type) {
  switch (type) {
    case wire::WriteType::CACHE_THROUGH:
      return WriteType::kCacheThrough;
    case wire::WriteType::MUST_CACHE:
      return WriteType::kMustCache;
    case wire::WriteType::THROUGH:
      return WriteType::kThrough;
    case wire::WriteType::ASYNC_THROUGH:
      return WriteType::kAsyncThrough;
  }
  return WriteType::kCacheThrough;
}

std::vector<uint64_t> FromWire(capnp::List<uint64_t>::Reader ids) {
  std::vector<uint64_t> out;
  out.reserve(ids.size());
  for (uint64_t id : ids) out.push_back(id);
  return out;
}

void ToWire(const std::vector<uint64_t>& ids, capnp::List<uint64_t>::Builder out) {
  for (size_t i = 0; i < ids.size(); ++i) out.set(i, ids[i]);
}

std::map<std::string, std::string> FromWire(capnp::List<wire::MountOption>::Reader options) {
  std::map<std::string, std::string> out;
  for (wire::MountOption::Reader o : options) {
    out[std::string(o.getKey().cStr())] = std::string(o.getValue().cStr());
  }
  return out;
}

void ToWire(const std::map<std::string, std::string>& options,
            capnp::List<wire::MountOption>::Builder out) {
  unsigned i = 0;
  for (const auto& [key, value] : options) {
    out[i].setKey(key);
    out[i].setValue(value);
    ++i;
  }
}

}  // namespace alluxio
