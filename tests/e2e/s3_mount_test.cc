// alluxio-fuse over an S3-rooted namespace (issue 17, deliverables 3 and 5): real master, worker
// and FUSE processes whose root UFS is s3://<bucket>/<prefix> of an s3rver on loopback. The
// shell-tool tests and SEMANTICS.md's examples run on the mount; objects added, replaced and
// removed behind Alluxio's back become visible as alluxio.user.file.metadata.sync.interval says;
// the S3 server killed mid-write and mid-read fails the calls with EIO, leaves nothing
// half-visible, and the mount serves again once it is back. Needs root and /dev/fuse.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/ufs/s3_client.h"
#include "core/ufs/s3_ufs_config.h"
#include "tests/cluster/cluster_processes.h"
#include "tests/e2e/fuse_harness.h"
#include "tests/e2e/whole_files.h"
#include "tests/util/s3rver.h"
#include "tests/util/temp_dir.h"

namespace alluxio::testing {
namespace {

using namespace std::chrono_literals;

// What `ls -A` shows, sorted ({"<errno text>"} if the directory cannot be listed).
std::set<std::string> Names(const std::string& dir) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    names.insert(e.path().filename());
  }
  if (ec) return {ec.message()};
  return names;
}

// stat(2): the errno, 0 on success.
int StatErrno(const std::string& path, struct stat* st = nullptr) {
  struct stat ignored {};
  return ::stat(path.c_str(), st != nullptr ? st : &ignored) == 0 ? 0 : errno;
}

class S3MountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!CanMount()) GTEST_SKIP() << "needs root and /dev/fuse";
    ASSERT_TRUE(s3_.ok());
    auto config = S3UfsConfigOf(s3_.Uri(), s3_.Options(), {});
    ASSERT_TRUE(config.ok()) << config.error().ToString();
    bucket_ = std::make_unique<S3Client>(config->client);
  }
  void TearDown() override {
    if (HasFailure() && cluster_) {
      std::cerr << "fuse.log:\n" << ReadLocal(cluster_->home() + "/logs/fuse.log");
    }
    fuse_.reset();  // unmounts first: the daemons need the cluster to drain
    cluster_.reset();
  }

  // Starts a master and a worker rooted at s3://<bucket>/<prefix> with `properties` besides, and
  // mounts their / at a new directory (mp_) with `mount_options`. Stops what ran before.
  void StartAndMount(const std::string& prefix, std::map<std::string, std::string> properties,
                     const std::string& mount_options = "") {
    fuse_.reset();
    cluster_.reset();
    for (const auto& [key, value] : S3RootProperties(s3_, prefix)) properties.emplace(key, value);
    cluster_ = std::make_unique<ClusterProcesses>(properties);
    ASSERT_TRUE(cluster_->StartMaster());
    ASSERT_TRUE(cluster_->StartWorker());
    fuse_ = std::make_unique<FuseHarness>(cluster_->home(), cluster_->DefineArgs());
    mp_ = dirs_.Sub("mnt-" + prefix);
    std::filesystem::create_directories(mp_);
    CommandResult mounted = fuse_->Mount(mp_, "", mount_options);
    ASSERT_EQ(mounted.exit_code, 0) << mounted.out << mounted.err;
  }

  // Puts an object behind Alluxio's back.
  void Put(const std::string& key, const std::string& data) {
    auto put = bucket_->Put(key, std::span<const char>(data.data(), data.size()), {});
    ASSERT_TRUE(put.ok()) << put.error().ToString();
  }
  void Delete(const std::string& key) {
    Status deleted = bucket_->Delete(key);
    ASSERT_TRUE(deleted.ok()) << deleted.error().ToString();
  }
  // Every key of the bucket below `prefix`.
  std::set<std::string> Keys(const std::string& prefix) {
    std::set<std::string> keys;
    std::string token;
    do {
      auto page = bucket_->List(prefix, "", token, 0);
      EXPECT_TRUE(page.ok()) << page.error().ToString();
      if (!page.ok()) break;
      for (const auto& object : page->objects) keys.insert(object.key);
      token = page->next_continuation_token;
    } while (!token.empty());
    return keys;
  }

  S3rver s3_;
  std::unique_ptr<S3Client> bucket_;
  TempDir dirs_;
  std::unique_ptr<ClusterProcesses> cluster_;
  std::unique_ptr<FuseHarness> fuse_;
  std::string mp_;
};

