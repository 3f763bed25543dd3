// The real dispatcher driven by a fake kernel over a SOCK_SEQPACKET socket pair, against the
// in-memory reference file system: well-formed sessions and malformed messages, every reply's
// errno and bytes checked.
#include "core/fuse/dispatcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include "core/fuse/fuse_codec.h"
#include "core/fuse/unsupported_ops.h"
#include "tests/fuse/fake_kernel.h"
#include "tests/fuse/memory_file_system.h"

namespace alluxio::fuse {
namespace {

using testing::FakeKernel;
using testing::MemoryFileSystem;
using testing::Reply;
using testing::RequestBuilder;
using O = abi::Opcode;

struct Listed {
  std::string name;
  uint64_t ino;
  uint64_t off;
  uint32_t type;
  uint64_t nodeid;  // READDIRPLUS only
};

std::vector<Listed> ParseListing(const Reply& reply, bool plus) {
  std::vector<Listed> out;
  size_t pos = 0;
  const size_t header = plus ? sizeof(abi::Direntplus) : sizeof(abi::Dirent);
  while (pos + header <= reply.body.size()) {
    abi::EntryOut entry{};
    if (plus) entry = reply.As<abi::EntryOut>(pos);
    const auto dirent = reply.As<abi::Dirent>(pos + header - sizeof(abi::Dirent));
    const char* name = reinterpret_cast<const char*>(reply.body.data() + pos + header);
    EXPECT_LE(pos + header + dirent.namelen, reply.body.size());
    out.push_back(
        {std::string(name, dirent.namelen), dirent.ino, dirent.off, dirent.type, entry.nodeid});
    pos += abi::DirentAlign(header + dirent.namelen);
  }
  EXPECT_EQ(pos, reply.body.size()) << "records must tile the reply exactly";
  return out;
}

class DispatcherTest : public ::testing::Test {
 protected:
  explicit DispatcherTest(FuseOptions options = Options())
      : dispatcher_(fs_, options), kernel_(dispatcher_) {}

  static FuseOptions Options() {
    FuseOptions options;
    options.entry_timeout = 2.5;
    options.attr_timeout = 600;
    return options;
  }

  Reply Send(const std::vector<std::byte>& message) {
    std::optional<Reply> reply = kernel_.Roundtrip(message);
    EXPECT_TRUE(reply.has_value()) << "no reply";
    return reply.value_or(Reply{});
  }
  void SendNoReply(const std::vector<std::byte>& message) {
    EXPECT_FALSE(kernel_.Roundtrip(message).has_value()) << "unexpected reply";
  }
  RequestBuilder Req(O op, uint64_t nodeid = abi::kRootId) {
    return RequestBuilder(op, kernel_.NextUnique(), nodeid);
  }

  // Helpers for a session; each checks success.
  abi::EntryOut Lookup(uint64_t parent, std::string_view name) {
    Reply r = Send(Req(O::kLookup, parent).AddName(name).Build());
    EXPECT_EQ(r.error(), 0) << name;
    return r.As<abi::EntryOut>();
  }
  abi::EntryOut Mkdir(uint64_t parent, std::string_view name, uint32_t mode = 0755) {
    Reply r = Send(Req(O::kMkdir, parent).Add(abi::MkdirIn{mode, 022}).AddName(name).Build());
    EXPECT_EQ(r.error(), 0) << name;
    EXPECT_EQ(r.body.size(), sizeof(abi::EntryOut));
    return r.As<abi::EntryOut>();
  }
  std::pair<abi::EntryOut, abi::OpenOut> Create(uint64_t parent, std::string_view name) {
    Reply r = Send(Req(O::kCreate, parent)
                       .Add(abi::CreateIn{O_CREAT | O_WRONLY, 0644, 022, 0})
                       .AddName(name)
                       .Build());
    EXPECT_EQ(r.error(), 0) << name;
    EXPECT_EQ(r.body.size(), sizeof(abi::EntryOut) + sizeof(abi::OpenOut));
    return {r.As<abi::EntryOut>(), r.As<abi::OpenOut>(sizeof(abi::EntryOut))};
  }
  uint64_t Open(uint64_t nodeid, uint32_t flags) {
    Reply r = Send(Req(O::kOpen, nodeid).Add(abi::OpenIn{flags, 0}).Build());
    EXPECT_EQ(r.error(), 0);
    return r.As<abi::OpenOut>().fh;
  }
  Reply Write(uint64_t nodeid, uint64_t fh, uint64_t offset, std::string_view data) {
    abi::WriteIn in{};
    in.fh = fh;
    in.offset = offset;
    in.size = static_cast<uint32_t>(data.size());
    return Send(Req(O::kWrite, nodeid).Add(in).AddBytes(data).Build());
  }
  Reply Read(uint64_t nodeid, uint64_t fh, uint64_t offset, uint32_t size) {
    abi::ReadIn in{};
    in.fh = fh;
    in.offset = offset;
    in.size = size;
    return Send(Req(O::kRead, nodeid).Add(in).Build());
  }
  int Release(uint64_t nodeid, uint64_t fh) {
    return Send(Req(O::kRelease, nodeid).Add(abi::ReleaseIn{fh, 0, 0, 0}).Build()).error();
  }
  abi::AttrOut Getattr(uint64_t nodeid, int expect_error = 0) {
    Reply r = Send(Req(O::kGetattr, nodeid).Add(abi::GetattrIn{}).Build());
    EXPECT_EQ(r.error(), expect_error);
    return r.As<abi::AttrOut>();
  }
  uint64_t Opendir(uint64_t nodeid) {
    Reply r = Send(Req(O::kOpendir, nodeid).Add(abi::OpenIn{O_RDONLY, 0}).Build());
    EXPECT_EQ(r.error(), 0);
    return r.As<abi::OpenOut>().fh;
  }
  std::vector<Listed> Readdir(uint64_t nodeid, uint64_t fh, uint64_t offset, bool plus,
                              uint32_t size = 4096) {
    abi::ReadIn in{};
    in.fh = fh;
    in.offset = offset;
    in.size = size;
    Reply r = Send(Req(plus ? O::kReaddirplus : O::kReaddir, nodeid).Add(in).Build());
    EXPECT_EQ(r.error(), 0);
    EXPECT_LE(r.body.size(), size);
    return ParseListing(r, plus);
  }
  int Rename2(uint64_t olddir, std::string_view oldname, uint64_t newdir, std::string_view newname,
              uint32_t flags) {
    return Send(Req(O::kRename2, olddir)
                    .Add(abi::Rename2In{newdir, flags, 0})
                    .AddName(oldname)
                    .AddName(newname)
                    .Build())
        .error();
  }

