#include "core/fuse_daemon/mount_registry.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>

#include "core/common/live_process.h"

namespace alluxio {
namespace {

namespace stdfs = std::filesystem;

// "pid\tmount_point\talluxio_path\tkind[\tprogram]\n"
std::optional<MountRecord> ReadRecord(const stdfs::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  std::vector<std::string> fields;
  std::stringstream ss(line);
  for (std::string field; std::getline(ss, field, '\t');) fields.push_back(field);
  if (fields.size() != 4 && fields.size() != 5) return std::nullopt;
  MountRecord record;
  try {
    record.pid = static_cast<pid_t>(std::stol(fields[0]));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  record.mount_point = fields[1];
  record.alluxio_path = fields[2];
  record.hosted_by_worker = fields[3] == "worker";
  if (fields.size() == 5) record.program = fields[4];
  return record;
}

}  // namespace

MountRegistry::MountRegistry(const Configuration& conf)
    : dir_(conf.GetString(PropertyKey::kWorkDir) + "/run/fuse") {}

std::string MountRegistry::FileFor(const std::string& mount_point) const {
  return fmt::format("{}/{:016x}.mount", dir_, std::hash<std::string>{}(mount_point));
}

Status MountRegistry::Add(const MountRecord& record) {
  std::error_code ec;
  stdfs::create_directories(dir_, ec);
  if (ec) return Fail(ErrnoError(ec.value(), "create " + dir_));
  const std::string file = FileFor(record.mount_point);
  const std::string tmp = fmt::format("{}.{}.tmp", file, record.pid);
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << record.pid << '\t' << record.mount_point << '\t' << record.alluxio_path << '\t'
        << (record.hosted_by_worker ? "worker" : "standalone") << '\t' << record.program << '\n';
    if (!out.flush()) return Fail(ErrorCode::kIoError, "cannot write " + tmp);
  }
  stdfs::rename(tmp, file, ec);
  if (ec) return Fail(ErrnoError(ec.value(), "rename " + tmp));
  return Ok();
}

void MountRegistry::Remove(const std::string& mount_point, pid_t pid) {
  const std::string file = FileFor(mount_point);
  auto record = ReadRecord(file);
  if (record && record->pid == pid) {
    std::error_code ec;
    stdfs::remove(file, ec);
  }
}

std::vector<MountRecord> MountRegistry::List() const {
  std::vector<MountRecord> records;
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != ".mount") continue;
    auto record = ReadRecord(entry.path());
    if (record && IsLiveProcess(record->pid, record->program)) {
      records.push_back(std::move(*record));
    } else {
      stdfs::remove(entry.path(), ec);
    }
  }
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a.mount_point < b.mount_point; });
  return records;
}

std::optional<MountRecord> MountRegistry::Find(const std::string& mount_point) const {
  for (auto& record : List()) {
    if (record.mount_point == mount_point) return record;
  }
  return std::nullopt;
}

}  // namespace alluxio
