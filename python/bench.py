#!/usr/bin/python3
"""twopass.softmax vs torch.softmax (if installed) on f32 rows of uniform [-10, 10], one
thread: prints ns/element (median of repeated timed calls) for each shape.
Usage: PYTHONPATH=python /usr/bin/python3 python/bench.py [--threads N]"""
import argparse
import time

import numpy as np

import twopass

SHAPES = [(1, 32000), (1, 256000), (1000, 128), (8, 32000), (1, 1 << 24)]


def median_seconds(fn, elements):
    fn()
    repeats = max(3, min(200, int(2e7 // elements)))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    try:
        import torch
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    print(f"twopass {twopass.library_version()} ({twopass.isa()}), threads={args.threads}"
          + (f", torch {torch.__version__}" if torch else ", torch not installed"))
    print(f"{'shape':>14} {'twopass ns/elt':>15} {'torch ns/elt':>13} {'ratio':>6}")
    rng = np.random.default_rng(0)
    for shape in SHAPES:
        n = shape[0] * shape[1]
        x = rng.uniform(-10, 10, size=shape).astype(np.float32)
        out = np.empty_like(x)
        ours = median_seconds(lambda: twopass.softmax(x, out=out, threads=args.threads), n)
        line = f"{shape[0]:>6} x {shape[1]:<7} {ours / n * 1e9:>15.3f}"
        if torch is not None:
            t = torch.from_numpy(x)
            theirs = median_seconds(lambda: torch.softmax(t, -1), n)
            line += f" {theirs / n * 1e9:>13.3f} {theirs / ours:>6.2f}"
        print(line)


if __name__ == "__main__":
    main()
