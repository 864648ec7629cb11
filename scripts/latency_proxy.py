#!/usr/bin/env python3
"""A TCP proxy for 127.0.0.1 that adds a fixed one-way delay, and logs every HTTP request through it.

    latency_proxy.py --listen-port P --upstream-port U --delay-ms D --log FILE [--pass-close]
    latency_proxy.py analyse LOG        # calls per API, connections, longest chain of calls

Latency without bandwidth limits: each direction has a reader that timestamps each chunk and a
writer that sleeps until arrival + D before writing it (order kept). A new connection costs one
more round trip (the client's first bytes are held until accept + 3*D, at least arrival + D) to
emulate the TCP handshake. Requests on a connection are sequential (HTTP/1.1 keep-alive, no
pipelining): client bytes arriving after the server has answered start a new request, which goes
upstream on a new connection (local, so free). moto's server (werkzeug) answers every request with
`Connection: close`, which would make each call pay a handshake; the proxy drops that header and
keeps the client's connection open, as AWS does (--pass-close: pass it on, a connection per call).
One JSON line per request: conn, seq (0 = first on its connection), start (client bytes arrive at
the proxy) and end (last response chunk handed to the client) in ms, api "service:Operation",
status, server_ms (time in moto).
Used by scripts/bench-latency.sh; python3 standard library only. Stops on SIGTERM/SIGINT.
"""
import asyncio, json, re, signal, sys, time
from collections import Counter
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"  # listens on, and forwards to, this address only
KEEP = 64 * 1024    # bytes of each request kept for naming it

# REST protocols: (credential-scope service, method, path regex) -> operation, first match wins
REST = [(s, m, re.compile(p), op) for s, m, p, op in [
    ("route53", "GET", r"/2013-04-01/hostedzone/[^/]+/rrset/?", "ListResourceRecordSets"),
    ("route53", "POST", r"/2013-04-01/hostedzone/[^/]+/rrset/?", "ChangeResourceRecordSets"),
    ("route53", "GET", r"/2013-04-01/hostedzone/[^/]+", "GetHostedZone"),
    ("route53", "GET", r"/2013-04-01/hostedzone/?", "ListHostedZones"),
    ("route53", "GET", r"/2013-04-01/healthcheck/[^/]+/status", "GetHealthCheckStatus"),
    ("route53", "GET", r"/2013-04-01/healthcheck/[^/]+", "GetHealthCheck"),
    ("route53", "POST", r"/2013-04-01/healthcheck/[^/]+", "UpdateHealthCheck"),
    ("route53", "GET", r"/2013-04-01/healthcheck/?", "ListHealthChecks"),
    ("apigateway", "GET", r"/domainnames/?", "GetDomainNames"),
    ("apigateway", "GET", r"/domainnames/[^/]+/basepathmappings/?", "GetBasePathMappings"),
    ("apigateway", "GET", r"/domainnames/[^/]+", "GetDomainName"),
    ("apigateway", "GET", r"/v2/domainnames/?", "GetDomainNames(v2)"),
    ("apigateway", "GET", r"/v2/domainnames/[^/]+/apimappings/?", "GetApiMappings(v2)"),
    ("apigateway", "GET", r"/v2/domainnames/[^/]+", "GetDomainName(v2)"),
    ("lambda", "GET", r"/2015-03-31/functions/[^/]+/configuration", "GetFunctionConfiguration"),
    ("lambda", "GET", r"/2015-03-31/functions/[^/]+/versions", "ListVersionsByFunction"),
    ("lambda", "GET", r"/2015-03-31/functions/[^/]+/aliases/[^/]+", "GetAlias"),
    ("lambda", "PUT", r"/2015-03-31/functions/[^/]+/aliases/[^/]+", "UpdateAlias"),
    ("lambda", "GET", r"/2015-03-31/functions/[^/]+/aliases/?", "ListAliases"),
    ("lambda", "GET", r"/2015-03-31/functions/[^/]+", "GetFunction"),
]]


