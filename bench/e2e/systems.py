"""The systems measured, each a way of showing the data directory at a path:

  native         the data directory itself (the reference)
  mergerfs       mergerfs over the data directory
  rclone         rclone mount of the data directory, --vfs-cache-mode full
  alluxio-cold   alluxio-fuse (standalone daemon) over a master+worker whose UFS root is the
                 data directory; the worker's cache is freed before every measurement
  alluxio-warm   the same, with every block loaded into the worker's MEM tier first
  alluxio-worker alluxio-fuse hosted in the worker (alluxio.worker.fuse.enabled), warm

Each system: start() mounts (registering every undo step with the Cleanup), `root` is where
the data directory shows, before_read() resets caches before a read measurement, stop()."""

import ctypes
import os
import shutil
import signal
import subprocess
import time

from common import (drop_caches, free_port, is_mounted, kill_pid, log, run, unmount, wait_mounted,
                    wait_port)

ALL = ["native", "mergerfs", "rclone", "alluxio-cold", "alluxio-warm", "alluxio-worker"]
PEERS = ["mergerfs", "rclone"]

MERGERFS_OPTIONS = ("cache.files=partial,dropcacheonclose=false,category.create=mfs,"
                    "cache.attr=600,cache.entry=600,cache.readdir=true,async_read=true,"
                    "fsname=bench-mergerfs")
RCLONE_OPTIONS = ["--vfs-cache-mode", "full", "--attr-timeout", "600s", "--dir-cache-time",
                  "600s", "--vfs-cache-max-age", "24h", "--no-modtime", "--no-checksum"]
ALLUXIO_FUSE_OPTIONS = "attr_timeout=600,entry_timeout=600"  # alluxio.fuse.mount.options default


class Context:
    """What every system needs: the data directory, a scratch directory on the same medium (for
    a peer's cache), a private work directory, the directory whose bin/ holds alluxio and
    alluxio-fuse, the cleanup registry, the worker's MEM tier quota, the Alluxio paths that warm
    systems load and the Alluxio properties given on the command line (they win over the
    bench's own)."""

    def __init__(self, data_dir, scratch_dir, work_dir, build_dir, cleanup, tier_bytes,
                 load_paths, alluxio_properties=None):
        self.data_dir = data_dir
        self.scratch_dir = scratch_dir
        self.alluxio_properties = dict(alluxio_properties or {})
        self.load_paths = load_paths  # Alluxio paths that warm systems load
        self.work_dir = work_dir
        self.build_dir = build_dir
        self.cleanup = cleanup
        self.tier_bytes = tier_bytes
        self.store = None  # the object store (s3.ObjectStore) of a --ufs s3 run


class System:
    name = ""
    description = ""

    def __init__(self, ctx):
        self.ctx = ctx
        self.root = None
        self.options = ""
        self.epoch_calls = {}  # loader workload id -> per repetition, per epoch: S3 calls

    def start(self):
        raise NotImplementedError

    def stop(self):
        pass

    def before_read(self):
        """Called before every read measurement: the page cache is dropped for everyone."""
        drop_caches()

    def mount_point(self):
        mp = os.path.join(self.ctx.work_dir, "mnt", self.name)
        os.makedirs(mp, exist_ok=True)
        unmount(mp)  # a stale mount of an earlier, killed run
        return mp


class Native(System):
    name = "native"
    description = "the data directory itself"

    def start(self):
        self.root = self.ctx.data_dir
        self.options = "(none)"


class Mergerfs(System):
    name = "mergerfs"
    description = "mergerfs over the data directory (one branch)"

    def start(self):
        mp = self.mount_point()
        version = run(["mergerfs", "-V"], check=False).stdout.splitlines()
        self.options = f"mergerfs -o {MERGERFS_OPTIONS} <data> <mp>"
        self.ctx.cleanup.add_mount(mp)
        run(["mergerfs", "-o", MERGERFS_OPTIONS, self.ctx.data_dir, mp])
        wait_mounted(mp)
        self.mp = self.root = mp
        log(f"mergerfs mounted ({version[0] if version else '?'})")

    def stop(self):
        unmount(self.mp)
        self.ctx.cleanup.forget("mount", self.mp)


class Rclone(System):
    name = "rclone"
    description = "rclone mount of the data directory, VFS cache full"

    def start(self):
        mp = self.mount_point()
        cache = os.path.join(self.ctx.scratch_dir, "rclone-cache")  # on the data's medium
        shutil.rmtree(cache, ignore_errors=True)
        conf = os.path.join(self.ctx.work_dir, "rclone.conf")
        open(conf, "w").close()
        argv = ["rclone", "mount", self.ctx.data_dir, mp, "--config", conf, "--cache-dir", cache,
                *RCLONE_OPTIONS, "--log-file", os.path.join(self.ctx.work_dir, "rclone.log")]
        self.options = "rclone mount <data> <mp> " + " ".join(RCLONE_OPTIONS) + \
            " --cache-dir <scratch on the data's medium>/rclone-cache (in the foreground of a " \
            "background process)"
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, start_new_session=True,
                                     preexec_fn=_die_with_parent)
        self.ctx.cleanup.add_pid(self.proc.pid)
        self.ctx.cleanup.add_mount(mp)
        wait_mounted(mp, proc=self.proc)
        self.mp = self.root = mp
        log(f"rclone mounted ({run(['rclone', 'version'], check=False).stdout.splitlines()[0]})")

    def stop(self):
        unmount_foreground(self.ctx.cleanup, self.mp, self.proc)
        shutil.rmtree(os.path.join(self.ctx.scratch_dir, "rclone-cache"), ignore_errors=True)


