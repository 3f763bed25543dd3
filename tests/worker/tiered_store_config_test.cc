#include "core/worker/tiered_store_config.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace alluxio {
namespace {

TEST(ParseByteSizeTest, UnitsAndErrors) {
  EXPECT_EQ(*ParseByteSize("4096"), 4096u);
  EXPECT_EQ(*ParseByteSize("10B"), 10u);
  EXPECT_EQ(*ParseByteSize("1k"), 1024u);
  EXPECT_EQ(*ParseByteSize("64MB"), 64u << 20);
  EXPECT_EQ(*ParseByteSize(" 2 gb "), 2ull << 30);
  EXPECT_EQ(*ParseByteSize("1.5GB"), 3ull << 29);
  EXPECT_EQ(*ParseByteSize("3T"), 3ull << 40);
  EXPECT_EQ(*ParseByteSize("1PB"), 1ull << 50);
  for (const char* bad : {"", "MB", "12XB", "-1", "1..5G", "99999999999PB", "1e3"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(ParseByteSize(bad).code(), ErrorCode::kInvalidArgument);
  }
}

PropertyLookup Lookup(std::map<std::string, std::string> props) {
  return [props = std::move(props)](std::string_view key) -> std::optional<std::string> {
    auto it = props.find(std::string(key));
    if (it == props.end()) return std::nullopt;
    return it->second;
  };
}

TEST(TieredStoreConfigTest, FromProperties) {
  auto config = TieredStoreConfigFromProperties(Lookup({
      {"alluxio.worker.tieredstore.levels", "2"},
      {"alluxio.worker.tieredstore.level0.dirs.path", "/dev/shm/a"},
      {"alluxio.worker.tieredstore.level0.dirs.quota", "1GB"},
      {"alluxio.worker.tieredstore.level1.alias", "HDD"},
      {"alluxio.worker.tieredstore.level1.dirs.path", "/d1, /d2 ,/d3"},
      {"alluxio.worker.tieredstore.level1.dirs.quota", "10GB,20GB"},
  }));
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  ASSERT_EQ(config->tiers.size(), 2u);
  EXPECT_EQ(config->tiers[0].alias, "MEM");
  ASSERT_EQ(config->tiers[0].dirs.size(), 1u);
  EXPECT_EQ(config->tiers[0].dirs[0].path, "/dev/shm/a");
  EXPECT_EQ(config->tiers[0].dirs[0].quota_bytes, 1ull << 30);
  EXPECT_EQ(config->tiers[1].alias, "HDD");
  ASSERT_EQ(config->tiers[1].dirs.size(), 3u);
  EXPECT_EQ(config->tiers[1].dirs[1].path, "/d2");
  EXPECT_EQ(config->tiers[1].dirs[0].quota_bytes, 10ull << 30);
  EXPECT_EQ(config->tiers[1].dirs[1].quota_bytes, 20ull << 30);
  EXPECT_EQ(config->tiers[1].dirs[2].quota_bytes, 20ull << 30);  // last quota repeats
}

TEST(TieredStoreConfigTest, Errors) {
  auto missing_path = TieredStoreConfigFromProperties(Lookup({}));
  ASSERT_FALSE(missing_path.ok());
  EXPECT_NE(missing_path.error().message.find("level0.dirs.path"), std::string::npos);

  auto bad_quota = TieredStoreConfigFromProperties(
      Lookup({{"alluxio.worker.tieredstore.level0.dirs.path", "/a"},
              {"alluxio.worker.tieredstore.level0.dirs.quota", "lots"}}));
  ASSERT_FALSE(bad_quota.ok());
  EXPECT_NE(bad_quota.error().message.find("level0.dirs.quota"), std::string::npos);

  EXPECT_EQ(
      TieredStoreConfigFromProperties(Lookup({{"alluxio.worker.tieredstore.levels", "0"}})).code(),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(TieredStoreConfigFromProperties(
                Lookup({{"alluxio.worker.tieredstore.level0.dirs.path", "relative"},
                        {"alluxio.worker.tieredstore.level0.dirs.quota", "1MB"}}))
                .code(),
            ErrorCode::kInvalidArgument);
}

TEST(TieredStoreConfigTest, Validate) {
  EXPECT_FALSE(ValidateBlockStoreConfig({}).ok());
  EXPECT_FALSE(ValidateBlockStoreConfig({{{"MEM", {}}}}).ok());
  EXPECT_FALSE(ValidateBlockStoreConfig({{{"", {{"/a", 1}}}}}).ok());
  EXPECT_FALSE(ValidateBlockStoreConfig({{{"MEM", {{"/a", 1}}}, {"MEM", {{"/b", 1}}}}}).ok());
  EXPECT_FALSE(ValidateBlockStoreConfig({{{"MEM", {{"/a", 1}}}, {"SSD", {{"/a/", 1}}}}}).ok());
  EXPECT_TRUE(ValidateBlockStoreConfig({{{"MEM", {{"/a", 1}}}, {"SSD", {{"/b", 1}}}}}).ok());
}

}  // namespace
}  // namespace alluxio