def shape(path):
    """The path with IDs replaced by *: keeps lowercase words, versions (v2) and API dates."""
    keep = re.compile(r"[a-z]+|v\d+|\d{4}-\d\d-\d\d")
    return "/".join(p if not p or keep.fullmatch(p) else "*" for p in path.split("/"))


def name_request(raw):
    """(service, region, operation, method, path) of a request from its first bytes."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target = (lines[0].split(" ") + ["", ""])[:2]
    headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
    m = re.search(r"Credential=[^/]*/[^/]*/([^/]*)/([^/]*)/", headers.get("authorization", ""))
    region, service = m.groups() if m else ("?", "?")
    url = urlsplit(target)
    path, query = url.path, parse_qs(url.query, keep_blank_values=True)
    form = parse_qs(body.decode("latin-1"), keep_blank_values=True) if b"Action=" in body else {}
    if "x-amz-target" in headers:                       # JSON protocols (CodePipeline)
        op = headers["x-amz-target"].rsplit(".", 1)[-1]
    elif "Action" in query or "Action" in form:         # Query protocol (STS)
        op = (query.get("Action") or form.get("Action"))[0]
    elif "/operation/" in path:                         # Smithy RPCv2 CBOR (CloudWatch)
        op = path.rsplit("/operation/", 1)[1]
    elif service == "s3":
        op = s3_operation(method, path, query, headers.get("host", ""))
    else:
        op = next((o for s, mm, p, o in REST if s == service and mm == method and p.fullmatch(path)),
                  None)
    if op is None:                                      # nothing silently dropped
        op = f"{method} {shape(path)}" + ("?" + "&".join(sorted(query)) if query else "")
    return service, region, op, method, path


def s3_operation(method, path, query, host):
    host = host.rsplit(":", 1)[0]
    virtual = not (host == "localhost" or re.fullmatch(r"[\d.]+|\[.*\]", host))
    parts = [p for p in path.split("/") if p]
    has_key = len(parts) >= (1 if virtual else 2)
    if has_key:
        return {"HEAD": "HeadObject", "GET": "GetObject", "PUT": "PutObject"}.get(method)
    for sub, op in [("versions", "ListObjectVersions"), ("replication", "GetBucketReplication"),
                    ("versioning", "GetBucketVersioning"), ("list-type", "ListObjectsV2")]:
        if sub in query and method == "GET":
            return op
    return None


class Proxy:
    def __init__(self, upstream_port, delay_ms, log_path, pass_close):
        self.upstream_port, self.delay, self.pass_close = upstream_port, delay_ms / 1000, pass_close
        self.log = open(log_path, "a")  # O_APPEND: the caller may truncate it between runs
        self.t0 = time.monotonic()
        self.conns = 0
        self.open_requests = {}

    def ms(self, t):
        return round((t - self.t0) * 1000, 3)

    def finish(self, conn):
        req = self.open_requests.pop(conn, None)
        if req is None:
            return
        service, region, op, method, path = name_request(bytes(req["raw"]))
        end = req["end"] if req["end"] is not None else time.monotonic()
        self.log.write(json.dumps({
            "conn": conn, "seq": req["seq"], "start": self.ms(req["start"]), "end": self.ms(end),
            "api": f"{service}:{op}", "region": region, "method": method, "path": path[:200],
            "status": req["status"], "req_bytes": req["req_bytes"], "resp_bytes": req["resp_bytes"],
            "server_ms": round((req["replied"] - req["sent"]) * 1000, 3) if req.get("replied") else None,
        }) + "\n")
        self.log.flush()

    async def handle(self, creader, cwriter):
        self.conns += 1
        conn, accepted = self.conns, time.monotonic()
        state = {"answered": False, "seq": 0}
        up_q, down_q = asyncio.Queue(), asyncio.Queue()  # (due, bytes[, new request]); b"" = EOF
        upstream = {"writer": None, "reader": None}

        def on_client_chunk(data, now):
            """Records the chunk; True when it starts a new request."""
            req, new = self.open_requests.get(conn), False
            if req is None or state["answered"]:
                self.finish(conn)
                req = self.open_requests[conn] = {"seq": state["seq"], "start": now, "end": None,
                                                  "raw": bytearray(), "status": None,
                                                  "req_bytes": 0, "resp_bytes": 0}
                state["seq"] += 1
                new = True
            state["answered"] = False
            req["req_bytes"] += len(data)
            if len(req["raw"]) < KEEP:
                req["raw"] += data[:KEEP - len(req["raw"])]
            return new

        def on_server_write(data, now):
            req = self.open_requests.get(conn)
            if req is None:
                return
            if not re.fullmatch(rb"HTTP/1\.\d 1\d\d[^\r]*\r\n(.*\r\n)*\r\n", data, re.S):
                state["answered"] = True  # a 100 Continue is not the answer
                if req["status"] is None and re.match(rb"HTTP/1\.\d \d{3}", data):
                    req["status"] = int(data[9:12])
            req["end"] = now
            req["resp_bytes"] += len(data)

        async def client_reader():
            first = True
            while True:
                try:
                    data = await creader.read(65536)
                except OSError:
                    data = b""
                now = time.monotonic()
                # handshake: the first bytes arrive one round trip later than they would otherwise
                due = max(now, accepted + 2 * self.delay) if first else now
                first = False
                if not data:  # the client closed: its last request is complete
                    self.finish(conn)
                    await up_q.put((now + self.delay, b"", False))
                    return
                await up_q.put((due + self.delay, data, on_client_chunk(data, now)))

        async def upstream_writer():
            while True:
                due, data, new = await up_q.get()
                await asyncio.sleep(max(0, due - time.monotonic()))
                if (new or not data) and upstream["writer"]:
                    upstream["reader"].cancel()  # its response is complete
                    upstream["writer"].close()
                    upstream["writer"] = None
                if not data:
                    await down_q.put((0, b""))
                    return
                if upstream["writer"] is None:  # one upstream connection per request (local: free)
                    r, upstream["writer"] = await asyncio.open_connection(HOST, self.upstream_port)
                    upstream["reader"] = asyncio.create_task(upstream_reader(r))
                upstream["writer"].write(data)
                await upstream["writer"].drain()
                if conn in self.open_requests:
                    self.open_requests[conn]["sent"] = time.monotonic()

        async def upstream_reader(r):
            buf, head_done, closes = b"", False, self.pass_close
            while True:
                try:
                    data = await r.read(65536)
                except OSError:
                    data = b""
                now = time.monotonic()
                req = self.open_requests.get(conn)
                if data and req and req.get("sent") and not req.get("replied"):
                    req["replied"] = now  # time in moto: from the request's last byte to here
                if not data:
                    if closes:  # the client was told `Connection: close`
                        await down_q.put((now + self.delay, b""))
                    return
                if not self.pass_close and not head_done:  # response heads: keep the client alive
                    buf, data = buf + data, b""
                    while not head_done and b"\r\n\r\n" in buf:
                        head, _, buf = buf.partition(b"\r\n\r\n")
                        head_done = head[9:10] != b"1"  # after any 1xx
                        head = self.keep_alive(head + b"\r\n\r\n", conn)
                        closes = closes or bool(re.search(rb"(?im)^connection: *close", head))
                        data += head
                    if head_done or len(buf) > KEEP:
                        data, buf, head_done = data + buf, b"", True
                if data:
                    await down_q.put((now + self.delay, data))

        async def client_writer():
            while True:
                due, data = await down_q.get()
                await asyncio.sleep(max(0, due - time.monotonic()))
                if not data:
                    cwriter.close()
                    return
                cwriter.write(data)
                on_server_write(data, time.monotonic())
                await cwriter.drain()

        tasks = [asyncio.create_task(t()) for t in (client_reader, upstream_writer, client_writer)]
        try:
            await asyncio.gather(*tasks)
        except (asyncio.CancelledError, OSError):
            pass
        finally:
            for t in tasks + [upstream["reader"]]:
                if t:
                    t.cancel()
            self.finish(conn)
            for w in (upstream["writer"], cwriter):
                if w:
                    w.close()

    def keep_alive(self, head, conn):
        """Drops `Connection: close` (moto's server closes after every response; AWS keeps the
        connection) when the client can find the response's end without it."""
        req = self.open_requests.get(conn)
        framed = (re.search(rb"(?im)^(content-length|transfer-encoding):", head)
                  or head[9:12] in (b"204", b"304") or (req and req["raw"].startswith(b"HEAD ")))
        return re.sub(rb"(?im)^connection: *close\r\n", b"", head) if framed else head