  MemoryFileSystem fs_;
  FuseDispatcher dispatcher_;
  FakeKernel kernel_;
};

// ---- Session setup ----

TEST_F(DispatcherTest, InitReplyGoldenOverTheSocket) {
  abi::InitIn in{};
  in.major = 7;
  in.minor = 38;
  in.max_readahead = 0x20000;
  in.flags = 0x3fffffff;  // no INIT_EXT
  std::optional<std::vector<std::byte>> raw =
      kernel_.RoundtripRaw(RequestBuilder(O::kInit, 1, 0).Add(in).Build());
  ASSERT_TRUE(raw.has_value());
  const std::vector<uint8_t> expected = {
      0x50, 0x00, 0x00, 0x00,                          // len = 16 + 64
      0x00, 0x00, 0x00, 0x00,                          // error = 0
      0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // unique = 1
      0x07, 0x00, 0x00, 0x00,                          // major = 7
      0x26, 0x00, 0x00, 0x00,                          // minor = 38 (the kernel's)
      0x00, 0x00, 0x02, 0x00,                          // max_readahead = 128 KiB
      0x29, 0xa0, 0x44, 0x00,                          // flags = 0x0044a029
      0x40, 0x00, 0x30, 0x00,                          // max_background 64, congestion 48
      0x00, 0x00, 0x10, 0x00,                          // max_write = 1 MiB
      0x01, 0x00, 0x00, 0x00,                          // time_gran = 1
      0x00, 0x01, 0x00, 0x00,                          // max_pages = 256, map_alignment 0
      0x00, 0x00, 0x00, 0x00,                          // flags2 = 0
      0x00, 0x00, 0x00, 0x00,                          // max_stack_depth = 0
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // request_timeout, unused
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
  };
  ASSERT_EQ(raw->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(static_cast<uint8_t>((*raw)[i]), expected[i]) << "byte " << i;
  }
  EXPECT_TRUE(dispatcher_.initialized());
  EXPECT_EQ(dispatcher_.negotiated_flags(), 0x0044a029U);
}

TEST_F(DispatcherTest, RequestsBeforeInitGetEio) {
  EXPECT_EQ(Send(Req(O::kGetattr).Add(abi::GetattrIn{}).Build()).error(), EIO);
  SendNoReply(Req(O::kForget, 5).Add(abi::ForgetIn{1}).Build());
  EXPECT_EQ(kernel_.Init().error(), 0);
  EXPECT_EQ(Getattr(abi::kRootId).attr.mode, S_IFDIR | 0755U);
  // A second INIT is a protocol error.
  abi::InitIn in{7, 44, 0, 0, 0, {}};
  EXPECT_EQ(Send(Req(O::kInit, 0).Add(in).Build()).error(), EIO);
}

TEST_F(DispatcherTest, InitRejectsOldKernelAndRetriesNewMajor) {
  abi::InitIn old{7, 26, 0, 0, 0, {}};
  EXPECT_EQ(Send(Req(O::kInit, 0).Add(old).Build()).error(), EPROTO);
  EXPECT_FALSE(dispatcher_.initialized());
  abi::InitIn newer{8, 1, 0, 0, 0, {}};
  Reply retry = Send(Req(O::kInit, 0).Add(newer).Build());
  EXPECT_EQ(retry.error(), 0);
  ASSERT_EQ(retry.body.size(), 8U);
  EXPECT_EQ(retry.As<uint32_t>(0), 7U);
  EXPECT_FALSE(dispatcher_.initialized());
  EXPECT_EQ(kernel_.Init().error(), 0);
}

// ---- Malformed messages ----

class MalformedTest : public DispatcherTest {
 protected:
  void SetUp() override { ASSERT_EQ(kernel_.Init().error(), 0); }
};

TEST_F(MalformedTest, TruncatedHeaderIsDroppedAndCounted) {
  std::vector<std::byte> message = Req(O::kGetattr).Add(abi::GetattrIn{}).Build();
  message.resize(20);
  SendNoReply(message);
  EXPECT_EQ(dispatcher_.counters().dropped.load(), 1U);
  SendNoReply({});
  EXPECT_EQ(dispatcher_.counters().dropped.load(), 2U);
  // The session goes on.
  EXPECT_EQ(Getattr(abi::kRootId).attr.ino, 1U);
}

TEST_F(MalformedTest, LenLargerThanMessage) {
  Reply r = Send(Req(O::kGetattr).Add(abi::GetattrIn{}).BuildWithLen(1000));
  EXPECT_EQ(r.error(), EINVAL);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(dispatcher_.counters().malformed.load(), 1U);
}

TEST_F(MalformedTest, LenSmallerThanHeader) {
  EXPECT_EQ(Send(Req(O::kGetattr).Add(abi::GetattrIn{}).BuildWithLen(12)).error(), EINVAL);
}

TEST_F(MalformedTest, MessageLargerThanTheReadBufferIsCutAndRejected) {
  // 2 MiB of WRITE payload: the server's read (RequestBufferSize) returns a prefix whose len
  // field promises more than was read.
  std::string payload(2 << 20, 'x');
  abi::WriteIn in{};
  in.size = static_cast<uint32_t>(payload.size());
  Reply r = Send(Req(O::kWrite, abi::kRootId).Add(in).AddBytes(payload).Build());
  EXPECT_EQ(r.error(), EINVAL);
}

TEST_F(MalformedTest, LenSmallerThanOpcodeArgument) {
  // GETATTR wants 16 argument bytes; 8 given.
  EXPECT_EQ(Send(Req(O::kGetattr).Add(uint64_t{0}).Build()).error(), EINVAL);
  // READ wants 40.
  EXPECT_EQ(Send(Req(O::kRead).Add(abi::OpenIn{}).Build()).error(), EINVAL);
  // WRITE wants 40 before any payload.
  EXPECT_EQ(Send(Req(O::kWrite).AddBytes("abc").Build()).error(), EINVAL);
  // SETATTR wants 88.
  EXPECT_EQ(Send(Req(O::kSetattr).Add(abi::GetattrIn{}).Build()).error(), EINVAL);
  // INIT after INIT is EIO regardless; a bare header for STATFS (no arguments) is fine.
  EXPECT_EQ(Send(Req(O::kStatfs).Build()).error(), 0);
  EXPECT_EQ(dispatcher_.counters().malformed.load(), 4U);
  // FORGET without its argument takes no reply: dropped.
  SendNoReply(Req(O::kForget, 1).Build());
  EXPECT_EQ(dispatcher_.counters().dropped.load(), 1U);
}

TEST_F(MalformedTest, MissingNulInNames) {
  EXPECT_EQ(Send(Req(O::kLookup).AddBytes("noterm").Build()).error(), EINVAL);
  EXPECT_EQ(Send(Req(O::kMkdir).Add(abi::MkdirIn{0755, 0}).AddBytes("dir").Build()).error(),
            EINVAL);
  EXPECT_EQ(Send(Req(O::kUnlink).AddBytes("f").AddBytes("x").Build()).error(), EINVAL);
  EXPECT_EQ(Send(Req(O::kCreate).Add(abi::CreateIn{}).AddBytes("file").Build()).error(), EINVAL);
  // RENAME: the second name lacks its terminator.
  EXPECT_EQ(Send(Req(O::kRename).Add(abi::RenameIn{1}).AddName("a").AddBytes("b").Build()).error(),
            EINVAL);
  EXPECT_EQ(Send(Req(O::kRename2).Add(abi::Rename2In{1, 0, 0}).AddName("a").AddBytes("bb").Build())
                .error(),
            EINVAL);
  // The terminator is outside `len` (present in the bytes sent, excluded by len).
  std::vector<std::byte> lookup = Req(O::kLookup).AddName("abc").Build();
  EXPECT_EQ(Send(Req(O::kLookup).AddName("abc").BuildWithLen(lookup.size() - 1)).error(), EINVAL);
  // Names the kernel never sends.
  EXPECT_EQ(Send(Req(O::kLookup).AddName("..").Build()).error(), EINVAL);
  EXPECT_EQ(Send(Req(O::kLookup).AddName("a/b").Build()).error(), EINVAL);
  EXPECT_EQ(Send(Req(O::kLookup).AddName("").Build()).error(), EINVAL);
  EXPECT_EQ(dispatcher_.counters().malformed.load(), 10U);
  // Too long a component is ENAMETOOLONG, not malformed.
  EXPECT_EQ(Send(Req(O::kLookup).AddName(std::string(256, 'n')).Build()).error(), ENAMETOOLONG);
}

TEST_F(MalformedTest, WriteSizeMismatch) {
  auto [entry, open] = Create(abi::kRootId, "f");
  abi::WriteIn in{};
  in.fh = open.fh;
  in.size = 10;
  EXPECT_EQ(Send(Req(O::kWrite, entry.nodeid).Add(in).AddBytes("short").Build()).error(), EINVAL);
  in.size = 2;
  EXPECT_EQ(Send(Req(O::kWrite, entry.nodeid).Add(in).AddBytes("longer").Build()).error(), EINVAL);
  // Nothing was written.
  EXPECT_EQ(Getattr(entry.nodeid).attr.size, 0U);
  EXPECT_EQ(Write(entry.nodeid, open.fh, 0, "ok").As<abi::WriteOut>().size, 2U);
}

TEST_F(MalformedTest, ExtensionLengthBeyondMessage) {
  EXPECT_EQ(Send(Req(O::kGetattr).Add(abi::GetattrIn{}).WithExtLen(3).Build()).error(), EINVAL);
}

TEST_F(MalformedTest, UnknownOpcodesGetEnosys) {
  for (uint32_t opcode : {0U, 7U, 19U, 53U, 999U, 4096U, 0xffffffffU}) {
    EXPECT_EQ(Send(RequestBuilder(opcode, kernel_.NextUnique(), 1).Build()).error(), ENOSYS)
        << opcode;
  }
  EXPECT_EQ(dispatcher_.counters().unknown.load(), 7U);
  EXPECT_EQ(dispatcher_.counters().unsupported.load(), 0U);
}

TEST_F(MalformedTest, BatchForgetWithBadCountIsDropped) {
  const abi::EntryOut d = Mkdir(abi::kRootId, "d");
  SendNoReply(Req(O::kBatchForget, 0)
                  .Add(abi::BatchForgetIn{3, 0})
                  .Add(abi::ForgetOne{d.nodeid, 1})
                  .Build());
  EXPECT_EQ(dispatcher_.counters().dropped.load(), 1U);
  EXPECT_EQ(dispatcher_.inodes().Lookups(d.nodeid), 1U);  // not applied
}

// ---- The table of unsupported operations ----

TEST_F(MalformedTest, UnsupportedOperationsAnswerTheirErrno) {
  uint64_t count = 0;
  for (const UnsupportedOp& op : UnsupportedOps()) {
    // Arguments are irrelevant: the fixed errno comes before decoding.
    Reply r = Send(Req(op.opcode).Add(abi::ReadIn{}).AddName("x").Build());
    EXPECT_EQ(r.error(), op.error) << op.name;
    EXPECT_TRUE(r.body.empty());
    ++count;
  }
  EXPECT_EQ(dispatcher_.counters().unsupported.load(), count);
  const UnsupportedOp* link = FindUnsupportedOp(static_cast<uint32_t>(O::kLink));
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->error, EPERM);
  EXPECT_EQ(FindUnsupportedOp(static_cast<uint32_t>(O::kMknod))->error, EPERM);
  EXPECT_EQ(FindUnsupportedOp(static_cast<uint32_t>(O::kSymlink)), nullptr);
  EXPECT_EQ(FindUnsupportedOp(static_cast<uint32_t>(O::kReadlink)), nullptr);
  EXPECT_EQ(FindUnsupportedOp(static_cast<uint32_t>(O::kGetxattr))->error, ENOSYS);
  EXPECT_EQ(FindUnsupportedOp(static_cast<uint32_t>(O::kLookup)), nullptr);
}

TEST(FuseProtocolDocTest, DocumentMirrorsTheUnsupportedTable) {
  std::ifstream file(std::string(ALLUXIO_SOURCE_DIR) + "/docs/fuse-protocol.md");
  ASSERT_TRUE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  for (const UnsupportedOp& op : UnsupportedOps()) {
    const std::string row = "| " + std::string(op.name) + " | " + strerrorname_np(op.error) + " |";
    EXPECT_NE(text.str().find(row), std::string::npos) << "missing row: " << row;
  }
}

// ---- A session against the reference file system ----

class SessionTest : public DispatcherTest {
 protected:
  void SetUp() override { ASSERT_EQ(kernel_.Init().error(), 0); }
};

TEST_F(SessionTest, LookupEntryBytes) {
  EXPECT_EQ(Send(Req(O::kLookup).AddName("missing").Build()).error(), ENOENT);
  const abi::EntryOut made = Mkdir(abi::kRootId, "d", 0750);
  const abi::EntryOut entry = Lookup(abi::kRootId, "d");
  EXPECT_EQ(entry.nodeid, made.nodeid);
  EXPECT_EQ(entry.generation, 1U);
  EXPECT_EQ(entry.entry_valid, 2U);
  EXPECT_EQ(entry.entry_valid_nsec, 500'000'000U);
  EXPECT_EQ(entry.attr_valid, 600U);
  EXPECT_EQ(entry.attr_valid_nsec, 0U);
  EXPECT_EQ(entry.attr.ino, 2U);
  EXPECT_EQ(entry.attr.mode, S_IFDIR | 0750U);
  EXPECT_EQ(entry.attr.nlink, 2U);
  EXPECT_EQ(entry.attr.uid, MemoryFileSystem::kUid);
  EXPECT_EQ(entry.attr.gid, MemoryFileSystem::kGid);
  EXPECT_EQ(entry.attr.mtime, 1'700'000'000U);
  EXPECT_EQ(entry.attr.mtimensec, 5U);
  EXPECT_EQ(entry.attr.blksize, 4096U);
  EXPECT_EQ(dispatcher_.inodes().Lookups(entry.nodeid), 2U);  // MKDIR + LOOKUP
  // Lookup below a file: ENOTDIR from the file system.
  auto [file, open] = Create(entry.nodeid, "f");
  EXPECT_EQ(Send(Req(O::kLookup, file.nodeid).AddName("x").Build()).error(), ENOTDIR);
  // An unknown node id.
  EXPECT_EQ(Send(Req(O::kLookup, 999).AddName("x").Build()).error(), ENOENT);
}

class NegativeTimeoutTest : public DispatcherTest {
 protected:
  NegativeTimeoutTest() : DispatcherTest(WithNegativeTimeout()) {}
  static FuseOptions WithNegativeTimeout() {
    FuseOptions options = Options();
    options.negative_timeout = 30.25;
    return options;
  }
  void SetUp() override { ASSERT_EQ(kernel_.Init().error(), 0); }
};

// A missing name is answered as an entry with node id 0 valid for negative_timeout (the
// kernel's negative dentry), taking no node; other failures stay errors.
TEST_F(NegativeTimeoutTest, AMissingNameIsANegativeEntry) {
  Reply r = Send(Req(O::kLookup).AddName("missing").Build());
  ASSERT_EQ(r.error(), 0);
  ASSERT_EQ(r.body.size(), sizeof(abi::EntryOut));
  const abi::EntryOut negative = r.As<abi::EntryOut>();
  EXPECT_EQ(negative.nodeid, 0U);
  EXPECT_EQ(negative.entry_valid, 30U);
  EXPECT_EQ(negative.entry_valid_nsec, 250'000'000U);
  EXPECT_EQ(negative.attr_valid, 0U);
  EXPECT_EQ(negative.attr.ino, 0U);
  EXPECT_EQ(dispatcher_.inodes().size(), 1U);

  const abi::EntryOut made = Mkdir(abi::kRootId, "d");
  EXPECT_EQ(Lookup(abi::kRootId, "d").nodeid, made.nodeid);
  auto [file, open] = Create(made.nodeid, "f");
  EXPECT_EQ(Send(Req(O::kLookup, file.nodeid).AddName("x").Build()).error(), ENOTDIR);
  EXPECT_EQ(Send(Req(O::kLookup, 999).AddName("x").Build()).error(), ENOENT);  // unknown node
}

TEST_F(SessionTest, SymlinkAndReadlinkGolden) {
  const abi::EntryOut dir = Mkdir(abi::kRootId, "d");
  // SYMLINK: "name\0target\0"; the entry carries the link's own attributes. The target is not
  // interpreted (relative, dangling).
  Reply made = Send(Req(O::kSymlink, dir.nodeid).AddName("lnk").AddName("../t").Build());
  ASSERT_EQ(made.error(), 0);
  ASSERT_EQ(made.body.size(), sizeof(abi::EntryOut));
  const abi::EntryOut link = made.As<abi::EntryOut>();
  EXPECT_EQ(link.attr.mode, S_IFLNK | 0777U);
  EXPECT_EQ(link.attr.size, 4U);
  EXPECT_EQ(link.attr.nlink, 1U);
  EXPECT_EQ(link.entry_valid, 2U);
  EXPECT_EQ(dispatcher_.inodes().Lookups(link.nodeid), 1U);

  // LOOKUP and GETATTR answer the link, not its target.
  EXPECT_EQ(Lookup(dir.nodeid, "lnk").nodeid, link.nodeid);
  EXPECT_EQ(Lookup(dir.nodeid, "lnk").attr.mode, S_IFLNK | 0777U);
  EXPECT_EQ(Getattr(link.nodeid).attr.mode, S_IFLNK | 0777U);

  // READLINK: the target's bytes, no NUL.
  const uint64_t unique = kernel_.NextUnique();
  std::optional<std::vector<std::byte>> raw =
      kernel_.RoundtripRaw(RequestBuilder(O::kReadlink, unique, link.nodeid).Build());
  ASSERT_TRUE(raw.has_value());
  std::vector<std::byte> golden = {
      std::byte{0x14}, std::byte{0}, std::byte{0}, std::byte{0},  // len = 16 + 4
      std::byte{0},    std::byte{0}, std::byte{0}, std::byte{0},  // error = 0
  };
  for (int i = 0; i < 8; ++i) golden.push_back(static_cast<std::byte>(unique >> (8 * i)));
  for (char c : std::string_view("../t")) golden.push_back(static_cast<std::byte>(c));
  EXPECT_EQ(*raw, golden);

  // Listings show the link as a link.
  const uint64_t fh = Opendir(dir.nodeid);
  std::vector<Listed> listed = Readdir(dir.nodeid, fh, 0, /*plus=*/true);
  ASSERT_EQ(listed.size(), 3U);
  EXPECT_EQ(listed[2].name, "lnk");
  EXPECT_EQ(listed[2].type, static_cast<uint32_t>(DT_LNK));
  EXPECT_EQ(listed[2].nodeid, link.nodeid);

  // Errors.
  EXPECT_EQ(Send(Req(O::kReadlink, dir.nodeid).Build()).error(), EINVAL);  // not a link
  EXPECT_EQ(Send(Req(O::kReadlink, 999).Build()).error(), ENOENT);
  EXPECT_EQ(Send(Req(O::kSymlink, dir.nodeid).AddName("lnk").AddName("x").Build()).error(), EEXIST);
  const std::string too_long(4096, 'x');
  EXPECT_EQ(Send(Req(O::kSymlink, dir.nodeid).AddName("l2").AddName(too_long).Build()).error(),
            ENAMETOOLONG);
  const std::string longest(4095, 'x');
  EXPECT_EQ(Send(Req(O::kSymlink, dir.nodeid).AddName("l3").AddName(longest).Build()).error(), 0);
  EXPECT_EQ(Send(Req(O::kSymlink, dir.nodeid).AddName("l4").AddName("").Build()).error(), EINVAL);
  EXPECT_EQ(Send(Req(O::kSymlink, dir.nodeid).AddName("l5").AddBytes("t").Build()).error(),
            EINVAL);  // the target has no NUL

  // A link is unlinked and renamed like a file.
  EXPECT_EQ(Rename2(dir.nodeid, "lnk", abi::kRootId, "moved", 0), 0);
  EXPECT_EQ(Send(Req(O::kUnlink).AddName("moved").Build()).error(), 0);
  EXPECT_EQ(Send(Req(O::kLookup).AddName("moved").Build()).error(), ENOENT);
}

TEST_F(SessionTest, CreateWriteReadRelease) {
  auto [entry, open] = Create(abi::kRootId, "data.bin");
  EXPECT_EQ(entry.attr.mode, S_IFREG | 0644U);
  EXPECT_NE(open.fh, 0U);
  EXPECT_EQ(open.open_flags, abi::kFopenDirectIo);  // a new file is written past the page cache
  Reply w = Write(entry.nodeid, open.fh, 0, "hello, world");
  EXPECT_EQ(w.error(), 0);
  ASSERT_EQ(w.body.size(), sizeof(abi::WriteOut));
  EXPECT_EQ(w.As<abi::WriteOut>().size, 12U);
  EXPECT_EQ(Write(entry.nodeid, open.fh, 7, "WORLD").As<abi::WriteOut>().size, 5U);
  EXPECT_EQ(Send(Req(O::kFlush, entry.nodeid).Add(abi::FlushIn{open.fh, 0, 0, 0}).Build()).error(),
            0);
  EXPECT_EQ(Send(Req(O::kFsync, entry.nodeid).Add(abi::FsyncIn{open.fh, 1, 0}).Build()).error(), 0);
  // Writing through a read-only handle fails in the file system: EINVAL.
  const uint64_t reader = Open(entry.nodeid, O_RDONLY);
  EXPECT_EQ(Write(entry.nodeid, reader, 0, "x").error(), EINVAL);
  EXPECT_EQ(Read(entry.nodeid, reader, 0, 4096).Text(), "hello, WORLD");
  EXPECT_EQ(Read(entry.nodeid, reader, 7, 3).Text(), "WOR");
  Reply eof = Read(entry.nodeid, reader, 100, 10);
  EXPECT_EQ(eof.error(), 0);
  EXPECT_TRUE(eof.body.empty());
  // More than the negotiated maximum: EINVAL, not a silent short read.
  EXPECT_EQ(Read(entry.nodeid, reader, 0, (1U << 20) + 1).error(), EINVAL);
  EXPECT_EQ(Read(entry.nodeid, reader, 0, 1U << 20).Text(), "hello, WORLD");
  EXPECT_EQ(Getattr(entry.nodeid).attr.size, 12U);
  EXPECT_EQ(Getattr(entry.nodeid).attr.blocks, 1U);
  EXPECT_EQ(Release(entry.nodeid, reader), 0);
  EXPECT_EQ(Release(entry.nodeid, open.fh), 0);
  EXPECT_EQ(fs_.open_handles(), 0U);
  EXPECT_EQ(Release(entry.nodeid, open.fh), EINVAL);  // already released
}

TEST_F(SessionTest, LargeWriteAndRead) {
  auto [entry, open] = Create(abi::kRootId, "big");
  std::string payload(1 << 20, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7);
  EXPECT_EQ(Write(entry.nodeid, open.fh, 0, payload).As<abi::WriteOut>().size, 1U << 20);
  const uint64_t reader = Open(entry.nodeid, O_RDONLY);
  EXPECT_EQ(Read(entry.nodeid, reader, 0, 1U << 20).Text(), payload);
}

TEST_F(SessionTest, OpenFlagsFollowOptions) {
  FuseOptions options;
  options.direct_io = true;
  options.kernel_cache = true;
  MemoryFileSystem fs;
  FuseDispatcher dispatcher(fs, options);
  FakeKernel kernel(dispatcher);
  ASSERT_EQ(kernel.Init().error(), 0);
  std::optional<Reply> created = kernel.Roundtrip(RequestBuilder(O::kCreate, 5, 1)
                                                      .Add(abi::CreateIn{O_CREAT | O_RDWR, 0600})
                                                      .AddName("f")
                                                      .Build());
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->As<abi::OpenOut>(sizeof(abi::EntryOut)).open_flags,
            abi::kFopenDirectIo | abi::kFopenKeepCache);
  // O_TRUNC reaches the file system (ATOMIC_O_TRUNC).
  const uint64_t nodeid = created->As<abi::EntryOut>().nodeid;
  abi::WriteIn in{};
  in.fh = created->As<abi::OpenOut>(sizeof(abi::EntryOut)).fh;
  in.size = 3;
  ASSERT_TRUE(kernel.Roundtrip(RequestBuilder(O::kWrite, 6, nodeid).Add(in).AddBytes("abc").Build())
                  .has_value());
  std::optional<Reply> opened = kernel.Roundtrip(
      RequestBuilder(O::kOpen, 7, nodeid).Add(abi::OpenIn{O_WRONLY | O_TRUNC, 0}).Build());
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->error(), 0);
  EXPECT_EQ(opened->As<abi::OpenOut>().open_flags, abi::kFopenDirectIo | abi::kFopenKeepCache);
  std::optional<Reply> attr =
      kernel.Roundtrip(RequestBuilder(O::kGetattr, 8, nodeid).Add(abi::GetattrIn{}).Build());
  EXPECT_EQ(attr->As<abi::AttrOut>().attr.size, 0U);
  // A read-only handle needs no FLUSH at close.
  std::optional<Reply> reader =
      kernel.Roundtrip(RequestBuilder(O::kOpen, 9, nodeid).Add(abi::OpenIn{O_RDONLY, 0}).Build());
  ASSERT_TRUE(reader.has_value());
  EXPECT_EQ(reader->As<abi::OpenOut>().open_flags,
            abi::kFopenDirectIo | abi::kFopenKeepCache | abi::kFopenNoflush);
}

