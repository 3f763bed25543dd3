// Writes the seed inputs of every fuzz target into <dir>/<target>/ (fuzz build only; the seeds
// are kept in tests/fuzz/corpus/ and replayed by fuzz_replay_test):
//   fuzz_seed_writer tests/fuzz/corpus
// FUSE: a request of each opcode, as the codec tests build them, and kernel sessions for the
// dispatcher. RPC: call sequences (rpc_calls.h) that exercise each method as a client does.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <capnp/message.h>

#include "core/common/block_id.h"
#include "core/fuse/fuse_abi.h"
#include "schema/master.capnp.h"
#include "schema/worker.capnp.h"
#include "tests/fuse/fake_kernel.h"
#include "tests/fuzz/rpc_calls.h"

namespace alluxio::fuzz {
namespace {

namespace fs = std::filesystem;
using fuse::abi::Opcode;
using fuse::testing::RequestBuilder;

void WriteSeed(const fs::path& dir, const std::string& name, const void* data, size_t size) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary)
      .write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}

// A dispatcher input (fuse_dispatcher_target.cc): messages, each framed by its u16 length.
class Messages {
 public:
  Messages& Add(const RequestBuilder& request) {
    std::vector<std::byte> message = request.Build();
    bytes_.push_back(static_cast<uint8_t>(message.size() & 0xff));
    bytes_.push_back(static_cast<uint8_t>(message.size() >> 8));
    const auto* p = reinterpret_cast<const uint8_t*>(message.data());
    bytes_.insert(bytes_.end(), p, p + message.size());
    return *this;
  }
  void Write(const fs::path& dir, const std::string& name) const {
    WriteSeed(dir, name, bytes_.data(), bytes_.size());
  }

 private:
  std::vector<uint8_t> bytes_;
};

