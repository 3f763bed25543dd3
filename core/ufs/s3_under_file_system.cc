#include "core/ufs/s3_under_file_system.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>

#include <fmt/format.h>

#include "core/common/local_user.h"
#include "core/ufs/s3_staged_writer.h"

namespace alluxio {
namespace {

constexpr uint64_t kRangeChunk = 8ull << 20;  // bytes per ranged GET of one ReadAt
constexpr size_t kRangesInFlight = 8;
constexpr uint64_t kCopyPartSize = 1ull << 30;                  // UploadPartCopy part size
constexpr std::string_view kSymlinkHeader = "alluxio-symlink";  // x-amz-meta-<this>: 1

std::string JoinParts(const std::vector<std::string_view>& parts, size_t count) {
  std::string rel;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) rel += '/';
    rel.append(parts[i]);
  }
  return rel;
}

// One ranged GET in flight (S3Reader::StartRead, StartCopy); `response` is invalid for an
// empty range.
class S3PendingRead final : public UfsPendingRead {
 public:
  S3PendingRead(S3Client& client, const std::string& key, const std::string& etag, uint64_t offset,
                std::future<HttpResponse> response)
      : client_(client), key_(key), etag_(etag), offset_(offset), response_(std::move(response)) {}
  ~S3PendingRead() override {
    // The transfer writes into the caller's buffer or file.
    if (response_.valid()) response_.wait();
  }

  Result<size_t> Wait() override {
    if (!response_.valid()) return size_t{0};
    HttpResponse response = response_.get();
    return client_.ReadBytes(key_, etag_, offset_, response);
  }

 private:
  S3Client& client_;        // the reader's, which outlives this read
  const std::string& key_;  // the reader's
  const std::string& etag_;
  const uint64_t offset_;
  std::future<HttpResponse> response_;  // invalid for an empty read
};

class S3Reader final : public UfsReader {
 public:
  S3Reader(std::shared_ptr<S3Client> client, std::string key, uint64_t size, std::string etag)
      : client_(std::move(client)), key_(std::move(key)), size_(size), etag_(std::move(etag)) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<char> buf) override {
    if (offset >= size_ || buf.empty()) return size_t{0};
    buf = buf.subspan(0, std::min<uint64_t>(buf.size(), size_ - offset));
    size_t done = 0;
    while (done < buf.size()) {
      // Up to kRangesInFlight ranges at once, collected in order.
      std::vector<std::pair<size_t, std::unique_ptr<UfsPendingRead>>> ranges;  // (want, read)
      size_t at = done;
      while (at < buf.size() && ranges.size() < kRangesInFlight) {
        size_t n = std::min<uint64_t>(kRangeChunk, buf.size() - at);
        ranges.emplace_back(n, StartRead(offset + at, buf.subspan(at, n)));
        at += n;
      }
      for (auto& [want, range] : ranges) {  // the rest are waited for by their destructors
        auto got = range->Wait();
        if (!got.ok()) return got.failure();
        done += *got;
        if (*got < want) return done;
      }
    }
    return done;
  }

  // One ranged GET of the version opened (clamped to its size).
  std::unique_ptr<UfsPendingRead> StartRead(uint64_t offset, std::span<char> buf) override {
    buf = buf.subspan(0, Clamp(offset, buf.size()));
    std::future<HttpResponse> response;
    if (!buf.empty()) response = client_->StartGet(key_, offset, buf, etag_);
    return std::make_unique<S3PendingRead>(*client_, key_, etag_, offset, std::move(response));
  }

  // One ranged GET of the version opened (clamped to its size), its body written to the file.
  std::unique_ptr<UfsPendingRead> StartCopy(uint64_t offset, uint64_t length, int out_fd,
                                            uint64_t out_offset) override {
    length = Clamp(offset, length);
    std::future<HttpResponse> response;
    if (length > 0) {
      response = client_->StartGetToFile(key_, offset, length, out_fd, out_offset, etag_);
    }
    return std::make_unique<S3PendingRead>(*client_, key_, etag_, offset, std::move(response));
  }

 private:
  // `length` cut to the bytes of the version opened from `offset`.
  uint64_t Clamp(uint64_t offset, uint64_t length) const {
    return offset >= size_ ? 0 : std::min(length, size_ - offset);
  }

  const std::shared_ptr<S3Client> client_;
  const std::string key_;
  const uint64_t size_;
  const std::string etag_;
};

}  // namespace