TEST_F(SessionTest, AutoCacheKeepsPagesAcrossOpens) {
  FuseOptions options;
  options.auto_cache = true;
  MemoryFileSystem fs;
  FuseDispatcher dispatcher(fs, options);
  FakeKernel kernel(dispatcher);
  ASSERT_EQ(kernel.Init().error(), 0);
  EXPECT_NE(dispatcher.negotiated_flags() & abi::kAutoInvalData, 0U);
  std::optional<Reply> created = kernel.Roundtrip(RequestBuilder(O::kCreate, 5, 1)
                                                      .Add(abi::CreateIn{O_CREAT | O_RDWR, 0600})
                                                      .AddName("f")
                                                      .Build());
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->As<abi::OpenOut>(sizeof(abi::EntryOut)).open_flags,
            abi::kFopenKeepCache | abi::kFopenDirectIo);
}

// A file system whose read-only opens read the content version the test sets for the path (an
// Alluxio file system names the complete file it opened).
class VersionedFileSystem : public MemoryFileSystem {
 public:
  std::map<std::string, fs::ContentVersion> versions;

  fs::Task<fs::FileHandle> Open(std::string path, int flags, fs::Caller caller) override {
    Result<fs::FileHandle> handle = co_await MemoryFileSystem::Open(path, flags, caller);
    if (handle) paths_[*handle] = path;
    co_return handle;
  }
  std::optional<fs::ContentVersion> ContentOf(fs::FileHandle handle) override {
    auto path = paths_.find(handle);
    if (path == paths_.end()) return std::nullopt;
    auto version = versions.find(path->second);
    return version == versions.end() ? std::nullopt : std::optional(version->second);
  }

