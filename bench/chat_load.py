"""Closed-loop load on ``POST /api/v1/chat`` against a real ``citizen-hub serve`` process.

Embedded mode (SQLite in a temp folder, ``redis_url`` null, the shipped catalogue and NLU).
The server is started as a subprocess (``.venv/bin/citizen-hub serve``) and measured:

- ``startup_s``: process spawn -> first 200 from ``/readyz``, with a trained NLU model present
  (``nlu.model_dir`` = the repo's ``var/models``; one is trained there first, untimed, if
  none is current);
- ``cold_startup_s``: the same with an empty model folder, so the server trains at start-up;
- two closed-loop runs on one server, after a warm-up: ``cached`` (questions drawn
  round-robin from ``knowledge/eval/queries.yml``, a different order per sender, so the
  same texts recur across senders; the hub's per-text memos of NLU parses and catalogue
  lookups answer most of them) and ``unique`` (every text is new: a district and a counter
  are appended, so no per-text memo helps). Each of the ``--concurrency`` senders (distinct
  sender ids) sends its next message as soon as the previous answer arrives; every message
  goes through the per-sender lock, the session store and the dialogue policy.
- ``server_rss_mb``: the server's peak resident size (VmHWM) after the run;
  ``server_cpu_ms_per_msg``: server CPU (user + system) per answered message;
  ``*_cpu_util``: cores used by the server, this load generator and anything else on the
  machine during the run (a busy neighbour makes the figures worse, not better).

The load generator shares the machine: one aiohttp ClientSession, keep-alive, a connector
limited to the concurrency, loopback only, bounded in time and in count. Usage:
    .venv/bin/python bench/chat_load.py [--duration 15] [--concurrency 50] [--no-cold]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "citizen-hub"
QUERIES = ROOT / "knowledge" / "eval" / "queries.yml"
MODELS = ROOT / "var" / "models"
DISTRICTS = ("福田区", "罗湖区", "南山区", "盐田区", "宝安区", "龙岗区", "龙华区", "坪山区")
MAX_MESSAGES = 1_000_000  # a hard bound on one run, whatever the duration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_config(folder: Path, model_dir: Path) -> Path:
    config = {
        "server": {"host": "127.0.0.1"},
        "storage": {
            "database_url": f"sqlite+aiosqlite:///{folder}/hub.db",
            "redis_url": None,
        },
        "knowledge": {"catalogue": str(ROOT / "knowledge" / "catalogue")},
        "nlu": {"backend": "builtin", "model_dir": str(model_dir)},
        "channels": {"webchat": {"enabled": True}},
    }
    path = folder / "config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    startup_s: float
    log_path: Path

    def proc_status(self, key: str) -> float:
        """A ``kB`` value from /proc/<pid>/status, in MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_server(config: Path, log_path: Path, timeout_s: float = 120.0) -> Server:
    port = free_port()
    url = f"http://127.0.0.1:{port}/readyz"
    cmd = [str(CLI), "serve", "--config", str(config), "--port", str(port)]
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=config.parent, stdout=log, stderr=log)
    deadline = started + timeout_s
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}); see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return Server(proc, port, time.perf_counter() - started, log_path)
        except OSError:
            pass
        time.sleep(0.01)
    proc.kill()
    raise RuntimeError(f"server not ready after {timeout_s}s; see {log_path}")


def load_questions() -> list[str]:
    data = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    texts = [str(q["text"]) for q in data["queries"]]
    return list(dict.fromkeys(texts))  # distinct, in file order


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    sent: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def fail(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


async def _sender(
    session: aiohttp.ClientSession,
    url: str,
    index: int,
    questions: list[str],
    unique: bool,
    deadline: float,
    tally: Tally,
) -> None:
    sender = f"load-{'u' if unique else 'c'}{index:03d}-{os.getpid()}"
    step = 1 + (index * 7) % 11  # varied order per sender, still every question
    position = (index * 37) % len(questions)
    seq = 0
    while time.perf_counter() < deadline and tally.sent < MAX_MESSAGES:
        text = questions[position]
        position = (position + step) % len(questions)
        if unique:
            text = f"{text} {DISTRICTS[seq % len(DISTRICTS)]}第{index}-{seq}问"
        seq += 1
        tally.sent += 1
        started = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as answer:
                body = await answer.read()
                failure = None if answer.status == 200 else f"HTTP {answer.status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            failure = type(exc).__name__
        if failure is None:
            tally.latencies.append(time.perf_counter() - started)
        else:
            tally.fail(failure)
            if failure.startswith("HTTP"):
                print(f"error {failure}: {text!r}: {body[:200]!r}", file=sys.stderr)


async def closed_loop(
    port: int, questions: list[str], concurrency: int, duration_s: float, unique: bool
) -> Tally:
    url = f"http://127.0.0.1:{port}/api/v1/chat"
    tally = Tally()
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        deadline = time.perf_counter() + duration_s
        await asyncio.gather(
            *(
                _sender(session, url, i, questions, unique, deadline, tally)
                for i in range(concurrency)
            )
        )
    return tally


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * len(sorted_values)) - 1))
    return sorted_values[index]


