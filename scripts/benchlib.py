"""What the benchmark scripts share: starting Telaio's processes and reading what a process
uses (memory, threads, CPU) from /proc."""
import os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(ROOT, "examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml")
SCENARIO = os.path.join(ROOT, "examples/rekognition/scenarios/succeeded.yaml")


def start(cmd, env, stderr):
    """Starts `cmd` (a server that prints `listening on http://...` first): it, and its URL."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, env=env, text=True)
    line = p.stdout.readline()
    m = re.search(r"http://\S+", line)
    if not m:
        sys.exit(f"no address from {cmd[1]}: {line!r}")
    return p, m.group(0)


def status(pid):
    """The process's peak and current resident memory (KiB), and its threads."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.strip()
    return int(fields["VmHWM"].split()[0]), int(fields["VmRSS"].split()[0]), int(fields["Threads"])


def cpu(pid):
    """CPU seconds (user + system) the process has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