 private:
  std::map<fs::FileHandle, std::string> paths_;
};

TEST_F(SessionTest, CompleteFilesKeepTheirPagesUntilAnOpenFindsThemReplaced) {
  VersionedFileSystem fs;
  FuseDispatcher dispatcher(fs, FuseOptions{});
  FakeKernel kernel(dispatcher);
  ASSERT_EQ(kernel.Init().error(), 0);
  std::optional<Reply> created = kernel.Roundtrip(RequestBuilder(O::kCreate, 5, 1)
                                                      .Add(abi::CreateIn{O_CREAT | O_WRONLY, 0600})
                                                      .AddName("f")
                                                      .Build());
  ASSERT_TRUE(created.has_value());
  const uint64_t nodeid = created->As<abi::EntryOut>().nodeid;
  uint64_t unique = 10;
  auto release = [&](uint64_t fh) {
    return kernel.Roundtrip(
        RequestBuilder(O::kRelease, unique++, nodeid).Add(abi::ReleaseIn{fh, 0, 0, 0}).Build());
  };
  ASSERT_TRUE(release(created->As<abi::OpenOut>(sizeof(abi::EntryOut)).fh).has_value());
  auto open = [&] {
    std::optional<Reply> r = kernel.Roundtrip(
        RequestBuilder(O::kOpen, unique++, nodeid).Add(abi::OpenIn{O_RDONLY, 0}).Build());
    EXPECT_TRUE(r.has_value() && r->error() == 0);
    return r ? r->As<abi::OpenOut>() : abi::OpenOut{};
  };
  constexpr uint32_t kCacheFlags = abi::kFopenKeepCache | abi::kFopenDirectIo;
  fs.versions["/f"] = fs::ContentVersion{2, 0, 100};
  const abi::OpenOut first = open();
  EXPECT_EQ(first.open_flags & kCacheFlags, 0U);  // pages of unknown content are dropped
  const abi::OpenOut second = open();
  EXPECT_EQ(second.open_flags & kCacheFlags, abi::kFopenKeepCache);
  fs.versions["/f"] = fs::ContentVersion{3, 0, 200};  // replaced while both are open
  const abi::OpenOut third = open();
  EXPECT_EQ(third.open_flags & kCacheFlags, abi::kFopenDirectIo);
  ASSERT_TRUE(release(first.fh).has_value());
  ASSERT_TRUE(release(second.fh).has_value());
  ASSERT_TRUE(release(third.fh).has_value());
  const abi::OpenOut fourth = open();  // the old readers are gone: the pages are dropped
  EXPECT_EQ(fourth.open_flags & kCacheFlags, 0U);
  EXPECT_EQ(open().open_flags & kCacheFlags, abi::kFopenKeepCache);
}

