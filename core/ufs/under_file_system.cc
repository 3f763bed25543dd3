#include "core/ufs/under_file_system.h"

#include <charconv>

#include <fmt/format.h>

#include "core/ufs/local_under_file_system.h"

namespace alluxio {

std::string StagedFileName(uint64_t file_id) { return std::to_string(file_id); }

std::optional<uint64_t> FileIdOfStagedName(std::string_view name) {
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  if (ec != std::errc() || end != name.data() + name.size() || StagedFileName(id) != name) {
    return std::nullopt;
  }
  return id;
}

Result<std::unique_ptr<UnderFileSystem>> CreateUnderFileSystem(std::string_view uri) {
  std::string_view path = uri;
  if (size_t scheme_end = uri.find("://"); scheme_end != std::string_view::npos) {
    std::string_view scheme = uri.substr(0, scheme_end);
    if (scheme != "file") {
      return Fail(ErrorCode::kUnsupported,
                  fmt::format("under storage scheme '{}' in '{}' is not supported (use file:// "
                              "or an absolute local path)",
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
