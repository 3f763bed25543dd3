#include "tests/util/s3rver.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>
#include <vector>

#include "tests/util/child_process.h"

namespace alluxio::testing {

S3rver::S3rver(std::string bucket) : bucket_(std::move(bucket)) {
  std::filesystem::create_directories(dir_.Sub("data"));
  Start();
}

S3rver::~S3rver() { Stop(); }

bool S3rver::Start() {
  if (!std::filesystem::exists(S3RVER_BINARY)) {
    ADD_FAILURE() << S3RVER_BINARY << " is missing: run scripts/setup (it installs s3rver)";
    return false;
  }
  const std::string log = dir_.Sub("s3rver.log");
  std::filesystem::remove(log);
  std::vector<std::string> args{S3RVER_BINARY, "-d", dir_.Sub("data"),      "-a",
                                "127.0.0.1",   "-p", std::to_string(port_), "--configure-bucket",
                                bucket_};
  // s3rver's continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.
  const pid_t pid =
      SpawnLogged(std::move(args), log, {{"NODE_OPTIONS", "--openssl-legacy-provider"}});
  pid_ = pid;
  const std::regex listening("S3rver listening on 127\\.0\\.0\\.1:([0-9]+)");
  for (int i = 0; i < 600; ++i) {
    std::smatch m;
    std::string text = Log();
    if (std::regex_search(text, m, listening)) {
      port_ = std::stoi(m[1]);
      return true;
    }
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "s3rver did not start: " << Log();
  Stop();
  return false;
}

void S3rver::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = 0;
}

std::string S3rver::Endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string S3rver::Uri(const std::string& prefix) const {
  return "s3://" + bucket_ + (prefix.empty() ? "" : "/" + prefix);
}

UfsOptions S3rver::Options() const {
  return {{"alluxio.underfs.s3.endpoint", Endpoint()},
          {"alluxio.underfs.s3.disable.dns.buckets", "true"},
          {"s3a.accessKeyId", "S3RVER"},
          {"s3a.secretKey", "S3RVER"}};
}

std::string S3rver::Log() const {
  std::ifstream in(dir_.Sub("s3rver.log"));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace alluxio::testing
