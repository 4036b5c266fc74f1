#!/usr/bin/env python3
"""Figures of `telaio mcp` over stdio, with a bare JSON-RPC client (no SDK in the way).

Usage:
  scripts/bench-mcp.py TELAIO CORPUS [--rounds N]
  scripts/bench-mcp.py TELAIO --calls N

With CORPUS (a folder of Arazzo documents, e.g. ../shared/corpus): the time from starting the
process to its answer to `initialize` (start-up: every document read and planned), then the
time `tools/list` takes, N rounds each.

With --calls: the seed workflow against a separate `telaio mock` (succeeded scenario,
--poll-interval 0), N tool calls one after another through one `telaio mcp` process, beside
N `telaio run --no-store` processes of the same workflow (each a process: start-up,
reading and planning the document, the run). Prints medians and the spread. The server's
home and store are a new temporary folder, or $BENCH_HOME.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

from benchlib import SEED, SCENARIO, start


def rpc(proc, id_, method, params=None):
    msg = {"jsonrpc": "2.0", "id": id_, "method": method}
    if params is not None:
        msg["params"] = params
    proc.stdin.write((json.dumps(msg) + "\n").encode())
    proc.stdin.flush()
    while True:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the server closed its output")
        answer = json.loads(line)
        if answer.get("id") == id_:
            return answer


def notify(proc, method):
    proc.stdin.write((json.dumps({"jsonrpc": "2.0", "method": method}) + "\n").encode())
    proc.stdin.flush()


def spawn(telaio, args, env):
    return subprocess.Popen(
        [telaio, "mcp", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # its notes on documents left out: unread, they would fill a pipe
        env=env,
    )


def handshake(proc):
    answer = rpc(proc, 1, "initialize", {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "bench", "version": "0"},
    })
    notify(proc, "notifications/initialized")
    return answer


def spread(xs):
    xs = sorted(xs)
    return f"median {statistics.median(xs):.1f} ms (min {xs[0]:.1f}, max {xs[-1]:.1f}, n {len(xs)})"


def corpus(telaio, folder, rounds, env):
    starts, lists, tools, size = [], [], 0, 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        proc = spawn(telaio, [folder, "--source-root", folder, "--mock"], env)
        handshake(proc)
        starts.append((time.perf_counter() - t0) * 1000)
        for i in range(5):
            t1 = time.perf_counter()
            answer = rpc(proc, 10 + i, "tools/list", {})
            lists.append((time.perf_counter() - t1) * 1000)
            tools = len(answer["result"]["tools"])
            size = len(json.dumps(answer))
        proc.stdin.close()
        proc.wait()
    print(f"start-up to the answer to initialize ({tools} tools): {spread(starts)}")
    print(f"tools/list ({size} bytes): {spread(lists)}")


def calls(telaio, n, env):
    with tempfile.TemporaryDirectory() as d:
        mock, url = start([telaio, "mock", SEED, "--scenario", SCENARIO], env, subprocess.DEVNULL)
        try:
            server = f"rekognitionApi={url}"
            flags = ["--server", server, "--poll-interval", "0"]
            proc = spawn(telaio, [SEED, *flags], {**env, "TELAIO_STORE": os.path.join(d, "runs.db")})
            handshake(proc)
            over_mcp = []
            for i in range(n):
                t0 = time.perf_counter()
                answer = rpc(proc, 100 + i, "tools/call", {
                    "name": "face-liveness-session",
                    "arguments": {"clientRequestToken": f"b-{i}"},
                })
                over_mcp.append((time.perf_counter() - t0) * 1000)
                assert answer["result"]["structuredContent"]["status"] == "succeeded", answer
            proc.stdin.close()
            proc.wait()
            runs = []
            for i in range(n):
                t0 = time.perf_counter()
                out = subprocess.run(
                    [telaio, "run", SEED, *flags, "--input", f"clientRequestToken=r-{i}",
                     "--no-store", "--output", "json"],
                    capture_output=True, env=env, check=True,
                )
                runs.append((time.perf_counter() - t0) * 1000)
                assert json.loads(out.stdout)["status"] == "succeeded"
            print(f"tools/call of the seed (recorded in the store): {spread(over_mcp)}")
            print(f"telaio run --no-store of the seed (a process each): {spread(runs)}")
        finally:
            mock.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("telaio")
    ap.add_argument("corpus", nargs="?")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--calls", type=int)
    a = ap.parse_args()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("BENCH_HOME") or tempfile.mkdtemp(),
        "AWS_ACCESS_KEY_ID": "AKIDTEST",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_REGION": "us-east-1",
        "NO_COLOR": "1",
    }
    env["TELAIO_STORE"] = os.path.join(env["HOME"], "runs.db")
    if a.calls:
        calls(a.telaio, a.calls, env)
    if a.corpus:
        corpus(a.telaio, a.corpus, a.rounds, env)


if __name__ == "__main__":
    main()
