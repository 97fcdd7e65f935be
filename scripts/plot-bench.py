#!/usr/bin/env python3
"""Plots twopass-bench CSV output: throughput against row size.

One PNG per (batch, threads) group of the CSV, one line per algorithm and ISA
(median; the shaded band reaches the best sample), the memory-traffic floor
kernels dashed, and the cache sizes marked where input + output of the row
fill them. Needs matplotlib (Debian: python3-matplotlib, installed by
scripts/setup.sh).

  scripts/bench.sh --sizes 2^10..2^26/2 --isa avx512f,avx2 --csv=bench.csv
  scripts/plot-bench.py bench.csv                 # writes docs/bench-b1-t1.png ...
  scripts/plot-bench.py bench.csv --metric gbps --out docs/bench-gbps
"""

import argparse
import csv
import math
import os
import sys
from collections import defaultdict

METRICS = {
    # column, axis label, transform of the median/min ns per element
    "gelts": ("Gelements/s (higher is better)", lambda ns, bytes_per_elt: 1.0 / ns),
    "gbps": ("GB/s of real traffic (higher is better)", lambda ns, bytes_per_elt: bytes_per_elt / ns),
    "ns": ("ns per element (lower is better)", lambda ns, bytes_per_elt: ns),
}

ALGORITHM_COLORS = {
    "two-pass": "tab:red",
    "auto": "tab:purple",
    "three-pass-reload": "tab:blue",
    "three-pass-recompute": "tab:green",
}
# Algorithms are solid (ISAs differ by marker; the older ISAs also by pattern),
# floors dashed.
ISA_STYLES = {"avx512f": "-", "avx2": "-", "sse2": "-.", "scalar": ":"}
ISA_MARKERS = {"avx512f": "o", "avx2": "s", "sse2": "^", "scalar": "v"}
FLOOR_COLORS = {
    "floor-2pass": "0.25",
    "floor-2pass-nt": "0.45",
    "floor-3pass": "0.6",
    "floor-3pass-nt": "0.75",
}


def human_bytes(n):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            value = n / size
            return ("%.0f %s" if value == int(value) else "%.1f %s") % (value, unit)
    return "%d B" % n


def size_label(n):
    if n >= 1024 and n & (n - 1) == 0:
        return "$2^{%d}$" % (n.bit_length() - 1)
    if n >= 1 << 20:
        return "%gM" % (n / (1 << 20))
    if n >= 1024:
        return "%gK" % (n / 1024)
    return str(n)


def load(paths):
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                rows.append(row)
    if not rows:
        sys.exit("plot-bench: no rows in %s" % ", ".join(paths))
    for column in ("batch", "channels", "threads", "contender", "isa",
                   "ns_per_element_median", "ns_per_element_min", "bytes_per_element"):
        if column not in rows[0]:
            sys.exit("plot-bench: the CSV lacks column %r (is it twopass-bench --csv output?)"
                     % column)
    return rows


