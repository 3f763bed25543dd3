#include "core/master/alluxio_path.h"

#include <fmt/format.h>

namespace alluxio {

Status ValidateName(std::string_view name) {
  if (name.empty()) return Fail(ErrorCode::kInvalidPath, "empty file name");
  if (name == "." || name == "..") {
    return Fail(ErrorCode::kInvalidPath, fmt::format("'{}' is not allowed as a file name", name));
  }
  if (name.find('\0') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidPath, "file name contains a NUL byte");
  }
  if (name.find('/') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidPath, fmt::format("file name '{}' contains '/'", name));
  }
  if (name.size() > kMaxNameBytes) {
    return Fail(ErrorCode::kNameTooLong,
                fmt::format("file name of {} bytes exceeds {}", name.size(), kMaxNameBytes));
  }
  return Ok();
}

Result<std::vector<std::string>> SplitPath(std::string_view path) {
  if (path.empty()) return Fail(ErrorCode::kInvalidPath, "empty path");
  if (path.size() > kMaxPathBytes) {
    return Fail(ErrorCode::kNameTooLong,
                fmt::format("path of {} bytes exceeds {}", path.size(), kMaxPathBytes));
  }
  if (path.front() != '/') {
    return Fail(ErrorCode::kInvalidPath, fmt::format("path '{}' is not absolute", path));
  }
  if (path.find('\0') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidPath, "path contains a NUL byte");
  }
  std::vector<std::string> components;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view name = path.substr(pos, slash - pos);
    if (!name.empty()) {
      if (Status st = ValidateName(name); !st.ok()) {
        return Fail(st.code(), fmt::format("{} in '{}'", st.error().message, path));
      }
      components.emplace_back(name);
    }
    pos = slash + 1;
  }
  return components;
}

Result<std::string> NormalizePath(std::string_view path) {
  auto components = SplitPath(path);
  if (!components.ok()) return components.failure();
  return JoinPath(*components);
}

std::string JoinPath(const std::vector<std::string>& components, size_t count) {
  if (count == 0) return "/";
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    out += '/';
    out += components[i];
  }
  return out;
}

std::string ChildPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

bool IsSameOrUnder(std::string_view path, std::string_view ancestor) {
  if (ancestor == "/") return true;
  if (path.size() < ancestor.size() || path.substr(0, ancestor.size()) != ancestor) return false;
  return path.size() == ancestor.size() || path[ancestor.size()] == '/';
}

}  // namespace alluxio
