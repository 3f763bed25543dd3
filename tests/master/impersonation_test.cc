// Impersonation (core/master/impersonation.h): who may act as whom, read from Alluxio's
// properties, and the master's fileSystem service acting as the user it grants, checked as that
// user on a real namespace. The users are names this host does not know.
#include "core/master/impersonation.h"

#include <kj/async.h>

#include <gtest/gtest.h>

#include "core/common/clock.h"
#include "core/master/master_service.h"
#include "core/master/worker_registry.h"
#include "core/wire/wire_convert.h"

#include "tests/master/master_test_util.h"

namespace alluxio::testing {
namespace {

MasterUser User(std::string name, std::vector<std::string> groups = {}, bool superuser = false) {
  return MasterUser{std::move(name), std::move(groups), superuser};
}

TEST(ImpersonationTest, UnconfiguredOnlyASuperuserMayImpersonate) {
  const Impersonation none({});
  EXPECT_TRUE(none.Check(User("root", {}, true), User("nobody")).ok());
  Status refused = none.Check(User("alice"), User("bob"));
  EXPECT_EQ(refused.code(), ErrorCode::kNotPermitted);
  EXPECT_NE(refused.error().message.find("alluxio.master.security.impersonation.alice.users"),
            std::string::npos)
      << refused.error().message;
  EXPECT_TRUE(none.Check(User("alice"), User("alice")).ok());  // oneself
}

TEST(ImpersonationTest, UsersAndGroupsListWhomAUserMayActAs) {
  const Impersonation rules({{"proxy", {.users = {"bob"}, .groups = {"staff"}}},
                             {"any", {.users = {"*"}}},
                             {"anygroup", {.groups = {"*"}}},
                             {"root", {}}});
  EXPECT_TRUE(rules.Check(User("proxy"), User("bob")).ok());
  EXPECT_TRUE(rules.Check(User("proxy"), User("carol", {"other", "staff"})).ok());
  EXPECT_EQ(rules.Check(User("proxy"), User("carol", {"other"})).code(), ErrorCode::kNotPermitted);
  EXPECT_TRUE(rules.Check(User("any"), User("carol")).ok());
  EXPECT_TRUE(rules.Check(User("anygroup"), User("carol")).ok());
  // Configured for a superuser: the rules decide, not the default.
  EXPECT_EQ(rules.Check(User("root", {}, true), User("nobody")).code(), ErrorCode::kNotPermitted);
}

TEST(ImpersonationTest, ReadFromAlluxiosPropertiesWithoutWarnings) {
  ConfigLoadOptions load;
  load.read_site_file = false;
  load.command_line = {"alluxio.master.security.impersonation.proxy.users=bob, carol",
                       "alluxio.master.security.impersonation.proxy.groups=staff",
                       "alluxio.master.security.impersonation.root.users="};
  Result<Configuration> conf = Configuration::Load(load);
  ASSERT_TRUE(conf.ok()) << conf.error().ToString();
  EXPECT_TRUE(conf->warnings().empty()) << conf->warnings().front();
  const Impersonation rules = Impersonation::FromConfiguration(*conf);
  EXPECT_TRUE(rules.Check(User("proxy"), User("carol")).ok());
  EXPECT_TRUE(rules.Check(User("proxy"), User("dave", {"staff"})).ok());
  EXPECT_EQ(rules.Check(User("proxy"), User("dave")).code(), ErrorCode::kNotPermitted);
  EXPECT_EQ(rules.Check(User("root", {}, true), User("nobody")).code(), ErrorCode::kNotPermitted);
  EXPECT_TRUE(rules.Check(User("master-user", {}, true), User("nobody")).ok());
}

// The master's fileSystem service: granted impersonation acts as the acting user (checked as
// it), a refused one has a notPermitted status and no service.
class ImpersonatedServiceTest : public NamespaceTest {
 protected:
  void SetUp() override {
    NamespaceTest::SetUp();
    PermissionOptions options;
    options.superuser = "master-user";
    checker_ = std::make_unique<PermissionChecker>(*ns_, options);
    CreateDirectoryOptions dir;
    dir.mode = 0700;
    dir.owner = "master-user";
    dir.group = "staff";
    ASSERT_TRUE(ns_->CreateDirectory("/private", dir).ok());
    master_ = std::make_unique<wire::Master::Client>(MakeMasterBootstrap(
        MasterServiceContext{ns_.get(), &workers_, checker_.get(), &impersonation_}));
  }
  void TearDown() override {
    master_.reset();
    wait_scope_.reset();
    loop_.reset();
    checker_.reset();
    NamespaceTest::TearDown();
  }

