#include "tests/fuzz/sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace alluxio::fuzz {
namespace {

void Die(const char* what) {
  std::perror(what);
  std::abort();
}

void WriteFile(const char* path, const std::string& text) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    Die(path);
  }
  ::close(fd);
}

// Maps the caller's uid and gid to root in a new user namespace, which grants CAP_SYS_CHROOT.
void EnterUserNamespace() {
  const uid_t uid = ::getuid();
  const gid_t gid = ::getgid();
  if (::unshare(CLONE_NEWUSER) != 0) Die("fuzz sandbox: unshare(CLONE_NEWUSER)");
  WriteFile("/proc/self/setgroups", "deny");
  WriteFile("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1");
  WriteFile("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1");
}

}  // namespace

void EnterSandbox() {
  static bool entered = false;
  if (entered) return;
  std::string root;
  if (const char* given = std::getenv("ALLUXIO_FUZZ_SANDBOX"); given && *given) {
    root = given;
  } else {
    const char* tmp = std::getenv("TMPDIR");
    root = std::string(tmp && *tmp ? tmp : "/tmp") + "/alluxio-fuzz.XXXXXX";
    if (::mkdtemp(root.data()) == nullptr) Die("fuzz sandbox: mkdtemp");
  }
  if (::geteuid() != 0) EnterUserNamespace();
  if (::chroot(root.c_str()) != 0) Die("fuzz sandbox: chroot");
  if (::chdir("/") != 0) Die("fuzz sandbox: chdir");
  entered = true;
}

}  // namespace alluxio::fuzz
