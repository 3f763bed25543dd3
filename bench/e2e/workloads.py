"""The workloads. Each one runs once on a system's root and returns its figures
({row id: value}); bench.py repeats it and keeps medians. A workload that fails raises
Refused with the error, which the report shows in place of the figure.

Rows (one per figure) say their unit and whether higher is better."""

import json
import os
import shutil
import subprocess
import time

from common import back_free_memory, drop_caches, log

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
CREATE_FILES, CREATE_SIZE = 200, 4096  # per process, in full and quick runs alike


class Refused(Exception):
    pass


class Row:
    def __init__(self, id, label, unit, higher_better=True):
        self.id, self.label, self.unit, self.higher_better = id, label, unit, higher_better


class Config:
    """Sizes and durations of a run (full or --quick)."""

    def __init__(self, quick):
        self.quick = quick
        self.seq_bytes = (256 << 20) if quick else (2 << 30)
        self.write_bytes = (128 << 20) if quick else (1 << 30)
        self.small_files = 2000 if quick else 20000
        self.runtime = 3 if quick else 10
        self.reps = 1 if quick else 3


def _fio(args, timeout):
    argv = ["fio", "--output-format=json", *args]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    out = proc.stdout
    data = None
    try:  # fio may print warnings before the JSON
        data = json.loads(out[out.index("{"):]) if "{" in out else None
    except ValueError:
        data = None
    errors = [ln.strip() for ln in (proc.stderr + out).splitlines()
              if "err=" in ln or "error" in ln.lower() and ln.strip().startswith("fio")]
    job_error = data["jobs"][0].get("error", 0) if data and data.get("jobs") else 0
    if proc.returncode != 0 or job_error or data is None:
        tail = " / ".join((proc.stderr.strip().splitlines() or ["no output"])[-2:])
        msg = errors[0] if errors else f"fio exited {proc.returncode}: {tail}"
        if job_error and not errors:
            msg = f"errno {job_error} ({os.strerror(job_error)})"
        raise Refused(msg)
    return data["jobs"][0]