S3UnderFileSystem::S3UnderFileSystem(S3UfsConfig config)
    : config_(std::move(config)), client_(std::make_shared<S3Client>(config_.client)) {}

Result<std::vector<std::string_view>> S3UnderFileSystem::Split(std::string_view path,
                                                               ErrorCode hidden_refusal) {
  auto parts = SplitUfsPath(path);
  if (parts.ok() && !parts->empty() &&
      (parts->front() == kS3StagingDir || parts->front() == kS3LinksDir)) {
    return Fail(hidden_refusal, fmt::format("'{}' is inside a hidden area of the S3 UFS", path));
  }
  return parts;
}

std::string S3UnderFileSystem::Key(std::string_view rel) const {
  if (config_.prefix.empty()) return std::string(rel);
  return fmt::format("{}/{}", config_.prefix, rel);
}

std::string S3UnderFileSystem::DirPrefix(std::string_view rel) const {
  if (rel.empty()) return config_.prefix.empty() ? std::string() : config_.prefix + "/";
  return Key(rel) + "/";
}

std::string S3UnderFileSystem::MarkerKey(std::string_view rel) const {
  return Key(rel) + config_.directory_suffix;
}

std::string S3UnderFileSystem::LinkKey(std::string_view rel) const {
  return fmt::format("{}{}/{}", DirPrefix(""), kS3LinksDir, rel);
}

std::string S3UnderFileSystem::StagingKey(std::string_view name) const {
  return fmt::format("{}{}/{}", DirPrefix(""), kS3StagingDir, name);
}

UfsStatus S3UnderFileSystem::EntryStatus(std::string name, int64_t mtime_ms) const {
  UfsStatus st;
  st.name = std::move(name);
  st.mtime_ms = mtime_ms;
  st.mode = config_.default_mode;
  st.owner = LocalUserName();
  st.group = LocalGroupName();
  return st;
}

UfsStatus S3UnderFileSystem::FileStatus(std::string name, uint64_t size, const std::string& etag,
                                        int64_t mtime_ms) const {
  UfsStatus st = EntryStatus(std::move(name), mtime_ms);
  st.length = size;
  st.fingerprint = fmt::format("{}:{}", etag, size);
  return st;
}

UfsStatus S3UnderFileSystem::DirStatus(std::string name, int64_t mtime_ms) const {
  UfsStatus st = EntryStatus(std::move(name), mtime_ms);
  st.is_directory = true;
  st.fingerprint = "dir";
  return st;
}

Result<bool> S3UnderFileSystem::DirectoryExists(std::string_view rel) {
  auto page = client_->List(DirPrefix(rel), "/", "", 1);
  if (!page.ok()) return page.failure();
  if (!page->objects.empty() || !page->common_prefixes.empty()) return true;
  if (config_.directory_suffix == "/" || rel.empty()) return false;
  auto marker = client_->Head(MarkerKey(rel));
  if (marker.ok()) return true;
  if (marker.code() == ErrorCode::kNotFound) return false;
  return marker.failure();
}

Status S3UnderFileSystem::CheckAncestors(const std::vector<std::string_view>& parts) {
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string key = Key(JoinParts(parts, i));
    auto head = client_->Head(key);
    if (head.ok()) {
      return Fail(ErrorCode::kNotADirectory,
                  fmt::format("s3://{}/{} is a file", client_->bucket(), key));
    }
    if (head.code() != ErrorCode::kNotFound) return head.failure();
  }
  return Ok();
}

