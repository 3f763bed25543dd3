// FUSE-level mount options (the `-o` items that are not Alluxio properties) and what the server
// offers the kernel at INIT. Plain data; main builds it from the command line.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/common/result.h"

namespace alluxio::fuse {

struct FuseOptions {
  // Kernel caching of names and attributes, in seconds (`entry_timeout=`, `attr_timeout=`).
  // libfuse's defaults; Alluxio's default option string sets 600 for both.
  double entry_timeout = 1.0;
  double attr_timeout = 1.0;
  // Kernel caching of a name found missing, in seconds (`negative_timeout=`, libfuse's): a
  // LOOKUP of it is answered with node id 0 and this validity. 0: plain ENOENT, nothing cached.
  double negative_timeout = 0.0;
  // `direct_io`: every open bypasses the page cache (FOPEN_DIRECT_IO).
  bool direct_io = false;
  // `kernel_cache`: keep cached pages across opens (FOPEN_KEEP_CACHE).
  bool kernel_cache = false;
  // `auto_cache`: the kernel drops cached pages when it sees size or mtime change
  // (FUSE_AUTO_INVAL_DATA), so cached data survives opens of an unchanged file.
  bool auto_cache = false;
  // `max_read=`: the largest READ the server answers, bytes; 0 = max_pages pages. The mount
  // helper passes the same value to the kernel.
  uint32_t max_read = 0;
  // `max_write=` (Alluxio: alluxio.fuse.maxwrite.bytes); 0 = max_pages pages.
  uint32_t max_write = 0;
  // Pages per request (fs.fuse.max_pages_limit is 256 here: 1 MiB reads and writes).
  uint16_t max_pages = 256;
  // Background requests (readahead, async direct I/O) the kernel keeps in flight.
  uint16_t max_background = 64;
  uint16_t congestion_threshold = 48;
  // READDIRPLUS for every listing (the kernel gets each entry's attributes with its name).
  bool readdirplus = true;
  // Offered in flags2 only when the transport set them up (passthrough needs CAP_SYS_ADMIN and
  // backing files; io_uring needs enable_uring and a ring per possible CPU).
  bool passthrough = false;
  uint32_t max_stack_depth = 1;
  bool over_io_uring = false;

  // Largest READ / WRITE the server accepts, bytes.
  uint32_t MaxRead() const;
  uint32_t MaxWrite() const;
};

// Applies one FUSE `-o` item ("direct_io", "attr_timeout=600", ...). Items that are ordinary
// mount options handled by the mount helper ("ro", "allow_other", ...) return false in
// *consumed and are left to it. kInvalidArgument for a malformed value of a known key.
Status ApplyFuseOption(FuseOptions& options, std::string_view item, bool* consumed);

}  // namespace alluxio::fuse
