// Inode and block ids, derived as in Alluxio (alluxio.master.block.BlockId):
//
//   id = (container_id << 24) | sequence        container_id: 40 bits, sequence: 24 bits
//
// Every inode takes a fresh container id from a durable counter. The inode id is the id with
// the reserved sequence kMaxSequence (0xFFFFFF), exactly Alluxio's file id; the file's i-th
// block has sequence i, so block ids of a file are (container << 24) | 0, 1, 2, ... and a file
// holds at most kMaxSequence blocks. Container 0 is the root directory's. Ids are never
// reused within a namespace; a namespace formatted anew starts again, so a registering worker
// drops the blocks the master does not know (Namespace::UnknownBlocks).
#pragma once

#include <cstdint>

namespace alluxio {

inline constexpr int kSequenceBits = 24;
inline constexpr uint64_t kMaxSequence = (uint64_t{1} << kSequenceBits) - 1;
inline constexpr uint64_t kMaxContainerId = (uint64_t{1} << (64 - kSequenceBits)) - 1;
inline constexpr uint64_t kRootContainerId = 0;

constexpr uint64_t MakeBlockId(uint64_t container_id, uint64_t sequence) {
  return (container_id << kSequenceBits) | (sequence & kMaxSequence);
}
constexpr uint64_t ContainerIdOf(uint64_t id) { return id >> kSequenceBits; }
constexpr uint64_t SequenceOf(uint64_t id) { return id & kMaxSequence; }

// The inode id for a container (sequence kMaxSequence).
constexpr uint64_t InodeIdForContainer(uint64_t container_id) {
  return MakeBlockId(container_id, kMaxSequence);
}
inline constexpr uint64_t kRootInodeId = InodeIdForContainer(kRootContainerId);

// The id of block `index` (0-based) of the file with id `file_id`; index < kMaxSequence.
constexpr uint64_t BlockIdForFile(uint64_t file_id, uint64_t index) {
  return MakeBlockId(ContainerIdOf(file_id), index);
}

// The id of the file block `block_id` belongs to.
constexpr uint64_t FileIdOfBlock(uint64_t block_id) {
  return InodeIdForContainer(ContainerIdOf(block_id));
}

// Number of blocks of a file: ceil(length / block_size); block_size > 0.
constexpr uint64_t BlockCount(uint64_t length, uint64_t block_size) {
  return length / block_size + (length % block_size != 0 ? 1 : 0);
}

}  // namespace alluxio
