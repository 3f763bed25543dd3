// BlockFill: one pass over a block with a bounded window of reads in flight, shared by readers.
#include "core/worker/block_fill.h"

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/util/temp_dir.h"

namespace alluxio {
namespace {

// A file in memory whose started reads stay in flight until waited for, counted.
class CountingReader final : public UfsReader {
 public:
  explicit CountingReader(std::string content) : content_(std::move(content)) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<char> buf) override {
    if (offset >= content_.size()) return size_t{0};
    size_t n = std::min<uint64_t>(buf.size(), content_.size() - offset);
    std::memcpy(buf.data(), content_.data() + offset, n);
    return n;
  }
  std::unique_ptr<UfsPendingRead> StartRead(uint64_t offset, std::span<char> buf) override {
    std::lock_guard lock(mu_);
    ++started_;
    max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
    return std::make_unique<Pending>(*this, offset, buf);
  }

  int started() {
    std::lock_guard lock(mu_);
    return started_;
  }
  int max_in_flight() {
    std::lock_guard lock(mu_);
    return max_in_flight_;
  }

 private:
  class Pending final : public UfsPendingRead {
   public:
    Pending(CountingReader& r, uint64_t offset, std::span<char> buf)
        : r_(r), offset_(offset), buf_(buf) {}
    ~Pending() override { Done(); }
    Result<size_t> Wait() override {
      Done();
      return r_.ReadAt(offset_, buf_);
    }

   private:
    void Done() {
      if (done_) return;
      done_ = true;
      std::lock_guard lock(r_.mu_);
      --r_.in_flight_;
    }
    CountingReader& r_;
    const uint64_t offset_;
    const std::span<char> buf_;
    bool done_ = false;
  };

  const std::string content_;
  std::mutex mu_;
  int started_ = 0;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 17 % 251);
  return s;
}

class BlockFillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BlockStoreConfig config;
    config.tiers.push_back(TierConfig{"MEM", {TierDirConfig{cache_.path(), 1 << 20}}});
    auto store = BlockStore::Open(config);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
  }
  // A fill of the first `length` bytes of `content` into block 5, 3 ranges of 100 in flight.
  std::unique_ptr<BlockFill> Make(const std::string& content, uint64_t length) {
    auto reader = std::make_unique<CountingReader>(content);
    reader_ = reader.get();
    auto writer = store_->CreateBlock(5, 0, length);
    EXPECT_TRUE(writer.ok());
    return std::make_unique<BlockFill>(
        5, "mem://f", std::move(reader), 0, length, std::move(writer).value(), std::nullopt,
        BlockFillOptions{.range_bytes = 100, .ranges_in_flight = 3}, ufs_bytes_);
  }

  testing::TempDir cache_;
  std::unique_ptr<BlockStore> store_;
  CountingReader* reader_ = nullptr;
  std::atomic<uint64_t> ufs_bytes_{0};
};

TEST_F(BlockFillTest, KeepsItsWindowOfReadsInFlightAndCommitsTheBlock) {
  const std::string content = Pattern(1050);
  auto fill = Make(content, 1050);
  ASSERT_TRUE(fill->WaitFor(150).ok());
  // Two ranges arrived to cover 150 bytes; the window of 3 is refilled before each wait, so
  // two more are in flight ahead.
  EXPECT_EQ(reader_->started(), 4);
  EXPECT_FALSE(store_->HasBlock(5));
  ASSERT_TRUE(fill->Finish().ok());
  EXPECT_EQ(reader_->started(), 11);  // ten of 100 bytes, one of 50: each once
  EXPECT_EQ(reader_->max_in_flight(), 3);
  EXPECT_EQ(ufs_bytes_.load(), 1050u);
  ASSERT_TRUE(store_->HasBlock(5));
  auto block = store_->OpenBlock(5);
  ASSERT_TRUE(block.ok());
  std::string stored(1050, '\0');
  ASSERT_EQ(block->ReadAt(0, stored).value(), 1050u);
  EXPECT_EQ(stored, content);
}

TEST_F(BlockFillTest, ConcurrentReadersShareOnePass) {
  const std::string content = Pattern(1000);
  auto fill = Make(content, 1000);
  std::vector<std::thread> readers;
  std::vector<std::string> got(4);
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&, i] {
      const uint64_t offset = 250 * i;
      ASSERT_TRUE(fill->WaitFor(offset + 250).ok());
      got[i].resize(250);
      fill->CopyOut(offset, got[i]);
    });
  }
  for (auto& t : readers) t.join();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(got[i], content.substr(250 * i, 250)) << i;
  ASSERT_TRUE(fill->Finish().ok());
  EXPECT_EQ(reader_->started(), 10);
  EXPECT_LE(reader_->max_in_flight(), 3);
  EXPECT_TRUE(store_->HasBlock(5));
}

TEST_F(BlockFillTest, AFileShorterThanTheBlockFailsEveryReaderAndCachesNothing) {
  auto fill = Make(Pattern(420), 1000);
  Status s = fill->WaitFor(1000);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kIoError);
  EXPECT_NE(s.error().message.find("ended at 420"), std::string::npos) << s.error().message;
  EXPECT_FALSE(fill->WaitFor(100).ok());  // the fill failed: later readers too
  EXPECT_FALSE(fill->Finish().ok());
  EXPECT_TRUE(fill->finished());
  EXPECT_FALSE(store_->HasBlock(5));
}

}  // namespace
}  // namespace alluxio