Result<UfsStatus> S3UnderFileSystem::StatusOf(const std::vector<std::string_view>& parts) {
  std::string rel = JoinParts(parts, parts.size());
  std::string name(parts.back());
  auto head = client_->Head(Key(rel));
  if (head.ok()) return FileStatus(name, head->size, head->etag, head->last_modified_ms);
  if (head.code() != ErrorCode::kNotFound) return head.failure();
  auto dir = DirectoryExists(rel);
  if (!dir.ok()) return dir.failure();
  if (*dir) return DirStatus(name, 0);
  auto link = client_->Head(LinkKey(rel));
  if (link.ok() && link->metadata.contains(std::string(kSymlinkHeader))) {
    auto target = client_->GetSmall(LinkKey(rel));
    if (!target.ok()) return target.failure();
    UfsStatus st = FileStatus(name, target->size(), link->etag, link->last_modified_ms);
    st.mode = 0777;
    st.symlink_target = std::move(*target);
    return st;
  }
  if (!link.ok() && link.code() != ErrorCode::kNotFound) return link.failure();
  return Fail(ErrorCode::kNotFound,
              fmt::format("s3://{}/{}: no such object or directory", client_->bucket(), Key(rel)));
}

Result<UfsStatus> S3UnderFileSystem::GetStatus(std::string_view path) {
  auto parts = Split(path, ErrorCode::kNotFound);
  if (!parts.ok()) return parts.failure();
  if (parts->empty()) {
    auto page = client_->List(DirPrefix(""), "/", "", 1);  // the bucket answers
    if (!page.ok()) return page.failure();
    return DirStatus("", 0);
  }
  return StatusOf(*parts);
}

Status S3UnderFileSystem::ForEachPage(const std::string& prefix, const PageFn& fn) {
  std::string token;
  do {
    auto page = client_->List(prefix, "", token, 0);
    if (!page.ok()) return page.failure();
    if (Status st = fn(page->objects); !st.ok()) return st;
    token = std::move(page->next_continuation_token);
  } while (!token.empty());
  return Ok();
}

Result<std::vector<UfsStatus>> S3UnderFileSystem::List(std::string_view path) {
  auto parts = Split(path, ErrorCode::kNotFound);
  if (!parts.ok()) return parts.failure();
  std::string rel = JoinParts(*parts, parts->size());
  const std::string prefix = DirPrefix(rel);
  const std::string& suffix = config_.directory_suffix;
  std::map<std::string, UfsStatus> entries;  // by name: a directory wins over a file
  bool found = parts->empty();
  std::string token;
  do {
    auto page = client_->List(prefix, "/", token, 0);
    if (!page.ok()) return page.failure();
    for (const S3ObjectEntry& e : page->objects) {
      found = true;
      std::string name = e.key.substr(prefix.size());
      if (name.empty()) continue;  // the directory's own marker
      if (suffix != "/" && e.size == 0 && name.size() > suffix.size() && name.ends_with(suffix)) {
        name.resize(name.size() - suffix.size());
        entries.try_emplace(name, DirStatus(name, ParseS3Time(e.last_modified)));
        continue;
      }
      entries.try_emplace(name, FileStatus(name, e.size, e.etag, ParseS3Time(e.last_modified)));
    }
    for (const std::string& p : page->common_prefixes) {
      found = true;
      std::string name = p.substr(prefix.size());
      if (!name.empty() && name.back() == '/') name.pop_back();
      if (name.empty()) continue;
      entries.insert_or_assign(name, DirStatus(name, 0));
    }
    token = std::move(page->next_continuation_token);
  } while (!token.empty());
  if (parts->empty()) {
    entries.erase(std::string(kS3StagingDir));
    entries.erase(std::string(kS3LinksDir));
  }
  // Links of this directory: one more listing, and a GET of each link's target.
  const std::string link_prefix = LinkKey(rel.empty() ? rel : rel + "/");
  token.clear();
  do {
    auto page = client_->List(link_prefix, "/", token, 0);
    if (!page.ok()) return page.failure();
    for (const S3ObjectEntry& e : page->objects) {
      std::string name = e.key.substr(link_prefix.size());
      if (name.empty()) continue;
      auto target = client_->GetSmall(e.key);
      if (!target.ok()) {
        if (target.code() == ErrorCode::kNotFound) continue;  // removed meanwhile
        return target.failure();
      }
      UfsStatus st = FileStatus(name, target->size(), e.etag, ParseS3Time(e.last_modified));
      st.mode = 0777;
      st.symlink_target = std::move(*target);
      found = true;
      entries.insert_or_assign(name, std::move(st));
    }
    token = std::move(page->next_continuation_token);
  } while (!token.empty());
  if (!found) {
    auto st = StatusOf(*parts);
    if (!st.ok()) {
      if (st.code() == ErrorCode::kNotFound) {
        if (Status a = CheckAncestors(*parts); !a.ok()) return a.failure();
      }
      return st.failure();
    }
    if (!st->is_directory) {
      return Fail(ErrorCode::kNotADirectory, fmt::format("{} is not a directory", path));
    }
  }
  std::vector<UfsStatus> out;
  out.reserve(entries.size());
  for (auto& [name, st] : entries) out.push_back(std::move(st));
  return out;
}

