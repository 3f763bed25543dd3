#include "core/ufs/s3_xml.h"

#include <gtest/gtest.h>

namespace alluxio {
namespace {

TEST(S3XmlTest, ListPageWithEscapesPrefixesAndToken) {
  auto page = ParseListObjectsV2(
      "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>t/+=</NextContinuationToken>"
      "<Contents><Key>p/a&amp;b</Key><LastModified>2026-12-07T18:18:42.250Z</LastModified>"
      "<ETag>&quot;abc&quot;</ETag><Size>12</Size></Contents>"
      "<CommonPrefixes><Prefix>p/d/</Prefix></CommonPrefixes></ListBucketResult>");
  ASSERT_TRUE(page.ok()) << page.error().ToString();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "p/a&b");
  EXPECT_EQ(page->objects[0].etag, "abc");
  EXPECT_EQ(page->objects[0].size, 12u);
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"p/d/"});
  EXPECT_EQ(page->next_continuation_token, "t/+=");
  EXPECT_EQ(ParseS3Time(page->objects[0].last_modified), 1796667522250);
  // Truncated without a token, or not a listing: malformed.
  EXPECT_EQ(ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated>"
                               "</ListBucketResult>")
                .code(),
            ErrorCode::kIoError);
  EXPECT_EQ(ParseListObjectsV2("<Error/>").code(), ErrorCode::kIoError);
  EXPECT_EQ(ParseListObjectsV2("not xml <").code(), ErrorCode::kIoError);
}

TEST(S3XmlTest, ErrorsAndResults) {
  S3ErrorDocument e = ParseS3Error("<Error><Code>SlowDown</Code><Message>m</Message></Error>");
  EXPECT_EQ(e.code, "SlowDown");
  EXPECT_EQ(e.message, "m");
  EXPECT_EQ(ParseS3Error("").code, "");
  EXPECT_EQ(*ParseUploadId("<InitiateMultipartUploadResult><UploadId>u1</UploadId>"
                           "</InitiateMultipartUploadResult>"),
            "u1");
  EXPECT_EQ(*ParseResultETag("<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>"), "e");
  // CompleteMultipartUpload and CopyObject can answer 200 with an error inside.
  auto failed = ParseResultETag("<Error><Code>InternalError</Code><Message>x</Message></Error>");
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("InternalError"), std::string::npos);
  auto errors = ParseDeleteErrors(
      "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code>"
      "</Error></DeleteResult>");
  ASSERT_TRUE(errors.ok());
  EXPECT_EQ(*errors, (std::vector<std::pair<std::string, std::string>>{{"b", "AccessDenied"}}));
}

TEST(S3XmlTest, RequestsEscapeWhatTheyCarry) {
  EXPECT_EQ(CompleteMultipartUploadXml({"\"e1\"", "\"e2\""}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag>"
            "</Part><Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
  EXPECT_EQ(DeleteObjectsXml({"a<b", "c&d"}),
            "<Delete><Quiet>true</Quiet><Object><Key>a&lt;b</Key></Object><Object><Key>c&amp;d"
            "</Key></Object></Delete>");
}

TEST(S3XmlTest, Times) {
  EXPECT_EQ(ParseS3Time("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(ParseS3Time("1970-01-01T00:00:02Z"), 2000);
  EXPECT_EQ(ParseS3Time("Thu, 01 Jan 1970 00:00:03 GMT"), 3000);
  EXPECT_EQ(ParseS3Time("yesterday"), 0);
}

}  // namespace
}  // namespace alluxio
