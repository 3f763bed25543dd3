"""Results: one table per medium of the data (disk, tmpfs), each with medians, ratios to a
reference (native; alluxio-warm over the local directory in a --ufs s3 run) and to the best peer
(mergerfs / rclone; s3fs / rclone-s3) of the same table, the machine, the mount options, the S3
calls counted at the server; written as JSON and as markdown."""

import json
import os
import platform
import statistics
import subprocess

from common import fs_type

CALLS = ["GET", "HEAD", "LIST", "PUT", "COPY", "POST", "DELETE"]


def machine_info(work_dir):
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"host": platform.node(), "cores": os.cpu_count(), "cpu": model,
            "kernel": platform.release(), "ram_gib": round(mem / 2**30, 1),
            "work_dir": work_dir, "work_dir_storage": storage(fs_type(work_dir))}


def storage(fs):
    return "tmpfs (RAM)" if fs == "tmpfs" else f"disk ({fs})"


def medium_info(medium, data_dir, data_fs):
    """Where one table's data is: the directory native reads, the peers serve and the alluxio
    systems have as their UFS root."""
    return {"medium": medium, "data_dir": data_dir, "data_dir_fs": data_fs,
            "data_dir_storage": storage(data_fs)}


def _first_line(argv, cwd=None):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=cwd)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def versions(repo):
    """The project's commit (and whether the tree had changes) and the tools' versions."""
    commit = _first_line(["git", "rev-parse", "--short", "HEAD"], cwd=repo)
    dirty = _first_line(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo)
    return {"project": commit + (" (with uncommitted changes)" if dirty not in ("", "?") else ""),
            "fio": _first_line(["fio", "--version"]),
            "mergerfs": _first_line(["mergerfs", "-V"]),
            "rclone": _first_line(["rclone", "version"]),
            "torch": _first_line(["/usr/bin/python3", "-c", "import torch; print(torch.__version__)"])}


def speed_ratio(value, reference, higher_better):
    """> 1 means faster than the reference, whatever the unit."""
    if value is None or reference is None or value == 0 or reference == 0:
        return None
    return value / reference if higher_better else reference / value


def build_table(results, rows, systems_meta, medium, reference, peers):
    """One table (one medium). results: {system: {row id: [values] | {"refused": msg}}};
    rows: [Row]; ratios to the system named `reference` and to the best of `peers`."""
    table = []
    for row in rows:
        medians = {}
        for s, per_row in results.items():
            v = per_row.get(row.id)
            if isinstance(v, list) and v:
                medians[s] = statistics.median(v)
        peer_medians = [medians[p] for p in peers if p in medians]
        best_peer = (max(peer_medians) if row.higher_better else min(peer_medians)) \
            if peer_medians else None
        cells = {}
        for s, per_row in results.items():
            v = per_row.get(row.id)
            if isinstance(v, dict):
                cells[s] = {"refused": v["refused"]}
            elif isinstance(v, list) and v:
                m = medians[s]
                cells[s] = {"median": m, "values": v,
                            "vs_native": speed_ratio(m, medians.get(reference), row.higher_better),
                            "vs_best_peer": speed_ratio(m, best_peer, row.higher_better)}
        table.append({"row": row.id, "label": row.label, "unit": row.unit,
                      "higher_is_better": row.higher_better, "best_peer": best_peer,
                      "systems": cells})
    return dict(medium, reference=reference, peers=peers, systems=systems_meta, rows=table)


def build(tables, machine, cfg, started, finished, object_store=None):
    """The report: one table per medium (build_table), in the order measured."""
    return {"started": started, "finished": finished, "quick": cfg.quick, "machine": machine,
            "config": {"seq_file_bytes": cfg.seq_bytes, "write_bytes": cfg.write_bytes,
                       "small_files": cfg.small_files, "fio_runtime_s": cfg.runtime,
                       "repetitions": cfg.reps},
            "object_store": object_store, "tables": tables}


def _tables(report):
    """The tables of a report; a report written before --media is one table, its data
    directory in `machine`."""
    if "tables" in report:
        return report["tables"]
    m = report["machine"]
    return [dict(report, medium="tmpfs" if m["data_dir_fs"] == "tmpfs" else "disk",
                 data_dir=m["data_dir"], data_dir_storage=m["data_dir_storage"])]


def _fmt(v):
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.0f}"
    return f"{v:.2f}"


def _ratio(r):
    return "–" if r is None else f"{r:.2f}×"


