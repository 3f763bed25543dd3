// The s3_xml target: one HTTP answer body, as an S3 server (or anything answering in its place)
// might send it, through every parser of core/ufs/s3_xml.h. They must stay inside the input
// (ASan), never throw, and keep their promise that an ETag parsed from a result is never
// empty.
#include <string>
#include <string_view>

#include "core/ufs/s3_xml.h"
#include "tests/fuzz/fuzz_targets.h"

namespace alluxio::fuzz {

int FuzzS3Xml(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)ParseS3Error(body);
  if (auto page = ParseListObjectsV2(body); page.ok()) {
    for (const S3ObjectEntry& e : page->objects) (void)ParseS3Time(e.last_modified);
  }
  (void)ParseUploadId(body);
  if (auto etag = ParseResultETag(body); etag.ok()) {
    FuzzAssert(!etag->empty(), "a parsed ETag is not empty");
  }
  (void)ParseDeleteErrors(body);
  (void)ParseS3Time(body);
  return 0;
}

}  // namespace alluxio::fuzz
