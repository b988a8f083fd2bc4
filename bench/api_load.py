"""A lean HTTP/1.1 load generator for the API benchmark: N keep-alive connections, one request in flight on each.

Runs in its own process (the API benchmark starts it), so it never shares an interpreter with the server. Requests
are pre-built bytes (one per body, cycled); responses are read by ``Content-Length``. Warm-up requests are not
counted; measurement stops after ``--seconds``. Prints one JSON object: requests, errors (non-2xx or broken
connections), requests per second and latency percentiles in milliseconds.

    python bench/api_load.py --port P --path /v1/fumin/assessments --token ce_… --bodies bodies.json \
        --connections 16 --seconds 20 --warmup 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path


def _request(host: str, port: int, path: str, token: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _connection(args, requests: list[bytes], offset: int, start: float, stop: float, out: dict) -> None:
    reader, writer = await asyncio.open_connection(args.host, args.port)
    n = offset
    try:
        while True:
            sent = time.perf_counter()
            if sent >= stop:
                break
            writer.write(requests[n % len(requests)])
            n += 1
            status = await _read_response(reader)
            done = time.perf_counter()
            if sent >= start:
                out["latencies"].append(done - sent)
                if not 200 <= status < 300:
                    out["errors"] += 1
    except (OSError, asyncio.IncompleteReadError):
        out["errors"] += 1
    finally:
        writer.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def run(args) -> dict:
    bodies = [json.dumps(b, ensure_ascii=False).encode() for b in json.loads(Path(args.bodies).read_text())]
    requests = [_request(args.host, args.port, args.path, args.token, body) for body in bodies]
    out = {"latencies": [], "errors": 0}
    begin, begin_cpu = time.perf_counter(), time.process_time()
    start, stop = begin + args.warmup, begin + args.warmup + args.seconds
    await asyncio.gather(*(_connection(args, requests, i * 7, start, stop, out) for i in range(args.connections)))
    latencies = out["latencies"]
    cpu_ms = (time.process_time() - begin_cpu) * 1000 / max(len(latencies), 1)  # warm-up included: an upper bound
    return {
        "connections": args.connections,
        "seconds": args.seconds,
        "requests": len(latencies),
        "errors": out["errors"],
        "requests_per_second": len(latencies) / args.seconds,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p90_ms": percentile(latencies, 0.90) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies, default=float("nan")) * 1000,
        "load_generator_cpu_ms_per_request": cpu_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/v1/fumin/assessments")
    parser.add_argument("--token", required=True)
    parser.add_argument("--bodies", required=True)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the load generator only targets the loopback interface")
    try:  # the lighter event loop (installed with the API's uvicorn[standard]): less CPU taken from the server
        import uvloop
    except ImportError:
        print(json.dumps(asyncio.run(run(args))))
    else:
        print(json.dumps(uvloop.run(run(args))))


if __name__ == "__main__":
    main()
