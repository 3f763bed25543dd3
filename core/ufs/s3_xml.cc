#include "core/ufs/s3_xml.h"

#include <time.h>

#include <charconv>
#include <cstring>

#include <fmt/format.h>
#include <pugixml.hpp>

namespace alluxio {
namespace {

bool Load(pugi::xml_document& doc, std::string_view body) {
  return doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8)
             .status == pugi::status_ok;
}

std::string Unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

Failure Malformed(std::string_view what, std::string_view body) {
  return Fail(ErrorCode::kIoError, fmt::format("S3 answered without a valid {} ({} bytes: '{}')",
                                               what, body.size(), body.substr(0, 200)));
}

void AppendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

S3ErrorDocument ParseS3Error(std::string_view body) {
  pugi::xml_document doc;
  if (body.empty() || !Load(doc, body)) return {};
  pugi::xml_node error = doc.child("Error");
  return {error.child("Code").text().as_string(), error.child("Message").text().as_string()};
}

Result<S3ListPage> ParseListObjectsV2(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body)) return Malformed("ListBucketResult", body);
  pugi::xml_node root = doc.child("ListBucketResult");
  if (!root) return Malformed("ListBucketResult", body);
  S3ListPage page;
  for (pugi::xml_node c : root.children("Contents")) {
    S3ObjectEntry e;
    e.key = c.child("Key").text().as_string();
    e.size = c.child("Size").text().as_ullong();
    e.etag = Unquote(c.child("ETag").text().as_string());
    e.last_modified = c.child("LastModified").text().as_string();
    page.objects.push_back(std::move(e));
  }
  for (pugi::xml_node p : root.children("CommonPrefixes")) {
    page.common_prefixes.emplace_back(p.child("Prefix").text().as_string());
  }
  if (root.child("IsTruncated").text().as_bool()) {
    page.next_continuation_token = root.child("NextContinuationToken").text().as_string();
    if (page.next_continuation_token.empty()) {
      return Malformed("NextContinuationToken in a truncated listing", body);
    }
  }
  return page;
}

Result<std::string> ParseUploadId(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body)) return Malformed("InitiateMultipartUploadResult", body);
  std::string id = doc.child("InitiateMultipartUploadResult").child("UploadId").text().as_string();
  if (id.empty()) return Malformed("InitiateMultipartUploadResult", body);
  return id;
}

Result<std::string> ParseResultETag(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body)) return Malformed("result document", body);
  if (pugi::xml_node error = doc.child("Error")) {
    return Fail(ErrorCode::kIoError,
                fmt::format("S3 error {}: {}", error.child("Code").text().as_string(),
                            error.child("Message").text().as_string()));
  }
  pugi::xml_node root = doc.first_child();
  std::string etag = Unquote(root.child("ETag").text().as_string());
  if (etag.empty()) return Malformed("ETag in the result", body);
  return etag;
}

std::string CompleteMultipartUploadXml(const std::vector<std::string>& part_etags) {
  std::string out = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < part_etags.size(); ++i) {
    out += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>", i + 1);
    AppendEscaped(out, part_etags[i]);
    out += "</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

std::string DeleteObjectsXml(const std::vector<std::string>& keys) {
  std::string out = "<Delete><Quiet>true</Quiet>";
  for (const std::string& key : keys) {
    out += "<Object><Key>";
    AppendEscaped(out, key);
    out += "</Key></Object>";
  }
  out += "</Delete>";
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseDeleteErrors(std::string_view body) {
  pugi::xml_document doc;
  if (!Load(doc, body)) return Malformed("DeleteResult", body);
  pugi::xml_node root = doc.child("DeleteResult");
  if (!root) return Malformed("DeleteResult", body);
  std::vector<std::pair<std::string, std::string>> errors;
  for (pugi::xml_node e : root.children("Error")) {
    errors.emplace_back(e.child("Key").text().as_string(), e.child("Code").text().as_string());
  }
  return errors;
}

int64_t ParseS3Time(std::string_view text) {
  std::string s(text);
  struct tm tm;
  std::memset(&tm, 0, sizeof(tm));
  int64_t millis = 0;
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end != nullptr) {
    if (*end == '.') {
      int digits = 0;
      for (++end; *end >= '0' && *end <= '9'; ++end) {
        if (digits++ < 3) millis = millis * 10 + (*end - '0');
      }
      for (; digits < 3; ++digits) millis *= 10;
    }
  } else {
    std::memset(&tm, 0, sizeof(tm));
    if (strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm) == nullptr) return 0;
  }
  return static_cast<int64_t>(timegm(&tm)) * 1000 + millis;
}

}  // namespace alluxio
