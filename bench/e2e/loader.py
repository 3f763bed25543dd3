"""A PyTorch DataLoader epoch over the small files, run by /usr/bin/python3 (Debian's
python3-torch). Each sample: open one file, read it whole, return a tensor of its length (so the figure is
the file system's, not that of moving tensors between processes); batches are collated.

  loader.py --root R --manifest M --workers N --epochs 2 [--batch 32] [--counts FILE]
prints {"epochs": [{"samples", "bytes", "seconds"[, "calls"]}, ...]}; with --counts (the
counters file of tests/tools/delay_proxy.py) each epoch also gives the S3 calls made during it. The first epoch reads what the
caller left in the caches (it drops them first), the second what the first left."""

import argparse
import json
import os
import sys
import time

import torch
from torch.utils.data import DataLoader, Dataset


class Files(Dataset):
    def __init__(self, paths):
        self.paths = paths

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        with open(self.paths[i], "rb", buffering=0) as f:
            data = f.read()
        return torch.tensor(len(data), dtype=torch.int64)


def read_counts(path):
    """The proxy's counters (rewritten within 50 ms of a change: read after 0.2 s of quiet)."""
    if not path:
        return {}
    time.sleep(0.2)
    with open(path) as f:
        return json.load(f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--manifest", required=True)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--counts", default=None)
    a = p.parse_args()
    torch.manual_seed(0)
    with open(a.manifest) as f:
        paths = [os.path.join(a.root, r) for r in json.load(f)["files"]]
    loader = DataLoader(Files(paths), batch_size=a.batch, shuffle=True, num_workers=a.workers)
    epochs = []
    for _ in range(a.epochs):
        before = read_counts(a.counts)
        t = time.perf_counter()
        samples = nbytes = 0
        for batch in loader:
            samples += batch.numel()
            nbytes += int(batch.sum())
        epochs.append({"samples": samples, "bytes": nbytes, "seconds": time.perf_counter() - t})
        if a.counts:
            after = read_counts(a.counts)
            epochs[-1]["calls"] = {k: v - before.get(k, 0) for k, v in after.items()
                                   if v != before.get(k, 0)}
    print(json.dumps({"epochs": epochs, "torch": torch.__version__}))


if __name__ == "__main__":
    sys.exit(main())
