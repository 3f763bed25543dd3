"""Last-resort cleanup, run by scripts/bench's trap: unmounts every mount and kills every
process listed in the state file that bench.py keeps (newest first). Quiet when all is done."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import kill_pid, unmount  # noqa: E402


def main(state_file):
    try:
        with open(state_file) as f:
            items = json.load(f)
    except (OSError, ValueError):
        return
    for kind, value in reversed(items):
        if kind == "mount":
            unmount(value)
        elif kind == "pid":
            kill_pid(int(value), wait=5.0)
    os.unlink(state_file)


if __name__ == "__main__":
    main(sys.argv[1])
