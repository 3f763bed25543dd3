// The S3UfsConfig of an "s3://bucket/prefix" URI and its options (the S3 properties of
// property_key.h by name: the process configuration overlaid with a mount's --option values;
// a property absent from `options` has its registry default). Credentials: s3a.accessKeyId and
// s3a.secretKey, else AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from `env`; none at all sends
// unsigned requests (a public bucket).
#pragma once

#include <string_view>

#include "core/common/configuration.h"
#include "core/common/result.h"
#include "core/ufs/s3_under_file_system.h"
#include "core/ufs/under_file_system.h"

namespace alluxio {

// kInvalidPath for a URI that is not s3://bucket[/prefix]; kInvalidArgument (naming the
// property, never a secret's value) for a bad option value.
Result<S3UfsConfig> S3UfsConfigOf(std::string_view uri, const UfsOptions& options,
                                  const Environment& env);

}  // namespace alluxio
