// `alluxio fs` / `alluxio fsadmin` commands against a master and worker in the test process.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/cli/format.h"
#include "core/cli/fs_shell.h"
#include "tests/client/test_cluster.h"
#include "tests/util/s3rver.h"

namespace alluxio::testing {
namespace {

namespace stdfs = std::filesystem;

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.ok()) << cluster_.error();
    local_ = cluster_.work_dir() + "/local";
    stdfs::create_directories(local_);
  }

  Outcome Fs(std::vector<std::string> args) {
    std::ostringstream out, err;
    Configuration conf = cluster_.ClientConf();
    int code = BlockOn(cluster_.client_reactor(), cli::RunFsCommand(args, conf, out, err));
    return Outcome{code, out.str(), err.str()};
  }
  Outcome Fsadmin(std::vector<std::string> args) {
    std::ostringstream out, err;
    Configuration conf = cluster_.ClientConf();
    int code = BlockOn(cluster_.client_reactor(), cli::RunFsadminCommand(args, conf, out, err));
    return Outcome{code, out.str(), err.str()};
  }
  void WriteLocal(const std::string& path, const std::string& data) {
    stdfs::create_directories(stdfs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << data;
  }
  std::string ReadLocal(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  TestCluster cluster_;
  std::string local_;
};

TEST_F(CliTest, Format) {
  FileInfo info;
  info.is_directory = true;
  info.mode = 0755;
  EXPECT_EQ(cli::PermissionString(info), "drwxr-xr-x");
  info.is_directory = false;
  info.mode = 0640;
  EXPECT_EQ(cli::PermissionString(info), "-rw-r-----");
  info.mode = 0777;
  info.symlink_target = "f";
  EXPECT_EQ(cli::PermissionString(info), "lrwxrwxrwx");
  EXPECT_EQ(cli::FormatBytes(512), "512B");
  EXPECT_EQ(cli::FormatBytes(1536), "1.50KB");
  EXPECT_EQ(cli::FormatBytes(64ull << 20), "64.00MB");
  EXPECT_TRUE(std::regex_match(cli::FormatTimeMs(1700000000123),
                               std::regex(R"(\d\d-\d\d-\d{4} \d\d:\d\d:\d\d:123)")));
}

TEST_F(CliTest, MkdirLsStatRmMv) {
  Outcome r = Fs({"mkdir", "/a/b"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Successfully created directory /a/b\n");
  r = Fs({"mkdir", "/a/b"});
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;

  WriteLocal(local_ + "/f.txt", "hello alluxio\n");
  r = Fs({"copyFromLocal", local_ + "/f.txt", "/a/f.txt"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Copied file://" + local_ + "/f.txt to /a/f.txt\n");

  r = Fs({"ls", "/a"});
  EXPECT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string dir_line, file_line, extra;
  std::getline(lines, dir_line);
  std::getline(lines, file_line);
  EXPECT_FALSE(std::getline(lines, extra));
  EXPECT_TRUE(std::regex_match(
      dir_line, std::regex(R"(drwxr-xr-x .* +\d+ +PERSISTED +\d\d-\d\d-\d{4} [0-9:]+ +DIR /a/b)")))
      << dir_line;
  EXPECT_TRUE(std::regex_match(
      file_line,
      std::regex(R"(-rw.{7} .* +14 +PERSISTED +\d\d-\d\d-\d{4} [0-9:]+ +100% /a/f.txt)")))
      << file_line;
  r = Fs({"ls", "-R", "/"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find(" /a\n"), std::string::npos);
  EXPECT_NE(r.out.find(" /a/b\n"), std::string::npos);
  EXPECT_NE(r.out.find(" /a/f.txt\n"), std::string::npos);

  r = Fs({"cat", "/a/f.txt"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "hello alluxio\n");

  r = Fs({"stat", "/a/f.txt"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("/a/f.txt is a file path.\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("length=14"), std::string::npos);
  EXPECT_NE(r.out.find("Containing the following blocks"), std::string::npos);
  r = Fs({"stat", "/a"});
  EXPECT_EQ(r.out.rfind("/a is a directory path.\n", 0), 0u);

  r = Fs({"mv", "/a/f.txt", "/a/g.txt"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Renamed /a/f.txt to /a/g.txt\n");
  r = Fs({"mv", "/a/g.txt", "/a/b"});  // into a directory
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Renamed /a/g.txt to /a/b/g.txt\n");

  r = Fs({"rm", "/a"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("rm -R"), std::string::npos);
  r = Fs({"rm", "/a/b/g.txt"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "/a/b/g.txt has been removed\n");
  r = Fs({"rm", "-R", "/a"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "/a has been removed\n");
  r = Fs({"ls", "/a"});
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("not found"), std::string::npos) << r.err;
}

TEST_F(CliTest, LsAndStatShowSymbolicLinks) {
  // Links found in the under storage are loaded as links, never followed.
  WriteLocal(cluster_.ufs_root() + "/links/f.txt", "hello");
  stdfs::create_symlink("f.txt", cluster_.ufs_root() + "/links/rel");
  stdfs::create_symlink("/nowhere/at/all", cluster_.ufs_root() + "/links/dangling");

  Outcome r = Fs({"ls", "/links"});
  EXPECT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string dangling, file, rel, extra;
  std::getline(lines, dangling);
  std::getline(lines, file);
  std::getline(lines, rel);
  EXPECT_FALSE(std::getline(lines, extra));
  EXPECT_TRUE(std::regex_match(
      dangling, std::regex(R"(lrwxrwxrwx .* +15 +PERSISTED +\d\d-\d\d-\d{4} [0-9:]+ +LINK )"
                           R"(/links/dangling -> /nowhere/at/all)")))
      << dangling;
  EXPECT_TRUE(std::regex_match(file, std::regex(R"(-rw.* +5 +PERSISTED .* /links/f.txt)"))) << file;
  EXPECT_TRUE(std::regex_match(rel, std::regex(R"(lrwxrwxrwx .* +5 +PERSISTED .* LINK )"
                                               R"(/links/rel -> f.txt)")))
      << rel;

  r = Fs({"stat", "/links/rel"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("/links/rel is a symbolic link to f.txt.\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("length=5,"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Containing the following blocks"), std::string::npos) << r.out;

  r = Fs({"copyToLocal", "/links", local_});  // links are copied as links
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(stdfs::read_symlink(local_ + "/links/rel"), "f.txt");
  EXPECT_EQ(stdfs::read_symlink(local_ + "/links/dangling"), "/nowhere/at/all");
  EXPECT_EQ(ReadLocal(local_ + "/links/f.txt"), "hello");

  r = Fs({"cat", "/links/rel"});  // the master never follows a link
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("symbolic link"), std::string::npos) << r.err;

  r = Fs({"rm", "/links/rel"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(stdfs::is_symlink(cluster_.ufs_root() + "/links/rel"));
  EXPECT_EQ(ReadLocal(cluster_.ufs_root() + "/links/f.txt"), "hello");
}

TEST_F(CliTest, CopyTreesBothWays) {
  WriteLocal(local_ + "/tree/x", std::string(300000, 'x'));
  WriteLocal(local_ + "/tree/sub/y", "y");
  WriteLocal(local_ + "/tree/sub/empty", "");
  Outcome r = Fs({"copyFromLocal", local_ + "/tree", "/t"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Copied file://" + local_ + "/tree/sub/y to /t/sub/y\n"), std::string::npos)
      << r.out;
  r = Fs({"copyToLocal", "/t", local_ + "/back"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Copied /t/x to file://" + local_ + "/back/x\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(ReadLocal(local_ + "/back/x"), std::string(300000, 'x'));
  EXPECT_EQ(ReadLocal(local_ + "/back/sub/y"), "y");
  EXPECT_TRUE(stdfs::exists(local_ + "/back/sub/empty"));
  r = Fs({"copyFromLocal", local_ + "/missing", "/m"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos);
}

TEST_F(CliTest, MountFreeLoadReport) {
  stdfs::create_directories(cluster_.work_dir() + "/ufs2");
  WriteLocal(cluster_.work_dir() + "/ufs2/data", std::string(5000, 'd'));
  Outcome r = Fs({"mount", "--readonly", "/m", cluster_.work_dir() + "/ufs2"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Mounted " + cluster_.work_dir() + "/ufs2 at /m\n");
  r = Fs({"mkdir", "/m/x"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("read"), std::string::npos) << r.err;

  r = Fs({"ls", "/m/data"});
  EXPECT_NE(r.out.find("  0% /m/data"), std::string::npos) << r.out;
  r = Fs({"load", "/m"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "/m/data loaded\n");
  cluster_.Heartbeat();
  r = Fs({"ls", "/m/data"});
  EXPECT_NE(r.out.find("100% /m/data"), std::string::npos) << r.out;

  r = Fs({"free", "/m"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "/m was successfully freed from Alluxio space.\n");
  cluster_.Heartbeat();
  r = Fs({"ls", "/m/data"});
  EXPECT_NE(r.out.find("  0% /m/data"), std::string::npos) << r.out;

  r = Fsadmin({"report"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Live Workers: 1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Lost Workers: 0\n"), std::string::npos);
  EXPECT_NE(r.out.find("Total Capacity: 256.00MB\n"), std::string::npos);
  EXPECT_NE(r.out.find("127.0.0.1:" + std::to_string(cluster_.worker_port())), std::string::npos);

  r = Fs({"unmount", "/m"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Unmounted /m\n");
  r = Fs({"ls", "/m"});
  EXPECT_NE(r.code, 0);
}

TEST_F(CliTest, UsageErrors) {
  Outcome r = Fs({"bogus"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bogus is an unknown command."), std::string::npos);
  r = Fs({"ls", "-Z", "/"});
  EXPECT_EQ(r.code, 2);
  r = Fs({"cp"});
  EXPECT_EQ(r.code, 2);
  r = Fs({"mv", "/only-one"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("Usage: alluxio fs mv"), std::string::npos);
  r = Fsadmin({"nonsense"});
  EXPECT_EQ(r.code, 2);
  r = Fs({"cat", "/"});
  EXPECT_EQ(r.code, 1);
  r = Fs({"mkdir", "/bad/../x"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("invalid"), std::string::npos) << r.err;
}

TEST_F(CliTest, UnreachableMasterFailsWithOneLine) {
  Configuration conf = cluster_.ClientConf();
  ASSERT_TRUE(conf.Set(PropertyKey::kMasterRpcPort, "1").ok());
  ASSERT_TRUE(conf.Set(PropertyKey::kUserRpcRetryMaxDuration, "200ms").ok());
  std::ostringstream out, err;
  int code = BlockOn(cluster_.client_reactor(), cli::RunFsCommand({"ls", "/"}, conf, out, err));
  EXPECT_EQ(code, 1);
  std::string text = err.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_NE(text.find("unavailable"), std::string::npos) << text;
}

// An S3 bucket mounted with its endpoint and credentials as mount options: the master reaches
// it with them, and `alluxio fs mount` lists them with the secrets masked.
TEST_F(CliTest, MountS3WithOptionsAndListMounts) {
  testing::S3rver s3;
  ASSERT_TRUE(s3.ok());
  auto ufs = CreateUnderFileSystem(s3.Uri("data"), s3.Options());
  ASSERT_TRUE(ufs.ok());
  ASSERT_TRUE((*ufs)->Mkdirs("/dir", 0755).ok());
  std::vector<std::string> args{"mount", "--readonly", "/s3", s3.Uri("data")};
  for (const auto& [key, value] : s3.Options()) {
    args.insert(args.begin() + 1, {"--option", key + "=" + value});
  }
  Outcome r = Fs(args);
  ASSERT_EQ(r.code, 0) << r.err;
  r = Fs({"ls", "/s3"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("/s3/dir"), std::string::npos) << r.out;

  r = Fs({"mount"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(s3.Uri("data") + "  on  /s3  (read-only, properties={"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("alluxio.underfs.s3.endpoint=" + s3.Endpoint()), std::string::npos);
  EXPECT_NE(r.out.find("s3a.secretKey=******"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("S3RVER"), std::string::npos) << r.out;  // no credential shown

  r = Fs({"mount", "--option", "novalue", "/x", s3.Uri()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("key=value"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace alluxio::testing