Result<std::unique_ptr<UfsReader>> S3UnderFileSystem::OpenVersion(std::string_view path,
                                                                  std::string_view fingerprint) {
  // "<ETag>:<size>" (FileStatus); anything else is opened by a HEAD.
  size_t colon = fingerprint.rfind(':');
  uint64_t size = 0;
  if (colon == std::string_view::npos || colon == 0) return Open(path);
  auto [end, ec] = std::from_chars(fingerprint.data() + colon + 1,
                                   fingerprint.data() + fingerprint.size(), size);
  if (ec != std::errc() || end != fingerprint.data() + fingerprint.size()) return Open(path);
  auto parts = Split(path, ErrorCode::kNotFound);
  if (!parts.ok()) return parts.failure();
  if (parts->empty()) return Fail(ErrorCode::kIsADirectory, "/ is a directory");
  return std::unique_ptr<UfsReader>(
      std::make_unique<S3Reader>(client_, Key(JoinParts(*parts, parts->size())), size,
                                 std::string(fingerprint.substr(0, colon))));
}

Result<std::unique_ptr<UfsReader>> S3UnderFileSystem::Open(std::string_view path) {
  auto parts = Split(path, ErrorCode::kNotFound);
  if (!parts.ok()) return parts.failure();
  if (parts->empty()) return Fail(ErrorCode::kIsADirectory, "/ is a directory");
  std::string key = Key(JoinParts(*parts, parts->size()));
  auto head = client_->Head(key);
  if (head.ok()) {
    return std::unique_ptr<UfsReader>(
        std::make_unique<S3Reader>(client_, key, head->size, head->etag));
  }
  if (head.code() != ErrorCode::kNotFound) return head.failure();
  auto st = StatusOf(*parts);
  if (st.ok()) {
    return Fail(st->is_directory ? ErrorCode::kIsADirectory : ErrorCode::kInvalidArgument,
                fmt::format("{} is not a regular file", path));
  }
  if (st.code() == ErrorCode::kNotFound) {
    if (Status a = CheckAncestors(*parts); !a.ok()) return a.failure();
  }
  return st.failure();
}

Status S3UnderFileSystem::Mkdirs(std::string_view path, uint32_t /*mode*/) {
  auto parts = Split(path, ErrorCode::kNotPermitted);
  if (!parts.ok()) return parts.failure();
  if (parts->empty()) return Ok();
  std::string rel = JoinParts(*parts, parts->size());
  auto head = client_->Head(Key(rel));
  if (head.ok()) {
    return Fail(ErrorCode::kAlreadyExists, fmt::format("{} exists and is a file", path));
  }
  if (head.code() != ErrorCode::kNotFound) return head.failure();
  if (Status a = CheckAncestors(*parts); !a.ok()) return a;
  for (size_t i = 1; i <= parts->size(); ++i) {
    auto put = client_->Put(MarkerKey(JoinParts(*parts, i)), {}, {});
    if (!put.ok()) return put.failure();
  }
  return Ok();
}

