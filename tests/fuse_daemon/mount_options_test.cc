#include "core/fuse_daemon/mount_options.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/common/live_process.h"
#include "core/fuse_daemon/mount_registry.h"
#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

using Items = std::vector<std::string>;

TEST(MountOptionsTest, SplitsCommaSeparatedArgumentsAndDropsEmptyItems) {
  EXPECT_EQ(SplitMountOptions({"a,b=c", ",,d,"}), (Items{"a", "b=c", "d"}));
  EXPECT_TRUE(SplitMountOptions({}).empty());
}

TEST(MountOptionsTest, EachKindOfItemGoesWhereItBelongs) {
  Configuration conf;
  FuseMountSpec spec;
  Items items{"direct_io",
              "attr_timeout=7200",
              "entry_timeout=0.5",
              "max_read=131072",
              "max_idle_threads=64",
              "ro",
              "allow_root",
              "alluxio.user.file.writetype.default=MUST_CACHE",
              "metadata_cache_size=5000",
              "metadata_cache_expire=2min"};
  ASSERT_TRUE(ApplyMountOptions(items, &conf, &spec).ok());
  EXPECT_TRUE(spec.fuse.direct_io);
  EXPECT_EQ(spec.fuse.attr_timeout, 7200);
  EXPECT_EQ(spec.fuse.entry_timeout, 0.5);
  EXPECT_EQ(spec.fuse.max_read, 131072u);
  EXPECT_EQ(spec.request_slots, 64u);
  EXPECT_EQ(spec.kernel_options, (Items{"ro", "allow_root", "default_permissions"}));
  EXPECT_EQ(conf.GetEnum(PropertyKey::kUserFileWriteTypeDefault), "MUST_CACHE");
  EXPECT_TRUE(conf.GetBool(PropertyKey::kUserMetadataCacheEnabled));
  EXPECT_EQ(conf.GetInt(PropertyKey::kUserMetadataCacheMaxSize), 5000);
  EXPECT_EQ(conf.GetDuration(PropertyKey::kUserMetadataCacheExpirationTime),
            std::chrono::minutes(2));
  EXPECT_EQ(spec.items, items);
}

// Finding 3 of issue 16: allow_other without default_permissions let any user act as the user
// who mounted (read their 0600 files, delete their files).
TEST(MountOptionsTest, SharingTheMountMakesTheKernelCheckPermissionsUnlessOptedOut) {
  for (const std::string sharing : {"allow_other", "allow_root"}) {
    Configuration conf;
    FuseMountSpec spec;
    ASSERT_TRUE(ApplyMountOptions({sharing}, &conf, &spec).ok());
    EXPECT_EQ(spec.kernel_options, (Items{sharing, "default_permissions"})) << sharing;
    EXPECT_EQ(spec.permission_check, FuseMountSpec::PermissionCheck::kAdded);

    FuseMountSpec given;
    ASSERT_TRUE(ApplyMountOptions({"default_permissions", sharing}, &conf, &given).ok());
    EXPECT_EQ(given.kernel_options, (Items{"default_permissions", sharing})) << sharing;
    EXPECT_EQ(given.permission_check, FuseMountSpec::PermissionCheck::kAsGiven);

    Configuration opted_out;
    FuseMountSpec unchecked;
    ASSERT_TRUE(ApplyMountOptions({sharing, "alluxio.fuse.permission.check.enabled=false"},
                                  &opted_out, &unchecked)
                    .ok());
    EXPECT_EQ(unchecked.kernel_options, (Items{sharing})) << sharing;
    EXPECT_EQ(unchecked.permission_check, FuseMountSpec::PermissionCheck::kOptedOut);
  }
  Configuration conf;
  FuseMountSpec own;
  ASSERT_TRUE(ApplyMountOptions({"ro"}, &conf, &own).ok());
  EXPECT_EQ(own.kernel_options, (Items{"ro"}));
}

