"""The object store of `scripts/bench --ufs s3`: an s3rver in a network namespace host
(bench/e2e/hosts.py) whose link is shaped with tc to a bandwidth, behind a delaying TCP proxy
(tests/tools/delay_proxy.py) that adds a round trip and counts the S3 calls; the dataset
uploaded once into its bucket; and the systems that mount that bucket:

  s3fs            s3fs-fuse, the options its README/man page give for reading
  rclone-s3       rclone mount of an S3 remote, --vfs-cache-mode full
  alluxio-s3-cold alluxio-fuse over a master+worker whose root UFS is the bucket, the worker's
                  cache freed before every measurement (reads from S3)
  alluxio-s3-warm the same, every block loaded into the worker's MEM tier first

s3fs and rclone-s3 are mounted afresh (empty caches) before every read measurement, as
alluxio-s3-cold is freed: every measurement starts cold, and the DataLoader's later epochs show
what each one's cache gives."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time

import systems
from common import drop_caches, fs_type, log, run, wait_mounted
from hosts import Network

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROXY = os.path.join(REPO, "tests", "tools", "delay_proxy.py")
BUCKET = "bench"
KEY = "S3RVER"  # s3rver's access key and secret
S3RVER_PORT, PROXY_PORT = 9001, 9000

S3FS_OPTIONS = ["use_path_request_style", "parallel_count=16", "multipart_size=16",
                "multireq_max=32", "max_stat_cache_size=200000", "stat_cache_expire=900",
                "enable_noobj_cache", "readwrite_timeout=60", "connect_timeout=10"]
RCLONE_S3_OPTIONS = ["--vfs-cache-mode", "full", "--vfs-read-ahead", "256M", "--buffer-size",
                     "32M", "--vfs-read-chunk-size", "32M", "--attr-timeout", "600s",
                     "--dir-cache-time", "600s", "--vfs-cache-max-age", "24h", "--no-modtime",
                     "--no-checksum", "--transfers", "16", "--s3-upload-concurrency", "8",
                     "--s3-chunk-size", "16M"]


def _wait_tcp(address, port, proc, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            s.settimeout(0.3)
            if s.connect_ex((address, port)) == 0:
                return
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode} before listening on "
                               f"{address}:{port}")
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {address}:{port} after {timeout}s")


class ObjectStore:
    """s3rver on its own host behind a shaped link and the delaying proxy; started once for
    the whole run, stopped by the Cleanup."""

    def __init__(self, ctx, s3_dir, rate, rtt_ms):
        self.ctx, self.s3_dir, self.rate, self.rtt_ms = ctx, s3_dir, rate, rtt_ms
        self.counts_path = os.path.join(ctx.work_dir, "s3-calls.json")

    def start(self):
        # rclone's S3 backend refuses a custom CA bundle with its transport; the endpoint is
        # plain HTTP anyway.
        os.environ.pop("AWS_CA_BUNDLE", None)
        self.net = Network(self.ctx.cleanup)
        self.host = self.net.add_host("s3")
        self.host.shape(self.rate)
        addr = self.host.address
        os.makedirs(self.s3_dir, exist_ok=True)
        binary = os.path.join(REPO, "build", "s3rver", "node_modules", ".bin", "s3rver")
        if not os.path.exists(binary):
            raise RuntimeError(f"{binary} is missing: run scripts/setup (it installs s3rver)")
        log_file = open(os.path.join(self.ctx.work_dir, "s3rver.log"), "a")
        # s3rver's continuation tokens use DES, in OpenSSL 3's legacy provider.
        self.s3rver = self.host.popen(
            ["env", "NODE_OPTIONS=--openssl-legacy-provider", binary, "-d", self.s3_dir, "-a",
             addr, "-p", str(S3RVER_PORT), "--configure-bucket", BUCKET],
            stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file, start_new_session=True,
            preexec_fn=systems._die_with_parent)
        self.ctx.cleanup.add_pid(self.s3rver.pid)
        _wait_tcp(addr, S3RVER_PORT, self.s3rver)
        self.proxy = self.host.popen(
            ["/usr/bin/python3", PROXY, "--listen", f"{addr}:{PROXY_PORT}", "--target",
             f"{addr}:{S3RVER_PORT}", "--rtt-ms", str(self.rtt_ms), "--counts",
             self.counts_path], stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
            start_new_session=True, preexec_fn=systems._die_with_parent)
        self.ctx.cleanup.add_pid(self.proxy.pid)
        _wait_tcp(addr, PROXY_PORT, self.proxy)
        self.endpoint = f"http://{addr}:{PROXY_PORT}"
        self.medium = fs_type(self.s3_dir)
        self.description = (
            f"s3rver 3.7.1 on host {addr} (network namespace {self.host.ns}, bridge "
            f"{self.net.bridge}), objects in `{self.s3_dir}` on {self.medium}; link: "
            f"{self.host.shaping}; round trip +{self.rtt_ms} ms by tests/tools/delay_proxy.py "
            f"({self.endpoint}, which counts the S3 calls)")
        log(self.description)

    def rclone_config(self, path, endpoint=None):
        with open(path, "w") as f:
            f.write(f"[s3]\ntype = s3\nprovider = Other\naccess_key_id = {KEY}\n"
                    f"secret_access_key = {KEY}\nendpoint = {endpoint or self.endpoint}\n"
                    "force_path_style = true\n")
        return path

    def upload(self, ds):
        """The dataset into the bucket, once (a marker in the s3rver directory names what
        is there); straight to s3rver, so that the proxy counts only the systems' calls."""
        marker = os.path.join(self.s3_dir, f".bench-uploaded-{ds.seq_bytes}-{ds.small_files}")
        want = json.dumps({"seq": ds.seq_rel, "small_bytes": ds.small_bytes, "markers": 1})
        if os.path.exists(marker) and open(marker).read() == want:
            log(f"s3: the dataset is in the bucket already ({marker})")
            return
        conf = self.rclone_config(os.path.join(self.ctx.work_dir, "rclone-upload.conf"),
                                  f"http://{self.host.address}:{S3RVER_PORT}")
        t = time.time()
        for rel in (ds.seq_rel, ds.small_rel):
            src = os.path.join(ds.root, rel)
            dst = f"s3:{BUCKET}/{rel}"
            if os.path.isfile(src):
                dst = f"s3:{BUCKET}/{os.path.dirname(rel)}"
            run(["rclone", "copy", "--config", conf, "--transfers", "16", "--no-check-dest",
                 src, dst], timeout=7200)
        self._put_directory_markers(ds)
        with open(marker, "w") as f:
            f.write(want)
        log(f"s3: dataset uploaded in {time.time() - t:.0f}s")

    def _put_directory_markers(self, ds):
        """A zero-byte `<dir>/` object for every directory of the dataset, as s3fs and Alluxio
        make them. Needed on s3rver: its delimited listing shows a common prefix only when an
        object lies directly under it, so small-N/ (only deeper keys) would not be listed."""
        dirs = {os.path.dirname(ds.seq_rel), ds.small_rel, ds.write_rel}
        dirs |= {os.path.dirname(rel) for rel in ds.small}
        conn = http.client.HTTPConnection(self.host.address, S3RVER_PORT, timeout=60)
        for d in sorted(dirs):
            conn.request("PUT", f"/{BUCKET}/{d}/", body=b"")  # s3rver accepts it unsigned
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                raise RuntimeError(f"PUT {d}/: HTTP {resp.status}")
        conn.close()

    def calls(self, reset_peak=False):
        """The proxy's counters now (it writes them within 50 ms of a change); reset_peak:
        then starts a new peak of requests in flight."""
        time.sleep(0.2)
        try:
            with open(self.counts_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}
        finally:
            if reset_peak:
                os.kill(self.proxy.pid, signal.SIGUSR1)


