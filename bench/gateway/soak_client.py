#!/usr/bin/python3
"""The order, misbehaviour and admin side of bench/gateway/soak.sh.

For --seconds, against socialdefaultd at --url (its gateway route) and
--admin (its admin listener):
  * orders: --order-threads clients, each on one keep-alive connection,
    submit the example SubmitRequisition with ids of their own
    (REQ-SOAK-<thread>-<n>) at --order-rate a second together; every id the
    gateway answers 200 with an OrderNumber for is accepted, and written to
    --accepted (one per line) for the ledger check;
  * misbehaviour: every --chaos-every seconds one of these, in turn, each
    with the answer it must get: a body of garbage bytes that is not HTTP
    (400), a body over the limit (413), malformed XML and a DOCTYPE on the
    SOAP route (any HTTP answer: the gateway passes or refuses, and stays
    up), and, on a thread of its own, a client that sends its request one
    byte a second (the gateway must close it within the request timeout
    and a margin);
  * admin: GET /metrics and /readyz every 10 s, POST /admin/reload every
    60 s (each must answer 200).
Prints one JSON object with the counts, latencies and failures on stdout.
Standard library only; every socket has a timeout.
"""
import argparse
import http.client
import json
import socket
import threading
import time
import urllib.parse


def order_body(template, requisition):
    return template.replace("REQ-2026-004711", requisition, 1).encode()


