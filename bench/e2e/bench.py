"""End-to-end benchmark: alluxio-fuse against the native directory, mergerfs and rclone, on
the same data; with --ufs s3, against s3fs and rclone over an s3rver bucket behind a shaped link
(bench/e2e/s3.py). Run through scripts/bench (which installs the tools and builds first).

  bench.py [--quick] [--systems native,alluxio-warm,...] [--workloads seqread-direct,...]
           [--media disk,tmpfs | --data-dir DIR] [--work-dir DIR] [--results-dir DIR] [--reps N]
           [--alluxio-property KEY=VALUE ...]
           [--ufs s3 [--s3-dir DIR] [--s3-rate 2gbit] [--s3-rtt-ms 2]]

One medium at a time (the data, the UFS and the peers on disk, then on tmpfs; the alluxio MEM
tier is RAM in both), one system at a time: start it, run every workload (repeated, medians
kept), stop it; one table per medium. Every
mount and process is undone on exit, also on an error or Ctrl-C (and by the wrapper's trap when
this process is killed)."""

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import report  # noqa: E402
import s3  # noqa: E402
import systems  # noqa: E402
import workloads  # noqa: E402
from common import Cleanup, fs_type, log  # noqa: E402
from data import Dataset  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# alluxio-warm over the local data directory is the reference of a --ufs s3 run.
S3_DEFAULT = ["alluxio-warm"] + s3.ALL
# Where each medium's data is made (and reused while its sizes match); tmpfs's is removed at
# the end of the run (it holds RAM).
MEDIA = {"disk": "/tmp/alluxio-bench-data", "tmpfs": "/dev/shm/alluxio-bench-data"}
CLASSES = dict(systems.CLASSES, **s3.CLASSES)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="small sizes (256 MiB file, 2,000 small files), 1 repetition, 3 s fio")
    p.add_argument("--systems", default=None,
                   help="comma-separated, from: " + ",".join(systems.ALL + s3.ALL) +
                   " (default: " + ",".join(systems.ALL) + "; with --ufs s3: " +
                   ",".join(S3_DEFAULT) + ")")
    p.add_argument("--ufs", choices=["local", "s3"], default="local",
                   help="s3: the data in an s3rver bucket on a network-namespace host behind a "
                   "shaped link, read by s3fs, rclone and alluxio-fuse (docs/bench_s3.md)")
    p.add_argument("--s3-dir", default="/tmp/alluxio-bench-s3rver",
                   help="s3rver's directory, kept between runs (its file system is the medium "
                   "of the object store; default /tmp/alluxio-bench-s3rver)")
    p.add_argument("--s3-rate", default="2gbit", help="the link's bandwidth, tc syntax")
    p.add_argument("--s3-rtt-ms", type=float, default=2.0,
                   help="round trip added by the delaying proxy (ms)")
    p.add_argument("--workloads", default="",
                   help="comma-separated workload ids (default all): " +
                   ",".join(w.id for w in workloads.all_workloads()))
    p.add_argument("--media", default=None,
                   help="comma-separated, from: disk,tmpfs: the media the data, the UFS and the "
                   "peers are on, one table each (default both; with --ufs s3: disk); data in " +
                   ", ".join(f"{m}: {d}" for m, d in MEDIA.items()))
    p.add_argument("--data-dir", default=None,
                   help="instead of --media: the one data directory (its file system is the "
                   "medium; made once, kept)")
    p.add_argument("--work-dir", default=None, help="mount points, homes (default: a temp dir)")
    p.add_argument("--results-dir", default=os.path.join(REPO, "bench", "results"))
    p.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    p.add_argument("--reps", type=int, default=None, help="repetitions (default 3, quick 1)")
    p.add_argument("--alluxio-property", action="append", default=[], metavar="KEY=VALUE",
                   help="an Alluxio property for the alluxio systems' cluster and mounts "
                   "(repeatable; reported with their options)")
    p.add_argument("--state-file", default=None, help="cleanup state (for the wrapper's trap)")
    return p.parse_args()


