// Golden-byte tests of the codec: requests and replies written out byte by byte from the kernel's
// layout (little-endian, x86-64), independent of the structs in fuse_abi.h.
#include "core/fuse/fuse_codec.h"

#include <linux/fuse.h>

#include <cerrno>
#include <cstddef>
#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>

#include "core/fuse/fuse_init.h"

namespace alluxio::fuse {
namespace {

std::vector<std::byte> Bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

template <typename T>
std::vector<std::byte> BytesOf(const T& value) {
  const auto* p = reinterpret_cast<const std::byte*>(&value);
  return {p, p + sizeof(T)};
}

// ---- The ABI against the system header (protocol 7.38) ----

TEST(FuseAbiTest, SizesMatchSystemHeader) {
  static_assert(sizeof(abi::InHeader) == sizeof(fuse_in_header));
  static_assert(sizeof(abi::OutHeader) == sizeof(fuse_out_header));
  static_assert(sizeof(abi::Attr) == sizeof(fuse_attr));
  static_assert(sizeof(abi::EntryOut) == sizeof(fuse_entry_out));
  static_assert(sizeof(abi::AttrOut) == sizeof(fuse_attr_out));
  static_assert(sizeof(abi::InitIn) == sizeof(fuse_init_in));
  static_assert(sizeof(abi::InitOut) == sizeof(fuse_init_out));
  static_assert(sizeof(abi::OpenOut) == sizeof(fuse_open_out));
  static_assert(sizeof(abi::ReadIn) == sizeof(fuse_read_in));
  static_assert(sizeof(abi::WriteIn) == sizeof(fuse_write_in));
  static_assert(sizeof(abi::WriteOut) == sizeof(fuse_write_out));
  static_assert(sizeof(abi::SetattrIn) == sizeof(fuse_setattr_in));
  static_assert(sizeof(abi::MkdirIn) == sizeof(fuse_mkdir_in));
  static_assert(sizeof(abi::MknodIn) == sizeof(fuse_mknod_in));
  static_assert(sizeof(abi::RenameIn) == sizeof(fuse_rename_in));
  static_assert(sizeof(abi::Rename2In) == sizeof(fuse_rename2_in));
  static_assert(sizeof(abi::LinkIn) == sizeof(fuse_link_in));
  static_assert(sizeof(abi::CreateIn) == sizeof(fuse_create_in));
  static_assert(sizeof(abi::OpenIn) == sizeof(fuse_open_in));
  static_assert(sizeof(abi::ReleaseIn) == sizeof(fuse_release_in));
  static_assert(sizeof(abi::FlushIn) == sizeof(fuse_flush_in));
  static_assert(sizeof(abi::FsyncIn) == sizeof(fuse_fsync_in));
  static_assert(sizeof(abi::ForgetIn) == sizeof(fuse_forget_in));
  static_assert(sizeof(abi::ForgetOne) == sizeof(fuse_forget_one));
  static_assert(sizeof(abi::BatchForgetIn) == sizeof(fuse_batch_forget_in));
  static_assert(sizeof(abi::GetxattrIn) == sizeof(fuse_getxattr_in));
  static_assert(sizeof(abi::GetxattrOut) == sizeof(fuse_getxattr_out));
  static_assert(sizeof(abi::SetxattrIn) == sizeof(fuse_setxattr_in));
  static_assert(sizeof(abi::AccessIn) == sizeof(fuse_access_in));
  static_assert(sizeof(abi::InterruptIn) == sizeof(fuse_interrupt_in));
  static_assert(sizeof(abi::StatfsOut) == sizeof(fuse_statfs_out));
  static_assert(sizeof(abi::Kstatfs) == sizeof(fuse_kstatfs));
  static_assert(sizeof(abi::Dirent) == FUSE_NAME_OFFSET);
  static_assert(sizeof(abi::Direntplus) == FUSE_NAME_OFFSET_DIRENTPLUS);
  static_assert(sizeof(abi::LseekIn) == sizeof(fuse_lseek_in));
  static_assert(sizeof(abi::LseekOut) == sizeof(fuse_lseek_out));
  static_assert(sizeof(abi::FallocateIn) == sizeof(fuse_fallocate_in));
  static_assert(sizeof(abi::GetattrIn) == sizeof(fuse_getattr_in));
  static_assert(sizeof(abi::LkIn) == sizeof(fuse_lk_in));
  static_assert(sizeof(abi::CopyFileRangeIn) == sizeof(fuse_copy_file_range_in));
  static_assert(offsetof(abi::InitOut, flags2) == offsetof(fuse_init_out, flags2));
  static_assert(offsetof(abi::InitOut, max_pages) == offsetof(fuse_init_out, max_pages));
  static_assert(offsetof(abi::SetattrIn, uid) == offsetof(fuse_setattr_in, uid));
  static_assert(offsetof(abi::InHeader, total_extlen) == offsetof(fuse_in_header, total_extlen));
  static_assert(abi::DirentAlign(25) == FUSE_DIRENT_ALIGN(25));
  EXPECT_EQ(abi::kDevIocClone, static_cast<unsigned long>(FUSE_DEV_IOC_CLONE));
}

TEST(FuseAbiTest, FlagsAndOpcodesMatchSystemHeader) {
  EXPECT_EQ(abi::kAsyncRead, uint64_t{FUSE_ASYNC_READ});
  EXPECT_EQ(abi::kDoReaddirplus, uint64_t{FUSE_DO_READDIRPLUS});
  EXPECT_EQ(abi::kParallelDirops, uint64_t{FUSE_PARALLEL_DIROPS});
  EXPECT_EQ(abi::kMaxPages, uint64_t{FUSE_MAX_PAGES});
  EXPECT_EQ(abi::kInitExt, uint64_t{FUSE_INIT_EXT});
  EXPECT_EQ(abi::kHasExpireOnly, uint64_t{FUSE_HAS_EXPIRE_ONLY});
  EXPECT_EQ(abi::kFattrKillSuidgid, uint32_t{FATTR_KILL_SUIDGID});
  EXPECT_EQ(abi::kFopenParallelDirectWrites, uint32_t{FOPEN_PARALLEL_DIRECT_WRITES});
  EXPECT_EQ(static_cast<uint32_t>(abi::Opcode::kTmpfile), uint32_t{FUSE_TMPFILE});
  EXPECT_EQ(static_cast<uint32_t>(abi::Opcode::kRename2), uint32_t{FUSE_RENAME2});
  EXPECT_EQ(static_cast<uint32_t>(abi::Opcode::kBatchForget), uint32_t{FUSE_BATCH_FORGET});
  EXPECT_EQ(static_cast<uint32_t>(abi::Opcode::kReaddirplus), uint32_t{FUSE_READDIRPLUS});
}

// ---- Requests ----

TEST(FuseCodecTest, ParsesLookupGolden) {
  const std::vector<std::byte> message = Bytes({
      0x2c, 0x00, 0x00, 0x00,                          // len = 44
      0x01, 0x00, 0x00, 0x00,                          // opcode = LOOKUP (1)
      0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // unique = 7
      0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // nodeid = 1 (root)
      0xe8, 0x03, 0x00, 0x00,                          // uid = 1000
      0xe9, 0x03, 0x00, 0x00,                          // gid = 1001
      0x39, 0x30, 0x00, 0x00,                          // pid = 12345
      0x00, 0x00,                                      // total_extlen = 0
      0x00, 0x00,                                      // padding
      'f',  'o',  'o',  0x00,                          // name "foo\0"
  });
  const ParsedRequest parsed = ParseRequest(message);
  ASSERT_EQ(parsed.status, ParsedRequest::Status::kOk);
  EXPECT_EQ(parsed.header.len, 44U);
  EXPECT_EQ(parsed.header.opcode, 1U);
  EXPECT_EQ(parsed.header.unique, 7U);
  EXPECT_EQ(parsed.header.nodeid, 1U);
  EXPECT_EQ(parsed.header.uid, 1000U);
  EXPECT_EQ(parsed.header.gid, 1001U);
  EXPECT_EQ(parsed.header.pid, 12345U);
  ASSERT_EQ(parsed.args.size(), 4U);
  const std::optional<NameArgs> name = DecodeName(parsed.args);
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->name, "foo");
}

TEST(FuseCodecTest, ParsesSymlinkGolden) {
  const std::vector<std::byte> message = Bytes({
      0x31, 0x00, 0x00, 0x00,                          // len = 49
      0x06, 0x00, 0x00, 0x00,                          // opcode = SYMLINK (6)
      0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // unique = 8
      0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // nodeid = 5 (the parent directory)
      0xe8, 0x03, 0x00, 0x00,                          // uid = 1000
      0xe9, 0x03, 0x00, 0x00,                          // gid = 1001
      0x39, 0x30, 0x00, 0x00,                          // pid = 12345
      0x00, 0x00,                                      // total_extlen = 0
      0x00, 0x00,                                      // padding
      'l',  'n',  'k',  0x00,                          // name "lnk\0"
      '.',  '.',  '/',  't',  0x00,                    // target "../t\0"
  });
  const ParsedRequest parsed = ParseRequest(message);
  ASSERT_EQ(parsed.status, ParsedRequest::Status::kOk);
  EXPECT_EQ(parsed.header.opcode, static_cast<uint32_t>(abi::Opcode::kSymlink));
  EXPECT_EQ(parsed.header.nodeid, 5U);
  const std::optional<SymlinkArgs> link = DecodeSymlink(parsed.args);
  ASSERT_TRUE(link.has_value());
  EXPECT_EQ(link->name, "lnk");
  EXPECT_EQ(link->target, "../t");
  // The target is not a name: slashes and dots are allowed, emptiness is not.
  EXPECT_FALSE(DecodeSymlink(Bytes({'l', 0x00, 0x00})).has_value());
  EXPECT_FALSE(DecodeSymlink(Bytes({'a', '/', 'b', 0x00, 't', 0x00})).has_value());
}

TEST(FuseCodecTest, RejectsBadHeaders) {
  std::vector<std::byte> message = Bytes({
      0x28, 0x00, 0x00, 0x00,                          // len = 40
      0x03, 0x00, 0x00, 0x00,                          // opcode = GETATTR
      0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // unique = 9
      0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // nodeid = 1
      0x00, 0x00, 0x00, 0x00,                          // uid
      0x00, 0x00, 0x00, 0x00,                          // gid
      0x00, 0x00, 0x00, 0x00,                          // pid
      0x00, 0x00,                                      // total_extlen
      0x00, 0x00,                                      // padding
  });
  EXPECT_EQ(ParseRequest(message).status, ParsedRequest::Status::kOk);
  EXPECT_TRUE(ParseRequest(message).args.empty());
  // 39 bytes: no complete header, nothing to answer.
  EXPECT_EQ(ParseRequest(std::span(message).first(39)).status, ParsedRequest::Status::kDrop);
  EXPECT_EQ(ParseRequest({}).status, ParsedRequest::Status::kDrop);
  // len = 41 > 40 bytes received.
  message[0] = std::byte{41};
  ParsedRequest parsed = ParseRequest(message);
  EXPECT_EQ(parsed.status, ParsedRequest::Status::kInvalid);
  EXPECT_EQ(parsed.header.unique, 9U);
  // len = 39 < header size.
  message[0] = std::byte{39};
  EXPECT_EQ(ParseRequest(message).status, ParsedRequest::Status::kInvalid);
  // total_extlen = 1 (8 bytes) with no room for it.
  message[0] = std::byte{40};
  message[36] = std::byte{1};
  EXPECT_EQ(ParseRequest(message).status, ParsedRequest::Status::kInvalid);
}

TEST(FuseCodecTest, StripsExtensions) {
  std::vector<std::byte> message(40 + 4 + 8);
  abi::InHeader header{};
  header.len = 52;
  header.opcode = 1;
  header.total_extlen = 1;
  std::memcpy(message.data(), &header, sizeof(header));
  std::memcpy(message.data() + 40, "ab\0\0", 4);
  const ParsedRequest parsed = ParseRequest(message);
  ASSERT_EQ(parsed.status, ParsedRequest::Status::kOk);
  EXPECT_EQ(parsed.args.size(), 4U);
}

TEST(FuseCodecTest, DecodesReadGolden) {
  const std::vector<std::byte> args = Bytes({
      0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // fh = 42
      0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // offset = 0x1'0000'1000
      0x00, 0x00, 0x10, 0x00,                          // size = 1 MiB
      0x02, 0x00, 0x00, 0x00,                          // read_flags = READ_LOCKOWNER
      0xef, 0xbe, 0xad, 0xde, 0x00, 0x00, 0x00, 0x00,  // lock_owner
      0x00, 0x80, 0x00, 0x00,                          // flags = O_LARGEFILE
      0x00, 0x00, 0x00, 0x00,                          // padding
  });
  const std::optional<abi::ReadIn> in = DecodeFixed<abi::ReadIn>(args);
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->fh, 42U);
  EXPECT_EQ(in->offset, 0x100001000ULL);
  EXPECT_EQ(in->size, 1U << 20);
  EXPECT_EQ(in->read_flags, abi::kReadLockowner);
  EXPECT_EQ(in->lock_owner, 0xdeadbeefULL);
  EXPECT_EQ(in->flags, 0x8000U);
  EXPECT_FALSE(DecodeFixed<abi::ReadIn>(std::span(args).first(39)).has_value());
}

