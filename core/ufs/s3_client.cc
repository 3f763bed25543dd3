#include "core/ufs/s3_client.h"

#include <fmt/format.h>

namespace alluxio {
namespace {

constexpr std::string_view kMetaPrefix = "x-amz-meta-";

std::vector<std::string> MetadataHeaders(const S3Metadata& metadata) {
  std::vector<std::string> headers;
  for (const auto& [name, value] : metadata) {
    headers.push_back(fmt::format("{}{}: {}", kMetaPrefix, name, value));
  }
  return headers;
}

bool Ok2xx(const HttpResponse& r) { return r.status >= 200 && r.status < 300; }

std::string UnquoteETag(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    return etag.substr(1, etag.size() - 2);
  }
  return etag;
}

}  // namespace

std::string S3UriEncode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

ErrorCode S3ErrorCode(long http_status, std::string_view code) {
  if (code == "NoSuchKey" || code == "NoSuchBucket" || code == "NoSuchUpload") {
    return ErrorCode::kNotFound;
  }
  if (code == "AccessDenied" || code == "AllAccessDisabled" || code == "InvalidAccessKeyId" ||
      code == "SignatureDoesNotMatch" || code == "AccountProblem") {
    return ErrorCode::kPermissionDenied;
  }
  if (code == "InvalidRange") return ErrorCode::kOutOfRange;
  if (code == "SlowDown" || code == "ServiceUnavailable" || code == "InternalError") {
    return ErrorCode::kUnavailable;
  }
  if (code == "RequestTimeout") return ErrorCode::kTimedOut;
  if (code == "NotImplemented" || code == "MethodNotAllowed") return ErrorCode::kUnsupported;
  if (code == "EntityTooLarge") return ErrorCode::kNoSpace;
  if (code == "PreconditionFailed") return ErrorCode::kIoError;
  switch (http_status) {
    case 400:
      return ErrorCode::kInvalidArgument;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 405:
    case 501:
      return ErrorCode::kUnsupported;
    case 409:
      return ErrorCode::kBusy;
    case 412:
      return ErrorCode::kIoError;
    case 416:
      return ErrorCode::kOutOfRange;
    default:
      return http_status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kIoError;
  }
}

S3Client::S3Client(S3ClientOptions options)
    : options_(std::move(options)),
      http_(
          HttpClient::Options{.sigv4_provider = options_.access_key.empty()
                                                    ? std::string()
                                                    : fmt::format("aws:amz:{}:s3", options_.region),
                              .user_password = options_.access_key + ":" + options_.secret_key,
                              .request_timeout_ms = options_.request_timeout_ms,
                              .max_connections = options_.max_connections,
                              .max_attempts = options_.max_attempts,
                              .backoff_base = options_.backoff_base}) {
  scheme_host_ = options_.endpoint.empty()
                     ? fmt::format("https://s3.{}.amazonaws.com", options_.region)
                     : options_.endpoint;
  if (scheme_host_.find("://") == std::string::npos) scheme_host_ = "https://" + scheme_host_;
  while (scheme_host_.ends_with('/')) scheme_host_.pop_back();
}

std::string S3Client::Url(const std::string& key, const std::string& query) const {
  std::string url;
  if (options_.path_style) {
    url = fmt::format("{}/{}/{}", scheme_host_, options_.bucket, S3UriEncode(key, true));
  } else {
    size_t host = scheme_host_.find("://") + 3;
    url = fmt::format("{}{}.{}/{}", scheme_host_.substr(0, host), options_.bucket,
                      scheme_host_.substr(host), S3UriEncode(key, true));
  }
  if (!query.empty()) url += "?" + query;
  return url;
}

std::future<HttpResponse> S3Client::Submit(HttpRequest request) {
  counts_.requests.fetch_add(1, std::memory_order_relaxed);
  if (request.method == "HEAD") counts_.heads.fetch_add(1, std::memory_order_relaxed);
  if (request.method == "GET" && (!request.sink.empty() || request.sink_fd >= 0)) {
    counts_.ranged_gets.fetch_add(1, std::memory_order_relaxed);
  }
  return http_.Submit(std::move(request));
}