def parse_properties(items):
    props = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.startswith("alluxio."):
            sys.exit(f"--alluxio-property {item!r}: expected alluxio.<name>=<value>")
        props[key] = value
    return props


def choose_media(args, object_store):
    """[(medium, data directory, removed at the end)] in the order asked."""
    if args.data_dir:
        if args.media:
            sys.exit("--data-dir names the one medium: give --media or --data-dir, not both")
        os.makedirs(args.data_dir, exist_ok=True)
        data_dir = os.path.realpath(args.data_dir)
        return [("tmpfs" if fs_type(data_dir) == "tmpfs" else "disk", data_dir, False)]
    media = [m for m in (args.media or ("disk" if object_store else "disk,tmpfs")).split(",") if m]
    if not media or any(m not in MEDIA for m in media) or len(set(media)) != len(media):
        sys.exit(f"--media {args.media!r}: expected a comma-separated list from {list(MEDIA)}")
    if object_store and len(media) > 1:
        sys.exit("--ufs s3 runs on one medium: give --media disk or --media tmpfs")
    chosen = []
    for medium in media:
        data_fs = fs_type(os.path.dirname(MEDIA[medium]))  # made once it is known to fit
        if (data_fs == "tmpfs") != (medium == "tmpfs"):
            sys.exit(f"{MEDIA[medium]} is on {data_fs}, not {medium}: name a data directory on "
                     f"{medium} with --data-dir")
        chosen.append((medium, MEDIA[medium], medium == "tmpfs"))
    return chosen


