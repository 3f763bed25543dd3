#include "core/wire/wire_convert.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

namespace alluxio {
namespace {

TEST(WireConvertTest, EveryErrorCodeRoundTrips) {
  for (int c = 0; c <= static_cast<int>(ErrorCode::kInternal); ++c) {
    auto code = static_cast<ErrorCode>(c);
    EXPECT_EQ(FromWire(ToWire(code)), code) << ErrorCodeName(code);
    EXPECT_NE(ToWire(code), wire::ErrorCode::NONE);
  }
}

TEST(WireConvertTest, StatusRoundTrips) {
  capnp::MallocMessageBuilder message;
  auto status = message.initRoot<wire::Status>();
  ToWire(Ok(), status);
  EXPECT_TRUE(FromWire(status.asReader()).ok());
  ToWire(Status(Fail(ErrorCode::kNotEmpty, "/a")), status);
  Status back = FromWire(status.asReader());
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.code(), ErrorCode::kNotEmpty);
  EXPECT_EQ(back.error().message, "/a");
}

TEST(WireConvertTest, FileInfoRoundTrips) {
  FileInfo info;
  info.id = 42;
  info.name = "b";
  info.path = "/a/b";
  info.length = 12345;
  info.block_size = 1 << 20;
  info.mode = 0640;
  info.owner = "alice";
  info.group = "staff";
  info.mtime_ms = 1700000000123;
  info.completed = true;
  info.persisted = true;
  info.block_ids = {1, 2, 3};
  info.ufs_uri = "file:///u/a/b";
  info.mount_id = 0xfedcba9876543210ull;
  capnp::MallocMessageBuilder message;
  auto out = message.initRoot<wire::FileInfo>();
  ToWire(info, out);
  FileInfo back = FromWire(out.asReader());
  EXPECT_EQ(back.id, info.id);
  EXPECT_EQ(back.path, info.path);
  EXPECT_EQ(back.length, info.length);
  EXPECT_EQ(back.mode, info.mode);
  EXPECT_EQ(back.owner, info.owner);
  EXPECT_EQ(back.mtime_ms, info.mtime_ms);
  EXPECT_EQ(back.block_ids, info.block_ids);
  EXPECT_EQ(back.ufs_uri, info.ufs_uri);
  EXPECT_EQ(back.mount_id, info.mount_id);
  EXPECT_TRUE(back.completed && back.persisted && !back.is_directory);
  EXPECT_FALSE(back.is_symlink());

  info.symlink_target = "../target";
  ToWire(info, out);
  EXPECT_EQ(FromWire(out.asReader()).symlink_target, "../target");

  info.persisted = false;
  info.to_be_persisted = true;
  ToWire(info, out);
  EXPECT_EQ(FromWire(out.asReader()).persistence_state(), "TO_BE_PERSISTED");
}

TEST(WireConvertTest, MountOptionsRoundTrip) {
  const std::map<std::string, std::string> options{{"alluxio.underfs.s3.endpoint", "http://h:1"},
                                                   {"s3a.secretKey", "k"}};
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<wire::MountPointInfo>().initOptions(options.size());
  ToWire(options, list);
  EXPECT_EQ(FromWire(list.asReader()), options);
}

TEST(WireConvertTest, WriteTypesRoundTrip) {
  for (auto t : {WriteType::kCacheThrough, WriteType::kMustCache, WriteType::kThrough,
                 WriteType::kAsyncThrough}) {
    EXPECT_EQ(FromWire(ToWire(t)), t);
  }
}

}  // namespace
}  // namespace alluxio
