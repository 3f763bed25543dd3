#include "core/master/permission_checker.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/common/local_user.h"
#include "core/master/alluxio_path.h"

namespace alluxio {
namespace {

constexpr uint32_t kRead = 4;
constexpr uint32_t kWrite = 2;
constexpr uint32_t kExecute = 1;
constexpr uint32_t kSticky = 01000;

bool InGroup(const MasterUser& user, const std::string& group) {
  return std::find(user.groups.begin(), user.groups.end(), group) != user.groups.end();
}

// The rwx bits `inode` grants `user`.
uint32_t Granted(const MasterUser& user, const Inode& inode) {
  if (inode.owner == user.name) return (inode.mode >> 6) & 7;
  if (InGroup(user, inode.group)) return (inode.mode >> 3) & 7;
  return inode.mode & 7;
}

std::string Rwx(uint32_t bits) {
  std::string out = "---";
  if (bits & kRead) out[0] = 'r';
  if (bits & kWrite) out[1] = 'w';
  if (bits & kExecute) out[2] = 'x';
  return out;
}

// The inodes along a path and how many components the path has.
struct Along {
  std::vector<std::string> components;
  std::vector<Inode> chain;  // chain[i]: the directory holding components[i]; chain[n]: target

  size_t n() const { return components.size(); }
  bool target_exists() const { return chain.size() == n() + 1; }
  const Inode& target() const { return chain[n()]; }
  const Inode& parent() const { return chain[n() - 1]; }
  std::string PathOf(size_t i) const { return JoinPath(components, i); }
};

Result<Along> Resolve(Namespace& ns, std::string_view path) {
  auto components = SplitPath(path);
  if (!components.ok()) return components.failure();
  auto chain = ns.InodesAlong(path);
  if (!chain.ok()) return chain.failure();
  return Along{std::move(*components), std::move(*chain)};
}

// Alluxio's message: "Permission denied: user=u, access=-w-, path=/a/b: failed at /a, ...".
Status Require(const MasterUser& user, uint32_t want, const Along& along, size_t at) {
  const Inode& inode = along.chain[at];
  if ((Granted(user, inode) & want) == want) return Ok();
  return Fail(
      ErrorCode::kPermissionDenied,
      fmt::format("Permission denied: user={}, access={}, path={}: failed at {}, inode "
                  "owner={}, inode group={}, inode mode={}{}{}",
                  user.name, Rwx(want), along.PathOf(along.n()), along.PathOf(at), inode.owner,
                  inode.group, Rwx(inode.mode >> 6), Rwx(inode.mode >> 3), Rwx(inode.mode)));
}

// Execute on every directory above the path's last component.
Status Traverse(const MasterUser& user, const Along& along) {
  for (size_t i = 0; i < along.chain.size() && i < along.n(); ++i) {
    if (!along.chain[i].is_directory) return Ok();  // the call fails with kNotADirectory
    if (Status st = Require(user, kExecute, along, i); !st.ok()) return st;
  }
  return Ok();
}

// Write and execute on the parent of an existing entry, and the sticky rule.
Status RemoveEntry(const MasterUser& user, const Along& along) {
  if (Status st = Require(user, kWrite | kExecute, along, along.n() - 1); !st.ok()) return st;
  const Inode& parent = along.parent();
  if ((parent.mode & kSticky) != 0 && user.name != parent.owner &&
      user.name != along.target().owner) {
    return Fail(ErrorCode::kNotPermitted,
                fmt::format("{} is in sticky directory {}: only its owner ({}) or the "
                            "directory's ({}) may remove or rename it, not {}",
                            along.PathOf(along.n()), along.PathOf(along.n() - 1),
                            along.target().owner, parent.owner, user.name));
  }
  return Ok();
}

// Write and execute on the deepest existing directory above a path to be created.
Status CreateEntry(const MasterUser& user, const Along& along) {
  const size_t deepest = std::min(along.chain.size(), along.n()) - 1;
  if (!along.chain[deepest].is_directory) return Ok();  // kNotADirectory / kAlreadyExists
  return Require(user, kWrite | kExecute, along, deepest);
}

}  // namespace

PermissionOptions PermissionOptions::FromConfiguration(const Configuration& conf) {
  PermissionOptions o;
  o.enabled = conf.GetBool(PropertyKey::kSecurityAuthorizationPermissionEnabled);
  o.superuser = LocalUserName();
  o.supergroup = conf.GetString(PropertyKey::kSecurityAuthorizationPermissionSupergroup);
  return o;
}

PermissionChecker::PermissionChecker(Namespace& ns, PermissionOptions options)
    : ns_(ns), options_(std::move(options)) {}

MasterUser PermissionChecker::Identify(std::string_view name, std::string_view group,
                                       const std::vector<std::string>& more_groups) const {
  MasterUser user;
  user.name = std::string(name);
  if (!group.empty()) user.groups.emplace_back(group);
  for (std::string& g : HostGroupsOf(user.name)) {
    if (!InGroup(user, g)) user.groups.push_back(std::move(g));
  }
  for (const std::string& g : more_groups) {
    if (!g.empty() && !InGroup(user, g)) user.groups.push_back(g);
  }
  user.superuser = !options_.enabled || (!user.name.empty() && user.name == options_.superuser) ||
                   (!options_.supergroup.empty() && InGroup(user, options_.supergroup));
  return user;
}

Status PermissionChecker::CheckLookup(const MasterUser& user, std::string_view path) {
  if (user.superuser) return Ok();
  auto along = Resolve(ns_, path);
  if (!along.ok()) return along.failure();
  return Traverse(user, *along);
}

Status PermissionChecker::CheckRead(const MasterUser& user, std::string_view path) {
  if (user.superuser) return Ok();
  auto along = Resolve(ns_, path);
  if (!along.ok()) return along.failure();
  if (Status st = Traverse(user, *along); !st.ok()) return st;
  if (!along->target_exists()) return Ok();
  return Require(user, kRead, *along, along->n());
}

Status PermissionChecker::CheckCreate(const MasterUser& user, std::string_view path) {
  if (user.superuser) return Ok();
  auto along = Resolve(ns_, path);
  if (!along.ok()) return along.failure();
  if (along->n() == 0) return Ok();
  if (Status st = Traverse(user, *along); !st.ok()) return st;
  return CreateEntry(user, *along);
}

Status PermissionChecker::CheckRemove(const MasterUser& user, std::string_view path) {
  if (user.superuser) return Ok();
  auto along = Resolve(ns_, path);
  if (!along.ok()) return along.failure();
  if (along->n() == 0) return Ok();
  if (Status st = Traverse(user, *along); !st.ok()) return st;
  if (!along->target_exists()) return Ok();
  return RemoveEntry(user, *along);
}

Status PermissionChecker::CheckRename(const MasterUser& user, std::string_view src,
                                      std::string_view dst) {
  if (user.superuser) return Ok();
  auto from = Resolve(ns_, src);
  if (!from.ok()) return from.failure();
  auto to = Resolve(ns_, dst);
  if (!to.ok()) return to.failure();
  if (from->n() == 0 || to->n() == 0) return Ok();
  if (Status st = Traverse(user, *from); !st.ok()) return st;
  if (!from->target_exists()) return Ok();
  if (Status st = RemoveEntry(user, *from); !st.ok()) return st;
  if (Status st = Traverse(user, *to); !st.ok()) return st;
  Status st = to->target_exists() ? RemoveEntry(user, *to) : CreateEntry(user, *to);
  if (!st.ok()) return st;
  if (from->target().is_directory && from->PathOf(from->n() - 1) != to->PathOf(to->n() - 1)) {
    return Require(user, kWrite, *from, from->n());  // its ".." changes
  }
  return Ok();
}

Status PermissionChecker::CheckSetAttribute(const MasterUser& user, std::string_view path,
                                            const SetAttributeOptions& options) {
  if (user.superuser) return Ok();
  auto along = Resolve(ns_, path);
  if (!along.ok()) return along.failure();
  if (Status st = Traverse(user, *along); !st.ok()) return st;
  if (!along->target_exists()) return Ok();
  const Inode& inode = along->target();
  const std::string target = along->PathOf(along->n());
  const bool owner = user.name == inode.owner;
  if (options.owner && *options.owner != inode.owner) {
    return Fail(
        ErrorCode::kNotPermitted,
        fmt::format("only a superuser changes the owner of {} (user={})", target, user.name));
  }
  if (options.group && *options.group != inode.group && !(owner && InGroup(user, *options.group))) {
    return Fail(ErrorCode::kNotPermitted,
                fmt::format("{} may not give {} to group {}: only its owner may, to a group of "
                            "its own",
                            user.name, target, *options.group));
  }
  if (options.mode && !owner) {
    return Fail(ErrorCode::kNotPermitted,
                fmt::format("only the owner of {} ({}) changes its mode, not {}", target,
                            inode.owner, user.name));
  }
  if (options.mtime_ms && !owner) return Require(user, kWrite, *along, along->n());
  return Ok();
}

}  // namespace alluxio
