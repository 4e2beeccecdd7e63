"""bench/cold_start.py's cold starts, with the CPU time each JVM used beside its wall time.

Usage: python3 bench/cold_start_cpu.py [RUNS] [FUNCTION ...]      (arguments and build as bench/cold_start.py)

On a loaded machine the wall times of cold_start.py mostly measure waiting for a core, and change with the load from
one run to the next. The CPU time a JVM used (user + system, all its threads, read from /proc/<pid>/stat just before
the script stops it, right after its answer) depends far less on the load, so it compares builds measured at
different times. Prints cold_start.py's table, then the CPU medians and their ratios to the floor's; writes
bench/target/cold-start-cpu.json.
"""
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cold_start  # noqa: E402

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
last_cpu_ms = {}


class MeteredPopen(subprocess.Popen):
    """A process whose CPU time is read just before it is asked to stop."""

    def terminate(self):
        try:
            with open("/proc/%d/stat" % self.pid) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()   # after the command name: field 3 (state) onwards
            last_cpu_ms["value"] = (int(fields[11]) + int(fields[12])) * 1000 / TICKS_PER_SECOND   # utime, stime
        except (OSError, IndexError, ValueError):
            last_cpu_ms["value"] = None
        super().terminate()


def invoke(self, *args, **kwargs):
    result = measured_invoke(self, *args, **kwargs)
    result["cpu_ms"] = last_cpu_ms.pop("value", None)
    return result


def report(results, runs, java_tool_options):
    wall_report(results, runs, java_tool_options)
    print("\nCPU time (user + system) of each JVM until its answer, %d runs each\n" % runs)
    print("| function | CPU median (min–max) | floor CPU median (min–max) | ratio |")
    print("|---|---|---|---|")
    out = {}
    for name, r in results.items():
        f = [x["cpu_ms"] for x in r["function"] if x["cpu_ms"] is not None]
        g = [x["cpu_ms"] for x in r["floor"] if x["cpu_ms"] is not None]
        ratio = statistics.median(f) / statistics.median(g)
        out[name] = {"function_cpu_ms": f, "floor_cpu_ms": g, "ratio": ratio}
        print("| %s | %d ms (%d–%d) | %d ms (%d–%d) | **%.2f×** |" % (
            name, statistics.median(f), min(f), max(f), statistics.median(g), min(g), max(g), ratio))
    path = os.path.join(cold_start.ROOT, "bench/target/cold-start-cpu.json")
    with open(path, "w") as fh:
        json.dump({"runs": runs, "loadavg": os.getloadavg(), "functions": out}, fh, indent=1)
    print("\nwritten to bench/target/cold-start-cpu.json")


measured_invoke = cold_start.RuntimeApi.invoke
wall_report = cold_start.report
cold_start.subprocess.Popen = MeteredPopen
cold_start.RuntimeApi.invoke = invoke
cold_start.report = report

if __name__ == "__main__":
    cold_start.main()