TEST_F(S3MountTest, OrdinaryToolsWork) {
  StartAndMount("root", {{"alluxio.user.file.metadata.sync.interval", "0"}});
  const std::string scratch = dirs_.Sub("scratch");
  std::filesystem::create_directories(scratch);
  CommandResult tools = RunCommand({"/bin/bash", POSIX_TOOLS_SCRIPT, mp_, scratch});
  EXPECT_EQ(tools.exit_code, 0) << tools.out << tools.err;
  // The script removes all it made: nothing is left in the bucket, staged copies included.
  EXPECT_EQ(Keys("root/"), std::set<std::string>{});
  EXPECT_EQ(fuse_->Unmount(mp_).exit_code, 0);
}

TEST_F(S3MountTest, SymbolicLinkToolsWork) {
  StartAndMount("root", {{"alluxio.user.file.metadata.sync.interval", "0"}});
  const std::string scratch = dirs_.Sub("scratch");
  std::filesystem::create_directories(scratch);
  CommandResult tools = RunCommand({"/bin/bash", SYMLINK_TOOLS_SCRIPT, mp_ + "/links", scratch});
  EXPECT_EQ(tools.exit_code, 0) << tools.out << tools.err;
  // A link is an object in the links area holding its target (docs/ufs_s3.md).
  auto python = bucket_->GetSmall("root/.alluxio_links/links/venv/bin/python");
  ASSERT_TRUE(python.ok()) << python.error().ToString();
  EXPECT_EQ(*python, "python3");
  auto model = bucket_->GetSmall("root/.alluxio_links/links/hub/snapshots/rev1/model.bin");
  ASSERT_TRUE(model.ok()) << model.error().ToString();
  EXPECT_EQ(*model, "../../blobs/0123abcd");
  EXPECT_EQ(fuse_->Unmount(mp_).exit_code, 0);
}

TEST_F(S3MountTest, SemanticsExamplesHold) {
  StartAndMount("root", {{"alluxio.user.file.metadata.sync.interval", "0"}});
  CommandResult examples =
      RunCommand({"/usr/bin/python3", SEMANTICS_EXAMPLES_SCRIPT, SEMANTICS_MD, mp_});
  EXPECT_EQ(examples.exit_code, 0) << examples.out << examples.err;
  EXPECT_EQ(fuse_->Unmount(mp_).exit_code, 0);
}

// The reference model of SEMANTICS.md (tests/model) against the mount, syncing with the bucket
// on every access: the master's comparisons never take its own writes, renames and removals
// for changes made behind its back.
TEST_F(S3MountTest, RandomOperationSequencesMatchTheReferenceModel) {
  StartAndMount("root", {{"alluxio.user.file.metadata.sync.interval", "0"}});
  CommandResult checked = RunCommand({"/usr/bin/python3", MODEL_CHECK_SCRIPT, "--root", mp_,
                                      "--seeds", "1,2,3,4,5,6", "--ops", "300"});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_EQ(fuse_->Unmount(mp_).exit_code, 0);
}