TEST(FuseCodecTest, DecodesWriteGolden) {
  std::vector<std::byte> args = Bytes({
      0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // fh = 5
      0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // offset = 512
      0x05, 0x00, 0x00, 0x00,                          // size = 5
      0x00, 0x00, 0x00, 0x00,                          // write_flags
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // lock_owner
      0x01, 0x00, 0x00, 0x00,                          // flags = O_WRONLY
      0x00, 0x00, 0x00, 0x00,                          // padding
      'h',  'e',  'l',  'l',  'o',                     // payload
  });
  std::optional<WriteArgs> write = DecodeWrite(args);
  ASSERT_TRUE(write.has_value());
  EXPECT_EQ(write->in.fh, 5U);
  EXPECT_EQ(write->in.offset, 512U);
  EXPECT_EQ(write->in.size, 5U);
  ASSERT_EQ(write->data.size(), 5U);
  EXPECT_EQ(std::memcmp(write->data.data(), "hello", 5), 0);
  // Payload shorter than size.
  EXPECT_FALSE(DecodeWrite(std::span(args).first(args.size() - 1)).has_value());
  // Payload longer than size.
  args.push_back(std::byte{'!'});
  EXPECT_FALSE(DecodeWrite(args).has_value());
}

TEST(FuseCodecTest, NamesMustBeTerminatedAndValid) {
  auto args = [](std::string_view raw) {
    const auto* p = reinterpret_cast<const std::byte*>(raw.data());
    return std::vector<std::byte>(p, p + raw.size());
  };
  EXPECT_TRUE(DecodeName(args(std::string_view("abc\0", 4))).has_value());
  EXPECT_FALSE(DecodeName(args("abc")).has_value());                      // no NUL
  EXPECT_FALSE(DecodeName(args(std::string_view("\0", 1))).has_value());  // empty
  EXPECT_FALSE(DecodeName(args(std::string_view(".\0", 2))).has_value());
  EXPECT_FALSE(DecodeName(args(std::string_view("..\0", 3))).has_value());
  EXPECT_FALSE(DecodeName(args(std::string_view("a/b\0", 4))).has_value());
  EXPECT_FALSE(DecodeName({}).has_value());

  std::vector<std::byte> rename = BytesOf(abi::RenameIn{9});
  for (std::byte b : args(std::string_view("old\0new\0", 8))) rename.push_back(b);
  std::optional<RenameArgs> decoded = DecodeRename(rename);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->newdir, 9U);
  EXPECT_EQ(decoded->oldname, "old");
  EXPECT_EQ(decoded->newname, "new");
  rename.pop_back();  // second name loses its NUL
  EXPECT_FALSE(DecodeRename(rename).has_value());

  std::vector<std::byte> symlink = args(std::string_view("link\0/target\0", 13));
  std::optional<SymlinkArgs> link = DecodeSymlink(symlink);
  ASSERT_TRUE(link.has_value());
  EXPECT_EQ(link->target, "/target");
  symlink.pop_back();
  EXPECT_FALSE(DecodeSymlink(symlink).has_value());
}

