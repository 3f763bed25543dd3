// Replays every kept input of every fuzz target (tests/fuzz/corpus/<target>/: seeds and what
// the fuzzers added; tests/fuzz/regressions/<target>/: inputs of fixed findings) through the
// targets' entry points, so that the normal build keeps them passing without a fuzzer. Each
// target runs in a child process (the RPC targets chroot into a sandbox, sandbox.h), and a
// finding aborts it.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/fuzz/fuzz_targets.h"
#include "tests/util/temp_dir.h"

namespace alluxio::fuzz {
namespace {

struct KeptInput {
  std::string name;
  std::vector<uint8_t> bytes;
};

std::vector<KeptInput> KeptInputs(const std::string& target) {
  std::vector<KeptInput> inputs;
  for (const char* kind : {"corpus", "regressions"}) {
    std::filesystem::path dir =
        std::filesystem::path(ALLUXIO_SOURCE_DIR) / "tests/fuzz" / kind / target;
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      inputs.push_back(KeptInput{entry.path().string(),
                                 std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {})});
    }
  }
  return inputs;
}

// Runs every kept input of `target` through `entry` in a child process; returns its wait status.
int ReplayInChild(const std::vector<KeptInput>& inputs, int (*entry)(const uint8_t*, size_t)) {
  testing::TempDir sandbox;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("ALLUXIO_FUZZ_SANDBOX", sandbox.path().c_str(), 1);
    for (const KeptInput& input : inputs) {
      std::fprintf(stderr, "replaying %s\n", input.name.c_str());
      entry(input.bytes.data(), input.bytes.size());
    }
    std::fflush(stderr);
    ::_exit(0);
  }
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  return status;
}

void Replay(const std::string& target, int (*entry)(const uint8_t*, size_t)) {
  std::vector<KeptInput> inputs = KeptInputs(target);
  ASSERT_FALSE(inputs.empty()) << "no kept input for " << target;
  int status = ReplayInChild(inputs, entry);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << target << ": the replay died (status " << status << "); the input it was replaying is "
      << "the last 'replaying' line above";
}

TEST(FuzzReplayTest, FuseRequest) { Replay("fuse_request", FuzzFuseRequest); }
TEST(FuzzReplayTest, FuseDispatcher) { Replay("fuse_dispatcher", FuzzFuseDispatcher); }
TEST(FuzzReplayTest, MasterService) { Replay("master_service", FuzzMasterService); }
TEST(FuzzReplayTest, WorkerService) { Replay("worker_service", FuzzWorkerService); }
TEST(FuzzReplayTest, S3Xml) { Replay("s3_xml", FuzzS3Xml); }

}  // namespace
}  // namespace alluxio::fuzz
