// Cold block reads from S3 (s3rver) through the worker's BlockReadThrough: what they cost the
// store, counted by the S3 client (S3RequestCounts).
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/common/block_id.h"
#include "core/ufs/s3_client.h"
#include "core/ufs/s3_under_file_system.h"
#include "core/worker/block_read_through.h"
#include "tests/util/s3rver.h"
#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

constexpr uint64_t kBlock = 1 << 20;
constexpr uint64_t kRange = 256 << 10;

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 13 + i / 4099) % 251);
  return s;
}

class BlockReadThroughS3Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    BlockStoreConfig config;
    config.tiers.push_back(TierConfig{"MEM", {TierDirConfig{cache_.path(), 64 << 20}}});
    auto store = BlockStore::Open(config);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
    reader_ = std::make_unique<BlockReadThrough>(
        *store_, resolver_,
        [this](std::function<void()> job) { background_.push_back(std::move(job)); },
        BlockFillOptions{.range_bytes = kRange, .ranges_in_flight = 3});
    resolver_.Learn(0, {});  // the mount of every source here: the server's options
    auto resolved = resolver_.Resolve(0, server_.Uri() + "/any");  // the UFS the reads use
    ASSERT_TRUE(resolved.ok()) << resolved.error().ToString();
    ufs_ = dynamic_cast<S3UnderFileSystem*>(resolved->ufs.get());
    ASSERT_NE(ufs_, nullptr);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "s3rver log:\n" << server_.Log();
  }

  // Puts `content` at `name` and returns its fingerprint, as the master would record it.
  std::string Put(const std::string& name, const std::string& content) {
    S3Client raw(S3ClientOptions{.endpoint = server_.Endpoint(),
                                 .bucket = server_.bucket(),
                                 .path_style = true,
                                 .access_key = "S3RVER",
                                 .secret_key = "S3RVER"});
    EXPECT_TRUE(raw.Put(name, content, {}).ok());
    auto st = ufs_->GetStatus("/" + name);
    EXPECT_TRUE(st.ok());
    return st.ok() ? st->fingerprint : "";
  }
  UfsBlockSource Source(const std::string& name, uint64_t index, uint64_t file_length,
                        const std::string& fingerprint) const {
    uint64_t offset = index * kBlock;
    return UfsBlockSource{server_.Uri() + "/" + name, offset,
                          std::min(kBlock, file_length - offset), 0, fingerprint};
  }
  void RunBackground() {
    auto jobs = std::move(background_);
    for (auto& job : jobs) job();
  }

  testing::S3rver server_;
  testing::TempDir cache_;
  std::unique_ptr<BlockStore> store_;
  UfsResolver resolver_{CreateUnderFileSystem, server_.Options()};
  S3UnderFileSystem* ufs_ = nullptr;
  std::vector<std::function<void()>> background_;
  std::unique_ptr<BlockReadThrough> reader_;
};

TEST_F(BlockReadThroughS3Test, AColdSequentialReadGetsEachByteOnceWithoutAHead) {
  const std::string content = Pattern(2 * kBlock + 300'000);
  const std::string fingerprint = Put("seq", content);
  const S3RequestCounts& counts = ufs_->counts();
  const uint64_t heads = counts.heads.load();
  std::string got;
  uint64_t ranges = 0;
  for (uint64_t index = 0; index * kBlock < content.size(); ++index) {
    UfsBlockSource source = Source("seq", index, content.size(), fingerprint);
    ranges += (source.block_length + kRange - 1) / kRange;
    // As a client reads: chunks of 100 KB in order, several blocks' worth.
    for (uint64_t at = 0; at < source.block_length;) {
      std::string chunk(100'000, '\0');
      auto n = reader_->Read(MakeBlockId(7, index), at, chunk, &source, /*cache=*/true);
      ASSERT_TRUE(n.ok()) << n.error().ToString();
      got.append(chunk, 0, n->bytes);
      at += n->bytes;
    }
  }
  RunBackground();
  EXPECT_TRUE(got == content);
  EXPECT_EQ(counts.heads.load(), heads);  // the fingerprint gave ETag and size
  EXPECT_EQ(counts.bytes_received.load(), content.size());
  EXPECT_EQ(counts.ranged_gets.load(), ranges);
  for (uint64_t index = 0; index < 3; ++index) EXPECT_TRUE(store_->HasBlock(MakeBlockId(7, index)));
  EXPECT_EQ(reader_->counters().blocks_cached_from_ufs.load(), 3u);
}

TEST_F(BlockReadThroughS3Test, AReplacedObjectFailsTheReadAndIsNotCached) {
  const std::string first = Pattern(kBlock);
  const std::string fingerprint = Put("f", first);
  Put("f", std::string(kBlock, 'x'));  // same size, other content
  UfsBlockSource source = Source("f", 0, kBlock, fingerprint);
  std::string buf(kBlock, '\0');
  const uint64_t block = MakeBlockId(8, 0);
  auto n = reader_->Read(block, 0, buf, &source, /*cache=*/true);
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.error().message.find("changed"), std::string::npos) << n.error().message;
  RunBackground();
  EXPECT_FALSE(store_->HasBlock(block));
  EXPECT_FALSE(reader_->CacheBlock(block, source, false).ok());
  EXPECT_FALSE(store_->HasBlock(block));
}

}  // namespace
}  // namespace alluxio
