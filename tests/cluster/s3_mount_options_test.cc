// S3 buckets mounted with `alluxio fs mount --option ...` on a cluster of real processes whose
// own properties name no S3 setting (the root UFS is local): the mount's endpoint and
// credentials must reach every process that opens the bucket (the master; the worker for
// read-through and write-through; a client reading past a dead worker), secrets must show
// nowhere, a path mounted again uses its new options at once, two mounts of one bucket stay
// apart, and a read-only mount refuses writes (EROFS, SEMANTICS.md). ASSERT_* cannot be used
// inside coroutines: checks there are EXPECT_* plus early co_return.
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/common/error.h"
#include "tests/cluster/cluster_client.h"
#include "tests/cluster/cluster_processes.h"
#include "tests/e2e/fuse_harness.h"
#include "tests/util/s3rver.h"
#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

using client::FileSystemClient;
using testing::ClusterProcesses;
using testing::CommandResult;
using testing::Pattern;
using testing::ReadFile;
using testing::S3rver;
using testing::WithClient;
using testing::WriteFile;

constexpr char kSecret[] = "mount-s3cr3t-never-shown";  // s3rver checks key ids, not signatures

// No process of these tests may find S3 credentials anywhere but in the mount's options.
void ForgetAwsEnvironment() {
  for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
    unsetenv(name);
  }
}

// A cluster with a local root, 1 MiB blocks and no S3 property.
std::map<std::string, std::string> LocalRootProperties() {
  return {{"alluxio.user.block.size.bytes.default", "1MB"}};
}

// `alluxio <args...>` of `cluster`, as a separate process.
CommandResult Alluxio(const ClusterProcesses& cluster, const std::vector<std::string>& args) {
  std::vector<std::string> argv{ALLUXIO_BINARY};
  for (const std::string& define : cluster.DefineArgs()) argv.push_back(define);
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunCommand(argv, {{"ALLUXIO_HOME", cluster.home()}});
}

// `alluxio fs mount [--readonly] --option ... <path> <uri>` with the endpoint of `s3`, path-style
// access, s3rver's key id and kSecret.
std::vector<std::string> MountArgs(const S3rver& s3, const std::string& path,
                                   const std::string& uri, bool read_only = false) {
  std::vector<std::string> args{"fs", "mount"};
  if (read_only) args.push_back("--readonly");
  for (const std::string& option :
       {"alluxio.underfs.s3.endpoint=" + s3.Endpoint(),
        std::string("alluxio.underfs.s3.disable.dns.buckets=true"),
        std::string("s3a.accessKeyId=S3RVER"), std::string("s3a.secretKey=") + kSecret}) {
    args.push_back("--option");
    args.push_back(option);
  }
  args.push_back(path);
  args.push_back(uri);
  return args;
}

// The bucket of `s3` under `prefix`, opened by the test itself.
std::unique_ptr<UnderFileSystem> Bucket(const S3rver& s3, const std::string& prefix) {
  auto ufs = CreateUnderFileSystem(s3.Uri(prefix), s3.Options());
  EXPECT_TRUE(ufs.ok()) << ufs.error().ToString();
  return ufs.ok() ? std::move(ufs).value() : nullptr;
}

// An object put behind Alluxio's back.
void PutObject(UnderFileSystem& bucket, const std::string& path, const std::string& content) {
  auto w = bucket.CreateStaged("put", 0644);
  ASSERT_TRUE(w.ok()) << w.error().ToString();
  ASSERT_TRUE((*w)->Write(content).ok());
  ASSERT_TRUE((*w)->Close().ok());
  ASSERT_TRUE(bucket.PublishStaged("put", path, content.size()).ok());
}