  // The status of fileSystem(user, acting), and of a getStatus of /private on its service.
  std::pair<Status, Status> Call(const std::string& user, const std::string& acting) {
    auto request = master_->fileSystemRequest();
    request.setUser(user);
    request.setActingUser(acting);
    auto response = request.send().wait(*wait_scope_);
    Status granted = FromWire(response.getStatus());
    if (!granted.ok()) return {granted, Ok()};
    auto get = response.getService().getStatusRequest();
    get.setPath("/private");
    return {granted, FromWire(get.send().wait(*wait_scope_).getStatus())};
  }

  // Held by pointer: their destructors may throw, a fixture's may not.
  std::unique_ptr<kj::EventLoop> loop_ = std::make_unique<kj::EventLoop>();
  std::unique_ptr<kj::WaitScope> wait_scope_ = std::make_unique<kj::WaitScope>(*loop_);
  WorkerRegistry workers_{SteadyClock(), std::chrono::seconds(30)};
  const Impersonation impersonation_{{{"proxy", {.users = {"nobody", "master-user"}}}}};
  std::unique_ptr<PermissionChecker> checker_;
  std::unique_ptr<wire::Master::Client> master_;
};

TEST_F(ImpersonatedServiceTest, CallsActAsTheGrantedUser) {
  auto [granted, st] = Call("master-user", "");
  EXPECT_TRUE(granted.ok());
  EXPECT_TRUE(st.ok());
  std::tie(granted, st) = Call("master-user", "nobody");  // the superuser, by default
  EXPECT_TRUE(granted.ok());
  EXPECT_TRUE(st.ok());  // getStatus needs only x on "/"
  auto get = [&](const std::string& user, const std::string& acting) {
    auto request = master_->fileSystemRequest();
    request.setUser(user);
    request.setActingUser(acting);
    auto list = request.send().getService().listStatusRequest();
    list.setPath("/private");
    return FromWire(list.send().wait(*wait_scope_).getStatus());
  };
  EXPECT_TRUE(get("master-user", "").ok());
  EXPECT_EQ(get("master-user", "nobody").code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(get("proxy", "nobody").code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(get("proxy", "master-user").ok());  // acting as a superuser
}

// The groups a client names for the acting user count, besides those of the master's host.
TEST_F(ImpersonatedServiceTest, TheActingUsersNamedGroupsCount) {
  CreateDirectoryOptions dir;
  dir.mode = 0770;
  dir.owner = "master-user";
  dir.group = "team";
  ASSERT_TRUE(ns_->CreateDirectory("/team", dir).ok());
  auto list = [&](std::vector<std::string> groups) {
    auto request = master_->fileSystemRequest();
    request.setUser("master-user");
    request.setActingUser("nobody");
    request.setActingGroup("nogroup");
    auto named = request.initActingGroups(groups.size());
    for (size_t i = 0; i < groups.size(); ++i) named.set(i, groups[i]);
    auto call = request.send().getService().listStatusRequest();
    call.setPath("/team");
    return FromWire(call.send().wait(*wait_scope_).getStatus());
  };
  EXPECT_EQ(list({}).code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(list({"other", "team"}).ok());
}

TEST_F(ImpersonatedServiceTest, ARefusedImpersonationHasNoService) {
  auto [granted, st] = Call("proxy", "alice");
  EXPECT_EQ(granted.code(), ErrorCode::kNotPermitted);
  EXPECT_NE(granted.error().message.find("user proxy may not impersonate user alice"),
            std::string::npos)
      << granted.error().message;
  std::tie(granted, st) = Call("nobody", "master-user");
  EXPECT_EQ(granted.code(), ErrorCode::kNotPermitted);
}

}  // namespace
}  // namespace alluxio::testing
