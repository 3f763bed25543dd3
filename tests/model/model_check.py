#!/usr/bin/env python3
"""Model-based random testing of a mount: seeded random operation sequences applied to a
directory on the mount and to the reference model (fs_model.py); every outcome (value or errno)
is compared.

Usage:
  model_check.py --root DIR [--seeds 1,2,3 | --seed-from N --minutes M] [--ops N] [--faults]
                 [--ufs-faults]

Each seed runs in a fresh directory DIR/seed-<n>. On a divergence it prints the seed, the
operations applied so far (the replay) and both outcomes, and exits 1. With --faults (used by
scripts/soak while it kills and restarts services), an operation may also fail with an error
of an unavailable service (EIO, ETIMEDOUT, ENOTCONN, ECONNREFUSED; ECONNABORTED on descriptors
of a killed FUSE daemon); the model then takes what the mount shows for the paths involved,
but a file whose close succeeded must keep exactly its bytes unless a later operation on it was
acknowledged, and no read may ever return wrong bytes. With --ufs-faults too (scripts/soak
--ufs-faults, which also makes the under storage fail or fill up), ENOSPC is a fault outcome
as well: SEMANTICS.md's errno of a write, fsync or close when the under storage is full.
"""
import argparse
import errno
import hashlib
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fs_model  # noqa: E402
from fs_model import Model, describe_stat  # noqa: E402

NAMES = ["a", "b", "c", "d"]
DANGLING = "/nonexistent-alluxio-model-target"  # symlink targets point below it
FAULT_ERRNOS = {"EIO", "ETIMEDOUT", "ENOTCONN", "ECONNREFUSED", "ECONNABORTED", "EBUSY"}
UFS_FAULT_ERRNOS = FAULT_ERRNOS | {"ENOSPC"}


class Divergence(Exception):
    pass


def outcome_of(fn):
    try:
        return ("ok", fn())
    except OSError as e:
        return ("err", errno.errorcode.get(e.errno, str(e.errno)))


