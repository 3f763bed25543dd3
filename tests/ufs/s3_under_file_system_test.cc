// What only the S3 under storage does (the shared contract is ufs_contract_test.cc): listings
// over many pages, multipart uploads, what the bucket holds while a file is staged, retries,
// timeouts, errors naming bucket, key, status and S3 code, its configuration. Against a real
// s3rver, and a tiny faulty HTTP server for what s3rver does not do (5xx, silence).
#include "core/ufs/s3_under_file_system.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/ufs/s3_client.h"
#include "core/ufs/s3_ufs_config.h"
#include "core/ufs/ufs_options.h"
#include "tests/util/s3rver.h"

namespace alluxio {
namespace {

using testing::S3rver;

// An HTTP server on a loopback port that answers every request with `status` and an S3 error
// document of `code`, or (status 0) never answers. Counts the requests it read.
class FaultyServer {
 public:
  FaultyServer(int status, std::string code) : status_(status), code_(std::move(code)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(listen_fd_, 16), 0);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FaultyServer() {
    stop_ = true;
    thread_.join();
    for (int fd : connections_) close(fd);
    close(listen_fd_);
  }

  std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }

 private:
  void Serve() {
    std::vector<std::string> pending;  // bytes read per connection
    while (!stop_) {
      std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
      for (int fd : connections_) fds.push_back({fd, POLLIN, 0});
      if (poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        connections_.push_back(accept(listen_fd_, nullptr, nullptr));
        pending.emplace_back();
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
        char buf[65536];
        ssize_t n = read(fds[i].fd, buf, sizeof(buf));
        if (n <= 0) continue;
        std::string& in = pending[i - 1];
        in.append(buf, n);
        for (;;) {  // every complete request in the buffer
          size_t end = in.find("\r\n\r\n");
          if (end == std::string::npos) break;
          size_t length = 0;
          if (size_t cl = in.find("Content-Length: "); cl != std::string::npos && cl < end) {
            length = std::stoul(in.substr(cl + 16));
          }
          if (in.size() < end + 4 + length) break;
          in.erase(0, end + 4 + length);
          ++requests_;
          if (status_ == 0) continue;  // silence
          std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code_ +
                             "</Code><Message>injected</Message></Error>";
          std::string response = "HTTP/1.1 " + std::to_string(status_) +
                                 " Injected\r\nContent-Type: application/xml\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body;
          (void)!write(fds[i].fd, response.data(), response.size());
        }
      }
    }
  }

  const int status_;
  const std::string code_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::vector<int> connections_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

S3ClientOptions ClientOptions(const std::string& endpoint, const std::string& bucket) {
  S3ClientOptions o;
  o.endpoint = endpoint;
  o.bucket = bucket;
  o.path_style = true;
  o.access_key = "S3RVER";
  o.secret_key = "S3RVER";
  o.backoff_base = std::chrono::milliseconds(1);
  return o;
}

class S3UfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    options_ = server_.Options();
    options_["alluxio.underfs.s3.streaming.upload.partition.size"] = "5MB";
    options_["alluxio.underfs.s3.upload.threads.max"] = "2";
    auto ufs = CreateUnderFileSystem(server_.Uri("pre"), options_);
    ASSERT_TRUE(ufs.ok()) << ufs.error().ToString();
    ufs_ = std::move(ufs).value();
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "s3rver log:\n" << server_.Log();
  }

  // Every key in the bucket (no delimiter), staging and links included.
  std::set<std::string> BucketKeys() {
    std::set<std::string> keys;
    std::string token;
    do {
      auto page = raw_.List("", "", token, 0);
      EXPECT_TRUE(page.ok()) << page.error().ToString();
      if (!page.ok()) break;
      for (const auto& e : page->objects) keys.insert(e.key);
      token = page->next_continuation_token;
    } while (!token.empty());
    return keys;
  }

  S3rver server_;
  S3Client raw_{ClientOptions(server_.Endpoint(), server_.bucket())};
  UfsOptions options_;
  std::unique_ptr<UnderFileSystem> ufs_;
};

