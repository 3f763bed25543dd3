#!/usr/bin/env bash
# Test hosts by hand: network namespaces joined by a bridge, one address each from a free /24 of
# 198.18.0.0/15 (RFC 2544; no other address is used), as tests/cluster/test_hosts.h makes them
# for the tests. Needs root.
#
#   tests/cluster/hosts.sh up m w1 w2 c1    # prints "<id>" then "<host> <namespace> <address>"
#   tests/cluster/hosts.sh exec <id> w1 build/bin/alluxio worker ...
#   tests/cluster/hosts.sh shape <id> w1 500mbit   # tbf, both directions of w1's link
#   tests/cluster/hosts.sh down <id>        # deletes namespaces (and their processes' links)
#   tests/cluster/hosts.sh run m w1 w2 -- <command>  # up; <command> with $HOSTS_ID; down on
#                                                    # exit, failure or signal
#
# Names: bridge amb<id>, namespaces am<id>-<host>, veth amv<id>-<i>/amh<id>-<i> (not the
# tests' "ah" names, which the tests delete once their pid is gone). `exec` enters only the
# host's network namespace (`nsenter --net`, as the C++ fixture does): files and mounts are
# shared, so an alluxio-fuse mount made on a host is seen everywhere.
set -euo pipefail

state_dir=/run/alluxio-hosts

free_prefix() {
  local used id=$1
  used=$(ip -o -4 addr show | awk '{print $4}' | grep -E '^198\.1[89]\.' | cut -d. -f1-3 | sort -u)
  local free=() b c
  for b in 18 19; do
    for c in $(seq 0 255); do
      grep -qx "198.$b.$c" <<<"$used" || free+=("198.$b.$c")
    done
  done
  [ ${#free[@]} -gt 0 ] || { echo "no free /24 in 198.18.0.0/15" >&2; exit 1; }
  echo "${free[$((id % ${#free[@]}))]}"
}

up() {
  local id=$$ prefix i=2 name
  prefix=$(free_prefix "$id")
  mkdir -p "$state_dir"
  : >"$state_dir/$id"
  ip link add "amb$id" type bridge
  ip addr add "$prefix.1/24" dev "amb$id"
  ip link set "amb$id" up
  local out="$id"  # printed once all is made: a reader that stops early cannot cut setup short
  for name in "$@"; do
    local ns="am$id-$name" vr="amv$id-$i" vh="amh$id-$i"
    ip netns add "$ns"
    ip link add "$vr" type veth peer name "$vh"
    ip link set "$vh" netns "$ns"
    ip link set "$vr" master "amb$id" up
    ip -n "$ns" addr add "$prefix.$i/24" dev "$vh"
    ip -n "$ns" link set "$vh" up
    ip -n "$ns" link set lo up
    echo "$name $ns $prefix.$i $vr $vh" >>"$state_dir/$id"
    out+=$'\n'"$name $ns $prefix.$i"
    i=$((i + 1))
  done
  echo "$out"
}

field() {  # field <id> <host> <n>
  awk -v h="$2" -v n="$3" '$1 == h {print $n}' "$state_dir/$1"
}

down() {
  local id=$1 ns vr
  if [ -f "$state_dir/$id" ]; then
    while read -r _ ns _ vr _; do
      ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
      ip netns del "$ns" 2>/dev/null || true
      ip link del "$vr" 2>/dev/null || true
    done <"$state_dir/$id"
    rm -f "$state_dir/$id"
  fi
  ip link del "amb$id" 2>/dev/null || true
}

shape() {
  local id=$1 host=$2 rate=$3 bits burst
  bits=$(awk -v r="$rate" 'BEGIN { n = r + 0; u = substr(r, length(n "") + 1);
    m = u == "gbit" ? 1e9 : u == "mbit" ? 1e6 : u == "kbit" ? 1e3 : 1; printf "%d", n * m }')
  burst=$((bits / 8 / 1000 > 65536 ? bits / 8 / 1000 : 65536))
  tc qdisc replace dev "$(field "$id" "$host" 4)" root tbf rate "$rate" burst "$burst" latency 50ms
  ip netns exec "$(field "$id" "$host" 2)" \
    tc qdisc replace dev "$(field "$id" "$host" 5)" root tbf rate "$rate" burst "$burst" latency 50ms
}

cmd=${1:-}
shift || true
case "$cmd" in
  up) up "$@" ;;
  down) down "$1" ;;
  shape) shape "$1" "$2" "$3" ;;
  exec)
    id=$1 host=$2
    shift 2
    exec nsenter --net="/var/run/netns/$(field "$id" "$host" 2)" "$@"
    ;;
  run)
    names=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do names+=("$1"); shift; done
    shift || true
    export HOSTS_ID=$$
    trap 'down "$HOSTS_ID"' EXIT
    trap 'exit 130' INT TERM HUP
    up "${names[@]}" | tail -n +2
    "$@"
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
