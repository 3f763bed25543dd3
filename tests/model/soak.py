#!/usr/bin/env python3
"""The soak: model_check.py --faults on a mount for a given time while services are killed,
stopped and restarted at random; then the mount must serve every acknowledged file again.

Usage: soak.py --build-dir build --minutes M [--seed N] [--no-faults] [--ufs-faults]

Starts a master and a worker of `build-dir`'s binaries on free loopback ports in a private
ALLUXIO_HOME, mounts it, and runs model_check.py against the mount while a fault loop picks,
every few seconds (seeded), one of: kill -9 of the worker, then a restart; kill -9 of the
master, then a restart; SIGSTOP of the worker or the master for a few seconds; kill -9 of the
FUSE daemon, then `alluxio-fuse unmount` and `mount` again. With --ufs-faults the loop also
picks injected faults (docs/fault_injection.md), held for 1-6 s and then cleared: under storage
calls that fail (EIO, ENOSPC), stall or fill up, written to the control file of
alluxio.underfs.fault.injection.file, and master or worker RPCs that fail, disconnect or are
delayed, written to that of alluxio.rpc.fault.injection.file (model_check then also takes ENOSPC
as a fault outcome). Prints each fault, the operations model_check applied, the fault outcomes
it absorbed, and any divergence with its seed (exit 1).
Everything started is stopped, and the mount unmounted, on exit, failure or Ctrl-C; after a
divergence the cluster's home (configuration, logs) is kept in <work dir>-logs.
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench", "e2e"))
from common import Cleanup, free_port, kill_pid, log, run, unmount, wait_port  # noqa: E402


# Commands of the under storage control file (docs/fault_injection.md); {} is a random number.
UFS_FAULTS = [
    "fail write kIoError", "fail write kNoSpace", "fillup {}KB", "fail read kIoError",
    "fail metadata kIoError", "fail Rename kUnavailable", "fail PublishStaged kIoError",
    "stall * {}ms", "stall write {}ms",
]
# Commands of the RPC control file; {} is a random count.
RPC_FAULTS = [
    "fail * {}", "disconnect * {}", "fail createFile {}", "disconnect completeFile {}",
    "fail getStatus {}", "fail readBlock {}", "disconnect createFileWriter {}",
    "delay * 1s {}", "disconnect write {}",
]


class Cluster:
    def __init__(self, build_dir, work, cleanup, injected_faults=False):
        self.bin = os.path.join(os.path.abspath(build_dir), "bin")
        self.home = os.path.join(work, "home")
        self.mount_point = os.path.join(work, "mnt")
        self.cleanup = cleanup
        self.ports = {"master": free_port(), "worker": free_port()}
        self.procs = {}
        os.makedirs(os.path.join(self.home, "conf"))
        os.makedirs(self.mount_point)
        tier = os.path.join(work, "tier")
        os.makedirs(tier)
        properties = {
            "alluxio.master.hostname": "127.0.0.1",
            "alluxio.master.bind.host": "127.0.0.1",
            "alluxio.master.rpc.port": self.ports["master"],
            "alluxio.worker.hostname": "127.0.0.1",
            "alluxio.worker.bind.host": "127.0.0.1",
            "alluxio.worker.rpc.port": self.ports["worker"],
            "alluxio.master.mount.table.root.ufs": os.path.join(work, "ufs"),
            "alluxio.worker.tieredstore.level0.dirs.path": tier,
            "alluxio.worker.tieredstore.level0.dirs.quota": "2GB",
        }
        # Control files of the injected faults (read by the master, the worker and the FUSE
        # daemon); absent until the first fault: nothing injected.
        self.ufs_faults = os.path.join(work, "ufs-faults")
        self.rpc_faults = os.path.join(work, "rpc-faults")
        if injected_faults:
            properties["alluxio.underfs.fault.injection.file"] = self.ufs_faults
            properties["alluxio.rpc.fault.injection.file"] = self.rpc_faults
        with open(os.path.join(self.home, "conf", "alluxio-site.properties"), "w") as f:
            for k, v in properties.items():
                f.write(f"{k}={v}\n")
        self.env = dict(os.environ, ALLUXIO_HOME=self.home)

    def start(self, role):
        out = open(os.path.join(self.home, f"{role}.out"), "a")
        proc = subprocess.Popen([os.path.join(self.bin, "alluxio"), role], env=self.env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                start_new_session=True)
        self.procs[role] = proc
        self.cleanup.add_pid(proc.pid)
        wait_port(self.ports[role], proc)

    def kill(self, role, sig=signal.SIGKILL):
        proc = self.procs.pop(role)
        proc.send_signal(sig)
        proc.wait()
        self.cleanup.forget("pid", proc.pid)

    def fuse(self, *args, check=True):
        return run([os.path.join(self.bin, "alluxio-fuse"), *args], env=self.env, check=check,
                   timeout=300)

    def mount(self):
        self.fuse("mount", self.mount_point)
        self.cleanup.add_call("unmount", lambda: self.fuse("unmount", self.mount_point,
                                                           check=False))
        self.cleanup.add_mount(self.mount_point)

    def fuse_pid(self):
        out = self.fuse("stat", check=False).stdout
        for line in out.splitlines()[1:]:
            fields = line.split("\t")
            if len(fields) >= 2 and fields[1] == self.mount_point:
                return int(fields[0])
        return 0


def command(path, text):
    """Replaces a control file (a new inode: a change its readers always see)."""
    with open(path + ".tmp", "w") as f:
        f.write(text + "\n")
    os.replace(path + ".tmp", path)


def fault_loop(cluster, rng, stop, faults, kinds):
    """Injects a fault of one of `kinds` every 3-12 s until `stop` is set."""
    while not stop.wait(rng.uniform(3, 12)):
        kind = rng.choice(kinds)
        if kind in ("ufs", "rpc"):
            template = rng.choice(UFS_FAULTS if kind == "ufs" else RPC_FAULTS)
            text = template.format(rng.randint(1, 5) if kind == "rpc" else rng.randint(0, 3000))
            log(f"soak: fault {kind}: {text}")
            words = template.split()
            faults.append(f"{kind}:{' '.join(words[:1] if words[0] == 'fillup' else words[:2])}")
            path = cluster.ufs_faults if kind == "ufs" else cluster.rpc_faults
            command(path, text)
            time.sleep(rng.uniform(1, 6))
            command(path, "clear")
            continue
        log(f"soak: fault {kind}")
        faults.append(kind)
        if kind.startswith("kill-") and kind != "kill-fuse":
            role = kind[5:]
            cluster.kill(role)
            time.sleep(rng.uniform(0, 3))
            cluster.start(role)
        elif kind.startswith("stop-"):
            proc = cluster.procs[kind[5:]]
            proc.send_signal(signal.SIGSTOP)
            time.sleep(rng.uniform(1, 8))
            proc.send_signal(signal.SIGCONT)
        else:
            pid = cluster.fuse_pid()
            if pid:
                os.kill(pid, signal.SIGKILL)
                time.sleep(0.5)
                cluster.fuse("unmount", cluster.mount_point, check=False)
                cluster.fuse("mount", cluster.mount_point)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    parser.add_argument("--no-faults", action="store_true",
                        help="no process kills or stops")
    parser.add_argument("--ufs-faults", action="store_true",
                        help="also inject under storage and RPC faults")
    args = parser.parse_args()
    kinds = ([] if args.no_faults else
             ["kill-worker", "kill-master", "stop-worker", "stop-master", "kill-fuse"])
    if args.ufs_faults:
        kinds += ["ufs", "ufs", "rpc", "rpc"]  # as often as all the kills together
    work = tempfile.mkdtemp(prefix="alluxio-soak-")
    cleanup = Cleanup(os.path.join(work, "cleanup.json"))
    stop = threading.Event()
    faults = []
    cluster = None
    try:
        cluster = Cluster(args.build_dir, work, cleanup, injected_faults=args.ufs_faults)
        cluster.start("master")
        cluster.start("worker")
        cluster.mount()
        log(f"soak: seed {args.seed}, {args.minutes} min, mount {cluster.mount_point}, "
            f"faults: {', '.join(sorted(set(kinds))) or 'off'}")
        injector = None
        if kinds:
            injector = threading.Thread(
                target=fault_loop, args=(cluster, random.Random(args.seed), stop, faults, kinds))
            injector.start()
        checked = subprocess.run(
            [sys.executable, os.path.join(HERE, "model_check.py"), "--root",
             cluster.mount_point, "--seed-from", str(args.seed), "--minutes",
             str(args.minutes), "--ops", "300"] + (["--faults"] if kinds else []) +
            (["--ufs-faults"] if args.ufs_faults else []))
        stop.set()
        if injector:
            injector.join()
        print(f"soak: {len(faults)} faults injected: " +
              ", ".join(f"{k} x{faults.count(k)}" for k in sorted(set(faults))))
        if checked.returncode != 0:
            kept = f"{work}-logs"
            shutil.copytree(cluster.home, kept, ignore=shutil.ignore_patterns("metastore*", "run"))
            print(f"soak: logs of the failed run kept in {kept}")
        return checked.returncode
    finally:
        stop.set()
        if cluster is not None:
            # First, while the master and the worker still run (a restarted one is undone
            # before the mount, which would wait for it).
            unmount(cluster.mount_point)
        cleanup.run_all()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