// The object's content, or the error's text.
std::string ObjectContent(UnderFileSystem& bucket, const std::string& path) {
  auto status = bucket.GetStatus(path);
  if (!status.ok()) return status.error().ToString();
  auto reader = bucket.Open(path);
  if (!reader.ok()) return reader.error().ToString();
  std::string data(status->length, '\0');
  size_t done = 0;
  while (done < data.size()) {
    auto n = (*reader)->ReadAt(done, std::span(data).subspan(done));
    if (!n.ok()) return n.error().ToString();
    if (*n == 0) break;
    done += *n;
  }
  data.resize(done);
  return data;
}

// `actual` is `expected`; else says how it differs in a line (not the bytes).
::testing::AssertionResult Same(const std::string& actual, const std::string& expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << actual.size() << " bytes, not the " << expected.size()
                                       << " expected: " << actual.substr(0, 200);
}

// Every file of the cluster's home (logs, .out files) that contains `text`, but cached blocks
// and the master's metastore (which keeps the mount table, options as given: docs/ufs_s3.md).
std::vector<std::string> FilesContaining(const ClusterProcesses& cluster, const std::string& text) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(cluster.home())) {
    const std::string path = entry.path().string();
    if (!entry.is_regular_file() || path.starts_with(cluster.home() + "/mem/") ||
        path.starts_with(cluster.home() + "/metastore/")) {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), {});
    if (content.find(text) != std::string::npos) found.push_back(entry.path());
  }
  return found;
}