TEST_F(S3UfsTest, ListingFollowsContinuationTokensPastOneThousandKeys) {
  constexpr int kKeys = 1100;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([this, t] {
      for (int i = t; i < kKeys; i += 8) {
        auto put = raw_.Put("pre/many/" + std::to_string(i), std::string_view("x"), {});
        ASSERT_TRUE(put.ok()) << put.error().ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  auto list = ufs_->List("/many");
  ASSERT_TRUE(list.ok()) << list.error().ToString();
  std::set<std::string> names;
  for (const UfsStatus& st : *list) names.insert(st.name);
  EXPECT_EQ(names.size(), static_cast<size_t>(kKeys));
  EXPECT_TRUE(names.contains("0") && names.contains("1099"));
  // The client itself, a page of 7 at a time.
  std::set<std::string> paged;
  std::string token;
  int pages = 0;
  do {
    auto page = raw_.List("pre/many/", "/", token, 7);
    ASSERT_TRUE(page.ok()) << page.error().ToString();
    EXPECT_LE(page->objects.size(), 7u);
    for (const auto& e : page->objects) paged.insert(e.key);
    token = page->next_continuation_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(paged.size(), static_cast<size_t>(kKeys));
  EXPECT_EQ(pages, (kKeys + 6) / 7);
  // Renamed and deleted a page at a time (deleting behind the listing's continuation token).
  ASSERT_TRUE(ufs_->Rename("/many", "/moved").ok());
  EXPECT_EQ(ufs_->GetStatus("/many").code(), ErrorCode::kNotFound);
  auto moved = ufs_->List("/moved");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->size(), static_cast<size_t>(kKeys));
  EXPECT_EQ(ufs_->Delete("/moved", false).code(), ErrorCode::kNotEmpty);
  ASSERT_TRUE(ufs_->Delete("/moved", true).ok());
  EXPECT_EQ(BucketKeys(), std::set<std::string>{});
}

TEST_F(S3UfsTest, AStagedFileIsInTheStagingAreaOnlyUntilPublished) {
  const std::string data(11 << 20, 'm');  // three parts of 5 MiB
  auto w = ufs_->CreateStaged("7", 0644);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(data).ok());
  EXPECT_EQ(BucketKeys(), std::set<std::string>{});  // an upload in progress shows nowhere
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_EQ(BucketKeys(), std::set<std::string>{"pre/.alluxio_staging/7"});
  EXPECT_NE(server_.Log().find("partNumber=3"), std::string::npos);  // a multipart upload
  ASSERT_TRUE(ufs_->PublishStaged("7", "/d/f", data.size()).ok());
  EXPECT_EQ(BucketKeys(), std::set<std::string>{"pre/d/f"});
  auto head = raw_.Head("pre/d/f");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, data.size());
}

TEST_F(S3UfsTest, AnAbortedUploadLeavesNoObject) {
  auto w = ufs_->CreateStaged("8", 0644);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(std::string(12 << 20, 'a')).ok());
  (*w)->Abort();
  w->reset();
  EXPECT_EQ(BucketKeys(), std::set<std::string>{});
}

TEST_F(S3UfsTest, ObjectsWrittenByOthersImplyDirectories) {
  // s3rver reports no CommonPrefix for a prefix implied only by keys two or more levels
  // below it (S3 does): "x" is also implied by a key one level below it.
  ASSERT_TRUE(raw_.Put("pre/x/y/z", std::string_view("zz"), {}).ok());
  ASSERT_TRUE(raw_.Put("pre/x/w", std::string_view("w"), {}).ok());
  ASSERT_TRUE(raw_.Put("pre/top", std::string_view("t"), {}).ok());
  ASSERT_TRUE(raw_.Put("elsewhere", std::string_view("e"), {}).ok());  // outside the prefix
  auto root = ufs_->List("/");
  ASSERT_TRUE(root.ok());
  std::map<std::string, bool> entries;
  for (const UfsStatus& st : *root) entries[st.name] = st.is_directory;
  EXPECT_EQ(entries, (std::map<std::string, bool>{{"top", false}, {"x", true}}));
  EXPECT_TRUE(ufs_->GetStatus("/x/y")->is_directory);
  EXPECT_EQ(ufs_->GetStatus("/x/y/z")->length, 2u);
  // Removing its last entry removes an implied directory (no marker keeps it).
  ASSERT_TRUE(ufs_->Delete("/x/y/z", false).ok());
  EXPECT_EQ(ufs_->GetStatus("/x/y").code(), ErrorCode::kNotFound);
  EXPECT_TRUE(ufs_->GetStatus("/x")->is_directory);
}