// Writes one request of each opcode as a decoder seed, and all of them in one dispatcher input.
void WriteFuseSeeds(const fs::path& dir, const fs::path& dispatcher_dir) {
  namespace abi = fuse::abi;
  uint64_t unique = 1;
  Messages all;
  auto seed = [&](const std::string& name, const RequestBuilder& request) {
    std::vector<std::byte> bytes = request.Build();
    WriteSeed(dir, name, bytes.data(), bytes.size());
    all.Add(request);
  };
  abi::InitIn init{};
  init.major = 7;
  init.minor = 38;
  init.max_readahead = 1 << 17;
  init.flags = static_cast<uint32_t>(abi::kAsyncRead | abi::kInitExt);
  seed("init", RequestBuilder(Opcode::kInit, unique++).Add(init));
  seed("lookup", RequestBuilder(Opcode::kLookup, unique++).AddName("file"));
  seed("forget", RequestBuilder(Opcode::kForget, unique++, 2).Add(abi::ForgetIn{1}));
  seed("batch_forget", RequestBuilder(Opcode::kBatchForget, unique++)
                           .Add(abi::BatchForgetIn{2, 0})
                           .Add(abi::ForgetOne{2, 1})
                           .Add(abi::ForgetOne{3, 4}));
  seed("getattr", RequestBuilder(Opcode::kGetattr, unique++).Add(abi::GetattrIn{}));
  abi::SetattrIn setattr{};
  setattr.valid = 0x1 | 0x8;  // mode, size
  setattr.size = 4096;
  setattr.mode = 0100644;
  seed("setattr", RequestBuilder(Opcode::kSetattr, unique++, 2).Add(setattr));
  seed("readlink", RequestBuilder(Opcode::kReadlink, unique++, 2));
  seed("symlink", RequestBuilder(Opcode::kSymlink, unique++).AddName("link").AddName("target"));
  seed("mknod", RequestBuilder(Opcode::kMknod, unique++)
                    .Add(abi::MknodIn{0100644, 0, 022, 0})
                    .AddName("node"));
  seed("mkdir", RequestBuilder(Opcode::kMkdir, unique++).Add(abi::MkdirIn{0755, 022}).AddName("d"));
  seed("unlink", RequestBuilder(Opcode::kUnlink, unique++).AddName("file"));
  seed("rmdir", RequestBuilder(Opcode::kRmdir, unique++).AddName("d"));
  seed("rename",
       RequestBuilder(Opcode::kRename, unique++).Add(abi::RenameIn{1}).AddName("a").AddName("b"));
  seed("rename2", RequestBuilder(Opcode::kRename2, unique++)
                      .Add(abi::Rename2In{1, 1, 0})
                      .AddName("a")
                      .AddName("b"));
  seed("link", RequestBuilder(Opcode::kLink, unique++).Add(abi::LinkIn{2}).AddName("hard"));
  seed("open", RequestBuilder(Opcode::kOpen, unique++, 2).Add(abi::OpenIn{02, 0}));
  abi::ReadIn read{};
  read.fh = 1;
  read.size = 4096;
  seed("read", RequestBuilder(Opcode::kRead, unique++, 2).Add(read));
  abi::WriteIn write{};
  write.fh = 1;
  write.offset = 10;
  write.size = 5;
  seed("write", RequestBuilder(Opcode::kWrite, unique++, 2).Add(write).AddBytes("hello"));
  seed("statfs", RequestBuilder(Opcode::kStatfs, unique++));
  seed("release", RequestBuilder(Opcode::kRelease, unique++, 2).Add(abi::ReleaseIn{1, 02, 0, 0}));
  seed("fsync", RequestBuilder(Opcode::kFsync, unique++, 2).Add(abi::FsyncIn{1, 1, 0}));
  seed("setxattr", RequestBuilder(Opcode::kSetxattr, unique++, 2)
                       .Add(uint32_t{3})
                       .Add(uint32_t{0})
                       .AddName("user.k")
                       .AddBytes("val"));
  seed(
      "getxattr",
      RequestBuilder(Opcode::kGetxattr, unique++, 2).Add(abi::GetxattrIn{64, 0}).AddName("user.k"));
  seed("listxattr", RequestBuilder(Opcode::kListxattr, unique++, 2).Add(abi::GetxattrIn{64, 0}));
  seed("removexattr", RequestBuilder(Opcode::kRemovexattr, unique++, 2).AddName("user.k"));
  seed("flush", RequestBuilder(Opcode::kFlush, unique++, 2).Add(abi::FlushIn{1, 0, 0, 7}));
  seed("opendir", RequestBuilder(Opcode::kOpendir, unique++).Add(abi::OpenIn{0, 0}));
  read.size = 8192;
  seed("readdir", RequestBuilder(Opcode::kReaddir, unique++).Add(read));
  seed("readdirplus", RequestBuilder(Opcode::kReaddirplus, unique++).Add(read));
  seed("releasedir", RequestBuilder(Opcode::kReleasedir, unique++).Add(abi::ReleaseIn{1, 0, 0, 0}));
  seed("access", RequestBuilder(Opcode::kAccess, unique++, 2).Add(abi::AccessIn{4, 0}));
  seed("create", RequestBuilder(Opcode::kCreate, unique++)
                     .Add(abi::CreateIn{0101, 0644, 022, 0})
                     .AddName("new"));
  seed("interrupt", RequestBuilder(Opcode::kInterrupt, unique++).Add(abi::InterruptIn{3}));
  seed("fallocate",
       RequestBuilder(Opcode::kFallocate, unique++, 2).Add(abi::FallocateIn{1, 0, 8192, 0, 0}));
  seed("lseek", RequestBuilder(Opcode::kLseek, unique++, 2).Add(abi::LseekIn{1, 100, 3, 0}));
  seed("destroy", RequestBuilder(Opcode::kDestroy, unique++));
  seed("unknown_opcode", RequestBuilder(999, unique++, 1).Add(uint64_t{0}));
  all.Write(dispatcher_dir, "every_opcode");
}