def percentile(values, p):
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))
    return ordered[k]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.failures = []
        self.latencies = []
        self.accepted = []

    def count(self, key, n=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n

    def fail(self, what):
        with self.lock:
            if len(self.failures) < 50:
                self.failures.append(what)
            self.counts["failures"] = self.counts.get("failures", 0) + 1


def connect(host, port, timeout=10):
    return http.client.HTTPConnection(host, port, timeout=timeout)


def orders(args, tally, stop, index, template):
    url = urllib.parse.urlsplit(args.url)
    interval = args.order_threads / args.order_rate
    conn = connect(url.hostname, url.port)
    n = 0
    next_at = time.monotonic()
    while not stop.is_set():
        requisition = "REQ-SOAK-%d-%d" % (index, n)
        n += 1
        body = order_body(template, requisition)
        started = time.monotonic()
        try:
            conn.request("POST", url.path, body=body, headers={
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": '"urn:example:erp:purchasing:1#SubmitRequisition"'})
            response = conn.getresponse()
            answer = response.read()
            elapsed = time.monotonic() - started
            with tally.lock:
                tally.latencies.append(elapsed)
            if response.status == 200 and b"OrderNumber" in answer:
                with tally.lock:
                    tally.accepted.append(requisition)
                tally.count("orders_accepted")
            else:
                tally.count("orders_status_%d" % response.status)
        except (OSError, http.client.HTTPException) as e:
            tally.count("orders_connection_errors")
            tally.fail("order %s: %s" % (requisition, e))
            conn.close()
            conn = connect(url.hostname, url.port)
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
        else:
            next_at = time.monotonic()
    conn.close()


def raw_exchange(host, port, payload, timeout=10):
    """Sends payload on a new connection; returns the status code of the
    answer (0: none) once its header is in, the server has closed, or the
    timeout has passed."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        try:
            s.sendall(payload)
        except OSError:
            pass  # the server may answer and close before the whole body is in
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                if b"\r\n\r\n" in data:
                    break
        except OSError:
            pass
    if not data.startswith(b"HTTP/1."):
        return 0
    try:
        return int(data.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def soap_post(path, host, port, body, extra=b""):
    head = ("POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: text/xml; charset=utf-8\r\n"
            "SOAPAction: \"urn:example:erp:purchasing:1#GetSupplierShortlist\"\r\n"
            "Content-Length: %d\r\nConnection: close\r\n" % (path, host, port, len(body))).encode()
    return head + extra + b"\r\n" + body


def slow_client(host, port, limit, tally):
    """One byte a second; the gateway must close the connection within limit seconds."""
    payload = soap_post("/purchasing", host, port, b"<x/>")
    started = time.monotonic()
    closed = False
    try:
        with socket.create_connection((host, port), timeout=limit + 5) as s:
            for byte in payload:
                try:
                    s.sendall(bytes([byte]))
                except OSError:
                    closed = True
                    break
                s.settimeout(1.0)
                try:
                    if s.recv(4096) == b"":
                        closed = True
                        break
                except socket.timeout:
                    pass
                except OSError:
                    closed = True
                    break
                if time.monotonic() - started > limit + 5:
                    break
    except OSError as e:
        tally.fail("slow client could not connect: %s" % e)
        return
    elapsed = time.monotonic() - started
    if closed and elapsed <= limit:
        tally.count("chaos_slow_client_cut")
    else:
        tally.fail("slow client: %s after %.1f s" % ("closed" if closed else "still open", elapsed))


def chaos(args, tally, stop):
    url = urllib.parse.urlsplit(args.url)
    host, port, path = url.hostname, url.port, url.path
    cases = ["garbage", "oversized", "malformed", "doctype", "slow"]
    turn = 0
    slow_threads = []
    while not stop.wait(args.chaos_every):
        case = cases[turn % len(cases)]
        turn += 1
        try:
            if case == "garbage":
                status = raw_exchange(host, port, b"\x16\x03\x01\x02\x00 not http at all\r\n\r\n")
                ok = status == 400
            elif case == "oversized":
                body = b"<" + b"x" * (args.max_body + 1)
                status = raw_exchange(host, port, soap_post(path, host, port, body))
                ok = status == 413
            elif case == "malformed":
                status = raw_exchange(host, port, soap_post(path, host, port, b"<soap:Envelope><soap:Body><broken"))
                ok = status != 0
            elif case == "doctype":
                body = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]>'
                        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
                        b'<soap:Body>&e;</soap:Body></soap:Envelope>')
                status = raw_exchange(host, port, soap_post(path, host, port, body))
                ok = status != 0
            else:
                t = threading.Thread(target=slow_client, args=(host, port, args.request_timeout + 3, tally))
                t.start()
                slow_threads.append(t)
                continue
        except OSError as e:
            status, ok = 0, False
            tally.fail("%s: %s" % (case, e))
        tally.count("chaos_%s_status_%d" % (case, status))
        if not ok:
            tally.fail("%s: answered %d" % (case, status))
    for t in slow_threads:
        t.join()


def admin(args, tally, stop):
    url = urllib.parse.urlsplit(args.admin)
    headers = {"Authorization": "Bearer " + args.token}
    last_reload = time.monotonic()
    while not stop.wait(10):
        checks = [("GET", "/metrics"), ("GET", "/readyz")]
        if time.monotonic() - last_reload >= 60:
            checks.append(("POST", "/admin/reload"))
            last_reload = time.monotonic()
        for method, target in checks:
            try:
                conn = connect(url.hostname, url.port, timeout=30)
                conn.request(method, target, headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                tally.count("admin_%s_%d" % (target.strip("/").replace("/", "_"), response.status))
                if response.status != 200:
                    tally.fail("admin %s %s: %d" % (method, target, response.status))
            except (OSError, http.client.HTTPException) as e:
                tally.fail("admin %s %s: %s" % (method, target, e))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True, help="the gateway route, http://127.0.0.1:PORT/purchasing")
    p.add_argument("--admin", required=True, help="the admin listener, http://127.0.0.1:PORT")
    p.add_argument("--token", required=True)
    p.add_argument("--order-request", required=True, help="examples/erp/order-request.xml")
    p.add_argument("--accepted", required=True, help="file for the accepted requisition ids")
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--order-rate", type=float, default=20.0)
    p.add_argument("--order-threads", type=int, default=4)
    p.add_argument("--chaos-every", type=float, default=5.0)
    p.add_argument("--max-body", type=int, default=1048576)
    p.add_argument("--request-timeout", type=float, default=5.0)
    args = p.parse_args()
    with open(args.order_request, encoding="utf-8") as f:
        template = f.read()
    tally = Tally()
    stop = threading.Event()
    threads = [threading.Thread(target=orders, args=(args, tally, stop, i, template)) for i in range(args.order_threads)]
    threads.append(threading.Thread(target=chaos, args=(args, tally, stop)))
    threads.append(threading.Thread(target=admin, args=(args, tally, stop)))
    for t in threads:
        t.start()
    stop.wait(args.seconds)
    stop.set()
    for t in threads:
        t.join()
    with open(args.accepted, "w", encoding="utf-8") as f:
        for requisition in tally.accepted:
            f.write(requisition + "\n")
    latencies = tally.latencies
    print(json.dumps({
        "counts": tally.counts,
        "orders_sent": len(latencies),
        "order_p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "order_p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "order_max_ms": round(max(latencies) * 1000, 2) if latencies else 0,
        "failures": tally.failures,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