// A write that fails at close (here: a hole, which a streamed file cannot have: SEMANTICS.md
// "close, fsync"; written in place it could) removes the file at the RELEASE that follows; the
// next command on the path waits for it, also when the RELEASE takes a while (the worker aborts
// the upload of the parts already sent to S3).
TEST_F(S3MountTest, AFileWhoseCloseFailedIsGoneForTheNextCommand) {
  StartAndMount("root", {{"alluxio.underfs.s3.streaming.upload.partition.size", "5MB"},
                         {"alluxio.fuse.passthrough.enabled", "false"}});
  const std::string data = RandomBytes(6 * kMiB, 14);
  for (int i = 0; i < 5; ++i) {
    const std::string path = mp_ + "/holey" + std::to_string(i);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ASSERT_EQ(::pwrite(fd, "x", 1, static_cast<off_t>(data.size() + 4096)), 1);
    EXPECT_NE(::close(fd), 0);
    EXPECT_EQ(errno, EIO);
    EXPECT_EQ(StatErrno(path), ENOENT) << path;
  }
  EXPECT_EQ(fuse_->Unmount(mp_).exit_code, 0);
}

// Mount options of the metadata sync tests: the kernel caches no attribute or name, so what the
// mount shows is what the master answers at that moment.
constexpr const char* kUncached = "attr_timeout=0,entry_timeout=0";

// Interval 0: every access compares with the bucket. An object replaced behind Alluxio's back
// (other bytes of the same size, then another size) is read in its new version although the
// worker holds blocks of the old one; a file written through Alluxio is not mistaken for a
// changed one (its id stays).
TEST_F(S3MountTest, MetadataSyncAlwaysShowsEveryChangeInTheBucket) {
  StartAndMount("root",
                {{"alluxio.user.file.metadata.sync.interval", "0"},
                 {"alluxio.user.block.size.bytes.default", "1MB"}},
                kUncached);
  ASSERT_EQ(::mkdir((mp_ + "/d").c_str(), 0755), 0);
  const std::string ours = RandomBytes(2 * kMiB + 5, 1);
  ASSERT_EQ(WriteWhole(mp_ + "/d/ours", ours).error, 0);
  struct stat first {};
  struct stat again {};
  ASSERT_EQ(StatErrno(mp_ + "/d/ours", &first), 0);
  EXPECT_TRUE(ReadWhole(mp_ + "/d/ours").data == ours);
  ASSERT_EQ(StatErrno(mp_ + "/d/ours", &again), 0);
  EXPECT_EQ(again.st_ino, first.st_ino) << "our own write was taken for a change in the bucket";
  EXPECT_EQ(Names(mp_ + "/d"), (std::set<std::string>{"ours"}));

  const std::string v1 = RandomBytes(3 * kMiB + 100, 2);
  Put("root/d/added", v1);
  Put("root/d/sub/deeper", "implied directory");
  EXPECT_EQ(Names(mp_ + "/d"), (std::set<std::string>{"added", "ours", "sub"}));
  EXPECT_TRUE(ReadWhole(mp_ + "/d/added").data == v1);  // the worker caches its blocks
  EXPECT_EQ(ReadLocal(mp_ + "/d/sub/deeper"), "implied directory");
  struct stat loaded {};
  ASSERT_EQ(StatErrno(mp_ + "/d/added", &loaded), 0);

  const std::string v2 = RandomBytes(v1.size(), 3);  // same size, other bytes
  Put("root/d/added", v2);
  struct stat replaced {};
  ASSERT_EQ(StatErrno(mp_ + "/d/added", &replaced), 0);
  EXPECT_NE(replaced.st_ino, loaded.st_ino);  // a new file: new blocks
  EXPECT_TRUE(ReadWhole(mp_ + "/d/added").data == v2) << "a cached block of v1 was served";
  const std::string v3 = RandomBytes(5 * kMiB + 1, 4);  // another size
  Put("root/d/added", v3);
  ASSERT_EQ(StatErrno(mp_ + "/d/added", &replaced), 0);
  EXPECT_EQ(replaced.st_size, static_cast<off_t>(v3.size()));
  EXPECT_TRUE(ReadWhole(mp_ + "/d/added").data == v3);

  const std::string theirs = RandomBytes(ours.size(), 5);  // a file of ours, replaced
  Put("root/d/ours", theirs);
  EXPECT_TRUE(ReadWhole(mp_ + "/d/ours").data == theirs);

  Delete("root/d/added");
  Delete("root/d/sub/deeper");
  EXPECT_EQ(StatErrno(mp_ + "/d/added"), ENOENT);
  EXPECT_EQ(Names(mp_ + "/d"), (std::set<std::string>{"ours"}));
  EXPECT_EQ(fuse_->Unmount(mp_).exit_code, 0);
}