TEST_F(SessionTest, DirectoryListingPagesWithOffsets) {
  const abi::EntryOut dir = Mkdir(abi::kRootId, "dir");
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) {
    names.push_back("file" + std::to_string(100 + i));
    auto [entry, open] = Create(dir.nodeid, names.back());
    EXPECT_EQ(Release(entry.nodeid, open.fh), 0);
  }
  const uint64_t fh = Opendir(dir.nodeid);
  // READDIR in small pages; follow the offsets until an empty reply.
  std::vector<std::string> seen;
  uint64_t offset = 0;
  for (int pages = 0; pages < 100; ++pages) {
    std::vector<Listed> page = Readdir(dir.nodeid, fh, offset, /*plus=*/false, 256);
    if (page.empty()) break;
    for (const Listed& e : page) {
      seen.push_back(e.name);
      EXPECT_GT(e.off, offset);
      offset = e.off;
    }
  }
  ASSERT_EQ(seen.size(), 42U);
  EXPECT_EQ(seen[0], ".");
  EXPECT_EQ(seen[1], "..");
  EXPECT_EQ(std::vector<std::string>(seen.begin() + 2, seen.end()), names);

  // READDIRPLUS: every real entry gets a node and one lookup reference; dots get none.
  std::vector<Listed> plus = Readdir(dir.nodeid, fh, 0, /*plus=*/true, 4096);
  ASSERT_GE(plus.size(), 3U);
  EXPECT_LE(plus.size(), 4096U / 160);
  EXPECT_EQ(plus[0].name, ".");
  EXPECT_EQ(plus[0].nodeid, 0U);
  EXPECT_EQ(plus[0].ino, dir.attr.ino);
  EXPECT_EQ(plus[1].name, "..");
  EXPECT_EQ(plus[1].ino, 1U);
  EXPECT_EQ(plus[2].name, names[0]);
  EXPECT_EQ(plus[2].type, static_cast<uint32_t>(DT_REG));
  EXPECT_EQ(plus[2].nodeid, Lookup(dir.nodeid, names[0]).nodeid);
  EXPECT_EQ(dispatcher_.inodes().Lookups(plus[2].nodeid), 3U);  // CREATE, READDIRPLUS, LOOKUP
  // Resuming from the last offset of the first page continues exactly after it.
  std::vector<Listed> next = Readdir(dir.nodeid, fh, plus.back().off, /*plus=*/true, 4096);
  ASSERT_FALSE(next.empty());
  EXPECT_EQ(next[0].name, names[plus.size() - 2]);
  // Past the end: empty.
  EXPECT_TRUE(Readdir(dir.nodeid, fh, 1000, false).empty());
  // A buffer too small for one record: empty reply, not an error.
  EXPECT_TRUE(Readdir(dir.nodeid, fh, 0, true, 100).empty());

  EXPECT_EQ(Send(Req(O::kFsyncdir, dir.nodeid).Add(abi::FsyncIn{fh, 0, 0}).Build()).error(), 0);
  EXPECT_EQ(dispatcher_.open_dir_handles(), 1U);
  EXPECT_EQ(Send(Req(O::kReleasedir, dir.nodeid).Add(abi::ReleaseIn{fh, 0, 0, 0}).Build()).error(),
            0);
  EXPECT_EQ(dispatcher_.open_dir_handles(), 0U);
  abi::ReadIn in{};
  in.fh = fh;
  in.size = 4096;
  EXPECT_EQ(Send(Req(O::kReaddir, dir.nodeid).Add(in).Build()).error(), EBADF);
  EXPECT_EQ(Send(Req(O::kReleasedir, dir.nodeid).Add(abi::ReleaseIn{fh, 0, 0, 0}).Build()).error(),
            EBADF);
  // OPENDIR of a file.
  const abi::EntryOut file = Lookup(dir.nodeid, names[0]);
  EXPECT_EQ(Send(Req(O::kOpendir, file.nodeid).Add(abi::OpenIn{}).Build()).error(), ENOTDIR);
}

