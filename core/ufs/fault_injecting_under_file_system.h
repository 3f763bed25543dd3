// Fault injection for the under storage, as RocksDB's FaultInjectionTestFS: a decorator over
// any UnderFileSystem (and the readers and writers it opens) that, on command, fails calls with
// a chosen ErrorCode, stalls them, or "fills up" (writes beyond a byte budget fail with
// kNoSpace, as on a full disk). For tests and soak runs only; docs/fault_injection.md.
//
// Commands come from a UfsFaultPlan: set directly (unit tests) or read from a control file
// (alluxio.underfs.fault.injection.file) that a running master or worker re-reads when it
// changes, so faults are switched on and off without a restart. The control file holds one
// command a line; '#' starts a comment, blank lines are ignored:
//
//   fail <op> <code> [<prefix>]       calls matching op (and prefix) fail with code ("kIoError",
//                                     "kNoSpace", "kUnavailable": ErrorCodeSymbol spellings)
//   stall <op> <duration> [<prefix>]  calls matching op (and prefix) first sleep for duration
//                                     ("3s", "250ms": ParseDuration)
//   fillup <bytes>                    writes fail with kNoSpace once this many more bytes
//                                     ("1MB", "0": ParseBytes) have been written
//   clear                             drops every command above it
//
// <op> is an operation kind — "read" (Open, ReadAt), "write" (CreateStaged, Write, Flush, Close,
// PublishStaged), "metadata" (every other method), "*" (all) — or one method's name ("Rename",
// "ReadAt", "GetStatus", ...). <prefix> is an absolute local path matched by whole components
// against the path a call touches, spelled as on the local disk: the UFS root's path joined with
// the path inside it (so the master's "/a" in "file:///ufs" and the worker's "/ufs/a" in
// "file:///" are both "/ufs/a"). A staged file's writer touches its UFS root's path; Rename
// matches on either path. An empty or absent file, or one that does not parse (logged), injects
// nothing. Every change of the file installs a new plan and restarts the fill-up count.
//
// Cost: MakeUfsFactory("") is CreateUnderFileSystem itself. With a control file, every call
// takes a mutex and stats the file at most once per check interval (100 ms).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/common/watched_file.h"
#include "core/ufs/under_file_system.h"

namespace alluxio {

struct UfsFaultRule {
  enum class Action { kFail, kStall };
  Action action = Action::kFail;
  std::string op;                        // "read", "write", "metadata", "*" or a method name
  ErrorCode code = ErrorCode::kIoError;  // kFail
  std::chrono::milliseconds stall{0};    // kStall
  std::string prefix;                    // "": every path
};

struct UfsFaultPlan {
  std::vector<UfsFaultRule> rules;  // every matching rule applies, in order (stalls add up)
  std::optional<uint64_t> fillup_bytes;
};

// Parses control-file text (format above). kInvalidArgument naming the line for anything else.
Result<UfsFaultPlan> ParseUfsFaultPlan(std::string_view text);

// The faults in force for every UFS of a process. Thread-safe.
class UfsFaultInjector {
 public:
  struct Options {
    std::string control_file;                       // "": only SetPlan()
    std::chrono::milliseconds check_interval{100};  // minimum time between two stats of it
    // How a stall waits (tests record instead of sleeping). Default: this thread sleeps.
    std::function<void(std::chrono::milliseconds)> sleep;
  };
  explicit UfsFaultInjector(Options options);

  // Installs `plan` (until the control file next changes) and restarts the fill-up count.
  void SetPlan(UfsFaultPlan plan);

  // Applies the plan to a call of `method` on `path` (and `path2`, Rename's destination), both
  // as the prefix comment above spells them: sleeps the matching stalls, then returns the first
  // matching failure, else Ok(). Reloads the control file first if it is due. `method` must be
  // an UnderFileSystem, UfsReader or UfsWriter method name.
  Status Before(std::string_view method, std::string_view path, std::string_view path2 = {});
  // Counts `bytes` about to be written: kNoSpace (and nothing counted) when they would exceed
  // the fill-up budget.
  Status Charge(uint64_t bytes);
  // Bytes left before the fill-up budget is reached; nullopt without one.
  std::optional<uint64_t> Remaining();

 private:
  void RefreshLocked();
  void InstallLocked(UfsFaultPlan plan);

  const std::function<void(std::chrono::milliseconds)> sleep_;
  std::mutex mu_;
  std::optional<WatchedFile> control_file_;  // guarded by mu_
  UfsFaultPlan plan_;
  uint64_t written_ = 0;  // since plan_ was installed
};

// Wraps `inner`, rooted at the local path `root_path` (the path part of its URI), so that every
// call first goes through `faults`.
class FaultInjectingUnderFileSystem final : public UnderFileSystem {
 public:
  FaultInjectingUnderFileSystem(std::unique_ptr<UnderFileSystem> inner, std::string root_path,
                                std::shared_ptr<UfsFaultInjector> faults);

  Result<UfsStatus> GetStatus(std::string_view path) override;
  Result<std::vector<UfsStatus>> List(std::string_view path) override;
  Result<std::unique_ptr<UfsReader>> Open(std::string_view path) override;
  // An "Open" for the faults.
  Result<std::unique_ptr<UfsReader>> OpenVersion(std::string_view path,
                                                 std::string_view fingerprint) override;
  Status Mkdirs(std::string_view path, uint32_t mode) override;
  Status CreateSymlink(std::string_view path, std::string_view target) override;
  Status Delete(std::string_view path, bool recursive) override;
  Status Rename(std::string_view src, std::string_view dst) override;
  Status SetMode(std::string_view path, uint32_t mode) override;
  Status SetMtime(std::string_view path, int64_t mtime_ms) override;
  // The inner UFS's figures, free space capped at what the fill-up budget leaves.
  Result<std::pair<uint64_t, uint64_t>> CapacityAndFree() override;
  Result<std::unique_ptr<UfsWriter>> CreateStaged(std::string_view name, uint32_t mode) override;
  Result<UfsStatus> PublishStaged(std::string_view name, std::string_view path,
                                  uint64_t length) override;
  Status DeleteStaged(std::string_view name) override;
  Result<std::vector<std::string>> ListStaged() override;

 private:
  std::string Full(std::string_view path) const;  // root_path_ joined with path

  std::unique_ptr<UnderFileSystem> inner_;
  const std::string root_path_;
  std::shared_ptr<UfsFaultInjector> faults_;
};

// CreateUnderFileSystem when `control_file` is empty; otherwise a factory whose UFS objects
// are wrapped in FaultInjectingUnderFileSystem, all sharing one injector reading control_file.
UfsFactory MakeUfsFactory(std::string control_file);

}  // namespace alluxio
