#!/bin/bash
# Symbolic links on an alluxio-fuse mount with ordinary tools: ln -s, readlink, a Python virtual
# environment, a Hugging Face style cache, tar round trips both ways, rm -r. Leaves
# <directory>/venv and <directory>/hub behind for the caller to inspect in the under storage.
# Usage: symlink_tools.sh <directory on the mount (created)> <local scratch directory>
set -euo pipefail
M=$1
L=$2
step() { echo "== $*"; }
mkdir -p "$M"

step ln -s and readlink, absolute, relative and dangling
echo target >"$M/file"
ln -s file "$M/rel"
ln -s "$M/file" "$M/abs"
ln -s missing/target "$M/dangling"
[ "$(readlink "$M/rel")" = file ]
[ "$(readlink "$M/abs")" = "$M/file" ]
[ "$(cat "$M/rel")" = target ]
[ "$(cat "$M/abs")" = target ]
[ "$(stat -c '%F %s' "$M/rel")" = "symbolic link 4" ]
[ "$(stat -L -c '%F %s' "$M/rel")" = "regular file 7" ]
[ -L "$M/dangling" ]
[ ! -e "$M/dangling" ]
[ "$(find "$M" -maxdepth 1 -type l | wc -l)" = 3 ]
[ "$(ls -l "$M/rel" | sed 's/.* -> //')" = file ]
rm "$M/rel" "$M/abs" "$M/dangling"
[ "$(cat "$M/file")" = target ]

step a python virtual environment on the mount
python3 -m venv --without-pip "$M/venv"
[ -L "$M/venv/bin/python" ]
[ "$(readlink "$M/venv/bin/python")" = python3 ]
prefix=$("$M/venv/bin/python" -c 'import sys; print(sys.prefix)')
[ "$prefix" = "$M/venv" ]
"$M/venv/bin/python" -c 'import sys; assert sys.prefix != sys.base_prefix'

step a Hugging Face style cache: snapshots link to blobs
mkdir -p "$M/hub/blobs" "$M/hub/snapshots/rev1"
head -c 200000 /dev/urandom >"$L/weights.bin"
cp "$L/weights.bin" "$M/hub/blobs/0123abcd"
ln -s ../../blobs/0123abcd "$M/hub/snapshots/rev1/model.bin"
cmp "$L/weights.bin" "$M/hub/snapshots/rev1/model.bin"
python3 - "$M/hub/snapshots/rev1/model.bin" <<'EOF'
import os, sys
p = sys.argv[1]
assert os.path.islink(p)
assert os.path.realpath(p).endswith("/hub/blobs/0123abcd"), os.path.realpath(p)
assert os.lstat(p).st_size == len("../../blobs/0123abcd")
assert os.stat(p).st_size == 200000
EOF

step tar into the mount keeps the links
mkdir -p "$L/tree/sub/deeper" "$L/tree/data"
echo leaf >"$L/tree/sub/deeper/leaf"
head -c 5000 /dev/urandom >"$L/tree/data/blob"
ln -s deeper/leaf "$L/tree/sub/rel"
ln -s ../data "$L/tree/sub/dirlink"
ln -s /etc/hostname "$L/tree/absolute"
ln -s nowhere/at/all "$L/tree/dangling"
ln -s "$(printf 'x%.0s' $(seq 1 1000))" "$L/tree/long"
tar -C "$L" -cf "$L/tree.tar" tree
mkdir "$M/untar"
tar -C "$M/untar" -xf "$L/tree.tar"
diff -r --no-dereference "$L/tree" "$M/untar/tree"
listing() { (cd "$1" && find . -printf '%p %y %l\n' | sort); }
[ "$(listing "$L/tree")" = "$(listing "$M/untar/tree")" ]
[ "$(cat "$M/untar/tree/sub/rel")" = leaf ]
[ "$(ls "$M/untar/tree/sub/dirlink")" = blob ]

step tar out of the mount keeps them too
mkdir "$L/back"
tar -C "$M/untar" -cf - tree | tar -C "$L/back" -xf -
diff -r --no-dereference "$L/tree" "$L/back/tree"
[ "$(listing "$L/tree")" = "$(listing "$L/back/tree")" ]
tar -C "$M/untar" -cf "$M/tree.tar" tree
[ "$(tar -tvf "$M/tree.tar" | grep -c '^l')" = 5 ]

step rm -r removes links, never what they name
ln -s "$M/file" "$M/untar/tree/to_file"
rm -r "$M/untar"
[ ! -e "$M/untar" ]
[ "$(cat "$M/file")" = target ]
cmp "$L/weights.bin" "$M/hub/blobs/0123abcd"
echo "all symlink tools passed"
