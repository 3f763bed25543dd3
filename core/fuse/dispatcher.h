// The FUSE request dispatcher: validates one kernel message, decodes it, calls the file system
// (core/fs/file_system.h) with paths from the inode table, and encodes the reply into a
// FuseReplySink. It owns the protocol state: INIT negotiation, node ids and lookup counts,
// directory handles, counters. File handles are the file system's own (passed through as fh).
//
// Table-driven: opcode → {handler, name, minimum argument size, replies?}. Unknown opcodes get
// ENOSYS; the opcodes of UnsupportedOps() (unsupported_ops.h) get their fixed errno, logged and
// counted. See docs/fuse-protocol.md for every operation and its errno.
//
// Threading: Handle may run concurrently on several reactors (threads); the shared tables are
// internally locked, counters are atomics. The dispatcher and the file system must outlive every
// Handle coroutine.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include <asio/awaitable.hpp>

#include "core/fs/file_system.h"
#include "core/fuse/fuse_abi.h"
#include "core/fuse/fuse_options.h"
#include "core/fuse/inode_table.h"
#include "core/fuse/kept_pages.h"
#include "core/fuse/kernel_notify.h"
#include "core/fuse/passthrough_files.h"
#include "core/fuse/reply_sink.h"
#include "core/fuse/served_mounts.h"

namespace alluxio::fuse {

struct FuseCounters {
  std::atomic<uint64_t> requests{0};     // messages handed to Handle
  std::atomic<uint64_t> dropped{0};      // too short for a header, or malformed no-reply messages
  std::atomic<uint64_t> malformed{0};    // answered EINVAL for bad lengths or arguments
  std::atomic<uint64_t> unknown{0};      // answered ENOSYS: opcode not known at all
  std::atomic<uint64_t> unsupported{0};  // answered from UnsupportedOps()
  std::atomic<uint64_t> interrupts{0};   // INTERRUPT messages received
  std::atomic<uint64_t> errors{0};       // replies with a nonzero errno
  std::array<std::atomic<uint64_t>, abi::kOpcodeLimit> by_opcode{};
};

class FuseDispatcher : public ServedMounts::Member {
 public:
  // device_fd: a /dev/fuse descriptor of the session for passthrough backing files and
  // notifications (-1: no passthrough, whatever options.passthrough says, and none sent).
  // served: the mounts this process serves over `fs` (null: this one only), told of the
  // namespace and attribute changes made through this one; the owner adds the dispatcher to it
  // and removes it before the device is closed.
  FuseDispatcher(fs::FileSystem& fs, FuseOptions options, int device_fd = -1,
                 ServedMounts* served = nullptr);
  ~FuseDispatcher();
  FuseDispatcher(const FuseDispatcher&) = delete;
  FuseDispatcher& operator=(const FuseDispatcher&) = delete;

  // Handles one message as read from the kernel. `message` is exactly the bytes received;
  // `scratch` is where READ data and directory listings are built and must hold at least
  // ScratchSize() bytes and not overlap `message`. Both must stay valid and unchanged until the
  // returned awaitable completes. Sends at most one reply to `sink` (none for FORGET,
  // BATCH_FORGET, INTERRUPT, NOTIFY_REPLY, and messages too short to answer), before
  // completing. Never throws for malformed input.
  asio::awaitable<void> Handle(std::span<const std::byte> message, std::span<std::byte> scratch,
                               FuseReplySink& sink);

  // Scratch bytes a transport provides per in-flight request: the largest READ.
  size_t ScratchSize() const { return options_.MaxRead(); }
  // Smallest read buffer for one request: header + WRITE header + the largest WRITE.
  size_t RequestBufferSize() const;

  bool initialized() const { return initialized_.load(std::memory_order_acquire); }
  // True once DESTROY was answered: the transport stops reading and tears down.
  bool destroyed() const { return destroyed_.load(std::memory_order_acquire); }
  // Negotiated INIT flags (64 bits, flags2 in the upper half); 0 before INIT.
  uint64_t negotiated_flags() const { return negotiated_flags_; }
  const FuseCounters& counters() const { return counters_; }
  const InodeTable& inodes() const { return inodes_; }
  const PassthroughFiles& passthrough() const { return passthrough_; }
  size_t open_dir_handles() const;

  // A change made through another mount of `served`: the node table follows it and the kernel
  // drops what it cached of the names and nodes involved (ServedMounts). Any thread.
  void ChangedElsewhere(const ServedMounts::Change& change) override;

 private:
  struct Request;
  struct DirHandle;
  using Handler = asio::awaitable<void> (FuseDispatcher::*)(const Request&);
  struct OpInfo {
    Handler handler = nullptr;
    const char* name = nullptr;
    uint32_t min_args = 0;
    bool replies = true;
  };
  static const std::array<OpInfo, abi::kOpcodeLimit>& OpTable();