def _meminfo(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _bytes_under(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(dirpath, f)).st_blocks * 512
            except OSError:
                pass
    return total


def tier_bytes(data_bytes, small_bytes, cfg):
    """The MEM tier holds the data, what the write workloads write (CACHE_THROUGH: the fio
    write, the tar x of the small files) and a margin."""
    return data_bytes + cfg.write_bytes + small_bytes + (512 << 20)


def check_tmpfs_room(data_dir, cfg):
    """Exits with a message when RAM (and /dev/shm) cannot hold the data on tmpfs, the MEM tier
    next to it, the writes and a margin of 1 GiB. Called before anything is made."""
    expected = Dataset(data_dir, cfg.seq_bytes, cfg.small_files).expected_bytes()
    small = expected - cfg.seq_bytes
    present = _bytes_under(data_dir)  # a dataset reused: its RAM is taken already
    need = max(0, expected - present) + tier_bytes(expected, small, cfg) + \
        2 * cfg.write_bytes + small + (1 << 30)
    available = _meminfo("MemAvailable")
    st = os.statvfs(data_dir if os.path.exists(data_dir) else os.path.dirname(data_dir))
    shm_free = st.f_bavail * st.f_frsize
    log(f"tmpfs medium: needs ~{need / 2**30:.1f} GiB of RAM (data {expected / 2**30:.1f} GiB, "
        f"{present / 2**30:.1f} GiB of it there already, the MEM tier, the writes, 1 GiB "
        f"margin); MemAvailable {available / 2**30:.1f} GiB, {data_dir} free "
        f"{shm_free / 2**30:.1f} GiB")
    if need > available or need > shm_free:
        sys.exit(f"the tmpfs medium does not fit: it needs ~{need / 2**30:.1f} GiB of RAM, "
                 f"MemAvailable is {available / 2**30:.1f} GiB and {data_dir} has "
                 f"{shm_free / 2**30:.1f} GiB free. Run with --media disk (or --quick), or free "
                 "memory first.")


def snapshot_binaries(build_dir, work_dir):
    """Copies alluxio and alluxio-fuse out of the build tree, so that a rebuild during the run
    (other work on the same tree) neither breaks nor mixes the measurements."""
    dest = os.path.join(work_dir, "bin")
    os.makedirs(dest, exist_ok=True)
    for name in ("alluxio", "alluxio-fuse"):
        src = os.path.join(build_dir, "bin", name)
        for attempt in range(60):
            try:
                before = os.stat(src)
                shutil.copy2(src, os.path.join(dest, name))
                after = os.stat(src)
                if (before.st_mtime_ns, before.st_size) == (after.st_mtime_ns, after.st_size) \
                        and os.access(src, os.X_OK):
                    break
            except OSError:
                pass
            time.sleep(1)  # being relinked
        else:
            sys.exit(f"cannot copy {src}")
    log(f"binaries: {build_dir}/bin copied to {dest}")
    return work_dir


def main():
    args = parse_args()
    cfg = workloads.Config(args.quick)
    if args.reps:
        cfg.reps = args.reps
    object_store = args.ufs == "s3"
    default = S3_DEFAULT if object_store else systems.ALL
    names = [s for s in (args.systems or ",".join(default)).split(",") if s]
    unknown = [s for s in names if s not in CLASSES]
    if unknown:
        sys.exit(f"unknown system(s) {unknown}; choose from {list(CLASSES)}")
    if not object_store and any(s in s3.CLASSES for s in names):
        sys.exit(f"{[s for s in names if s in s3.CLASSES]} need --ufs s3")
    chosen = workloads.all_workloads(object_store)
    if args.workloads:
        wanted = args.workloads.split(",")
        chosen = [w for w in chosen if w.id in wanted]
        if len(chosen) != len(wanted):
            sys.exit(f"unknown workload in {wanted}")
    if not workloads.torch_available():
        log("python3-torch is missing: the DataLoader workloads are skipped")
        chosen = [w for w in chosen if not w.id.startswith("loader")]

    media = choose_media(args, object_store)
    for medium, data_dir, _ in media:
        if medium == "tmpfs":
            check_tmpfs_room(data_dir, cfg)

    work_dir = args.work_dir or tempfile.mkdtemp(prefix="alluxio-bench-")
    os.makedirs(work_dir, exist_ok=True)
    state = args.state_file or os.path.join(work_dir, "cleanup.json")
    cleanup = Cleanup(state)
    bin_dir = snapshot_binaries(args.build_dir, work_dir)
    layout = {"reference": "native", "peers": systems.PEERS}
    object_store_description = None

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGINT, on_signal)  # also when started with SIGINT ignored (`&`)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    machine = report.machine_info(work_dir)
    stem = time.strftime("%Y-%m-%d-%H%M", time.gmtime()) + f"-{machine['host']}" + \
        ("-quick" if cfg.quick else "")
    tool_versions = report.versions(REPO)
    runs = []  # per medium measured: (medium info, results, meta)
    rows = [row for w in chosen for row in w.rows]

    def write_report(complete):
        """Written after every system (a partial report survives an interrupted run)."""
        finished = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()) if complete else None
        tables = [report.build_table(results, rows, meta, info, **layout)
                  for info, results, meta in runs]
        rep = report.build(tables, machine, cfg, started, finished, object_store_description)
        rep["workloads"] = [f"`{w.id}`: {w.title}" for w in chosen]
        rep["systems_asked"] = names
        rep["versions"] = tool_versions
        return report.write(rep, args.results_dir, stem,
                            "latest-s3.md" if object_store else "latest.md")

    try:
        for medium, data_dir, remove_data in media:
            mark = len(cleanup.items)
            if remove_data:
                cleanup.add_call(f"rm {data_dir}",
                                 lambda d=data_dir: shutil.rmtree(d, ignore_errors=True))
            os.makedirs(data_dir, exist_ok=True)
            data_fs = fs_type(data_dir)
            kind = "RAM" if data_fs == "tmpfs" else "disk: cold native reads come from the disk"
            log(f"== medium {medium}: data directory {data_dir}: {data_fs} ({kind})")
            ds = Dataset(data_dir, cfg.seq_bytes, cfg.small_files)
            ds.prepare()
            log(f"data: {ds.total_bytes / 1e9:.2f} GB ({len(ds.small)} small files)")
            # A peer's cache (rclone's) on the data's medium, beside the data directory.
            scratch = os.path.join(os.path.dirname(data_dir),
                                   f".alluxio-bench-scratch-{os.getpid()}")
            os.makedirs(scratch, exist_ok=True)
            cleanup.add_call(f"rm {scratch}",
                             lambda d=scratch: shutil.rmtree(d, ignore_errors=True))
            load_paths = ["/" + ds.seq_rel, "/" + ds.small_rel]
            ctx = systems.Context(data_dir, scratch, work_dir, bin_dir, cleanup,
                                  tier_bytes(ds.total_bytes, ds.small_bytes, cfg), load_paths,
                                  parse_properties(args.alluxio_property))
            if object_store:
                ctx.store = s3.ObjectStore(ctx, args.s3_dir, args.s3_rate, args.s3_rtt_ms)
                ctx.store.start()
                ctx.store.upload(ds)
                layout = {"reference": "alluxio-warm", "peers": s3.PEERS}
                object_store_description = ctx.store.description
            results, meta = {}, {}
            runs.append((report.medium_info(medium, data_dir, data_fs), results, meta))
            for name in names:
                run_system(name, ctx, chosen, rows, ds, cfg, results, meta)
                write_report(complete=False)
            cleanup.run_all(mark)  # the object store, the scratch and the tmpfs data go
    finally:
        cleanup.run_all()
        if not args.work_dir:
            shutil.rmtree(work_dir, ignore_errors=True)
    json_path, md_path, text = write_report(complete=True)
    print(text)
    log(f"results: {md_path}, {json_path}")


