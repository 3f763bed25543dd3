#include "core/master/impersonation.h"

#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/common/config_value.h"

namespace alluxio {
namespace {

std::set<std::string> SetOf(std::string_view list) {
  std::vector<std::string> items = SplitList(list);
  return {items.begin(), items.end()};
}

}  // namespace

Impersonation Impersonation::FromConfiguration(const Configuration& conf) {
  std::map<std::string, Rule> rules;
  for (const ConfigEntry& entry : conf.Entries()) {
    if (auto user = MatchTemplate(entry.name, kImpersonationUsersTemplate)) {
      rules[std::string(*user)].users = SetOf(entry.value);
    } else if (auto user = MatchTemplate(entry.name, kImpersonationGroupsTemplate)) {
      rules[std::string(*user)].groups = SetOf(entry.value);
    }
  }
  return Impersonation(std::move(rules));
}

Status Impersonation::Check(const MasterUser& client, const MasterUser& acting) const {
  if (client.name == acting.name) return Ok();
  auto rule = rules_.find(client.name);
  if (rule == rules_.end()) {
    if (client.superuser) return Ok();
  } else {
    const Rule& r = rule->second;
    if (r.users.contains("*") || r.users.contains(acting.name) || r.groups.contains("*")) {
      return Ok();
    }
    for (const std::string& group : acting.groups) {
      if (r.groups.contains(group)) return Ok();
    }
  }
  return Fail(ErrorCode::kNotPermitted,
              fmt::format("user {} may not impersonate user {} (groups {}): allow it on the "
                          "master with {}{}{} or {}{}{}",
                          client.name, acting.name, fmt::join(acting.groups, ","),
                          kImpersonationUsersTemplate.prefix, client.name,
                          kImpersonationUsersTemplate.suffix, kImpersonationGroupsTemplate.prefix,
                          client.name, kImpersonationGroupsTemplate.suffix));
}

}  // namespace alluxio