def diff_calls(before, after):
    """Counts made between two readings; peak_waiting is the peak since the first one."""
    return {k: after[k] if k == "peak_waiting" else after.get(k, 0) - before.get(k, 0)
            for k in after if after.get(k, 0) != before.get(k, 0) or k == "peak_waiting"}


class FreshMount(systems.System):
    """A FUSE mount of the bucket remounted (caches emptied) before every read measurement."""

    def start(self):
        self.mp = self.root = self.mount_point()
        self.cache = os.path.join(self.ctx.work_dir, f"{self.name}-cache")
        self.options = " ".join(self.describe_argv())
        self._mount()

    def _mount(self):
        shutil.rmtree(self.cache, ignore_errors=True)
        os.makedirs(self.cache)
        self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(self.cache + ".log", "a"),
                                     start_new_session=True,
                                     preexec_fn=systems._die_with_parent)
        self.ctx.cleanup.add_pid(self.proc.pid)
        self.ctx.cleanup.add_mount(self.mp)
        try:
            wait_mounted(self.mp, proc=self.proc)
        except RuntimeError as e:
            with open(self.cache + ".log") as f:
                raise RuntimeError(f"{e}: {' / '.join(f.read().splitlines()[-3:])}")
        os.listdir(self.mp)  # answered once the file system serves

    def _unmount(self):
        systems.unmount_foreground(self.ctx.cleanup, self.mp, self.proc)

    def before_read(self):
        self._unmount()
        self._mount()
        drop_caches()

    def stop(self):
        self._unmount()
        shutil.rmtree(self.cache, ignore_errors=True)