TEST_F(S3UfsTest, DirectorySuffixNamesTheMarker) {
  options_["alluxio.underfs.s3.directory.suffix"] = "_$folder$";
  auto ufs = CreateUnderFileSystem(server_.Uri("other"), options_);
  ASSERT_TRUE(ufs.ok());
  ASSERT_TRUE((*ufs)->Mkdirs("/d", 0755).ok());
  EXPECT_TRUE(BucketKeys().contains("other/d_$folder$"));
  EXPECT_TRUE((*ufs)->GetStatus("/d")->is_directory);
  auto list = (*ufs)->List("/");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "d");
  EXPECT_TRUE((*list)[0].is_directory);
  ASSERT_TRUE((*ufs)->Delete("/d", false).ok());
  EXPECT_FALSE(BucketKeys().contains("other/d_$folder$"));
}

TEST_F(S3UfsTest, AReaderOfAReplacedObjectFails) {
  ASSERT_TRUE(raw_.Put("pre/f", std::string_view("first"), {}).ok());
  auto r = ufs_->Open("/f");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(raw_.Put("pre/f", std::string_view("other"), {}).ok());
  std::string buf(5, '\0');
  auto n = (*r)->ReadAt(0, buf);
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.error().message.find("changed"), std::string::npos) << n.error().message;
}

TEST_F(S3UfsTest, OpeningAKnownVersionMakesNoHeadAndFailsOnceReplaced) {
  ASSERT_TRUE(raw_.Put("pre/f", std::string_view("first"), {}).ok());
  auto st = ufs_->GetStatus("/f");
  ASSERT_TRUE(st.ok());
  const S3RequestCounts& counts = dynamic_cast<S3UnderFileSystem&>(*ufs_).counts();
  const uint64_t heads = counts.heads.load();
  auto r = ufs_->OpenVersion("/f", st->fingerprint);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  std::string buf(10, '\0');
  auto n = (*r)->ReadAt(0, buf);
  ASSERT_TRUE(n.ok()) << n.error().ToString();
  EXPECT_EQ(buf.substr(0, *n), "first");  // the size came with the fingerprint
  EXPECT_EQ(counts.heads.load(), heads);
  EXPECT_EQ(counts.ranged_gets.load(), 1u);

  ASSERT_TRUE(raw_.Put("pre/f", std::string_view("other"), {}).ok());
  n = (*r)->ReadAt(0, buf);
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.error().message.find("changed"), std::string::npos) << n.error().message;
  // A fingerprint that is not "<ETag>:<size>" is opened by a HEAD.
  auto by_head = ufs_->OpenVersion("/f", "mtime-and-size");
  ASSERT_TRUE(by_head.ok());
  EXPECT_EQ(counts.heads.load(), heads + 1);
  auto again = (*by_head)->ReadAt(0, buf);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 5u);
  EXPECT_EQ(buf.substr(0, 5), "other");
}

TEST_F(S3UfsTest, StartedReadsAreRangedGetsInFlightTogether) {
  std::string content(3 << 20, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 7 % 251);
  ASSERT_TRUE(raw_.Put("pre/big", content, {}).ok());
  auto r = ufs_->Open("/big");
  ASSERT_TRUE(r.ok());
  std::string buf(content.size() + 100, '\0');
  const uint64_t mib = 1 << 20;
  auto first = (*r)->StartRead(0, std::span(buf).first(mib));
  auto second = (*r)->StartRead(mib, std::span(buf).subspan(mib, mib));
  auto last = (*r)->StartRead(2 * mib, std::span(buf).subspan(2 * mib, mib + 100));  // past the end
  for (auto* read : {&last, &first, &second}) {                                      // any order
    auto n = (*read)->Wait();
    ASSERT_TRUE(n.ok()) << n.error().ToString();
    EXPECT_EQ(*n, mib);
  }
  EXPECT_EQ(buf.substr(0, content.size()), content);
  const S3RequestCounts& counts = dynamic_cast<S3UnderFileSystem&>(*ufs_).counts();
  EXPECT_EQ(counts.ranged_gets.load(), 3u);
  EXPECT_EQ(counts.bytes_received.load(), content.size());
}