class Runner:
    def __init__(self, root, seed, fault_errnos, log):
        self.root = root
        self.rng = random.Random(seed)
        self.seed = seed
        self.fault_errnos = fault_errnos  # errno names a fault may produce; empty: no faults
        self.model = Model()
        self.fds = {}  # handle id -> real fd
        self.next_handle = 1
        self.history = []
        self.log = log
        self.faults_seen = 0

    # ---- helpers
    def real(self, path):
        return os.path.join(self.root, *path) if path else self.root

    def random_path(self, depth=None):
        depth = depth or self.rng.choice([1, 1, 2, 2, 3])
        return tuple(self.rng.choice(NAMES) for _ in range(depth))

    def existing_path(self, want):
        """A path of the model of kind `want` ("file" / "dir"), or a random one."""
        found = []

        def visit(prefix, d):
            for name, child in d.children.items():
                p = prefix + (name,)
                if isinstance(child, fs_model.Dir):
                    if want == "dir":
                        found.append(p)
                    visit(p, child)
                elif want == "file":
                    found.append(p)

        visit((), self.model.root)
        if found and self.rng.random() < 0.8:
            return self.rng.choice(sorted(found))
        return self.random_path()

    def data(self, n):
        return self.rng.randbytes(n)

    def size(self):
        r = self.rng.random()
        if r < 0.6:
            return self.rng.randrange(0, 8192)
        if r < 0.95:
            return self.rng.randrange(8192, 300 << 10)
        return self.rng.randrange(1 << 20, 3 << 20)

    # ---- one step
    def step(self):
        ops = [
            (12, self.op_create), (14, self.op_write), (8, self.op_close), (10, self.op_read),
            (8, self.op_stat), (6, self.op_listdir), (6, self.op_mkdir), (3, self.op_rmdir),
            (5, self.op_unlink), (7, self.op_rename), (3, self.op_chmod), (2, self.op_truncate),
            (3, self.op_symlink), (2, self.op_readlink), (3, self.op_lstat),
        ]
        total = sum(w for w, _ in ops)
        pick = self.rng.randrange(total)
        for weight, op in ops:
            if pick < weight:
                return op()
            pick -= weight

    def check(self, name, real, expected, paths=()):
        self.history.append(f"{name} -> mount {brief(real)}, model {brief(expected)}")
        if real == expected:
            return
        fault = real[0] == "err" and real[1] in self.fault_errnos or short_write(real, expected)
        if self.fault_errnos and fault:
            self.faults_seen += 1
            self.history.append(f"  (fault outcome: resyncing {[self.real(p) for p in paths]})")
            self.resync(paths)
            return
        raise Divergence(f"{name}: mount gave {brief(real)}, the model {brief(expected)}")

    def unobserved(self, path):
        """Paths with open handles are not read or stat'ed: their content is in flux."""
        return self.model.busy(path)

    # ---- operations
    def op_create(self):
        path = self.existing_path("file") if self.rng.random() < 0.5 else self.random_path()
        writer = self.model.writer_of(path)
        if writer is not None and writer.kind != "new":
            return
        access = self.rng.choice([os.O_WRONLY, os.O_RDWR])
        create = self.rng.random() < 0.9
        exclusive = create and self.rng.random() < 0.3
        truncate = self.rng.random() < 0.4
        flags = access | (os.O_CREAT if create else 0) | (os.O_EXCL if exclusive else 0)
        flags |= os.O_TRUNC if truncate else 0
        handle = self.next_handle
        self.next_handle += 1
        real = outcome_of(lambda: os.open(self.real(path), flags, 0o644))
        expected = self.model.open_write(handle, path, 0o644, create, exclusive, truncate)
        if real[0] == "ok":
            self.fds[handle] = real[1]
            real = ("ok", None)
        name = f"open({'/'.join(path)}, {flags:#o})"
        self.check(name, real, expected, [path])
        if real[0] == "ok" and handle not in self.model.handles:
            os.close(self.fds.pop(handle))

    def op_write(self):
        if not self.model.handles:
            return self.op_create()
        handle = self.rng.choice(sorted(self.model.handles))
        h = self.model.handles[handle]
        end = len(h.written)
        first, second = self.data(self.size()), self.data(self.size())
        if self.rng.random() < 0.2 and first and second:
            # Out of order within the window: the later piece first, then the gap.
            writes = [(end + len(first), second), (end, first)]
        else:
            writes = [(end, first)]
        for offset, data in writes:
            if handle not in self.fds:  # the write before met a fault: the handle was given up
                return
            real = outcome_of(lambda: os.pwrite(self.fds[handle], data, offset))
            expected = self.model.write(handle, offset, data)
            self.check(f"pwrite(h{handle} {h.kind}, {len(data)} bytes at {offset})", real,
                       expected, [h.path] if h.path else [])

    def op_close(self):
        if not self.model.handles:
            return self.op_create()
        handle = self.rng.choice(sorted(self.model.handles))
        path = self.model.handles[handle].path
        real = outcome_of(lambda: os.close(self.fds.pop(handle)))
        expected = self.model.close(handle)
        self.check(f"close(h{handle})", real, expected, [path] if path else [])

    def op_read(self):
        path = self.existing_path("file")
        if self.unobserved(path):
            return
        node, _ = self.model.walk(path)
        size = len(node.data) if isinstance(node, fs_model.File) else 0
        offset = self.rng.choice([0, 0, self.rng.randrange(0, size + 1)]) if size else 0
        length = self.rng.choice([size + 1, self.rng.randrange(1, 256 << 10)])

        def read():
            fd = os.open(self.real(path), os.O_RDONLY)
            try:
                return os.pread(fd, length, offset)
            finally:
                os.close(fd)

        self.check(f"read({'/'.join(path)}, {length} at {offset})", outcome_of(read),
                   self.model.read(path, offset, length), [path])

    def op_stat(self):
        path = self.existing_path(self.rng.choice(["file", "dir"]))
        if self.unobserved(path):
            return
        real = outcome_of(lambda: describe_stat(os.stat(self.real(path))))
        self.check(f"stat({'/'.join(path)})", real, self.model.stat(path), [path])

    def op_listdir(self):
        path = self.existing_path("dir") if self.rng.random() < 0.8 else ()
        real = outcome_of(lambda: sorted(os.listdir(self.real(path))))
        self.check(f"listdir({'/'.join(path)})", real, self.model.listdir(path), [path])

    def op_mkdir(self):
        path = self.random_path()
        self.check(f"mkdir({'/'.join(path)})", outcome_of(lambda: os.mkdir(self.real(path), 0o755)),
                   self.model.mkdir(path, 0o755), [path])

    def op_rmdir(self):
        path = self.existing_path("dir")
        if self.model.busy(path):
            return
        self.check(f"rmdir({'/'.join(path)})", outcome_of(lambda: os.rmdir(self.real(path))),
                   self.model.rmdir(path), [path])

    def op_unlink(self):
        path = self.existing_path("file")
        writer = self.model.writer_of(path)
        if writer is not None and writer.kind != "new":
            return
        self.check(f"unlink({'/'.join(path)})", outcome_of(lambda: os.unlink(self.real(path))),
                   self.model.unlink(path), [path])

    def op_rename(self):
        src = self.existing_path(self.rng.choice(["file", "file", "dir"]))
        dst = self.existing_path("file") if self.rng.random() < 0.3 else self.random_path()
        for p in (src, dst):
            for h in self.model.handles_under(p):
                if h.kind != "new" or p == dst:
                    return
        real = outcome_of(lambda: os.rename(self.real(src), self.real(dst)))
        self.check(f"rename({'/'.join(src)}, {'/'.join(dst)})", real,
                   self.model.rename(src, dst), [src, dst])

    def op_chmod(self):
        path = self.existing_path(self.rng.choice(["file", "dir"]))
        if self.model.busy(path):
            return
        mode = self.rng.choice([0o600, 0o640, 0o644, 0o700, 0o755])
        if self.model.walk(path)[0] is self.model.root:
            return
        self.check(f"chmod({'/'.join(path)}, {mode:o})",
                   outcome_of(lambda: os.chmod(self.real(path), mode)),
                   self.model.chmod(path, mode), [path])

    def op_truncate(self):
        path = self.existing_path("file")
        if self.unobserved(path):
            return
        node, _ = self.model.walk(path)
        size = self.rng.choice([0, 0, len(node.data) if isinstance(node, fs_model.File) else 0, 1])
        self.check(f"truncate({'/'.join(path)}, {size})",
                   outcome_of(lambda: os.truncate(self.real(path), size)),
                   self.model.truncate(path, size), [path])

    def op_symlink(self):
        path = self.random_path()
        # Targets never resolve: links are followed by the kernel, and the model keeps them
        # dangling (following one gives ENOENT). Long, odd and relative-looking names included.
        target = self.rng.choice([
            DANGLING + "/" + self.rng.choice(NAMES),
            DANGLING + "/" + "x" * self.rng.randrange(1, 3000),
            DANGLING + "/with space/../and..dots",
        ])
        self.check(f"symlink({target[:40]}, {'/'.join(path)})",
                   outcome_of(lambda: os.symlink(target, self.real(path))),
                   self.model.symlink(target, path), [path])

    def op_readlink(self):
        path = self.existing_path("file")
        self.check(f"readlink({'/'.join(path)})",
                   outcome_of(lambda: os.readlink(self.real(path))), self.model.readlink(path),
                   [path])

    def op_lstat(self):
        path = self.existing_path("file")
        if self.unobserved(path):
            return
        real = outcome_of(lambda: describe_stat(os.lstat(self.real(path))))
        self.check(f"lstat({'/'.join(path)})", real, self.model.lstat(path), [path])

    # ---- the end of a sequence: everything closed, the whole tree compared
    def finish(self):
        for handle in sorted(self.model.handles):
            path = self.model.handles[handle].path
            real = outcome_of(lambda: os.close(self.fds.pop(handle)))
            self.check(f"close(h{handle})", real, self.model.close(handle), [path] if path else [])
        self.compare_tree()

    def compare_tree(self):
        deadline = time.monotonic() + 180
        while True:  # a fault in force now (a failing service or under storage) passes
            try:
                real_tree = self.read_tree()
                break
            except OSError as e:
                if (errno.errorcode.get(e.errno) not in self.fault_errnos
                        or time.monotonic() > deadline):
                    raise
                time.sleep(1)
        model_tree = {"/".join(p): content_of(f) for p, f in self.model.files()}
        if real_tree != model_tree:
            only_real = sorted(set(real_tree) - set(model_tree))
            only_model = sorted(set(model_tree) - set(real_tree))
            differ = sorted(p for p in set(real_tree) & set(model_tree)
                            if real_tree[p] != model_tree[p])
            raise Divergence(f"final tree: only on the mount {only_real}, only in the model "
                             f"{only_model}, different content {differ}")

    def read_tree(self, drop_unreadable=None):
        """Relative path -> bytes, or ("link", target). With `drop_unreadable` (a set of paths
        that must read), a file outside it that cannot be read (EBUSY: left incomplete; EIO) is
        removed and left out; any other failure raises."""
        tree = {}
        for dirpath, _, files in os.walk(self.root, onerror=raise_error):
            for name in files:
                full = os.path.join(dirpath, name)
                key = os.path.relpath(full, self.root)
                if os.path.islink(full):
                    tree[key] = ("link", os.readlink(full))
                    continue
                try:
                    with open(full, "rb") as f:
                        tree[key] = f.read()
                except OSError as e:
                    if drop_unreadable is None or key in drop_unreadable or e.errno not in (
                            errno.EBUSY, errno.EIO):
                        raise
                    os.unlink(full)
        return tree

    def resync(self, paths):
        """After a fault outcome of an operation on `paths`: give up the writers the fault caught,
        wait until the mount serves again, and adopt its tree. Every file the model held
        complete and the operation did not touch (an acknowledged file) must be there with the
        same bytes; a file being written when the fault came may be missing or left incomplete
        (EBUSY: the writer's completion was lost with a killed daemon), and is removed."""
        in_flux = {h.path for h in self.model.handles.values() if h.path is not None}
        for handle in list(self.model.handles):
            self.model.handles.pop(handle)
            fd = self.fds.pop(handle, None)  # none: the open itself met the fault
            try:
                if fd is not None:
                    os.close(fd)
            except OSError:
                pass
        touched = set(paths) | in_flux
        acknowledged = {"/".join(p): content_of(f) for p, f in self.model.files()
                        if not any(p[:len(t)] == t for t in touched)
                        and not (isinstance(f, fs_model.File) and not f.complete)}
        deadline = time.monotonic() + 180
        tree = None
        while True:  # until two reads a second apart agree: completions in flight land first
            try:
                again = self.read_tree(drop_unreadable=set(acknowledged))
                if again == tree:
                    break
                tree = again
            except OSError as e:
                if time.monotonic() > deadline:
                    raise Divergence(f"the mount did not serve again within 180 s: {e}")
            time.sleep(1)
        for key, content in acknowledged.items():
            if tree.get(key) != content:
                raise Divergence(f"acknowledged {key} lost or changed across the fault: "
                                 f"{brief(('ok', tree.get(key)))}, expected {brief(('ok', content))}")
        self.model = Model()
        for dirpath, dirs, files in os.walk(self.root):
            rel = os.path.relpath(dirpath, self.root)
            base = () if rel == "." else tuple(rel.split(os.sep))
            for d in dirs:
                self.model.mkdir(base + (d,), stat_mode(os.path.join(dirpath, d)))
            for name in files:
                full = os.path.join(dirpath, name)
                key = os.path.relpath(full, self.root)
                if key not in tree:
                    continue
                parent, _ = self.model.parent(base + (name,))
                content = tree[key]
                if isinstance(content, tuple):
                    parent.children[name] = fs_model.Symlink(content[1])
                else:
                    parent.children[name] = fs_model.File(stat_mode(full), content)


