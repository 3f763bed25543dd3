#include "core/common/configuration.h"

#include <set>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/common/test_util.h"

namespace alluxio {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using K = PropertyKey;

constexpr int64_t kMB = 1024 * 1024;
constexpr int64_t kGB = 1024 * kMB;

// A site file in a temporary conf dir, loaded with an injected environment.
class ConfigurationTest : public ::testing::Test {
 protected:
  std::string SiteFile() const { return dir_.Sub("conf/alluxio-site.properties"); }

  void WriteSite(const std::string& text) { testing::WriteFile(SiteFile(), text); }

  Result<Configuration> Load(Environment env = {}, std::vector<std::string> command_line = {}) {
    env.emplace("ALLUXIO_CONF_DIR", dir_.Sub("conf"));
    ConfigLoadOptions opts;
    opts.env = std::move(env);
    opts.command_line = std::move(command_line);
    return Configuration::Load(opts);
  }

  Configuration LoadOk(Environment env = {}, std::vector<std::string> command_line = {}) {
    auto conf = Load(std::move(env), std::move(command_line));
    EXPECT_TRUE(conf.ok()) << conf.error().message;
    return conf.ok() ? *conf : Configuration();
  }

  // The error message of a load expected to fail.
  std::string LoadError(Environment env = {}, std::vector<std::string> command_line = {}) {
    auto conf = Load(std::move(env), std::move(command_line));
    EXPECT_FALSE(conf.ok());
    if (conf.ok()) return "";
    EXPECT_EQ(conf.code(), ErrorCode::kInvalidArgument);
    return conf.error().message;
  }