TEST_F(SessionTest, RenameMovesNodesAndDescendants) {
  const abi::EntryOut a = Mkdir(abi::kRootId, "a");
  const abi::EntryOut sub = Mkdir(a.nodeid, "sub");
  auto [file, open] = Create(sub.nodeid, "f");
  EXPECT_EQ(Release(file.nodeid, open.fh), 0);
  const abi::EntryOut b = Mkdir(abi::kRootId, "b");

  EXPECT_EQ(Send(Req(O::kRename, abi::kRootId)
                     .Add(abi::RenameIn{b.nodeid})
                     .AddName("a")
                     .AddName("moved")
                     .Build())
                .error(),
            0);
  // The old node ids still work and now resolve to the new paths.
  EXPECT_EQ(Getattr(file.nodeid).attr.ino, file.attr.ino);
  EXPECT_EQ(Lookup(b.nodeid, "moved").nodeid, a.nodeid);
  EXPECT_EQ(Lookup(Lookup(b.nodeid, "moved").nodeid, "sub").nodeid, sub.nodeid);
  EXPECT_EQ(Send(Req(O::kLookup).AddName("a").Build()).error(), ENOENT);

  // RENAME2 NOREPLACE onto an existing name; EXCHANGE swaps; bad flags.
  const abi::EntryOut c = Mkdir(abi::kRootId, "c");
  EXPECT_EQ(Rename2(abi::kRootId, "c", abi::kRootId, "b", abi::kRenameNoreplace), EEXIST);
  EXPECT_EQ(Rename2(abi::kRootId, "c", abi::kRootId, "b", abi::kRenameExchange), 0);
  EXPECT_EQ(Lookup(abi::kRootId, "b").nodeid, c.nodeid);
  EXPECT_EQ(Lookup(abi::kRootId, "c").nodeid, b.nodeid);
  EXPECT_EQ(Getattr(file.nodeid).attr.ino, file.attr.ino);  // now /c/moved/sub/f
  EXPECT_EQ(
      Rename2(abi::kRootId, "b", abi::kRootId, "c", abi::kRenameExchange | abi::kRenameNoreplace),
      EINVAL);
  EXPECT_EQ(Rename2(abi::kRootId, "b", abi::kRootId, "c", abi::kRenameWhiteout), EINVAL);
  EXPECT_EQ(Rename2(abi::kRootId, "nope", abi::kRootId, "x", 0), ENOENT);
  // Replacing a non-empty directory.
  EXPECT_EQ(Rename2(abi::kRootId, "b", abi::kRootId, "c", 0), ENOTEMPTY);
  // Into its own subtree.
  EXPECT_EQ(Rename2(abi::kRootId, "c", sub.nodeid, "x", 0), EINVAL);
  // Replacing a file detaches the replaced node.
  auto [f1, o1] = Create(abi::kRootId, "f1");
  auto [f2, o2] = Create(abi::kRootId, "f2");
  EXPECT_EQ(Rename2(abi::kRootId, "f1", abi::kRootId, "f2", 0), 0);
  EXPECT_EQ(Getattr(f1.nodeid).attr.ino, f1.attr.ino);
  Getattr(f2.nodeid, ENOENT);
  // The replaced file's open handle still reads (POSIX: unlinked but open).
  EXPECT_EQ(Write(f2.nodeid, o2.fh, 0, "xy").As<abi::WriteOut>().size, 2U);
}

TEST_F(SessionTest, UnlinkRmdirAndForget) {
  const abi::EntryOut d = Mkdir(abi::kRootId, "d");
  auto [f, open] = Create(d.nodeid, "f");
  EXPECT_EQ(Send(Req(O::kMkdir).Add(abi::MkdirIn{0755, 0}).AddName("d").Build()).error(), EEXIST);
  EXPECT_EQ(Send(Req(O::kRmdir).AddName("d").Build()).error(), ENOTEMPTY);
  EXPECT_EQ(Send(Req(O::kUnlink).AddName("d").Build()).error(), EISDIR);
  EXPECT_EQ(Send(Req(O::kRmdir, d.nodeid).AddName("f").Build()).error(), ENOTDIR);
  EXPECT_EQ(Send(Req(O::kUnlink, d.nodeid).AddName("f").Build()).error(), 0);
  Getattr(f.nodeid, ENOENT);  // detached
  EXPECT_EQ(Send(Req(O::kUnlink, d.nodeid).AddName("f").Build()).error(), ENOENT);
  EXPECT_EQ(Release(f.nodeid, open.fh), 0);
  EXPECT_EQ(Send(Req(O::kRmdir).AddName("d").Build()).error(), 0);
  // A name reused after unlink gets a new node.
  const abi::EntryOut d2 = Mkdir(abi::kRootId, "d");
  EXPECT_NE(d2.nodeid, d.nodeid);

  // FORGET and BATCH_FORGET drop references; at zero the node is gone.
  const size_t before = dispatcher_.inodes().size();
  SendNoReply(Req(O::kForget, f.nodeid).Add(abi::ForgetIn{1}).Build());
  SendNoReply(Req(O::kBatchForget, 0)
                  .Add(abi::BatchForgetIn{2, 0})
                  .Add(abi::ForgetOne{d.nodeid, 1})
                  .Add(abi::ForgetOne{d2.nodeid, 1})
                  .Build());
  EXPECT_EQ(dispatcher_.inodes().size(), before - 3);
  Getattr(d2.nodeid, ENOENT);
  EXPECT_EQ(Lookup(abi::kRootId, "d").attr.ino, d2.attr.ino);
}