// Sessions as the kernel runs them; node ids and handles are the in-memory file system's first
// ones (2, 3, ...; handle 1, ...).
void WriteDispatcherSeeds(const fs::path& dir) {
  namespace abi = fuse::abi;
  abi::WriteIn write{};
  write.fh = 1;
  write.size = 5;
  abi::ReadIn read{};
  read.fh = 1;
  read.size = 4096;
  Messages()
      .Add(RequestBuilder(Opcode::kCreate, 2).Add(abi::CreateIn{0102, 0644, 022, 0}).AddName("f"))
      .Add(RequestBuilder(Opcode::kWrite, 3, 2).Add(write).AddBytes("hello"))
      .Add(RequestBuilder(Opcode::kFlush, 4, 2).Add(abi::FlushIn{1, 0, 0, 0}))
      .Add(RequestBuilder(Opcode::kRead, 5, 2).Add(read))
      .Add(RequestBuilder(Opcode::kRelease, 6, 2).Add(abi::ReleaseIn{1, 02, 0, 0}))
      .Add(RequestBuilder(Opcode::kGetattr, 7, 2).Add(abi::GetattrIn{}))
      .Write(dir, "create_write_read");
  Messages()
      .Add(RequestBuilder(Opcode::kMkdir, 2).Add(abi::MkdirIn{0755, 022}).AddName("d"))
      .Add(
          RequestBuilder(Opcode::kCreate, 3, 2).Add(abi::CreateIn{0101, 0644, 022, 0}).AddName("g"))
      .Add(RequestBuilder(Opcode::kOpendir, 4, 2).Add(abi::OpenIn{0, 0}))
      .Add(RequestBuilder(Opcode::kReaddirplus, 5, 2).Add(read))
      .Add(RequestBuilder(Opcode::kReleasedir, 6, 2).Add(abi::ReleaseIn{1, 0, 0, 0}))
      .Add(RequestBuilder(Opcode::kRename, 7, 2).Add(abi::RenameIn{1}).AddName("g").AddName("h"))
      .Add(RequestBuilder(Opcode::kUnlink, 8).AddName("h"))
      .Add(RequestBuilder(Opcode::kRmdir, 9).AddName("d"))
      .Write(dir, "mkdir_readdir_rename");
  abi::SetattrIn setattr{};
  setattr.valid = 0x8;  // size
  setattr.size = 100;
  Messages()
      .Add(RequestBuilder(Opcode::kCreate, 2).Add(abi::CreateIn{0102, 0644, 022, 0}).AddName("x"))
      .Add(RequestBuilder(Opcode::kSetattr, 3, 2).Add(setattr))
      .Add(RequestBuilder(Opcode::kFallocate, 4, 2).Add(abi::FallocateIn{1, 0, 8192, 0, 0}))
      .Add(RequestBuilder(Opcode::kLseek, 5, 2).Add(abi::LseekIn{1, 10, 3, 0}))
      .Add(RequestBuilder(Opcode::kSymlink, 6).AddName("l").AddName("x"))
      .Add(RequestBuilder(Opcode::kReadlink, 7, 3))
      .Add(RequestBuilder(Opcode::kForget, 8, 2).Add(abi::ForgetIn{1}))
      .Add(RequestBuilder(Opcode::kInterrupt, 9).Add(abi::InterruptIn{3}))
      .Add(RequestBuilder(Opcode::kBatchForget, 10)
               .Add(abi::BatchForgetIn{1, 0})
               .Add(abi::ForgetOne{3, 1}))
      .Write(dir, "setattr_symlink_forget");
}

// An RPC input (rpc_calls.h): Add appends one call whose parameters `fill` sets.
class Calls {
 public:
  template <typename Params>
  Calls& Add(uint8_t slot, uint16_t method, std::function<void(typename Params::Builder)> fill) {
    capnp::MallocMessageBuilder message(2048, capnp::AllocationStrategy::FIXED_SIZE);
    fill(message.initRoot<Params>());
    AppendCall(bytes_, slot, method, message);
    return *this;
  }
  void Write(const fs::path& dir, const std::string& name) const {
    WriteSeed(dir, name, bytes_.data(), bytes_.size());
  }