def unmount_foreground(cleanup, mp, proc):
    """Unmounts a FUSE mount served by a process in the foreground (it exits when its mount
    goes; killed after 60 s) and forgets both in the cleanup registry."""
    unmount(mp)
    cleanup.forget("mount", mp)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        kill_pid(proc.pid)
    cleanup.forget("pid", proc.pid)


def _die_with_parent():
    """In a child before exec: SIGTERM when the benchmark dies, whatever the cause."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class AlluxioCluster:
    """A master and a worker of this build on free loopback ports, with a private
    ALLUXIO_HOME whose alluxio-site.properties every command (alluxio, alluxio-fuse) reads."""

    def __init__(self, ctx, name, worker_defines=(), ufs_properties=None):
        self.ctx = ctx
        self.ufs_properties = dict(ufs_properties or {})
        self.home = os.path.join(ctx.work_dir, f"home-{name}")
        self.tier = f"/dev/shm/alluxio-bench-{os.getpid()}-{name}"
        self.worker_defines = list(worker_defines)
        self.bin = os.path.join(ctx.build_dir, "bin")
        self.env = {"ALLUXIO_HOME": self.home}
        self.procs = {}

    def properties(self):
        quota_mb = (self.ctx.tier_bytes >> 20) + 1
        return {
            "alluxio.master.hostname": "127.0.0.1",
            "alluxio.master.bind.host": "127.0.0.1",
            "alluxio.master.rpc.port": str(self.master_port),
            "alluxio.worker.hostname": "127.0.0.1",
            "alluxio.worker.bind.host": "127.0.0.1",
            "alluxio.worker.rpc.port": str(self.worker_port),
            "alluxio.master.mount.table.root.ufs": self.ctx.data_dir,
            "alluxio.worker.tieredstore.level0.dirs.path": self.tier,
            "alluxio.worker.tieredstore.level0.dirs.quota": f"{quota_mb}MB",
            # The client metadata cache, as Alluxio's FUSE guide advises for training jobs
            # ("Performance Optimization: Enable Metadata Caching"): stat/open of a file seen in
            # the last 10 minutes needs no master call.
            "alluxio.user.metadata.cache.enabled": "true",
            **self.ufs_properties,
            **self.ctx.alluxio_properties,
        }

    def describe(self):
        """The properties, but for hosts and ports (they change every run)."""
        return ", ".join(f"{k}={v}" for k, v in self.properties().items()
                         if "port" not in k and "host" not in k)

    def start(self):
        shutil.rmtree(self.home, ignore_errors=True)
        shutil.rmtree(self.tier, ignore_errors=True)
        os.makedirs(os.path.join(self.home, "conf"))
        os.makedirs(self.tier)
        self.ctx.cleanup.add_call(f"rm {self.tier}",
                                  lambda: shutil.rmtree(self.tier, ignore_errors=True))
        self.master_port, self.worker_port = free_port(), free_port()
        with open(os.path.join(self.home, "conf", "alluxio-site.properties"), "w") as f:
            for k, v in self.properties().items():
                f.write(f"{k}={v}\n")
        self._spawn("master", [], self.master_port)
        self._spawn("worker", self.worker_defines, self.worker_port)

    def _spawn(self, role, defines, port):
        out = open(os.path.join(self.home, f"{role}.out"), "a")
        env = dict(os.environ, **self.env)
        proc = subprocess.Popen([os.path.join(self.bin, "alluxio"), role, *defines],
                                env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                start_new_session=True, preexec_fn=_die_with_parent)
        self.procs[role] = proc
        self.ctx.cleanup.add_pid(proc.pid)
        wait_port(port, proc)

    def alluxio(self, *args, timeout=None):
        return run([os.path.join(self.bin, "alluxio"), *args], env=self.env, timeout=timeout)

    def fuse(self, *args, check=True):
        return run([os.path.join(self.bin, "alluxio-fuse"), *args], env=self.env, check=check,
                   timeout=300)

    def tier_used(self):
        total = 0
        for dirpath, _, files in os.walk(self.tier):
            for f in files:
                try:
                    total += os.lstat(os.path.join(dirpath, f)).st_size
                except OSError:
                    pass
        return total

    def free_all(self):
        """Frees every cached block and waits until the worker's tier is empty. The master
        frees only blocks whose location it knows, and a block cached by a read just finished
        may be reported a heartbeat later: so free again until empty (or 60 s)."""
        deadline = time.time() + 60
        while True:
            self.alluxio("fs", "free", "-R", "/", timeout=300)
            wait_until = time.time() + 2.5  # two worker heartbeats (1 s)
            while self.tier_used() > 0 and time.time() < wait_until:
                time.sleep(0.1)
            if self.tier_used() == 0:
                return
            if time.time() > deadline:
                raise RuntimeError(f"{self.tier_used()} bytes still cached 60 s after "
                                   "`alluxio fs free -R /`: cannot measure cold")

    def load_all(self, paths):
        t = time.time()
        for p in paths:
            self.alluxio("fs", "load", p, timeout=3600)
        log(f"alluxio fs load: {self.tier_used() >> 20} MiB cached in {time.time() - t:.1f}s")

    def stop(self):
        for role in ("worker", "master"):
            proc = self.procs.pop(role, None)
            if proc:
                kill_pid(proc.pid, wait=30)
                self.ctx.cleanup.forget("pid", proc.pid)
        shutil.rmtree(self.tier, ignore_errors=True)
        self.ctx.cleanup.forget("call", f"rm {self.tier}")


class AlluxioStandalone(System):
    """alluxio-fuse mount (its own daemon) over a cluster started for it."""
    warm = False

    def ufs_properties(self):
        """Properties that replace the root UFS (the data directory) by another."""
        return {}

    def start(self):
        self.cluster = AlluxioCluster(self.ctx, self.name, ufs_properties=self.ufs_properties())
        self.cluster.start()
        mp = self.mount_point()
        self.options = (f"alluxio-fuse mount -o {ALLUXIO_FUSE_OPTIONS} <mp> /; cluster: "
                        + self.cluster.describe())
        self.ctx.cleanup.add_mount(mp)
        self.ctx.cleanup.add_call(f"alluxio-fuse unmount {mp}",
                                  lambda: self.cluster.fuse("unmount", mp, check=False))
        out = self.cluster.fuse("mount", "-o", ALLUXIO_FUSE_OPTIONS, mp, "/").stdout.strip()
        wait_mounted(mp)
        for line in self.cluster.fuse("stat").stdout.splitlines():
            fields = line.split()
            if len(fields) >= 2 and fields[1] == mp and fields[0].isdigit():
                self.ctx.cleanup.add_pid(int(fields[0]))
                self.daemon_pid = int(fields[0])
        log(out)
        self.mp = self.root = mp
        if self.warm:
            self.warm_up()

    def warm_up(self):
        self.cluster.load_all(self.ctx.load_paths)

    def before_read(self):
        if not self.warm:
            self.cluster.free_all()
        drop_caches()

    def stop(self):
        out = self.cluster.fuse("unmount", self.mp, check=False)
        log((out.stdout + out.stderr).strip())
        self.ctx.cleanup.forget("call", f"alluxio-fuse unmount {self.mp}")
        unmount(self.mp)
        self.ctx.cleanup.forget("mount", self.mp)
        if getattr(self, "daemon_pid", None):
            kill_pid(self.daemon_pid, wait=30)
            self.ctx.cleanup.forget("pid", self.daemon_pid)
        self.cluster.stop()


class AlluxioCold(AlluxioStandalone):
    name = "alluxio-cold"
    description = "alluxio-fuse, worker cache freed before each measurement (reads from the UFS)"


class AlluxioWarm(AlluxioStandalone):
    name = "alluxio-warm"
    description = "alluxio-fuse, every block loaded in the worker's MEM tier first"
    warm = True


class AlluxioWorker(System):
    name = "alluxio-worker"
    description = "alluxio-fuse hosted by the worker (short-circuit reads), warm"

    def start(self):
        mp = self.mount_point()
        defines = ["-Dalluxio.worker.fuse.enabled=true", f"-Dalluxio.worker.fuse.mount.point={mp}"]
        self.cluster = AlluxioCluster(self.ctx, self.name, defines)
        self.ctx.cleanup.add_mount(mp)
        self.cluster.start()
        wait_mounted(mp, proc=self.cluster.procs["worker"])
        self.options = (f"alluxio worker -Dalluxio.worker.fuse.enabled=true "
                        f"-Dalluxio.worker.fuse.mount.point=<mp> (mount options: "
                        f"{ALLUXIO_FUSE_OPTIONS}, the default); cluster: "
                        + self.cluster.describe())
        self.mp = self.root = mp
        self.cluster.load_all(self.ctx.load_paths)

    def stop(self):
        self.cluster.stop()  # the worker unmounts when it stops
        unmount(self.mp)
        self.ctx.cleanup.forget("mount", self.mp)


CLASSES = {c.name: c for c in (Native, Mergerfs, Rclone, AlluxioCold, AlluxioWarm, AlluxioWorker)}

