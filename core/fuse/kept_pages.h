// Which content the kernel's page cache of each node holds, so that the pages of a complete
// file are kept across opens (FOPEN_KEEP_CACHE) and never shown for another file.
//
// A node's pages come from its page-cached opens; all of them read the same content: that of
// the open that found no other page-cached open on the node (the kernel dropped the node's
// pages at that open, since it carried no FOPEN_KEEP_CACHE). An open of the same content keeps
// the pages; an open of another content (the file was replaced at the node's path, through
// this mount or another, on this host or another) drops them when no page-cached open of the
// old content is left, and bypasses the page cache (FOPEN_DIRECT_IO) while one is, so that
// neither reader sees the other's bytes. Writers and handles of files that may still change
// bypass the page cache or mark the node's pages unknown.
//
// Records are kept after the last release (that is the point) and bounded by `capacity`: the
// oldest record with no open handle is dropped first, and a node without a record is treated
// as holding unknown pages (its next open drops them).
//
// Thread-safe (one mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/fs/file_system.h"

namespace alluxio::fuse {

class KeptPages {
 public:
  explicit KeptPages(size_t capacity = 1 << 16) : capacity_(capacity) {}
  KeptPages(const KeptPages&) = delete;
  KeptPages& operator=(const KeptPages&) = delete;

  struct OpenReply {
    bool keep_cache = false;  // FOPEN_KEEP_CACHE: the node's pages are of this content
    bool direct_io = false;   // FOPEN_DIRECT_IO: other content's pages are in use
    // The node was last opened with other known content: what the kernel cached about it
    // (its attributes too) describes a file that was replaced.
    bool replaced = false;
  };
  // The page-cached open of `handle` on `nodeid` (an open that would bypass the page cache
  // anyway is not passed here), reading `content` (nullopt: may change while open). Every
  // handle passed here must be passed to Released.
  OpenReply Opened(uint64_t nodeid, uint64_t handle,
                   const std::optional<fs::ContentVersion>& content);
  void Released(uint64_t handle);

  size_t records() const {
    std::lock_guard lock(mu_);
    return nodes_.size();
  }

 private:
  struct Node {
    std::optional<fs::ContentVersion> content;  // nullopt: unknown pages
    uint32_t opens = 0;                         // page-cached handles open on the node
    std::list<uint64_t>::iterator idle;         // in idle_ when opens == 0
  };
  // mu_ held: drops the oldest idle records beyond capacity_.
  void TrimLocked();

  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Node> nodes_;        // by nodeid
  std::unordered_map<uint64_t, uint64_t> handles_;  // handle → nodeid
  std::list<uint64_t> idle_;                        // nodeids with no open handle, oldest first
};

}  // namespace alluxio::fuse