TEST(S3MountOptionsTest, MountOptionsReachTheWorkerAndClientsAndSecretsShowNowhere) {
  ForgetAwsEnvironment();
  S3rver s3;
  ASSERT_TRUE(s3.ok());
  auto bucket = Bucket(s3, "prefix");
  ASSERT_NE(bucket, nullptr);
  const std::string cold = Pattern(2500000, 1);  // three blocks, read through at the worker
  PutObject(*bucket, "/cold.bin", cold);
  std::map<std::string, std::string> properties = LocalRootProperties();
  properties["alluxio.logger.level"] = "DEBUG";  // the most every process logs
  ClusterProcesses cluster(properties);
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  std::vector<CommandResult> outputs;
  auto run = [&](const std::vector<std::string>& args) {
    outputs.push_back(Alluxio(cluster, args));
    return outputs.back();
  };

  CommandResult r = run(MountArgs(s3, "/s3", s3.Uri("prefix")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Written through the worker (CACHE_THROUGH): the worker stages it in the bucket.
  testing::TempDir local;
  const std::string written = Pattern(1500000, 2);
  std::ofstream(local.Sub("written.bin"), std::ios::binary) << written;
  r = run({"fs", "copyFromLocal", local.Sub("written.bin"), "/s3/written.bin"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Same(ObjectContent(*bucket, "/written.bin"), written));
  // Read cold: the worker reads the object through.
  r = run({"fs", "cat", "/s3/cold.bin"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Same(r.out, cold)) << r.err;
  r = run({"fs", "ls", "/s3"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("/s3/cold.bin"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/s3/written.bin"), std::string::npos) << r.out;
  r = run({"fs", "mv", "/s3/written.bin", "/s3/moved.bin"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Same(ObjectContent(*bucket, "/moved.bin"), written));
  EXPECT_FALSE(bucket->GetStatus("/written.bin").ok());
  r = run({"fs", "rm", "/s3/moved.bin"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(bucket->GetStatus("/moved.bin").ok());

  // The client library: write, read back, list, rename, delete, then read past a dead worker
  // (from the bucket).
  const std::string by_client = Pattern(1200000, 3);
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    Status s = co_await WriteFile(fs, "/s3/dir/client.bin", by_client);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    auto back = co_await ReadFile(fs, "/s3/dir/client.bin");
    EXPECT_TRUE(back.ok()) << back.error().ToString();
    if (back.ok()) {
      EXPECT_TRUE(Same(*back, by_client));
    }
  });
  EXPECT_TRUE(Same(ObjectContent(*bucket, "/dir/client.bin"), by_client));
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    auto listed = co_await fs.ListStatus("/s3/dir");
    EXPECT_TRUE(listed.ok() && listed->size() == 1u && (*listed)[0].name == "client.bin");
    Status s = co_await fs.Rename("/s3/dir/client.bin", "/s3/dir/renamed.bin");
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    s = co_await WriteFile(fs, "/s3/dir/doomed.bin", "x");
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    s = co_await fs.Delete("/s3/dir/doomed.bin");
    EXPECT_TRUE(s.ok()) << s.error().ToString();
  });
  EXPECT_TRUE(Same(ObjectContent(*bucket, "/dir/renamed.bin"), by_client));
  EXPECT_FALSE(bucket->GetStatus("/dir/client.bin").ok());
  EXPECT_FALSE(bucket->GetStatus("/dir/doomed.bin").ok());
  cluster.KillWorker(SIGKILL);
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    auto direct = co_await ReadFile(fs, "/s3/dir/renamed.bin");
    EXPECT_TRUE(direct.ok()) << direct.error().ToString();
    if (direct.ok()) {
      EXPECT_TRUE(Same(*direct, by_client));
    }
  });
  ASSERT_TRUE(cluster.StartWorker());

  r = run({"fs", "mount"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("s3a.secretKey=******"), std::string::npos) << r.out;
  r = run({"fsadmin", "report"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const CommandResult& output : outputs) {
    EXPECT_EQ(output.out.find(kSecret), std::string::npos) << output.out;
    EXPECT_EQ(output.err.find(kSecret), std::string::npos) << output.err;
  }
  EXPECT_EQ(FilesContaining(cluster, kSecret), std::vector<std::string>{});
}

// Unmounted and mounted again at the same path with the same URI but another endpoint: the
// worker (not restarted) drops the old mount's UFS objects, and loads, reads and writes through
// the new endpoint at once.
TEST(S3MountOptionsTest, RemountWithOtherOptionsTakesEffectInTheWorkerWithoutRestart) {
  ForgetAwsEnvironment();
  S3rver first, second;  // two servers, each with "test-bucket"
  ASSERT_TRUE(first.ok() && second.ok());
  auto first_bucket = Bucket(first, "p");
  auto second_bucket = Bucket(second, "p");
  ASSERT_TRUE(first_bucket != nullptr && second_bucket != nullptr);
  const std::string in_first = Pattern(300000, 4), in_second = Pattern(300000, 5);
  PutObject(*first_bucket, "/f", in_first);
  PutObject(*second_bucket, "/f", in_second);
  ClusterProcesses cluster(LocalRootProperties());
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());

  CommandResult r = Alluxio(cluster, MountArgs(first, "/s3", first.Uri("p")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Alluxio(cluster, {"fs", "cat", "/s3/f"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Same(r.out, in_first)) << r.err;
  r = Alluxio(cluster, {"fs", "unmount", "/s3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The next heartbeat answer no longer lists the mount: the worker drops its UFS objects.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (FilesContaining(cluster, "is gone: its UFS objects are dropped").empty() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_FALSE(FilesContaining(cluster, "is gone: its UFS objects are dropped").empty());
  r = Alluxio(cluster, MountArgs(second, "/s3", second.Uri("p")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Alluxio(cluster, {"fs", "load", "/s3/f"});  // the worker caches it from the new endpoint
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Alluxio(cluster, {"fs", "cat", "/s3/f"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Same(r.out, in_second)) << r.err;
  const std::string written = Pattern(200000, 6);
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    Status s = co_await WriteFile(fs, "/s3/w", written);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
  });
  EXPECT_TRUE(Same(ObjectContent(*second_bucket, "/w"), written));
  EXPECT_FALSE(first_bucket->GetStatus("/w").ok());
}

// One bucket name and prefix on two servers, mounted at two paths: each mount reads and writes
// its own server, also through the one worker.
TEST(S3MountOptionsTest, TwoMountsOfOneBucketWithDifferentEndpointsStayApart) {
  ForgetAwsEnvironment();
  S3rver first, second;
  ASSERT_TRUE(first.ok() && second.ok());
  auto first_bucket = Bucket(first, "p");
  auto second_bucket = Bucket(second, "p");
  ASSERT_TRUE(first_bucket != nullptr && second_bucket != nullptr);
  const std::string in_first = Pattern(300000, 7), in_second = Pattern(300000, 8);
  PutObject(*first_bucket, "/f", in_first);
  PutObject(*second_bucket, "/f", in_second);
  ClusterProcesses cluster(LocalRootProperties());
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  CommandResult r = Alluxio(cluster, MountArgs(first, "/a", first.Uri("p")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Alluxio(cluster, MountArgs(second, "/b", second.Uri("p")));
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = Alluxio(cluster, {"fs", "cat", "/a/f"});
  EXPECT_TRUE(Same(r.out, in_first)) << r.err;
  r = Alluxio(cluster, {"fs", "cat", "/b/f"});
  EXPECT_TRUE(Same(r.out, in_second)) << r.err;
  const std::string to_first = Pattern(200000, 9), to_second = Pattern(200000, 10);
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    Status s = co_await WriteFile(fs, "/a/w", to_first);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    s = co_await WriteFile(fs, "/b/w", to_second);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
  });
  EXPECT_TRUE(Same(ObjectContent(*first_bucket, "/w"), to_first));
  EXPECT_TRUE(Same(ObjectContent(*second_bucket, "/w"), to_second));
}

// A read-only mount reads (through the worker) and refuses every change with kReadOnly, EROFS
// on a FUSE mount (SEMANTICS.md); the bucket is untouched.
TEST(S3MountOptionsTest, ReadOnlyMountReadsAndRefusesWritesWithErofs) {
  ForgetAwsEnvironment();
  S3rver s3;
  ASSERT_TRUE(s3.ok());
  auto bucket = Bucket(s3, "ro");
  ASSERT_NE(bucket, nullptr);
  const std::string content = Pattern(300000, 11);
  PutObject(*bucket, "/f", content);
  ClusterProcesses cluster(LocalRootProperties());
  ASSERT_TRUE(cluster.StartMaster());
  ASSERT_TRUE(cluster.StartWorker());
  CommandResult r = Alluxio(cluster, MountArgs(s3, "/ro", s3.Uri("ro"), /*read_only=*/true));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Alluxio(cluster, {"fs", "cat", "/ro/f"});
  EXPECT_TRUE(Same(r.out, content)) << r.err;
  testing::TempDir local;
  std::ofstream(local.Sub("x"), std::ios::binary) << "x";
  r = Alluxio(cluster, {"fs", "copyFromLocal", local.Sub("x"), "/ro/x"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("read-only"), std::string::npos) << r.err;
  EXPECT_EQ(ToErrno(ErrorCode::kReadOnly), EROFS);
  WithClient(cluster, [&](FileSystemClient& fs) -> Task<void> {
    Status written = co_await WriteFile(fs, "/ro/new", "data");
    EXPECT_EQ(written.code(), ErrorCode::kReadOnly);
    auto dir = co_await fs.CreateDirectory("/ro/d");
    EXPECT_EQ(dir.code(), ErrorCode::kReadOnly);
    Status renamed = co_await fs.Rename("/ro/f", "/ro/g");
    EXPECT_EQ(renamed.code(), ErrorCode::kReadOnly);
    Status deleted = co_await fs.Delete("/ro/f");
    EXPECT_EQ(deleted.code(), ErrorCode::kReadOnly);
  });
  EXPECT_TRUE(Same(ObjectContent(*bucket, "/f"), content));
  EXPECT_FALSE(bucket->GetStatus("/x").ok());
  EXPECT_FALSE(bucket->GetStatus("/new").ok());
}

}  // namespace
}  // namespace alluxio
