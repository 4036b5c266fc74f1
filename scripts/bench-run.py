#!/usr/bin/env python3
"""Times whole `telaio run` processes against the local liveness server.

Usage: scripts/bench-run.py PORT POLLS RUNS -- <telaio run arguments>
Prints the median and minimum wall time, and the largest peak RSS of five more runs
(measured by /usr/bin/time).
"""
import os, statistics, subprocess, sys, tempfile, time

def main():
    port, polls, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    walls = []
    # The seed's API is SigV4-signed: the local server does not check signatures, but Telaio
    # signs every request, so give it keys (signing is part of what is measured).
    env = dict(os.environ)
    for k, v in (("AWS_ACCESS_KEY_ID", "AKIDBENCH"), ("AWS_SECRET_ACCESS_KEY", "bench"), ("AWS_REGION", "us-east-1")):
        env.setdefault(k, v)
    rss_kb = 0
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        walls.append(time.perf_counter() - start)
        if out.returncode != 0:
            sys.exit(f"run failed with {out.returncode}")
    # The peak RSS from a small C parent: a child forked from Python counts Python's pages
    # until it execs, so Python's own rusage overstates it.
    if os.path.exists("/usr/bin/time"):
        with tempfile.NamedTemporaryFile("r") as f:
            for _ in range(5):
                subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name] + cmd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
                f.seek(0)
                rss_kb = max(rss_kb, int(f.read().split()[-1]))
    walls.sort()
    print(f"{runs} runs ({polls} polls each): median {statistics.median(walls)*1000:.2f} ms, "
          f"min {walls[0]*1000:.2f} ms, max RSS {rss_kb/1024:.1f} MiB")

main()
