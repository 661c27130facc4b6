#!/usr/bin/env python3
"""Memory of a proxy holding idle keep-alive connections.

Opens --count connections to --url, sends the SOAP request on each and reads
the answer (so that each is an established keep-alive session), then leaves
them idle and reads VmRSS of --pid. Prints one line:
  RSS rss_before_kb=N rss_idle_kb=N open=N failed=N
Bounded: every socket operation has a timeout; it never loops past --count.
"""

import argparse
import resource
import socket
import sys
import time
import urllib.parse


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def read_response(sock):
    """Reads one HTTP/1.1 response with a Content-Length; returns the status."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the headers")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside the body")
        body += chunk
    return status


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--request", required=True, help="file with the SOAP request body")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds idle before reading RSS")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.count + 64
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))

    url = urllib.parse.urlsplit(args.url)
    body = open(args.request, "rb").read()
    request = (f"POST {url.path} HTTP/1.1\r\nHost: {url.hostname}:{url.port}\r\n"
               f"Content-Type: text/xml; charset=utf-8\r\n"
               f"SOAPAction: \"urn:example:erp:purchasing:1#GetSupplierShortlist\"\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body

    before = rss_kb(args.pid)
    sockets, failed = [], 0
    for _ in range(args.count):
        try:
            sock = socket.create_connection((url.hostname, url.port), timeout=10)
            sock.sendall(request)
            if read_response(sock) != 200:
                failed += 1
            sockets.append(sock)
        except (OSError, ValueError, IndexError) as error:
            failed += 1
            if failed == 1:
                print(f"first failure: {error}", file=sys.stderr)
    time.sleep(args.settle)
    # A connection the proxy closed meanwhile is not idle-open any more.
    still_open = 0
    for sock in sockets:
        sock.setblocking(False)
        try:
            still_open += sock.recv(1, socket.MSG_PEEK) != b""
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
    idle = rss_kb(args.pid)
    print(f"RSS rss_before_kb={before} rss_idle_kb={idle} open={still_open} failed={failed}")
    for sock in sockets:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
