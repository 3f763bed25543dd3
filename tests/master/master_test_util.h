// Shared helpers for the master tests: a temporary directory, a manual clock, and a fixture that
// opens a Namespace over RocksDB + a local UFS dir wrapped in fault injection (InjectUfsFaults).
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/common/block_id.h"
#include "core/master/namespace.h"
#include "core/ufs/fault_injecting_under_file_system.h"
#include "core/ufs/under_file_system.h"

#include "tests/util/temp_dir.h"
namespace alluxio::testing {

inline void WriteLocalFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

// Names directly under a local directory, sorted.
inline std::vector<std::string> LocalNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class NamespaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = tmp_.path() + "/db";
    ufs_root_ = tmp_.path() + "/ufs";
    Reopen();
  }
  void TearDown() override { ns_.reset(); }

  Namespace::Options MakeOptions() {
    Namespace::Options options;
    options.db_path = db_path_;
    options.root_ufs_uri = "file://" + ufs_root_;
    options.metadata_sync_interval_ms = sync_interval_ms_;
    options.default_block_size = default_block_size_;
    options.clock = [this] { return now_ms_; };
    options.ufs_factory = [faults = faults_](std::string_view uri, const UfsOptions& ufs_options)
        -> Result<std::unique_ptr<UnderFileSystem>> {
      auto inner = CreateUnderFileSystem(uri, ufs_options);
      if (!inner.ok()) return inner.failure();
      return std::unique_ptr<UnderFileSystem>(
          std::make_unique<FaultInjectingUnderFileSystem>(std::move(*inner), "/", faults));
    };
    return options;
  }

  // Replaces the UFS faults in force by `commands` (ParseUfsFaultPlan's format, such as
  // "fail Rename kIoError"); "" clears them.
  void InjectUfsFaults(std::string_view commands) {
    auto plan = ParseUfsFaultPlan(commands);
    ASSERT_TRUE(plan.ok()) << plan.error().ToString();
    faults_->SetPlan(std::move(plan).value());
  }

  // Closes and reopens the namespace on the same store (a restart).
  void Reopen() {
    ns_.reset();
    auto ns = Namespace::Open(MakeOptions());
    ASSERT_TRUE(ns.ok()) << ns.error().ToString();
    ns_ = std::move(*ns);
  }

  // Every path in the namespace (depth first, name order), for before/after comparisons.
  std::vector<std::string> Tree(const std::string& dir = "/") {
    std::vector<std::string> out;
    auto list = ns_->ListStatus(dir);
    EXPECT_TRUE(list.ok()) << list.error().ToString();
    if (!list.ok()) return out;
    for (const FileInfo& info : list->entries) {
      out.push_back(info.path + (info.is_directory ? "/" : ""));
      if (info.is_directory) {
        auto sub = Tree(info.path);
        out.insert(out.end(), sub.begin(), sub.end());
      }
    }
    return out;
  }

  // Every path in the root UFS directory, relative, sorted.
  std::vector<std::string> UfsTree() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(ufs_root_)) {
      out.push_back(std::filesystem::relative(e.path(), ufs_root_).string() +
                    (e.is_directory() ? "/" : ""));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // What a worker does for a CACHE_THROUGH file: stages its UFS copy (the master publishes it).
  void Stage(uint64_t file_id, const std::string& content) {
    auto ufs = CreateUnderFileSystem("file://" + ufs_root_);
    ASSERT_TRUE(ufs.ok()) << ufs.error().ToString();
    auto writer = (*ufs)->CreateStaged(StagedFileName(file_id), 0644);
    ASSERT_TRUE(writer.ok()) << writer.error().ToString();
    ASSERT_TRUE((*writer)->Write(content).ok());
    ASSERT_TRUE((*writer)->Close().ok());
  }

  // Names of the staged files in the root UFS, sorted.
  std::vector<std::string> StagedNames() {
    auto ufs = CreateUnderFileSystem("file://" + ufs_root_);
    EXPECT_TRUE(ufs.ok());
    if (!ufs.ok()) return {};
    auto names = (*ufs)->ListStaged();
    EXPECT_TRUE(names.ok());
    if (!names.ok()) return {};
    std::sort(names->begin(), names->end());
    return *names;
  }

  FileInfo MustCreateFile(const std::string& path, CreateFileOptions options = {}) {
    auto created = ns_->CreateFile(path, options);
    EXPECT_TRUE(created.ok()) << path << ": " << created.error().ToString();
    return created.ok() ? created->info : FileInfo{};
  }

  // Creates and completes a file of `length` bytes (not persisted).
  FileInfo MustWriteFile(const std::string& path, uint64_t length, CreateFileOptions options = {}) {
    FileInfo info = MustCreateFile(path, options);
    CompleteFileOptions complete;
    complete.length = length;
    for (uint64_t i = 0; i < BlockCount(length, info.block_size); ++i) {
      complete.block_ids.push_back(BlockIdForFile(info.id, i));
    }
    auto done = ns_->CompleteFile(path, complete);
    EXPECT_TRUE(done.ok()) << path << ": " << done.error().ToString();
    return done.ok() ? *done : FileInfo{};
  }

  void MustMkdir(const std::string& path, bool recursive = false) {
    CreateDirectoryOptions options;
    options.recursive = recursive;
    auto made = ns_->CreateDirectory(path, options);
    ASSERT_TRUE(made.ok()) << path << ": " << made.error().ToString();
  }

  TempDir tmp_;
  std::string db_path_;
  std::string ufs_root_;
  int64_t now_ms_ = 1'700'000'000'000;
  int64_t sync_interval_ms_ = -1;
  uint64_t default_block_size_ = 1024;
  std::shared_ptr<UfsFaultInjector> faults_ =
      std::make_shared<UfsFaultInjector>(UfsFaultInjector::Options{});
  std::unique_ptr<Namespace> ns_;
};

}  // namespace alluxio::testing
