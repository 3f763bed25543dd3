"""Test hosts: network namespaces joined to the root namespace by a bridge, one address each
from 198.18.0.0/15 (the range set aside for network benchmarks, RFC 2544; no other address is
ever used), each host's link shaped with tc when asked (tbf: this kernel has no netem, so a
round-trip latency comes from tests/tools/delay_proxy.py).

  net = Network(cleanup)          # bridge abr<id> with 198.18.<n>.1/24 in the root namespace
  host = net.add_host("s3")       # namespace ab<id>-s3, address 198.18.<n>.2
  host.shape("2gbit")             # both directions of its link
  host.popen([...])               # a process in the namespace

Every bridge, link and namespace is registered with the Cleanup (kinds "link" and "netns",
undone by cleanup.py as well when the benchmark is killed); deleting a link drops its qdiscs.
Needs root."""

import os
import subprocess

from common import log, run

RANGE_SECOND_OCTETS = (18, 19)  # 198.18.0.0/15


def _used_prefixes():
    """The 198.18-19.x /24s that some address of the root namespace is in already."""
    out = run(["ip", "-o", "-4", "addr", "show"]).stdout
    used = set()
    for line in out.splitlines():
        fields = line.split()
        addr = fields[fields.index("inet") + 1].split("/")[0]
        octets = addr.split(".")
        if octets[0] == "198" and int(octets[1]) in RANGE_SECOND_OCTETS:
            used.add((int(octets[1]), int(octets[2])))
    return used


class Host:
    def __init__(self, net, name, ns, address, veth_root, veth_host):
        self.net, self.name, self.ns, self.address = net, name, ns, address
        self.veth_root, self.veth_host = veth_root, veth_host
        self.shaping = "unshaped"

    def argv(self, argv):
        """argv run inside this host's namespace."""
        return ["ip", "netns", "exec", self.ns, *argv]

    def run(self, argv, **kwargs):
        return run(self.argv(argv), **kwargs)

    def popen(self, argv, **kwargs):
        return subprocess.Popen(self.argv(argv), **kwargs)

    def shape(self, rate, burst_seconds=0.001):
        """Both directions of the host's link limited to `rate` (tc syntax: 2gbit, 500mbit)
        by a token bucket whose burst is `burst_seconds` of the rate (at least 64 KiB)."""
        rate_bps = _bits(rate)
        burst = max(64 << 10, int(rate_bps / 8 * burst_seconds))
        for dev, where in ((self.veth_root, None), (self.veth_host, self)):
            argv = ["tc", "qdisc", "replace", "dev", dev, "root", "tbf", "rate", rate,
                    "burst", str(burst), "latency", "50ms"]
            (where.run(argv) if where else run(argv))
        self.shaping = f"tbf rate {rate}, burst {burst >> 10} KiB, both directions"
        log(f"host {self.name} ({self.address}): {self.shaping}")


def _bits(rate):
    units = {"kbit": 1e3, "mbit": 1e6, "gbit": 1e9, "bit": 1}
    for suffix, mult in units.items():
        if rate.endswith(suffix):
            return float(rate[:-len(suffix)]) * mult
    raise ValueError(f"rate {rate!r}: expected <n>kbit|mbit|gbit")


class Network:
    """A bridge in the root namespace with the first address of a free 198.18.0.0/15 /24."""

    def __init__(self, cleanup):
        self.cleanup = cleanup
        self.id = os.getpid() % 100000
        used = _used_prefixes()
        free = [(b, c) for b in RANGE_SECOND_OCTETS for c in range(256) if (b, c) not in used]
        if not free:
            raise RuntimeError("no free /24 in 198.18.0.0/15")
        start = self.id % len(free)  # concurrent runs of other processes pick other subnets
        self.prefix = "198.%d.%d" % free[start]
        self.bridge = f"abr{self.id}"
        self.hosts = []
        self.cleanup.add_link(self.bridge)
        run(["ip", "link", "add", self.bridge, "type", "bridge"])
        run(["ip", "addr", "add", f"{self.prefix}.1/24", "dev", self.bridge])
        run(["ip", "link", "set", self.bridge, "up"])
        self.address = f"{self.prefix}.1"
        log(f"network: bridge {self.bridge} {self.address}/24")

    def add_host(self, name):
        index = len(self.hosts) + 2
        ns = f"ab{self.id}-{name}"
        veth_root, veth_host = f"abv{self.id}-{index}", f"abh{self.id}-{index}"
        address = f"{self.prefix}.{index}"
        self.cleanup.add_netns(ns)
        run(["ip", "netns", "add", ns])
        self.cleanup.add_link(veth_root)
        run(["ip", "link", "add", veth_root, "type", "veth", "peer", "name", veth_host])
        run(["ip", "link", "set", veth_host, "netns", ns])
        run(["ip", "link", "set", veth_root, "master", self.bridge, "up"])
        host = Host(self, name, ns, address, veth_root, veth_host)
        host.run(["ip", "addr", "add", f"{address}/24", "dev", veth_host])
        host.run(["ip", "link", "set", veth_host, "up"])
        host.run(["ip", "link", "set", "lo", "up"])
        self.hosts.append(host)
        log(f"host {name}: namespace {ns}, {address}")
        return host

