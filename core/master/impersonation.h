// Which users a client's user may act as (Alluxio's impersonation): a client that names user U
// when it asks for the file system service (schema/master.capnp, Master.fileSystem) may ask to
// act as another user A; every call on that service is then checked against A
// (permission_checker.h). U may act as A when
//   - alluxio.master.security.impersonation.U.users lists A (comma-separated, `*`: anyone), or
//   - alluxio.master.security.impersonation.U.groups lists a group of A (the group the client
//     names for A first, then the groups this host gives A; `*`: any group);
//   - neither property is set for U (not even empty) and U is a superuser: the superuser passes
//     every check already, so acting as another user only lowers its rights. Setting either
//     property (`...root.users=` for none) replaces this default.
// Acting as oneself is always allowed. Anything else is kNotPermitted (EPERM).
//
// The trust model is Alluxio's SIMPLE authentication: the master believes the user a client
// names, so impersonation limits what a well-behaved client does on behalf of others (the FUSE
// daemon acting as each caller), it does not authenticate. Immutable after construction;
// thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>

#include "core/common/configuration.h"
#include "core/common/result.h"
#include "core/master/permission_checker.h"

namespace alluxio {

class Impersonation {
 public:
  // Who may act as whom, for users given by name.
  struct Rule {
    std::set<std::string> users;   // "*": anyone
    std::set<std::string> groups;  // "*": any group
  };

  explicit Impersonation(std::map<std::string, Rule> rules) : rules_(std::move(rules)) {}

  // Reads every alluxio.master.security.impersonation.<user>.{users,groups} set in `conf`.
  static Impersonation FromConfiguration(const Configuration& conf);

  // Ok when `client` may act as `acting`; kNotPermitted with a message naming both and the
  // property that would allow it.
  Status Check(const MasterUser& client, const MasterUser& acting) const;

 private:
  const std::map<std::string, Rule> rules_;
};

}  // namespace alluxio
