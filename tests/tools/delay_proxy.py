#!/usr/bin/env python3
"""A TCP delay line: forwards every connection made to --listen to --target, both directions,
each chunk held back rtt/2 after it arrived (a delay line, not stop-and-wait: reading goes on
while earlier chunks wait, so the throughput is that of the path, the latency rtt more). This
kernel has no netem; tc shapes the bandwidth, this adds the round trip.

With --counts FILE it also counts the HTTP/1.1 requests of the client -> server streams (plain
HTTP: request line, headers, Content-Length or chunked bodies skipped) as S3 calls: GET (an
object), HEAD, LIST (a GET of a bucket), PUT, COPY (a PUT with x-amz-copy-source), POST
(multipart uploads, multi-object delete), DELETE, plus the bytes each way, and
`peak_waiting`: the most requests at once that had been sent and not yet answered (request
line seen, no response byte back yet on that connection): how many calls a client keeps in
flight. SIGUSR1 resets the peak to the number waiting now. FILE is rewritten (atomically,
JSON) within 50 ms of a change.

  delay_proxy.py --listen ADDR:PORT --target ADDR:PORT [--rtt-ms 2] [--counts FILE]

Runs until SIGTERM/SIGINT. Used by scripts/bench --ufs s3 (bench/e2e/s3.py)."""

import argparse
import asyncio
import json
import os
import signal
import sys
from urllib.parse import parse_qs

CHUNK = 256 << 10
QUEUE_CHUNKS = 64  # at most 16 MiB held per direction of a connection
MAX_HEAD = 64 << 10


class Counts:
    """Counters by name, mirrored to a JSON file."""

    def __init__(self, path):
        self.path = path
        self.values = {"connections": 0, "bytes_up": 0, "bytes_down": 0, "peak_waiting": 0}
        self.changed = asyncio.Event()
        self.waiting = 0

    def wait_begins(self):
        self.waiting += 1
        if self.waiting > self.values["peak_waiting"]:
            self.values["peak_waiting"] = self.waiting
            self.changed.set()

    def wait_ends(self):
        self.waiting -= 1

    def reset_peak(self):
        self.values["peak_waiting"] = self.waiting
        self.changed.set()

    def add(self, name, n=1):
        self.values[name] = self.values.get(name, 0) + n
        self.changed.set()

    async def mirror(self):
        while True:
            await self.changed.wait()
            self.changed.clear()
            if self.path:
                tmp = self.path + ".tmp"
                with open(tmp, "w") as f:
                    json.dump(self.values, f)
                os.replace(tmp, self.path)
            await asyncio.sleep(0.05)


def classify(method, target, headers):
    """The S3 call a request line is (path-style requests: /bucket[/key][?query])."""
    path, _, query = target.partition("?")
    params = parse_qs(query, keep_blank_values=True)
    parts = path.lstrip("/").split("/", 1)
    has_key = len(parts) == 2 and parts[1] != ""
    if method == "GET":
        if has_key:
            return "GET"
        return "LIST" if "list-type" in params or not params or "prefix" in params \
            or "delimiter" in params else "GET-bucket-other"
    if method == "PUT" and "x-amz-copy-source" in headers:
        return "COPY"
    if method in ("HEAD", "PUT", "POST", "DELETE"):
        return method
    return "OTHER"


class RequestCounter:
    """Parses one client -> server byte stream of HTTP/1.1 requests, counting each."""

    def __init__(self, counts):
        self.counts = counts
        self.unanswered = 0  # requests sent on this connection with no response byte since
        self.buf = b""
        self.state = "head"  # head | body | chunk-size | chunk-data | trailer | opaque
        self.left = 0

    def feed(self, data):
        self.buf += data
        while self.buf and self.state != "opaque":
            if self.state == "body" or self.state == "chunk-data":
                n = min(self.left, len(self.buf))
                self.buf = self.buf[n:]
                self.left -= n
                if self.left:
                    return
                self.state = "head" if self.state == "body" else "chunk-size"
                continue
            end = self.buf.find(b"\r\n\r\n" if self.state == "head" else b"\r\n")
            if end < 0:
                if len(self.buf) > MAX_HEAD:
                    self.state = "opaque"  # not HTTP as expected: stop counting this stream
                return
            line, self.buf = self.buf[:end], self.buf[end + (4 if self.state == "head" else 2):]
            if self.state == "head":
                self._request(line.decode("latin-1"))
            elif self.state == "chunk-size":
                size = int(line.split(b";")[0].strip() or b"0", 16)
                self.state, self.left = ("chunk-data", size + 2) if size else ("trailer", 0)
            elif self.state == "trailer" and not line:
                self.state = "head"

    def _request(self, head):
        lines = head.split("\r\n")
        fields = lines[0].split(" ")
        if len(fields) != 3 or not fields[2].startswith("HTTP/"):
            self.state = "opaque"
            return
        headers = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            headers[k.strip().lower()] = v.strip()
        self.counts.add(classify(fields[0], fields[1], headers))
        if not self.unanswered:
            self.counts.wait_begins()
        self.unanswered += 1
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self.state = "chunk-size"
        else:
            self.left = int(headers.get("content-length", "0") or 0)
            self.state = "body" if self.left else "head"

    def answered(self):
        """Response bytes came back: the requests sent so far are being answered."""
        if self.unanswered:
            self.unanswered = 0
            self.counts.wait_ends()


async def pipe(reader, writer, delay, counts, direction, counter=None, on_data=None):
    """Copies reader to writer, each chunk written `delay` seconds after it was read."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue(QUEUE_CHUNKS)

    async def read_side():
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                counts.add(direction, len(data))
                if counter:
                    counter.feed(data)
                if on_data:
                    on_data()
                await queue.put((loop.time() + delay, data))
        finally:
            await queue.put((loop.time() + delay, None))

    async def write_side():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    reading = asyncio.ensure_future(read_side())
    try:
        await write_side()
    finally:
        reading.cancel()


async def handle(client_reader, client_writer, target, delay, counts):
    counts.add("connections")
    try:
        server_reader, server_writer = await asyncio.open_connection(*target)
    except OSError:
        client_writer.close()
        return
    requests = RequestCounter(counts)
    up = asyncio.ensure_future(pipe(client_reader, server_writer, delay, counts, "bytes_up",
                                    requests))
    down = asyncio.ensure_future(pipe(server_reader, client_writer, delay, counts, "bytes_down",
                                      on_data=requests.answered))
    try:
        done, pending = await asyncio.wait({up, down}, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        requests.answered()
        for task in (up, down):
            task.cancel()
        for w in (client_writer, server_writer):
            w.close()


def address(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


async def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--listen", type=address, required=True)
    p.add_argument("--target", type=address, required=True)
    p.add_argument("--rtt-ms", type=float, default=2.0)
    p.add_argument("--counts", default=None)
    a = p.parse_args()
    counts = Counts(a.counts)
    counts.changed.set()  # the file exists from the start
    delay = a.rtt_ms / 2000.0
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, a.target, delay, counts), *a.listen, backlog=1024)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, counts.reset_peak)
    mirror = asyncio.ensure_future(counts.mirror())
    print(f"delay_proxy: {a.listen[0]}:{a.listen[1]} -> {a.target[0]}:{a.target[1]}, "
          f"rtt +{a.rtt_ms} ms", flush=True)
    await stop.wait()
    server.close()
    mirror.cancel()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