async def serve(args):
    proxy = Proxy(args["--upstream-port"], args["--delay-ms"], args["--log"], args["--pass-close"])
    tasks = set()

    async def on_connect(r, w):
        t = asyncio.current_task()
        tasks.add(t)
        t.add_done_callback(tasks.discard)
        await proxy.handle(r, w)

    server = await asyncio.start_server(on_connect, HOST, args["--listen-port"])
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    for t in list(tasks):
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for conn in list(proxy.open_requests):
        proxy.finish(conn)
    proxy.log.close()


def analyse(path):
    reqs = [json.loads(l) for l in open(path) if l.strip()]
    if not reqs:
        print("  no requests logged")
        return
    counts = Counter(r["api"] for r in reqs)
    width = max(len(a) for a in counts)
    for api, n in sorted(counts.items()):
        failed = sum(1 for r in reqs if r["api"] == api and (r["status"] or 0) >= 400)
        print(f"  {api:<{width}} {n:4}" + (f"  ({failed} answered >= 400)" if failed else ""))
    # Longest chain r1, r2, ... with each starting after the previous one ended (DP over starts).
    reqs.sort(key=lambda r: r["start"])
    best, prev = [1] * len(reqs), [None] * len(reqs)
    for i, r in enumerate(reqs):
        for j in range(i):
            if reqs[j]["end"] <= r["start"] and best[j] + 1 > best[i]:
                best[i], prev[i] = best[j] + 1, j
    i = max(range(len(reqs)), key=lambda k: (best[k], -reqs[k]["end"]))
    chain = []
    while i is not None:
        chain.append(reqs[i])
        i = prev[i]
    chain.reverse()
    span = max(r["end"] for r in reqs) - min(r["start"] for r in reqs)
    print(f"  {'total':<{width}} {len(reqs):4}  on {len({r['conn'] for r in reqs})} connections "
          f"(first request to last answer {span:.0f} ms)")
    in_moto = sum(r["server_ms"] or 0 for r in chain)
    print(f"  longest chain: {len(chain)} calls, {in_moto:.0f} ms of it in moto: "
          + fold([r["api"] for r in chain]))


