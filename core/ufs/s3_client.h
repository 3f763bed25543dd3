// S3Client: the S3 REST calls on one bucket that the S3 under file system needs, over an
// HttpClient (signed, retried, timed out; see s3_http_client.h). Keys are raw object keys (no
// leading '/'); this class URL-encodes them.
//
// Errors: every failure is an Error whose message names the call, s3://bucket/key, the HTTP
// status and the S3 error code ("S3 HeadObject s3://b/k: HTTP 404 NoSuchKey: ..."), with the
// ErrorCode from S3ErrorCode (kNotFound for NoSuchKey, kPermissionDenied for AccessDenied, ...).
// Secrets never appear in messages or logs.
//
// Thread-safety: all methods may be called from several threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <future>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/ufs/s3_http_client.h"
#include "core/ufs/s3_xml.h"

namespace alluxio {

struct S3ClientOptions {
  // "http://127.0.0.1:4568" or "https://s3.example.com"; "" is AWS:
  // https://s3.<region>.amazonaws.com.
  std::string endpoint;
  std::string region = "us-east-1";
  std::string bucket;
  bool path_style = false;  // http://host/bucket/key instead of http://bucket.host/key
  std::string access_key;
  std::string secret_key;
  long request_timeout_ms = 60'000;
  int max_connections = 40;
  int max_attempts = 5;
  std::chrono::milliseconds backoff_base{100};
};

// User metadata: x-amz-meta-<name> headers, names in lower case without the prefix.
using S3Metadata = std::map<std::string, std::string>;

struct S3ObjectHead {
  uint64_t size = 0;
  std::string etag;  // without quotes
  int64_t last_modified_ms = 0;
  S3Metadata metadata;
};

// What a client asked of the store since it was made (requests, not their retries).
struct S3RequestCounts {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> heads{0};
  std::atomic<uint64_t> ranged_gets{0};     // StartGet, StartGetToFile: object bytes
  std::atomic<uint64_t> bytes_received{0};  // object bytes of ranged GETs that succeeded
};

// The ErrorCode of an S3 error code (the <Code> of an error document), or of the HTTP status
// when the code is empty or unknown.
ErrorCode S3ErrorCode(long http_status, std::string_view s3_code);

class S3Client {
 public:
  explicit S3Client(S3ClientOptions options);

  const std::string& bucket() const { return options_.bucket; }
  const S3RequestCounts& counts() const { return counts_; }

  // kNotFound when no object has this key.
  Result<S3ObjectHead> Head(const std::string& key);
  // Starts a GET of bytes [offset, offset + sink.size()) into `sink` (which must outlive the
  // future); with a non-empty `etag`, only of that version (If-Match). Finish with ReadBytes.
  std::future<HttpResponse> StartGet(const std::string& key, uint64_t offset, std::span<char> sink,
                                     const std::string& etag);
  // The same GET of `length` (> 0) bytes written into the file `fd` at `fd_offset` as they
  // arrive (HttpRequest::sink_fd); `fd` must stay open until the future is ready.
  std::future<HttpResponse> StartGetToFile(const std::string& key, uint64_t offset, uint64_t length,
                                           int fd, uint64_t fd_offset, const std::string& etag);
  // The bytes a finished StartGet (of `offset`, `etag`) wrote; kIoError ("the object
  // changed") when the version moved from `etag` (412 from If-Match, or another ETag in the
  // answer: some servers, s3rver among them, ignore If-Match), or when a server ignored the
  // range (200 for a range not starting at 0).
  Result<size_t> ReadBytes(const std::string& key, const std::string& etag, uint64_t offset,
                           const HttpResponse& response);
  // Whole small objects (symbolic links): the body.
  Result<std::string> GetSmall(const std::string& key);
  // Returns the new object's ETag.
  Result<std::string> Put(const std::string& key, std::span<const char> body,
                          const S3Metadata& metadata);
  // Server-side copy (CopyObject, objects up to 5 GiB). `replace_metadata` null keeps the
  // source's metadata, otherwise the copy gets exactly it. Returns the copy's ETag.
  Result<std::string> Copy(const std::string& src_key, const std::string& dst_key,
                           const S3Metadata* replace_metadata);
  // An absent key is success (as in S3).
  Status Delete(const std::string& key);
  // DeleteObjects in batches of 1000.
  Status DeleteMany(const std::vector<std::string>& keys);
  // One page of ListObjectsV2 (max_keys 0: the server's default, 1000).
  Result<S3ListPage> List(const std::string& prefix, const std::string& delimiter,
                          const std::string& continuation_token, int max_keys);

  Result<std::string> CreateMultipartUpload(const std::string& key, const S3Metadata& metadata);
  // Starts UploadPart `part_number` (1-based); `body` must outlive the future. Finish with
  // PartETag.
  std::future<HttpResponse> StartUploadPart(const std::string& key, const std::string& upload_id,
                                            int part_number, std::span<const char> body);
  Result<std::string> PartETag(const std::string& key, const HttpResponse& response);
  // UploadPartCopy of source bytes [first, last] as part `part_number`; returns its ETag.
  Result<std::string> UploadPartCopy(const std::string& src_key, const std::string& key,
                                     const std::string& upload_id, int part_number, uint64_t first,
                                     uint64_t last);
  // Returns the object's ETag.
  Result<std::string> CompleteMultipartUpload(const std::string& key, const std::string& upload_id,
                                              const std::vector<std::string>& part_etags);
  Status AbortMultipartUpload(const std::string& key, const std::string& upload_id);

  // The error of a failed response (see the header comment).
  Error ErrorOf(std::string_view call, const std::string& key, const HttpResponse& response) const;

 private:
  // URL of `key` ("" for the bucket) with an already encoded, sorted query ("" for none).
  std::string Url(const std::string& key, const std::string& query) const;
  HttpResponse Send(std::string method, const std::string& key, const std::string& query,
                    std::vector<std::string> headers, std::span<const char> body = {});
  // Every request goes out here (counted).
  std::future<HttpResponse> Submit(HttpRequest request);

  const S3ClientOptions options_;
  std::string scheme_host_;  // "https://s3.us-east-1.amazonaws.com" / "http://127.0.0.1:4568"
  HttpClient http_;
  S3RequestCounts counts_;
};

// Percent-encodes everything but RFC 3986 unreserved characters (and '/' when keep_slash).
std::string S3UriEncode(std::string_view text, bool keep_slash);

}  // namespace alluxio
