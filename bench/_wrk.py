"""Load from wrk (the Debian package), for the API benchmark: a C load generator that costs the server little CPU.

``run_wrk`` posts one real application body with the officer's key on every request (wrk's Lua ``request``
is not used: one pre-built request, as a bank system repeating a call would send it), ``--threads`` threads over
``--connections`` keep-alive connections, after an uncounted warm-up run of the same shape. wrk's ``done`` hook
prints its own statistics as one JSON line (latency percentiles from wrk's histogram, in microseconds), which this
module reads back — nothing is parsed from wrk's human-readable report.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

_SCRIPT = """
local handle = assert(io.open(%(body_path)s, "rb"))
wrk.method = "POST"
wrk.body = handle:read("*a")
handle:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = %(authorization)s

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\n{"requests": %%d, "duration_us": %%d, "non_2xx": %%d, "socket_errors": %%d, "timeouts": %%d, '
      .. '"p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "p999_us": %%d, "max_us": %%d, "mean_us": %%.1f}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII text is a valid Lua string literal


def run_wrk(
    port: int, token: str, body: dict, *, connections: int, seconds: float, threads: int = 2, warmup: float = 3.0
) -> dict:
    """Requests/s and latency percentiles (ms) of ``wrk -t{threads} -c{connections} -d{seconds}s --latency``."""
    if not wrk_available():
        raise SystemExit("wrk is not installed: apt-get install -y wrk (Debian package)")
    with tempfile.TemporaryDirectory(prefix="ce-wrk-") as folder:
        body_path, script = Path(folder) / "body.json", Path(folder) / "assess.lua"
        body_path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        values = {"body_path": _lua_string(str(body_path)), "authorization": _lua_string(f"Bearer {token}")}
        script.write_text(_SCRIPT % values)
        url = f"http://127.0.0.1:{port}/v1/fumin/assessments"
        threads = min(threads, connections)
        if warmup > 0:
            _wrk(url, script, threads, connections, warmup)
        stats = _wrk(url, script, threads, connections, seconds)
    seconds_measured = stats["duration_us"] / 1e6
    return {
        "load": "wrk",
        "command": f"wrk -t{threads} -c{connections} -d{round(seconds)}s --latency -s assess.lua {url}".replace(
            f":{port}/", ":PORT/"
        ),
        "connections": connections,
        "seconds": seconds_measured,
        "requests": stats["requests"],
        "errors": stats["non_2xx"] + stats["socket_errors"] + stats["timeouts"],
        "requests_per_second": stats["requests"] / seconds_measured,
        "p50_ms": stats["p50_us"] / 1000,
        "p90_ms": stats["p90_us"] / 1000,
        "p99_ms": stats["p99_us"] / 1000,
        "p999_ms": stats["p999_us"] / 1000,
        "max_ms": stats["max_us"] / 1000,
        "mean_ms": stats["mean_us"] / 1000,
    }


def _wrk(url: str, script: Path, threads: int, connections: int, seconds: float) -> dict:
    duration = f"-d{max(round(seconds), 1)}s"
    command = ["wrk", f"-t{threads}", f"-c{connections}", duration, "--latency", "-s", str(script)]
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith('{"requests"')]
    if not lines:
        raise SystemExit(f"wrk printed no statistics:\n{done.stdout}\n{done.stderr}")
    return json.loads(lines[-1])
