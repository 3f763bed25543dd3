#include "core/cli/fs_shell.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <span>
#include <string_view>

#include <fmt/format.h>

#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "core/cli/format.h"
#include "core/client/file_in_stream.h"
#include "core/client/file_out_stream.h"
#include "core/client/file_system_client.h"

namespace alluxio::cli {
namespace {

namespace stdfs = std::filesystem;
using client::FileSystemClient;

constexpr size_t kCopyBuffer = 4 << 20;

struct Shell {
  FileSystemClient& fs;
  std::ostream& out;
  std::ostream& err;
};

// Splits flags (words starting with '-') from operands; unknown flags are usage errors.
struct Args {
  std::vector<std::string> flags;
  std::vector<std::string> operands;
  std::vector<std::string> option_values;  // of each "--option <value>", in order
  bool Has(std::string_view flag) const {
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
  }
};

Args Split(const std::vector<std::string>& words) {
  Args a;
  for (size_t i = 1; i < words.size(); ++i) {
    if (words[i] == "--option" && i + 1 < words.size()) {
      a.flags.push_back(words[i]);
      a.option_values.push_back(words[++i]);
    } else if (words[i].size() > 1 && words[i][0] == '-') {
      a.flags.push_back(words[i]);
    } else {
      a.operands.push_back(words[i]);
    }
  }
  return a;
}

int Fails(Shell& sh, std::string_view command, const Error& error) {
  sh.err << command << ": " << error.ToString() << "\n";
  return 1;
}

std::string ChildPath(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

std::string LocalUri(const stdfs::path& p) { return "file://" + stdfs::absolute(p).string(); }

// "100%" style in-Alluxio share of a complete file, from its block locations.
Task<std::string> InAlluxio(Shell& sh, const FileInfo& info) {
  if (info.is_directory) co_return "DIR";
  if (info.is_symlink()) co_return "LINK";
  if (!info.completed) co_return "0%";
  if (info.length == 0) co_return "100%";
  Result<client::FileBlocks> blocks = co_await sh.fs.GetBlockInfos(info.path);
  if (!blocks) co_return "0%";
  uint64_t cached = 0;
  for (const client::BlockInfo& b : blocks->blocks) {
    if (!b.locations.empty()) cached += b.length;
  }
  co_return fmt::format("{}%", cached * 100 / info.length);
}

Task<Status> LsTree(Shell& sh, const std::string& path, bool recursive) {
  Result<std::vector<FileInfo>> children = co_await sh.fs.ListStatus(path);
  if (!children) co_return children.failure();
  for (const FileInfo& child : *children) {
    sh.out << LsLine(child, co_await InAlluxio(sh, child));
    if (recursive && child.is_directory) {
      if (Status s = co_await LsTree(sh, child.path, true); !s) co_return s;
    }
  }
  co_return Ok();
}

Task<int> Ls(Shell& sh, const Args& a) {
  if (a.operands.size() != 1) {
    sh.err << "Usage: alluxio fs ls [-R] <path>\n";
    co_return 2;
  }
  Result<FileInfo> info = co_await sh.fs.GetStatus(a.operands[0]);
  if (!info) co_return Fails(sh, "ls", info.error());
  if (!info->is_directory) {
    sh.out << LsLine(*info, co_await InAlluxio(sh, *info));
    co_return 0;
  }
  Status s = co_await LsTree(sh, info->path, a.Has("-R"));
  co_return s ? 0 : Fails(sh, "ls", s.error());
}

Task<int> Mkdir(Shell& sh, const Args& a) {
  if (a.operands.empty()) {
    sh.err << "Usage: alluxio fs mkdir <path1> [path2] ... [pathn]\n";
    co_return 2;
  }
  // As Alluxio's MkdirCommand: missing parents are created; -p is accepted and changes nothing.
  for (const std::string& path : a.operands) {
    client::CreateDirectoryOptions options;
    options.recursive = true;
    Result<FileInfo> made = co_await sh.fs.CreateDirectory(path, options);
    if (!made) co_return Fails(sh, "mkdir", made.error());
    sh.out << "Successfully created directory " << path << "\n";
  }
  co_return 0;
}

Task<Status> CopyToStream(Shell& sh, const std::string& path, std::ostream& to) {
  Result<std::unique_ptr<client::FileInStream>> in = co_await sh.fs.OpenFile(path);
  if (!in) co_return in.failure();
  std::vector<char> buf(std::min<uint64_t>(kCopyBuffer, std::max<uint64_t>(1, (*in)->length())));
  uint64_t offset = 0;
  while (offset < (*in)->length()) {
    Result<size_t> n = co_await (*in)->Read(offset, std::span<char>(buf));
    if (!n) co_return n.failure();
    if (*n == 0) break;
    to.write(buf.data(), static_cast<std::streamsize>(*n));
    if (!to) co_return Fail(ErrorCode::kIoError, "writing the output failed");
    offset += *n;
  }
  co_return Ok();
}

Task<int> Cat(Shell& sh, const Args& a) {
  if (a.operands.empty()) {
    sh.err << "Usage: alluxio fs cat <path>\n";
    co_return 2;
  }
  for (const std::string& path : a.operands) {
    Result<FileInfo> info = co_await sh.fs.GetStatus(path);
    if (!info) co_return Fails(sh, "cat", info.error());
    if (info->is_directory) {
      co_return Fails(sh, "cat", Error{ErrorCode::kIsADirectory, path + " is a directory"});
    }
    if (Status s = co_await CopyToStream(sh, path, sh.out); !s)
      co_return Fails(sh, "cat", s.error());
  }
  co_return 0;
}

Task<Status> CopyFileFromLocal(Shell& sh, const stdfs::path& local, const std::string& dst) {
  std::ifstream in(local, std::ios::binary);
  if (!in) co_return Fail(ErrnoError(errno, "open " + local.string()));
  auto st = stdfs::status(local);
  client::CreateFileOptions options;
  options.mode = static_cast<uint32_t>(st.permissions()) & 0777;
  Result<std::unique_ptr<client::FileOutStream>> out = co_await sh.fs.CreateFile(dst, options);
  if (!out) co_return out.failure();
  std::vector<char> buf(kCopyBuffer);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    if (Status s = co_await (*out)->Write(std::span<const char>(buf.data(), n)); !s) co_return s;
  }
  if (in.bad()) {
    (void)co_await (*out)->Abort();
    co_return Fail(ErrorCode::kIoError, "reading " + local.string() + " failed");
  }
  Result<FileInfo> closed = co_await (*out)->Close();
  if (!closed) co_return closed.failure();
  sh.out << "Copied " << LocalUri(local) << " to " << dst << "\n";
  co_return Ok();
}

Task<Status> CopyTreeFromLocal(Shell& sh, const stdfs::path& local, const std::string& dst) {
  std::error_code ec;
  if (!stdfs::is_directory(local, ec)) co_return co_await CopyFileFromLocal(sh, local, dst);
  client::CreateDirectoryOptions options;
  options.allow_exists = true;
  Result<FileInfo> made = co_await sh.fs.CreateDirectory(dst, options);
  if (!made) co_return made.failure();
  std::vector<stdfs::path> entries;
  for (const auto& entry : stdfs::directory_iterator(local, ec)) entries.push_back(entry.path());
  if (ec) co_return Fail(ErrnoError(ec.value(), "list " + local.string()));
  std::sort(entries.begin(), entries.end());
  for (const stdfs::path& entry : entries) {
    std::string child = ChildPath(dst, entry.filename().string());
    Status s = co_await CopyTreeFromLocal(sh, entry, child);
    if (!s) co_return s;
  }
  co_return Ok();
}

Task<int> CopyFromLocal(Shell& sh, const Args& a) {
  if (a.operands.size() != 2) {
    sh.err << "Usage: alluxio fs copyFromLocal <src> <remoteDst>\n";
    co_return 2;
  }
  stdfs::path local(a.operands[0]);
  std::error_code ec;
  if (!stdfs::exists(local, ec)) {
    co_return Fails(sh, "copyFromLocal",
                    Error{ErrorCode::kNotFound, LocalUri(local) + " does not exist"});
  }
  std::string dst = a.operands[1];
  // Into an existing directory: keep the source's name.
  if (Result<FileInfo> existing = co_await sh.fs.GetStatus(dst);
      existing && existing->is_directory) {
    dst = ChildPath(existing->path, stdfs::absolute(local).filename().string());
  }
  Status s = co_await CopyTreeFromLocal(sh, local, dst);
  co_return s ? 0 : Fails(sh, "copyFromLocal", s.error());
}

Task<Status> CopyTreeToLocal(Shell& sh, const FileInfo& info, const stdfs::path& local) {
  if (info.is_symlink()) {  // copied as a link, as cp -r and tar do
    std::error_code ec;
    stdfs::create_symlink(info.symlink_target, local, ec);
    if (ec) co_return Fail(ErrnoError(ec.value(), "symlink " + local.string()));
    sh.out << "Copied " << info.path << " to " << LocalUri(local) << "\n";
    co_return Ok();
  }
  if (!info.is_directory) {
    std::ofstream out(local, std::ios::binary | std::ios::trunc);
    if (!out) co_return Fail(ErrnoError(errno, "create " + local.string()));
    if (Status s = co_await CopyToStream(sh, info.path, out); !s) co_return s;
    out.close();
    if (!out) co_return Fail(ErrorCode::kIoError, "writing " + local.string() + " failed");
    sh.out << "Copied " << info.path << " to " << LocalUri(local) << "\n";
    co_return Ok();
  }
  std::error_code ec;
  stdfs::create_directories(local, ec);
  if (ec) co_return Fail(ErrnoError(ec.value(), "mkdir " + local.string()));
  Result<std::vector<FileInfo>> children = co_await sh.fs.ListStatus(info.path);
  if (!children) co_return children.failure();
  for (const FileInfo& child : *children) {
    stdfs::path target = local / child.name;
    if (Status s = co_await CopyTreeToLocal(sh, child, target); !s) co_return s;
  }
  co_return Ok();
}

Task<int> CopyToLocal(Shell& sh, const Args& a) {
  if (a.operands.size() != 2) {
    sh.err << "Usage: alluxio fs copyToLocal <src> <localDst>\n";
    co_return 2;
  }
  Result<FileInfo> info = co_await sh.fs.GetStatus(a.operands[0]);
  if (!info) co_return Fails(sh, "copyToLocal", info.error());
  stdfs::path local(a.operands[1]);
  std::error_code ec;
  if (stdfs::is_directory(local, ec) && !info->name.empty()) local /= info->name;
  Status s = co_await CopyTreeToLocal(sh, *info, local);
  co_return s ? 0 : Fails(sh, "copyToLocal", s.error());
}

Task<int> Rm(Shell& sh, const Args& a) {
  if (a.operands.empty()) {
    sh.err << "Usage: alluxio fs rm [-R] <path>\n";
    co_return 2;
  }
  const bool recursive = a.Has("-R") || a.Has("-r");
  for (const std::string& path : a.operands) {
    if (!recursive) {
      Result<FileInfo> info = co_await sh.fs.GetStatus(path);
      if (!info) co_return Fails(sh, "rm", info.error());
      if (info->is_directory) {
        sh.err << "rm: cannot remove a directory, please try rm -R " << path << "\n";
        co_return 1;
      }
    }
    Status s = co_await sh.fs.Delete(path, recursive);
    if (!s) co_return Fails(sh, "rm", s.error());
    sh.out << path << " has been removed\n";
  }
  co_return 0;
}

Task<int> Mv(Shell& sh, const Args& a) {
  if (a.operands.size() != 2) {
    sh.err << "Usage: alluxio fs mv <src> <dst>\n";
    co_return 2;
  }
  std::string src = a.operands[0];
  std::string dst = a.operands[1];
  // Into an existing directory, as Alluxio's mv.
  if (Result<FileInfo> existing = co_await sh.fs.GetStatus(dst);
      existing && existing->is_directory) {
    std::string_view name(src);
    while (name.size() > 1 && name.back() == '/') name.remove_suffix(1);
    name = name.substr(name.rfind('/') + 1);
    dst = ChildPath(existing->path, std::string(name));
  }
  Status s = co_await sh.fs.Rename(src, dst, /*no_replace=*/true);
  if (!s) co_return Fails(sh, "mv", s.error());
  sh.out << "Renamed " << src << " to " << dst << "\n";
  co_return 0;
}

Task<int> Stat(Shell& sh, const Args& a) {
  if (a.operands.size() != 1) {
    sh.err << "Usage: alluxio fs stat <path>\n";
    co_return 2;
  }
  Result<FileInfo> info = co_await sh.fs.GetStatus(a.operands[0]);
  if (!info) co_return Fails(sh, "stat", info.error());
  const FileInfo& f = *info;
  if (f.is_symlink()) {
    sh.out << f.path << " is a symbolic link to " << f.symlink_target << ".\n";
  } else {
    sh.out << f.path << (f.is_directory ? " is a directory path.\n" : " is a file path.\n");
  }
  sh.out << fmt::format(
      "FileInfo{{fileId={}, name={}, path={}, ufsPath={}, length={}, blockSizeBytes={}, "
      "completed={}, folder={}, owner={}, group={}, mode={:o}, persisted={}, persistenceState={}, "
      "mountPoint={}, lastModificationTimeMs={}}}\n",
      f.id, f.name, f.path, f.ufs_uri, f.length, f.block_size, f.completed, f.is_directory, f.owner,
      f.group, f.mode, f.persisted, f.persistence_state(), f.mount_point, f.mtime_ms);
  if (!f.is_directory && !f.is_symlink() && f.completed) {
    Result<client::FileBlocks> blocks = co_await sh.fs.GetBlockInfos(f.path);
    if (!blocks) co_return Fails(sh, "stat", blocks.error());
    sh.out << "Containing the following blocks: \n";
    for (const client::BlockInfo& b : blocks->blocks) {
      std::string locations;
      for (const client::BlockLocation& l : b.locations) {
        if (!locations.empty()) locations += ", ";
        locations += l.address.ToString();
      }
      sh.out << fmt::format("BlockInfo{{id={}, offset={}, length={}, locations=[{}]}}\n",
                            b.block_id, b.offset, b.length, locations);
    }
  }
  co_return 0;
}

// Without operands: the mount table, as Alluxio prints it (secrets masked by the master).
Task<int> ListMounts(Shell& sh) {
  auto table = co_await sh.fs.GetMountTable();
  if (!table.ok()) co_return Fails(sh, "mount", table.error());
  for (const client::MountPointInfo& m : *table) {
    std::string properties;
    for (const auto& [key, value] : m.options) {
      properties += fmt::format("{}{}={}", properties.empty() ? "" : ", ", key, value);
    }
    sh.out << fmt::format("{}  on  {}  ({}, properties={{{}}})\n", m.ufs_uri, m.alluxio_path,
                          m.read_only ? "read-only" : "not read-only", properties);
  }
  co_return 0;
}

Task<int> Mount(Shell& sh, const Args& a) {
  if (a.operands.empty() && a.flags.empty()) co_return co_await ListMounts(sh);
  std::map<std::string, std::string> options;
  for (const std::string& option : a.option_values) {
    size_t eq = option.find('=');
    if (eq == std::string::npos || eq == 0) {
      sh.err << "mount: --option takes key=value, not '" << option << "'\n";
      co_return 2;
    }
    options[option.substr(0, eq)] = option.substr(eq + 1);
  }
  if (a.operands.size() != 2) {
    sh.err << "Usage: alluxio fs mount [--readonly] [--option <key>=<value>]... <alluxioPath> "
              "<ufsURI>\n       alluxio fs mount   (lists the mount points)\n";
    co_return 2;
  }
  Status s = co_await sh.fs.Mount(a.operands[0], a.operands[1], a.Has("--readonly"), options);
  if (!s) co_return Fails(sh, "mount", s.error());
  sh.out << "Mounted " << a.operands[1] << " at " << a.operands[0] << "\n";
  co_return 0;
}

Task<int> Unmount(Shell& sh, const Args& a) {
  if (a.operands.size() != 1) {
    sh.err << "Usage: alluxio fs unmount <alluxioPath>\n";
    co_return 2;
  }
  Status s = co_await sh.fs.Unmount(a.operands[0]);
  if (!s) co_return Fails(sh, "unmount", s.error());
  sh.out << "Unmounted " << a.operands[0] << "\n";
  co_return 0;
}

Task<int> Free(Shell& sh, const Args& a) {
  if (a.operands.size() != 1) {
    sh.err << "Usage: alluxio fs free [-R] <path>\n";
    co_return 2;
  }
  // As Alluxio's FreeCommand, a directory is freed with everything under it.
  Result<uint64_t> freed = co_await sh.fs.Free(a.operands[0], /*recursive=*/true);
  if (!freed) co_return Fails(sh, "free", freed.error());
  sh.out << a.operands[0] << " was successfully freed from Alluxio space.\n";
  co_return 0;
}

// Schedules the persist of `info`, or of every file under it (a directory), not persisted
// yet; adds the files to wait for to `waiting`.
Task<Status> SchedulePersists(Shell& sh, const FileInfo& info, std::vector<FileInfo>& waiting) {
  if (!info.is_directory) {
    if (info.is_symlink()) co_return Ok();
    Result<FileInfo> scheduled = co_await sh.fs.ScheduleAsyncPersistence(info.path);
    if (!scheduled) co_return scheduled.failure();
    waiting.push_back(*std::move(scheduled));
    co_return Ok();
  }
  Result<std::vector<FileInfo>> children = co_await sh.fs.ListStatus(info.path);
  if (!children) co_return children.failure();
  for (const FileInfo& child : *children) {
    if (Status s = co_await SchedulePersists(sh, child, waiting); !s) co_return s;
  }
  co_return Ok();
}

// As Alluxio's PersistCommand: schedules the persist of each file (every file under a
// directory) at once (alluxio.user.file.persistence.initial.wait.time does not apply) and waits
// until each is persisted, polling its status, for at most 20 minutes (Alluxio's default
// timeout).
Task<int> Persist(Shell& sh, const Args& a) {
  if (a.operands.empty()) {
    sh.err << "Usage: alluxio fs persist <path> [<path> ...]\n";
    co_return 2;
  }
  std::vector<FileInfo> waiting;
  for (const std::string& path : a.operands) {
    Result<FileInfo> info = co_await sh.fs.GetStatus(path);
    if (!info) co_return Fails(sh, "persist", info.error());
    if (Status s = co_await SchedulePersists(sh, *info, waiting); !s) {
      co_return Fails(sh, "persist", s.error());
    }
  }
  constexpr auto kPoll = std::chrono::milliseconds(100);
  constexpr auto kTimeout = std::chrono::minutes(20);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto waited = std::chrono::milliseconds(0);
  for (FileInfo& file : waiting) {
    while (!file.persisted) {
      if (waited >= kTimeout) {
        co_return Fails(sh, "persist",
                        Error{ErrorCode::kTimedOut, file.path + " is not persisted yet"});
      }
      timer.expires_after(kPoll);
      co_await timer.async_wait(asio::use_awaitable);
      waited += kPoll;
      Result<FileInfo> now = co_await sh.fs.GetStatus(file.path);
      if (!now) co_return Fails(sh, "persist", now.error());
      file = *std::move(now);
    }
    sh.out << fmt::format("persisted file {} with size {}\n", file.path, file.length);
  }
  co_return 0;
}

Task<Status> LoadTree(Shell& sh, const FileInfo& info) {
  if (!info.is_directory) {
    Result<uint64_t> loaded = co_await sh.fs.LoadFile(info.path);
    if (!loaded) co_return loaded.failure();
    sh.out << info.path << " loaded\n";
    co_return Ok();
  }
  Result<std::vector<FileInfo>> children = co_await sh.fs.ListStatus(info.path);
  if (!children) co_return children.failure();
  for (const FileInfo& child : *children) {
    if (Status s = co_await LoadTree(sh, child); !s) co_return s;
  }
  co_return Ok();
}

Task<int> Load(Shell& sh, const Args& a) {
  if (a.operands.size() != 1) {
    sh.err << "Usage: alluxio fs load <path>\n";
    co_return 2;
  }
  Result<FileInfo> info = co_await sh.fs.GetStatus(a.operands[0]);
  if (!info) co_return Fails(sh, "load", info.error());
  Status s = co_await LoadTree(sh, *info);
  co_return s ? 0 : Fails(sh, "load", s.error());
}

using Command = Task<int> (*)(Shell&, const Args&);

struct CommandDef {
  Command run;
  std::vector<std::string_view> flags;
};

const std::map<std::string_view, CommandDef>& FsCommands() {
  static const auto* commands = new std::map<std::string_view, CommandDef>{
      {"ls", {&Ls, {"-R"}}},
      {"mkdir", {&Mkdir, {"-p"}}},
      {"cat", {&Cat, {}}},
      {"copyFromLocal", {&CopyFromLocal, {}}},
      {"copyToLocal", {&CopyToLocal, {}}},
      {"rm", {&Rm, {"-R", "-r"}}},
      {"mv", {&Mv, {}}},
      {"stat", {&Stat, {}}},
      {"mount", {&Mount, {"--readonly", "--option"}}},
      {"unmount", {&Unmount, {}}},
      {"free", {&Free, {"-R"}}},
      {"load", {&Load, {}}},
      {"persist", {&Persist, {}}},
  };
  return *commands;
}

void FsUsage(std::ostream& err) {
  err << "Usage: alluxio fs [generic options]\n";
  for (const auto& [name, def] : FsCommands()) err << "\t[" << name << "]\n";
}

Task<int> RunFsadminReport(Shell& sh, const Args& a, const Configuration& conf) {
  Result<client::Capacity> capacity = co_await sh.fs.GetCapacity();
  if (!capacity) co_return Fails(sh, "report", capacity.error());
  Result<std::vector<client::WorkerInfo>> workers = co_await sh.fs.GetWorkers();
  if (!workers) co_return Fails(sh, "report", workers.error());
  size_t live = std::count_if(workers->begin(), workers->end(),
                              [](const client::WorkerInfo& w) { return w.live; });
  const uint64_t total = capacity->capacity_bytes, used = capacity->used_bytes;
  const uint64_t free = total > used ? total - used : 0;
  const bool capacity_only = !a.operands.empty() && a.operands[0] == "capacity";
  if (!capacity_only) {
    sh.out << "Alluxio cluster summary: \n";
    sh.out << "    Master Address: " << conf.GetString(PropertyKey::kMasterHostname) << ":"
           << conf.GetInt(PropertyKey::kMasterRpcPort) << "\n";
    sh.out << "    Live Workers: " << live << "\n";
    sh.out << "    Lost Workers: " << workers->size() - live << "\n";
    sh.out << "    Total Capacity: " << FormatBytes(total) << "\n";
    sh.out << "    Used Capacity: " << FormatBytes(used) << "\n";
    sh.out << "    Free Capacity: " << FormatBytes(free) << "\n";
    sh.out << "    UFS Capacity: " << FormatBytes(capacity->ufs_capacity_bytes) << "\n";
    sh.out << "    UFS Free: " << FormatBytes(capacity->ufs_free_bytes) << "\n\n";
  }
  sh.out << "Capacity information for all workers: \n";
  sh.out << "    Total Capacity: " << FormatBytes(total) << "\n";
  sh.out << "    Used Capacity: " << FormatBytes(used) << "\n";
  sh.out << "    Used Percentage: " << (total ? used * 100 / total : 0) << "%\n";
  sh.out << "    Free Percentage: " << (total ? free * 100 / total : 0) << "%\n\n";
  sh.out << fmt::format("{:<24}{:<8}{:<16}{:<16}{:<18}{}\n", "Worker Name", "State",
                        "Last Heartbeat", "Capacity", "Used", "Blocks");
  for (const client::WorkerInfo& w : *workers) {
    std::string used_text =
        fmt::format("{} ({}%)", FormatBytes(w.used_bytes),
                    w.capacity_bytes ? w.used_bytes * 100 / w.capacity_bytes : 0);
    sh.out << fmt::format("{:<24}{:<8}{:<16}{:<16}{:<18}{}\n", w.address.ToString(),
                          w.live ? "LIVE" : "LOST", w.last_heartbeat_ms_ago / 1000,
                          FormatBytes(w.capacity_bytes), used_text, w.block_count);
  }
  co_return 0;
}

// Makes the client for one command on the calling reactor.
Result<std::shared_ptr<client::ClientContext>> MakeContext(const Configuration& conf,
                                                           std::ostream& err) {
  auto context = client::ClientContext::Create(conf);
  if (!context) err << "alluxio: " << context.error().ToString() << "\n";
  return context;
}

}  // namespace

Task<int> RunFsCommand(std::vector<std::string> args, const Configuration& conf, std::ostream& out,
                       std::ostream& err) {
  if (args.empty()) {
    FsUsage(err);
    co_return 2;
  }
  auto it = FsCommands().find(args[0]);
  if (it == FsCommands().end()) {
    err << args[0] << " is an unknown command.\n";
    FsUsage(err);
    co_return 2;
  }
  Args a = Split(args);
  for (const std::string& flag : a.flags) {
    if (std::find(it->second.flags.begin(), it->second.flags.end(), flag) ==
        it->second.flags.end()) {
      err << args[0] << ": unknown option " << flag << "\n";
      co_return 2;
    }
  }
  auto context = MakeContext(conf, err);
  if (!context) co_return 1;
  FileSystemClient fs(*context);
  Shell sh{fs, out, err};
  int code = co_await it->second.run(sh, a);
  out.flush();
  co_return code;
}

Task<int> RunFsadminCommand(std::vector<std::string> args, const Configuration& conf,
                            std::ostream& out, std::ostream& err) {
  Args a = Split(args);
  if (args.empty() || args[0] != "report" || !a.flags.empty() ||
      (!a.operands.empty() && (a.operands.size() > 1 || a.operands[0] != "capacity"))) {
    err << "Usage: alluxio fsadmin report [capacity]\n";
    co_return 2;
  }
  auto context = MakeContext(conf, err);
  if (!context) co_return 1;
  FileSystemClient fs(*context);
  Shell sh{fs, out, err};
  co_return co_await RunFsadminReport(sh, a, conf);
}

}  // namespace alluxio::cli