def _py(script, args, timeout):
    proc = subprocess.run([PYTHON, os.path.join(HERE, script), *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"]
        raise Refused(lines[-1])
    return json.loads(proc.stdout.strip().splitlines()[-1])


class Workload:
    id = ""
    title = ""
    rows = []

    def run(self, system, ds, cfg, rep):
        raise NotImplementedError


class SeqRead(Workload):
    def __init__(self, direct):
        self.direct = direct
        kind = "direct" if direct else "buffered"
        self.id = f"seqread-{kind}"
        self.title = f"fio 1 MiB sequential read, {kind}"
        self.rows = [Row(self.id, f"seq read 1 MiB, {kind}", "MB/s")]

    def run(self, system, ds, cfg, rep):
        system.before_read()
        if not self.direct:
            # A buffered read through FUSE fills the mount's page cache (fresh pages, as many as
            # the file) where native tmpfs reads pages that exist: backed first, as for writes.
            back_free_memory(ds.seq_bytes, "/dev/shm")
        job = _fio([f"--name={self.id}", f"--filename={os.path.join(system.root, ds.seq_rel)}",
                    "--rw=read", "--bs=1M", f"--size={ds.seq_bytes}", f"--direct={int(self.direct)}",
                    "--ioengine=psync", "--readonly", "--invalidate=1"], timeout=1800)
        return {self.id: job["read"]["bw_bytes"] / 1e6}


class RandRead(Workload):
    def __init__(self, jobs):
        self.jobs = jobs
        self.id = f"randread-{jobs}j"
        self.title = f"fio 4 KiB random read, QD1, {jobs} job(s), direct"
        self.rows = [Row(self.id, f"rand read 4 KiB QD1, {jobs} job{'s' if jobs > 1 else ''}",
                         "IOPS")]

    def run(self, system, ds, cfg, rep):
        system.before_read()
        job = _fio([f"--name={self.id}", f"--filename={os.path.join(system.root, ds.seq_rel)}",
                    "--rw=randread", "--bs=4k", f"--size={ds.seq_bytes}", "--direct=1",
                    "--ioengine=psync", "--iodepth=1", f"--numjobs={self.jobs}",
                    "--group_reporting", "--time_based", f"--runtime={cfg.runtime}",
                    "--randrepeat=0", "--readonly"], timeout=cfg.runtime + 600)
        return {self.id: job["read"]["iops"]}


class SeqWrite(Workload):
    id = "seqwrite"
    title = "fio 1 MiB sequential write of a new file, fio's defaults (buffered, no fsync)"

    def __init__(self):
        self.rows = [Row(self.id, "seq write 1 MiB, new file", "MB/s")]

    def run(self, system, ds, cfg, rep):
        # A new name every time: a file of an earlier run left in the data directory would be
        # a complete file, which a write-once system refuses to overwrite in place.
        path = os.path.join(system.root, ds.write_rel,
                            f"fio-{system.name}-{os.getpid()}-{int(time.time())}-{rep}.bin")
        _before_write(cfg.write_bytes, ds)
        try:
            job = _fio([f"--name={self.id}", f"--filename={path}", "--rw=write", "--bs=1M",
                        f"--size={cfg.write_bytes}"], timeout=1800)
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass
        return {self.id: job["write"]["bw_bytes"] / 1e6}


def _before_write(nbytes, ds):
    """What every write measurement starts with, on every system alike."""
    os.sync()  # no repetition starts behind the write-back of the previous one's data
    # Backed pages for every copy a system makes, of each kind (alluxio CACHE_THROUGH: a
    # block in the MEM tier on tmpfs, and the UFS file's page cache), the same for every
    # system. 2x on the data directory stays under the dirty background threshold here.
    back_free_memory(nbytes, "/dev/shm")
    back_free_memory(2 * nbytes, os.path.join(ds.root, ds.write_rel))


def _empty_target(system, ds, kind, rep):
    """A new, empty directory under the system's create directory for one repetition."""
    target = os.path.join(system.root, ds.create_rel,
                          f"{kind}-{system.name}-{os.getpid()}-{int(time.time())}-{rep}")
    os.mkdir(target)
    return target


def _remove_target(target):
    """Deletes what a repetition created, through the system (not timed). What is left is
    removed from the data directory after the system stopped (Dataset.clear_writes)."""
    try:
        shutil.rmtree(target)
    except OSError as e:
        log(f"  removing {target}: {e}")


class Create(Workload):
    """New small files written by many processes at once (dataset extraction, checkpoint
    shards, logs)."""

    def __init__(self, procs=16):
        self.procs = procs
        self.id = f"create-{procs}p"
        self.title = (f"{procs} processes each create {CREATE_FILES} new files of "
                      f"{CREATE_SIZE >> 10} KiB (open O_CREAT|O_EXCL, one write, close) in one "
                      "empty directory, no fsync")
        self.rows = [Row(self.id, f"create {CREATE_SIZE >> 10} KiB files, {procs} procs",
                         "files/s")]

    def run(self, system, ds, cfg, rep):
        n = self.procs * CREATE_FILES
        _before_write(n * CREATE_SIZE, ds)
        target = _empty_target(system, ds, "create", rep)
        try:
            r = _py("smallfiles.py", ["create", "--root", target, "--procs", str(self.procs),
                                      "--files", str(CREATE_FILES), "--size", str(CREATE_SIZE)],
                       timeout=3600)
        finally:
            _remove_target(target)
        if r["files"] != n:
            raise Refused(f"created {r['files']} files, expected {n}")
        return {self.id: r["files"] / r["seconds"]}


class TarExtract(Workload):
    """`tar x` of the small-file set (a tar made once from the native copy, in the work
    directory, read into the page cache before each extraction)."""
    id = "tar-x"
    title = "tar x of the small-file set into an empty directory (tar --no-same-owner -xf)"

    def __init__(self):
        self.rows = [Row(self.id, "tar x of the small files", "files/s")]

    def tarball(self, system, ds):
        path = os.path.join(system.ctx.work_dir, f"{ds.small_rel}.tar")
        if not os.path.exists(path):
            log(f"  tar cf {path} -C {ds.root} {ds.small_rel}")
            subprocess.run(["tar", "cf", path + ".tmp", "-C", ds.root, ds.small_rel],
                           check=True, capture_output=True)
            os.replace(path + ".tmp", path)
        with open(path, "rb") as f:  # into the page cache: the extraction, not the tar, is timed
            while f.read(8 << 20):
                pass
        return path

    def run(self, system, ds, cfg, rep):
        tarball = self.tarball(system, ds)
        _before_write(ds.small_bytes, ds)
        target = _empty_target(system, ds, "tar", rep)
        try:
            t = time.perf_counter()
            proc = subprocess.run(["tar", "--no-same-owner", "-xf", tarball, "-C", target],
                                  capture_output=True, text=True, timeout=3600,
                                  stdin=subprocess.DEVNULL)
            seconds = time.perf_counter() - t
            if proc.returncode != 0:
                raise Refused((proc.stderr.strip().splitlines() or
                               [f"tar exited {proc.returncode}"])[0])
            files = sum(len(f) for _, _, f in os.walk(target))
        finally:
            _remove_target(target)
        if files != len(ds.small):
            raise Refused(f"tar x left {files} files, expected {len(ds.small)}")
        return {self.id: files / seconds}


class SmallRead(Workload):
    def __init__(self, procs):
        self.procs = procs
        self.id = f"small-{procs}p"
        self.title = f"small files read whole in random order, {procs} processes"
        self.rows = [Row(f"{self.id}-files", f"small files, {procs} procs", "files/s"),
                     Row(f"{self.id}-mb", f"small files, {procs} procs", "MB/s")]

    def run(self, system, ds, cfg, rep):
        system.before_read()
        r = _py("smallfiles.py", ["read", "--root", system.root, "--manifest", ds.manifest_path,
                                  "--procs", str(self.procs), "--seed", str(rep)], timeout=3600)
        if r["files"] != len(ds.small) or r["bytes"] != ds.small_bytes:
            raise Refused(f"read {r['files']} files / {r['bytes']} bytes, "
                          f"expected {len(ds.small)} / {ds.small_bytes}")
        return {f"{self.id}-files": r["files"] / r["seconds"],
                f"{self.id}-mb": r["bytes"] / r["seconds"] / 1e6}


class Stat(Workload):
    id = "stat"
    title = "stat of every small file, one process, random order, caches dropped"

    def __init__(self):
        self.rows = [Row(self.id, "stat every file", "files/s")]

    def run(self, system, ds, cfg, rep):
        system.before_read()
        r = _py("smallfiles.py", ["stat", "--root", system.root, "--manifest", ds.manifest_path,
                                  "--seed", str(rep)], timeout=3600)
        return {self.id: r["files"] / r["seconds"]}


class ListTree(Workload):
    id = "ls-lR"
    title = "ls -lR of the small-file tree, caches dropped"

    def __init__(self):
        self.rows = [Row(self.id, "ls -lR of the tree", "s", higher_better=False)]

    def run(self, system, ds, cfg, rep):
        system.before_read()
        t = time.perf_counter()
        proc = subprocess.run(["ls", "-lR", os.path.join(system.root, ds.small_rel)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=3600)
        seconds = time.perf_counter() - t
        if proc.returncode != 0:
            raise Refused((proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[0])
        files = sum(1 for ln in proc.stdout.splitlines() if ln.startswith("-"))
        if files != len(ds.small):
            raise Refused(f"ls -lR listed {files} files, expected {len(ds.small)}")
        return {self.id: seconds}


class Loader(Workload):
    def __init__(self, workers, epochs=2):
        self.workers, self.epochs = workers, epochs
        self.id = f"loader-{workers}w" + (f"-{epochs}e" if epochs != 2 else "")
        self.title = f"PyTorch DataLoader, num_workers={workers}, batch 32, shuffled, " \
            f"{epochs} epochs; a sample = one file read whole (its length as a tensor)"
        self.rows = [Row(f"{self.id}-e{i}", f"DataLoader {workers} workers, epoch {i}"
                         + (f" of {epochs}" if epochs != 2 else ""), "samples/s")
                     for i in range(1, epochs + 1)]

    def run(self, system, ds, cfg, rep):
        """With an object store, the S3 calls of each epoch go to system.epoch_calls."""
        system.before_read()
        counts = ["--counts", system.ctx.store.counts_path] if system.ctx.store else []
        r = _py("loader.py", ["--root", system.root, "--manifest", ds.manifest_path,
                              "--workers", str(self.workers), "--epochs", str(self.epochs),
                              *counts], timeout=3600)
        for e in r["epochs"]:
            if e["samples"] != len(ds.small) or e["bytes"] != ds.small_bytes:
                raise Refused(f"epoch read {e['samples']} samples / {e['bytes']} bytes")
        if counts:
            system.epoch_calls.setdefault(self.id, []).append([e["calls"] for e in r["epochs"]])
        return {f"{self.id}-e{i}": e["samples"] / e["seconds"]
                for i, e in enumerate(r["epochs"], 1)}


def all_workloads(object_store=False):
    """Every workload; on object storage also a DataLoader run of 3 epochs (epoch 1 cold). The
    small-file writes come last: they leave nothing behind for the reads."""
    return [SeqRead(direct=True), SeqRead(direct=False), RandRead(1), RandRead(4), SeqWrite(),
            SmallRead(4), SmallRead(16), Stat(), ListTree(), Loader(4), Loader(8)] + \
        ([Loader(8, epochs=3)] if object_store else []) + [Create(16), TarExtract()]


def torch_available():
    return subprocess.run([PYTHON, "-c", "import torch"], capture_output=True).returncode == 0


def run_workload(workload, system, ds, cfg):
    """Runs `cfg.reps` repetitions; returns {row id: [values]} or raises Refused."""
    values = {row.id: [] for row in workload.rows}
    for rep in range(cfg.reps):
        t = time.time()
        figures = workload.run(system, ds, cfg, rep)
        for k, v in figures.items():
            values[k].append(v)
        log(f"  {system.name} {workload.id} rep {rep + 1}/{cfg.reps}: " +
            ", ".join(f"{k}={v:.1f}" for k, v in figures.items()) + f" ({time.time() - t:.0f}s)")
    return values


__all__ = ["Config", "Refused", "all_workloads", "run_workload", "drop_caches", "torch_available"]