TEST(FuseCodecTest, DecodesSetxattrBothLayouts) {
  std::vector<std::byte> compat = Bytes({
      0x03, 0x00, 0x00, 0x00,                             // size = 3
      0x01, 0x00, 0x00, 0x00,                             // flags = XATTR_CREATE
      'u', 's', 'e', 'r', '.', 'a', 0x00, 'x', 'y', 'z',  // value
  });
  std::optional<SetxattrArgs> set = DecodeSetxattr(compat, /*extended=*/false);
  ASSERT_TRUE(set.has_value());
  EXPECT_EQ(set->name, "user.a");
  EXPECT_EQ(set->value.size(), 3U);
  EXPECT_EQ(set->in.setxattr_flags, 0U);
  EXPECT_FALSE(DecodeSetxattr(compat, /*extended=*/true).has_value());
  compat.pop_back();
  EXPECT_FALSE(DecodeSetxattr(compat, false).has_value());
}

TEST(FuseCodecTest, BatchForgetCountMustFit) {
  std::vector<std::byte> args = BytesOf(abi::BatchForgetIn{2, 0});
  for (std::byte b : BytesOf(abi::ForgetOne{5, 1})) args.push_back(b);
  EXPECT_FALSE(DecodeBatchForget(args).has_value());  // 2 announced, 1 present
  for (std::byte b : BytesOf(abi::ForgetOne{6, 3})) args.push_back(b);
  std::optional<BatchForgetArgs> batch = DecodeBatchForget(args);
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->count, 2U);
  EXPECT_EQ(batch->At(1).nodeid, 6U);
  EXPECT_EQ(batch->At(1).nlookup, 3U);
  abi::BatchForgetIn huge{0xffffffffU, 0};
  EXPECT_FALSE(DecodeBatchForget(BytesOf(huge)).has_value());
}

