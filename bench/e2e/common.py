"""Shared helpers: running commands, free ports, mounts, page-cache drops, backing free memory,
and the cleanup registry that undoes every mount and process the benchmark made (also after a
crash: the registry is mirrored to a state file that `cleanup.py` reads from the shell
wrapper's trap)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(argv, env=None, check=True, timeout=None, capture=True):
    """Runs a command; returns CompletedProcess (text). Raises with its output on failure."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    proc = subprocess.run(argv, env=full_env, stdin=subprocess.DEVNULL, text=True,
                          capture_output=capture, timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} exited {proc.returncode}: "
                           f"{(proc.stderr or '').strip()} {(proc.stdout or '').strip()}".strip())
    return proc


def free_port():
    """A loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc=None, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def is_mounted(path):
    # The parent resolved, not the mount point: a stat of a mount whose server is gone or
    # waiting for its master would hang.
    path = os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(path))),
                        os.path.basename(path))
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if len(fields) > 4 and fields[4].replace("\\040", " ") == path:
                return True
    return False


def mount_fstype(path):
    path = os.path.realpath(path)
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if len(fields) > 4 and fields[4] == path:
                sep = fields.index("-")
                return fields[sep + 1]
    return None


def wait_mounted(path, timeout=60, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if is_mounted(path):
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before mounting {path}")
        time.sleep(0.1)
    raise RuntimeError(f"{path} not mounted after {timeout}s")


def unmount(path):
    """Unmounts a FUSE mount, lazily as a last resort. Quiet when it is not mounted."""
    if not is_mounted(path):
        return
    for argv in (["fusermount3", "-u", path], ["umount", path], ["umount", "-l", path]):
        try:
            if subprocess.run(argv, capture_output=True, timeout=60).returncode == 0 \
                    and not is_mounted(path):
                return
        except (OSError, subprocess.TimeoutExpired):
            pass
        time.sleep(0.2)


def drop_caches():
    """Writes back dirty pages and drops the page, dentry and inode caches (needs root)."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError as e:
        log(f"cannot drop caches: {e}")
        return False


def back_free_memory(nbytes, directory):
    """Writes `nbytes` to an unlinked file in `directory`, then closes it (freeing its pages
    before any write-back).

    This VM's host takes back free guest memory (free page reporting, kernel option
    page_reporting.page_reporting_order=11), and the first write to such a page waits for the
    host to back it again: fio's 1 GiB write to ext4 here runs at 0.5-1.1 GB/s after a pause of
    10 s, and at 7.6-9.9 GB/s right after 2 GiB were written to the same file system and freed
    (whose pages, of the same kind, are handed out first). So a write measured right after this
    measures the file system rather than the host. Stops early (logged) when the disk is full."""
    chunk = b"\1" * (1 << 20)
    written = 0
    path = os.path.join(directory, f"bench-back-memory-{os.getpid()}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.unlink(path)  # freed by the close, also when this is interrupted
    try:
        while written < nbytes:
            written += os.write(fd, chunk)
    except OSError as e:
        log(f"backing free memory stopped after {written >> 20} MiB: {e}")
    finally:
        os.close(fd)


def fs_type(path):
    return run(["stat", "-f", "-c", "%T", path]).stdout.strip()


def kill_pid(pid, sig=signal.SIGTERM, wait=10.0):
    """Signals a process and waits (polling) for it to go; SIGKILL after `wait` seconds."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.time() + wait
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:  # reap it when it is our child
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            pass
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def delete_link(name):
    """Deletes a network link (a veth's peer and every qdisc of both go with it)."""
    subprocess.run(["ip", "link", "del", name], capture_output=True)


def delete_netns(name):
    subprocess.run(["ip", "netns", "del", name], capture_output=True)


def undo(kind, value):
    """Undoes one item of the state file (kinds: mount, pid, link, netns)."""
    if kind == "mount":
        unmount(value)
    elif kind == "pid":
        kill_pid(int(value))
    elif kind == "link":
        delete_link(value)
    elif kind == "netns":
        delete_netns(value)


class Cleanup:
    """Everything to undo, newest first: mount points, pids, network links and namespaces. Mirrored to `state_file`
    so that the shell wrapper can finish the job when Python itself is killed."""

    def __init__(self, state_file):
        self.state_file = state_file
        self.items = []  # ("mount", path) | ("pid", pid) | ("link" | "netns", name) | ("call", name)
        self.calls = {}
        self._save()

    def _save(self):
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump([i for i in self.items if i[0] != "call"], f)
        os.replace(tmp, self.state_file)

    def add_mount(self, path):
        self.items.append(("mount", path))
        self._save()

    def add_pid(self, pid):
        self.items.append(("pid", pid))
        self._save()

    def add_link(self, name):
        self.items.append(("link", name))
        self._save()

    def add_netns(self, name):
        self.items.append(("netns", name))
        self._save()

    def add_call(self, name, fn):
        """A graceful step (e.g. `alluxio-fuse unmount`) run before the hard ones."""
        self.calls[name] = fn
        self.items.append(("call", name))

    def forget(self, kind, value):
        self.items = [i for i in self.items if i != (kind, value)]
        if kind == "call":
            self.calls.pop(value, None)
        self._save()

    def run_all(self, keep=0):
        """Undoes every item but the `keep` oldest (those of what outlives one system, e.g.
        the object store)."""
        while len(self.items) > keep:
            kind, value = self.items.pop()
            try:
                if kind == "call":
                    fn = self.calls.pop(value, None)
                    if fn:
                        fn()
                else:
                    undo(kind, value)
            except Exception as e:  # keep undoing the rest
                log(f"cleanup of {kind} {value}: {e}")
            self._save()