def fold(seq):
    """a -> b -> a -> b -> c as (a -> b) x2 -> c: the longest run of repeats of 1 to 4 calls."""
    out, i = [], 0
    while i < len(seq):
        k, reps = 1, 1
        for n in range(1, 5):
            r = 1
            while seq[i + r * n:i + (r + 1) * n] == seq[i:i + n] and i + (r + 1) * n <= len(seq):
                r += 1
            if r > 1 and n * r > k * reps:
                k, reps = n, r
        part = " -> ".join(seq[i:i + k])
        out.append(part if reps == 1 else (f"({part})" if k > 1 else part) + f" x{reps}")
        i += k * reps
    return " -> ".join(out)


def main(argv):
    if argv[:1] == ["analyse"] and len(argv) == 2:
        return analyse(argv[1])
    names = ("--listen-port", "--upstream-port", "--delay-ms", "--log")
    pass_close = "--pass-close" in argv
    argv = [a for a in argv if a != "--pass-close"]
    args = dict(zip(argv[::2], argv[1::2]), **{"--pass-close": pass_close})
    if sorted(args) != sorted(names + ("--pass-close",)) or len(argv) != 8:
        sys.exit(__doc__)
    for k in names[:3]:
        args[k] = float(args[k]) if k == "--delay-ms" else int(args[k])
    asyncio.run(serve(args))


if __name__ == "__main__":
    main(sys.argv[1:])