TEST(FuseCodecTest, DecodesOldAndNewInit) {
  const std::vector<std::byte> old_init = Bytes({
      0x07, 0x00, 0x00, 0x00,  // major = 7
      0x1f, 0x00, 0x00, 0x00,  // minor = 31
      0x00, 0x00, 0x02, 0x00,  // max_readahead = 128 KiB
      0xff, 0xff, 0xff, 0x7f,  // flags: everything below INIT_RESERVED
  });
  std::optional<abi::InitIn> in = DecodeInit(old_init);
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->minor, 31U);
  EXPECT_EQ(in->flags2, 0U);
  EXPECT_FALSE(DecodeInit(std::span(old_init).first(15)).has_value());
}

// ---- Replies ----

TEST(FuseCodecTest, ErrorReplyGolden) {
  const abi::OutHeader header = MakeOutHeader(0x1122334455667788ULL, ENOENT, 0);
  EXPECT_EQ(BytesOf(header), Bytes({
                                 0x10, 0x00, 0x00, 0x00,  // len = 16
                                 0xfe, 0xff, 0xff, 0xff,  // error = -ENOENT (-2)
                                 0x88, 0x77, 0x66, 0x55,  // unique (low)
                                 0x44, 0x33, 0x22, 0x11,  // unique (high)
                             }));
  const abi::OutHeader ok = MakeOutHeader(3, 0, 8);
  EXPECT_EQ(ok.len, 24U);
  EXPECT_EQ(ok.error, 0);
}