TEST_F(S3UfsTest, ErrorsNameBucketKeyStatusAndCode) {
  auto missing_bucket = CreateUnderFileSystem("s3://no-such-bucket/p", options_);
  ASSERT_TRUE(missing_bucket.ok());
  auto st = (*missing_bucket)->GetStatus("/");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), ErrorCode::kNotFound);
  EXPECT_NE(st.error().message.find("s3://no-such-bucket/p/"), std::string::npos)
      << st.error().message;
  EXPECT_NE(st.error().message.find("HTTP 404 NoSuchBucket"), std::string::npos)
      << st.error().message;
  EXPECT_EQ(st.error().message.find("S3RVER"), std::string::npos);  // no credentials

  auto get = raw_.GetSmall("pre/absent");
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.code(), ErrorCode::kNotFound);
  EXPECT_NE(get.error().message.find("s3://test-bucket/pre/absent: HTTP 404 NoSuchKey"),
            std::string::npos)
      << get.error().message;
}

TEST_F(S3UfsTest, ServerErrorsAreRetriedThenReported) {
  FaultyServer faulty(503, "SlowDown");
  S3ClientOptions o = ClientOptions(faulty.Endpoint(), "b");
  o.max_attempts = 3;
  S3Client client(o);
  auto get = client.GetSmall("k/ey");
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(faulty.requests(), 3);
  EXPECT_NE(get.error().message.find("S3 GetObject s3://b/k/ey: HTTP 503 SlowDown"),
            std::string::npos)
      << get.error().message;
  EXPECT_NE(get.error().message.find("after 3 attempts"), std::string::npos);

  FaultyServer denied(403, "AccessDenied");  // not retried
  S3Client denied_client(ClientOptions(denied.Endpoint(), "b"));
  auto put = denied_client.Put("k", std::string_view("x"), {});
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(denied.requests(), 1);
  EXPECT_NE(put.error().message.find("HTTP 403 AccessDenied"), std::string::npos);
}

TEST_F(S3UfsTest, ARangeTheServerIgnoresIsAnError) {
  FaultyServer whole(200, "NotARange");  // answers 200 with a body to every request
  S3Client client(ClientOptions(whole.Endpoint(), "b"));
  std::string buf(16, '\0');
  HttpResponse response = client.StartGet("k", 5, buf, "").get();
  auto n = client.ReadBytes("k", "", 5, response);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.code(), ErrorCode::kIoError);
  EXPECT_NE(n.error().message.find("ignored the Range"), std::string::npos) << n.error().message;
}

TEST_F(S3UfsTest, ASilentServerTimesOut) {
  FaultyServer silent(0, "");
  S3ClientOptions o = ClientOptions(silent.Endpoint(), "b");
  o.request_timeout_ms = 200;
  o.max_attempts = 2;
  S3Client client(o);
  auto head = client.Head("k");
  ASSERT_FALSE(head.ok());
  EXPECT_EQ(head.code(), ErrorCode::kTimedOut);
  EXPECT_EQ(silent.requests(), 2);
  EXPECT_NE(head.error().message.find("s3://b/k"), std::string::npos) << head.error().message;
}

TEST_F(S3UfsTest, ACallWaitsOutAServerRestart) {
  ASSERT_TRUE(raw_.Put("pre/f", std::string_view("abc"), {}).ok());
  server_.Stop();
  // Connection refused until the server is back: retried with a backoff that grows to 5 s, so
  // the call outlives the restart.
  S3ClientOptions o = ClientOptions(server_.Endpoint(), server_.bucket());
  o.max_attempts = 30;
  o.backoff_base = std::chrono::milliseconds(50);
  S3Client client(o);
  auto head = std::async(std::launch::async, [&client] { return client.Head("pre/f"); });
  ASSERT_TRUE(server_.Start());
  auto st = head.get();
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(st->size, 3u);
}

// The server dies while a file is written: the writer fails with an error naming the staged
// key, nothing shows in the bucket, and once the server is back writes work again.
TEST_F(S3UfsTest, AnOutageMidWriteFailsTheWriteAndLeavesNothing) {
  const std::string part(6 << 20, 'p');
  auto w = ufs_->CreateStaged("9", 0644);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(part).ok());  // a multipart upload has begun
  server_.Stop();
  (void)(*w)->Write(part);  // may fail now or at Close
  auto closed = (*w)->Close();
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.code(), ErrorCode::kUnavailable);
  EXPECT_NE(closed.error().message.find("s3://test-bucket/pre/.alluxio_staging/9"),
            std::string::npos)
      << closed.error().message;
  w->reset();
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(BucketKeys(), std::set<std::string>{});
  auto again = ufs_->CreateStaged("9", 0644);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*again)->Write(part).ok());
  ASSERT_TRUE((*again)->Close().ok());
  ASSERT_TRUE(ufs_->PublishStaged("9", "/f", part.size()).ok());
  EXPECT_EQ(ufs_->GetStatus("/f")->length, part.size());
}