Status S3UnderFileSystem::CreateSymlink(std::string_view path, std::string_view target) {
  if (target.empty() || target.find('\0') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, "a symbolic link target must be non-empty, no NUL");
  }
  auto parts = Split(path, ErrorCode::kNotPermitted);
  if (!parts.ok()) return parts.failure();
  if (parts->empty()) return Fail(ErrorCode::kAlreadyExists, "/ exists");
  auto existing = StatusOf(*parts);
  if (existing.ok()) return Fail(ErrorCode::kAlreadyExists, fmt::format("{} exists", path));
  if (existing.code() != ErrorCode::kNotFound) return existing.failure();
  if (parts->size() > 1) {
    std::vector<std::string_view> parent(parts->begin(), parts->end() - 1);
    auto pst = StatusOf(parent);
    if (!pst.ok()) return pst.failure();
    if (!pst->is_directory) {
      return Fail(ErrorCode::kNotADirectory, fmt::format("parent of {} is not a directory", path));
    }
  }
  auto put = client_->Put(LinkKey(JoinParts(*parts, parts->size())), target,
                          {{std::string(kSymlinkHeader), "1"}});
  if (!put.ok()) return put.failure();
  return Ok();
}

Status S3UnderFileSystem::Delete(std::string_view path, bool recursive) {
  auto parts = Split(path, ErrorCode::kNotPermitted);
  if (!parts.ok()) return parts.failure();
  if (parts->empty()) return Fail(ErrorCode::kNotPermitted, "the UFS root cannot be deleted");
  auto st = StatusOf(*parts);
  if (!st.ok()) return st.failure();
  std::string rel = JoinParts(*parts, parts->size());
  if (!st->symlink_target.empty()) return client_->Delete(LinkKey(rel));
  if (!st->is_directory) return client_->Delete(Key(rel));
  if (!recursive) {
    // Empty: nothing below it but its marker, and no link.
    auto below = client_->List(DirPrefix(rel), "", "", 2);
    if (!below.ok()) return below.failure();
    auto links = client_->List(LinkKey(rel + "/"), "", "", 1);
    if (!links.ok()) return links.failure();
    bool empty = links->objects.empty();
    for (const S3ObjectEntry& e : below->objects) empty = empty && e.key == MarkerKey(rel);
    if (!empty) return Fail(ErrorCode::kNotEmpty, fmt::format("{} is not empty", path));
    return client_->Delete(MarkerKey(rel));
  }
  // A page at a time, never the whole tree in memory.
  const PageFn delete_page = [this](const std::vector<S3ObjectEntry>& page) {
    std::vector<std::string> keys;
    for (const S3ObjectEntry& e : page) keys.push_back(e.key);
    return client_->DeleteMany(keys);
  };
  if (Status st = ForEachPage(DirPrefix(rel), delete_page); !st.ok()) return st;
  if (Status st = ForEachPage(LinkKey(rel + "/"), delete_page); !st.ok()) return st;
  return client_->Delete(MarkerKey(rel));
}

Status S3UnderFileSystem::CopyObject(const std::string& src, const std::string& dst,
                                     uint64_t size) {
  if (size <= config_.max_single_copy) {
    auto copy = client_->Copy(src, dst, nullptr);
    return copy.ok() ? Ok() : Status(copy.failure());
  }
  auto head = client_->Head(src);
  if (!head.ok()) return head.failure();
  auto upload = client_->CreateMultipartUpload(dst, head->metadata);
  if (!upload.ok()) return upload.failure();
  std::vector<std::string> etags;
  for (uint64_t at = 0; at < size; at += kCopyPartSize) {
    uint64_t last = std::min(size, at + kCopyPartSize) - 1;
    auto etag =
        client_->UploadPartCopy(src, dst, *upload, static_cast<int>(etags.size() + 1), at, last);
    if (!etag.ok()) {
      (void)client_->AbortMultipartUpload(dst, *upload);
      return etag.failure();
    }
    etags.push_back(std::move(*etag));
  }
  auto done = client_->CompleteMultipartUpload(dst, *upload, etags);
  return done.ok() ? Ok() : Status(done.failure());
}

