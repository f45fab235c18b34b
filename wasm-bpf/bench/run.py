#!/usr/bin/env python3
"""run.py: the Wasm-bpf benchmark (docs/wasm-bpf.md). Runs the same eBPF tool
(evbench: one ring-buffer record per getppid() call of a generator process)
with a native libbpf consumer and with a Wasm consumer under wasm-bpf, and
prints wasm/native ratios of event throughput (records per second, first to
last record; "live": the consumer polls while the generator runs, "drain":
it starts once every record is queued, which measures the consumer alone), CPU time per event (the consumer's user+sys time from
getrusage), start-up time (exec to READY: decoding the module, loading and
attaching the object) and artefact size.

usage: run.py WASM_BPF EVBENCH.wasm EVBENCH_NATIVE EVGEN [EVENTS] [RUNS]
Needs root; prints SKIPPED and exits 77 otherwise.
"""
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def one(cmd, evgen, events, drain):
    tmp = tempfile.mkdtemp(prefix="wbpf-bench.")
    go = os.path.join(tmp, "go")
    gen = subprocess.Popen([evgen, go, str(events)])
    t0 = time.monotonic()
    extra = ["drain"] if drain else []
    cons = subprocess.Popen(cmd + [str(gen.pid), str(events)] + extra, stdout=subprocess.PIPE,
                            stdin=subprocess.PIPE, text=True)
    line = cons.stdout.readline()
    if line.strip() != "READY":
        raise SystemExit(f"consumer {cmd} did not start: {line!r}")
    startup = time.monotonic() - t0
    open(go, "w").close()
    gen.wait()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cons.stdin.write("go\n")
    cons.stdin.close()
    out = cons.stdout.read()
    cons.wait()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(go)
    os.rmdir(tmp)
    done = [l for l in out.splitlines() if l.startswith("DONE")]
    if cons.returncode != 0 or not done:
        raise SystemExit(f"consumer {cmd} failed: {out!r}")
    _, count, elapsed_ns, _ = done[0].split()
    count, elapsed_ns = int(count), max(int(elapsed_ns), 1)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return {"throughput": count / (elapsed_ns / 1e9), "cpu_per_event": cpu / count,
            "startup": startup}


def main():
    if os.geteuid() != 0:
        print("SKIPPED: the benchmark loads eBPF programs and needs root")
        return 77
    wasm_bpf, module, native, evgen = sys.argv[1:5]
    events = int(sys.argv[5]) if len(sys.argv) > 5 else 200000
    runs = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    sides = {"native": [native], "wasm": [wasm_bpf, module]}
    print(f"wasm-bpf bench: {events} events, median of {runs} runs")
    print(f"{'metric':<36}{'native':>12}{'wasm':>12}{'wasm/native':>13}")
    for drain in (False, True):
        res = {k: [] for k in sides}
        for i in range(runs):
            # Alternate the order: a run pays for freeing the last one's ring buffer.
            order = list(sides.items()) if i % 2 == 0 else list(reversed(sides.items()))
            for k, cmd in order:
                res[k].append(one(cmd, evgen, events, drain))
        med = {k: {m: statistics.median(r[m] for r in v) for m in v[0]} for k, v in res.items()}
        n, w = med["native"], med["wasm"]
        mode = "drain" if drain else "live"
        rows = [(f"{mode}: throughput (events/s)", n["throughput"], w["throughput"], "{:12.0f}"),
                (f"{mode}: CPU per event (us)", n["cpu_per_event"] * 1e6,
                 w["cpu_per_event"] * 1e6, "{:12.3f}")]
        if not drain:
            rows.append(("start-up (ms)", n["startup"] * 1e3, w["startup"] * 1e3, "{:12.1f}"))
        for name, a, b, f in rows:
            print(f"{name:<36}{f.format(a)}{f.format(b)}{b / a:13.3f}")
    sn, sw, sr = os.path.getsize(native), os.path.getsize(module), os.path.getsize(wasm_bpf)
    print(f"{'artefact size (bytes)':<36}{sn:12d}{sw:12d}{sw / sn:13.3f}")
    print(f"(the wasm-bpf runtime itself: {sr} bytes; both link libbpf dynamically)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
