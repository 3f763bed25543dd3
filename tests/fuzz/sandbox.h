// Confinement for the RPC fuzz targets: the services they drive take file paths and UFS URIs
// from the fuzz input (mount, createFileWriter, read-through sources), so the process runs inside
// a chroot of its own, where "/" is a fresh directory and nothing of the machine can be named.
#pragma once

namespace alluxio::fuzz {

// Enters the sandbox once per process (later calls do nothing): chroot into
// $ALLUXIO_FUZZ_SANDBOX when set (an existing directory), else into a new directory under
// $TMPDIR (or /tmp), then chdir("/"). A process without CAP_SYS_CHROOT first enters a user
// namespace of its own, which the kernel allows only while the process has a single thread: call
// this before anything starts a thread. Aborts when the sandbox cannot be entered.
void EnterSandbox();

}  // namespace alluxio::fuzz