TEST(FuseCodecTest, InitReplyGolden) {
  abi::InitIn in{};
  in.major = 7;
  in.minor = 44;
  in.max_readahead = 0x20000;
  in.flags = 0x7fffffff;  // all but INIT_RESERVED, INIT_EXT included
  in.flags2 = 0x7ff;      // bits 32..42
  const InitReply reply = NegotiateInit(in, FuseOptions{});
  ASSERT_EQ(reply.kind, InitReply::Kind::kAccepted);
  ASSERT_EQ(reply.out_size, 64U);
  EXPECT_EQ(BytesOf(reply.out), Bytes({
                                    0x07, 0x00, 0x00, 0x00,  // major = 7
                                    0x2c, 0x00, 0x00, 0x00,  // minor = 44
                                    0x00, 0x00, 0x02, 0x00,  // max_readahead = 128 KiB
                                    // flags = ASYNC_READ | ATOMIC_O_TRUNC | BIG_WRITES |
                                    // DO_READDIRPLUS | ASYNC_DIO | PARALLEL_DIROPS |
                                    // MAX_PAGES | INIT_EXT = 0x4044a029
                                    0x29, 0xa0, 0x44, 0x40, 0x40, 0x00,  // max_background = 64
                                    0x30, 0x00,              // congestion_threshold = 48
                                    0x00, 0x00, 0x10, 0x00,  // max_write = 1 MiB
                                    0x01, 0x00, 0x00, 0x00,  // time_gran = 1 ns
                                    0x00, 0x01,              // max_pages = 256
                                    0x00, 0x00,              // map_alignment
                                    0x10, 0x00, 0x00, 0x00,  // flags2 = DIRECT_IO_ALLOW_MMAP
                                    0x00, 0x00, 0x00, 0x00,  // max_stack_depth = 0
                                    0x00, 0x00,              // request_timeout = 0
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // unused
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,              //
                                }));
}