Status S3UnderFileSystem::Rename(std::string_view src, std::string_view dst) {
  auto src_parts = Split(src, ErrorCode::kNotPermitted);
  if (!src_parts.ok()) return src_parts.failure();
  auto dst_parts = Split(dst, ErrorCode::kNotPermitted);
  if (!dst_parts.ok()) return dst_parts.failure();
  if (src_parts->empty() || dst_parts->empty()) {
    return Fail(ErrorCode::kNotPermitted, "the UFS root cannot be renamed or replaced");
  }
  std::string src_rel = JoinParts(*src_parts, src_parts->size());
  std::string dst_rel = JoinParts(*dst_parts, dst_parts->size());
  auto from = StatusOf(*src_parts);
  if (!from.ok()) return from.failure();
  if (dst_rel == src_rel) return Ok();
  if (from->is_directory && dst_rel.starts_with(src_rel + "/")) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("cannot move {} into itself", src));
  }
  if (dst_parts->size() > 1) {
    std::vector<std::string_view> parent(dst_parts->begin(), dst_parts->end() - 1);
    auto pst = StatusOf(parent);
    if (!pst.ok()) return pst.failure();
    if (!pst->is_directory) {
      return Fail(ErrorCode::kNotADirectory, fmt::format("parent of {} is not a directory", dst));
    }
  }
  auto to = StatusOf(*dst_parts);
  if (!to.ok() && to.code() != ErrorCode::kNotFound) return to.failure();
  if (to.ok()) {
    if (to->is_directory && !from->is_directory) {
      return Fail(ErrorCode::kIsADirectory, fmt::format("{} is a directory", dst));
    }
    if (!to->is_directory && from->is_directory) {
      return Fail(ErrorCode::kNotADirectory, fmt::format("{} is not a directory", dst));
    }
    if (to->is_directory) {
      if (Status st = Delete(dst, false); !st.ok()) return st;  // kNotEmpty unless empty
    } else if (!to->symlink_target.empty()) {
      if (Status st = client_->Delete(LinkKey(dst_rel)); !st.ok()) return st;
    } else if (!from->symlink_target.empty()) {
      if (Status st = client_->Delete(Key(dst_rel)); !st.ok()) return st;
    }
  }
  if (!from->symlink_target.empty()) {
    if (Status st = CopyObject(LinkKey(src_rel), LinkKey(dst_rel), from->length); !st.ok()) {
      return st;
    }
    return client_->Delete(LinkKey(src_rel));
  }
  if (!from->is_directory) {
    if (Status st = CopyObject(Key(src_rel), Key(dst_rel), from->length); !st.ok()) return st;
    return client_->Delete(Key(src_rel));
  }
  // A directory: every object below it and its links, a page at a time (copied one by one,
  // then the page deleted), then its marker. The destination exists from the start (its
  // marker), the source until the end.
  // TODO(perf): copy several objects at once.
  if (auto put = client_->Put(MarkerKey(dst_rel), {}, {}); !put.ok()) return put.failure();
  const std::string src_marker = MarkerKey(src_rel);
  auto move_page = [this, &src_marker](const std::string& from_prefix,
                                       const std::string& to_prefix) {
    return [this, &src_marker, from_prefix,
            to_prefix](const std::vector<S3ObjectEntry>& page) -> Status {
      std::vector<std::string> moved;
      for (const S3ObjectEntry& e : page) {
        if (e.key == src_marker) continue;  // deleted last
        Status st = CopyObject(e.key, to_prefix + e.key.substr(from_prefix.size()), e.size);
        if (!st.ok()) return st;
        moved.push_back(e.key);
      }
      return client_->DeleteMany(moved);
    };
  };
  const std::string src_prefix = DirPrefix(src_rel);
  const std::string src_links = LinkKey(src_rel + "/");
  if (Status st = ForEachPage(src_prefix, move_page(src_prefix, DirPrefix(dst_rel))); !st.ok()) {
    return st;
  }
  if (Status st = ForEachPage(src_links, move_page(src_links, LinkKey(dst_rel + "/"))); !st.ok()) {
    return st;
  }
  return client_->Delete(src_marker);
}