def markdown(report):
    m, c = report["machine"], report["config"]
    tables = _tables(report)
    kind = "QUICK run (small sizes, 1 repetition: for development, not for conclusions)" \
        if report["quick"] else f"full run, median of {c['repetitions']} repetitions"
    partial = "" if report["finished"] else \
        " PARTIAL: the run was still going or was interrupted; systems not listed were not run."
    reference = tables[0].get("reference", "native")
    peers = tables[0].get("peers", ["mergerfs", "rclone"])
    store = report.get("object_store")
    title = f"alluxio-fuse vs {', '.join(peers)} over S3" if store else \
        f"alluxio-fuse vs native, {', '.join(peers)}"
    work = f" Work directory (mount points, the alluxio homes with the master's metastore) " \
        f"`{m['work_dir']}` on {m['work_dir_storage']}." if "work_dir" in m else ""
    out = [f"# {title} — {report['started']}", "",
           f"{kind}.{partial}", ""] + ([report["note"], ""] if report.get("note") else []) + \
        ([f"Object store: {store}.", ""] if store else []) + [
           f"Machine: {m['host']}, {m['cores']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, "
           f"Linux {m['kernel']}.{work}",
           "",
           "Versions: " + ", ".join(f"{k} {v}" for k, v in report.get("versions", {}).items()) + ".",
           "",
           f"Data: one {c['seq_file_bytes'] >> 20} MiB file; {c['small_files']:,} files of "
           f"~110 KiB in 100 directories. Writes: {c['write_bytes'] >> 20} MiB. "
           f"fio random reads: {c['fio_runtime_s']} s each.", "",
           f"Each cell: median, then (speed vs {reference} / speed vs the best of "
           f"{' and '.join(peers)}), both within the same table; above 1× is faster, also for "
           "times. Page, dentry and inode caches are "
           "dropped before every read measurement (and before epoch 1, not epoch 2). Before "
           "every write, as much tmpfs as is written and twice that of the data directory's "
           "page cache are written and freed, so that the write lands in memory the VM's host "
           "has backed (free page reporting returns idle guest memory to the host); before "
           "every buffered sequential read, as much tmpfs as the file, for the page cache a "
           "FUSE system fills.", ""]
    for table in tables:
        out += table_markdown(table, several=len(tables) > 1, store=store)
    out += ["Workloads:", ""]
    for w in report.get("workloads", []):
        out.append(f"- {w}")
    if store:
        for table in tables:
            out += calls_markdown(table)
    return "\n".join(out) + "\n"


def table_markdown(table, several, store):
    """One medium: its heading, what used it, the table and the systems' options."""
    systems = list(table["systems"])
    reference = table.get("reference", "native")
    where = f"`{table['data_dir']}` on {table['data_dir_storage']}"
    if store:
        used = (f"Data directory {where}: the UFS of {reference}, uploaded to the object store. "
                "The alluxio MEM tier is RAM (a directory in /dev/shm).")
    else:
        used = (f"Data directory {where}: what native reads, what mergerfs and rclone serve "
                f"(rclone's VFS cache is on the same medium), and the alluxio systems' UFS root. "
                "The alluxio MEM tier is RAM (a directory in /dev/shm)" +
                (" in every table." if several else "."))
    out = ([f"## Data, UFS and peers on {table['medium']}", ""] if several else []) + \
        [used, "", "| workload | unit | " + " | ".join(systems) + " |",
         "|---|---|" + "---|" * len(systems)]
    for row in table["rows"]:
        cells = []
        for s in systems:
            cell = row["systems"].get(s)
            if cell is None:
                cells.append("")
            elif "refused" in cell:
                cells.append(f"refused: {cell['refused']}")
            elif s == reference:
                cells.append(_fmt(cell["median"]))
            else:
                cells.append(f"{_fmt(cell['median'])} ({_ratio(cell['vs_native'])} / "
                             f"{_ratio(cell['vs_best_peer'])})")
        out.append(f"| {row['label']} | {row['unit']} | " + " | ".join(cells) + " |")
    out += ["", "Systems and their exact options" +
            (f" ({table['medium']}):" if several else ":"), ""]
    for s, meta in table["systems"].items():
        load = ""
        if "loadavg_at_start" in meta:
            load = f" (load average {meta['loadavg_at_start']:.1f} at its start" + (
                f", {meta['loadavg_at_end']:.1f} at its end)" if "loadavg_at_end" in meta else ")")
        out.append(f"- **{s}**: {meta['description']}{load}. `{meta['options']}`"
                   + (f" — failed to start: {meta['error']}" if meta.get("error") else ""))
    return out + [""]


def _calls(counts, peak=False):
    cells = [str(counts.get(k, 0)) for k in CALLS]
    return cells + [f"{(counts.get('bytes_down', 0)) / 1e6:,.0f}"] + \
        ([str(counts.get("peak_waiting", "–"))] if peak else [])


def calls_markdown(table):
    """The S3 calls each system made, counted at the server (the delaying proxy)."""
    head = "| " + " | ".join(CALLS) + " | MB down |"
    sep = "|---" * (len(CALLS) + 1) + "|"
    out = ["", "S3 calls per DataLoader epoch, counted at the server (tests/tools/"
           "delay_proxy.py parses the request lines), first repetition:", "",
           "| system | workload | epoch " + head, "|---|---|---" + sep]
    for s, meta in table["systems"].items():
        for wid, reps in meta.get("s3_calls_per_epoch", {}).items():
            for i, counts in enumerate(reps[0], 1):
                out.append(f"| {s} | {wid} | {i} | " + " | ".join(_calls(counts)) + " |")
    out += ["", "S3 calls per workload (all its repetitions, remounts included; `start`: "
            "mounting, and loading for a warm system); peak in flight: the most requests sent "
            "and not yet answered at once:", "",
            "| system | workload " + head + " peak in flight |", "|---|---" + sep + "---|"]
    for s, meta in table["systems"].items():
        for wid, counts in meta.get("s3_calls", {}).items():
            out.append(f"| {s} | {wid} | " + " | ".join(_calls(counts, peak=True)) + " |")
    return out


def write(report, results_dir, stem, latest="latest.md"):
    os.makedirs(results_dir, exist_ok=True)
    json_path = os.path.join(results_dir, stem + ".json")
    md_path = os.path.join(results_dir, stem + ".md")
    with open(json_path, "w") as f:
        json.dump(report, f, indent=1)
    text = markdown(report)
    with open(md_path, "w") as f:
        f.write(text)
    with open(os.path.join(results_dir, latest), "w") as f:
        f.write(text)
    return json_path, md_path, text


if __name__ == "__main__":
    # Re-renders the markdown of a results JSON: report.py <results.json> [> out.md]
    import sys
    with open(sys.argv[1]) as f:
        print(markdown(json.load(f)), end="")