HttpResponse S3Client::Send(std::string method, const std::string& key, const std::string& query,
                            std::vector<std::string> headers, std::span<const char> body) {
  return Submit(HttpRequest{.method = std::move(method),
                            .url = Url(key, query),
                            .headers = std::move(headers),
                            .body = body,
                            .sink = {}})
      .get();
}

Error S3Client::ErrorOf(std::string_view call, const std::string& key,
                        const HttpResponse& r) const {
  std::string where = fmt::format("S3 {} s3://{}/{}", call, options_.bucket, key);
  std::string attempts = r.attempts > 1 ? fmt::format(" (after {} attempts)", r.attempts) : "";
  if (r.status == 0) {
    return Error{r.timed_out ? ErrorCode::kTimedOut : ErrorCode::kUnavailable,
                 fmt::format("{}: {} ({}){}", where, r.transport_error, scheme_host_, attempts)};
  }
  S3ErrorDocument doc = ParseS3Error(r.body);
  return Error{S3ErrorCode(r.status, doc.code),
               fmt::format("{}: HTTP {} {}{}{}{}", where, r.status,
                           doc.code.empty() ? "(no S3 error code)" : doc.code,
                           doc.message.empty() ? "" : ": ", doc.message, attempts)};
}

Result<S3ObjectHead> S3Client::Head(const std::string& key) {
  HttpResponse r = Send("HEAD", key, "", {});
  if (!Ok2xx(r)) {
    Error e = ErrorOf("HeadObject", key, r);
    if (r.status == 404) e.code = ErrorCode::kNotFound;  // a HEAD answer has no error document
    return Fail(std::move(e));
  }
  S3ObjectHead head;
  if (auto it = r.headers.find("content-length"); it != r.headers.end()) {
    head.size = std::stoull(it->second);
  }
  if (auto it = r.headers.find("etag"); it != r.headers.end()) head.etag = UnquoteETag(it->second);
  if (auto it = r.headers.find("last-modified"); it != r.headers.end()) {
    head.last_modified_ms = ParseS3Time(it->second);
  }
  for (const auto& [name, value] : r.headers) {
    if (name.starts_with(kMetaPrefix)) head.metadata[name.substr(kMetaPrefix.size())] = value;
  }
  return head;
}

namespace {

std::vector<std::string> RangeHeaders(uint64_t offset, uint64_t length, const std::string& etag) {
  std::vector<std::string> headers{fmt::format("Range: bytes={}-{}", offset, offset + length - 1)};
  if (!etag.empty()) headers.push_back(fmt::format("If-Match: \"{}\"", etag));
  return headers;
}

}  // namespace

std::future<HttpResponse> S3Client::StartGet(const std::string& key, uint64_t offset,
                                             std::span<char> sink, const std::string& etag) {
  return Submit(HttpRequest{.method = "GET",
                            .url = Url(key, ""),
                            .headers = RangeHeaders(offset, sink.size(), etag),
                            .body = {},
                            .sink = sink});
}

std::future<HttpResponse> S3Client::StartGetToFile(const std::string& key, uint64_t offset,
                                                   uint64_t length, int fd, uint64_t fd_offset,
                                                   const std::string& etag) {
  return Submit(HttpRequest{.method = "GET",
                            .url = Url(key, ""),
                            .headers = RangeHeaders(offset, length, etag),
                            .body = {},
                            .sink = {},
                            .sink_fd = fd,
                            .sink_fd_offset = fd_offset,
                            .sink_fd_length = length});
}

