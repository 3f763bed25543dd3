// The XML of S3's answers and requests (pugixml): listings, errors, multipart uploads, batch
// deletes. Parsing never trusts its input: malformed XML is kIoError naming what was expected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"

namespace alluxio {

// <Error><Code>NoSuchKey</Code><Message>…</Message></Error>. Both empty when `body` is not an
// S3 error document (a HEAD answer has no body).
struct S3ErrorDocument {
  std::string code;
  std::string message;
};
S3ErrorDocument ParseS3Error(std::string_view body);

struct S3ObjectEntry {
  std::string key;
  uint64_t size = 0;
  std::string etag;           // without quotes
  std::string last_modified;  // ISO 8601, as sent
};

// One page of ListObjectsV2.
struct S3ListPage {
  std::vector<S3ObjectEntry> objects;
  std::vector<std::string> common_prefixes;
  std::string next_continuation_token;  // "" on the last page
};
Result<S3ListPage> ParseListObjectsV2(std::string_view body);

// <InitiateMultipartUploadResult><UploadId>.
Result<std::string> ParseUploadId(std::string_view body);

// The ETag of a CopyObjectResult, CopyPartResult or CompleteMultipartUploadResult; an S3
// error document (these calls can answer 200 and fail) is returned as kIoError with its code.
Result<std::string> ParseResultETag(std::string_view body);

// <CompleteMultipartUpload> for parts 1..n with these ETags (as S3 returned them).
std::string CompleteMultipartUploadXml(const std::vector<std::string>& part_etags);

// <Delete><Quiet>true</Quiet><Object><Key>…</Key>…</Delete> for up to 1000 keys.
std::string DeleteObjectsXml(const std::vector<std::string>& keys);

// The keys a DeleteObjects answer reports as failed, with their error codes.
Result<std::vector<std::pair<std::string, std::string>>> ParseDeleteErrors(std::string_view body);

// Milliseconds since the epoch of an ISO 8601 time ("2026-12-07T18:18:42.000Z") or an HTTP
// date ("Mon, 07 Dec 2026 18:18:42 GMT"); 0 when neither.
int64_t ParseS3Time(std::string_view text);

}  // namespace alluxio
