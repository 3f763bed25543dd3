// The master's permission checks (Alluxio's alluxio.security.authorization.permission.*): each
// client names its user when it asks for the file system service (alluxio.security.login.username,
// else the user it runs as; trusted as Alluxio's SIMPLE authentication trusts it), and every
// call is checked against the owner, group and mode bits of the inodes it touches:
//   - execute on every directory above the path (all calls that name a path);
//   - read on the path to list a directory or read a file's blocks (listStatus, getBlockInfos,
//     free);
//   - write and execute on the deepest existing directory above a path to create it
//     (createFile, createDirectory, mount);
//   - write and execute on the parent to remove or rename (remove, rename's source and
//     destination, unmount); in a sticky directory (mode 01000) only the owner of the entry or
//     of the directory may (else kNotPermitted); a directory moved to another parent needs
//     write on itself;
//   - setAttribute: the owner changes mode and group (to a group of its own), only a superuser
//     changes the owner (kNotPermitted otherwise); the owner, or a user with write permission,
//     sets the modification time (kPermissionDenied).
// The superuser is the user the master runs as, and members of the supergroup; it passes every
// check. A failed check is kPermissionDenied (EACCES) unless said otherwise. completeFile and
// abortFile name a file id handed out by createFile and are not checked. The owner and group a
// create names are recorded as given: a client that may name any user gains nothing by
// refusing them, and a FUSE mount replacing another user's file (O_TRUNC) keeps its owner so.
//
// Checks run just before the call they guard, each under the namespace lock but not in the
// same critical section as the change (a concurrent chmod may land in between). Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/common/configuration.h"
#include "core/common/result.h"
#include "core/master/inode.h"
#include "core/master/namespace.h"

namespace alluxio {

// The user a client named, as the master sees it.
struct MasterUser {
  std::string name;
  std::vector<std::string> groups;  // the group the client named first, then this host's
  bool superuser = false;           // passes every check (also when checks are disabled)
};

struct PermissionOptions {
  bool enabled = true;     // alluxio.security.authorization.permission.enabled
  std::string superuser;   // the user the master runs as
  std::string supergroup;  // alluxio.security.authorization.permission.supergroup

  // The master's own user (LocalUserName) as the superuser.
  static PermissionOptions FromConfiguration(const Configuration& conf);
};

class PermissionChecker {
 public:
  // `ns` outlives the checker.
  PermissionChecker(Namespace& ns, PermissionOptions options);

  // The user a client named with its primary `group` ("" if none): its groups are `group`, the
  // groups this host gives `name` (HostGroupsOf) and `more_groups` (what the client says the
  // user also has, e.g. a process's supplementary groups). A client naming no user gets the
  // "other" bits of everything.
  MasterUser Identify(std::string_view name, std::string_view group,
                      const std::vector<std::string>& more_groups = {}) const;

  Status CheckLookup(const MasterUser& user, std::string_view path);
  Status CheckRead(const MasterUser& user, std::string_view path);
  Status CheckCreate(const MasterUser& user, std::string_view path);
  Status CheckRemove(const MasterUser& user, std::string_view path);
  Status CheckRename(const MasterUser& user, std::string_view src, std::string_view dst);
  Status CheckSetAttribute(const MasterUser& user, std::string_view path,
                           const SetAttributeOptions& options);

 private:
  Namespace& ns_;
  const PermissionOptions options_;
};

}  // namespace alluxio