  void Reply(const Request& req, int error, std::span<const iovec> body = {});
  void ReplyError(const Request& req, const Error& error);
  void ReplyMalformed(const Request& req);
  // The GETATTR / SETATTR reply: `attr` for the request's node, which now names attr.ino.
  void ReplyAttr(const Request& req, const fs::Attributes& attr);
  abi::EntryOut MakeEntry(const InodeTable::Entry& entry, const fs::Attributes& attr) const;
  // Answers a request that names a new or looked-up node at `path`: its entry (taking a lookup
  // reference) when `attr` holds attributes, else the error.
  void ReplyEntry(const Request& req, const std::string& path, const Result<fs::Attributes>& attr);
  abi::Attr ToAbiAttr(const fs::Attributes& attr, uint64_t nodeid) const;
  // The OPEN/CREATE reply of `handle` on `nodeid`: FOPEN_* flags from the mount options, or
  // passthrough (see PassthroughFiles) when negotiated and the fs has a backing file. A handle
  // open for writing bypasses the page cache (FOPEN_DIRECT_IO): the kernel puts the writer's
  // own pages in the WRITE requests instead of copying them into cache pages first (files are
  // written once: nobody reads those pages before the file completes). Shared mmap of such a
  // handle still works (FUSE_DIRECT_IO_ALLOW_MMAP). A read-only handle of a complete file keeps
  // the node's pages when they are of the same content (FOPEN_KEEP_CACHE; see KeptPages), and
  // the kernel's attributes of a node whose file was replaced are dropped before the reply.
  abi::OpenOut OpenReplyOf(uint64_t nodeid, fs::FileHandle handle, uint32_t open_flags);
  // `nodeid` was opened reading `content`: when the kernel's attributes of the node describe
  // another file (another id, or `replaced`), they are invalidated (FUSE_NOTIFY_INVAL_INODE)
  // and the node names content.id from now on.
  void ForgetReplacedAttributes(uint64_t nodeid, const fs::ContentVersion& content, bool replaced);
  // Tells the other mounts of served_ of a change made through this one.
  void TellOthers(ServedMounts::Change::Kind kind, const std::string& path,
                  const std::string& to = {});
  // FUSE_NOTIFY_INVAL_ENTRY of `path`'s name in its directory's node, if the kernel holds one.
  void InvalidateEntry(uint64_t parent, std::string_view path);

  asio::awaitable<void> DoInit(const Request& req);
  asio::awaitable<void> DoDestroy(const Request& req);
  asio::awaitable<void> DoLookup(const Request& req);
  asio::awaitable<void> DoForget(const Request& req);
  asio::awaitable<void> DoBatchForget(const Request& req);
  asio::awaitable<void> DoGetattr(const Request& req);
  asio::awaitable<void> DoSetattr(const Request& req);
  asio::awaitable<void> DoMkdir(const Request& req);
  asio::awaitable<void> DoSymlink(const Request& req);
  asio::awaitable<void> DoReadlink(const Request& req);
  asio::awaitable<void> DoUnlink(const Request& req);
  asio::awaitable<void> DoRmdir(const Request& req);
  asio::awaitable<void> DoRename(const Request& req);
  asio::awaitable<void> DoRename2(const Request& req);
  asio::awaitable<void> DoOpen(const Request& req);
  asio::awaitable<void> DoCreate(const Request& req);
  asio::awaitable<void> DoRead(const Request& req);
  asio::awaitable<void> DoWrite(const Request& req);
  asio::awaitable<void> DoFlush(const Request& req);
  asio::awaitable<void> DoRelease(const Request& req);
  asio::awaitable<void> DoFsync(const Request& req);
  asio::awaitable<void> DoOpendir(const Request& req);
  asio::awaitable<void> DoReaddir(const Request& req);
  asio::awaitable<void> DoReaddirplus(const Request& req);
  asio::awaitable<void> DoReleasedir(const Request& req);
  asio::awaitable<void> DoFsyncdir(const Request& req);
  asio::awaitable<void> DoStatfs(const Request& req);
  asio::awaitable<void> DoAccess(const Request& req);
  asio::awaitable<void> DoInterrupt(const Request& req);
  asio::awaitable<void> DoNotifyReply(const Request& req);

  asio::awaitable<void> RenameCommon(const Request& req, uint64_t newdir, uint32_t flags,
                                     std::string_view oldname, std::string_view newname);
  asio::awaitable<void> ReaddirCommon(const Request& req, bool plus);
  // A whole listing of `path` (`listed`: its names) ended: each name of it the kernel holds and
  // the listing lacks is dropped from the kernel (ServedMounts::ChangedHere, kGone).
  void ForgetUnlisted(const std::string& path, std::vector<std::string> listed);
  std::shared_ptr<DirHandle> FindDir(uint64_t fh) const;

  fs::FileSystem& fs_;
  const FuseOptions options_;
  InodeTable inodes_;
  PassthroughFiles passthrough_;
  KeptPages kept_pages_;
  KernelNotifier notifier_;
  ServedMounts* const served_;
  FuseCounters counters_;
  std::atomic<bool> initialized_{false};
  std::atomic<bool> destroyed_{false};
  uint64_t negotiated_flags_ = 0;  // written once by INIT before initialized_ is released

  mutable std::mutex dirs_mutex_;
  uint64_t next_dir_handle_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<DirHandle>> dirs_;
};

}  // namespace alluxio::fuse
