#!/usr/bin/env python3
"""Runs every ```sh example block of SEMANTICS.md on a mount.

Usage: semantics_examples.py <SEMANTICS.md> <directory on the mount>

Each block runs under `bash -euo pipefail` in a fresh directory of its own below the given one,
with these helpers defined:
  expect_errno NAME 'python statements'  the statements (with os imported) raise OSError NAME
  ok 'python statements'                  the statements run without error
Exit status 0 when every block passes; otherwise the failing blocks and their output.
"""
import os
import re
import subprocess
import sys
import time

PRELUDE = r'''
expect_errno() {
  python3 - "$1" "$2" <<'PY'
import errno, os, sys
want, code = sys.argv[1], sys.argv[2]
try:
    exec(code)
except OSError as e:
    if e.errno != getattr(errno, want):
        sys.exit(f"expected {want} from {code!r}, got {errno.errorcode.get(e.errno)} ({e})")
    sys.exit(0)
sys.exit(f"expected {want} from {code!r}, but it succeeded")
PY
}
ok() {
  python3 - "$1" <<'PY'
import errno, os, sys
exec(sys.argv[1])
PY
}
'''


def examples(markdown):
    """(line number, heading, body) of each ```sh example block."""
    heading = ""
    block = None
    for number, line in enumerate(markdown.splitlines(), 1):
        if block is None:
            if line.startswith("#"):
                heading = line.lstrip("#").strip()
            elif re.match(r"^```sh\s+example\s*$", line):
                block = (number, heading, [])
        elif line.startswith("```"):
            yield block[0], block[1], "\n".join(block[2]) + "\n"
            block = None
        else:
            block[2].append(line)


def main():
    semantics, root = sys.argv[1], sys.argv[2]
    with open(semantics) as f:
        blocks = list(examples(f.read()))
    if not blocks:
        sys.exit(f"no ```sh example blocks in {semantics}")
    failed = 0
    for i, (line, heading, body) in enumerate(blocks):
        workdir = os.path.join(root, f"example{i}")
        os.mkdir(workdir)
        started = time.monotonic()
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", PRELUDE + body],
                                cwd=workdir, capture_output=True, text=True, timeout=120)
        status = "ok" if result.returncode == 0 else "FAILED"
        print(f"{status}: {semantics}:{line} ({heading}) {time.monotonic() - started:.1f} s")
        if result.returncode != 0:
            failed += 1
            print(body + "--- stdout\n" + result.stdout + "--- stderr\n" + result.stderr)
    print(f"{len(blocks) - failed} of {len(blocks)} examples hold")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
