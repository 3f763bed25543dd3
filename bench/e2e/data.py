"""The data every system reads: one large file for fio and a tree of small files, made once in
the data directory (reused while its marker matches the sizes asked for)."""

import json
import os
import random
import shutil

from common import log

SMALL_DIRS = 100
SMALL_MEAN = 110 * 1024      # bytes; sizes are spread uniformly over mean ± 20 KiB
SMALL_SPREAD = 20 * 1024


class Dataset:
    def __init__(self, root, seq_bytes, small_files):
        self.root = root
        self.seq_bytes = seq_bytes
        self.small_files = small_files
        self.seq_rel = f"seq/file-{seq_bytes >> 20}MiB.bin"
        self.small_rel = f"small-{small_files}"
        self.write_rel = "write"
        self.create_rel = "create"  # the small-file create and tar x targets
        self.manifest_path = os.path.join(root, f".manifest-{small_files}.json")
        self.small = []  # relative paths (to root) of the small files, in creation order
        self.small_bytes = 0

    @property
    def total_bytes(self):
        return self.seq_bytes + self.small_bytes

    def expected_bytes(self):
        """The size the data will have (the small files' mean size times their count)."""
        return self.seq_bytes + self.small_files * SMALL_MEAN

    def small_paths(self, mount):
        return [os.path.join(mount, rel) for rel in self.small]

    def prepare(self):
        for rel in (self.write_rel, self.create_rel):
            os.makedirs(os.path.join(self.root, rel), exist_ok=True)
        self.clear_writes()
        self._prepare_seq()
        self._prepare_small()

    def clear_writes(self):
        """Empties the write and create directories (between systems, none mounted)."""
        for rel in (self.write_rel, self.create_rel):
            d = os.path.join(self.root, rel)
            for name in os.listdir(d):
                leftover = os.path.join(d, name)
                log(f"data: removing {leftover} (left by a write workload)")
                if os.path.isdir(leftover) and not os.path.islink(leftover):
                    shutil.rmtree(leftover)
                else:
                    os.unlink(leftover)

    def _prepare_seq(self):
        path = os.path.join(self.root, self.seq_rel)
        if os.path.exists(path) and os.path.getsize(path) == self.seq_bytes:
            log(f"data: {self.seq_rel} already there")
            return
        log(f"data: writing {self.seq_rel} ({self.seq_bytes >> 20} MiB)")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        chunk = os.urandom(8 << 20)
        with open(path + ".tmp", "wb") as f:
            left = self.seq_bytes
            i = 0
            while left > 0:
                n = min(left, len(chunk))
                rot = (i * 4099) % len(chunk)  # each chunk differs from the previous
                f.write((chunk[rot:] + chunk[:rot])[:n])
                left -= n
                i += 1
        os.replace(path + ".tmp", path)

    def _prepare_small(self):
        try:
            with open(self.manifest_path) as f:
                manifest = json.load(f)
            if len(manifest["files"]) == self.small_files and all(
                    os.path.exists(os.path.join(self.root, r)) for r in manifest["files"][::97]):
                self.small = manifest["files"]
                self.small_bytes = manifest["bytes"]
                log(f"data: {self.small_rel} already there")
                return
        except (OSError, ValueError, KeyError):
            pass
        log(f"data: writing {self.small_files} small files in {SMALL_DIRS} directories")
        rng = random.Random(42)
        pool = os.urandom(4 << 20)
        files, total = [], 0
        for i in range(self.small_files):
            rel = os.path.join(self.small_rel, f"d{i % SMALL_DIRS:03d}", f"f{i:06d}.bin")
            size = rng.randint(SMALL_MEAN - SMALL_SPREAD, SMALL_MEAN + SMALL_SPREAD)
            off = rng.randrange(0, len(pool) - size)
            path = os.path.join(self.root, rel)
            if i < SMALL_DIRS:
                os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(pool[off:off + size])
            files.append(rel)
            total += size
        with open(self.manifest_path, "w") as f:
            json.dump({"files": files, "bytes": total}, f)
        os.sync()
        self.small, self.small_bytes = files, total
