#!/usr/bin/python3
"""Compares twopass-bench binaries (e.g. before and after a change) on a noisy machine.

Runs every binary with the same twopass-bench arguments, alternating binaries round after
round (A B A B ...), so that a host that speeds up or slows down during the comparison
affects all of them alike, and prints per shape and contender, for each binary, the
minimum over rounds of the per-run minima and the median of the per-run medians
(ns/element), and both as ratios to the first binary (> 1: faster than the first).

Usage:
  scripts/compare-builds.py [--rounds N] [--cpu C] [--args 'TWOPASS-BENCH ARGS'] BIN...

  --rounds N  rounds (default 5; each runs every binary once)
  --cpu C     pin each run to CPU C with taskset (default 1; -1: no pinning)
  --args A    twopass-bench arguments (default: '-a auto -d f32 --sizes 1000x128
              --repetitions 11 --no-floor'); -q is not allowed (the table is parsed)

Example (docs/benchmarks.md, 2026-12-06): copy bazel-bin/tools/twopass-bench of each build
aside, then
  scripts/compare-builds.py --args '-a auto --sizes 1000x257,1000x512 -r 11 --no-floor' \\
      /tmp/before /tmp/after
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys


def parse_table(text):
    """Yields (shape, contender, isa, dtype, min, median) from twopass-bench's table."""
    for line in text.splitlines():
        fields = line.split()
        # "<rows> x <n> <threads> <hot|cold> <contender> <isa> <dtype> <min> <median> ..."
        if len(fields) < 10 or fields[1] != "x" or fields[4] not in ("hot", "cold"):
            continue
        try:
            low, median = float(fields[8]), float(fields[9])
        except ValueError:
            continue
        shape = f"{fields[0]} x {fields[2]} ({fields[3]} thr, {fields[4]})"
        yield shape, fields[5], fields[6], fields[7], low, median


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cpu", type=int, default=1)
    parser.add_argument("--args", default="-a auto -d f32 --sizes 1000x128 --repetitions 11 --no-floor")
    parser.add_argument("binaries", nargs="+")
    options = parser.parse_args()
    arguments = options.args.split()
    if "-q" in arguments or "--quiet" in arguments:
        parser.error("-q hides the table this script reads")
    for binary in options.binaries:
        if not os.access(binary, os.X_OK):
            parser.error(f"{binary}: not an executable")
    prefix = []
    if options.cpu >= 0 and shutil.which("taskset"):
        prefix = ["taskset", "-c", str(options.cpu)]

    # results[(shape, contender, isa, dtype)][binary] = [(min, median) per run]
    results = {}
    order = []
    for round_index in range(options.rounds):
        for binary in options.binaries:
            run = subprocess.run(prefix + [binary] + arguments, capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"{binary} failed ({run.returncode}):\n{run.stderr}")
            rows = list(parse_table(run.stdout))
            if not rows:
                sys.exit(f"{binary}: no result rows in its output")
            for shape, contender, isa, dtype, low, median in rows:
                key = (shape, contender, isa, dtype)
                if key not in results:
                    results[key] = {}
                    order.append(key)
                results[key].setdefault(binary, []).append((low, median))
        print(f"round {round_index + 1} of {options.rounds} done", file=sys.stderr)

    names = [os.path.basename(b) for b in options.binaries]
    print(f"{options.rounds} rounds of: {' '.join(arguments)}")
    print("ns/element: min of the runs' minima / median of the runs' medians; "
          "ratio = first binary's time / this one's")
    for key in order:
        shape, contender, isa, dtype = key
        print(f"{shape} {contender} {isa} {dtype}")
        first = None
        for binary, name in zip(options.binaries, names):
            runs = results[key].get(binary)
            if not runs:
                print(f"  {name:20s} (no result)")
                continue
            low = min(r[0] for r in runs)
            median = statistics.median(r[1] for r in runs)
            if first is None:
                first = (low, median)
            print(f"  {name:20s} {low:8.3f} / {median:8.3f}   ratio {first[0] / low:5.2f} / "
                  f"{first[1] / median:5.2f}   runs {len(runs)}")


if __name__ == "__main__":
    main()