 private:
  std::vector<uint8_t> bytes_;
};

// The first inode the master target's namespace creates is container 1's (the first input of a
// process; later inputs see later ids).
constexpr uint64_t kFirstInodeId = InodeIdForContainer(1);
constexpr uint64_t kFirstBlockId = BlockIdForFile(kFirstInodeId, 0);

void WriteMasterSeeds(const fs::path& dir) {
  using Fs = wire::FileSystemMaster;
  using Blocks = wire::BlockMaster;
  constexpr uint8_t kBootstrap = 0, kFs = 1, kBlocks = 2;
  auto mkdir = [](const char* path) {
    return [path](Fs::CreateDirectoryParams::Builder p) {
      p.setPath(path);
      p.setRecursive(true);
      p.setMode(0755);
    };
  };
  auto create = [](const char* path) {
    return [path](Fs::CreateFileParams::Builder p) {
      p.setPath(path);
      p.setBlockSizeBytes(1 << 20);
      p.setMode(0644);
      p.setWriteType(wire::WriteType::CACHE_THROUGH);
    };
  };
  auto register_worker = [](Blocks::RegisterWorkerParams::Builder p) {
    auto address = p.initAddress();
    address.setHost("127.0.0.1");
    address.setRpcPort(1);
    address.setHostId("host");
    p.setCapacityBytes(1 << 30);
    auto ids = p.initBlockIds(2);
    ids.set(0, 1);
    ids.set(1, 2);
  };
  Calls()
      .Add<wire::Master::FileSystemParams>(kBootstrap, 0, [](auto) {})
      .Add<wire::Master::BlockMasterParams>(kBootstrap, 1, [](auto) {})
      .Write(dir, "bootstrap");
  Calls().Add<Fs::GetStatusParams>(kFs, 0, [](auto p) { p.setPath("/"); }).Write(dir, "get_status");
  Calls()
      .Add<Fs::CreateDirectoryParams>(kFs, 2, mkdir("/d"))
      .Add<Fs::CreateFileParams>(kFs, 3, create("/d/f"))
      .Add<Fs::ListStatusParams>(kFs, 1,
                                 [](auto p) {
                                   p.setPath("/d");
                                   p.setLimit(10);
                                 })
      .Write(dir, "list_status");
  Calls()
      .Add<Fs::CreateDirectoryParams>(kFs, 2,
                                      [](auto p) {
                                        p.setPath("/a/b");
                                        p.setRecursive(true);
                                        p.setMode(0700);
                                        p.setOwner("user");
                                        p.setGroup("group");
                                      })
      .Write(dir, "create_directory");
  Calls()
      .Add<Fs::CreateFileParams>(kFs, 3, create("/f"))
      .Add<Fs::CompleteFileParams>(kFs, 4,
                                   [](auto p) {
                                     p.setFileId(kFirstInodeId);
                                     p.setLength(0);
                                     p.setWrittenUfsUri("/ufs/f");
                                   })
      .Add<Fs::GetBlockInfosParams>(kFs, 12, [](auto p) { p.setPath("/f"); })
      .Write(dir, "create_complete_file");
  Calls()
      .Add<Fs::CreateFileParams>(kFs, 3, create("/g"))
      .Add<Fs::AbortFileParams>(kFs, 5, [](auto p) { p.setFileId(kFirstInodeId); })
      .Write(dir, "abort_file");
  Calls()
      .Add<Fs::CreateDirectoryParams>(kFs, 2, mkdir("/r/s"))
      .Add<Fs::RemoveParams>(kFs, 6,
                             [](auto p) {
                               p.setPath("/r");
                               p.setRecursive(true);
                             })
      .Write(dir, "remove");
  Calls()
      .Add<Fs::CreateDirectoryParams>(kFs, 2, mkdir("/s"))
      .Add<Fs::RenameParams>(kFs, 7,
                             [](auto p) {
                               p.setSrc("/s");
                               p.setDst("/t");
                               p.setNoReplace(true);
                             })
      .Write(dir, "rename");
  Calls()
      .Add<Fs::CreateDirectoryParams>(kFs, 2, mkdir("/p"))
      .Add<Fs::SetAttributeParams>(kFs, 8,
                                   [](auto p) {
                                     p.setPath("/p");
                                     auto o = p.initOptions();
                                     o.setHasMode(true);
                                     o.setMode(0700);
                                     o.setOwner("owner");
                                     o.setHasMtime(true);
                                     o.setMtimeMs(1700000000000);
                                   })
      .Write(dir, "set_attribute");
  Calls()
      .Add<Fs::CreateDirectoryParams>(kFs, 2, mkdir("/x"))
      .Add<Fs::MountParams>(kFs, 9,
                            [](auto p) {
                              p.setAlluxioPath("/m");
                              p.setUfsUri("file:///ufs/x");
                            })
      .Add<Fs::GetMountTableParams>(kFs, 11, [](auto) {})
      .Add<Fs::CreateFileParams>(kFs, 3, create("/m/in"))
      .Add<Fs::UnmountParams>(kFs, 10, [](auto p) { p.setAlluxioPath("/m"); })
      .Write(dir, "mount_unmount");
  Calls()
      .Add<Fs::FreeParams>(kFs, 13,
                           [](auto p) {
                             p.setPath("/");
                             p.setRecursive(true);
                           })
      .Add<Fs::GetCapacityParams>(kFs, 14, [](auto) {})
      .Add<Fs::GetWorkersParams>(kFs, 15, [](auto) {})
      .Write(dir, "free_capacity_workers");
  Calls()
      .Add<Blocks::RegisterWorkerParams>(kBlocks, 0, register_worker)
      .Add<Blocks::HeartbeatParams>(kBlocks, 1,
                                    [](auto p) {
                                      p.setWorkerId(1);
                                      p.setUsedBytes(10);
                                      p.initAddedBlocks(1).set(0, 3);
                                      p.initRemovedBlocks(1).set(0, 1);
                                    })
      .Add<Blocks::CommitBlockParams>(kBlocks, 2,
                                      [](auto p) {
                                        p.setWorkerId(1);
                                        p.setBlockId(4);
                                        p.setLength(100);
                                        p.setTierAlias("MEM");
                                        p.setUsedBytes(200);
                                      })
      .Write(dir, "register_heartbeat_commit");
  Calls()
      .Add<Blocks::RegisterWorkerParams>(kBlocks, 0, register_worker)
      .Add<Fs::CreateFileParams>(kFs, 3, create("/w"))
      .Add<Blocks::CommitBlockParams>(kBlocks, 2,
                                      [](auto p) {
                                        p.setWorkerId(1);
                                        p.setBlockId(kFirstBlockId);
                                        p.setLength(10);
                                        p.setTierAlias("MEM");
                                      })
      .Add<Fs::CompleteFileParams>(kFs, 4,
                                   [](auto p) {
                                     p.setFileId(kFirstInodeId);
                                     p.setLength(10);
                                     p.initBlockIds(1).set(0, kFirstBlockId);
                                   })
      .Add<Fs::GetBlockInfosParams>(kFs, 12, [](auto p) { p.setPath("/w"); })
      .Add<Fs::FreeParams>(kFs, 13, [](auto p) { p.setPath("/w"); })
      .Add<Fs::RemoveParams>(kFs, 6, [](auto p) { p.setPath("/w"); })
      .Write(dir, "file_with_blocks");
}