TEST_F(SessionTest, SetattrStatfsAccess) {
  auto [f, open] = Create(abi::kRootId, "f");
  EXPECT_EQ(Write(f.nodeid, open.fh, 0, "0123456789").error(), 0);
  abi::SetattrIn in{};
  in.valid = abi::kFattrSize | abi::kFattrFh;
  in.size = 4;
  in.fh = open.fh;
  Reply r = Send(Req(O::kSetattr, f.nodeid).Add(in).Build());
  ASSERT_EQ(r.error(), 0);
  EXPECT_EQ(r.As<abi::AttrOut>().attr.size, 4U);
  EXPECT_EQ(r.As<abi::AttrOut>().attr_valid, 600U);
  in = {};
  in.valid = abi::kFattrMode | abi::kFattrUid | abi::kFattrGid;
  in.mode = S_IFREG | 04711;
  in.uid = 7;
  in.gid = 8;
  r = Send(Req(O::kSetattr, f.nodeid).Add(in).Build());
  EXPECT_EQ(r.As<abi::AttrOut>().attr.mode, S_IFREG | 04711U);
  EXPECT_EQ(r.As<abi::AttrOut>().attr.uid, 7U);
  EXPECT_EQ(r.As<abi::AttrOut>().attr.gid, 8U);
  in = {};
  in.valid = abi::kFattrMtime | abi::kFattrAtime;
  in.mtime = 1234;
  in.mtimensec = 56;
  in.atime = 99;
  r = Send(Req(O::kSetattr, f.nodeid).Add(in).Build());
  EXPECT_EQ(r.As<abi::AttrOut>().attr.mtime, 1234U);
  EXPECT_EQ(r.As<abi::AttrOut>().attr.mtimensec, 56U);
  EXPECT_EQ(r.As<abi::AttrOut>().attr.atime, 99U);
  in.valid = abi::kFattrMtime | abi::kFattrMtimeNow;
  r = Send(Req(O::kSetattr, f.nodeid).Add(in).Build());
  EXPECT_EQ(r.As<abi::AttrOut>().attr.mtime, 1'700'000'000U);
  // Truncating a directory.
  in = {};
  in.valid = abi::kFattrSize;
  EXPECT_EQ(Send(Req(O::kSetattr, abi::kRootId).Add(in).Build()).error(), EISDIR);

  Reply st = Send(Req(O::kStatfs).Build());
  ASSERT_EQ(st.error(), 0);
  ASSERT_EQ(st.body.size(), sizeof(abi::StatfsOut));
  EXPECT_EQ(st.As<abi::StatfsOut>().st.blocks, 1000U);
  EXPECT_EQ(st.As<abi::StatfsOut>().st.bavail, 500U);
  EXPECT_EQ(st.As<abi::StatfsOut>().st.bsize, 16384U);
  EXPECT_EQ(st.As<abi::StatfsOut>().st.namelen, 255U);

  // uid 1000 is no longer the owner (7) nor in the group (8); "other" bits of 04711 are --x.
  EXPECT_EQ(Send(Req(O::kAccess, f.nodeid).Add(abi::AccessIn{X_OK, 0}).Build()).error(), 0);
  EXPECT_EQ(Send(Req(O::kAccess, f.nodeid).Add(abi::AccessIn{W_OK, 0}).Build()).error(), EACCES);
  EXPECT_EQ(
      Send(Req(O::kAccess, f.nodeid).Add(abi::AccessIn{W_OK, 0}).WithUidGid(0, 0).Build()).error(),
      0);
}

TEST_F(SessionTest, CreateAndMkdirNameTheirCallerToTheFileSystem) {
  Reply dir = Send(
      Req(O::kMkdir).Add(abi::MkdirIn{0755, 022}).AddName("theirs").WithUidGid(4242, 4343).Build());
  ASSERT_EQ(dir.error(), 0);
  EXPECT_EQ(dir.As<abi::EntryOut>().attr.uid, 4242U);
  EXPECT_EQ(dir.As<abi::EntryOut>().attr.gid, 4343U);
  Reply file = Send(Req(O::kCreate, dir.As<abi::EntryOut>().nodeid)
                        .Add(abi::CreateIn{O_CREAT | O_WRONLY, 0644, 022, 0})
                        .AddName("f")
                        .WithUidGid(65534, 65533)
                        .Build());
  ASSERT_EQ(file.error(), 0);
  EXPECT_EQ(file.As<abi::EntryOut>().attr.uid, 65534U);
  EXPECT_EQ(file.As<abi::EntryOut>().attr.gid, 65533U);
}

TEST_F(SessionTest, AWriteThatKillsSetIdClearsSetuidAndGroupExecutableSetgid) {
  auto [entry, open] = Create(abi::kRootId, "prog");
  abi::SetattrIn chmod{};
  chmod.valid = abi::kFattrMode;
  chmod.mode = S_IFREG | 06755;
  ASSERT_EQ(Send(Req(O::kSetattr, entry.nodeid).Add(chmod).Build()).error(), 0);
  ASSERT_EQ(Write(entry.nodeid, open.fh, 0, "by root").error(), 0);  // no flag: kept
  EXPECT_EQ(Getattr(entry.nodeid).attr.mode, S_IFREG | 06755U);
  abi::WriteIn in{};
  in.fh = open.fh;
  in.offset = 7;
  in.size = 1;
  in.write_flags = abi::kWriteKillSuidgid;
  ASSERT_EQ(Send(Req(O::kWrite, entry.nodeid).Add(in).AddBytes("!").Build()).error(), 0);
  EXPECT_EQ(Getattr(entry.nodeid).attr.mode, S_IFREG | 0755U);
}

TEST_F(SessionTest, FileSystemErrorsMapThroughToErrno) {
  fs_.InjectFailure("GetAttr", ErrorCode::kUnavailable);
  Getattr(abi::kRootId, EIO);
  fs_.InjectFailure("GetAttr", ErrorCode::kTimedOut);
  Getattr(abi::kRootId, ETIMEDOUT);
  fs_.InjectFailure("Mkdir", ErrorCode::kNoSpace);
  EXPECT_EQ(Send(Req(O::kMkdir).Add(abi::MkdirIn{0755, 0}).AddName("x").Build()).error(), ENOSPC);
  fs_.InjectFailure("StatFs", ErrorCode::kPermissionDenied);
  EXPECT_EQ(Send(Req(O::kStatfs).Build()).error(), EACCES);
  fs_.InjectFailure("ListDir", ErrorCode::kIoError);
  const uint64_t fh = Opendir(abi::kRootId);
  abi::ReadIn in{};
  in.fh = fh;
  in.offset = 2;
  in.size = 4096;
  EXPECT_EQ(Send(Req(O::kReaddirplus).Add(in).Build()).error(), EIO);
  fs_.InjectFailure("Open", ErrorCode::kIncomplete);
  auto [f, open] = Create(abi::kRootId, "busy");
  EXPECT_EQ(Send(Req(O::kOpen, f.nodeid).Add(abi::OpenIn{O_RDONLY, 0}).Build()).error(), EBUSY);
  fs_.InjectFailure("Write", ErrorCode::kUnsupported);
  EXPECT_EQ(Write(f.nodeid, open.fh, 1 << 30, "x").error(), EOPNOTSUPP);
  EXPECT_GE(dispatcher_.counters().errors.load(), 7U);
}

TEST_F(SessionTest, InterruptAndDestroy) {
  SendNoReply(Req(O::kInterrupt, 0).Add(abi::InterruptIn{12345}).Build());
  EXPECT_EQ(dispatcher_.counters().interrupts.load(), 1U);
  SendNoReply(Req(O::kNotifyReply, 0).Build());
  EXPECT_FALSE(dispatcher_.destroyed());
  Reply r = Send(Req(O::kDestroy, 0).Build());
  EXPECT_EQ(r.error(), 0);
  EXPECT_TRUE(dispatcher_.destroyed());
  EXPECT_TRUE(r.body.empty());
}

// Mutated valid messages fed straight to the dispatcher (no socket): never more than one reply,
// replies carry the request's unique and a consistent length. Meaningful under ASan/UBSan.
class CaptureSink : public FuseReplySink {
 public:
  void Reply(uint64_t unique, int error, std::span<const iovec> body) override {
    ++replies;
    last_unique = unique;
    EXPECT_GE(error, 0);
    EXPECT_TRUE(error == 0 || body.empty());
    for (const iovec& part : body) {
      // Touch every byte so the sanitizers see reads of the reply memory.
      volatile unsigned char sum = 0;
      for (size_t i = 0; i < part.iov_len; ++i) {
        sum = sum + static_cast<const unsigned char*>(part.iov_base)[i];
      }
    }
  }
  size_t replies = 0;
  uint64_t last_unique = 0;
};

TEST(DispatcherRobustnessTest, MutatedMessagesNeverMisbehave) {
  MemoryFileSystem fs;
  FuseDispatcher dispatcher(fs, FuseOptions{});
  asio::io_context io;
  std::vector<std::byte> scratch(dispatcher.ScratchSize());
  CaptureSink sink;
  auto run = [&](std::vector<std::byte> message) {
    // Exactly-sized heap copy so ASan catches any read past the end.
    auto copy = std::make_unique<std::byte[]>(message.size() + 1);
    std::memcpy(copy.get(), message.data(), message.size());
    const size_t before = sink.replies;
    asio::co_spawn(io, dispatcher.Handle(std::span(copy.get(), message.size()), scratch, sink),
                   asio::detached);
    io.run();
    io.restart();
    EXPECT_LE(sink.replies - before, 1U);
  };
  run(RequestBuilder(O::kInit, 1, 0).Add(abi::InitIn{7, 44, 0, 0xffff, 0, {}}).Build());
  ASSERT_TRUE(dispatcher.initialized());

  std::vector<std::vector<std::byte>> seeds = {
      RequestBuilder(O::kLookup, 2).AddName("a").Build(),
      RequestBuilder(O::kMkdir, 3).Add(abi::MkdirIn{0755, 0}).AddName("d").Build(),
      RequestBuilder(O::kCreate, 4).Add(abi::CreateIn{O_CREAT | O_RDWR, 0644}).AddName("f").Build(),
      RequestBuilder(O::kWrite, 5).Add(abi::WriteIn{1, 0, 3}).AddBytes("abc").Build(),
      RequestBuilder(O::kRead, 6).Add(abi::ReadIn{1, 0, 100}).Build(),
      RequestBuilder(O::kRename2, 7).Add(abi::Rename2In{1, 0}).AddName("f").AddName("g").Build(),
      RequestBuilder(O::kBatchForget, 8)
          .Add(abi::BatchForgetIn{1})
          .Add(abi::ForgetOne{2, 1})
          .Build(),
      RequestBuilder(O::kSetattr, 9).Add(abi::SetattrIn{abi::kFattrSize}).Build(),
      RequestBuilder(O::kOpendir, 10).Add(abi::OpenIn{}).Build(),
      RequestBuilder(O::kReaddirplus, 11).Add(abi::ReadIn{1, 0, 4096}).Build(),
      RequestBuilder(O::kSetxattr, 12)
          .Add(abi::SetxattrIn{1})
          .AddName("user.x")
          .AddBytes("v")
          .Build(),
  };
  std::mt19937 rng(12345);
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::byte> message = seeds[rng() % seeds.size()];
    switch (rng() % 4) {
      case 0:  // flip a few bytes anywhere, header included
        for (int i = 0; i < 3; ++i) message[rng() % message.size()] ^= std::byte(rng() & 0xff);
        break;
      case 1:  // truncate
        message.resize(rng() % (message.size() + 1));
        break;
      case 2: {  // random len field
        const uint32_t len = rng() % 200;
        if (message.size() >= 4) std::memcpy(message.data(), &len, 4);
        break;
      }
      default:  // random opcode
        if (message.size() >= 8) {
          const uint32_t opcode = rng() % 60;
          std::memcpy(message.data() + 4, &opcode, 4);
        }
    }
    run(std::move(message));
  }
  EXPECT_GT(sink.replies, 1000U);
  EXPECT_GT(dispatcher.counters().malformed.load(), 0U);
}