Result<size_t> S3Client::ReadBytes(const std::string& key, const std::string& etag, uint64_t offset,
                                   const HttpResponse& r) {
  constexpr std::string_view kChanged = " (the object changed since it was opened)";
  if (r.status == 416) return size_t{0};  // at or past the end
  if (r.sink_errno != 0) {
    return Fail(ErrnoError(r.sink_errno, fmt::format("writing the body of S3 GetObject s3://{}/{}",
                                                     options_.bucket, key)));
  }
  if (!Ok2xx(r)) {
    Error e = ErrorOf("GetObject", key, r);
    if (r.status == 412) e.message += kChanged;
    return Fail(std::move(e));
  }
  if (auto it = r.headers.find("etag");
      !etag.empty() && it != r.headers.end() && UnquoteETag(it->second) != etag) {
    return Fail(ErrorCode::kIoError, fmt::format("S3 GetObject s3://{}/{}: ETag {} instead of {}{}",
                                                 options_.bucket, key, it->second, etag, kChanged));
  }
  if (r.status != 206 && offset != 0) {
    return Fail(ErrorCode::kIoError,
                fmt::format("S3 GetObject s3://{}/{}: HTTP {} to a request for bytes from {}: the "
                            "server ignored the Range header",
                            options_.bucket, key, r.status, offset));
  }
  counts_.bytes_received.fetch_add(r.sink_bytes, std::memory_order_relaxed);
  return r.sink_bytes;
}

Result<std::string> S3Client::GetSmall(const std::string& key) {
  HttpResponse r = Send("GET", key, "", {});
  if (!Ok2xx(r)) return Fail(ErrorOf("GetObject", key, r));
  return std::move(r.body);
}

Result<std::string> S3Client::Put(const std::string& key, std::span<const char> body,
                                  const S3Metadata& metadata) {
  std::vector<std::string> headers = MetadataHeaders(metadata);
  headers.emplace_back("Content-Type: application/octet-stream");
  HttpResponse r = Send("PUT", key, "", std::move(headers), body);
  if (!Ok2xx(r)) return Fail(ErrorOf("PutObject", key, r));
  return UnquoteETag(r.headers["etag"]);
}

Result<std::string> S3Client::Copy(const std::string& src_key, const std::string& dst_key,
                                   const S3Metadata* replace_metadata) {
  std::vector<std::string> headers{
      fmt::format("x-amz-copy-source: /{}/{}", options_.bucket, S3UriEncode(src_key, true))};
  if (replace_metadata != nullptr) {
    headers.emplace_back("x-amz-metadata-directive: REPLACE");
    headers.emplace_back("Content-Type: application/octet-stream");
    for (std::string& h : MetadataHeaders(*replace_metadata)) headers.push_back(std::move(h));
  }
  HttpResponse r = Send("PUT", dst_key, "", std::move(headers));
  if (!Ok2xx(r)) {
    Error e = ErrorOf("CopyObject", dst_key, r);
    e.message += fmt::format(" (from {})", src_key);
    return Fail(std::move(e));
  }
  auto etag = ParseResultETag(r.body);
  if (!etag.ok()) {
    return Fail(etag.code(), fmt::format("S3 CopyObject s3://{}/{} from {}: {}", options_.bucket,
                                         dst_key, src_key, etag.error().message));
  }
  return etag;
}

Status S3Client::Delete(const std::string& key) {
  HttpResponse r = Send("DELETE", key, "", {});
  if (!Ok2xx(r) && r.status != 404) return Fail(ErrorOf("DeleteObject", key, r));
  return Ok();
}

Status S3Client::DeleteMany(const std::vector<std::string>& keys) {
  for (size_t at = 0; at < keys.size(); at += 1000) {
    std::vector<std::string> batch(keys.begin() + at,
                                   keys.begin() + std::min(keys.size(), at + 1000));
    if (batch.size() == 1) {
      if (Status s = Delete(batch[0]); !s.ok()) return s;
      continue;
    }
    std::string body = DeleteObjectsXml(batch);
    HttpResponse r = Send("POST", "", "delete=", {"Content-Type: application/xml"},
                          std::span<const char>(body.data(), body.size()));
    if (!Ok2xx(r)) return Fail(ErrorOf("DeleteObjects", batch[0], r));
    auto errors = ParseDeleteErrors(r.body);
    if (!errors.ok()) return errors.failure();
    if (!errors->empty()) {
      const auto& [key, code] = errors->front();
      return Fail(S3ErrorCode(0, code),
                  fmt::format("S3 DeleteObjects s3://{}/{}: {} ({} keys failed)", options_.bucket,
                              key, code, errors->size()));
    }
  }
  return Ok();
}