TEST(FuseCodecTest, InitOffersPassthroughAndUringInFlags2) {
  abi::InitIn in{};
  in.major = 7;
  in.minor = 45;
  in.flags = 0x7fffffff;
  in.flags2 = 0x7ff;
  FuseOptions options;
  options.passthrough = true;
  options.over_io_uring = true;
  options.auto_cache = true;
  const InitReply reply = NegotiateInit(in, options);
  ASSERT_EQ(reply.kind, InitReply::Kind::kAccepted);
  EXPECT_EQ(reply.out.minor, 44U);  // ours, the kernel's being newer
  EXPECT_EQ(reply.out.flags, 0x0044a029U | 0x1000U /*AUTO_INVAL_DATA*/ | 0x40000000U);
  EXPECT_EQ(reply.out.flags2, (1U << 4) | (1U << 5) | (1U << 9));  // bits 36, 37 and 41
  EXPECT_EQ(reply.out.max_stack_depth, 1U);

  // A kernel without INIT_EXT: no flags2, no INIT_EXT echoed.
  in.flags = 0x3fffffff;
  in.flags2 = 0;
  const InitReply old = NegotiateInit(in, options);
  EXPECT_EQ(old.out.flags2, 0U);
  EXPECT_EQ(old.out.flags & abi::kInitExt, 0U);
  EXPECT_EQ(old.out.max_stack_depth, 0U);
}

TEST(FuseCodecTest, InitVersionHandling) {
  abi::InitIn in{};
  in.major = 8;
  in.minor = 0;
  InitReply reply = NegotiateInit(in, FuseOptions{});
  EXPECT_EQ(reply.kind, InitReply::Kind::kRetry);
  EXPECT_EQ(reply.out_size, 8U);
  EXPECT_EQ(reply.out.major, 7U);
  in.major = 7;
  in.minor = 30;
  reply = NegotiateInit(in, FuseOptions{});
  EXPECT_EQ(reply.kind, InitReply::Kind::kRejected);
  EXPECT_EQ(reply.error, EPROTO);
  in.major = 6;
  EXPECT_EQ(NegotiateInit(in, FuseOptions{}).kind, InitReply::Kind::kRejected);
}

TEST(FuseCodecTest, ReaddirplusPackingGolden) {
  std::vector<std::byte> buffer(512, std::byte{0xaa});
  DirentPacker packer(buffer, /*plus=*/true);
  abi::EntryOut entry{};
  entry.nodeid = 0x22;
  entry.generation = 1;
  entry.attr.ino = 0x99;
  entry.attr.mode = 0100644;
  EXPECT_EQ(packer.RecordSize("ab"), 160U);  // 152 + 2 → 160
  ASSERT_TRUE(packer.Add("ab", 0x99, 8 /*DT_REG*/, 3, &entry));
  ASSERT_EQ(packer.size(), 160U);
  const std::vector<std::byte> record(buffer.begin(), buffer.begin() + 160);
  EXPECT_EQ(std::vector<std::byte>(record.begin(), record.begin() + 128), BytesOf(entry));
  EXPECT_EQ(std::vector<std::byte>(record.begin() + 128, record.end()),
            Bytes({
                0x99, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // dirent.ino = 0x99
                0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // dirent.off = 3
                0x02, 0x00, 0x00, 0x00,                          // namelen = 2
                0x08, 0x00, 0x00, 0x00,                          // type = DT_REG
                'a',  'b',                                       // name, no NUL
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00,              // zero padding to 8
            }));
  EXPECT_EQ(buffer[160], std::byte{0xaa});  // nothing written past the record
}

