#include "core/ufs/fault_injecting_under_file_system.h"

#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "core/common/config_value.h"
#include "core/common/logging.h"
#include "core/common/watched_file.h"

namespace alluxio {
namespace {

enum class OpKind { kRead, kWrite, kMetadata };

struct Method {
  std::string_view name;
  OpKind kind;
};

// Every method a rule can name, with its kind.
constexpr Method kMethods[] = {
    {"Open", OpKind::kRead},
    {"ReadAt", OpKind::kRead},
    {"CreateStaged", OpKind::kWrite},
    {"Write", OpKind::kWrite},
    {"Flush", OpKind::kWrite},
    {"Close", OpKind::kWrite},
    {"PublishStaged", OpKind::kWrite},
    {"GetStatus", OpKind::kMetadata},
    {"List", OpKind::kMetadata},
    {"Mkdirs", OpKind::kMetadata},
    {"CreateSymlink", OpKind::kMetadata},
    {"Delete", OpKind::kMetadata},
    {"Rename", OpKind::kMetadata},
    {"SetMode", OpKind::kMetadata},
    {"SetMtime", OpKind::kMetadata},
    {"CapacityAndFree", OpKind::kMetadata},
    {"DeleteStaged", OpKind::kMetadata},
    {"ListStaged", OpKind::kMetadata},
};

const Method* FindMethod(std::string_view name) {
  for (const Method& m : kMethods) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

bool ValidOp(std::string_view op) {
  return op == "*" || op == "read" || op == "write" || op == "metadata" ||
         FindMethod(op) != nullptr;
}

bool OpMatches(std::string_view op, const Method& method) {
  if (op == "*" || op == method.name) return true;
  switch (method.kind) {
    case OpKind::kRead:
      return op == "read";
    case OpKind::kWrite:
      return op == "write";
    case OpKind::kMetadata:
      return op == "metadata";
  }
  return false;
}

// `path` is `prefix` or below it (whole components).
bool UnderPrefix(std::string_view path, std::string_view prefix) {
  while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
  if (prefix.empty() || prefix == "/") return true;
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

// The path part of a UFS URI ("file:///a/b" → "/a/b", "/a/b" → "/a/b"), no trailing slash
// unless it is "/".
std::string UriPath(std::string_view uri) {
  if (size_t scheme_end = uri.find("://"); scheme_end != std::string_view::npos) {
    size_t slash = uri.find('/', scheme_end + 3);
    uri = slash == std::string_view::npos ? std::string_view("/") : uri.substr(slash);
  }
  while (uri.size() > 1 && uri.back() == '/') uri.remove_suffix(1);
  return std::string(uri);
}

class FaultInjectingReader final : public UfsReader {
 public:
  FaultInjectingReader(std::unique_ptr<UfsReader> inner, std::string path,
                       std::shared_ptr<UfsFaultInjector> faults)
      : inner_(std::move(inner)), path_(std::move(path)), faults_(std::move(faults)) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<char> buf) override {
    if (Status s = faults_->Before("ReadAt", path_); !s.ok()) return s.failure();
    return inner_->ReadAt(offset, buf);
  }

 private:
  std::unique_ptr<UfsReader> inner_;
  const std::string path_;
  std::shared_ptr<UfsFaultInjector> faults_;
};

class FaultInjectingWriter final : public UfsWriter {
 public:
  FaultInjectingWriter(std::unique_ptr<UfsWriter> inner, std::string path,
                       std::shared_ptr<UfsFaultInjector> faults)
      : inner_(std::move(inner)), path_(std::move(path)), faults_(std::move(faults)) {}

  Status Write(std::span<const char> data) override {
    if (Status s = faults_->Before("Write", path_); !s.ok()) return s;
    if (Status s = faults_->Charge(data.size()); !s.ok()) return s;
    return inner_->Write(data);
  }
  Status Flush() override {
    if (Status s = faults_->Before("Flush", path_); !s.ok()) return s;
    return inner_->Flush();
  }
  Result<UfsStatus> Close() override {
    if (Status s = faults_->Before("Close", path_); !s.ok()) return s.failure();
    return inner_->Close();
  }
  void Abort() override { inner_->Abort(); }

 private:
  std::unique_ptr<UfsWriter> inner_;
  const std::string path_;
  std::shared_ptr<UfsFaultInjector> faults_;
};

}  // namespace

Result<UfsFaultPlan> ParseUfsFaultPlan(std::string_view text) {
  UfsFaultPlan plan;
  for (const ControlLine& line : ControlLines(text)) {
    const std::vector<std::string_view>& w = line.words;
    auto bad = [&](std::string_view why) {
      return Fail(
          ErrorCode::kInvalidArgument,
          fmt::format("UFS fault line {} '{}': {}", line.number, TrimWhitespace(line.text), why));
    };
    if (w[0] == "clear" && w.size() == 1) {
      plan = {};
    } else if (w[0] == "fillup" && w.size() == 2) {
      auto bytes = ParseBytes(w[1]);
      if (!bytes.ok()) return bad(bytes.error().message);
      plan.fillup_bytes = static_cast<uint64_t>(*bytes);
    } else if ((w[0] == "fail" || w[0] == "stall") && (w.size() == 3 || w.size() == 4)) {
      UfsFaultRule rule;
      rule.op = std::string(w[1]);
      if (!ValidOp(rule.op)) return bad("unknown operation '" + rule.op + "'");
      if (w[0] == "fail") {
        rule.action = UfsFaultRule::Action::kFail;
        auto code = ErrorCodeFromSymbol(w[2]);
        if (!code) return bad("unknown error code (spell it as kIoError, kNoSpace, ...)");
        rule.code = *code;
      } else {
        rule.action = UfsFaultRule::Action::kStall;
        auto duration = ParseDuration(w[2]);
        if (!duration.ok()) return bad(duration.error().message);
        if (duration->count() < 0) return bad("negative duration");
        rule.stall = *duration;
      }
      if (w.size() == 4) {
        if (!w[3].starts_with('/')) return bad("the prefix must be an absolute path");
        rule.prefix = std::string(w[3]);
      }
      plan.rules.push_back(std::move(rule));
    } else {
      return bad(
          "expected 'fail <op> <code> [<prefix>]', 'stall <op> <duration> [<prefix>]', "
          "'fillup <bytes>' or 'clear'");
    }
  }
  return plan;
}

UfsFaultInjector::UfsFaultInjector(Options options) : sleep_(std::move(options.sleep)) {
  if (!options.control_file.empty()) {
    control_file_.emplace(std::move(options.control_file), options.check_interval);
  }
}

void UfsFaultInjector::SetPlan(UfsFaultPlan plan) {
  std::lock_guard lock(mu_);
  InstallLocked(std::move(plan));
}

void UfsFaultInjector::InstallLocked(UfsFaultPlan plan) {
  plan_ = std::move(plan);
  written_ = 0;
}

void UfsFaultInjector::RefreshLocked() {
  if (!control_file_) return;
  std::optional<std::string> text = control_file_->Changed();
  if (!text) return;
  auto plan = ParseUfsFaultPlan(*text);
  if (!plan.ok()) {
    ALX_LOG(kWarn, "ufs", "{}: {} (no UFS faults injected)", control_file_->path(),
            plan.error().ToString());
    InstallLocked({});
    return;
  }
  ALX_LOG(kInfo, "ufs", "UFS fault injection from {}: {} rule(s){}", control_file_->path(),
          plan->rules.size(),
          plan->fillup_bytes ? fmt::format(", fill-up after {} bytes", *plan->fillup_bytes) : "");
  InstallLocked(std::move(plan).value());
}

Status UfsFaultInjector::Before(std::string_view method, std::string_view path,
                                std::string_view path2) {
  const Method* m = FindMethod(method);
  if (m == nullptr) throw std::logic_error("UfsFaultInjector: unknown method");
  std::chrono::milliseconds stall{0};
  std::optional<Error> failure;
  {
    std::lock_guard lock(mu_);
    RefreshLocked();
    for (const UfsFaultRule& rule : plan_.rules) {
      if (!OpMatches(rule.op, *m)) continue;
      if (!UnderPrefix(path, rule.prefix) && (path2.empty() || !UnderPrefix(path2, rule.prefix))) {
        continue;
      }
      if (rule.action == UfsFaultRule::Action::kStall) {
        stall += rule.stall;
      } else if (!failure) {
        failure = Error{rule.code, fmt::format("injected UFS fault: {} {}", method, path)};
      }
    }
  }
  if (stall.count() > 0) {
    ALX_LOG(kInfo, "ufs", "injected stall of {} ms: {} {}", stall.count(), method, path);
    if (sleep_) {
      sleep_(stall);
    } else {
      std::this_thread::sleep_for(stall);
    }
  }
  if (failure) {
    ALX_LOG(kDebug, "ufs", "{}", failure->message);
    return Fail(std::move(*failure));
  }
  return Ok();
}

Status UfsFaultInjector::Charge(uint64_t bytes) {
  std::lock_guard lock(mu_);
  RefreshLocked();
  if (plan_.fillup_bytes && written_ + bytes > *plan_.fillup_bytes) {
    return Fail(ErrorCode::kNoSpace,
                fmt::format("injected UFS fault: full after {} bytes", *plan_.fillup_bytes));
  }
  written_ += bytes;
  return Ok();
}

std::optional<uint64_t> UfsFaultInjector::Remaining() {
  std::lock_guard lock(mu_);
  RefreshLocked();
  if (!plan_.fillup_bytes) return std::nullopt;
  return *plan_.fillup_bytes - std::min(written_, *plan_.fillup_bytes);
}

FaultInjectingUnderFileSystem::FaultInjectingUnderFileSystem(
    std::unique_ptr<UnderFileSystem> inner, std::string root_path,
    std::shared_ptr<UfsFaultInjector> faults)
    : inner_(std::move(inner)), root_path_(std::move(root_path)), faults_(std::move(faults)) {}

std::string FaultInjectingUnderFileSystem::Full(std::string_view path) const {
  if (root_path_ == "/") return std::string(path);
  if (path == "/") return root_path_;
  return root_path_ + std::string(path);
}

Result<UfsStatus> FaultInjectingUnderFileSystem::GetStatus(std::string_view path) {
  if (Status s = faults_->Before("GetStatus", Full(path)); !s.ok()) return s.failure();
  return inner_->GetStatus(path);
}

Result<std::vector<UfsStatus>> FaultInjectingUnderFileSystem::List(std::string_view path) {
  if (Status s = faults_->Before("List", Full(path)); !s.ok()) return s.failure();
  return inner_->List(path);
}

Result<std::unique_ptr<UfsReader>> FaultInjectingUnderFileSystem::Open(std::string_view path) {
  std::string full = Full(path);
  if (Status s = faults_->Before("Open", full); !s.ok()) return s.failure();
  auto reader = inner_->Open(path);
  if (!reader.ok()) return reader.failure();
  return std::unique_ptr<UfsReader>(
      std::make_unique<FaultInjectingReader>(std::move(reader).value(), std::move(full), faults_));
}

Result<std::unique_ptr<UfsReader>> FaultInjectingUnderFileSystem::OpenVersion(
    std::string_view path, std::string_view fingerprint) {
  std::string full = Full(path);
  if (Status s = faults_->Before("Open", full); !s.ok()) return s.failure();
  auto reader = inner_->OpenVersion(path, fingerprint);
  if (!reader.ok()) return reader.failure();
  return std::unique_ptr<UfsReader>(
      std::make_unique<FaultInjectingReader>(std::move(reader).value(), std::move(full), faults_));
}

Status FaultInjectingUnderFileSystem::Mkdirs(std::string_view path, uint32_t mode) {
  if (Status s = faults_->Before("Mkdirs", Full(path)); !s.ok()) return s;
  return inner_->Mkdirs(path, mode);
}

Status FaultInjectingUnderFileSystem::CreateSymlink(std::string_view path,
                                                    std::string_view target) {
  if (Status s = faults_->Before("CreateSymlink", Full(path)); !s.ok()) return s;
  return inner_->CreateSymlink(path, target);
}

Status FaultInjectingUnderFileSystem::Delete(std::string_view path, bool recursive) {
  if (Status s = faults_->Before("Delete", Full(path)); !s.ok()) return s;
  return inner_->Delete(path, recursive);
}

Status FaultInjectingUnderFileSystem::Rename(std::string_view src, std::string_view dst) {
  if (Status s = faults_->Before("Rename", Full(src), Full(dst)); !s.ok()) return s;
  return inner_->Rename(src, dst);
}

Status FaultInjectingUnderFileSystem::SetMode(std::string_view path, uint32_t mode) {
  if (Status s = faults_->Before("SetMode", Full(path)); !s.ok()) return s;
  return inner_->SetMode(path, mode);
}

Status FaultInjectingUnderFileSystem::SetMtime(std::string_view path, int64_t mtime_ms) {
  if (Status s = faults_->Before("SetMtime", Full(path)); !s.ok()) return s;
  return inner_->SetMtime(path, mtime_ms);
}

Result<std::pair<uint64_t, uint64_t>> FaultInjectingUnderFileSystem::CapacityAndFree() {
  if (Status s = faults_->Before("CapacityAndFree", root_path_); !s.ok()) return s.failure();
  auto space = inner_->CapacityAndFree();
  if (!space.ok()) return space;
  if (auto remaining = faults_->Remaining()) space->second = std::min(space->second, *remaining);
  return space;
}

Result<std::unique_ptr<UfsWriter>> FaultInjectingUnderFileSystem::CreateStaged(
    std::string_view name, uint32_t mode) {
  if (Status s = faults_->Before("CreateStaged", root_path_); !s.ok()) return s.failure();
  auto writer = inner_->CreateStaged(name, mode);
  if (!writer.ok()) return writer.failure();
  return std::unique_ptr<UfsWriter>(
      std::make_unique<FaultInjectingWriter>(std::move(writer).value(), root_path_, faults_));
}

Result<UfsStatus> FaultInjectingUnderFileSystem::PublishStaged(std::string_view name,
                                                               std::string_view path,
                                                               uint64_t length) {
  if (Status s = faults_->Before("PublishStaged", Full(path)); !s.ok()) return s.failure();
  return inner_->PublishStaged(name, path, length);
}

Status FaultInjectingUnderFileSystem::DeleteStaged(std::string_view name) {
  if (Status s = faults_->Before("DeleteStaged", root_path_); !s.ok()) return s;
  return inner_->DeleteStaged(name);
}

Result<std::vector<std::string>> FaultInjectingUnderFileSystem::ListStaged() {
  if (Status s = faults_->Before("ListStaged", root_path_); !s.ok()) return s.failure();
  return inner_->ListStaged();
}

UfsFactory MakeUfsFactory(std::string control_file) {
  if (control_file.empty()) return CreateUnderFileSystem;
  ALX_LOG(kWarn, "ufs", "UFS fault injection enabled: commands are read from {}", control_file);
  auto faults = std::make_shared<UfsFaultInjector>(
      UfsFaultInjector::Options{.control_file = std::move(control_file)});
  return [faults](std::string_view uri,
                  const UfsOptions& options) -> Result<std::unique_ptr<UnderFileSystem>> {
    auto inner = CreateUnderFileSystem(uri, options);
    if (!inner.ok()) return inner.failure();
    return std::unique_ptr<UnderFileSystem>(std::make_unique<FaultInjectingUnderFileSystem>(
        std::move(inner).value(), UriPath(uri), faults));
  };
}

}  // namespace alluxio
