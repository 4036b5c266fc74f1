#!/usr/bin/env python3
"""Times whole `telaio run` processes against the local liveness server.

Usage: scripts/bench-run.py PORT POLLS RUNS -- <telaio run arguments>
Prints the median and minimum wall time, and the peak RSS of the largest run (from
/usr/bin/time when it is there).
"""
import statistics, subprocess, sys, time, resource

def main():
    port, polls, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        if out.returncode != 0:
            sys.exit(f"run failed with {out.returncode}")
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    walls.sort()
    print(f"{runs} runs ({polls} polls each): median {statistics.median(walls)*1000:.2f} ms, "
          f"min {walls[0]*1000:.2f} ms, max RSS {rss_kb/1024:.1f} MiB")

main()