TEST(FuseCodecTest, ReaddirPackingAlignsAndStopsWhenFull) {
  std::vector<std::byte> buffer(72 + 31, std::byte{0xaa});
  DirentPacker packer(buffer, /*plus=*/false);
  ASSERT_TRUE(packer.Add("a", 10, 4 /*DT_DIR*/, 1, nullptr));          // 24 + 1 → 32
  ASSERT_TRUE(packer.Add("hello.txt", 11, 8 /*DT_REG*/, 2, nullptr));  // 24 + 9 → 40
  EXPECT_EQ(packer.size(), 72U);
  EXPECT_FALSE(packer.Add("b", 12, 8, 3, nullptr));  // needs 32, 31 left
  EXPECT_EQ(packer.size(), 72U);
  EXPECT_EQ(std::vector<std::byte>(buffer.begin(), buffer.begin() + 32),
            Bytes({
                0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // ino = 10
                0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // off = 1
                0x01, 0x00, 0x00, 0x00,                          // namelen = 1
                0x04, 0x00, 0x00, 0x00,                          // type = DT_DIR
                'a',  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // name + padding
            }));
  EXPECT_EQ(std::vector<std::byte>(buffer.begin() + 32 + 24, buffer.begin() + 72),
            Bytes({'h', 'e', 'l', 'l', 'o', '.', 't', 'x', 't', 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(buffer[72], std::byte{0xaa});
}

TEST(FuseCodecTest, ReplyBodyCollectsParts) {
  abi::EntryOut entry{};
  abi::OpenOut open{};
  ReplyBody body;
  body.Add(&entry, sizeof(entry));
  body.Add(nullptr, 0);  // ignored
  body.Add(&open, sizeof(open));
  ASSERT_EQ(body.parts().size(), 2U);
  EXPECT_EQ(body.size(), 144U);
  EXPECT_EQ(body.parts()[1].iov_base, &open);
}

TEST(FuseCodecTest, Validity) {
  EXPECT_EQ(ToValidity(1.5).sec, 1U);
  EXPECT_EQ(ToValidity(1.5).nsec, 500'000'000U);
  EXPECT_EQ(ToValidity(600).sec, 600U);
  EXPECT_EQ(ToValidity(0).sec, 0U);
  EXPECT_EQ(ToValidity(-3).sec, 0U);
}

TEST(FuseOptionsTest, AppliesKnownItems) {
  FuseOptions options;
  bool consumed = false;
  ASSERT_TRUE(ApplyFuseOption(options, "attr_timeout=600", &consumed).ok());
  EXPECT_TRUE(consumed);
  EXPECT_EQ(options.attr_timeout, 600.0);
  ASSERT_TRUE(ApplyFuseOption(options, "entry_timeout=0.5", &consumed).ok());
  EXPECT_EQ(options.entry_timeout, 0.5);
  ASSERT_TRUE(ApplyFuseOption(options, "negative_timeout=30", &consumed).ok());
  EXPECT_EQ(options.negative_timeout, 30.0);
  ASSERT_TRUE(ApplyFuseOption(options, "direct_io", &consumed).ok());
  EXPECT_TRUE(options.direct_io);
  ASSERT_TRUE(ApplyFuseOption(options, "kernel_cache", &consumed).ok());
  EXPECT_TRUE(options.kernel_cache);
  ASSERT_TRUE(ApplyFuseOption(options, "max_read=131072", &consumed).ok());
  EXPECT_EQ(options.MaxRead(), 131072U);
  ASSERT_TRUE(ApplyFuseOption(options, "allow_other", &consumed).ok());
  EXPECT_FALSE(consumed);
  EXPECT_FALSE(ApplyFuseOption(options, "attr_timeout=abc", &consumed).ok());
  EXPECT_FALSE(ApplyFuseOption(options, "attr_timeout=-1", &consumed).ok());
  EXPECT_FALSE(ApplyFuseOption(options, "max_read=12x", &consumed).ok());
  EXPECT_EQ(FuseOptions{}.MaxWrite(), 1U << 20);
}

}  // namespace
}  // namespace alluxio::fuse
