"""The reference model of an alluxio-fuse mount: SEMANTICS.md as executable rules.

A tree of directories and write-once files, the handles open on them, and for each operation
the result or the errno SEMANTICS.md (and Linux's VFS, for the checks the kernel makes before
the server is asked) promise. model_check.py applies the same random operations to a mount and
to this model and compares every outcome.

Paths are tuples of components relative to the run's root directory; () is the root.
Outcomes are ("ok", value) or ("err", errno name).
"""
import errno
import stat

# Out-of-order writes ending within this many bytes beyond the data written in order are
# reassembled (SEMANTICS.md, write).
REORDER_WINDOW = 8 << 20


def ok(value=None):
    return ("ok", value)


def err(code):
    return ("err", errno.errorcode[code])


class Dir:
    def __init__(self, mode):
        self.mode = mode
        self.children = {}


class File:
    def __init__(self, mode, data=b"", complete=True):
        self.mode = mode
        self.data = bytes(data)
        self.complete = complete


class Symlink:
    """A symbolic link. The model's targets never resolve (model_check.py points them outside
    every tree), so following one ends in ENOENT."""

    def __init__(self, target):
        self.target = target
        self.mode = 0o777


class Handle:
    """An open file descriptor as the model sees it.

    kind: "new" (created here), "empty" (an existing empty file opened for writing), "replace"
    (O_TRUNC of a non-empty file: a new version replaces it at close), "refused" (a complete
    non-empty file opened for writing without O_TRUNC: its writes fail with EOPNOTSUPP).
    """

    def __init__(self, kind, path, node):
        self.kind = kind
        self.path = path
        self.node = node  # the File this handle writes (for "new"/"empty"), or None
        self.written = bytearray()
        self.pending = {}  # offset -> bytes, out of order, waiting for the gap before them


