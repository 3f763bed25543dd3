#include "core/fuse/kept_pages.h"

namespace alluxio::fuse {

KeptPages::OpenReply KeptPages::Opened(uint64_t nodeid, uint64_t handle,
                                       const std::optional<fs::ContentVersion>& content) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = nodes_.try_emplace(nodeid);
  Node& node = it->second;
  OpenReply reply;
  reply.replaced = node.content.has_value() && content.has_value() && node.content != content;
  if (node.opens > 0 && node.content != content) {
    // Readers of other content are using the pages: this one reads around them.
    reply.direct_io = true;
    return reply;
  }
  // No FOPEN_KEEP_CACHE unless the pages are known to be this content: the kernel then drops
  // them at this open.
  reply.keep_cache = content.has_value() && node.content == content;
  node.content = content;
  if (node.opens++ == 0 && !inserted) idle_.erase(node.idle);
  handles_.emplace(handle, nodeid);
  return reply;
}

void KeptPages::Released(uint64_t handle) {
  std::lock_guard lock(mu_);
  auto h = handles_.find(handle);
  if (h == handles_.end()) return;  // a handle that bypassed the page cache
  Node& node = nodes_.at(h->second);
  if (--node.opens == 0) node.idle = idle_.insert(idle_.end(), h->second);
  handles_.erase(h);
  TrimLocked();
}

void KeptPages::TrimLocked() {
  while (nodes_.size() > capacity_ && !idle_.empty()) {
    nodes_.erase(idle_.front());
    idle_.pop_front();
  }
}

}  // namespace alluxio::fuse
