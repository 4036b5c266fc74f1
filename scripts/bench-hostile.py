#!/usr/bin/env python3
"""Times `telaio validate` on large and hostile documents, in every output format, A/B.

Usage: scripts/bench-hostile.py [--runs N] TELAIO [TELAIO_B]
Writes the documents to a temporary folder: 40,000 duplicate keys, a 5 MB document (many
workflows, each with an error), a 20,000-step workflow; then times each binary on each
document and format, interleaved (A, B, A, B...), and prints the median wall time.
"""
import os, statistics, subprocess, sys, tempfile, time

API = ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n"
       "      operationId: listPets\n      responses: {'200': {description: ok}}\n")
HEAD = ("arazzo: 1.0.1\ninfo: {title: t, version: '1'}\n"
        "sourceDescriptions:\n  - {name: pets, url: ./pets.yaml, type: openapi}\n")

def duplicate_keys(n):
    lines = [HEAD, "workflows:\n  - workflowId: w\n    steps:\n      - stepId: s\n"
             "        operationId: listPets\n        outputs:\n"]
    lines += [f"          x: $statusCode\n" for _ in range(n)]
    return "".join(lines)

def five_megabytes():
    parts = [HEAD, "workflows:\n"]
    i, size = 0, 0
    while size < 5 * 1024 * 1024:
        # Each workflow names an operation that does not exist: one finding per workflow.
        w = (f"  - workflowId: w{i}\n    summary: {'lorem ipsum ' * 20}\n    steps:\n"
             f"      - stepId: s\n        operationId: listPet{i}\n")
        parts.append(w)
        size += len(w)
        i += 1
    return "".join(parts)

def minified_json(text):
    """The 5 MB document as one line of JSON, as tools write it."""
    import json, yaml
    return json.dumps(yaml.safe_load(text), separators=(",", ":"))

def many_steps(n):
    parts = [HEAD, "workflows:\n  - workflowId: w\n    steps:\n"]
    for i in range(n):
        parts.append(f"      - stepId: s{i}\n        operationId: listPets\n"
                     f"        successCriteria: [{{condition: $statusCode == 200}}]\n"
                     f"        outputs: {{id: $response.body#/id}}\n")
        if i:
            parts.append(f"        parameters: [{{name: p, in: query, value: $steps.s{i-1}.outputs.id}}]\n")
    return "".join(parts)

def main():
    args = sys.argv[1:]
    runs = 3
    if args[:1] == ["--runs"]:
        runs, args = int(args[1]), args[2:]
    binaries = args
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "pets.yaml"), "w").write(API)
        five = five_megabytes()
        docs = {"40k-duplicate-keys.arazzo.yaml": duplicate_keys(40_000),
                "5MB.arazzo.yaml": five, "5MB-one-line.arazzo.json": minified_json(five),
                "20k-steps.arazzo.yaml": many_steps(20_000)}
        for name, text in docs.items():
            open(os.path.join(d, name), "w").write(text)
        for name in docs:
            for fmt in ("human", "json"):
                times = {b: [] for b in binaries}
                for _ in range(runs):
                    for b in binaries:
                        start = time.perf_counter()
                        subprocess.run([b, "validate", "--format", fmt, name],
                                       cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                        times[b].append(time.perf_counter() - start)
                cells = ", ".join(f"{b}: "
                                  f"{statistics.median(t):.2f} s" for b, t in times.items())
                print(f"{name:32} {fmt:6} {cells}", flush=True)

main()