void WriteWorkerSeeds(const fs::path& dir) {
  using Worker = wire::BlockWorker;
  using Writer = wire::FileWriter;
  constexpr uint8_t kWorker = 0, kWriter = 1, kLease = 2;
  auto source = [](wire::UfsBlockSource::Builder s, const char* uri, uint64_t offset) {
    s.setUfsPath(uri);
    s.setOffsetInFile(offset);
    s.setBlockLength(64 << 10);
  };
  auto writer = [](uint64_t file_id, const char* mount_ufs_uri, wire::WriteType type) {
    return [=](Worker::CreateFileWriterParams::Builder p) {
      p.setFileId(file_id);
      p.setBlockSizeBytes(4096);
      p.setMountUfsUri(mount_ufs_uri);
      p.setMode(0644);
      p.setWriteType(type);
    };
  };
  auto write = [](Writer::WriteParams::Builder p) {
    std::string data(5000, 'x');
    p.setData(capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(data.data()), data.size()));
  };
  Calls().Add<Worker::GetStatsParams>(kWorker, 5, [](auto) {}).Write(dir, "get_stats");
  Calls()
      .Add<Worker::ReadBlockParams>(kWorker, 0,
                                    [&](auto p) {
                                      p.setBlockId(1);
                                      p.setLength(4096);
                                      source(p.initSource(), "/ufs/src", 0);
                                      p.setCache(true);
                                    })
      .Add<Worker::ReadBlockParams>(kWorker, 0,
                                    [](auto p) {
                                      p.setBlockId(1);
                                      p.setOffset(100);
                                      p.setLength(4096);
                                    })
      .Add<Worker::OpenLocalBlockParams>(kWorker, 1, [](auto p) { p.setBlockId(1); })
      .Add<wire::BlockLease::ReleaseParams>(kLease, 0, [](auto) {})
      .Add<Worker::RemoveBlockParams>(kWorker, 4, [](auto p) { p.setBlockId(1); })
      .Write(dir, "read_through_cache");
  Calls()
      .Add<Worker::CacheBlockParams>(kWorker, 3,
                                     [&](auto p) {
                                       p.setBlockId(2);
                                       source(p.initSource(), "file:///ufs/src", 64 << 10);
                                     })
      .Add<Worker::TouchBlocksParams>(kWorker, 6,
                                      [](auto p) {
                                        auto ids = p.initBlockIds(2);
                                        ids.set(0, 2);
                                        ids.set(1, 9);
                                      })
      .Add<Worker::GetStatsParams>(kWorker, 5, [](auto) {})
      .Write(dir, "cache_block");
  Calls()
      .Add<Worker::CreateFileWriterParams>(kWorker, 2,
                                           writer(5, "/ufs", wire::WriteType::CACHE_THROUGH))
      .Add<Writer::WriteParams>(kWriter, 0, write)
      .Add<Writer::FlushParams>(kWriter, 1, [](auto) {})
      .Add<Writer::WriteParams>(kWriter, 0, write)
      .Add<Writer::FinishParams>(kWriter, 2, [](auto) {})
      .Write(dir, "write_cache_through");
  Calls()
      .Add<Worker::CreateFileWriterParams>(kWorker, 2, writer(6, "", wire::WriteType::MUST_CACHE))
      .Add<Writer::WriteParams>(kWriter, 0, write)
      .Add<Writer::FinishParams>(kWriter, 2, [](auto) {})
      .Write(dir, "write_must_cache");
  Calls()
      .Add<Worker::CreateFileWriterParams>(kWorker, 2,
                                           writer(7, "file:///ufs", wire::WriteType::THROUGH))
      .Add<Writer::WriteParams>(kWriter, 0, write)
      .Add<Writer::AbortParams>(kWriter, 3, [](auto) {})
      .Write(dir, "write_abort");
}

}  // namespace
}  // namespace alluxio::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  alluxio::fuzz::WriteFuseSeeds(dir / "fuse_request", dir / "fuse_dispatcher");
  alluxio::fuzz::WriteDispatcherSeeds(dir / "fuse_dispatcher");
  alluxio::fuzz::WriteMasterSeeds(dir / "master_service");
  alluxio::fuzz::WriteWorkerSeeds(dir / "worker_service");
  return 0;
}
