// HttpClient: HTTP requests over libcurl's multi interface, many in flight on one thread.
//
// One thread per client runs the multi loop; Submit() hands it a request from any thread and
// returns a future, so a blocking caller (a UFS call, see under_file_system.h) waits for its
// own requests while other callers' requests proceed. Connections are kept alive and reused
// (the multi handle's connection pool, at most `max_connections` to the host). Requests are
// signed with AWS Signature V4 by libcurl (CURLOPT_AWS_SIGV4) when `sigv4_provider` is set;
// the payload is declared UNSIGNED-PAYLOAD (x-amz-content-sha256), so bodies are not hashed.
//
// Retries: a request that fails with a connection error (refused, reset, timed out, nothing
// received) or with HTTP 500, 502, 503 (SlowDown) or 504 is sent again after an exponential
// backoff with jitter (`backoff_base` × 2^attempt, at most 5 s), up to `max_attempts` in all;
// the last outcome is the response. Every attempt has a timeout of `request_timeout_ms`.
//
// Secrets: the credentials go to libcurl only; nothing here logs a request's headers.
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace alluxio {

struct HttpRequest {
  std::string method;                // GET, HEAD, PUT, POST or DELETE
  std::string url;                   // fully encoded
  std::vector<std::string> headers;  // "Name: value"
  // Sent as the body (PUT, POST); must stay valid until the future is ready.
  std::span<const char> body;
  // When not empty, a 2xx response body is written here (at most sink.size() bytes, the rest
  // is dropped) instead of into HttpResponse::body; must stay valid until the future is ready.
  std::span<char> sink;
  // When >= 0 (and `sink` is empty), a 2xx response body is written to this file instead, at
  // sink_fd_offset onwards (pwrite on the client's thread as the bytes arrive: no buffer of
  // the body's size), at most sink_fd_length bytes; the fd must stay open until the future is
  // ready. A failed write ends the transfer (HttpResponse::sink_errno).
  int sink_fd = -1;
  uint64_t sink_fd_offset = 0;
  uint64_t sink_fd_length = 0;
};

struct HttpResponse {
  long status = 0;              // 0 when no HTTP response arrived (see transport_error)
  int curl_code = 0;            // libcurl's CURLcode of the last attempt (0: CURLE_OK)
  std::string transport_error;  // libcurl's message when the transfer failed; "" otherwise
  bool timed_out = false;       // the last attempt hit the request timeout
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;                            // the body, unless written to the request's sink
  size_t sink_bytes = 0;                       // bytes written to the request's sink (or fd)
  int sink_errno = 0;                          // the errno of a failed write to sink_fd
  int attempts = 0;
};

class HttpClient {
 public:
  struct Options {
    std::string sigv4_provider;  // "aws:amz:<region>:s3"; "" sends unsigned requests
    std::string user_password;   // "<access key>:<secret key>" for SigV4
    long request_timeout_ms = 60'000;
    long connect_timeout_ms = 10'000;
    int max_connections = 40;
    int max_attempts = 5;
    std::chrono::milliseconds backoff_base{100};
  };

  explicit HttpClient(Options options);
  // Requests still in flight complete with transport_error "client shut down".
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Thread-safe. The future is ready when the request finished (after its retries).
  std::future<HttpResponse> Submit(HttpRequest request);

  // True for a response that a retry may cure (see the header comment).
  static bool Retryable(const HttpResponse& response);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alluxio
