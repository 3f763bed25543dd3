#!/bin/bash
# Ordinary tools on an alluxio-fuse mount, each result checked against a local copy.
# Usage: posix_tools.sh <directory on the mount> <local scratch directory>
set -euo pipefail
M=$1
L=$2
step() { echo "== $*"; }
fails_with() {  # fails_with "<strerror text>" cmd...: the command fails and says why
  local want=$1
  shift
  local out
  if out=$("$@" 2>&1); then
    echo "expected '$want' from: $*" >&2
    return 1
  fi
  grep -q "$want" <<<"$out" || { echo "expected '$want', got: $out" >&2; return 1; }
}

step mkdir -p and ls
mkdir -p "$M/a/b/c"
[ "$(ls "$M/a")" = b ]
[ -d "$M/a/b/c" ]
fails_with "File exists" mkdir "$M/a"

step cp and cat and cmp
head -c 3000000 /dev/urandom >"$L/data.bin"
cp "$L/data.bin" "$M/a/data.bin"
cmp "$L/data.bin" "$M/a/data.bin"
echo "hello alluxio" >"$M/a/hello.txt"
[ "$(cat "$M/a/hello.txt")" = "hello alluxio" ]

step head and tail
seq 1 100000 >"$L/lines.txt"
cp "$L/lines.txt" "$M/a/lines.txt"
[ "$(head -n 3 "$M/a/lines.txt" | tr '\n' ' ')" = "1 2 3 " ]
[ "$(tail -n 2 "$M/a/lines.txt" | tr '\n' ' ')" = "99999 100000 " ]
[ "$(wc -l <"$M/a/lines.txt")" = 100000 ]

step stat and du
[ "$(stat -c %s "$M/a/data.bin")" = 3000000 ]
[ "$(stat -c %F "$M/a/data.bin")" = "regular file" ]
[ "$(stat -c %F "$M/a")" = directory ]
[ "$(du -k "$M/a/data.bin" | cut -f1)" -ge 2929 ]

step dd
dd if=/dev/zero of="$M/a/zeros.bin" bs=1M count=5 status=none
[ "$(stat -c %s "$M/a/zeros.bin")" = 5242880 ]
dd if="$M/a/zeros.bin" of="$L/zeros.bin" bs=64k status=none
cmp "$L/zeros.bin" <(head -c 5242880 /dev/zero)

step touch
touch "$M/a/empty"
[ -f "$M/a/empty" ] && [ ! -s "$M/a/empty" ]
touch "$M/a/hello.txt"
[ "$(cat "$M/a/hello.txt")" = "hello alluxio" ]

step mv
mv "$M/a/hello.txt" "$M/a/b/moved.txt"
[ ! -e "$M/a/hello.txt" ]
[ "$(cat "$M/a/b/moved.txt")" = "hello alluxio" ]
mv "$M/a/b/c" "$M/a/c2"
[ -d "$M/a/c2" ] && [ ! -e "$M/a/b/c" ]

step editor save: write a temporary file, rename it over the original
printf 'version 1\n' >"$M/a/doc.txt"
printf 'version 2\n' >"$M/a/.doc.txt.swp"
mv -f "$M/a/.doc.txt.swp" "$M/a/doc.txt"
[ "$(cat "$M/a/doc.txt")" = "version 2" ]
[ "$(ls -A "$M/a" | grep -c swp || true)" = 0 ]

step overwrite with O_TRUNC replaces the content
printf 'short\n' >"$M/a/doc.txt"
[ "$(cat "$M/a/doc.txt")" = short ]

step tar round trip
mkdir -p "$L/tree/x/y"
for i in $(seq 1 50); do head -c $((i * 997)) /dev/urandom >"$L/tree/x/f$i"; done
echo leaf >"$L/tree/x/y/leaf"
tar -C "$L" -cf "$M/a/tree.tar" tree
mkdir "$M/a/untar"
tar -C "$M/a/untar" -xf "$M/a/tree.tar"
diff -r "$L/tree" "$M/a/untar/tree"
mkdir "$L/back"
tar -C "$M/a/untar" -cf - tree | tar -C "$L/back" -xf -
diff -r "$L/tree" "$L/back/tree"

step cp -r and find
cp -r "$L/tree" "$M/a/tree2"
[ "$(find "$M/a/tree2" -type f | wc -l)" = 51 ]

step chmod and chown
chmod 600 "$M/a/doc.txt"
[ "$(stat -c %a "$M/a/doc.txt")" = 600 ]
chmod 755 "$M/a/b"
[ "$(stat -c %a "$M/a/b")" = 755 ]
chown "$(id -u):$(id -g)" "$M/a/doc.txt"

step df
df -P "$M" | tail -n 1 | grep -q alluxio-fuse

step what Alluxio files cannot do
fails_with "Operation not supported" bash -c "echo more >>'$M/a/doc.txt'"
[ "$(cat "$M/a/doc.txt")" = short ]
fails_with "Operation not permitted" ln "$M/a/doc.txt" "$M/a/hard"

step python
python3 - "$M/a" <<'EOF'
import os, sys
d = sys.argv[1]
p = os.path.join(d, "py.bin")
with open(p, "wb") as f:
    for i in range(64):
        f.write(bytes([i]) * 65536)
with open(p, "rb") as f:
    f.seek(65536 * 10 + 5)
    assert f.read(3) == bytes([10]) * 3
    assert len(f.read()) == 64 * 65536 - (65536 * 10 + 8)
assert sorted(os.listdir(d))[:2] == ["b", "c2"], os.listdir(d)
try:
    os.rmdir(os.path.join(d, "b"))
    raise SystemExit("rmdir of a non-empty directory succeeded")
except OSError as e:
    import errno
    assert e.errno == errno.ENOTEMPTY, e
EOF

step rm -r
rm -r "$M/a/tree2" "$M/a/untar"
[ ! -e "$M/a/tree2" ]
rm "$M/a/data.bin"
fails_with "No such file or directory" cat "$M/a/data.bin"
rm -r "$M/a"
[ -z "$(ls -A "$M")" ]
echo "all tools passed"
