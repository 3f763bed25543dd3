// A shared mount used by several users: real master and worker processes, the real
// `alluxio-fuse` mounted by root with allow_other, and Python snippets run as other users
// (setpriv to nobody, and to a uid this host does not know). Also the master's own checks, seen
// through the `alluxio fs` shell naming another user. Needs root and /dev/fuse (skipped
// otherwise).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/cluster/cluster_processes.h"
#include "tests/e2e/fuse_harness.h"
#include "tests/e2e/whole_files.h"
#include "tests/util/temp_dir.h"

namespace alluxio::testing {
namespace {

constexpr char kSystemPolicy[] =
    "allow_other,alluxio.fuse.auth.policy.class=alluxio.fuse.auth.SystemUserGroupAuthPolicy";

// A user to run as: uid, gid and supplementary groups.
struct As {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> groups;
};
const As kRoot{0, 0, {}};
const As kNobody{65534, 65534, {}};
const As kStranger{4242, 4343, {}};  // no such user or group on this host

// What a Python snippet prints, then "OK", or the errno name (EACCES, ...) it failed with.
// `M` is the mount point, the umask 0; utimens(path, (sec, nsec) | "now" | "omit", ...) is
// utimensat(2).
constexpr char kPrelude[] = R"(import ctypes, errno, os, sys
M = os.environ["MNT"]
os.umask(0)
class Ts(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]
def utimens(path, atime, mtime):
    def ts(t):
        return Ts(0, (1 << 30) - 1) if t == "now" else Ts(0, (1 << 30) - 2) if t == "omit" else Ts(*t)
    libc = ctypes.CDLL(None, use_errno=True)
    times = (Ts * 2)(ts(atime), ts(mtime))
    if libc.utimensat(-100, path.encode(), times, 0) != 0:
        raise OSError(ctypes.get_errno(), "utimensat")
def write(path, data, flags=os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode=0o644):
    fd = os.open(path, flags, mode)
    os.write(fd, data)
    os.close(fd)
try:
)";
constexpr char kEpilogue[] = R"(
    print("OK")
except OSError as e:
    print(errno.errorcode[e.errno])
)";

class PermissionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!CanMount()) GTEST_SKIP() << "needs root and /dev/fuse";
    // Other users must reach the mount points.
    std::filesystem::permissions(dirs_.path(), std::filesystem::perms(0755));
    cluster_ = std::make_unique<ClusterProcesses>();
    ASSERT_TRUE(cluster_->StartMaster());
    ASSERT_TRUE(cluster_->StartWorker());
    fuse_ = std::make_unique<FuseHarness>(cluster_->home(), cluster_->DefineArgs());
  }
  void TearDown() override {
    fuse_.reset();
    cluster_.reset();
  }

  // Mounts Alluxio's root with `options` at a new mount point; "" on failure.
  std::string MountWith(const std::string& name, const std::string& options) {
    const std::string mp = dirs_.path() + "/" + name;
    std::filesystem::create_directories(mp);
    CommandResult mounted = fuse_->Mount(mp, "", options);
    EXPECT_EQ(mounted.exit_code, 0) << mounted.out << mounted.err;
    return mounted.exit_code == 0 ? mp : "";
  }

  // Runs `code` (Python statements, one per line) as `user` against mount point `mp`; returns
  // what it printed (see kPrelude).
  std::string Py(const As& user, const std::string& mp, const std::string& code) {
    std::string script = kPrelude;
    std::istringstream lines(code);
    for (std::string line; std::getline(lines, line);) script += "    " + line + "\n";
    script += kEpilogue;
    std::vector<std::string> argv;
    if (user.uid != 0) {
      argv = {"/usr/bin/setpriv", fmt::format("--reuid={}", user.uid),
              fmt::format("--regid={}", user.gid)};
      if (user.groups.empty()) {
        argv.push_back("--clear-groups");
      } else {
        argv.push_back(fmt::format("--groups={}", fmt::join(user.groups, ",")));
      }
    }
    argv.insert(argv.end(), {"/usr/bin/python3", "-c", script});
    CommandResult run = RunCommand(argv, {{"MNT", mp}});
    EXPECT_EQ(run.exit_code, 0) << code << "\n" << run.out << run.err;
    std::string out = run.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  // `alluxio fs <args>` naming `user` (alluxio.security.login.username; "" for the OS user).
  CommandResult Shell(const std::string& user, const std::vector<std::string>& args) {
    std::vector<std::string> argv{ALLUXIO_BINARY};
    for (const std::string& define : cluster_->DefineArgs()) argv.push_back(define);
    if (!user.empty()) argv.push_back("-Dalluxio.security.login.username=" + user);
    argv.push_back("fs");
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }

  std::string FuseLog() {
    std::ifstream in(cluster_->home() + "/logs/fuse.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  TempDir dirs_;
  std::unique_ptr<ClusterProcesses> cluster_;
  std::unique_ptr<FuseHarness> fuse_;
};

// Finding 3 of issue 16: mounted by root with allow_other, nobody read root's 0600 file,
// created a file in root's 0755 directory and deleted root's file.
TEST_F(PermissionsTest, AllowOtherChecksEachCallerAgainstTheFilesItShows) {
  const std::string mp = MountWith("mnt", "allow_other");
  ASSERT_FALSE(mp.empty());
  EXPECT_NE(FuseLog().find("allow_other: default_permissions added"), std::string::npos);
  ASSERT_EQ(Py(kRoot, mp, R"(os.mkdir(f"{M}/rootdir", 0o755)
write(f"{M}/rootdir/secret", b"secret", mode=0o600)
write(f"{M}/rootdir/public", b"public", mode=0o644))"),
            "OK");
  for (const As& user : {kNobody, kStranger}) {
    SCOPED_TRACE(user.uid);
    EXPECT_EQ(Py(user, mp, R"(open(f"{M}/rootdir/secret").read())"), "EACCES");
    EXPECT_EQ(Py(user, mp, R"(write(f"{M}/rootdir/new", b"x"))"), "EACCES");
    EXPECT_EQ(Py(user, mp, R"(os.unlink(f"{M}/rootdir/secret"))"), "EACCES");
    EXPECT_EQ(Py(user, mp, R"(os.rename(f"{M}/rootdir/secret", f"{M}/rootdir/mine"))"), "EACCES");
    EXPECT_EQ(Py(user, mp, R"(os.mkdir(f"{M}/mine"))"), "EACCES");
    EXPECT_EQ(Py(user, mp, R"(os.chmod(f"{M}/rootdir/public", 0o666))"), "EPERM");
    EXPECT_EQ(Py(user, mp, R"(print(open(f"{M}/rootdir/public").read()))"), "public\nOK");
    EXPECT_EQ(Py(user, mp, R"(print(oct(os.stat(f"{M}/rootdir/secret").st_mode & 0o7777)))"),
              "0o600\nOK");
  }
  EXPECT_EQ(Py(kRoot, mp, R"(print(open(f"{M}/rootdir/secret").read()))"), "secret\nOK");
}

TEST_F(PermissionsTest, AllowOtherWithoutCheckingIsAnExplicitChoice) {
  const std::string mp =
      MountWith("mnt", "allow_other,alluxio.fuse.permission.check.enabled=false");
  ASSERT_FALSE(mp.empty());
  EXPECT_NE(FuseLog().find("alluxio.fuse.permission.check.enabled=false: every user admitted "
                           "to the mount acts as the user who mounted it"),
            std::string::npos);
  ASSERT_EQ(Py(kRoot, mp, R"(write(f"{M}/secret", b"secret", mode=0o600))"), "OK");
  EXPECT_EQ(Py(kNobody, mp, R"(print(open(f"{M}/secret").read()))"), "secret\nOK");
}

TEST_F(PermissionsTest, SystemUserPolicyNewFilesBelongToTheirCreator) {
  const std::string mp = MountWith("mnt", kSystemPolicy);
  ASSERT_FALSE(mp.empty());
  ASSERT_EQ(Py(kRoot, mp, R"(os.mkdir(f"{M}/shared")
os.chmod(f"{M}/shared", 0o777))"),
            "OK");
  ASSERT_EQ(Py(kNobody, mp, R"(write(f"{M}/shared/n", b"n")
os.mkdir(f"{M}/shared/nd"))"),
            "OK");
  ASSERT_EQ(Py(kStranger, mp, R"(write(f"{M}/shared/s", b"s"))"), "OK");
  const std::string owners = R"(for name in ("n", "nd", "s"):
    st = os.stat(f"{M}/shared/{name}")
    print(name, st.st_uid, st.st_gid))";
  const std::string expected = "n 65534 65534\nnd 65534 65534\ns 4242 4343\nOK";
  EXPECT_EQ(Py(kRoot, mp, owners), expected);
  EXPECT_EQ(Py(kNobody, mp, owners), expected);
  // Recorded in the master by name.
  CommandResult ls = Shell("", {"ls", "/shared"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("nobody"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("4242"), std::string::npos) << ls.out;
  // The creator owns it: it may chmod it, others may not.
  EXPECT_EQ(Py(kNobody, mp, R"(os.chmod(f"{M}/shared/n", 0o600))"), "OK");
  EXPECT_EQ(Py(kStranger, mp, R"(open(f"{M}/shared/n").read())"), "EACCES");
  EXPECT_EQ(Py(kStranger, mp, R"(os.chmod(f"{M}/shared/n", 0o666))"), "EPERM");
}

TEST_F(PermissionsTest, ModeBitsOfEveryPathComponentApply) {
  const std::string mp = MountWith("mnt", kSystemPolicy);
  ASSERT_FALSE(mp.empty());
  ASSERT_EQ(Py(kRoot, mp, R"(os.makedirs(f"{M}/a/b/c")
write(f"{M}/a/b/c/f", b"deep", mode=0o644)
os.chmod(f"{M}/a/b", 0o700))"),
            "OK");
  EXPECT_EQ(Py(kNobody, mp, R"(os.stat(f"{M}/a/b/c/f"))"), "EACCES");
  EXPECT_EQ(Py(kNobody, mp, R"(open(f"{M}/a/b/c/f").read())"), "EACCES");
  EXPECT_EQ(Py(kNobody, mp, R"(os.listdir(f"{M}/a/b"))"), "EACCES");
  EXPECT_EQ(Py(kRoot, mp, R"(os.chmod(f"{M}/a/b", 0o711))"), "OK");  // search, no listing
  EXPECT_EQ(Py(kNobody, mp, R"(print(open(f"{M}/a/b/c/f").read()))"), "deep\nOK");
  EXPECT_EQ(Py(kNobody, mp, R"(os.listdir(f"{M}/a/b"))"), "EACCES");
}

TEST_F(PermissionsTest, StickyDirectoriesLetOnlyTheOwnerRemoveOrRename) {
  const std::string mp = MountWith("mnt", kSystemPolicy);
  ASSERT_FALSE(mp.empty());
  ASSERT_EQ(Py(kRoot, mp, R"(os.mkdir(f"{M}/tmp")
os.chmod(f"{M}/tmp", 0o1777))"),
            "OK");
  ASSERT_EQ(Py(kNobody, mp, R"(write(f"{M}/tmp/nobodys", b"n", mode=0o666)
os.mkdir(f"{M}/tmp/nobodys-dir"))"),
            "OK");
  ASSERT_EQ(Py(kStranger, mp, R"(write(f"{M}/tmp/strangers", b"s", mode=0o666))"), "OK");
  EXPECT_EQ(Py(kStranger, mp, R"(os.unlink(f"{M}/tmp/nobodys"))"), "EPERM");
  EXPECT_EQ(Py(kStranger, mp, R"(os.rmdir(f"{M}/tmp/nobodys-dir"))"), "EPERM");
  EXPECT_EQ(Py(kStranger, mp, R"(os.rename(f"{M}/tmp/nobodys", f"{M}/tmp/taken"))"), "EPERM");
  EXPECT_EQ(Py(kStranger, mp, R"(os.rename(f"{M}/tmp/strangers", f"{M}/tmp/nobodys"))"), "EPERM");
  EXPECT_EQ(Py(kStranger, mp, R"(print(open(f"{M}/tmp/nobodys").read()))"), "n\nOK");
  EXPECT_EQ(Py(kNobody, mp, R"(os.rename(f"{M}/tmp/nobodys", f"{M}/tmp/still-nobodys"))"), "OK");
  EXPECT_EQ(Py(kNobody, mp, R"(os.unlink(f"{M}/tmp/still-nobodys"))"), "OK");
  EXPECT_EQ(Py(kRoot, mp, R"(os.unlink(f"{M}/tmp/strangers"))"), "OK");
}

TEST_F(PermissionsTest, ChownOnlyByRootChgrpOnlyToOnesOwnGroups) {
  const std::string mp = MountWith("mnt", kSystemPolicy);
  ASSERT_FALSE(mp.empty());
  ASSERT_EQ(Py(kRoot, mp, R"(os.mkdir(f"{M}/d")
os.chmod(f"{M}/d", 0o777))"),
            "OK");
  const As member{65534, 65534, {65534, 4343}};
  ASSERT_EQ(Py(member, mp, R"(write(f"{M}/d/f", b"x"))"), "OK");
  EXPECT_EQ(Py(member, mp, R"(os.chown(f"{M}/d/f", 4242, -1))"), "EPERM");
  EXPECT_EQ(Py(member, mp, R"(os.chown(f"{M}/d/f", -1, 0))"), "EPERM");
  EXPECT_EQ(Py(member, mp, R"(os.chown(f"{M}/d/f", -1, 4343)
st = os.stat(f"{M}/d/f")
print(st.st_uid, st.st_gid))"),
            "65534 4343\nOK");
  EXPECT_EQ(Py(kStranger, mp, R"(os.chown(f"{M}/d/f", -1, 4343))"), "EPERM");  // not the owner
  EXPECT_EQ(Py(kRoot, mp, R"(os.chown(f"{M}/d/f", 4242, 4242)
st = os.stat(f"{M}/d/f")
print(st.st_uid, st.st_gid))"),
            "4242 4242\nOK");
}

TEST_F(PermissionsTest, EntriesOfASetgidDirectoryTakeItsGroup) {
  const std::string mp = MountWith("mnt", kSystemPolicy);
  ASSERT_FALSE(mp.empty());
  ASSERT_EQ(Py(kRoot, mp, R"(os.mkdir(f"{M}/proj")
os.chown(f"{M}/proj", 0, 4343)
os.chmod(f"{M}/proj", 0o2777))"),
            "OK");
  EXPECT_EQ(Py(kNobody, mp, R"(write(f"{M}/proj/f", b"x")
os.mkdir(f"{M}/proj/d")
for name in ("f", "d"):
    st = os.stat(f"{M}/proj/{name}")
    print(name, st.st_uid, st.st_gid, oct(st.st_mode & 0o7777)))"),
            "f 65534 4343 0o644\nd 65534 4343 0o2777\nOK");
}

TEST_F(PermissionsTest, SetuidAndSetgidAreClearedByChownAndByAWriteOfAnotherUser) {
  const std::string mp = MountWith("mnt", kSystemPolicy);
  ASSERT_FALSE(mp.empty());
  ASSERT_EQ(Py(kRoot, mp, R"(os.mkdir(f"{M}/d")
os.chmod(f"{M}/d", 0o777)
write(f"{M}/d/prog", b"#!/bin/sh\n")
os.chmod(f"{M}/d/prog", 0o6755)
os.chown(f"{M}/d/prog", 4242, -1)
print(oct(os.stat(f"{M}/d/prog").st_mode & 0o7777)))"),
            "0o755\nOK");
  // Written by another user: an empty file, and one replaced with O_TRUNC.
  ASSERT_EQ(Py(kRoot, mp, R"(write(f"{M}/d/empty", b"")
os.chmod(f"{M}/d/empty", 0o6777)
write(f"{M}/d/full", b"old")
os.chmod(f"{M}/d/full", 0o6777))"),
            "OK");
  EXPECT_EQ(Py(kNobody, mp, R"(write(f"{M}/d/empty", b"new", flags=os.O_WRONLY)
print(oct(os.stat(f"{M}/d/empty").st_mode & 0o7777)))"),
            "0o777\nOK");
  EXPECT_EQ(Py(kNobody, mp, R"(write(f"{M}/d/full", b"new", flags=os.O_WRONLY | os.O_TRUNC)
print(oct(os.stat(f"{M}/d/full").st_mode & 0o7777)))"),
            "0o777\nOK");
  EXPECT_EQ(
      Py(kRoot, mp,
         R"(print(open(f"{M}/d/full").read(), oct(os.stat(f"{M}/d/full").st_mode & 0o7777)))"),
      "new 0o777\nOK");
}

TEST_F(PermissionsTest, UtimensatNowOmitAndTimesBeyond2038) {
  const std::string mp = MountWith("mnt", kSystemPolicy);
  ASSERT_FALSE(mp.empty());
  ASSERT_EQ(Py(kRoot, mp, R"(os.mkdir(f"{M}/d")
os.chmod(f"{M}/d", 0o777)
write(f"{M}/d/shared", b"x", mode=0o666)
write(f"{M}/d/mine", b"x", mode=0o644)
utimens(f"{M}/d/shared", (1000, 0), (1000, 0))
utimens(f"{M}/d/mine", (1000, 0), (1000, 0)))"),
            "OK");
  const std::string mtime = R"(print(os.stat(f"{M}/d/mine").st_mtime_ns))";
  // 2100-01-01T00:00:00Z and 1960-01-01T00:00:00Z, with nanoseconds.
  EXPECT_EQ(Py(kRoot, mp,
               R"(utimens(f"{M}/d/mine", (4102444800, 0), (4102444800, 123000000)))"
               "\n" +
                   mtime),
            "4102444800123000000\nOK");
  EXPECT_EQ(Py(kRoot, mp,
               R"(utimens(f"{M}/d/mine", "omit", "omit"))"
               "\n" +
                   mtime),
            "4102444800123000000\nOK");
  EXPECT_EQ(Py(kRoot, mp,
               R"(utimens(f"{M}/d/mine", (5, 0), "omit"))"
               "\n" +
                   mtime),
            "4102444800123000000\nOK");
  EXPECT_EQ(Py(kRoot, mp,
               R"(utimens(f"{M}/d/mine", "omit", (-315619200, 0)))"
               "\n" +
                   mtime),
            "-315619200000000000\nOK");
  // Another user: "now" needs write permission, a given time needs ownership.
  EXPECT_EQ(Py(kNobody, mp, R"(utimens(f"{M}/d/shared", "now", "now")
import time
print(abs(os.stat(f"{M}/d/shared").st_mtime - time.time()) < 3600))"),
            "True\nOK");
  EXPECT_EQ(Py(kNobody, mp, R"(utimens(f"{M}/d/shared", (1, 0), (1, 0)))"), "EPERM");
  EXPECT_EQ(Py(kNobody, mp, R"(utimens(f"{M}/d/mine", "now", "now"))"), "EACCES");
}

constexpr char kSystemPolicyWithoutKernelChecks[] =
    "allow_other,alluxio.fuse.permission.check.enabled=false,"
    "alluxio.fuse.auth.policy.class=alluxio.fuse.auth.SystemUserGroupAuthPolicy";

// Without default_permissions the kernel checks nothing: under the system user policy each
// request still acts as its caller at the master (impersonation), and the master checks it.
TEST_F(PermissionsTest, SystemUserPolicyTheMasterChecksEachCallerWithoutTheKernel) {
  const std::string mp = MountWith("mnt", kSystemPolicyWithoutKernelChecks);
  ASSERT_FALSE(mp.empty());
  EXPECT_NE(FuseLog().find("the kernel checks no permissions; the master checks each request "
                           "as its caller"),
            std::string::npos);
  ASSERT_EQ(Py(kRoot, mp, R"(os.mkdir(f"{M}/rootdir", 0o755)
write(f"{M}/rootdir/secret", b"secret", mode=0o600)
os.mkdir(f"{M}/tmp")
os.chmod(f"{M}/tmp", 0o1777)
write(f"{M}/tmp/roots", b"r", mode=0o666)
os.mkdir(f"{M}/shared")
os.chmod(f"{M}/shared", 0o777)
for f in ("rootdir/secret", "tmp/roots"):  # complete once read (the mount waits for the writer)
    open(f"{M}/{f}").read())"),
            "OK");
  for (const As& user : {kNobody, kStranger}) {
    SCOPED_TRACE(user.uid);
    EXPECT_EQ(Py(user, mp, R"(open(f"{M}/rootdir/secret").read())"), "EACCES");
    EXPECT_EQ(Py(user, mp, R"(write(f"{M}/rootdir/new", b"x"))"), "EACCES");
    EXPECT_EQ(Py(user, mp, R"(os.mkdir(f"{M}/rootdir/newdir"))"), "EACCES");
    EXPECT_EQ(Py(user, mp, R"(os.unlink(f"{M}/rootdir/secret"))"), "EACCES");
    EXPECT_EQ(Py(user, mp, R"(os.unlink(f"{M}/tmp/roots"))"), "EPERM");
    EXPECT_EQ(Py(user, mp, R"(os.rename(f"{M}/tmp/roots", f"{M}/tmp/mine"))"), "EPERM");
    EXPECT_EQ(Py(user, mp, R"(os.chmod(f"{M}/rootdir/secret", 0o666))"), "EPERM");
  }
  ASSERT_EQ(Py(kNobody, mp, R"(write(f"{M}/shared/n", b"n")
os.mkdir(f"{M}/shared/nd"))"),
            "OK");
  EXPECT_EQ(Py(kNobody, mp, R"(os.chown(f"{M}/shared/n", 4242, -1))"), "EPERM");
  EXPECT_EQ(Py(kNobody, mp, R"(os.chown(f"{M}/shared/n", -1, 0))"), "EPERM");
  EXPECT_EQ(Py(kStranger, mp, R"(os.chmod(f"{M}/shared/n", 0o666))"), "EPERM");
  EXPECT_EQ(Py(kNobody, mp, R"(os.chmod(f"{M}/shared/n", 0o600))"), "OK");
  EXPECT_EQ(Py(kStranger, mp, R"(open(f"{M}/shared/n").read())"), "EACCES");
  // Recorded in the master as nobody's.
  CommandResult ls = Shell("", {"ls", "/shared"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  std::istringstream lines(ls.out);
  int owned = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.ends_with("/shared/n") || line.ends_with("/shared/nd")) {
      EXPECT_NE(line.find(" nobody "), std::string::npos) << line;
      ++owned;
    }
  }
  EXPECT_EQ(owned, 2) << ls.out;
  EXPECT_EQ(Py(kRoot, mp, R"(print(open(f"{M}/rootdir/secret").read()))"), "secret\nOK");
}

// access(2) counts a caller's supplementary groups, as the kernel's own check and the master
// do (it looked at the primary group only).
TEST_F(PermissionsTest, SystemUserPolicyAccessCountsSupplementaryGroups) {
  const std::string mp = MountWith("mnt", kSystemPolicyWithoutKernelChecks);
  ASSERT_FALSE(mp.empty());
  ASSERT_EQ(Py(kRoot, mp, R"(write(f"{M}/grouped", b"g", mode=0o640)
os.chown(f"{M}/grouped", -1, 4343))"),
            "OK");
  const As member{4242, 4242, {4343}};
  const std::string check =
      R"(print(os.access(f"{M}/grouped", os.R_OK), os.access(f"{M}/grouped", os.W_OK)))";
  EXPECT_EQ(Py(member, mp, check), "True False\nOK");
  EXPECT_EQ(Py(member, mp, R"(print(open(f"{M}/grouped").read()))"), "g\nOK");
  EXPECT_EQ(Py(kNobody, mp, check), "False False\nOK");
}

// Writing an existing file needs w on it, not on its directory (the master would check a create
// in the directory), also without the kernel's checks; the file keeps its owner.
TEST_F(PermissionsTest, SystemUserPolicyWritingAFileNeedsWriteOnItWithoutTheKernel) {
  const std::string mp = MountWith("mnt", kSystemPolicyWithoutKernelChecks);
  ASSERT_FALSE(mp.empty());
  ASSERT_EQ(Py(kRoot, mp, R"(os.mkdir(f"{M}/rw")
os.chmod(f"{M}/rw", 0o777)
os.mkdir(f"{M}/ro", 0o755)
write(f"{M}/rw/roots", b"old", mode=0o644)
write(f"{M}/rw/empty", b"", mode=0o644)
write(f"{M}/rw/shared", b"old", mode=0o666)
write(f"{M}/ro/shared", b"old", mode=0o666)
for f in ("rw/roots", "rw/empty", "rw/shared", "ro/shared"):
    open(f"{M}/{f}").read())"),
            "OK");
  EXPECT_EQ(Py(kNobody, mp, R"(write(f"{M}/rw/roots", b"new", flags=os.O_WRONLY | os.O_TRUNC))"),
            "EACCES");
  EXPECT_EQ(Py(kNobody, mp, R"(os.truncate(f"{M}/rw/roots", 0))"), "EACCES");
  EXPECT_EQ(Py(kNobody, mp, R"(os.open(f"{M}/rw/empty", os.O_WRONLY))"), "EACCES");
  EXPECT_EQ(Py(kNobody, mp, R"(write(f"{M}/rw/shared", b"new", flags=os.O_WRONLY | os.O_TRUNC))"),
            "OK");
  EXPECT_EQ(Py(kNobody, mp, R"(write(f"{M}/ro/shared", b"new", flags=os.O_WRONLY | os.O_TRUNC))"),
            "OK");
  EXPECT_EQ(Py(kRoot, mp, R"(for f in ("rw/roots", "rw/empty", "rw/shared", "ro/shared"):
    st = os.stat(f"{M}/{f}")
    print(f, open(f"{M}/{f}").read(), st.st_uid, oct(st.st_mode & 0o777)))"),
            "rw/roots old 0 0o644\nrw/empty  0 0o644\nrw/shared new 0 0o666\nro/shared new 0 "
            "0o666\nOK");
}

// The client metadata cache holds what one caller was allowed to see: no other caller is
// answered from it.
TEST_F(PermissionsTest, SystemUserPolicyTheMetadataCacheAnswersNoOtherCaller) {
  const std::string mp =
      MountWith("mnt", std::string(kSystemPolicyWithoutKernelChecks) + ",metadata_cache_size=1000");
  ASSERT_FALSE(mp.empty());
  ASSERT_EQ(Py(kRoot, mp, R"(os.mkdir(f"{M}/private", 0o700)
write(f"{M}/private/f", b"private")
print(open(f"{M}/private/f").read(), os.listdir(f"{M}/private")))"),
            "private ['f']\nOK");
  EXPECT_EQ(Py(kNobody, mp, R"(open(f"{M}/private/f").read())"), "EACCES");
  EXPECT_EQ(Py(kNobody, mp, R"(os.listdir(f"{M}/private"))"), "EACCES");
}

// A master that lets the FUSE daemon's user impersonate nobody refuses every call made for
// another user (EPERM); the daemon's own user is still served.
TEST_F(PermissionsTest, AMasterAllowingNoImpersonationRefusesOtherCallers) {
  fuse_.reset();
  cluster_ = std::make_unique<ClusterProcesses>(
      std::map<std::string, std::string>{{"alluxio.master.security.impersonation.root.users", ""}});
  ASSERT_TRUE(cluster_->StartMaster());
  ASSERT_TRUE(cluster_->StartWorker());
  fuse_ = std::make_unique<FuseHarness>(cluster_->home(), cluster_->DefineArgs());
  const std::string mp = MountWith("mnt", kSystemPolicyWithoutKernelChecks);
  ASSERT_FALSE(mp.empty());
  ASSERT_EQ(Py(kRoot, mp, R"(os.mkdir(f"{M}/shared")
os.chmod(f"{M}/shared", 0o777)
write(f"{M}/shared/public", b"public", mode=0o644))"),
            "OK");
  EXPECT_EQ(Py(kNobody, mp, R"(os.listdir(f"{M}/shared"))"), "EPERM");
  EXPECT_EQ(Py(kNobody, mp, R"(open(f"{M}/shared/public").read())"), "EPERM");
  EXPECT_EQ(Py(kNobody, mp, R"(write(f"{M}/shared/n", b"n"))"), "EPERM");
  EXPECT_EQ(Py(kRoot, mp, R"(print(open(f"{M}/shared/public").read(), os.listdir(f"{M}/shared")))"),
            "public ['public']\nOK");
  std::ifstream in(cluster_->home() + "/logs/master.log");
  const std::string log(std::istreambuf_iterator<char>(in), {});
  EXPECT_NE(log.find("user root may not impersonate user nobody"), std::string::npos);
}

// The master checks what a client's user may do, whoever the client is: here the `alluxio fs`
// shell naming users with alluxio.security.login.username.
TEST_F(PermissionsTest, TheMasterChecksTheUserAClientNames) {
  const std::string mp = MountWith("mnt", kSystemPolicy);
  ASSERT_FALSE(mp.empty());
  ASSERT_EQ(Py(kRoot, mp, R"(os.mkdir(f"{M}/private", 0o700)
write(f"{M}/private/f", b"private")
os.mkdir(f"{M}/pub", 0o755)
write(f"{M}/pub/f", b"public")
os.mkdir(f"{M}/open")
os.chmod(f"{M}/open", 0o777)
for f in ("private/f", "pub/f"):  # complete once read (the mount waits for the writer)
    open(f"{M}/{f}").read())"),
            "OK");
  auto denied = [](const CommandResult& r) {
    return r.exit_code != 0 && r.err.find("ermission denied") != std::string::npos;
  };
  CommandResult cat = Shell("nobody", {"cat", "/pub/f"});
  EXPECT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_EQ(cat.out, "public");
  EXPECT_TRUE(denied(Shell("nobody", {"cat", "/private/f"})));
  EXPECT_TRUE(denied(Shell("nobody", {"ls", "/private"})));
  EXPECT_TRUE(denied(Shell("nobody", {"rm", "/pub/f"})));
  EXPECT_TRUE(denied(Shell("nobody", {"mkdir", "/pub/x"})));
  EXPECT_TRUE(denied(Shell("nobody", {"mv", "/pub/f", "/open/f"})));
  CommandResult own = Shell("", {"cat", "/private/f"});  // root, the master's user
  EXPECT_EQ(own.exit_code, 0) << own.err;
  EXPECT_EQ(own.out, "private");

  // What a user creates is its own; another user cannot remove it from a directory it owns.
  ASSERT_EQ(Shell("nobody", {"mkdir", "/open/nobodys"}).exit_code, 0);
  CommandResult copied = Shell("nobody", {"copyFromLocal", "/etc/hostname", "/open/nobodys/h"});
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  EXPECT_EQ(Py(kRoot, mp, R"(st = os.stat(f"{M}/open/nobodys/h")
print(st.st_uid, oct(os.stat(f"{M}/open/nobodys").st_mode & 0o777)))"),
            "65534 0o755\nOK");
  EXPECT_TRUE(denied(Shell("4242", {"rm", "/open/nobodys/h"})));
  EXPECT_EQ(Shell("nobody", {"rm", "/open/nobodys/h"}).exit_code, 0);
}

}  // namespace
}  // namespace alluxio::testing