Status S3UnderFileSystem::SetMode(std::string_view path, uint32_t /*mode*/) {
  auto parts = Split(path, ErrorCode::kNotPermitted);
  if (!parts.ok()) return parts.failure();
  if (parts->empty()) return Ok();
  auto st = StatusOf(*parts);
  return st.ok() ? Ok() : Status(st.failure());
}

Status S3UnderFileSystem::SetMtime(std::string_view path, int64_t /*mtime_ms*/) {
  return SetMode(path, 0);  // the same check: nothing changes on the object
}

Result<std::pair<uint64_t, uint64_t>> S3UnderFileSystem::CapacityAndFree() {
  return Fail(ErrorCode::kUnsupported,
              fmt::format("s3://{}: an object store reports no capacity", client_->bucket()));
}

Result<std::unique_ptr<UfsWriter>> S3UnderFileSystem::CreateStaged(std::string_view name,
                                                                   uint32_t /*mode*/) {
  if (Status st = CheckStagedName(name); !st.ok()) return st.failure();
  UfsStatus status = FileStatus(std::string(name), 0, "", 0);
  return std::unique_ptr<UfsWriter>(
      std::make_unique<S3StagedWriter>(client_, StagingKey(name), config_.part_size,
                                       config_.upload_parts_in_flight, std::move(status)));
}

Result<UfsStatus> S3UnderFileSystem::PublishStaged(std::string_view name, std::string_view path,
                                                   uint64_t length) {
  if (Status st = CheckStagedName(name); !st.ok()) return st.failure();
  auto parts = Split(path, ErrorCode::kNotPermitted);
  if (!parts.ok()) return parts.failure();
  if (parts->empty()) return Fail(ErrorCode::kIsADirectory, "/ is a directory");
  const std::string staged = StagingKey(name);
  auto head = client_->Head(staged);
  if (!head.ok()) return head.failure();
  if (head->size != length) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("staged {} holds {} bytes, not {}", name, head->size, length));
  }
  std::string rel = JoinParts(*parts, parts->size());
  auto dir = DirectoryExists(rel);
  if (!dir.ok()) return dir.failure();
  if (*dir) return Fail(ErrorCode::kIsADirectory, fmt::format("{} is a directory", path));
  if (Status a = CheckAncestors(*parts); !a.ok()) return a.failure();
  if (Status st = CopyObject(staged, Key(rel), length); !st.ok()) return st.failure();
  auto published = client_->Head(Key(rel));
  if (!published.ok()) return published.failure();
  if (Status st = client_->Delete(staged); !st.ok()) return st.failure();
  return FileStatus(std::string(parts->back()), published->size, published->etag,
                    published->last_modified_ms);
}

Status S3UnderFileSystem::DeleteStaged(std::string_view name) {
  if (Status st = CheckStagedName(name); !st.ok()) return st;
  return client_->Delete(StagingKey(name));
}

Result<std::vector<std::string>> S3UnderFileSystem::ListStaged() {
  const std::string prefix = StagingKey("");
  std::vector<std::string> names;
  Status st = ForEachPage(prefix, [&names, &prefix](const std::vector<S3ObjectEntry>& page) {
    for (const S3ObjectEntry& e : page) {
      std::string name = e.key.substr(prefix.size());
      if (CheckStagedName(name).ok()) names.push_back(std::move(name));
    }
    return Ok();
  });
  if (!st.ok()) return st.failure();
  return names;
}

}  // namespace alluxio