TEST(MountOptionsTest, WithoutItemsTheConfiguredDefaultApplies) {
  Configuration conf;
  FuseMountSpec spec;
  ASSERT_TRUE(ApplyMountOptions({}, &conf, &spec).ok());
  EXPECT_EQ(spec.fuse.attr_timeout, 600);
  EXPECT_EQ(spec.fuse.entry_timeout, 600);
  ASSERT_TRUE(conf.Set(PropertyKey::kFuseMountOptions, "kernel_cache,max_idle_threads=3").ok());
  FuseMountSpec configured;
  ASSERT_TRUE(ApplyMountOptions({}, &conf, &configured).ok());
  EXPECT_TRUE(configured.fuse.kernel_cache);
  EXPECT_EQ(configured.request_slots, 3u);
}

TEST(MountOptionsTest, BadItemsAreErrorsNamingTheItem) {
  for (const std::string item :
       {"attr_timeout=soon", "max_idle_threads=0", "max_idle_threads=100000", "max_idle_threads=x",
        "alluxio.user.block.size.bytes.default=huge", "alluxio.no.such.property=1",
        "metadata_cache_size"}) {
    Configuration conf;
    FuseMountSpec spec;
    Status s = ApplyMountOptions({item}, &conf, &spec);
    ASSERT_FALSE(s.ok()) << item;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument) << item;
    EXPECT_NE(s.error().message.find(item.substr(0, item.find('='))), std::string::npos)
        << s.error().message;
  }
  Configuration conf;
  FuseMountSpec spec;
  Status both = ApplyMountOptions({"allow_other", "allow_root"}, &conf, &spec);
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.error().message.find("allow_other and allow_root"), std::string::npos);
}

TEST(MountRegistryTest, RecordsLiveMountsAndDropsThoseOfDeadProcesses) {
  testing::TempDir home;
  Configuration conf;
  ASSERT_TRUE(conf.Set(PropertyKey::kWorkDir, home.path()).ok());
  MountRegistry registry(conf);
  ASSERT_TRUE(registry.Add({getpid(), "/mnt/b", "/people", false}).ok());
  ASSERT_TRUE(registry.Add({getpid(), "/mnt/a", "/", true}).ok());
  // A pid that cannot be alive (beyond pid_max).
  ASSERT_TRUE(registry.Add({1 << 30, "/mnt/dead", "/", false}).ok());
  auto records = registry.List();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].mount_point, "/mnt/a");
  EXPECT_TRUE(records[0].hosted_by_worker);
  EXPECT_EQ(records[1].alluxio_path, "/people");
  ASSERT_TRUE(registry.Find("/mnt/b").has_value());
  registry.Remove("/mnt/b", getpid() + 1);  // someone else's: kept
  EXPECT_TRUE(registry.Find("/mnt/b").has_value());
  registry.Remove("/mnt/b", getpid());
  EXPECT_FALSE(registry.Find("/mnt/b").has_value());
}

TEST(MountRegistryTest, DropsRecordsOfZombiesAndOfOtherPrograms) {
  testing::TempDir home;
  Configuration conf;
  ASSERT_TRUE(conf.Set(PropertyKey::kWorkDir, home.path()).ok());
  MountRegistry registry(conf);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, child, &info, WEXITED | WNOWAIT), 0);  // a zombie until reaped below
  ASSERT_TRUE(registry.Add({child, "/mnt/zombie", "/", false, ""}).ok());
  ASSERT_TRUE(registry.Add({getpid(), "/mnt/reused", "/", false, "alluxio-fuse"}).ok());
  ASSERT_TRUE(registry.Add({getpid(), "/mnt/ours", "/", false, CurrentProgramName()}).ok());
  auto records = registry.List();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].mount_point, "/mnt/ours");
  EXPECT_EQ(records[0].program, CurrentProgramName());
  waitpid(child, nullptr, 0);
}

}  // namespace
}  // namespace alluxio
