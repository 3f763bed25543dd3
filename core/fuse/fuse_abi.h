// The kernel FUSE protocol as this project speaks it: opcodes, flag bits and wire structs up to
// protocol 7.44 (fuse-over-io_uring 7.42, passthrough 7.40, request timeouts 7.43), declared here
// because the system <linux/fuse.h> is older (7.38). Layouts follow the kernel's
// include/uapi/linux/fuse.h; every struct size is pinned by a static_assert so a typo cannot
// silently change the wire format. Native byte order, no padding surprises: every struct is a
// multiple of 8 bytes except where the kernel says otherwise.
//
// Reading structs out of a byte buffer: use memcpy (see fuse_codec.h), never reinterpret_cast a
// buffer that may be unaligned.
#pragma once

#include <sys/ioctl.h>

#include <cstddef>
#include <cstdint>

namespace alluxio::fuse::abi {

inline constexpr uint32_t kKernelVersion = 7;
// The highest minor version whose structs are all declared below.
inline constexpr uint32_t kKernelMinorVersion = 44;
// The oldest kernel minor the server accepts (Linux 5.10): every struct below has its final
// size from 7.31 on, except those noted (init_in grows at 7.36, setxattr_in depends on a flag).
inline constexpr uint32_t kMinKernelMinorVersion = 31;

inline constexpr uint64_t kRootId = 1;
inline constexpr uint32_t kMinReadBuffer = 8192;

enum class Opcode : uint32_t {
  kLookup = 1,
  kForget = 2,  // no reply
  kGetattr = 3,
  kSetattr = 4,
  kReadlink = 5,
  kSymlink = 6,
  kMknod = 8,
  kMkdir = 9,
  kUnlink = 10,
  kRmdir = 11,
  kRename = 12,
  kLink = 13,
  kOpen = 14,
  kRead = 15,
  kWrite = 16,
  kStatfs = 17,
  kRelease = 18,
  kFsync = 20,
  kSetxattr = 21,
  kGetxattr = 22,
  kListxattr = 23,
  kRemovexattr = 24,
  kFlush = 25,
  kInit = 26,
  kOpendir = 27,
  kReaddir = 28,
  kReleasedir = 29,
  kFsyncdir = 30,
  kGetlk = 31,
  kSetlk = 32,
  kSetlkw = 33,
  kAccess = 34,
  kCreate = 35,
  kInterrupt = 36,  // no reply (except EAGAIN)
  kBmap = 37,
  kDestroy = 38,
  kIoctl = 39,
  kPoll = 40,
  kNotifyReply = 41,
  kBatchForget = 42,  // no reply
  kFallocate = 43,
  kReaddirplus = 44,
  kRename2 = 45,
  kLseek = 46,
  kCopyFileRange = 47,
  kSetupmapping = 48,
  kRemovemapping = 49,
  kSyncfs = 50,
  kTmpfile = 51,
  kStatx = 52,
  kCuseInit = 4096,
};
// Opcodes are dense below this bound (CUSE excluded); dispatch tables are indexed by opcode.
inline constexpr uint32_t kOpcodeLimit = 53;

// INIT flags (fuse_init_in/out.flags, and bits 32..63 in flags2).
inline constexpr uint64_t kAsyncRead = 1ULL << 0;
inline constexpr uint64_t kPosixLocks = 1ULL << 1;
inline constexpr uint64_t kFileOps = 1ULL << 2;
inline constexpr uint64_t kAtomicOTrunc = 1ULL << 3;
inline constexpr uint64_t kExportSupport = 1ULL << 4;
inline constexpr uint64_t kBigWrites = 1ULL << 5;
inline constexpr uint64_t kDontMask = 1ULL << 6;
inline constexpr uint64_t kSpliceWrite = 1ULL << 7;
inline constexpr uint64_t kSpliceMove = 1ULL << 8;
inline constexpr uint64_t kSpliceRead = 1ULL << 9;
inline constexpr uint64_t kFlockLocks = 1ULL << 10;
inline constexpr uint64_t kHasIoctlDir = 1ULL << 11;
inline constexpr uint64_t kAutoInvalData = 1ULL << 12;
inline constexpr uint64_t kDoReaddirplus = 1ULL << 13;
inline constexpr uint64_t kReaddirplusAuto = 1ULL << 14;
inline constexpr uint64_t kAsyncDio = 1ULL << 15;
inline constexpr uint64_t kWritebackCache = 1ULL << 16;
inline constexpr uint64_t kNoOpenSupport = 1ULL << 17;
inline constexpr uint64_t kParallelDirops = 1ULL << 18;
inline constexpr uint64_t kHandleKillpriv = 1ULL << 19;
inline constexpr uint64_t kPosixAcl = 1ULL << 20;
inline constexpr uint64_t kAbortError = 1ULL << 21;
inline constexpr uint64_t kMaxPages = 1ULL << 22;
inline constexpr uint64_t kCacheSymlinks = 1ULL << 23;
inline constexpr uint64_t kNoOpendirSupport = 1ULL << 24;
inline constexpr uint64_t kExplicitInvalData = 1ULL << 25;
inline constexpr uint64_t kMapAlignment = 1ULL << 26;
inline constexpr uint64_t kSubmounts = 1ULL << 27;
inline constexpr uint64_t kHandleKillprivV2 = 1ULL << 28;
inline constexpr uint64_t kSetxattrExt = 1ULL << 29;
inline constexpr uint64_t kInitExt = 1ULL << 30;
inline constexpr uint64_t kInitReserved = 1ULL << 31;
inline constexpr uint64_t kSecurityCtx = 1ULL << 32;
inline constexpr uint64_t kHasInodeDax = 1ULL << 33;
inline constexpr uint64_t kCreateSuppGroup = 1ULL << 34;
inline constexpr uint64_t kHasExpireOnly = 1ULL << 35;
inline constexpr uint64_t kDirectIoAllowMmap = 1ULL << 36;
inline constexpr uint64_t kPassthrough = 1ULL << 37;
inline constexpr uint64_t kNoExportSupport = 1ULL << 38;
inline constexpr uint64_t kHasResend = 1ULL << 39;
inline constexpr uint64_t kAllowIdmap = 1ULL << 40;
inline constexpr uint64_t kOverIoUring = 1ULL << 41;
inline constexpr uint64_t kRequestTimeout = 1ULL << 42;

// fuse_setattr_in.valid
inline constexpr uint32_t kFattrMode = 1U << 0;
inline constexpr uint32_t kFattrUid = 1U << 1;
inline constexpr uint32_t kFattrGid = 1U << 2;
inline constexpr uint32_t kFattrSize = 1U << 3;
inline constexpr uint32_t kFattrAtime = 1U << 4;
inline constexpr uint32_t kFattrMtime = 1U << 5;
inline constexpr uint32_t kFattrFh = 1U << 6;
inline constexpr uint32_t kFattrAtimeNow = 1U << 7;
inline constexpr uint32_t kFattrMtimeNow = 1U << 8;
inline constexpr uint32_t kFattrLockowner = 1U << 9;
inline constexpr uint32_t kFattrCtime = 1U << 10;
inline constexpr uint32_t kFattrKillSuidgid = 1U << 11;

// fuse_open_out.open_flags
inline constexpr uint32_t kFopenDirectIo = 1U << 0;
inline constexpr uint32_t kFopenKeepCache = 1U << 1;
inline constexpr uint32_t kFopenNonseekable = 1U << 2;
inline constexpr uint32_t kFopenCacheDir = 1U << 3;
inline constexpr uint32_t kFopenStream = 1U << 4;
inline constexpr uint32_t kFopenNoflush = 1U << 5;
inline constexpr uint32_t kFopenParallelDirectWrites = 1U << 6;
inline constexpr uint32_t kFopenPassthrough = 1U << 7;

inline constexpr uint32_t kReleaseFlush = 1U << 0;
inline constexpr uint32_t kReleaseFlockUnlock = 1U << 1;
inline constexpr uint32_t kGetattrFh = 1U << 0;
inline constexpr uint32_t kWriteCache = 1U << 0;
inline constexpr uint32_t kWriteLockowner = 1U << 1;
inline constexpr uint32_t kWriteKillSuidgid = 1U << 2;
inline constexpr uint32_t kReadLockowner = 1U << 1;
inline constexpr uint32_t kFsyncFdatasync = 1U << 0;
inline constexpr uint32_t kOpenKillSuidgid = 1U << 0;

// RENAME2 flags (the same values as renameat2's RENAME_*).
inline constexpr uint32_t kRenameNoreplace = 1U << 0;
inline constexpr uint32_t kRenameExchange = 1U << 1;
inline constexpr uint32_t kRenameWhiteout = 1U << 2;

struct Attr {
  uint64_t ino;
  uint64_t size;
  uint64_t blocks;
  uint64_t atime;
  uint64_t mtime;
  uint64_t ctime;
  uint32_t atimensec;
  uint32_t mtimensec;
  uint32_t ctimensec;
  uint32_t mode;
  uint32_t nlink;
  uint32_t uid;
  uint32_t gid;
  uint32_t rdev;
  uint32_t blksize;
  uint32_t flags;
};

struct Kstatfs {
  uint64_t blocks;
  uint64_t bfree;
  uint64_t bavail;
  uint64_t files;
  uint64_t ffree;
  uint32_t bsize;
  uint32_t namelen;
  uint32_t frsize;
  uint32_t padding;
  uint32_t spare[6];
};

struct FileLock {
  uint64_t start;
  uint64_t end;
  uint32_t type;
  uint32_t pid;
};

struct InHeader {
  uint32_t len;  // whole message, this header included
  uint32_t opcode;
  uint64_t unique;
  uint64_t nodeid;
  uint32_t uid;
  uint32_t gid;
  uint32_t pid;
  uint16_t total_extlen;  // extensions at the end of the message, in 8-byte units
  uint16_t padding;
};

struct OutHeader {
  uint32_t len;   // whole reply, this header included
  int32_t error;  // 0 or a negative errno
  uint64_t unique;
};

struct InitIn {
  uint32_t major;
  uint32_t minor;
  uint32_t max_readahead;
  uint32_t flags;
  uint32_t flags2;  // from 7.36, valid with kInitExt
  uint32_t unused[11];
};
inline constexpr size_t kCompatInitInSize = 16;  // before 7.36

struct InitOut {
  uint32_t major;
  uint32_t minor;
  uint32_t max_readahead;
  uint32_t flags;
  uint16_t max_background;
  uint16_t congestion_threshold;
  uint32_t max_write;
  uint32_t time_gran;
  uint16_t max_pages;
  uint16_t map_alignment;
  uint32_t flags2;
  uint32_t max_stack_depth;  // 7.40, with kPassthrough
  uint16_t request_timeout;  // 7.43, seconds, with kRequestTimeout
  uint16_t unused[11];
};
inline constexpr size_t kCompatInitOutSize = 8;

struct EntryOut {
  uint64_t nodeid;
  uint64_t generation;  // nodeid:generation is unique for the file system's lifetime
  uint64_t entry_valid;
  uint64_t attr_valid;
  uint32_t entry_valid_nsec;
  uint32_t attr_valid_nsec;
  Attr attr;
};

struct ForgetIn {
  uint64_t nlookup;
};

struct ForgetOne {
  uint64_t nodeid;
  uint64_t nlookup;
};

struct BatchForgetIn {
  uint32_t count;  // followed by `count` ForgetOne
  uint32_t dummy;
};

struct GetattrIn {
  uint32_t getattr_flags;
  uint32_t dummy;
  uint64_t fh;
};

struct AttrOut {
  uint64_t attr_valid;
  uint32_t attr_valid_nsec;
  uint32_t dummy;
  Attr attr;
};

struct MknodIn {
  uint32_t mode;
  uint32_t rdev;
  uint32_t umask;
  uint32_t padding;
};

struct MkdirIn {
  uint32_t mode;
  uint32_t umask;
};

struct RenameIn {
  uint64_t newdir;
};

struct Rename2In {
  uint64_t newdir;
  uint32_t flags;
  uint32_t padding;
};

struct LinkIn {
  uint64_t oldnodeid;
};

struct SetattrIn {
  uint32_t valid;
  uint32_t padding;
  uint64_t fh;
  uint64_t size;
  uint64_t lock_owner;
  uint64_t atime;
  uint64_t mtime;
  uint64_t ctime;
  uint32_t atimensec;
  uint32_t mtimensec;
  uint32_t ctimensec;
  uint32_t mode;
  uint32_t unused4;
  uint32_t uid;
  uint32_t gid;
  uint32_t unused5;
};

struct OpenIn {
  uint32_t flags;
  uint32_t open_flags;
};

struct CreateIn {
  uint32_t flags;
  uint32_t mode;
  uint32_t umask;
  uint32_t open_flags;
};

struct OpenOut {
  uint64_t fh;
  uint32_t open_flags;
  int32_t backing_id;  // 7.40, with kFopenPassthrough
};

struct ReleaseIn {
  uint64_t fh;
  uint32_t flags;
  uint32_t release_flags;
  uint64_t lock_owner;
};

struct FlushIn {
  uint64_t fh;
  uint32_t unused;
  uint32_t padding;
  uint64_t lock_owner;
};

struct ReadIn {
  uint64_t fh;
  uint64_t offset;
  uint32_t size;
  uint32_t read_flags;
  uint64_t lock_owner;
  uint32_t flags;
  uint32_t padding;
};

struct WriteIn {
  uint64_t fh;
  uint64_t offset;
  uint32_t size;  // payload bytes that follow this struct
  uint32_t write_flags;
  uint64_t lock_owner;
  uint32_t flags;
  uint32_t padding;
};

struct WriteOut {
  uint32_t size;
  uint32_t padding;
};

struct StatfsOut {
  Kstatfs st;
};

struct FsyncIn {
  uint64_t fh;
  uint32_t fsync_flags;
  uint32_t padding;
};

struct SetxattrIn {
  uint32_t size;
  uint32_t flags;
  uint32_t setxattr_flags;  // only with kSetxattrExt
  uint32_t padding;
};
inline constexpr size_t kCompatSetxattrInSize = 8;

struct GetxattrIn {
  uint32_t size;
  uint32_t padding;
};

struct GetxattrOut {
  uint32_t size;
  uint32_t padding;
};

struct LkIn {
  uint64_t fh;
  uint64_t owner;
  FileLock lk;
  uint32_t lk_flags;
  uint32_t padding;
};

struct LkOut {
  FileLock lk;
};

struct AccessIn {
  uint32_t mask;
  uint32_t padding;
};

struct InterruptIn {
  uint64_t unique;
};

struct BmapIn {
  uint64_t block;
  uint32_t blocksize;
  uint32_t padding;
};

struct BmapOut {
  uint64_t block;
};

struct IoctlIn {
  uint64_t fh;
  uint32_t flags;
  uint32_t cmd;
  uint64_t arg;
  uint32_t in_size;
  uint32_t out_size;
};

struct PollIn {
  uint64_t fh;
  uint64_t kh;
  uint32_t flags;
  uint32_t events;
};

struct FallocateIn {
  uint64_t fh;
  uint64_t offset;
  uint64_t length;
  uint32_t mode;
  uint32_t padding;
};

struct LseekIn {
  uint64_t fh;
  uint64_t offset;
  uint32_t whence;
  uint32_t padding;
};

struct LseekOut {
  uint64_t offset;
};

struct CopyFileRangeIn {
  uint64_t fh_in;
  uint64_t off_in;
  uint64_t nodeid_out;
  uint64_t fh_out;
  uint64_t off_out;
  uint64_t len;
  uint64_t flags;
};

struct SyncfsIn {
  uint64_t padding;
};

struct SxTime {
  int64_t tv_sec;
  uint32_t tv_nsec;
  int32_t reserved;
};

struct Statx {
  uint32_t mask;
  uint32_t blksize;
  uint64_t attributes;
  uint32_t nlink;
  uint32_t uid;
  uint32_t gid;
  uint16_t mode;
  uint16_t spare0;
  uint64_t ino;
  uint64_t size;
  uint64_t blocks;
  uint64_t attributes_mask;
  SxTime atime;
  SxTime btime;
  SxTime ctime;
  SxTime mtime;
  uint32_t rdev_major;
  uint32_t rdev_minor;
  uint32_t dev_major;
  uint32_t dev_minor;
  uint64_t spare2[14];
};

struct StatxIn {
  uint32_t getattr_flags;
  uint32_t reserved;
  uint64_t fh;
  uint32_t sx_flags;
  uint32_t sx_mask;
};

struct StatxOut {
  uint64_t attr_valid;
  uint32_t attr_valid_nsec;
  uint32_t flags;
  uint64_t spare[2];
  Statx stat;
};

// A directory entry as READDIR packs it: the header, then `namelen` bytes of name (no NUL),
// then zero padding up to the next multiple of 8 (DirentAlign).
struct Dirent {
  uint64_t ino;
  uint64_t off;  // the offset the kernel passes back to continue after this entry
  uint32_t namelen;
  uint32_t type;  // DT_* (mode >> 12)
};

// READDIRPLUS: an EntryOut, then a Dirent, then the name and padding. An entry with a nonzero
// nodeid that is neither "." nor ".." takes one lookup reference.
struct Direntplus {
  EntryOut entry_out;
  Dirent dirent;
};

constexpr size_t DirentAlign(size_t size) { return (size + 7) & ~size_t{7}; }

// Notifications (server → kernel, unique 0, error = code).
enum class NotifyCode : int32_t {
  kPoll = 1,
  kInvalInode = 2,
  kInvalEntry = 3,
  kStore = 4,
  kRetrieve = 5,
  kDelete = 6,
  kResend = 7,
  kIncEpoch = 8,
};

struct NotifyInvalInodeOut {
  uint64_t ino;
  int64_t off;
  int64_t len;
};

struct NotifyInvalEntryOut {
  uint64_t parent;
  uint32_t namelen;
  uint32_t flags;
};

struct NotifyDeleteOut {
  uint64_t parent;
  uint64_t child;
  uint32_t namelen;
  uint32_t padding;
};

// Extension header at the end of a request (total_extlen).
struct ExtHeader {
  uint32_t size;
  uint32_t type;
};

// Passthrough (7.40): FUSE_DEV_IOC_BACKING_OPEN argument.
struct BackingMap {
  int32_t fd;
  uint32_t flags;
  uint64_t padding;
};

// Device ioctls on /dev/fuse.
inline constexpr unsigned kDevIocMagic = 229;
inline constexpr unsigned long kDevIocClone = _IOR(kDevIocMagic, 0, uint32_t);
inline constexpr unsigned long kDevIocBackingOpen = _IOW(kDevIocMagic, 1, BackingMap);
inline constexpr unsigned long kDevIocBackingClose = _IOW(kDevIocMagic, 2, uint32_t);

// FUSE over io_uring (7.42). Each ring entry registers two buffers: a RingReqHeader and a
// payload. The kernel writes InHeader into in_out and the opcode's fixed argument struct into
// op_in; the rest of the arguments (names, WRITE data) go to the payload. The reply is the
// OutHeader in in_out and the body in the payload, with payload_sz set.
inline constexpr size_t kUringInOutHeaderSize = 128;
inline constexpr size_t kUringOpInOutSize = 128;

struct UringEntInOut {
  uint64_t flags;
  uint64_t commit_id;  // echoed in UringCmdReq.commit_id on COMMIT_AND_FETCH; never 0
  uint32_t payload_sz;
  uint32_t padding;
  uint64_t reserved;
};

struct UringReqHeader {
  char in_out[kUringInOutHeaderSize];
  char op_in[kUringOpInOutSize];
  UringEntInOut ring_ent_in_out;
};

enum class UringCmd : uint32_t {
  kInvalid = 0,
  kRegister = 1,
  kCommitAndFetch = 2,
};

// In the 80-byte command area of an IORING_SETUP_SQE128 submission entry.
struct UringCmdReq {
  uint64_t flags;
  uint64_t commit_id;
  uint16_t qid;
  uint8_t padding[6];
};

// Sizes as the kernel defines them (7.38 ones checked against <linux/fuse.h> in tests).
static_assert(sizeof(Attr) == 88);
static_assert(sizeof(Kstatfs) == 80);
static_assert(sizeof(FileLock) == 24);
static_assert(sizeof(InHeader) == 40);
static_assert(sizeof(OutHeader) == 16);
static_assert(sizeof(InitIn) == 64);
static_assert(sizeof(InitOut) == 64);
static_assert(offsetof(InitOut, max_stack_depth) == 36);
static_assert(offsetof(InitOut, request_timeout) == 40);
static_assert(sizeof(EntryOut) == 128);
static_assert(sizeof(ForgetIn) == 8);
static_assert(sizeof(ForgetOne) == 16);
static_assert(sizeof(BatchForgetIn) == 8);
static_assert(sizeof(GetattrIn) == 16);
static_assert(sizeof(AttrOut) == 104);
static_assert(sizeof(MknodIn) == 16);
static_assert(sizeof(MkdirIn) == 8);
static_assert(sizeof(RenameIn) == 8);
static_assert(sizeof(Rename2In) == 16);
static_assert(sizeof(LinkIn) == 8);
static_assert(sizeof(SetattrIn) == 88);
static_assert(sizeof(OpenIn) == 8);
static_assert(sizeof(CreateIn) == 16);
static_assert(sizeof(OpenOut) == 16);
static_assert(sizeof(ReleaseIn) == 24);
static_assert(sizeof(FlushIn) == 24);
static_assert(sizeof(ReadIn) == 40);
static_assert(sizeof(WriteIn) == 40);
static_assert(sizeof(WriteOut) == 8);
static_assert(sizeof(StatfsOut) == 80);
static_assert(sizeof(FsyncIn) == 16);
static_assert(sizeof(SetxattrIn) == 16);
static_assert(sizeof(GetxattrIn) == 8);
static_assert(sizeof(GetxattrOut) == 8);
static_assert(sizeof(LkIn) == 48);
static_assert(sizeof(LkOut) == 24);
static_assert(sizeof(AccessIn) == 8);
static_assert(sizeof(InterruptIn) == 8);
static_assert(sizeof(BmapIn) == 16);
static_assert(sizeof(BmapOut) == 8);
static_assert(sizeof(IoctlIn) == 32);
static_assert(sizeof(PollIn) == 24);
static_assert(sizeof(FallocateIn) == 32);
static_assert(sizeof(LseekIn) == 24);
static_assert(sizeof(LseekOut) == 8);
static_assert(sizeof(CopyFileRangeIn) == 56);
static_assert(sizeof(SyncfsIn) == 8);
static_assert(sizeof(SxTime) == 16);
static_assert(sizeof(Statx) == 256);
static_assert(sizeof(StatxIn) == 24);
static_assert(sizeof(StatxOut) == 288);
static_assert(sizeof(Dirent) == 24);
static_assert(sizeof(Direntplus) == 152);
static_assert(sizeof(NotifyInvalInodeOut) == 24);
static_assert(sizeof(NotifyInvalEntryOut) == 16);
static_assert(sizeof(NotifyDeleteOut) == 24);
static_assert(sizeof(ExtHeader) == 8);
static_assert(sizeof(BackingMap) == 16);
static_assert(sizeof(UringEntInOut) == 32);
static_assert(sizeof(UringReqHeader) == 288);
static_assert(sizeof(UringCmdReq) == 24);
static_assert(kDevIocClone == 0x8004e500UL);
static_assert(kDevIocBackingOpen == 0x4010e501UL);
static_assert(kDevIocBackingClose == 0x4004e502UL);

}  // namespace alluxio::fuse::abi
