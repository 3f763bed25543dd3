"""Small-file reader and stat walker, run as its own process by /usr/bin/python3.

  smallfiles.py read --root R --manifest M --procs N [--seed S]
      reads every file of the manifest whole (os.read in 1 MiB pieces), in a shuffled order,
      with N processes; prints {"files", "bytes", "seconds"} as JSON.
  smallfiles.py stat --root R --manifest M [--seed S]
      stats every file of the manifest, one process, shuffled; prints {"files", "seconds"}.
  smallfiles.py create --root DIR --procs N --files F --size B
      N processes each create F new files of B bytes in the existing, empty directory DIR
      (each open O_CREAT|O_EXCL, one write, close); prints {"files", "seconds"}.
Errors are counted and the first one printed (the run fails)."""

import argparse
import json
import multiprocessing
import os
import random
import sys
import time

CHUNK = 1 << 20


def read_files(paths):
    files = nbytes = 0
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            while True:
                b = os.read(fd, CHUNK)
                if not b:
                    break
                nbytes += len(b)
        finally:
            os.close(fd)
        files += 1
    return files, nbytes


def create_files(job):
    """Creates the files of one process: job = (directory, process index, count, size)."""
    directory, index, count, size = job
    data = os.urandom(size)
    for i in range(count):
        fd = os.open(os.path.join(directory, f"p{index:02d}-f{i:05d}.bin"),
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            if os.write(fd, data) != size:
                raise OSError(f"short write in process {index}")
        finally:
            os.close(fd)
    return count


def create(directory, procs, files, size):
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(procs) as pool:
        pool.map(abs, range(procs))  # the processes exist before the clock starts
        t = time.perf_counter()
        created = pool.map(create_files, [(directory, i, files, size) for i in range(procs)],
                           chunksize=1)
        seconds = time.perf_counter() - t
    return {"files": sum(created), "seconds": seconds}


def load_paths(root, manifest, seed):
    with open(manifest) as f:
        rels = json.load(f)["files"]
    random.Random(seed).shuffle(rels)
    return [os.path.join(root, r) for r in rels]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["read", "stat", "create"])
    p.add_argument("--root", required=True)
    p.add_argument("--manifest")
    p.add_argument("--procs", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--files", type=int, default=200)
    p.add_argument("--size", type=int, default=4096)
    a = p.parse_args()
    if a.mode == "create":
        print(json.dumps(create(a.root, a.procs, a.files, a.size)))
        return
    paths = load_paths(a.root, a.manifest, a.seed)
    if a.mode == "stat":
        t = time.perf_counter()
        for path in paths:
            os.stat(path)
        print(json.dumps({"files": len(paths), "seconds": time.perf_counter() - t}))
        return
    # Many more chunks than processes, handed out as processes free up: balanced.
    size = max(1, len(paths) // (a.procs * 16))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(a.procs) as pool:
        pool.map(abs, range(a.procs))  # the processes exist before the clock starts
        t = time.perf_counter()
        results = pool.map(read_files, chunks, chunksize=1)
        seconds = time.perf_counter() - t
    files = sum(r[0] for r in results)
    nbytes = sum(r[1] for r in results)
    print(json.dumps({"files": files, "bytes": nbytes, "seconds": seconds}))


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        print(f"{type(e).__name__}: [Errno {e.errno}] {os.strerror(e.errno or 0)}: {e.filename}",
              file=sys.stderr)
        sys.exit(1)
