// BlockFill: one pass over a block with a bounded window of reads in flight, shared by readers.
#include "core/worker/block_fill.h"

#include <unistd.h>

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

// A file in memory whose started copies stay in flight until waited for, counted; the largest
// buffer its ReadAt was asked to fill (the default StartCopy's) is recorded.
class CountingReader final : public UfsReader {
 public:
  CountingReader(std::string content, bool own_copy)
      : content_(std::move(content)), own_copy_(own_copy) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<char> buf) override {
    {
      std::lock_guard lock(mu_);
      largest_read_ = std::max(largest_read_, buf.size());
    }
    if (offset >= content_.size()) return size_t{0};
    size_t n = std::min<uint64_t>(buf.size(), content_.size() - offset);
    std::memcpy(buf.data(), content_.data() + offset, n);
    return n;
  }
  std::unique_ptr<UfsPendingRead> StartCopy(uint64_t offset, uint64_t length, int out_fd,
                                            uint64_t out_offset) override {
    if (!own_copy_) return UfsReader::StartCopy(offset, length, out_fd, out_offset);
    std::lock_guard lock(mu_);
    ++started_;
    max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
    return std::make_unique<Pending>(*this, offset, length, out_fd, out_offset);
  }

  int started() {
    std::lock_guard lock(mu_);
    return started_;
  }
  int max_in_flight() {
    std::lock_guard lock(mu_);
    return max_in_flight_;
  }
  size_t largest_read() {
    std::lock_guard lock(mu_);
    return largest_read_;
  }

 private:
  class Pending final : public UfsPendingRead {
   public:
    Pending(CountingReader& r, uint64_t offset, uint64_t length, int out_fd, uint64_t out_offset)
        : r_(r), offset_(offset), length_(length), out_fd_(out_fd), out_offset_(out_offset) {}
    ~Pending() override { Done(); }
    Result<size_t> Wait() override {
      Done();
      if (offset_ >= r_.content_.size()) return size_t{0};
      size_t n = std::min<uint64_t>(length_, r_.content_.size() - offset_);
      EXPECT_EQ(::pwrite(out_fd_, r_.content_.data() + offset_, n, out_offset_),
                static_cast<ssize_t>(n));
      return n;
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
    const uint64_t length_;
    const int out_fd_;
    const uint64_t out_offset_;
    bool done_ = false;
  };

  const std::string content_;
  const bool own_copy_;  // false: UfsReader's default StartCopy (through ReadAt)
  std::mutex mu_;
  int started_ = 0;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
  size_t largest_read_ = 0;
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
    config.tiers.push_back(TierConfig{"MEM", {TierDirConfig{cache_.path(), 64 << 20}}});
    auto store = BlockStore::Open(config);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
  }
  // A fill of the first `length` bytes of `content` into block 5, 3 ranges of `range_bytes`
  // in flight.
  std::unique_ptr<BlockFill> Make(const std::string& content, uint64_t length,
                                  uint64_t range_bytes = 100, bool own_copy = true) {
    auto reader = std::make_unique<CountingReader>(content, own_copy);
    reader_ = reader.get();
    auto writer = store_->CreateBlock(5, 0, length);
    EXPECT_TRUE(writer.ok());
    BlockFillOptions options{.range_bytes = range_bytes, .ranges_in_flight = 3};
    return std::make_unique<BlockFill>(5, "mem://f", std::move(reader), 0, length,
                                       std::move(writer).value(), *store_, options, ufs_bytes_);
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

TEST_F(BlockFillTest, StartsTheRangeEndingTheBlockOnlyAfterTheOthersArrived) {
  // Ranges land out of order: the cache file reaches the block's end only when it is whole.
  const std::string content = Pattern(250);
  auto fill = Make(content, 250);
  ASSERT_TRUE(fill->WaitFor(100).ok());
  EXPECT_EQ(reader_->started(), 2);  // [0, 100), [100, 200); not [200, 250) yet
  ASSERT_TRUE(fill->Finish().ok());
  EXPECT_EQ(reader_->started(), 3);
  EXPECT_EQ(reader_->max_in_flight(), 2);
  EXPECT_TRUE(store_->HasBlock(5));
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
      ASSERT_TRUE(fill->CopyOut(offset, got[i]).ok());
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

TEST_F(BlockFillTest, HoldsNoBufferOfTheBlocksSizeWhileFillingAndReading) {
  // 16 MiB in ranges of 8 MiB through the default StartCopy (ReadAt into a buffer): the
  // buffers asked for stay within kUfsCopyBufferBytes, whatever the range and block sizes.
  const std::string content = Pattern(16 << 20);
  auto fill = Make(content, content.size(), 8 << 20, /*own_copy=*/false);
  ASSERT_TRUE(fill->WaitFor(3 << 20).ok());
  std::string got(1 << 20, '\0');
  ASSERT_TRUE(fill->CopyOut(2 << 20, got).ok());  // read from the cache file being written
  EXPECT_EQ(got, content.substr(2 << 20, 1 << 20));
  ASSERT_TRUE(fill->Finish().ok());
  EXPECT_LE(reader_->largest_read(), kUfsCopyBufferBytes);
  ASSERT_TRUE(fill->CopyOut(15 << 20, got).ok());  // committed: read from the pinned block
  EXPECT_EQ(got, content.substr(15 << 20, 1 << 20));
  auto block = store_->OpenBlock(5);
  ASSERT_TRUE(block.ok());
  std::string stored(content.size(), '\0');
  ASSERT_EQ(block->ReadAt(0, stored).value(), content.size());
  EXPECT_TRUE(stored == content);
}

}  // namespace
}  // namespace alluxio