class S3fs(FreshMount):
    name = "s3fs"
    description = "s3fs-fuse mount of the bucket, local disk cache (use_cache), remounted " \
        "with an empty cache before each read measurement"

    def argv(self):
        passwd = os.path.join(self.ctx.work_dir, "s3fs.passwd")
        with open(passwd, "w") as f:
            f.write(f"{KEY}:{KEY}\n")
        os.chmod(passwd, 0o600)
        opts = [f"url={self.ctx.store.endpoint}", f"passwd_file={passwd}",
                f"use_cache={self.cache}", *S3FS_OPTIONS]
        return ["s3fs", BUCKET, self.mp, "-f", "-o", ",".join(opts)]

    def describe_argv(self):
        return ["s3fs", BUCKET, "<mp>", "-f", "-o", ",".join(
            ["url=<endpoint>", "passwd_file=<S3RVER:S3RVER>", "use_cache=<work>/s3fs-cache",
             *S3FS_OPTIONS])]


class RcloneS3(FreshMount):
    name = "rclone-s3"
    description = "rclone mount of an S3 remote (provider Other), VFS cache full, remounted " \
        "with an empty cache before each read measurement"

    def argv(self):
        conf = self.ctx.store.rclone_config(os.path.join(self.ctx.work_dir, "rclone-s3.conf"))
        return ["rclone", "mount", f"s3:{BUCKET}", self.mp, "--config", conf, "--cache-dir",
                self.cache, *RCLONE_S3_OPTIONS]

    def describe_argv(self):
        return ["rclone", "mount", f"s3:{BUCKET}", "<mp>", "--cache-dir",
                "<work>/rclone-s3-cache", *RCLONE_S3_OPTIONS,
                "(remote: type s3, provider Other, endpoint <endpoint>, force_path_style)"]


def alluxio_s3_properties(store):
    return {"alluxio.master.mount.table.root.ufs": f"s3://{BUCKET}",
            "alluxio.underfs.s3.endpoint": store.endpoint,
            "alluxio.underfs.s3.disable.dns.buckets": "true",
            "s3a.accessKeyId": KEY, "s3a.secretKey": KEY}


class AlluxioS3Cold(systems.AlluxioStandalone):
    name = "alluxio-s3-cold"
    description = "alluxio-fuse over the bucket (root UFS s3://), worker cache freed before " \
        "each measurement (reads from S3)"

    def ufs_properties(self):
        return alluxio_s3_properties(self.ctx.store)


class AlluxioS3Warm(systems.AlluxioStandalone):
    name = "alluxio-s3-warm"
    description = "alluxio-fuse over the bucket (root UFS s3://), every block loaded in the " \
        "worker's MEM tier first"
    warm = True

    def ufs_properties(self):
        return alluxio_s3_properties(self.ctx.store)


CLASSES = {c.name: c for c in (S3fs, RcloneS3, AlluxioS3Cold, AlluxioS3Warm)}
ALL = list(CLASSES)
PEERS = ["s3fs", "rclone-s3"]
