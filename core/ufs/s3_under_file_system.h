// S3UnderFileSystem: the UnderFileSystem over a bucket and key prefix of S3 (or an S3-compatible
// server), for "s3://bucket/prefix". docs/ufs_s3.md has the design; in short:
//
// Keys: the path "/a/b" is the key "<prefix>/a/b" ("a/b" without a prefix). A directory is a
// zero-byte marker "<key><directory suffix>" (suffix "/" by default), made by Mkdirs, or is
// implied by a deeper key; an implied directory disappears with its last entry. The root always
// exists (GetStatus("/") checks that the bucket answers).
// Hidden areas (never listed, never reached by a path argument: GetStatus/List/Open of a path
// in them are kNotFound, every other method refuses one with kNotPermitted):
//  - "<prefix>/.alluxio_staging/<name>": staged files (a multipart upload while written, an
//    object once closed), published with a server-side copy onto the key and a delete;
//  - "<prefix>/.alluxio_links/<path>": symbolic links, objects holding the target with the
//    metadata header x-amz-meta-alluxio-symlink (kept apart so that listing a directory finds
//    its links with one more LIST instead of a HEAD per object).
//
// Attributes: objects carry no mode or owner: every entry reports `default_mode`, the owner and
// group of this process; SetMode and SetMtime succeed without changing the object (the master
// keeps both). mtime is the object's Last-Modified; the fingerprint is "<ETag>:<size>".
// CapacityAndFree is kUnsupported (an object store has no capacity to report).
//
// Atomicity: a file appears at its key atomically (PutObject, CompleteMultipartUpload,
// CopyObject). Rename is a copy then a delete: a file renamed is briefly at both names, a
// directory renamed moves object by object, and a failure midway leaves some objects at each
// name (the error says which call failed). Delete of a directory deletes in batches of 1000.
//
// Thread-safety: every method may be called from several threads at once; requests of all
// callers share the client's connections (s3_http_client.h). Readers and writers hold the
// client and may outlive this object.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/ufs/s3_client.h"
#include "core/ufs/under_file_system.h"

namespace alluxio {

inline constexpr std::string_view kS3StagingDir = ".alluxio_staging";
inline constexpr std::string_view kS3LinksDir = ".alluxio_links";

struct S3UfsConfig {
  S3ClientOptions client;
  std::string prefix;                     // key prefix of the root, no leading or trailing '/'
  std::string directory_suffix = "/";     // alluxio.underfs.s3.directory.suffix
  uint64_t part_size = 64ull << 20;       // alluxio.underfs.s3.streaming.upload.partition.size
  int upload_parts_in_flight = 20;        // alluxio.underfs.s3.upload.threads.max (per writer)
  uint32_t default_mode = 0700;           // alluxio.underfs.s3.default.mode
  uint64_t max_single_copy = 5ull << 30;  // CopyObject limit; UploadPartCopy beyond
};

class S3UnderFileSystem final : public UnderFileSystem {
 public:
  explicit S3UnderFileSystem(S3UfsConfig config);

  Result<UfsStatus> GetStatus(std::string_view path) override;
  Result<std::vector<UfsStatus>> List(std::string_view path) override;
  // Ranged GETs of the version opened (If-Match on its ETag: kIoError once it is replaced);
  // a large ReadAt is split into 8 MiB ranges in flight together.
  Result<std::unique_ptr<UfsReader>> Open(std::string_view path) override;
  // The same reader without a HEAD: the fingerprint "<ETag>:<size>" gives both. Each read
  // fails (kIoError) once the object is another version, and a missing object is kNotFound at
  // the first read instead of here.
  Result<std::unique_ptr<UfsReader>> OpenVersion(std::string_view path,
                                                 std::string_view fingerprint) override;
  // Puts a marker for the directory and each ancestor. kAlreadyExists if `path` is a file,
  // kNotADirectory if an ancestor is.
  Status Mkdirs(std::string_view path, uint32_t mode) override;
  Status CreateSymlink(std::string_view path, std::string_view target) override;
  Status Delete(std::string_view path, bool recursive) override;
  // Copy then delete (see Atomicity above); the errors of the local UFS's rename(2) checks.
  Status Rename(std::string_view src, std::string_view dst) override;
  Status SetMode(std::string_view path, uint32_t mode) override;
  Status SetMtime(std::string_view path, int64_t mtime_ms) override;
  Result<std::pair<uint64_t, uint64_t>> CapacityAndFree() override;

  Result<std::unique_ptr<UfsWriter>> CreateStaged(std::string_view name, uint32_t mode) override;
  Result<UfsStatus> PublishStaged(std::string_view name, std::string_view path,
                                  uint64_t length) override;
  Status DeleteStaged(std::string_view name) override;
  Result<std::vector<std::string>> ListStaged() override;

  // The requests of this UFS and of its readers and writers.
  const S3RequestCounts& counts() const { return client_->counts(); }

 private:
  // A path split into components, checked (kInvalidPath...) and kept out of the hidden areas.
  Result<std::vector<std::string_view>> Split(std::string_view path, ErrorCode hidden_refusal);
  std::string Key(std::string_view rel) const;        // object key of "a/b"
  std::string DirPrefix(std::string_view rel) const;  // "<key>/" ("<prefix>/" or "" for root)
  std::string MarkerKey(std::string_view rel) const;  // Key(rel) + directory suffix
  std::string LinkKey(std::string_view rel) const;
  std::string StagingKey(std::string_view name) const;

  UfsStatus FileStatus(std::string name, uint64_t size, const std::string& etag,
                       int64_t mtime_ms) const;
  UfsStatus DirStatus(std::string name, int64_t mtime_ms) const;
  // What every entry reports: objects carry no mode or owner (docs/ufs_s3.md).
  UfsStatus EntryStatus(std::string name, int64_t mtime_ms) const;
  // GetStatus of a non-root path given as components.
  Result<UfsStatus> StatusOf(const std::vector<std::string_view>& parts);
  // True when something lies below "rel/" (or its marker exists).
  Result<bool> DirectoryExists(std::string_view rel);
  // kNotADirectory when an ancestor of `parts` (not the last component) is a file.
  Status CheckAncestors(const std::vector<std::string_view>& parts);
  // Calls `fn` with each page (up to 1000) of the keys under `prefix` (no delimiter), in key
  // order; stops at the first error of the listing or of `fn`.
  using PageFn = std::function<Status(const std::vector<S3ObjectEntry>& page)>;
  Status ForEachPage(const std::string& prefix, const PageFn& fn);
  // CopyObject, or UploadPartCopy parts beyond max_single_copy.
  Status CopyObject(const std::string& src, const std::string& dst, uint64_t size);

  const S3UfsConfig config_;
  const std::shared_ptr<S3Client> client_;
};

}  // namespace alluxio
