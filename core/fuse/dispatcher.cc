#include "core/fuse/dispatcher.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/common/logging.h"
#include "core/fuse/fuse_codec.h"
#include "core/fuse/fuse_init.h"
#include "core/fuse/unsupported_ops.h"

namespace alluxio::fuse {

namespace {

constexpr const char* kLog = "fuse";
constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxPathLength = 4095;
// Upper bound of entries asked from the file system per READDIR(PLUS) request.
constexpr uint32_t kMaxListBatch = 1024;
// st_ino shown by READDIR for an entry whose file system id is unknown (libfuse's choice).
constexpr uint64_t kUnknownIno = 0xffffffff;

uint32_t DirentType(uint32_t mode) { return (mode & S_IFMT) >> 12; }

}  // namespace

struct FuseDispatcher::Request {
  abi::InHeader header;
  std::span<const std::byte> args;
  std::span<std::byte> scratch;
  FuseReplySink* sink;
};

struct FuseDispatcher::DirHandle {
  uint64_t nodeid = 0;
  uint64_t self_ino = 0;    // st_ino of the directory, for "."
  uint64_t parent_ino = 0;  // st_ino of its parent, for ".."
  // While the listing is read in order from its start (with a ServedMounts to deliver what it
  // shows): the names listed so far and the offset after the last of them. Once it ended, the
  // names the kernel holds in the directory that it lacks were removed by another client.
  std::vector<std::string> listed;
  uint64_t listed_to = 0;  // 0: not read in order
};

namespace {

// The process a request comes from: the file system acts as it.
fs::Caller CallerOf(const abi::InHeader& header) {
  return fs::Caller{header.uid, header.gid, header.pid};
}

FuseOptions WithDevice(FuseOptions options, int device_fd) {
  options.passthrough = options.passthrough && device_fd >= 0;
  return options;
}

}  // namespace

FuseDispatcher::FuseDispatcher(fs::FileSystem& fs, FuseOptions options, int device_fd,
                               ServedMounts* served)
    : fs_(fs),
      options_(WithDevice(options, device_fd)),
      passthrough_(options_.passthrough ? device_fd : -1),
      notifier_(device_fd),
      served_(served) {}

FuseDispatcher::~FuseDispatcher() = default;

size_t FuseDispatcher::RequestBufferSize() const {
  return std::max<size_t>(abi::kMinReadBuffer,
                          sizeof(abi::InHeader) + sizeof(abi::WriteIn) + options_.MaxWrite());
}

size_t FuseDispatcher::open_dir_handles() const {
  std::lock_guard lock(dirs_mutex_);
  return dirs_.size();
}

const std::array<FuseDispatcher::OpInfo, abi::kOpcodeLimit>& FuseDispatcher::OpTable() {
  static const std::array<OpInfo, abi::kOpcodeLimit> table = [] {
    std::array<OpInfo, abi::kOpcodeLimit> t{};
    auto set = [&t](abi::Opcode op, Handler handler, const char* name, uint32_t min_args,
                    bool replies = true) {
      t[static_cast<uint32_t>(op)] = OpInfo{handler, name, min_args, replies};
    };
    using O = abi::Opcode;
    using D = FuseDispatcher;
    // Minimum sizes: the fixed struct, plus 1 byte for each NUL-terminated name.
    set(O::kInit, &D::DoInit, "INIT", abi::kCompatInitInSize);
    set(O::kDestroy, &D::DoDestroy, "DESTROY", 0);
    set(O::kLookup, &D::DoLookup, "LOOKUP", 2);
    set(O::kForget, &D::DoForget, "FORGET", sizeof(abi::ForgetIn), false);
    set(O::kBatchForget, &D::DoBatchForget, "BATCH_FORGET", sizeof(abi::BatchForgetIn), false);
    set(O::kGetattr, &D::DoGetattr, "GETATTR", sizeof(abi::GetattrIn));
    set(O::kSetattr, &D::DoSetattr, "SETATTR", sizeof(abi::SetattrIn));
    set(O::kMkdir, &D::DoMkdir, "MKDIR", sizeof(abi::MkdirIn) + 2);
    set(O::kSymlink, &D::DoSymlink, "SYMLINK", 4);
    set(O::kReadlink, &D::DoReadlink, "READLINK", 0);
    set(O::kUnlink, &D::DoUnlink, "UNLINK", 2);
    set(O::kRmdir, &D::DoRmdir, "RMDIR", 2);
    set(O::kRename, &D::DoRename, "RENAME", sizeof(abi::RenameIn) + 4);
    set(O::kRename2, &D::DoRename2, "RENAME2", sizeof(abi::Rename2In) + 4);
    set(O::kOpen, &D::DoOpen, "OPEN", sizeof(abi::OpenIn));
    set(O::kCreate, &D::DoCreate, "CREATE", sizeof(abi::CreateIn) + 2);
    set(O::kRead, &D::DoRead, "READ", sizeof(abi::ReadIn));
    set(O::kWrite, &D::DoWrite, "WRITE", sizeof(abi::WriteIn));
    set(O::kFlush, &D::DoFlush, "FLUSH", sizeof(abi::FlushIn));
    set(O::kRelease, &D::DoRelease, "RELEASE", sizeof(abi::ReleaseIn));
    set(O::kFsync, &D::DoFsync, "FSYNC", sizeof(abi::FsyncIn));
    set(O::kOpendir, &D::DoOpendir, "OPENDIR", sizeof(abi::OpenIn));
    set(O::kReaddir, &D::DoReaddir, "READDIR", sizeof(abi::ReadIn));
    set(O::kReaddirplus, &D::DoReaddirplus, "READDIRPLUS", sizeof(abi::ReadIn));
    set(O::kReleasedir, &D::DoReleasedir, "RELEASEDIR", sizeof(abi::ReleaseIn));
    set(O::kFsyncdir, &D::DoFsyncdir, "FSYNCDIR", sizeof(abi::FsyncIn));
    set(O::kStatfs, &D::DoStatfs, "STATFS", 0);
    set(O::kAccess, &D::DoAccess, "ACCESS", sizeof(abi::AccessIn));
    set(O::kInterrupt, &D::DoInterrupt, "INTERRUPT", sizeof(abi::InterruptIn), false);
    set(O::kNotifyReply, &D::DoNotifyReply, "NOTIFY_REPLY", 0, false);
    for (const UnsupportedOp& op : UnsupportedOps()) {
      // The unsupported table and the handlers are disjoint.
      if (t[static_cast<uint32_t>(op.opcode)].handler != nullptr) std::abort();
    }
    return t;
  }();
  return table;
}

asio::awaitable<void> FuseDispatcher::Handle(std::span<const std::byte> message,
                                             std::span<std::byte> scratch, FuseReplySink& sink) {
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  const ParsedRequest parsed = ParseRequest(message);
  if (parsed.status == ParsedRequest::Status::kDrop) {
    counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    ALX_LOG(kWarn, kLog, "dropped a {}-byte message shorter than a request header", message.size());
    co_return;
  }
  Request req{parsed.header, parsed.args, scratch, &sink};
  const uint32_t opcode = req.header.opcode;
  const OpInfo* info = opcode < abi::kOpcodeLimit ? &OpTable()[opcode] : nullptr;
  const bool replies = info == nullptr || info->handler == nullptr || info->replies;
  if (opcode < abi::kOpcodeLimit) {
    counters_.by_opcode[opcode].fetch_add(1, std::memory_order_relaxed);
  }

  if (parsed.status == ParsedRequest::Status::kInvalid) {
    ALX_LOG(kWarn, kLog,
            "request {} opcode {}: len {} (extensions {}) inconsistent with {} bytes received",
            req.header.unique, opcode, req.header.len, req.header.total_extlen * 8, message.size());
    if (replies) {
      ReplyMalformed(req);
    } else {
      counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    }
    co_return;
  }

  if (opcode != static_cast<uint32_t>(abi::Opcode::kInit) && !initialized()) {
    if (replies) Reply(req, EIO);
    co_return;
  }
  if (opcode == static_cast<uint32_t>(abi::Opcode::kInit) && initialized()) {
    Reply(req, EIO);
    co_return;
  }

  if (info == nullptr || info->handler == nullptr) {
    if (const UnsupportedOp* op = FindUnsupportedOp(opcode)) {
      const uint64_t seen = counters_.unsupported.fetch_add(1, std::memory_order_relaxed);
      if (seen == 0) {
        ALX_LOG(kInfo, kLog, "unsupported operation {} answered with errno {} ({})", op->name,
                op->error, op->what_applications_see);
      } else {
        ALX_LOG(kDebug, kLog, "unsupported operation {} answered with errno {}", op->name,
                op->error);
      }
      Reply(req, op->error);
    } else {
      const uint64_t seen = counters_.unknown.fetch_add(1, std::memory_order_relaxed);
      if (seen == 0) {
        ALX_LOG(kInfo, kLog, "unknown opcode {} answered with ENOSYS", opcode);
      } else {
        ALX_LOG(kDebug, kLog, "unknown opcode {} answered with ENOSYS", opcode);
      }
      Reply(req, ENOSYS);
    }
    co_return;
  }

  if (req.args.size() < info->min_args) {
    ALX_LOG(kWarn, kLog, "{} request {}: {} argument bytes, at least {} expected", info->name,
            req.header.unique, req.args.size(), info->min_args);
    if (replies) {
      ReplyMalformed(req);
    } else {
      counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    }
    co_return;
  }
  co_await (this->*(info->handler))(req);
}

void FuseDispatcher::Reply(const Request& req, int error, std::span<const iovec> body) {
  if (error != 0) counters_.errors.fetch_add(1, std::memory_order_relaxed);
  req.sink->Reply(req.header.unique, error, error == 0 ? body : std::span<const iovec>{});
}

void FuseDispatcher::ReplyError(const Request& req, const Error& error) {
  ALX_LOG(kDebug, kLog, "request {} opcode {}: {}", req.header.unique, req.header.opcode,
          error.ToString());
  Reply(req, ToErrno(error.code));
}

void FuseDispatcher::ReplyMalformed(const Request& req) {
  counters_.malformed.fetch_add(1, std::memory_order_relaxed);
  Reply(req, EINVAL);
}

abi::Attr FuseDispatcher::ToAbiAttr(const fs::Attributes& attr, uint64_t nodeid) const {
  abi::Attr out{};
  out.ino = attr.ino != 0 ? attr.ino : nodeid;
  out.size = attr.size;
  out.blocks = attr.blocks;
  out.atime = static_cast<uint64_t>(attr.atime.sec);
  out.mtime = static_cast<uint64_t>(attr.mtime.sec);
  out.ctime = static_cast<uint64_t>(attr.ctime.sec);
  out.atimensec = attr.atime.nsec;
  out.mtimensec = attr.mtime.nsec;
  out.ctimensec = attr.ctime.nsec;
  out.mode = attr.mode;
  out.nlink = attr.nlink;
  out.uid = attr.uid;
  out.gid = attr.gid;
  out.rdev = attr.rdev;
  out.blksize = attr.blksize;
  return out;
}

abi::EntryOut FuseDispatcher::MakeEntry(const InodeTable::Entry& entry,
                                        const fs::Attributes& attr) const {
  // A file this process is writing may yet be removed by this process (its write fails at
  // close): the kernel asks again before it trusts the name, as it does for the attributes.
  const Validity entry_valid = ToValidity(attr.changing ? 0 : options_.entry_timeout);
  const Validity attr_valid = ToValidity(attr.changing ? 0 : options_.attr_timeout);
  abi::EntryOut out{};
  out.nodeid = entry.nodeid;
  out.generation = entry.generation;
  out.entry_valid = entry_valid.sec;
  out.entry_valid_nsec = entry_valid.nsec;
  out.attr_valid = attr_valid.sec;
  out.attr_valid_nsec = attr_valid.nsec;
  out.attr = ToAbiAttr(attr, entry.nodeid);
  return out;
}

void FuseDispatcher::ReplyEntry(const Request& req, const std::string& path,
                                const Result<fs::Attributes>& attr) {
  if (!attr) {
    ReplyError(req, attr.error());
    return;
  }
  const abi::EntryOut out = MakeEntry(inodes_.Ref(path, attr->ino), *attr);
  Reply(req, 0, ReplyBody::Of(out).parts());
}

namespace {

// Resolves `name` under the directory at `parent`; an errno when it cannot be a path.
int ChildPath(const std::optional<std::string>& parent, std::string_view name, std::string* out) {
  if (!parent) return ENOENT;
  if (name.size() > kMaxNameLength) return ENAMETOOLONG;
  *out = JoinPath(*parent, name);
  if (out->size() > kMaxPathLength) return ENAMETOOLONG;
  return 0;
}

}  // namespace

// ---- Session ----

asio::awaitable<void> FuseDispatcher::DoInit(const Request& req) {
  const std::optional<abi::InitIn> in = DecodeInit(req.args);
  if (!in) {
    ReplyMalformed(req);
    co_return;
  }
  const InitReply init = NegotiateInit(*in, options_);
  switch (init.kind) {
    case InitReply::Kind::kRejected:
      ALX_LOG(kError, kLog, "kernel FUSE protocol {}.{} is not supported (need {}.{}+)", in->major,
              in->minor, abi::kKernelVersion, abi::kMinKernelMinorVersion);
      Reply(req, init.error);
      co_return;
    case InitReply::Kind::kRetry: {
      ReplyBody body;
      body.Add(&init.out, init.out_size);
      Reply(req, 0, body.parts());
      co_return;
    }
    case InitReply::Kind::kAccepted:
      break;
  }
  negotiated_flags_ = init.flags;
  initialized_.store(true, std::memory_order_release);
  ALX_LOG(kInfo, kLog,
          "INIT: kernel {}.{}, using 7.{}, flags {:#x}, max_write {}, max_pages {}, "
          "max_readahead {}",
          in->major, in->minor, init.minor, init.flags, init.out.max_write, init.out.max_pages,
          init.out.max_readahead);
  ReplyBody body;
  body.Add(&init.out, init.out_size);
  Reply(req, 0, body.parts());
}

asio::awaitable<void> FuseDispatcher::DoDestroy(const Request& req) {
  destroyed_.store(true, std::memory_order_release);
  ALX_LOG(kInfo, kLog, "DESTROY: the kernel ends the session");
  Reply(req, 0);
  co_return;
}

asio::awaitable<void> FuseDispatcher::DoInterrupt(const Request& req) {
  // Requests run to completion and are answered normally; the kernel accepts that answer for an
  // interrupted request. Nothing is replied to INTERRUPT itself.
  const std::optional<abi::InterruptIn> in = DecodeFixed<abi::InterruptIn>(req.args);
  counters_.interrupts.fetch_add(1, std::memory_order_relaxed);
  ALX_LOG(kDebug, kLog, "INTERRUPT of request {}", in ? in->unique : 0);
  co_return;
}

asio::awaitable<void> FuseDispatcher::DoNotifyReply(const Request& req) {
  // Answers a NOTIFY_RETRIEVE, which this server never sends.
  counters_.dropped.fetch_add(1, std::memory_order_relaxed);
  co_return;
}

// ---- Names and attributes ----

asio::awaitable<void> FuseDispatcher::DoLookup(const Request& req) {
  const std::optional<NameArgs> args = DecodeName(req.args);
  if (!args) {
    ReplyMalformed(req);
    co_return;
  }
  std::string path;
  if (int err = ChildPath(inodes_.PathOf(req.header.nodeid), args->name, &path)) {
    Reply(req, err);
    co_return;
  }
  Result<fs::Attributes> attr = co_await fs_.GetAttr(path, CallerOf(req.header));
  if (!attr && attr.code() == ErrorCode::kNotFound && options_.negative_timeout > 0) {
    // A negative entry: the kernel remembers the name is missing (no node, no reference).
    const Validity valid = ToValidity(options_.negative_timeout);
    abi::EntryOut out{};
    out.entry_valid = valid.sec;
    out.entry_valid_nsec = valid.nsec;
    Reply(req, 0, ReplyBody::Of(out).parts());
    co_return;
  }
  ReplyEntry(req, path, attr);
}

asio::awaitable<void> FuseDispatcher::DoForget(const Request& req) {
  const abi::ForgetIn in = *DecodeFixed<abi::ForgetIn>(req.args);  // size checked by the table
  inodes_.Forget(req.header.nodeid, in.nlookup);
  co_return;
}

asio::awaitable<void> FuseDispatcher::DoBatchForget(const Request& req) {
  const std::optional<BatchForgetArgs> args = DecodeBatchForget(req.args);
  if (!args) {
    counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    ALX_LOG(kWarn, kLog, "BATCH_FORGET {}: count exceeds the message; dropped", req.header.unique);
    co_return;
  }
  for (uint32_t i = 0; i < args->count; ++i) {
    const abi::ForgetOne one = args->At(i);
    inodes_.Forget(one.nodeid, one.nlookup);
  }
  co_return;
}

void FuseDispatcher::ReplyAttr(const Request& req, const fs::Attributes& attr) {
  inodes_.Answered(req.header.nodeid, attr.ino);
  const Validity valid = ToValidity(attr.changing ? 0 : options_.attr_timeout);
  abi::AttrOut out{};
  out.attr_valid = valid.sec;
  out.attr_valid_nsec = valid.nsec;
  out.attr = ToAbiAttr(attr, req.header.nodeid);
  Reply(req, 0, ReplyBody::Of(out).parts());
}

asio::awaitable<void> FuseDispatcher::DoGetattr(const Request& req) {
  const std::optional<std::string> path = inodes_.PathOf(req.header.nodeid);
  if (!path) {
    Reply(req, ENOENT);
    co_return;
  }
  Result<fs::Attributes> attr = co_await fs_.GetAttr(*path, CallerOf(req.header));
  if (!attr) {
    ReplyError(req, attr.error());
    co_return;
  }
  ReplyAttr(req, *attr);
}

asio::awaitable<void> FuseDispatcher::DoSetattr(const Request& req) {
  const abi::SetattrIn in = *DecodeFixed<abi::SetattrIn>(req.args);
  const std::optional<std::string> path = inodes_.PathOf(req.header.nodeid);
  if (!path) {
    Reply(req, ENOENT);
    co_return;
  }
  fs::SetAttrRequest change;
  if (in.valid & abi::kFattrMode) change.mode = in.mode & 07777;
  if (in.valid & abi::kFattrUid) change.uid = in.uid;
  if (in.valid & abi::kFattrGid) change.gid = in.gid;
  if (in.valid & abi::kFattrSize) change.size = in.size;
  using Kind = fs::SetAttrRequest::TimeKind;
  if (in.valid & abi::kFattrAtimeNow) {
    change.atime = fs::SetAttrRequest::TimeChange{Kind::kNow, {}};
  } else if (in.valid & abi::kFattrAtime) {
    change.atime = fs::SetAttrRequest::TimeChange{Kind::kGiven,
                                                  {static_cast<int64_t>(in.atime), in.atimensec}};
  }
  if (in.valid & abi::kFattrMtimeNow) {
    change.mtime = fs::SetAttrRequest::TimeChange{Kind::kNow, {}};
  } else if (in.valid & abi::kFattrMtime) {
    change.mtime = fs::SetAttrRequest::TimeChange{Kind::kGiven,
                                                  {static_cast<int64_t>(in.mtime), in.mtimensec}};
  }
  if (in.valid & abi::kFattrFh) change.handle = in.fh;
  Result<fs::Attributes> attr = co_await fs_.SetAttr(*path, change, CallerOf(req.header));
  if (!attr) {
    ReplyError(req, attr.error());
    co_return;
  }
  // A new size is new content (truncation to 0 replaces the file).
  TellOthers(
      change.size ? ServedMounts::Change::Kind::kReplaced : ServedMounts::Change::Kind::kAttributes,
      *path);
  ReplyAttr(req, *attr);
}

asio::awaitable<void> FuseDispatcher::DoAccess(const Request& req) {
  const abi::AccessIn in = *DecodeFixed<abi::AccessIn>(req.args);
  const std::optional<std::string> path = inodes_.PathOf(req.header.nodeid);
  if (!path) {
    Reply(req, ENOENT);
    co_return;
  }
  Status status = co_await fs_.Access(*path, in.mask, CallerOf(req.header));
  if (!status) {
    ReplyError(req, status.error());
    co_return;
  }
  Reply(req, 0);
}

asio::awaitable<void> FuseDispatcher::DoStatfs(const Request& req) {
  Result<fs::FsStats> stats = co_await fs_.StatFs();
  if (!stats) {
    ReplyError(req, stats.error());
    co_return;
  }
  abi::StatfsOut out{};
  out.st.blocks = stats->blocks;
  out.st.bfree = stats->bfree;
  out.st.bavail = stats->bavail;
  out.st.files = stats->files;
  out.st.ffree = stats->ffree;
  out.st.bsize = stats->bsize;
  out.st.frsize = stats->frsize;
  out.st.namelen = stats->namelen;
  Reply(req, 0, ReplyBody::Of(out).parts());
}

// ---- Namespace changes ----

asio::awaitable<void> FuseDispatcher::DoMkdir(const Request& req) {
  const std::optional<MkdirArgs> args = DecodeMkdir(req.args);
  if (!args) {
    ReplyMalformed(req);
    co_return;
  }
  std::string path;
  if (int err = ChildPath(inodes_.PathOf(req.header.nodeid), args->name, &path)) {
    Reply(req, err);
    co_return;
  }
  const fs::Caller caller = CallerOf(req.header);
  Result<fs::Attributes> attr = co_await fs_.Mkdir(path, args->in.mode & 07777, caller);
  if (attr) TellOthers(ServedMounts::Change::Kind::kCreated, path);
  ReplyEntry(req, path, attr);
}

asio::awaitable<void> FuseDispatcher::DoSymlink(const Request& req) {
  const std::optional<SymlinkArgs> args = DecodeSymlink(req.args);
  if (!args) {
    ReplyMalformed(req);
    co_return;
  }
  std::string path;
  if (int err = ChildPath(inodes_.PathOf(req.header.nodeid), args->name, &path)) {
    Reply(req, err);
    co_return;
  }
  if (args->target.size() > kMaxPathLength) {
    Reply(req, ENAMETOOLONG);
    co_return;
  }
  std::string target(args->target);
  const fs::Caller caller = CallerOf(req.header);
  Result<fs::Attributes> attr = co_await fs_.Symlink(path, target, caller);
  if (attr) TellOthers(ServedMounts::Change::Kind::kCreated, path);
  ReplyEntry(req, path, attr);
}

asio::awaitable<void> FuseDispatcher::DoReadlink(const Request& req) {
  const std::optional<std::string> path = inodes_.PathOf(req.header.nodeid);
  if (!path) {
    Reply(req, ENOENT);
    co_return;
  }
  Result<std::string> target = co_await fs_.ReadLink(*path, CallerOf(req.header));
  if (!target) {
    ReplyError(req, target.error());
    co_return;
  }
  ReplyBody body;  // the target's bytes, without a NUL
  body.Add(target->data(), target->size());
  Reply(req, 0, body.parts());
}

asio::awaitable<void> FuseDispatcher::DoUnlink(const Request& req) {
  const std::optional<NameArgs> args = DecodeName(req.args);
  if (!args) {
    ReplyMalformed(req);
    co_return;
  }
  std::string path;
  if (int err = ChildPath(inodes_.PathOf(req.header.nodeid), args->name, &path)) {
    Reply(req, err);
    co_return;
  }
  Status status = co_await fs_.Unlink(path, CallerOf(req.header));
  if (!status) {
    ReplyError(req, status.error());
    co_return;
  }
  inodes_.Detach(path);
  TellOthers(ServedMounts::Change::Kind::kRemoved, path);
  Reply(req, 0);
}

asio::awaitable<void> FuseDispatcher::DoRmdir(const Request& req) {
  const std::optional<NameArgs> args = DecodeName(req.args);
  if (!args) {
    ReplyMalformed(req);
    co_return;
  }
  std::string path;
  if (int err = ChildPath(inodes_.PathOf(req.header.nodeid), args->name, &path)) {
    Reply(req, err);
    co_return;
  }
  Status status = co_await fs_.Rmdir(path, CallerOf(req.header));
  if (!status) {
    ReplyError(req, status.error());
    co_return;
  }
  inodes_.Detach(path);
  TellOthers(ServedMounts::Change::Kind::kRemoved, path);
  Reply(req, 0);
}

asio::awaitable<void> FuseDispatcher::DoRename(const Request& req) {
  const std::optional<RenameArgs> args = DecodeRename(req.args);
  if (!args) {
    ReplyMalformed(req);
    co_return;
  }
  co_await RenameCommon(req, args->newdir, 0, args->oldname, args->newname);
}

asio::awaitable<void> FuseDispatcher::DoRename2(const Request& req) {
  const std::optional<RenameArgs> args = DecodeRename2(req.args);
  if (!args) {
    ReplyMalformed(req);
    co_return;
  }
  co_await RenameCommon(req, args->newdir, args->flags, args->oldname, args->newname);
}

asio::awaitable<void> FuseDispatcher::RenameCommon(const Request& req, uint64_t newdir,
                                                   uint32_t flags, std::string_view oldname,
                                                   std::string_view newname) {
  fs::RenameMode mode;
  if (flags == 0) {
    mode = fs::RenameMode::kReplace;
  } else if (flags == abi::kRenameNoreplace) {
    mode = fs::RenameMode::kNoReplace;
  } else if (flags == abi::kRenameExchange) {
    mode = fs::RenameMode::kExchange;
  } else {
    // RENAME_WHITEOUT (overlayfs), unknown bits, or NOREPLACE|EXCHANGE together.
    Reply(req, EINVAL);
    co_return;
  }
  std::string from;
  std::string to;
  if (int err = ChildPath(inodes_.PathOf(req.header.nodeid), oldname, &from)) {
    Reply(req, err);
    co_return;
  }
  if (int err = ChildPath(inodes_.PathOf(newdir), newname, &to)) {
    Reply(req, err);
    co_return;
  }
  Status status = co_await fs_.Rename(from, to, mode, CallerOf(req.header));
  if (!status) {
    ReplyError(req, status.error());
    co_return;
  }
  if (mode == fs::RenameMode::kExchange) {
    inodes_.Exchange(from, to);
    TellOthers(ServedMounts::Change::Kind::kExchanged, from, to);
  } else {
    inodes_.Move(from, to);
    TellOthers(ServedMounts::Change::Kind::kRenamed, from, to);
  }
  Reply(req, 0);
}

// ---- Files ----

abi::OpenOut FuseDispatcher::OpenReplyOf(uint64_t nodeid, fs::FileHandle handle,
                                         uint32_t open_flags) {
  abi::OpenOut out{};
  out.fh = handle;
  const bool read_only = (open_flags & O_ACCMODE) == O_RDONLY;
  bool direct_io = options_.direct_io || !read_only;
  const std::optional<fs::ContentVersion> content =
      read_only ? fs_.ContentOf(handle) : std::nullopt;
  // A read-only handle has nothing to flush: close(2) needs no FLUSH round trip.
  const uint32_t noflush = read_only ? abi::kFopenNoflush : 0U;
  if ((negotiated_flags_ & abi::kPassthrough) != 0) {
    // A writer's backing file: the file it writes in place (the kernel writes it itself).
    const int backing_fd = fs_.BackingFile(handle);
    const PassthroughFiles::OpenReply pt =
        passthrough_.Opened(nodeid, handle, backing_fd, !direct_io);
    if (pt.open_flags != 0) {
      // Passthrough admits no other flags but these (no FOPEN_KEEP_CACHE): the kernel reads
      // the backing file through that file's own page cache.
      if (content) ForgetReplacedAttributes(nodeid, *content, false);
      out.open_flags = pt.open_flags | noflush;
      out.backing_id = pt.backing_id;
      return out;
    }
  }
  if (!direct_io) {
    const KeptPages::OpenReply kept = kept_pages_.Opened(nodeid, handle, content);
    direct_io = kept.direct_io;
    if (kept.keep_cache) out.open_flags |= abi::kFopenKeepCache;
    if (content) ForgetReplacedAttributes(nodeid, *content, kept.replaced);
  }
  if (direct_io) out.open_flags |= abi::kFopenDirectIo;
  // kernel_cache: pages are kept whatever the file. auto_cache: the kernel itself drops them
  // when it sees the size or mtime change (FUSE_AUTO_INVAL_DATA, negotiated at INIT).
  if (options_.kernel_cache || options_.auto_cache) out.open_flags |= abi::kFopenKeepCache;
  out.open_flags |= noflush;
  return out;
}

void FuseDispatcher::ForgetReplacedAttributes(uint64_t nodeid, const fs::ContentVersion& content,
                                              bool replaced) {
  const uint64_t known = inodes_.FsInoOf(nodeid);
  if (!replaced && (known == 0 || known == content.id)) return;
  // Before the reply: the opener then reads with the size of the file it opened.
  if (int err = notifier_.InvalidateAttributes(nodeid)) {
    ALX_LOG(kWarn, kLog, "FUSE_NOTIFY_INVAL_INODE of node {} failed: {}", nodeid,
            std::strerror(err));
  }
  inodes_.Answered(nodeid, content.id);
}

void FuseDispatcher::TellOthers(ServedMounts::Change::Kind kind, const std::string& path,
                                const std::string& to) {
  if (served_ != nullptr) served_->Changed(this, ServedMounts::Change{kind, path, to});
}

void FuseDispatcher::InvalidateEntry(uint64_t parent, std::string_view path) {
  if (parent == 0) return;  // no node of the directory: the kernel holds no entry in it
  if (int err = notifier_.InvalidateEntry(parent, SplitPath(path).second)) {
    ALX_LOG(kWarn, kLog, "FUSE_NOTIFY_INVAL_ENTRY of {} failed: {}", path, std::strerror(err));
  }
}

void FuseDispatcher::ChangedElsewhere(const ServedMounts::Change& change) {
  using Kind = ServedMounts::Change::Kind;
  const bool two_names = change.kind == Kind::kRenamed || change.kind == Kind::kExchanged;
  // Node ids before the table moves or detaches them.
  const uint64_t parent = inodes_.NodeOf(SplitPath(change.path).first);
  const uint64_t node = inodes_.NodeOf(change.path);
  const uint64_t to_parent = two_names ? inodes_.NodeOf(SplitPath(change.to).first) : 0;
  switch (change.kind) {
    case Kind::kRemoved:
      inodes_.Detach(change.path);
      break;
    case Kind::kRenamed:
      inodes_.Move(change.path, change.to);
      break;
    case Kind::kExchanged:
      inodes_.Exchange(change.path, change.to);
      break;
    case Kind::kCreated:
    case Kind::kReplaced:
    case Kind::kAttributes:
    case Kind::kGone:  // the kernel asks again; what it holds open keeps its node
      break;
  }
  // The node's attributes for handles open on it (fstat); a path's next use looks its name up.
  if (node != 0 && (change.kind == Kind::kReplaced || change.kind == Kind::kAttributes)) {
    if (int err = notifier_.InvalidateAttributes(node)) {
      ALX_LOG(kWarn, kLog, "FUSE_NOTIFY_INVAL_INODE of {} failed: {}", change.path,
              std::strerror(err));
    }
  }
  if (change.kind != Kind::kAttributes) InvalidateEntry(parent, change.path);
  if (two_names) InvalidateEntry(to_parent, change.to);
}

asio::awaitable<void> FuseDispatcher::DoOpen(const Request& req) {
  const abi::OpenIn in = *DecodeFixed<abi::OpenIn>(req.args);
  const std::optional<std::string> path = inodes_.PathOf(req.header.nodeid);
  if (!path) {
    Reply(req, ENOENT);
    co_return;
  }
  Result<fs::FileHandle> handle =
      co_await fs_.Open(*path, static_cast<int>(in.flags), CallerOf(req.header));
  if (!handle) {
    ReplyError(req, handle.error());
    co_return;
  }
  const abi::OpenOut out = OpenReplyOf(req.header.nodeid, *handle, in.flags);
  Reply(req, 0, ReplyBody::Of(out).parts());
}

asio::awaitable<void> FuseDispatcher::DoCreate(const Request& req) {
  const std::optional<CreateArgs> args = DecodeCreate(req.args);
  if (!args) {
    ReplyMalformed(req);
    co_return;
  }
  std::string path;
  if (int err = ChildPath(inodes_.PathOf(req.header.nodeid), args->name, &path)) {
    Reply(req, err);
    co_return;
  }
  const fs::Caller caller = CallerOf(req.header);
  Result<fs::CreatedFile> created =
      co_await fs_.Create(path, args->in.mode & 07777, static_cast<int>(args->in.flags), caller);
  if (!created) {
    ReplyError(req, created.error());
    co_return;
  }
  TellOthers(ServedMounts::Change::Kind::kCreated, path);
  const abi::EntryOut entry = MakeEntry(inodes_.Ref(path, created->attr.ino), created->attr);
  const abi::OpenOut open = OpenReplyOf(entry.nodeid, created->handle, args->in.flags);
  ReplyBody body;
  body.Add(&entry, sizeof(entry));
  body.Add(&open, sizeof(open));
  Reply(req, 0, body.parts());
}

asio::awaitable<void> FuseDispatcher::DoRead(const Request& req) {
  const abi::ReadIn in = *DecodeFixed<abi::ReadIn>(req.args);
  if (in.size > req.scratch.size()) {
    ALX_LOG(kWarn, kLog, "READ {}: {} bytes asked, {} negotiated", req.header.unique, in.size,
            req.scratch.size());
    ReplyMalformed(req);
    co_return;
  }
  Result<size_t> n = co_await fs_.Read(in.fh, in.offset, req.scratch.first(in.size));
  if (!n) {
    ReplyError(req, n.error());
    co_return;
  }
  ReplyBody body;
  body.Add(req.scratch.data(), std::min<size_t>(*n, in.size));
  Reply(req, 0, body.parts());
}

asio::awaitable<void> FuseDispatcher::DoWrite(const Request& req) {
  const std::optional<WriteArgs> args = DecodeWrite(req.args);
  if (!args) {
    ALX_LOG(kWarn, kLog, "WRITE {}: payload does not match its size field", req.header.unique);
    ReplyMalformed(req);
    co_return;
  }
  if (args->in.write_flags & abi::kWriteKillSuidgid) {
    Status killed = co_await fs_.KillSetId(args->in.fh);
    if (!killed) {
      ReplyError(req, killed.error());
      co_return;
    }
  }
  Result<size_t> n = co_await fs_.Write(args->in.fh, args->in.offset, args->data);
  if (!n) {
    ReplyError(req, n.error());
    co_return;
  }
  abi::WriteOut out{};
  out.size = static_cast<uint32_t>(*n);
  Reply(req, 0, ReplyBody::Of(out).parts());
}

asio::awaitable<void> FuseDispatcher::DoFlush(const Request& req) {
  const abi::FlushIn in = *DecodeFixed<abi::FlushIn>(req.args);
  Status status = co_await fs_.Flush(in.fh, CallerOf(req.header));
  if (!status) {
    ReplyError(req, status.error());
    co_return;
  }
  // Only handles open for writing are flushed (FOPEN_NOFLUSH): the FLUSH that ends a writer's
  // use completes its file, which replaces what the name showed.
  if (served_ != nullptr) {
    if (std::optional<std::string> path = inodes_.PathOf(req.header.nodeid)) {
      TellOthers(ServedMounts::Change::Kind::kReplaced, *path);
    }
  }
  Reply(req, 0);
}

asio::awaitable<void> FuseDispatcher::DoFsync(const Request& req) {
  const abi::FsyncIn in = *DecodeFixed<abi::FsyncIn>(req.args);
  Status status = co_await fs_.Fsync(in.fh, (in.fsync_flags & abi::kFsyncFdatasync) != 0);
  if (!status) {
    ReplyError(req, status.error());
    co_return;
  }
  Reply(req, 0);
}

asio::awaitable<void> FuseDispatcher::DoRelease(const Request& req) {
  const abi::ReleaseIn in = *DecodeFixed<abi::ReleaseIn>(req.args);
  Status status = co_await fs_.Release(in.fh);
  passthrough_.Released(in.fh);
  kept_pages_.Released(in.fh);
  // A writer not completed by a FLUSH is completed (or removed, when its write failed) here.
  if (served_ != nullptr && (in.flags & O_ACCMODE) != O_RDONLY) {
    if (std::optional<std::string> path = inodes_.PathOf(req.header.nodeid)) {
      TellOthers(ServedMounts::Change::Kind::kReplaced, *path);
    }
  }
  if (!status) {
    ALX_LOG(kWarn, kLog, "release of handle {} failed: {}", in.fh, status.error().ToString());
    ReplyError(req, status.error());
    co_return;
  }
  Reply(req, 0);
}

// ---- Directories ----

std::shared_ptr<FuseDispatcher::DirHandle> FuseDispatcher::FindDir(uint64_t fh) const {
  std::lock_guard lock(dirs_mutex_);
  auto it = dirs_.find(fh);
  return it == dirs_.end() ? nullptr : it->second;
}

asio::awaitable<void> FuseDispatcher::DoOpendir(const Request& req) {
  const std::optional<std::string> path = inodes_.PathOf(req.header.nodeid);
  if (!path) {
    Reply(req, ENOENT);
    co_return;
  }
  Result<fs::Attributes> attr = co_await fs_.GetAttr(*path, CallerOf(req.header));
  if (!attr) {
    ReplyError(req, attr.error());
    co_return;
  }
  if ((attr->mode & S_IFMT) != S_IFDIR) {
    Reply(req, ENOTDIR);
    co_return;
  }
  auto handle = std::make_shared<DirHandle>();
  handle->nodeid = req.header.nodeid;
  handle->self_ino = attr->ino != 0 ? attr->ino : req.header.nodeid;
  handle->parent_ino = handle->self_ino;
  if (*path != "/") {
    const std::string parent(SplitPath(*path).first);
    Result<fs::Attributes> parent_attr = co_await fs_.GetAttr(parent, CallerOf(req.header));
    if (parent_attr && parent_attr->ino != 0) handle->parent_ino = parent_attr->ino;
  }
  abi::OpenOut out{};
  {
    std::lock_guard lock(dirs_mutex_);
    out.fh = next_dir_handle_++;
    dirs_.emplace(out.fh, std::move(handle));
  }
  Reply(req, 0, ReplyBody::Of(out).parts());
}

asio::awaitable<void> FuseDispatcher::DoReleasedir(const Request& req) {
  const abi::ReleaseIn in = *DecodeFixed<abi::ReleaseIn>(req.args);
  size_t erased;
  {
    std::lock_guard lock(dirs_mutex_);
    erased = dirs_.erase(in.fh);
  }
  Reply(req, erased == 1 ? 0 : EBADF);
  co_return;
}

asio::awaitable<void> FuseDispatcher::DoFsyncdir(const Request& req) {
  const abi::FsyncIn in = *DecodeFixed<abi::FsyncIn>(req.args);
  // Directory changes are durable when their operation returns (the master syncs each one).
  Reply(req, FindDir(in.fh) != nullptr ? 0 : EBADF);
  co_return;
}

asio::awaitable<void> FuseDispatcher::DoReaddir(const Request& req) {
  co_await ReaddirCommon(req, false);
}

asio::awaitable<void> FuseDispatcher::DoReaddirplus(const Request& req) {
  co_await ReaddirCommon(req, true);
}

// Offsets: "." is at 0 (next 1), ".." at 1 (next 2), the file system's entry i at i + 2
// (next i + 3). An offset past the end yields an empty reply, which ends the listing.
asio::awaitable<void> FuseDispatcher::ReaddirCommon(const Request& req, bool plus) {
  const abi::ReadIn in = *DecodeFixed<abi::ReadIn>(req.args);
  const std::shared_ptr<DirHandle> dir = FindDir(in.fh);
  if (dir == nullptr) {
    Reply(req, EBADF);
    co_return;
  }
  const std::optional<std::string> path = inodes_.PathOf(dir->nodeid);
  if (!path) {
    Reply(req, ENOENT);
    co_return;
  }
  const size_t capacity = std::min<size_t>(in.size, req.scratch.size());
  DirentPacker packer(req.scratch.first(capacity), plus);
  auto reply_packed = [this, &req, &packer] {
    ReplyBody body;
    body.Add(packer.bytes().data(), packer.size());
    Reply(req, 0, body.parts());
  };
  const abi::EntryOut no_entry{};  // nodeid 0: the kernel takes no reference for dot entries
  uint64_t offset = in.offset;
  if (offset == 0 && served_ != nullptr) {
    dir->listed.clear();
    dir->listed_to = 2;
  }
  if (offset == 0) {
    if (!packer.Add(".", dir->self_ino, DirentType(S_IFDIR), 1, &no_entry)) {
      reply_packed();  // a buffer too small for one entry: an empty reply
      co_return;
    }
    offset = 1;
  }
  if (offset == 1) {
    if (!packer.Add("..", dir->parent_ino, DirentType(S_IFDIR), 2, &no_entry)) {
      reply_packed();
      co_return;
    }
    offset = 2;
  }
  const size_t min_record = packer.RecordSize("x");
  const size_t room = capacity - packer.size();
  const auto want =
      static_cast<uint32_t>(std::clamp<size_t>(room / min_record + 1, 1, kMaxListBatch));
  Result<std::vector<fs::DirEntry>> entries =
      co_await fs_.ListDir(*path, offset - 2, want, CallerOf(req.header));
  if (!entries) {
    ReplyError(req, entries.error());
    co_return;
  }
  const bool in_order = dir->listed_to == offset;
  bool all_packed = true;
  uint64_t next = offset + 1;
  for (const fs::DirEntry& entry : *entries) {
    if (!IsValidName(entry.name) || entry.name.size() > kMaxNameLength) {
      ALX_LOG(kWarn, kLog, "{}: skipping entry with an unusable name", *path);
      ++next;  // keep the offsets of later entries stable
      continue;
    }
    if (!packer.Fits(entry.name)) {
      all_packed = false;
      break;
    }
    if (in_order) dir->listed.push_back(entry.name);
    const uint32_t type = DirentType(entry.attr.mode);
    if (plus) {
      const abi::EntryOut out =
          MakeEntry(inodes_.Ref(JoinPath(*path, entry.name), entry.attr.ino), entry.attr);
      packer.Add(entry.name, out.attr.ino, type, next, &out);
    } else {
      packer.Add(entry.name, entry.attr.ino != 0 ? entry.attr.ino : kUnknownIno, type, next,
                 nullptr);
    }
    ++next;
  }
  if (in_order && all_packed && entries->size() < want) {
    ForgetUnlisted(*path, std::move(dir->listed));
    dir->listed_to = 0;
  } else {
    dir->listed_to = in_order ? next - 1 : 0;
  }
  reply_packed();
}

void FuseDispatcher::ForgetUnlisted(const std::string& path, std::vector<std::string> listed) {
  std::sort(listed.begin(), listed.end());
  for (const std::string& name : inodes_.ChildNames(path)) {
    if (std::binary_search(listed.begin(), listed.end(), name)) continue;
    served_->ChangedHere(
        this, ServedMounts::Change{ServedMounts::Change::Kind::kGone, JoinPath(path, name), {}});
  }
}

}  // namespace alluxio::fuse