class Model:
    def __init__(self):
        self.root = Dir(0o755)
        self.handles = {}  # id -> Handle

    # ---- lookups
    def walk(self, path):
        """(node or None, error outcome or None) for `path`, as path resolution does it."""
        node = self.root
        for i, name in enumerate(path):
            if isinstance(node, Symlink):
                return None, err(errno.ENOENT)  # followed: the target does not exist
            if not isinstance(node, Dir):
                return None, err(errno.ENOTDIR)
            child = node.children.get(name)
            if child is None:
                return None, err(errno.ENOENT)
            node = child
        return node, None

    def parent(self, path):
        """(parent Dir, error outcome): ENOENT / ENOTDIR when the parent cannot hold `path`."""
        node, failure = self.walk(path[:-1])
        if failure:
            return None, failure
        if isinstance(node, Symlink):
            return None, err(errno.ENOENT)
        if not isinstance(node, Dir):
            return None, err(errno.ENOTDIR)
        return node, None

    def follow(self, path):
        """walk() and then follow a final link, as stat(2) and open(2) do."""
        node, failure = self.walk(path)
        if failure:
            return None, failure
        if isinstance(node, Symlink):
            return None, err(errno.ENOENT)
        return node, None

    def handles_under(self, path):
        """Open handles on `path` or below it."""
        return [
            h for h in self.handles.values() if h.path is not None and h.path[: len(path)] == path
        ]

    def busy(self, path):
        return bool(self.handles_under(path))

    # ---- metadata operations
    def stat(self, path):
        node, failure = self.follow(path)
        if failure:
            return failure
        return ok(describe_node(node))

    def lstat(self, path):
        node, failure = self.walk(path)
        if failure:
            return failure
        return ok(describe_node(node))

    def symlink(self, target, path):
        return self.add(path, Symlink(target))

    def add(self, path, node):
        """mkdir(2) / symlink(2): `node` at a new name. ENOENT, ENOTDIR (parent), EEXIST."""
        parent, failure = self.parent(path)
        if failure:
            return failure
        if path[-1] in parent.children:
            return err(errno.EEXIST)
        parent.children[path[-1]] = node
        return ok()

    def readlink(self, path):
        node, failure = self.walk(path)
        if failure:
            return failure
        if not isinstance(node, Symlink):
            return err(errno.EINVAL)
        return ok(node.target)

    def listdir(self, path):
        node, failure = self.follow(path)
        if failure:
            return failure
        if not isinstance(node, Dir):
            return err(errno.ENOTDIR)
        return ok(sorted(node.children))

    def mkdir(self, path, mode):
        return self.add(path, Dir(mode))

    def rmdir(self, path):
        parent, failure = self.parent(path)
        if failure:
            return failure
        node = parent.children.get(path[-1])
        if node is None:
            return err(errno.ENOENT)
        if not isinstance(node, Dir):
            return err(errno.ENOTDIR)
        if node.children:
            return err(errno.ENOTEMPTY)
        del parent.children[path[-1]]
        return ok()

    def unlink(self, path):
        parent, failure = self.parent(path)
        if failure:
            return failure
        node = parent.children.get(path[-1])
        if node is None:
            return err(errno.ENOENT)
        if isinstance(node, Dir):
            return err(errno.EISDIR)
        del parent.children[path[-1]]
        for h in self.handles_under(path):
            h.path = None  # the writer's close succeeds and keeps nothing
        return ok()

    def rename(self, src, dst):
        # Both parents are resolved before the source is looked up (do_renameat2).
        src_parent, failure = self.parent(src)
        if failure:
            return failure
        dst_parent, failure = self.parent(dst)
        if failure:
            return failure
        node = src_parent.children.get(src[-1])
        if node is None:
            return err(errno.ENOENT)
        if src == dst:
            return ok()
        if dst[: len(src)] == src:
            return err(errno.EINVAL)  # into itself
        if src[: len(dst)] == dst:
            return err(errno.ENOTEMPTY)  # onto one of its own ancestors
        target = dst_parent.children.get(dst[-1])
        if target is not None:
            if isinstance(node, Dir) and not isinstance(target, Dir):
                return err(errno.ENOTDIR)
            if not isinstance(node, Dir) and isinstance(target, Dir):
                return err(errno.EISDIR)
            if isinstance(target, Dir) and target.children:
                return err(errno.ENOTEMPTY)
        del src_parent.children[src[-1]]
        dst_parent.children[dst[-1]] = node
        for h in self.handles_under(src):
            h.path = dst + h.path[len(src):]
        return ok()

    def chmod(self, path, mode):
        node, failure = self.follow(path)
        if failure:
            return failure
        node.mode = mode
        return ok()

    def truncate(self, path, size):
        node, failure = self.follow(path)
        if failure:
            return failure
        if isinstance(node, Dir):
            return err(errno.EISDIR)
        if size == len(node.data):
            return ok()
        if size != 0:
            return err(errno.EOPNOTSUPP)
        node.data = b""
        return ok()

    def read(self, path, offset, length):
        node, failure = self.follow(path)
        if failure:
            return failure
        if isinstance(node, Dir):
            return err(errno.EISDIR)
        return ok(node.data[offset : offset + length])

    # ---- writing
    def open_write(self, handle_id, path, mode, create, exclusive, truncate):
        """open(2) for writing (O_WRONLY or O_RDWR) with the given O_CREAT/O_EXCL/O_TRUNC."""
        parent, failure = self.parent(path)
        if failure:
            return failure
        node = parent.children.get(path[-1])
        if isinstance(node, Symlink) and not (create and exclusive):
            return err(errno.ENOENT)  # followed: creating the target fails, it is nowhere
        if node is None:
            if not create:
                return err(errno.ENOENT)
            node = File(mode, complete=False)
            parent.children[path[-1]] = node
            self.handles[handle_id] = Handle("new", path, node)
            return ok()
        if create and exclusive:
            return err(errno.EEXIST)
        if isinstance(node, Dir):
            return err(errno.EISDIR)
        if not node.complete:
            return err(errno.EBUSY)  # another writer has it open
        if not node.data:
            node.complete = False
            self.handles[handle_id] = Handle("empty", path, node)
        elif truncate:
            self.handles[handle_id] = Handle("replace", path, None)
        else:
            self.handles[handle_id] = Handle("refused", path, None)
        return ok()

    def write(self, handle_id, offset, data):
        h = self.handles[handle_id]
        if h.kind == "refused":
            return err(errno.EOPNOTSUPP)
        end = len(h.written)
        if offset < end or offset + len(data) > end + REORDER_WINDOW:
            return err(errno.EOPNOTSUPP)
        h.pending[offset] = bytes(data)
        while len(h.written) in h.pending:
            h.written += h.pending.pop(len(h.written))
        if h.node is not None:
            h.node.data = bytes(h.written)
        return ok(len(data))

    def close(self, handle_id):
        h = self.handles.pop(handle_id)
        if h.pending:
            # A gap never filled: the close fails and the file is removed.
            if h.path is not None and h.node is not None:
                self.detach(h.path, h.node)
            return err(errno.EIO)
        if h.kind in ("new", "empty"):
            h.node.complete = True
        elif h.kind == "replace" and h.path is not None:
            node, _ = self.walk(h.path)
            if isinstance(node, File):
                node.data = bytes(h.written)
        return ok()

    def detach(self, path, node):
        parent, _ = self.parent(path)
        if parent is not None and parent.children.get(path[-1]) is node:
            del parent.children[path[-1]]

    # ---- observation
    def writer_of(self, path):
        """The handle writing `path` (any kind), or None."""
        for h in self.handles.values():
            if h.path == path:
                return h
        return None

    def files(self):
        """(path, File or Symlink) of every file and link, depth first."""
        out = []

        def visit(prefix, d):
            for name, child in sorted(d.children.items()):
                if isinstance(child, Dir):
                    visit(prefix + (name,), child)
                else:
                    out.append((prefix + (name,), child))

        visit((), self.root)
        return out


def describe_node(node):
    if isinstance(node, Dir):
        return ("dir", 0, node.mode)
    if isinstance(node, Symlink):
        return ("link", len(node.target.encode()), node.mode)
    return ("file", len(node.data), node.mode)


def describe_stat(st):
    """What Model.stat / Model.lstat return, from an os.stat_result."""
    mode = st.st_mode
    kind = ("dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else
            "link" if stat.S_ISLNK(mode) else "other")
    return (kind, 0 if kind == "dir" else st.st_size, stat.S_IMODE(mode))