// The server dies under an open reader: reads fail with an error naming the key, and the same
// reader reads again once the server is back.
TEST_F(S3UfsTest, AnOutageMidReadFailsTheReadUntilTheServerReturns) {
  ASSERT_TRUE(raw_.Put("pre/f", std::string_view("0123456789"), {}).ok());
  auto r = ufs_->Open("/f");
  ASSERT_TRUE(r.ok());
  server_.Stop();
  std::string buf(4, '\0');
  auto n = (*r)->ReadAt(3, buf);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.code(), ErrorCode::kUnavailable);
  EXPECT_NE(n.error().message.find("S3 GetObject s3://test-bucket/pre/f"), std::string::npos)
      << n.error().message;
  ASSERT_TRUE(server_.Start());
  n = (*r)->ReadAt(3, buf);
  ASSERT_TRUE(n.ok()) << n.error().ToString();
  EXPECT_EQ(buf, "3456");
}

TEST(S3UfsConfigTest, UriOptionsAndCredentials) {
  Environment env{{"AWS_ACCESS_KEY_ID", "env-key"}, {"AWS_SECRET_ACCESS_KEY", "env-secret"}};
  auto c = S3UfsConfigOf("s3://bucket/a//b/", {}, env);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->client.bucket, "bucket");
  EXPECT_EQ(c->prefix, "a/b");
  EXPECT_EQ(c->client.access_key, "env-key");
  EXPECT_EQ(c->client.secret_key, "env-secret");
  EXPECT_EQ(c->client.region, "us-east-1");
  EXPECT_FALSE(c->client.path_style);
  EXPECT_EQ(c->part_size, 64ull << 20);
  EXPECT_EQ(c->client.request_timeout_ms, 60'000);
  EXPECT_EQ(c->directory_suffix, "/");

  UfsOptions options{{"s3a.accessKeyId", "k"},
                     {"s3a.secretKey", "s"},
                     {"alluxio.underfs.s3.endpoint.region", "eu-west-1"},
                     {"alluxio.underfs.s3.disable.dns.buckets", "true"},
                     {"alluxio.underfs.s3.request.timeout", "5s"},
                     {"alluxio.underfs.s3.threads.max", "7"},
                     {"alluxio.underfs.s3.streaming.upload.partition.size", "8MB"}};
  c = S3UfsConfigOf("s3://bucket", options, env);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->prefix, "");
  EXPECT_EQ(c->client.access_key, "k");
  EXPECT_EQ(c->client.secret_key, "s");
  EXPECT_EQ(c->client.region, "eu-west-1");
  EXPECT_TRUE(c->client.path_style);
  EXPECT_EQ(c->client.request_timeout_ms, 5000);
  EXPECT_EQ(c->client.max_connections, 7);
  EXPECT_EQ(c->part_size, 8ull << 20);

  EXPECT_EQ(S3UfsConfigOf("s3:///p", {}, env).code(), ErrorCode::kInvalidPath);
  EXPECT_EQ(S3UfsConfigOf("s3://b/../p", {}, env).code(), ErrorCode::kInvalidPath);
  auto small =
      S3UfsConfigOf("s3://b", {{"alluxio.underfs.s3.streaming.upload.partition.size", "1MB"}}, env);
  EXPECT_EQ(small.code(), ErrorCode::kInvalidArgument);
  auto half = S3UfsConfigOf("s3://b", {{"s3a.secretKey", "hush"}}, {});
  ASSERT_EQ(half.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(half.error().message.find("hush"), std::string::npos);
}

TEST(S3UfsConfigTest, SecretsAreMaskedForDisplay) {
  auto masked = MaskedUfsOptions({{"s3a.secretKey", "hush"},
                                  {"s3a.accessKeyId", "id"},
                                  {"alluxio.underfs.s3.endpoint", "http://h"}});
  EXPECT_EQ(masked["s3a.secretKey"], "******");
  EXPECT_EQ(masked["s3a.accessKeyId"], "******");
  EXPECT_EQ(masked["alluxio.underfs.s3.endpoint"], "http://h");
}

}  // namespace
}  // namespace alluxio