  testing::TempDir dir_;
};

TEST_F(ConfigurationTest, ReadsSiteFileSyntax) {
  WriteSite(
      "# Alluxio site properties\n"
      "! bang comment\n"
      "alluxio.master.hostname=master-1\n"
      "alluxio.master.rpc.port : 20000\n"
      "   alluxio.user.block.size.bytes.default   =   128MB   \n"
      "alluxio.fuse.mount.options=kernel_cache,\\\n"
      "    entry_timeout=7200,\\\n"
      "    attr_timeout=7200\n"
      "alluxio.worker.tieredstore.level0.dirs.path /mnt/a, /mnt/b\n");
  Configuration conf = LoadOk();
  EXPECT_EQ(conf.site_file(), SiteFile());
  EXPECT_EQ(conf.GetString(K::kMasterHostname), "master-1");
  EXPECT_EQ(conf.GetInt(K::kMasterRpcPort), 20000);
  EXPECT_EQ(conf.GetBytes(K::kUserBlockSizeBytesDefault), 128 * kMB);
  EXPECT_EQ(conf.GetList(K::kFuseMountOptions),
            (std::vector<std::string>{"kernel_cache", "entry_timeout=7200", "attr_timeout=7200"}));
  EXPECT_EQ(conf.GetList(K::kWorkerTieredstoreLevel0DirsPath),
            (std::vector<std::string>{"/mnt/a", "/mnt/b"}));
  EXPECT_EQ(conf.GetSource(K::kMasterRpcPort).ToString(), SiteFile() + ":4");
  EXPECT_EQ(conf.GetSource(K::kFuseMountOptions).ToString(), SiteFile() + ":6");
  EXPECT_TRUE(conf.IsSet(K::kMasterHostname));
  EXPECT_FALSE(conf.IsSet(K::kWorkerRpcPort));
  EXPECT_EQ(conf.GetSource(K::kWorkerRpcPort).ToString(), "default");
  EXPECT_TRUE(conf.warnings().empty());
}

TEST_F(ConfigurationTest, MissingSiteFileMeansDefaults) {
  Configuration conf = LoadOk();
  EXPECT_EQ(conf.site_file(), "");
  EXPECT_EQ(conf.GetInt(K::kMasterRpcPort), 19998);
}

TEST_F(ConfigurationTest, UnreadableSiteFileFails) {
  std::filesystem::create_directories(SiteFile());  // a directory where the file should be
  auto conf = Load();
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(conf.error().message, HasSubstr(SiteFile()));
}

TEST_F(ConfigurationTest, PrecedenceFileThenEnvironmentThenCommandLine) {
  WriteSite(
      "alluxio.master.hostname=from-file\n"
      "alluxio.worker.ramdisk.size=3GB\n"
      "alluxio.master.rpc.port=1111\n");
  Configuration file_env = LoadOk({{"ALLUXIO_MASTER_HOSTNAME", "from-env"}});
  EXPECT_EQ(file_env.GetString(K::kMasterHostname), "from-env");
  EXPECT_EQ(file_env.GetSource(K::kMasterHostname).ToString(),
            "environment variable ALLUXIO_MASTER_HOSTNAME");
  EXPECT_EQ(file_env.GetBytes(K::kWorkerRamdiskSize), 3 * kGB);

  Configuration all =
      LoadOk({{"ALLUXIO_MASTER_HOSTNAME", "from-env"}, {"ALLUXIO_WORKER_MEMORY_SIZE", "2GB"}},
             {"alluxio.master.hostname=from-cli", "alluxio.master.rpc.port=2222"});
  EXPECT_EQ(all.GetString(K::kMasterHostname), "from-cli");
  EXPECT_EQ(all.GetSource(K::kMasterHostname).ToString(), "command line");
  EXPECT_EQ(all.GetInt(K::kMasterRpcPort), 2222);
  EXPECT_EQ(all.GetBytes(K::kWorkerRamdiskSize), 2 * kGB);
  // The quota default follows the ramdisk size through ${}.
  EXPECT_EQ(all.GetBytesList(K::kWorkerTieredstoreLevel0DirsQuota), std::vector<int64_t>{2 * kGB});
}

TEST_F(ConfigurationTest, EnvironmentTableCoversAlluxioVariables) {
  Configuration conf = LoadOk({{"ALLUXIO_HOME", "/srv/alluxio"},
                               {"ALLUXIO_RAM_FOLDER", "/ram"},
                               {"ALLUXIO_LOGS_DIR", "/var/log/alluxio"},
                               {"ALLUXIO_WORKER_RAMDISK_SIZE", "4GB"},
                               {"ALLUXIO_MASTER_MOUNT_TABLE_ROOT_UFS", "/ufs"},
                               {"UNRELATED", "x"},
                               {"ALLUXIO_MASTER_HOSTNAME", ""}});  // empty: unset
  EXPECT_EQ(conf.GetString(K::kHome), "/srv/alluxio");
  EXPECT_EQ(conf.GetList(K::kWorkerTieredstoreLevel0DirsPath), std::vector<std::string>{"/ram"});
  EXPECT_EQ(conf.GetString(K::kLogsDir), "/var/log/alluxio");
  EXPECT_EQ(conf.GetBytes(K::kWorkerRamdiskSize), 4 * kGB);
  EXPECT_EQ(conf.GetString(K::kMasterMountTableRootUfs), "/ufs");
  EXPECT_EQ(conf.GetString(K::kMasterHostname), "localhost");
  EXPECT_EQ(conf.GetString(K::kWorkDir), "/srv/alluxio");
  EXPECT_EQ(conf.GetString(K::kMasterMetastoreDir), "/srv/alluxio/metastore");
  EXPECT_FALSE(conf.Lookup("UNRELATED").has_value());
}

TEST_F(ConfigurationTest, SiteFileFoundThroughAlluxioHome) {
  testing::WriteFile(dir_.Sub("home/conf/alluxio-site.properties"), "alluxio.master.rpc.port=3\n");
  ConfigLoadOptions opts;
  opts.env = {{"ALLUXIO_HOME", dir_.Sub("home")}};
  auto conf = Configuration::Load(opts);
  ASSERT_TRUE(conf.ok()) << conf.error().message;
  EXPECT_EQ(conf->GetInt(K::kMasterRpcPort), 3);
  EXPECT_EQ(conf->GetString(K::kConfDir), dir_.Sub("home/conf"));
  EXPECT_EQ(conf->GetString(K::kLogsDir), dir_.Sub("home/logs"));

  // -Dalluxio.conf.dir beats ALLUXIO_CONF_DIR and ALLUXIO_HOME.
  testing::WriteFile(dir_.Sub("other/alluxio-site.properties"), "alluxio.master.rpc.port=4\n");
  opts.env.emplace("ALLUXIO_CONF_DIR", dir_.Sub("nowhere"));
  opts.command_line = {"alluxio.conf.dir=" + dir_.Sub("other")};
  conf = Configuration::Load(opts);
  ASSERT_TRUE(conf.ok()) << conf.error().message;
  EXPECT_EQ(conf->GetInt(K::kMasterRpcPort), 4);

  // The site file is not read when read_site_file is false.
  opts.read_site_file = false;
  conf = Configuration::Load(opts);
  ASSERT_TRUE(conf.ok()) << conf.error().message;
  EXPECT_EQ(conf->GetInt(K::kMasterRpcPort), 19998);
}

TEST_F(ConfigurationTest, HomeDerivedFromExecutableInBin) {
  ConfigLoadOptions opts;
  opts.read_site_file = false;
  opts.executable_path = "/opt/custom/bin/alluxio-fuse";
  auto conf = Configuration::Load(opts);
  ASSERT_TRUE(conf.ok());
  EXPECT_EQ(conf->GetString(K::kHome), "/opt/custom");
  EXPECT_EQ(conf->GetString(K::kLogsDir), "/opt/custom/logs");
  EXPECT_FALSE(conf->IsSet(K::kHome));
  EXPECT_THAT(conf->GetSource(K::kHome).ToString(), HasSubstr("derived from executable"));

  opts.executable_path = "/usr/local/libexec/alluxio-fuse";  // not in a bin/ directory
  conf = Configuration::Load(opts);
  ASSERT_TRUE(conf.ok());
  EXPECT_EQ(conf->GetString(K::kHome), "/opt/alluxio");

  opts.executable_path = "/opt/custom/bin/alluxio-fuse";
  opts.env = {{"ALLUXIO_HOME", "/from/env"}};
  conf = Configuration::Load(opts);
  ASSERT_TRUE(conf.ok());
  EXPECT_EQ(conf->GetString(K::kHome), "/from/env");
}

TEST_F(ConfigurationTest, AliasesOfWorkerFuseProperties) {
  WriteSite(
      "alluxio.worker.fuse.enabled=true\n"
      "alluxio.worker.fuse.mount.alluxio.path=/people\n"
      "alluxio.worker.fuse.mount.point=/mnt/people\n"
      "alluxio.worker.fuse.mount.options=kernel_cache,entry_timeout=7200,attr_timeout=7200\n");
  Configuration conf = LoadOk();
  EXPECT_TRUE(conf.GetBool(K::kWorkerFuseEnabled));
  EXPECT_EQ(conf.GetString(K::kFuseMountAlluxioPath), "/people");
  EXPECT_EQ(conf.GetString(K::kFuseMountPoint), "/mnt/people");
  EXPECT_EQ(conf.GetList(K::kFuseMountOptions).size(), 3u);
  EXPECT_EQ(conf.Lookup("alluxio.worker.fuse.mount.point"), "/mnt/people");
  EXPECT_TRUE(conf.warnings().empty());

  // The canonical name and the alias are the same property: the later one wins.
  WriteSite("alluxio.worker.fuse.mount.point=/a\nalluxio.fuse.mount.point=/b\n");
  EXPECT_EQ(LoadOk().GetString(K::kFuseMountPoint), "/b");
  WriteSite("alluxio.fuse.mount.point=/b\nalluxio.worker.fuse.mount.point=/a\n");
  EXPECT_EQ(LoadOk().GetString(K::kFuseMountPoint), "/a");

  ASSERT_TRUE(
      conf.Set("alluxio.worker.fuse.mount.point", "/c", ConfigSource::Runtime("test")).ok());
  EXPECT_EQ(conf.GetString(K::kFuseMountPoint), "/c");
}

TEST_F(ConfigurationTest, SubstitutionIsRecursive) {
  WriteSite(
      "alluxio.home=/base\n"
      "alluxio.work.dir=${alluxio.home}/work\n"
      "my.ufs.root=${alluxio.work.dir}/ufs\n"
      "alluxio.master.mount.table.root.ufs=${ my.ufs.root }/root\n"
      "alluxio.user.block.size.bytes.default=${alluxio.fuse.maxwrite.bytes}\n"
      "alluxio.fuse.mount.point=${alluxio.home}${alluxio.fuse.mount.alluxio.path}mnt\n");
  Configuration conf = LoadOk();
  EXPECT_EQ(conf.GetString(K::kLogsDir), "/base/work/logs");  // default ${alluxio.work.dir}/logs
  EXPECT_EQ(conf.GetString(K::kMasterMountTableRootUfs), "/base/work/ufs/root");
  EXPECT_EQ(conf.Lookup("my.ufs.root"), "/base/work/ufs");
  EXPECT_EQ(conf.GetBytes(K::kUserBlockSizeBytesDefault), 128 * 1024);
  EXPECT_EQ(conf.GetString(K::kFuseMountPoint), "/base/mnt");

  // Set re-resolves dependants.
  ASSERT_TRUE(conf.Set(K::kWorkDir, "/elsewhere").ok());
  EXPECT_EQ(conf.GetString(K::kLogsDir), "/elsewhere/logs");
  EXPECT_EQ(conf.GetString(K::kMasterMountTableRootUfs), "/elsewhere/ufs/root");
}

TEST_F(ConfigurationTest, SubstitutionCyclesAreErrorsNamingTheKeys) {
  // alluxio.logs.dir defaults to ${alluxio.work.dir}/logs.
  WriteSite("alluxio.work.dir=${alluxio.logs.dir}/w\n");
  std::string message = LoadError();
  EXPECT_THAT(message, HasSubstr("cycle in ${} substitution"));
  EXPECT_THAT(message, HasSubstr("alluxio.work.dir -> alluxio.logs.dir -> alluxio.work.dir"));
  EXPECT_THAT(message, HasSubstr(SiteFile() + ":1"));

  WriteSite("alluxio.master.hostname=${alluxio.master.hostname}\n");
  EXPECT_THAT(LoadError(), HasSubstr("cycle in ${} substitution: alluxio.master.hostname -> "
                                     "alluxio.master.hostname"));

  WriteSite("a.x=${a.y}\na.y=${a.z}\na.z=${a.x}\n");
  EXPECT_THAT(LoadError(), HasSubstr("a.x -> a.y -> a.z -> a.x"));
}

TEST_F(ConfigurationTest, SubstitutionOfUnknownOrUnterminatedReference) {
  WriteSite("alluxio.master.hostname=${no.such.key}\n");
  std::string message = LoadError();
  EXPECT_THAT(message, HasSubstr("alluxio.master.hostname"));
  EXPECT_THAT(message, HasSubstr("${no.such.key}"));
  EXPECT_THAT(message, HasSubstr(SiteFile() + ":1"));

  WriteSite("alluxio.master.hostname=${alluxio.home\n");
  EXPECT_THAT(LoadError(), HasSubstr("unterminated ${"));
}

struct BadValue {
  const char* key;
  const char* value;
  const char* why;
};

TEST_F(ConfigurationTest, BadValuesNameKeyValueAndFileLine) {
  const BadValue cases[] = {
      {"alluxio.fuse.debug.enabled", "yes", "expected true or false"},
      {"alluxio.fuse.cached.paths.max", "12x", "expected an integer"},
      {"alluxio.master.rpc.port", "70000", "must be at most 65535"},
      {"alluxio.user.block.size.bytes.default", "12XB", "unknown size unit \"XB\""},
      {"alluxio.user.block.size.bytes.default", "0", "must be at least 1B"},
      {"alluxio.fuse.logging.threshold", "5 fortnights", "unknown time unit \"fortnights\""},
      {"alluxio.fuse.umount.timeout", "-5s", "must be at least 0ms"},
      {"alluxio.user.file.metadata.sync.interval", "-2", "must be at least -1ms"},
      {"alluxio.user.file.writetype.default", "SOMETIMES",
       "expected one of MUST_CACHE, CACHE_THROUGH, THROUGH, ASYNC_THROUGH"},
      {"alluxio.worker.tieredstore.level0.dirs.quota", "1GB,lots", "item \"lots\""},
  };
  for (const BadValue& c : cases) {
    WriteSite(fmt::format("# first line\n{}={}\n", c.key, c.value));
    std::string message = LoadError();
    EXPECT_THAT(message, StartsWith(fmt::format("invalid value \"{}\" for {} (from {}:2): ",
                                                c.value, c.key, SiteFile())));
    EXPECT_THAT(message, HasSubstr(c.why)) << c.key;
  }
}

TEST_F(ConfigurationTest, BadValuesFromEnvironmentAndCommandLine) {
  EXPECT_THAT(LoadError({{"ALLUXIO_WORKER_MEMORY_SIZE", "big"}}),
              HasSubstr("invalid value \"big\" for alluxio.worker.ramdisk.size (from environment "
                        "variable ALLUXIO_WORKER_MEMORY_SIZE)"));
  EXPECT_THAT(LoadError({}, {"alluxio.user.file.readtype.default=SOMETIMES"}),
              HasSubstr("invalid value \"SOMETIMES\" for alluxio.user.file.readtype.default (from "
                        "command line): expected one of NO_CACHE, CACHE, CACHE_PROMOTE"));
  // Through a reference: the message shows the text and what it resolved to.
  WriteSite("alluxio.worker.ramdisk.size=${alluxio.master.hostname}\n");
  EXPECT_THAT(LoadError(), HasSubstr("invalid value \"${alluxio.master.hostname}\" (= "
                                     "\"localhost\") for alluxio.worker.ramdisk.size"));
}

TEST_F(ConfigurationTest, EveryBadValueIsReportedAtOnce) {
  WriteSite("alluxio.master.rpc.port=x\nalluxio.worker.rpc.port=y\n");
  std::string message = LoadError();
  EXPECT_THAT(message, HasSubstr("alluxio.master.rpc.port (from " + SiteFile() + ":1)"));
  EXPECT_THAT(message, HasSubstr("alluxio.worker.rpc.port (from " + SiteFile() + ":2)"));
}

TEST_F(ConfigurationTest, UnknownAlluxioKeyWarnsOtherKeysAreKept) {
  WriteSite("alluxio.no.such.property=1\ns3a.accessKeyId=AKIA\n");
  Configuration conf = LoadOk({}, {"alluxio.another.unknown=2"});
  ASSERT_EQ(conf.warnings().size(), 2u);
  EXPECT_EQ(conf.warnings()[0],
            "unknown property alluxio.no.such.property (from " + SiteFile() + ":1)");
  EXPECT_EQ(conf.warnings()[1], "unknown property alluxio.another.unknown (from command line)");
  EXPECT_EQ(conf.Lookup("s3a.accessKeyId"), "AKIA");
  EXPECT_EQ(conf.Lookup("alluxio.no.such.property"), "1");
  EXPECT_FALSE(conf.Lookup("never.set").has_value());
}

TEST_F(ConfigurationTest, ValuesAreNormalised) {
  WriteSite(
      "alluxio.user.file.writetype.default=must_cache\n"
      "alluxio.fuse.auth.policy.class=alluxio.fuse.auth.SystemUserGroupAuthPolicy\n"
      "alluxio.fuse.debug.enabled=TRUE\n"
      "alluxio.worker.ramdisk.size=1.5GB\n"
      "alluxio.user.metadata.cache.expiration.time=1h\n"
      "alluxio.user.client.cache.size=1GB, 512MB\n");
  Configuration conf = LoadOk();
  EXPECT_EQ(conf.GetEnum(K::kUserFileWriteTypeDefault), "MUST_CACHE");
  EXPECT_EQ(conf.GetString(K::kUserFileWriteTypeDefault), "MUST_CACHE");
  EXPECT_EQ(conf.GetEnum(K::kFuseAuthPolicyClass), "SystemUserGroupAuthPolicy");
  EXPECT_TRUE(conf.GetBool(K::kFuseDebugEnabled));
  EXPECT_EQ(conf.GetBytes(K::kWorkerRamdiskSize), kGB + kGB / 2);
  EXPECT_EQ(conf.GetDuration(K::kUserMetadataCacheExpirationTime), milliseconds(3600000));
  EXPECT_EQ(conf.GetBytesList(K::kUserClientCacheSize), (std::vector<int64_t>{kGB, 512 * kMB}));
}

TEST_F(ConfigurationTest, SetValidatesAndKeepsOldValueOnError) {
  Configuration conf = LoadOk();
  ASSERT_TRUE(
      conf.Set(K::kUserMetadataCacheEnabled, "true", ConfigSource::Runtime("mount option -o"))
          .ok());
  EXPECT_TRUE(conf.GetBool(K::kUserMetadataCacheEnabled));
  EXPECT_EQ(conf.GetSource(K::kUserMetadataCacheEnabled).ToString(), "mount option -o");

  Status bad = conf.Set("alluxio.user.metadata.cache.max.size", "many",
                        ConfigSource::Runtime("mount option -o"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message,
            "invalid value \"many\" for alluxio.user.metadata.cache.max.size (from mount option "
            "-o): expected an integer");
  EXPECT_EQ(conf.GetInt(K::kUserMetadataCacheMaxSize), 100000);
  EXPECT_FALSE(conf.IsSet(K::kUserMetadataCacheMaxSize));

  // A cycle introduced by Set is refused too.
  Status cycle = conf.Set(K::kHome, "${alluxio.logs.dir}");
  ASSERT_FALSE(cycle.ok());
  EXPECT_THAT(cycle.error().message, HasSubstr("cycle"));
  EXPECT_EQ(conf.GetString(K::kHome), "/opt/alluxio");

  Status unknown = conf.Set("kernel_cache", "1", ConfigSource::Runtime("mount option -o"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.code(), ErrorCode::kNotFound);
}

TEST_F(ConfigurationTest, EntriesListValueRawAndSource) {
  WriteSite("alluxio.home=/h\nfoo.bar=${alluxio.home}/x\n");
  Configuration conf = LoadOk();
  std::vector<ConfigEntry> entries = conf.Entries();
  ASSERT_EQ(entries.size(), static_cast<size_t>(kPropertyCount) + 1);
  auto find = [&](std::string_view name) -> const ConfigEntry& {
    for (const auto& e : entries) {
      if (e.name == name) return e;
    }
    ADD_FAILURE() << name;
    return entries[0];
  };
  const ConfigEntry& logs = find("alluxio.logs.dir");
  EXPECT_EQ(logs.value, "/h/logs");
  EXPECT_EQ(logs.raw, "${alluxio.work.dir}/logs");
  EXPECT_EQ(logs.source.kind, ConfigSourceKind::kDefault);
  const ConfigEntry& foo = find("foo.bar");
  EXPECT_EQ(foo.value, "/h/x");
  EXPECT_FALSE(foo.registered);
  EXPECT_EQ(foo.source.ToString(), SiteFile() + ":2");
}

TEST(ExtractDefineArgsTest, RemovesDefinesKeepsTheRest) {
  std::vector<std::string> args = {"mount", "-Dalluxio.master.hostname=m", "-o", "ro", "-Dx=1=2",
                                   "/mnt"};
  EXPECT_EQ(ExtractDefineArgs(&args),
            (std::vector<std::string>{"alluxio.master.hostname=m", "x=1=2"}));
  EXPECT_EQ(args, (std::vector<std::string>{"mount", "-o", "ro", "/mnt"}));
}

TEST(ConfigurationLoadTest, MalformedCommandLineDefine) {
  ConfigLoadOptions opts;
  opts.read_site_file = false;
  opts.command_line = {"=value"};
  auto conf = Configuration::Load(opts);
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(conf.error().message, HasSubstr("\"-D=value\" is not -Dkey=value"));
}

// The defaults Alluxio users expect (shared/reference/alluxio-fuse-behaviour.md).
TEST(PropertyDefaultsTest, MatchTheReferenceTable) {
  Configuration conf;
  EXPECT_EQ(conf.GetString(K::kFuseMountPoint), "/mnt/alluxio-fuse");
  EXPECT_EQ(conf.GetString(K::kFuseMountAlluxioPath), "/");
  EXPECT_EQ(conf.GetList(K::kFuseMountOptions),
            (std::vector<std::string>{"attr_timeout=600", "entry_timeout=600"}));
  EXPECT_FALSE(conf.GetBool(K::kWorkerFuseEnabled));
  EXPECT_TRUE(conf.GetBool(K::kFuseJnifuseEnabled));
  EXPECT_EQ(conf.GetString(K::kFuseFsName), "alluxio-fuse");
  EXPECT_FALSE(conf.GetBool(K::kFuseDebugEnabled));
  EXPECT_EQ(conf.GetDuration(K::kFuseLoggingThreshold), milliseconds(10000));
  EXPECT_EQ(conf.GetInt(K::kFuseCachedPathsMax), 500);
  EXPECT_FALSE(conf.GetBool(K::kFuseUserGroupTranslationEnabled));
  EXPECT_EQ(conf.GetEnum(K::kFuseAuthPolicyClass), "LaunchUserGroupAuthPolicy");
  EXPECT_EQ(conf.GetDuration(K::kFuseUmountTimeout), milliseconds(0));
  EXPECT_FALSE(conf.GetBool(K::kFuseSpecialCommandEnabled));
  EXPECT_EQ(conf.GetDuration(K::kFuseStatCacheRefreshInterval), milliseconds(300000));
  EXPECT_EQ(conf.GetBytes(K::kFuseMaxwriteBytes), 128 * 1024);
  EXPECT_FALSE(conf.GetBool(K::kFuseSharedCachingReaderEnabled));
  EXPECT_FALSE(conf.GetBool(K::kUserMetadataCacheEnabled));
  EXPECT_EQ(conf.GetInt(K::kUserMetadataCacheMaxSize), 100000);
  EXPECT_EQ(conf.GetDuration(K::kUserMetadataCacheExpirationTime), milliseconds(600000));
  EXPECT_FALSE(conf.GetBool(K::kUserClientCacheEnabled));
  EXPECT_EQ(conf.GetList(K::kUserClientCacheDirs), std::vector<std::string>{"/tmp/alluxio_cache"});
  EXPECT_EQ(conf.GetBytesList(K::kUserClientCacheSize), std::vector<int64_t>{512 * kMB});
  EXPECT_FALSE(conf.GetBool(K::kUserMetricsCollectionEnabled));
  EXPECT_EQ(conf.GetDuration(K::kUserLoggingThreshold), milliseconds(10000));
  EXPECT_FALSE(conf.GetBool(K::kUserUnsafeDirectLocalIoEnabled));
  EXPECT_FALSE(conf.GetBool(K::kUserUpdateFileAccesstimeDisabled));
  EXPECT_EQ(conf.GetInt(K::kUserBlockWorkerClientPoolMax), 1024);
  EXPECT_EQ(conf.GetInt(K::kUserBlockMasterClientPoolSizeMax), 1024);
  EXPECT_EQ(conf.GetInt(K::kUserFileMasterClientPoolSizeMax), 1024);
  EXPECT_EQ(conf.GetBytes(K::kUserBlockSizeBytesDefault), 64 * kMB);
  EXPECT_EQ(conf.GetEnum(K::kUserFileWriteTypeDefault), "CACHE_THROUGH");
  EXPECT_EQ(conf.GetEnum(K::kUserFileReadTypeDefault), "CACHE");
  EXPECT_EQ(conf.GetDuration(K::kUserFileMetadataSyncInterval), milliseconds(-1));
  EXPECT_EQ(conf.GetString(K::kMasterHostname), "localhost");
  EXPECT_EQ(conf.GetInt(K::kMasterRpcPort), 19998);
  EXPECT_EQ(conf.GetInt(K::kWorkerRpcPort), 29999);
  EXPECT_EQ(conf.GetDuration(K::kMasterWorkerTimeout), milliseconds(300000));
  EXPECT_EQ(conf.GetDuration(K::kWorkerBlockHeartbeatInterval), milliseconds(1000));
  EXPECT_EQ(conf.GetString(K::kMasterMountTableRootUfs), "/opt/alluxio/underFSStorage");
  EXPECT_EQ(conf.GetString(K::kMasterMetastoreDir), "/opt/alluxio/metastore");
  EXPECT_EQ(conf.GetString(K::kLogsDir), "/opt/alluxio/logs");
  EXPECT_EQ(conf.GetInt(K::kWorkerTieredstoreLevels), 1);
  EXPECT_EQ(conf.GetString(K::kWorkerTieredstoreLevel0Alias), "MEM");
  EXPECT_EQ(conf.GetList(K::kWorkerTieredstoreLevel0DirsPath),
            std::vector<std::string>{"/dev/shm"});
  EXPECT_EQ(conf.GetBytes(K::kWorkerRamdiskSize), kGB);
  EXPECT_EQ(conf.GetBytesList(K::kWorkerTieredstoreLevel0DirsQuota), std::vector<int64_t>{kGB});
  EXPECT_EQ(conf.GetEnum(K::kLoggerLevel), "INFO");
}

TEST(PropertyRegistryTest, NamesAreUniqueAndFindable) {
  std::set<std::string_view> names;
  for (const PropertyDef& def : AllProperties()) {
    // Alluxio's own names, and its names of S3 credentials (s3a.accessKeyId, s3a.secretKey).
    EXPECT_TRUE(def.name.starts_with("alluxio.") || def.name.starts_with("s3a.")) << def.name;
    EXPECT_TRUE(names.insert(def.name).second) << "duplicate " << def.name;
    EXPECT_EQ(FindProperty(def.name), &def);
    EXPECT_EQ(&GetPropertyDef(def.key), &def);
    EXPECT_FALSE(def.description.empty()) << def.name;
    EXPECT_EQ(def.type == PropertyType::kEnum, !def.allowed.empty()) << def.name;
  }
  for (const PropertyAlias& alias : AllPropertyAliases()) {
    EXPECT_FALSE(names.contains(alias.alias)) << alias.alias;
    EXPECT_EQ(FindProperty(alias.alias), &GetPropertyDef(alias.key));
  }
  EXPECT_EQ(FindProperty("alluxio.nope"), nullptr);
}

TEST(PropertyRegistryTest, DocumentedInConfigurationMd) {
  const std::string doc = testing::ReadFile(ALLUXIO_CONFIGURATION_DOC);
  ASSERT_FALSE(doc.empty()) << ALLUXIO_CONFIGURATION_DOC;
  for (const PropertyDef& def : AllProperties()) {
    EXPECT_THAT(doc, HasSubstr(fmt::format("| `{}` |", def.name))) << def.name;
  }
  for (const EnvironmentProperty& e : AllEnvironmentProperties()) {
    EXPECT_THAT(doc, HasSubstr(fmt::format("| `{}` |", e.variable))) << e.variable;
  }
}

}  // namespace
}  // namespace alluxio
