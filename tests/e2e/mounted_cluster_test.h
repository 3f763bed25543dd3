// A fixture for tests of real mounts: a master and a worker as processes (ClusterProcesses), a
// FuseHarness of that cluster and a temporary directory for mount points; skipped where nothing
// can be mounted. TearDown continues a master or worker a test stopped (SIGSTOP), unmounts
// everything, then stops the cluster (the daemons need it to drain).
#pragma once

#include <signal.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "tests/cluster/cluster_processes.h"
#include "tests/e2e/fuse_harness.h"
#include "tests/e2e/whole_files.h"
#include "tests/util/temp_dir.h"

namespace alluxio::testing {

class MountedClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!CanMount()) GTEST_SKIP() << "needs root and /dev/fuse";
    cluster_ = std::make_unique<ClusterProcesses>(Properties());
    ASSERT_TRUE(cluster_->StartMaster());
    ASSERT_TRUE(cluster_->StartWorker());
    fuse_ = std::make_unique<FuseHarness>(cluster_->home(), cluster_->DefineArgs());
  }
  void TearDown() override {
    if (cluster_) {
      cluster_->SignalMaster(SIGCONT);
      cluster_->SignalWorker(SIGCONT);
    }
    fuse_.reset();
    cluster_.reset();
  }

  // Properties of the cluster and of every command of it (alluxio-fuse included).
  virtual std::map<std::string, std::string> Properties() { return {}; }

  // A new empty directory `name` for a mount point.
  std::string MountPoint(const std::string& name) const {
    std::string path = dirs_.path() + "/" + name;
    std::filesystem::create_directories(path);
    return path;
  }

  TempDir dirs_;
  std::unique_ptr<ClusterProcesses> cluster_;
  std::unique_ptr<FuseHarness> fuse_;
};

}  // namespace alluxio::testing
