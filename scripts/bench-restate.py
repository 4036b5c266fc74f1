#!/usr/bin/env python3
"""Load on `telaio restate serve`: many seed runs started at once through Restate's ingress,
against a separate `telaio mock` process (the succeeded scenario: create, then five polls).

Usage:
  scripts/bench-restate.py TELAIO RESTATE_SERVER RUNS [--endpoints N] [--poll-interval S]
                           [--hold [--waves K]]

With --endpoints 2, two endpoints sit behind a round-robin TCP proxy (per connection), whose
address is the one deployment registered. Prints runs per second (first start to last end,
from Restate's own timestamps), p50 and p99 time per run, and the CPU time of the endpoints
and of the Restate server per exchange. With --hold (use a long --poll-interval), it starts
RUNS runs in each of K waves, and after each, once every run has polled once and Restate has
suspended it, reports the endpoints' memory and threads.
"""
import argparse, asyncio, json, os, re, socket, subprocess, sys, tempfile, threading, time
import http.client, urllib.parse
from concurrent.futures import ThreadPoolExecutor

from benchlib import SEED, SCENARIO, cpu, start, status


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request(method, path, body, headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def query(admin, sql):
    code, data = request(admin, "POST", "/query", json.dumps({"query": sql}),
                         {"content-type": "application/json", "accept": "application/json"})
    if code != 200:
        sys.exit(f"query failed {code}: {data[:300]}")
    return json.loads(data)["rows"]


async def proxy(listen_port, targets):
    """A round-robin TCP proxy: each new connection goes to the next target."""
    turn = [0]

    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except Exception:
            pass
        finally:
            writer.close()

    async def handle(reader, writer):
        port = targets[turn[0] % len(targets)]
        turn[0] += 1
        try:
            r2, w2 = await asyncio.open_connection("127.0.0.1", port)
        except Exception:
            writer.close()
            return
        await asyncio.gather(pipe(reader, w2), pipe(r2, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("telaio")
    ap.add_argument("restate_server")
    ap.add_argument("runs", type=int)
    ap.add_argument("--endpoints", type=int, default=1)
    ap.add_argument("--poll-interval", default="0")
    ap.add_argument("--hold", action="store_true")
    ap.add_argument("--waves", type=int, default=1)
    a = ap.parse_args()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="test-secret",
               AWS_REGION="us-east-1")
    tmp = tempfile.mkdtemp()
    ingress, admin, node = free_port(), free_port(), free_port()
    renv = dict(env, RESTATE_INGRESS__BIND_ADDRESS=f"127.0.0.1:{ingress}",
                RESTATE_ADMIN__BIND_ADDRESS=f"127.0.0.1:{admin}",
                RESTATE_BIND_ADDRESS=f"127.0.0.1:{node}",
                RESTATE_ADVERTISED_ADDRESS=f"http://127.0.0.1:{node}",
                RESTATE_DISABLE_TELEMETRY="true", RESTATE_ADMIN__DISABLE_WEB_UI="true")
    restate = subprocess.Popen([a.restate_server, "--no-logo", "--listen-mode", "tcp",
                                "--default-num-partitions", "2", "--base-dir", os.path.join(tmp, "data")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=renv)
    mock_log = open(os.path.join(tmp, "mock.log"), "w")
    mock, mock_url = start([a.telaio, "mock", SEED, "--scenario", SCENARIO], env, mock_log)
    endpoints = []
    for _ in range(a.endpoints):
        p, url = start([a.telaio, "restate", "serve", SEED, "--listen", "127.0.0.1:0",
                        "--server", f"rekognitionApi={mock_url}", "--poll-interval", a.poll_interval],
                       env, subprocess.DEVNULL)
        endpoints.append((p, int(url.rsplit(":", 1)[1])))
    try:
        for _ in range(100):
            try:
                if request(admin, "GET", "/health")[0] == 200 and request(ingress, "GET", "/restate/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        if a.endpoints == 1:
            uri_port = endpoints[0][1]
        else:
            uri_port = free_port()
            threading.Thread(target=lambda: asyncio.run(proxy(uri_port, [p for _, p in endpoints])),
                             daemon=True).start()
            time.sleep(0.3)
        code, data = request(admin, "POST", "/deployments",
                             json.dumps({"uri": f"http://127.0.0.1:{uri_port}"}),
                             {"content-type": "application/json"})
        if code >= 300:
            sys.exit(f"registration failed {code}: {data[:300]}")
        cpu_before = [cpu(p.pid) for p, _ in endpoints], cpu(restate.pid)
        local = threading.local()

        def send(i):
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection("127.0.0.1", ingress, timeout=120)
            body = json.dumps({"workflowId": "face-liveness-session",
                               "inputs": {"clientRequestToken": f"bench-{i}"}})
            local.conn.request("POST", f"/telaio/bench-{i}/run/send", body,
                               {"content-type": "application/json"})
            r = local.conn.getresponse()
            r.read()
            if r.status != 202:
                sys.exit(f"send answered {r.status}")

        if a.hold:
            # Wave after wave, each waiting out its poll interval while the next comes:
            # with no state held per sleeping run, the endpoint's memory stays where the
            # first wave left it.
            for wave in range(a.waves):
                began = time.time()
                with ThreadPoolExecutor(16) as pool:
                    list(pool.map(send, range(wave * a.runs, (wave + 1) * a.runs)))
                submitted = time.time() - began
                want = (wave + 1) * a.runs
                while True:
                    mock_log.flush()
                    with open(os.path.join(tmp, "mock.log")) as f:
                        polls = sum(1 for line in f if "GetFaceLivenessSessionResults" in line)
                    if polls >= want:
                        break
                    time.sleep(0.5)
                # Waiting longer than --suspend-after, each run leaves its endpoint.
                deadline = time.time() + 60
                while time.time() < deadline:
                    rows = query(admin, "SELECT count(*) AS n FROM sys_invocation WHERE "
                                        "target_service_name = 'telaio' AND status = 'suspended'")
                    if rows and rows[0]["n"] >= want:
                        break
                    time.sleep(0.5)
                rows = query(admin, "SELECT status, count(*) AS n FROM sys_invocation "
                                    "WHERE target_service_name = 'telaio' GROUP BY status")
                for p, _ in endpoints:
                    hwm, rss, threads = status(p.pid)
                    print(f"{want} runs waiting out a {a.poll_interval} s poll interval "
                          f"(this wave submitted in {submitted:.2f} s): endpoint RSS "
                          f"{rss/1024:.1f} MiB (peak {hwm/1024:.1f} MiB), {threads} threads; "
                          f"invocations {dict((r['status'], r['n']) for r in rows)}", flush=True)
            return
        began = time.time()
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(send, range(a.runs)))
        while True:
            rows = query(admin, "SELECT count(*) AS n FROM sys_invocation "
                                "WHERE target_service_name = 'telaio' AND target_handler_name = 'run' "
                                "AND status = 'completed'")
            if rows and rows[0]["n"] >= a.runs:
                break
            time.sleep(0.2)
        rows = query(admin, "SELECT created_at, completed_at, completion_result FROM sys_invocation "
                            "WHERE target_service_name = 'telaio' AND target_handler_name = 'run'")
        ok = sum(1 for r in rows if r.get("completion_result") == "success")
        stamp = lambda v: v if isinstance(v, (int, float)) else time.mktime(time.strptime(v[:19], "%Y-%m-%dT%H:%M:%S")) * 1000 + float("0." + (v[20:23] or "0")) * 1000
        times = sorted(stamp(r["completed_at"]) - stamp(r["created_at"]) for r in rows)
        first = min(stamp(r["created_at"]) for r in rows)
        last = max(stamp(r["completed_at"]) for r in rows)
        wall = (last - first) / 1000
        ep_cpu = sum(cpu(p.pid) for p, _ in endpoints) - sum(cpu_before[0])
        rs_cpu = cpu(restate.pid) - cpu_before[1]
        exchanges = a.runs * 6
        peak = max(status(p.pid)[0] for p, _ in endpoints)
        print(f"{a.runs} seed runs through Restate, {a.endpoints} endpoint(s): {ok} succeeded in "
              f"{wall:.2f} s = {a.runs / wall:.0f} runs/s; per run p50 {times[len(times)//2]:.0f} ms, "
              f"p99 {times[int(len(times)*0.99) - 1]:.0f} ms; CPU per exchange: endpoints "
              f"{ep_cpu / exchanges * 1e6:.0f} us, Restate server {rs_cpu / exchanges * 1e6:.0f} us; "
              f"endpoint peak RSS {peak/1024:.1f} MiB")
    finally:
        for p, _ in endpoints:
            p.terminate()
        mock.terminate()
        restate.terminate()
        for p, _ in endpoints:
            p.wait()
        mock.wait()
        restate.wait()


main()