Result<S3ListPage> S3Client::List(const std::string& prefix, const std::string& delimiter,
                                  const std::string& continuation_token, int max_keys) {
  // Parameters sorted by name: the canonical query SigV4 signs.
  std::string query;
  if (!continuation_token.empty()) {
    query += "continuation-token=" + S3UriEncode(continuation_token, false) + "&";
  }
  if (!delimiter.empty()) query += "delimiter=" + S3UriEncode(delimiter, false) + "&";
  query += "list-type=2";
  if (max_keys > 0) query += fmt::format("&max-keys={}", max_keys);
  query += "&prefix=" + S3UriEncode(prefix, false);
  HttpResponse r = Send("GET", "", query, {});
  if (!Ok2xx(r)) return Fail(ErrorOf("ListObjectsV2", prefix, r));
  return ParseListObjectsV2(r.body);
}

Result<std::string> S3Client::CreateMultipartUpload(const std::string& key,
                                                    const S3Metadata& metadata) {
  std::vector<std::string> headers = MetadataHeaders(metadata);
  headers.emplace_back("Content-Type: application/octet-stream");
  HttpResponse r = Send("POST", key, "uploads=", std::move(headers));
  if (!Ok2xx(r)) return Fail(ErrorOf("CreateMultipartUpload", key, r));
  return ParseUploadId(r.body);
}

std::future<HttpResponse> S3Client::StartUploadPart(const std::string& key,
                                                    const std::string& upload_id, int part_number,
                                                    std::span<const char> body) {
  return Submit(HttpRequest{.method = "PUT",
                            .url = Url(key, fmt::format("partNumber={}&uploadId={}", part_number,
                                                        S3UriEncode(upload_id, false))),
                            .headers = {},
                            .body = body,
                            .sink = {}});
}

Result<std::string> S3Client::PartETag(const std::string& key, const HttpResponse& r) {
  if (!Ok2xx(r)) return Fail(ErrorOf("UploadPart", key, r));
  auto it = r.headers.find("etag");
  if (it == r.headers.end()) {
    return Fail(ErrorCode::kIoError, fmt::format("S3 UploadPart s3://{}/{}: no ETag in the answer",
                                                 options_.bucket, key));
  }
  return it->second;
}

Result<std::string> S3Client::UploadPartCopy(const std::string& src_key, const std::string& key,
                                             const std::string& upload_id, int part_number,
                                             uint64_t first, uint64_t last) {
  HttpResponse r =
      Send("PUT", key,
           fmt::format("partNumber={}&uploadId={}", part_number, S3UriEncode(upload_id, false)),
           {fmt::format("x-amz-copy-source: /{}/{}", options_.bucket, S3UriEncode(src_key, true)),
            fmt::format("x-amz-copy-source-range: bytes={}-{}", first, last)});
  if (!Ok2xx(r)) return Fail(ErrorOf("UploadPartCopy", key, r));
  auto etag = ParseResultETag(r.body);
  if (!etag.ok()) return etag.failure();
  return "\"" + *etag + "\"";
}

Result<std::string> S3Client::CompleteMultipartUpload(const std::string& key,
                                                      const std::string& upload_id,
                                                      const std::vector<std::string>& part_etags) {
  std::string body = CompleteMultipartUploadXml(part_etags);
  HttpResponse r =
      Send("POST", key, "uploadId=" + S3UriEncode(upload_id, false),
           {"Content-Type: application/xml"}, std::span<const char>(body.data(), body.size()));
  if (!Ok2xx(r)) return Fail(ErrorOf("CompleteMultipartUpload", key, r));
  auto etag = ParseResultETag(r.body);  // a 200 may still carry an error
  if (!etag.ok()) {
    return Fail(etag.code(), fmt::format("S3 CompleteMultipartUpload s3://{}/{}: {}",
                                         options_.bucket, key, etag.error().message));
  }
  return etag;
}

Status S3Client::AbortMultipartUpload(const std::string& key, const std::string& upload_id) {
  HttpResponse r = Send("DELETE", key, "uploadId=" + S3UriEncode(upload_id, false), {});
  if (!Ok2xx(r) && r.status != 404) return Fail(ErrorOf("AbortMultipartUpload", key, r));
  return Ok();
}

}  // namespace alluxio