// Interval -1: what was loaded stays as it was loaded. A listed directory shows no new object;
// a removed one is still listed; a replaced or removed one is still read in its loaded version
// while the worker holds its blocks (Alluxio's snapshot).
TEST_F(S3MountTest, MetadataSyncNeverKeepsWhatWasLoaded) {
  const std::string v1 = RandomBytes(2 * kMiB, 6);
  Put("root/d/f", v1);
  Put("root/d/gone", "removed later");
  Put("root/d/unread", "never read");
  const std::string partly = RandomBytes(4 * kMiB, 12);
  Put("root/d/partly", partly);
  StartAndMount("root",
                {{"alluxio.user.file.metadata.sync.interval", "-1"},
                 {"alluxio.user.block.size.bytes.default", "1MB"}},
                kUncached);
  EXPECT_EQ(Names(mp_ + "/d"), (std::set<std::string>{"f", "gone", "partly", "unread"}));
  EXPECT_TRUE(ReadWhole(mp_ + "/d/f").data == v1);
  EXPECT_EQ(ReadLocal(mp_ + "/d/gone"), "removed later");

  {  // of `partly` the first block is cached (and perhaps the next: a sequential cold read)
    std::ifstream in(mp_ + "/d/partly", std::ios::binary);
    std::string head(4096, '\0');
    ASSERT_TRUE(in.read(head.data(), head.size()));
  }
  Put("root/d/partly", RandomBytes(partly.size(), 13));
  // Its last blocks are in S3 only, in another version: EIO, never two versions mixed.
  const ReadOutcome mixed = ReadWhole(mp_ + "/d/partly");
  EXPECT_EQ(mixed.error, EIO) << std::strerror(mixed.error);
  EXPECT_LT(mixed.data.size(), partly.size());
  EXPECT_TRUE(partly.compare(0, mixed.data.size(), mixed.data) == 0) << "two versions mixed";

  Put("root/d/new", "added later");
  Put("root/d/f", RandomBytes(v1.size(), 7));
  Delete("root/d/gone");
  EXPECT_EQ(Names(mp_ + "/d"), (std::set<std::string>{"f", "gone", "partly", "unread"}));
  EXPECT_EQ(StatErrno(mp_ + "/d/new"), ENOENT);
  EXPECT_TRUE(ReadWhole(mp_ + "/d/f").data == v1);
  // Removed: what the worker caches is still read, what it does not is missing (ENOENT).
  Delete("root/d/f");
  Delete("root/d/unread");
  EXPECT_TRUE(ReadWhole(mp_ + "/d/f").data == v1);
  EXPECT_EQ(ReadWhole(mp_ + "/d/unread").error, ENOENT);
  EXPECT_EQ(fuse_->Unmount(mp_).exit_code, 0);
}

// Interval N: a change is not seen while the last comparison is less than N old (1 h here), and
// is seen once it is older (1 s here, waited out).
TEST_F(S3MountTest, MetadataSyncIntervalShowsChangesOnceItElapsed) {
  for (const std::string interval : {"1h", "1s"}) {
    SCOPED_TRACE(interval);
    const std::string prefix = "root" + interval;
    const std::string v1 = RandomBytes(2 * kMiB, 8);
    const std::string v2 = RandomBytes(v1.size(), 9);
    Put(prefix + "/d/f", v1);
    Put(prefix + "/d/gone", "removed later");
    StartAndMount(prefix,
                  {{"alluxio.user.file.metadata.sync.interval", interval},
                   {"alluxio.user.block.size.bytes.default", "1MB"}},
                  kUncached);
    EXPECT_EQ(Names(mp_ + "/d"), (std::set<std::string>{"f", "gone"}));
    EXPECT_TRUE(ReadWhole(mp_ + "/d/f").data == v1);
    Put(prefix + "/d/new", "added later");
    Put(prefix + "/d/f", v2);
    Delete(prefix + "/d/gone");
    if (interval == "1h") {
      EXPECT_EQ(Names(mp_ + "/d"), (std::set<std::string>{"f", "gone"}));
      EXPECT_TRUE(ReadWhole(mp_ + "/d/f").data == v1);
    } else {
      std::this_thread::sleep_for(1100ms);  // the interval elapses
      EXPECT_EQ(Names(mp_ + "/d"), (std::set<std::string>{"f", "new"}));
      EXPECT_TRUE(ReadWhole(mp_ + "/d/f").data == v2) << "a cached block of v1 was served";
      EXPECT_EQ(ReadLocal(mp_ + "/d/new"), "added later");
    }
    EXPECT_EQ(fuse_->Unmount(mp_).exit_code, 0);
  }
}

