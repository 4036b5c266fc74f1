#!/usr/bin/env python3
"""Load on `telaio serve`: many seed runs submitted at once through its API, against a
separate `telaio mock` process (the succeeded scenario: create, then five polls).

Usage:
  scripts/bench-serve.py TELAIO RUNS [--poll-interval S] [--concurrency N] [--hold]

Prints runs per second (first submission to last end), p50 and p99 time per run (from the
store's start and end of each run), and the server's peak RSS and threads. With --hold (use a
long --poll-interval), it waits until every run has polled once, then reports the memory and
threads of the server holding them all in their wait, and stops.
"""
import argparse, http.client, json, os, re, subprocess, sys, tempfile, threading, time
import urllib.parse, urllib.request
from concurrent.futures import ThreadPoolExecutor

from benchlib import SEED, SCENARIO, cpu, start, status


def call(url, method="GET", body=None):
    req = urllib.request.Request(url, method=method, data=body and json.dumps(body).encode(),
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


# One kept-alive connection per submitting thread: the client's own cost (a connection per
# request) would otherwise weigh on the two cores the server and the mock share with it.
local = threading.local()


def submit(url, body):
    if not hasattr(local, "conn"):
        u = urllib.parse.urlsplit(url)
        local.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    local.conn.request("POST", "/runs", json.dumps(body), {"content-type": "application/json"})
    r = local.conn.getresponse()
    answer = json.loads(r.read())
    if r.status != 202:
        sys.exit(f"POST /runs answered {r.status}: {answer}")
    return answer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("telaio")
    ap.add_argument("runs", type=int)
    ap.add_argument("--poll-interval", default="0")
    ap.add_argument("--concurrency", default="64")
    ap.add_argument("--hold", action="store_true")
    a = ap.parse_args()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDBENCH", AWS_SECRET_ACCESS_KEY="bench",
               AWS_REGION="us-east-1")
    tmp = tempfile.mkdtemp()
    mock_log = open(os.path.join(tmp, "mock.log"), "w")
    mock, mock_url = start([a.telaio, "mock", SEED, "--scenario", SCENARIO], env, mock_log)
    serve, url = start([a.telaio, "serve", SEED, "--listen", "127.0.0.1:0",
                        "--server", f"rekognitionApi={mock_url}", "--poll-interval", a.poll_interval,
                        "--concurrency", a.concurrency, "--queue", str(a.runs),
                        "--store", os.path.join(tmp, "runs.db")], env, subprocess.DEVNULL)
    try:
        began = time.time()
        with ThreadPoolExecutor(32) as pool:
            ids = list(pool.map(lambda i: submit(url, {
                "workflowId": "face-liveness-session",
                "inputs": {"clientRequestToken": f"bench-{i}"}})["runId"], range(a.runs)))
        submitted = time.time() - began
        if a.hold:
            # Every run has created its session and polled once: all are in their wait.
            while True:
                mock_log.flush()
                with open(os.path.join(tmp, "mock.log")) as f:
                    polls = sum(1 for line in f if "GetFaceLivenessSessionResults" in line)
                if polls >= a.runs:
                    break
                time.sleep(0.2)
            time.sleep(1)
            hwm, rss, threads = status(serve.pid)
            print(f"{a.runs} runs waiting out a {a.poll_interval} s poll interval at once "
                  f"(submitted in {submitted:.2f} s): server RSS {rss/1024:.1f} MiB "
                  f"(peak {hwm/1024:.1f} MiB), {threads} threads")
            return
        while True:
            listed = call(f"{url}/runs?limit=1000&status=running")
            if not listed:
                break
            time.sleep(0.1)
        runs = call(f"{url}/runs?limit=1000")
        done = [r for r in runs if r["endedAtMs"]]
        ok = sum(1 for r in runs if r["status"] == "succeeded")
        times = sorted(r["endedAtMs"] - r["startedAtMs"] for r in done)
        first = min(r["startedAtMs"] for r in runs)
        last = max(r["endedAtMs"] for r in done)
        hwm, rss, threads = status(serve.pid)
        wall = (last - first) / 1000
        print(f"{a.runs} seed runs through the API: {ok} succeeded in {wall:.2f} s = "
              f"{a.runs / wall:.0f} runs/s; per run p50 {times[len(times)//2]} ms, "
              f"p99 {times[int(len(times)*0.99) - 1]} ms; server peak RSS {hwm/1024:.1f} MiB, "
              f"{threads} threads; CPU: server {cpu(serve.pid):.2f} s, mock {cpu(mock.pid):.2f} s")
    finally:
        serve.terminate()
        mock.terminate()
        serve.wait()
        mock.wait()


main()