def short_write(real, expected):
    """A write that stored fewer bytes than asked: the kernel splits a large write into FUSE
    writes and returns what the first ones stored when a later one fails (a fault outcome)."""
    return (real[0] == expected[0] == "ok" and isinstance(real[1], int)
            and isinstance(expected[1], int) and 0 < real[1] < expected[1])


def raise_error(e):
    raise e


def content_of(node):
    """A model file's bytes, or ("link", target) for a link: what read_tree() reads."""
    if isinstance(node, fs_model.Symlink):
        return ("link", node.target)
    return node.data


def brief(outcome):
    """An outcome as the replay shows it: bytes by length and digest."""
    kind, value = outcome
    if isinstance(value, bytes):
        return (kind, f"{len(value)} bytes sha1 {hashlib.sha1(value).hexdigest()[:12]}")
    if isinstance(value, str) and len(value) > 60:
        return (kind, f"{value[:40]}... ({len(value)} chars)")
    return outcome


def stat_mode(path):
    return os.stat(path).st_mode & 0o7777


def run_seed(root, seed, ops, fault_errnos, out):
    directory = os.path.join(root, f"seed-{seed}")
    os.mkdir(directory)
    runner = Runner(directory, seed, fault_errnos, out)
    try:
        for _ in range(ops):
            runner.step()
        runner.finish()
    except Divergence as e:
        out.write(f"DIVERGENCE with seed {seed} after {len(runner.history)} operations: {e}\n")
        out.write("replay (operation -> outcomes):\n")
        for line in runner.history:
            out.write(f"  {line}\n")
        return False, len(runner.history), runner.faults_seen
    return True, len(runner.history), runner.faults_seen


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--seeds", default="")
    parser.add_argument("--seed-from", type=int, default=1)
    parser.add_argument("--minutes", type=float, default=0)
    parser.add_argument("--ops", type=int, default=300)
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--ufs-faults", action="store_true")
    args = parser.parse_args()
    fault_errnos = (UFS_FAULT_ERRNOS if args.ufs_faults else
                    FAULT_ERRNOS if args.faults else set())
    os.umask(0)
    seeds = [int(s) for s in args.seeds.split(",") if s]
    deadline = time.monotonic() + args.minutes * 60
    total_ops = total_faults = runs = 0
    seed = args.seed_from
    while True:
        if seeds:
            if runs == len(seeds):
                break
            seed = seeds[runs]
        elif args.minutes and time.monotonic() > deadline:
            break
        good, ops, faults = run_seed(args.root, seed, args.ops, fault_errnos, sys.stdout)
        runs += 1
        total_ops += ops
        total_faults += faults
        if not good:
            print(f"model_check: {runs} sequences, {total_ops} operations, {total_faults} fault "
                  f"outcomes: FAILED (seed {seed})")
            return 1
        seed += 1
        if not seeds and not args.minutes:
            break
    print(f"model_check: {runs} sequences, {total_ops} operations, {total_faults} fault "
          f"outcomes: no divergence")
    return 0


if __name__ == "__main__":
    sys.exit(main())
