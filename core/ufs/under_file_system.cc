#include "core/ufs/under_file_system.h"

#include <algorithm>
#include <charconv>
#include <memory>

#include <fmt/format.h>

#include "core/common/write_all.h"
#include "core/ufs/local_under_file_system.h"
#include "core/ufs/s3_ufs_config.h"
#include "core/ufs/s3_under_file_system.h"

namespace alluxio {
namespace {

// UfsReader::StartRead's default: the read happens in Wait().
class ReadInWait final : public UfsPendingRead {
 public:
  ReadInWait(UfsReader& reader, uint64_t offset, std::span<char> buf)
      : reader_(reader), offset_(offset), buf_(buf) {}

  Result<size_t> Wait() override {
    size_t done = 0;
    while (done < buf_.size()) {
      auto n = reader_.ReadAt(offset_ + done, buf_.subspan(done));
      if (!n.ok()) return n.failure();
      if (*n == 0) break;
      done += *n;
    }
    return done;
  }

 private:
  UfsReader& reader_;
  const uint64_t offset_;
  const std::span<char> buf_;
};

// UfsReader::StartCopy's default: ReadAt and pwrite through a bounded buffer in Wait().
class CopyInWait final : public UfsPendingRead {
 public:
  CopyInWait(UfsReader& reader, uint64_t offset, uint64_t length, int out_fd, uint64_t out_offset)
      : reader_(reader),
        offset_(offset),
        length_(length),
        out_fd_(out_fd),
        out_offset_(out_offset) {}

  Result<size_t> Wait() override {
    auto buf = std::make_unique_for_overwrite<char[]>(
        static_cast<size_t>(std::min<uint64_t>(length_, kUfsCopyBufferBytes)));
    uint64_t done = 0;
    while (done < length_) {
      const size_t want =
          static_cast<size_t>(std::min<uint64_t>(length_ - done, kUfsCopyBufferBytes));
      auto n = reader_.ReadAt(offset_ + done, {buf.get(), want});
      if (!n.ok()) return n.failure();
      if (*n == 0) break;
      if (Status s = PwriteAll(out_fd_, {buf.get(), *n}, out_offset_ + done, "a UFS copy's target");
          !s.ok()) {
        return s.failure();
      }
      done += *n;
    }
    return static_cast<size_t>(done);
  }

 private:
  UfsReader& reader_;
  const uint64_t offset_;
  const uint64_t length_;
  const int out_fd_;
  const uint64_t out_offset_;
};

}  // namespace

std::unique_ptr<UfsPendingRead> UfsReader::StartCopy(uint64_t offset, uint64_t length, int out_fd,
                                                     uint64_t out_offset) {
  return std::make_unique<CopyInWait>(*this, offset, length, out_fd, out_offset);
}

std::unique_ptr<UfsPendingRead> UfsReader::StartRead(uint64_t offset, std::span<char> buf) {
  return std::make_unique<ReadInWait>(*this, offset, buf);
}

Result<std::unique_ptr<UfsReader>> UnderFileSystem::OpenVersion(std::string_view path,
                                                                std::string_view) {
  return Open(path);
}

std::string StagedFileName(uint64_t file_id) { return std::to_string(file_id); }

std::optional<uint64_t> FileIdOfStagedName(std::string_view name) {
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  if (ec != std::errc() || end != name.data() + name.size() || StagedFileName(id) != name) {
    return std::nullopt;
  }
  return id;
}

Result<std::vector<std::string_view>> SplitUfsPath(std::string_view path) {
  constexpr size_t kMaxComponent = 255;
  if (path.empty() || path.front() != '/') {
    return Fail(ErrorCode::kInvalidPath, fmt::format("not an absolute path: '{}'", path));
  }
  if (path.find('\0') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidPath, "path contains a NUL byte");
  }
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "." || part == "..") {
      return Fail(ErrorCode::kInvalidPath, fmt::format("'{}' component in '{}'", part, path));
    }
    if (part.size() > kMaxComponent) {
      return Fail(ErrorCode::kNameTooLong, fmt::format("component over 255 bytes in '{}'", path));
    }
    if (!part.empty()) parts.push_back(part);
    i = j + 1;
  }
  return parts;
}

Status CheckStagedName(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.size() > 255 ||
      name.find_first_of(std::string_view("/\0", 2)) != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("bad staging name '{}'", name));
  }
  return Ok();
}

Result<std::unique_ptr<UnderFileSystem>> CreateUnderFileSystem(std::string_view uri,
                                                               const UfsOptions& options) {
  std::string_view path = uri;
  if (size_t scheme_end = uri.find("://"); scheme_end != std::string_view::npos) {
    std::string_view scheme = uri.substr(0, scheme_end);
    if (scheme == "s3" || scheme == "s3a") {
      std::string s3_uri = fmt::format("s3://{}", uri.substr(scheme_end + 3));
      auto config = S3UfsConfigOf(s3_uri, options, CurrentEnvironment());
      if (!config.ok()) return config.failure();
      return std::unique_ptr<UnderFileSystem>(
          std::make_unique<S3UnderFileSystem>(std::move(config).value()));
    }
    if (scheme != "file") {
      return Fail(ErrorCode::kUnsupported,
                  fmt::format("under storage scheme '{}' in '{}' is not supported (use s3://, "
                              "file:// or an absolute local path)",
                              scheme, uri));
    }
    std::string_view rest = uri.substr(scheme_end + 3);  // "[host]/path"
    size_t slash = rest.find('/');
    std::string_view host = rest.substr(0, slash);
    if (!host.empty() && host != "localhost") {
      return Fail(ErrorCode::kUnsupported,
                  fmt::format("file:// URI '{}' names a remote host '{}'", uri, host));
    }
    if (slash == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidPath, fmt::format("file:// URI '{}' has no path", uri));
    }
    path = rest.substr(slash);
  }
  if (path.empty() || path.front() != '/') {
    return Fail(ErrorCode::kInvalidPath,
                fmt::format("under storage '{}' is neither file:// nor an absolute path", uri));
  }
  auto local = LocalUnderFileSystem::OpenRoot(path);
  if (!local.ok()) return local.failure();
  return std::unique_ptr<UnderFileSystem>(std::move(local).value());
}

}  // namespace alluxio