// The S3 server is killed (by pid) while a file is written and while an object is read through
// the mount: both fail with EIO within the retries of a short request timeout, nothing of the
// failed file shows in the namespace or in the bucket, and once the server is back on the same
// port and directory the mount serves again without a remount.
TEST_F(S3MountTest, S3ServerKilledMidWriteAndMidReadFailsWithEioAndTheMountRecovers) {
  const std::string big = RandomBytes(16 * kMiB, 10);
  Put("root/big", big);
  StartAndMount("root",
                {{"alluxio.underfs.s3.request.timeout", "2s"},
                 {"alluxio.user.block.size.bytes.default", "1MB"},
                 {"alluxio.underfs.s3.streaming.upload.partition.size", "5MB"},
                 {"alluxio.underfs.s3.upload.threads.max", "2"}},
                kUncached);

  ReadOutcome read = ReadWhole(mp_ + "/big", [&](size_t i) {
    if (i == 0) s3_.Stop();
  });
  EXPECT_EQ(read.error, EIO) << std::strerror(read.error);
  EXPECT_LT(read.data.size(), big.size());
  EXPECT_TRUE(big.compare(0, read.data.size(), read.data) == 0) << "wrong bytes read";
  ASSERT_TRUE(s3_.Start());
  EXPECT_TRUE(ReadWhole(mp_ + "/big").data == big);

  // Killed after the first 5 MB part went out: the multipart upload of the staged copy fails.
  const std::string data = RandomBytes(12 * kMiB, 11);
  WriteOutcome written = WriteWhole(mp_ + "/w", data, [&](size_t i) {
    if (i == 6) s3_.Stop();
  });
  EXPECT_EQ(written.error, EIO) << written.step << ": " << std::strerror(written.error);
  // Whether a name the master has not loaded exists is for the bucket to say: EIO meanwhile;
  // so do changes mirrored to the bucket. What the master loaded still serves.
  EXPECT_EQ(StatErrno(mp_ + "/w"), EIO);
  EXPECT_NE(::mkdir((mp_ + "/dir").c_str(), 0755), 0);
  EXPECT_EQ(errno, EIO);
  EXPECT_NE(::unlink((mp_ + "/big").c_str()), 0);
  EXPECT_EQ(errno, EIO);
  EXPECT_EQ(StatErrno(mp_ + "/big"), 0);
  ASSERT_TRUE(s3_.Start());
  EXPECT_EQ(StatErrno(mp_ + "/w"), ENOENT);
  EXPECT_EQ(Names(mp_), (std::set<std::string>{"big"}));
  EXPECT_EQ(Keys("root/"), (std::set<std::string>{"root/big"}));

  ASSERT_EQ(WriteWhole(mp_ + "/w", data).error, 0);
  EXPECT_TRUE(ReadWhole(mp_ + "/w").data == data);
  EXPECT_EQ(Keys("root/"), (std::set<std::string>{"root/big", "root/w"}));
  EXPECT_EQ(fuse_->Unmount(mp_).exit_code, 0);
}

}  // namespace
}  // namespace alluxio::testing