// Several reactors (threads) share one dispatcher: lookups, forgets, renames and listings of the
// same names race on the inode table and directory handles. Run under TSan for races; here it
// also checks that lookup counts balance out.
TEST(DispatcherConcurrencyTest, ThreadsShareTheTables) {
  MemoryFileSystem fs;
  FuseDispatcher dispatcher(fs, FuseOptions{});
  auto run_one = [&dispatcher](asio::io_context& io, CaptureSink& sink,
                               std::vector<std::byte>& scratch, std::vector<std::byte> message) {
    asio::co_spawn(io, dispatcher.Handle(message, scratch, sink), asio::detached);
    io.run();
    io.restart();
  };
  {
    asio::io_context io;
    CaptureSink sink;
    std::vector<std::byte> scratch(dispatcher.ScratchSize());
    run_one(io, sink, scratch, RequestBuilder(O::kInit, 1, 0).Add(abi::InitIn{7, 44}).Build());
    for (const char* name : {"a", "b", "c", "d"}) {
      run_one(io, sink, scratch,
              RequestBuilder(O::kMkdir, 2).Add(abi::MkdirIn{0755, 0}).AddName(name).Build());
    }
    ASSERT_EQ(sink.replies, 5U);
  }
  const size_t nodes_before = dispatcher.inodes().size();  // root + 4 directories

  constexpr int kThreads = 4;
  constexpr int kRounds = 300;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&dispatcher, &run_one, t] {
      asio::io_context io;
      CaptureSink sink;
      std::vector<std::byte> scratch(dispatcher.ScratchSize());
      // (Built by appending: GCC 12 warns falsely on operator+ here.)
      std::string mine = "t";
      mine.push_back(static_cast<char>('0' + t));
      std::string other = mine;
      other.push_back('x');
      run_one(io, sink, scratch,
              RequestBuilder(O::kMkdir, 10).Add(abi::MkdirIn{0755, 0}).AddName(mine).Build());
      for (int i = 0; i < kRounds; ++i) {
        const std::string name(1, static_cast<char>('a' + (i + t) % 4));
        run_one(io, sink, scratch, RequestBuilder(O::kLookup, 11).AddName(name).Build());
        run_one(io, sink, scratch,
                RequestBuilder(O::kRename, 12)
                    .Add(abi::RenameIn{abi::kRootId})
                    .AddName(i % 2 == 0 ? mine : other)
                    .AddName(i % 2 == 0 ? other : mine)
                    .Build());
        run_one(io, sink, scratch, RequestBuilder(O::kOpendir, 13).Add(abi::OpenIn{}).Build());
        run_one(io, sink, scratch, RequestBuilder(O::kStatfs, 14).Build());
      }
      EXPECT_EQ(sink.replies, 1U + 4U * kRounds);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(dispatcher.open_dir_handles(), static_cast<size_t>(kThreads * kRounds));
  // Each thread made one directory and renamed it back and forth (an even number of times).
  EXPECT_EQ(dispatcher.inodes().size(), nodes_before + kThreads);
  uint64_t lookups = 0;
  for (uint64_t id = 2; id < 100; ++id) lookups += dispatcher.inodes().Lookups(id);
  EXPECT_EQ(lookups, 4U + kThreads + uint64_t{kThreads} * kRounds);
}

}  // namespace
}  // namespace alluxio::fuse