def run_system(name, ctx, chosen, rows, ds, cfg, results, meta):
    """Starts one system, runs every workload on it, stops it; fills results and meta."""
    system = CLASSES[name](ctx)
    keep = len(ctx.cleanup.items)  # the object store stays for the next system
    meta[name] = {"description": system.description, "options": "",
                  "loadavg_at_start": os.getloadavg()[0]}
    results[name] = {}
    log(f"== {name}: starting")
    try:
        t = time.time()
        calls_before = ctx.store.calls(reset_peak=True) if ctx.store else None
        system.start()
        if ctx.store:  # a warm system's load, the first listing
            meta[name]["s3_calls"] = {"start": s3.diff_calls(calls_before, ctx.store.calls())}
        meta[name]["options"] = system.options
        meta[name]["start_seconds"] = round(time.time() - t, 1)
    except Exception as e:
        log(f"{name} failed to start: {e}")
        meta[name]["error"] = str(e)
        for row in rows:
            results[name][row.id] = {"refused": f"start failed: {e}"}
        ctx.cleanup.run_all(keep)
        return
    try:
        for w in chosen:
            calls_before = ctx.store.calls(reset_peak=True) if ctx.store else None
            try:
                results[name].update(workloads.run_workload(w, system, ds, cfg))
            except (workloads.Refused, OSError) as e:
                log(f"  {name} {w.id}: REFUSED {e}")
                for row in w.rows:
                    results[name][row.id] = {"refused": str(e)}
            if ctx.store:  # the S3 calls of all repetitions (remounts included)
                calls = s3.diff_calls(calls_before, ctx.store.calls())
                meta[name].setdefault("s3_calls", {})[w.id] = calls
                log(f"  {name} {w.id}: S3 calls {calls}")
    finally:
        meta[name]["loadavg_at_end"] = os.getloadavg()[0]
        if system.epoch_calls:
            meta[name]["s3_calls_per_epoch"] = system.epoch_calls
        log(f"== {name}: stopping")
        try:
            system.stop()
        except Exception as e:
            log(f"{name} stop: {e}")
        ctx.cleanup.run_all(keep)
        ds.clear_writes()  # what a system failed to delete (see README: Benchmarks)

if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt as e:
        log(f"interrupted ({e}); everything was unmounted and stopped")
        sys.exit(130)