def machine_busy_s() -> float:
    """CPU seconds all processes on the machine ran (user + nice + system, /proc/stat);
    interrupt and softirq time (loopback networking) is left out, like in process times."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:4]]
    return sum(fields) / os.sysconf("SC_CLK_TCK")


def measure(
    server: Server, questions: list[str], concurrency: int, duration_s: float, unique: bool
) -> dict[str, Any]:
    cpu_before, wall_before = server.cpu_s(), time.perf_counter()
    client_before, machine_before = time.process_time(), machine_busy_s()
    tally = asyncio.run(closed_loop(server.port, questions, concurrency, duration_s, unique))
    wall = time.perf_counter() - wall_before
    server_cpu = server.cpu_s() - cpu_before
    client_cpu = time.process_time() - client_before
    other_cpu = machine_busy_s() - machine_before - server_cpu - client_cpu
    lat = sorted(tally.latencies)
    done = len(lat)
    return {
        "concurrency": concurrency,
        "duration_s": round(wall, 2),
        "messages": done,
        "throughput_msg_s": round(done / wall, 1),
        "latency_ms_p50": round(percentile(lat, 0.50) * 1000, 2),
        "p95": round(percentile(lat, 0.95) * 1000, 2),
        "p99": round(percentile(lat, 0.99) * 1000, 2),
        "errors": tally.errors,
        "error_kinds": tally.error_kinds,
        "server_rss_mb": round(server.proc_status("VmHWM"), 1),
        "server_cpu_ms_per_msg": round(server_cpu * 1000 / max(done, 1), 3),
        "server_cpu_util": round(server_cpu / wall, 2),
        "client_cpu_util": round(client_cpu / wall, 2),
        # Anything else running on the machine meanwhile (other processes compete for cores).
        "other_cpu_util": round(max(other_cpu, 0.0) / wall, 2),
    }


def ensure_model(folder: Path) -> None:
    """Train the shipped model into var/models if no current one is there (not timed)."""
    server = start_server(write_config(folder, MODELS), folder / "prepare.log", timeout_s=300)
    server.stop()


def cold_start(folder: Path) -> float:
    cold = folder / "cold"
    (cold / "models").mkdir(parents=True)
    server = start_server(write_config(cold, cold / "models"), cold / "server.log", 300)
    server.stop()
    shutil.rmtree(cold, ignore_errors=True)
    return round(server.startup_s, 2)


def run(args: argparse.Namespace) -> dict[str, Any]:
    questions = load_questions()
    with tempfile.TemporaryDirectory(prefix="citizen-hub-load-") as tmp:
        folder = Path(tmp)
        ensure_model(folder)
        cold = None if args.no_cold else cold_start(folder)
        (folder / "warm").mkdir()
        config = write_config(folder / "warm", MODELS)
        server = start_server(config, folder / "warm" / "server.log")
        try:
            measure(server, questions, args.concurrency, args.warmup, unique=False)
            runs: dict[str, dict[str, Any]] = {}
            for mode in args.modes.split(","):
                result = measure(
                    server, questions, args.concurrency, args.duration, mode == "unique"
                )
                runs[mode] = {**result, "startup_s": round(server.startup_s, 2)}
                runs[mode]["cold_startup_s"] = cold
                runs[mode]["cpu_count"] = os.cpu_count()
        finally:
            server.stop()
            if any(r["errors"] for r in runs.values()):
                _print_server_errors(server.log_path)
    return {
        "distinct_questions": len(questions),
        "startup_note": "startup_s: trained NLU model present; cold_startup_s: trains at start",
        **runs,
    }


def _print_server_errors(log_path: Path, most: int = 3) -> None:
    """The server's logged errors with the last lines of each traceback, so a failed request
    is explained, not only counted."""
    records = re.split(r"\n(?=\d{4}-\d\d-\d\d )", log_path.read_text(errors="replace"))
    for record in [r for r in records if " ERROR " in r][:most]:
        lines = record.splitlines()
        print("\n".join([lines[0], "  ...", *lines[-4:]]), file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--modes", default="cached,unique", help="comma list: cached,unique")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold (training) start")
    print(json.dumps(run(parser.parse_args()), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