def plot_group(plt, rows, batch, threads, metric, caches, title, path):
    label, transform = METRICS[metric]
    lines = defaultdict(list)
    for r in rows:
        # f16 rows (twopass-bench --dtype) are lines of their own: "avx2 f16".
        dtype = r.get("dtype", "f32")
        lines[(r["contender"], r["isa"] if dtype == "f32" else "%s %s" % (r["isa"], dtype))].append(r)
    fig, ax = plt.subplots(figsize=(10, 6.6), dpi=110)
    sizes = sorted({int(r["channels"]) for r in rows})

    def order(key):
        name, isa = key
        return (name.startswith("floor"), name, isa)

    for (name, isa) in sorted(lines, key=order):
        points = sorted(lines[(name, isa)], key=lambda r: int(r["channels"]))
        x = [int(r["channels"]) for r in points]
        bpe = [float(r["bytes_per_element"]) for r in points]
        median = [transform(float(r["ns_per_element_median"]), b) for r, b in zip(points, bpe)]
        best = [transform(float(r["ns_per_element_min"]), b) for r, b in zip(points, bpe)]
        if name.startswith("floor"):
            ax.plot(x, median, linestyle="--", linewidth=1.2, color=FLOOR_COLORS.get(name, "0.5"),
                    label="%s (%s, memory traffic only)" % (name, isa))
            continue
        color = ALGORITHM_COLORS.get(name, "black")
        ax.plot(x, median, linestyle=ISA_STYLES.get(isa, "-"), marker=ISA_MARKERS.get(isa, "o"),
                markersize=3.5, linewidth=1.6, color=color, label="%s, %s" % (name, isa))
        ax.fill_between(x, median, best, color=color, alpha=0.12, linewidth=0)

    ax.set_xscale("log", base=2)
    if metric == "ns":
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=0)
    ticks = sizes if len(sizes) <= 14 else [s for s in sizes if s & (s - 1) == 0]
    ax.set_xticks(ticks)
    ax.set_xticklabels([size_label(s) for s in ticks], fontsize=8)
    ax.minorticks_off()
    ax.set_xlim(min(sizes) / 1.15, max(sizes) * 1.15)
    # A cache level is "full" when the row's input and output (8 bytes per
    # element, all rows of the batch) no longer fit in it.
    for name, size in caches:
        if size <= 0:
            continue
        x = size / (8.0 * batch)
        if min(sizes) / 1.15 <= x <= max(sizes) * 1.15:
            ax.axvline(x, color="0.7", linewidth=0.8, linestyle=":")
            ax.text(x, 0.99, " %s %s" % (name, human_bytes(size)), rotation=90, va="top",
                    ha="right", fontsize=8, color="0.4", transform=ax.get_xaxis_transform())
    ax.set_xlabel("row size (elements per row; %d row%s, %d thread%s)"
                  % (batch, "" if batch == 1 else "s", threads, "" if threads == 1 else "s"))
    ax.set_ylabel(label)
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", axis="y", alpha=0.3)
    # Below the axes, so it never hides a curve or a cache marker.
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=3,
              frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", nargs="+", help="CSV file(s) written by twopass-bench --csv")
    parser.add_argument("--out", default="docs/bench",
                        help="output path prefix; -b<batch>-t<threads>.png is appended "
                             "(default: docs/bench)")
    parser.add_argument("--metric", choices=sorted(METRICS), default="gelts",
                        help="y axis: Gelements/s, GB/s of real traffic, or ns/element "
                             "(default: gelts)")
    parser.add_argument("--title", default="", help="title prefix (e.g. machine and date)")
    parser.add_argument("--l3", default="",
                        help="L3 size to mark instead of the CSV's (e.g. 32M: cpuid reports "
                             "the host's total L3 on VMs)")
    args = parser.parse_args()

    try:
        import matplotlib
    except ImportError:
        # Debian's python3-matplotlib belongs to /usr/bin/python3; another
        # python3 first on PATH (pyenv, a venv) does not see it.
        system_python = "/usr/bin/python3"
        if os.path.exists(system_python) and os.path.realpath(sys.executable) != \
                os.path.realpath(system_python):
            os.execv(system_python, [system_python] + sys.argv)
        sys.exit("plot-bench: needs matplotlib (Debian: apt-get install python3-matplotlib)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = load(args.csv)
    caches = []
    for name, column in (("L1d", "l1d_bytes"), ("L2", "l2_bytes"), ("L3", "l3_bytes")):
        value = int(rows[0].get(column) or 0)
        if name == "L3" and args.l3:
            text = args.l3.upper()
            scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
            value = int(float(text.rstrip("KMG")) * scale)
        caches.append((name, value))

    groups = defaultdict(list)
    for r in rows:
        groups[(int(r["batch"]), int(r["threads"]))].append(r)
    out_dir = os.path.dirname(args.out)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    written = []
    for (batch, threads), group in sorted(groups.items()):
        if len({r["channels"] for r in group}) < 2:
            continue  # a single size is a table, not a curve
        title = "%sTwoPass softmax: throughput vs row size (median; band: best sample)" % (
            args.title + " - " if args.title else "")
        path = "%s-b%d-t%d.png" % (args.out, batch, threads)
        plot_group(plt, group, batch, threads, args.metric, caches, title, path)
        written.append(path)
    if not written:
        sys.exit("plot-bench: no (batch, threads) group has two or more sizes to plot")
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
