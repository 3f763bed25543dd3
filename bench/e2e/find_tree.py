"""The metadata experiment of issue 18: a tree of one-byte files in directories on tmpfs, walked
with `find -type f` (a listing of every directory) and `find -printf %s` (a stat of every file),
each after the kernel's caches were dropped, natively and through alluxio-fuse (UFS root = the
tree, the client metadata cache on, as scripts/bench's alluxio systems), and the FUSE daemon's
resident memory before the walk and after it (its metadata cache and node table then hold every
entry): what one entry costs.

    python3 bench/e2e/find_tree.py [--files 50000] [--dirs 100] [--build-dir build]

Needs root (drop_caches, mounts). Not part of CI: it takes a minute and the machine's RAM."""

import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import systems  # noqa: E402
from common import Cleanup, drop_caches, run  # noqa: E402


def make_tree(root, files, dirs):
    for d in range(dirs):
        os.makedirs(os.path.join(root, f"d{d:03}"))
    for i in range(files):
        with open(os.path.join(root, f"d{i % dirs:03}", f"f{i:07}"), "wb") as f:
            f.write(b"x")


def timed_find(root, *args):
    drop_caches()
    t = time.perf_counter()
    out = run(["find", root, *args]).stdout
    return time.perf_counter() - t, out.count("\n")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--files", type=int, default=50000)
    p.add_argument("--dirs", type=int, default=100)
    p.add_argument("--build-dir", default=os.path.join(os.path.dirname(__file__), "../../build"))
    args = p.parse_args()

    work = tempfile.mkdtemp(prefix="alluxio-find-")
    data = tempfile.mkdtemp(prefix="alluxio-find-data-", dir="/dev/shm")
    cleanup = Cleanup(os.path.join(work, "cleanup.json"))
    try:
        bin_dir = os.path.join(work, "bin")
        os.makedirs(bin_dir)
        for name in ("alluxio", "alluxio-fuse"):
            shutil.copy2(os.path.join(args.build_dir, "bin", name), bin_dir)
        make_tree(data, args.files, args.dirs)
        results = {}
        results["native"] = [timed_find(data, "-type", "f"),
                             timed_find(data, "-printf", "%s\n")]
        ctx = systems.Context(data, work, work, work, cleanup, 64 << 20, [])
        alluxio = systems.AlluxioCold(ctx)
        alluxio.start()
        try:
            before = rss_kib(alluxio.daemon_pid)
            results["alluxio"] = [timed_find(alluxio.root, "-type", "f"),
                                  timed_find(alluxio.root, "-printf", "%s\n"),
                                  timed_find(alluxio.root, "-printf", "%s\n")]
            after = rss_kib(alluxio.daemon_pid)
        finally:
            alluxio.stop()
        entries = args.files + args.dirs
        print(f"{args.files} one-byte files in {args.dirs} directories on tmpfs "
              "(seconds after a drop of the kernel's caches; lines printed)")
        for system, rows in results.items():
            cells = ", ".join(f"{what} {s:.2f} s ({n})" for (s, n), what in
                              zip(rows, ["find -type f", "find -printf %s",
                                         "find -printf %s again"]))
            print(f"  {system}: {cells}")
        print(f"  alluxio-fuse daemon RSS: {before >> 10} MiB after mounting, {after >> 10} MiB "
              f"after the walks: {(after - before) * 1024 // entries} bytes per entry")
    finally:
        cleanup.run_all()
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
