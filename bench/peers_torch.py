#!/usr/bin/python3
"""peers_torch: TwoPass through C and through Python beside PyTorch's torch.softmax.

The Python half of scripts/bench-peers.sh (bench/peers.cc is the C++ half, with XNNPACK
and oneDNN). Softmax along the last axis of [batch x channels] f32 arrays of uniform
[-10, 10], in one process, for each thread count:

  twopass-c       the library call of the binding (twopass_run_softmax_nc_f32, automatic
                  algorithm) made from a C++ loop with the GIL released
                  (twopass._twopass.time_rows): TwoPass through C.
  twopass-python  twopass.softmax(x, out=y, threads=N): TwoPass through Python.
  torch           torch.softmax(t, -1, out=u) after torch.set_num_threads(N).
  twopass-python-alloc, torch-alloc
                  the same without an output given: twopass.softmax(x, threads=N),
                  torch.softmax(t, -1), as they are usually called; each call allocates
                  its output, and out of cache that costs the page faults of fresh memory.

Measured as peers_bench measures (see bench/peers.cc): contenders interleaved sample by
sample with the order rotating; shapes whose input + output exceed --cold-above are
measured out of cache, one call per sample on the next of several buffer sets (adding up
to --total-memory); other shapes repeat calls for >= --min-time per sample. Each output
is checked once per shape against a float64 softmax of the same input: the largest
|sum of a row - 1| and the largest relative error of an element.

A second table gives the binding's overhead per call: the shapes of --overhead-shapes
through Python (out given) and through C, same library and thread count, in
microseconds per call (median over the samples; each sample >= --min-time of calls).

Runs without PyTorch (the torch rows are left out, with a message saying why).
Usage: PYTHONPATH=python /usr/bin/python3 bench/peers_torch.py [options] (--help)
"""
import argparse
import math
import os
import resource
import statistics
import sys
import time

import numpy as np

try:
    import twopass
    from twopass import _twopass
except ImportError as error:
    sys.exit(f"peers_torch: cannot import twopass ({error}); build it first: cmake -S python "
             "-B python/build/cmake-tests -DPYTHON_EXECUTABLE=/usr/bin/python3 && cmake "
             "--build python/build/cmake-tests --target _twopass; PYTHONPATH=python")

DEFAULT_SHAPES = "1x32000,1x256000,1x2^24,1x2^26,1000x128,8x32000"
DEFAULT_OVERHEAD_SHAPES = "1x1000,1000x128"
CONTENDERS = ("twopass-c", "twopass-python", "torch", "twopass-python-alloc", "torch-alloc")
SUM_TOLERANCE = 1e-4
KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30


def parse_size(text):
    """N, NK, NM, NG (binary) or 2^N, as peers_bench takes them."""
    text = text.strip()
    if text.startswith("2^"):
        return 1 << int(text[2:])
    scale = {"K": KIB, "M": MIB, "G": GIB}.get(text[-1:].upper(), 1)
    return int(text[:-1] if scale > 1 else text) * scale


def parse_shape(text):
    batch, _, channels = text.rpartition("x")
    shape = (parse_size(batch) if batch else 1, parse_size(channels))
    if shape[0] < 1 or shape[1] < 1 or shape[0] * shape[1] > 1 << 30:
        raise ValueError(text)
    return shape, text if batch else "1x" + text


def parse_threads(text):
    counts = []
    for item in text.split(","):
        counts.append(os.cpu_count() or 1 if item.strip() == "all" else int(item))
        if counts[-1] < 1:
            raise ValueError(item)
    return counts


def options():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-s", "--shapes", default=DEFAULT_SHAPES,
                        help="comma-separated BxN or N (default %(default)s)")
    parser.add_argument("-c", "--contenders", default=",".join(CONTENDERS),
                        help="any of " + ", ".join(CONTENDERS) + " (default: all); names of "
                        "peers_bench's contenders are ignored")
    parser.add_argument("-t", "--threads", default="1,all",
                        help="comma-separated thread counts, 'all' = every core "
                        "(default %(default)s)")
    parser.add_argument("-r", "--repetitions", type=int, default=15)
    parser.add_argument("--min-time", type=float, default=2.0, metavar="MS")
    parser.add_argument("--gap", type=float, default=None, metavar="MS",
                        help="idle time after every sample (default: 0 with 1 thread, 10 "
                        "with more: OpenMP's and pthreadpool's spinning workers)")
    parser.add_argument("--total-memory", default="1G", metavar="SIZE")
    parser.add_argument("--cold-above", default="32M", metavar="SIZE")
    parser.add_argument("--seed", type=int, default=20260124)
    parser.add_argument("--csv", action="store_true",
                        help="CSV on stdout (peers_bench's columns); the overhead table then "
                        "goes to stderr")
    parser.add_argument("--overhead-shapes", default=DEFAULT_OVERHEAD_SHAPES,
                        help="shapes of the overhead table, '' for none (default %(default)s)")
    args = parser.parse_args()
    try:
        args.shape_list = [parse_shape(s) for s in args.shapes.split(",") if s.strip()]
        args.overhead_list = [parse_shape(s) for s in args.overhead_shapes.split(",")
                              if s.strip()]
        args.thread_list = parse_threads(args.threads)
        args.total_bytes = parse_size(args.total_memory)
        args.cold_bytes = parse_size(args.cold_above)
    except ValueError as error:
        parser.error(f"bad value: {error}")
    if args.repetitions < 1:
        parser.error("--repetitions must be >= 1")
    names = [n.strip() for n in args.contenders.split(",") if n.strip()]
    args.contender_list = [n for n in CONTENDERS if n in names]
    return args


def import_torch():
    """torch, or None after saying why on stderr."""
    try:
        import torch
    except ImportError as error:
        print(f"peers_torch: PyTorch is not importable from {sys.executable} ({error}): the "
              "torch rows are left out. Debian's python3-torch provides it (scripts/setup.sh "
              "installs it; use /usr/bin/python3, not a pyenv python3).", file=sys.stderr)
        return None
    return torch


# ----------------------------------------------------------------------------------------
# Contenders: prepare(sets) once per shape and thread count, bind(k) (not timed), then
# run(calls) -> seconds for `calls` calls on the bound set.

class TwoPassC:
    name = "twopass-c"

    def __init__(self, threads):
        self.threads = threads
        self.detail = "auto/" + twopass.isa()

    def prepare(self, sets):
        self.sets = sets

    def bind(self, k):
        self.x, self.y = self.sets[k]

    def run(self, calls):
        return _twopass.time_rows(self.x, self.y, 0, self.threads, False, calls)


class TwoPassPython(TwoPassC):
    name = "twopass-python"

    def run(self, calls):
        softmax, x, y, threads = twopass.softmax, self.x, self.y, self.threads
        start = time.perf_counter()
        for _ in range(calls):
            softmax(x, out=y, threads=threads)
        return time.perf_counter() - start


class TwoPassPythonAlloc(TwoPassC):
    name = "twopass-python-alloc"

    def run(self, calls):
        softmax, x, threads = twopass.softmax, self.x, self.threads
        start = time.perf_counter()
        for _ in range(calls):
            softmax(x, threads=threads)
        elapsed = time.perf_counter() - start
        if self.keep_output:  # the check's call only
            self.last = softmax(x, threads=threads)
        return elapsed


class Torch:
    name = "torch"

    def __init__(self, torch, threads):
        self.torch = torch
        self.threads = threads
        self.detail = torch.__version__.split("+")[0] + "/" + (
            "OpenMP" if "OpenMP" in torch.__config__.parallel_info() else "native")

    def prepare(self, sets):
        self.sets = [(self.torch.from_numpy(x), self.torch.from_numpy(y)) for x, y in sets]

    def bind(self, k):
        self.x, self.y = self.sets[k]
        # Per sample, as the contenders alternate: TwoPass uses its own pool.
        self.torch.set_num_threads(self.threads)

    def run(self, calls):
        softmax, x, y = self.torch.softmax, self.x, self.y
        start = time.perf_counter()
        for _ in range(calls):
            softmax(x, -1, out=y)
        return time.perf_counter() - start


class TorchAlloc(Torch):
    name = "torch-alloc"

    def run(self, calls):
        softmax, x = self.torch.softmax, self.x
        start = time.perf_counter()
        for _ in range(calls):
            softmax(x, -1)
        elapsed = time.perf_counter() - start
        if self.keep_output:  # the check's call only
            self.last = softmax(x, -1).numpy()
        return elapsed


# ----------------------------------------------------------------------------------------
# Measurement.

def busy_seconds():
    """CPU seconds every process has used (/proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:8]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def accuracy(x, y):
    """(max |sum of a row - 1|, max relative error) of y against float64 softmax(x)."""
    worst_sum = worst_rel = 0.0
    for b in range(x.shape[0]):
        row = x[b].astype(np.float64)
        e = np.exp(row - row.max())
        r = e / e.sum()
        got = y[b].astype(np.float64)
        s = abs(got.sum() - 1.0)
        rel = float(np.max(np.abs(got - r) / r))
        worst_sum = max(worst_sum, s if s == s else math.inf)
        worst_rel = max(worst_rel, rel if rel == rel else math.inf)
    return worst_sum, worst_rel


def make_sets(args, shape):
    elements = shape[0] * shape[1]
    set_bytes = 2 * elements * 4
    cold = set_bytes > args.cold_bytes
    count = max(2, args.total_bytes // set_bytes) if cold else 1
    rng = np.random.default_rng(args.seed)
    sets = []
    for _ in range(count):
        x = rng.uniform(-10, 10, size=shape).astype(np.float32)
        sets.append((x, np.zeros_like(x)))
    return sets, cold


def calls_for(contender, min_time):
    calls = 1
    while True:
        elapsed = contender.run(calls)
        if elapsed >= min_time:
            return calls
        scale = 1.2 * min_time / elapsed if elapsed > 0 else 2.0
        calls = max(calls + 1, int(calls * min(scale, 100.0)))


def measure(args, contenders, sets, cold, per_call_unit):
    """Samples (seconds per call / per_call_unit) of each contender, interleaved; and the
    CPUs other processes used meanwhile."""
    min_time = args.min_time * 1e-3
    calls = []
    for c in contenders:
        c.prepare(sets)
        c.bind(0)
        calls.append(1 if cold else calls_for(c, min_time))
    samples = [[] for _ in contenders]
    busy0, own0, wall0 = busy_seconds(), own_seconds(), time.perf_counter()
    next_set = 1
    for sample in range(args.repetitions):
        for j in range(len(contenders)):
            i = (sample + j) % len(contenders)
            if cold:
                contenders[i].bind(next_set % len(sets))
                next_set += 1
            else:
                contenders[i].bind(0)
            samples[i].append(contenders[i].run(calls[i]) / calls[i] / per_call_unit)
            if args.gap_s > 0:
                time.sleep(args.gap_s)
    foreign = None
    busy1 = busy_seconds()
    if busy0 is not None and busy1 is not None:
        foreign = max(0.0, ((busy1 - busy0) - (own_seconds() - own0)) /
                      (time.perf_counter() - wall0))
    return samples, foreign


def load_average():
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def main():
    args = options()
    torch = import_torch() if any(n.startswith("torch") for n in args.contender_list) else None
    if not args.contender_list:
        return  # only peers_bench's contenders were asked for
    info = sys.stderr if args.csv else sys.stdout
    print(f"peers_torch {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {cpu_name()}, "
          f"{os.cpu_count()} CPUs online, load average {load_average()}\n"
          f"TwoPass {twopass.library_version()} ({twopass.isa()} kernels) through C and "
          f"through Python {sys.version.split()[0]} (numpy {np.__version__}), "
          + (f"PyTorch {torch.__version__}" if torch else "no PyTorch")
          + f"; threads {','.join(map(str, args.thread_list))}, {args.repetitions} samples, "
          f"in-cache samples >= {args.min_time:.1f} ms, cold above {args.cold_bytes // MIB} MiB",
          file=info)
    if args.csv:
        print("shape,batch,channels,threads,cache,contender,implementation,samples,"
              "ns_per_elt_min,ns_per_elt_median,gelt_per_s_median,median_vs_twopass_auto,"
              "max_abs_sum_error,max_relative_error,foreign_cpus")
    else:
        print("\n%-12s %3s %-4s %-21s %-10s %9s %9s %7s %7s %11s %11s" % (
            "shape", "thr", "mem", "contender", "runs", "min", "median", "Gelt/s", "x-c",
            "max|sum-1|", "max-rel-err"))
        print("%-12s %3s %-4s %-21s %-10s %9s %9s %7s %7s %11s %11s" % (
            "", "", "", "", "", "ns/elt", "ns/elt", "", "", "", ""))
    sys.stdout.flush()

    overhead_rows = []
    for threads in args.thread_list:
        args.gap_s = (args.gap if args.gap is not None else (10.0 if threads > 1 else 0.0)) * 1e-3
        contenders = []
        for name in args.contender_list:
            if name == "twopass-c":
                contenders.append(TwoPassC(threads))
            elif name == "twopass-python":
                contenders.append(TwoPassPython(threads))
            elif name == "twopass-python-alloc":
                contenders.append(TwoPassPythonAlloc(threads))
            elif torch is not None:
                contenders.append((Torch if name == "torch" else TorchAlloc)(torch, threads))
        for shape, label in args.shape_list:
            print(f"peers_torch: {label}, {threads} thread(s)...", file=sys.stderr)
            sets, cold = make_sets(args, shape)
            elements = shape[0] * shape[1]
            checks = []
            for c in contenders:
                c.prepare(sets)
                c.bind(0)
                sets[0][1].fill(0)
                c.last, c.keep_output = None, True
                c.run(1)
                checks.append(accuracy(sets[0][0], sets[0][1] if c.last is None else c.last))
                c.last, c.keep_output = None, False
            samples, foreign = measure(args, contenders, sets, cold, elements * 1e-9)
            if foreign is not None and foreign > 0.1:
                print(f"peers_torch: warning: {label}: other processes used {foreign:.2f} "
                      "CPUs while it was measured; its numbers are disturbed", file=sys.stderr)
            medians = [statistics.median(s) for s in samples]
            base = medians[0] if contenders[0].name == "twopass-c" else 0.0
            for c, s, median, (sum_err, rel_err) in zip(contenders, samples, medians, checks):
                ratio = median / base if base > 0 else 0.0
                if sum_err > SUM_TOLERANCE:
                    print(f"peers_torch: {label}: {c.name}: a row sums to 1 +- {sum_err:.2e} "
                          f"(more than {SUM_TOLERANCE:.0e} off)", file=sys.stderr)
                if args.csv:
                    print(f"{label},{shape[0]},{shape[1]},{threads},{'cold' if cold else 'hot'},"
                          f"{c.name},{c.detail},{len(s)},{min(s):.4f},{median:.4f},"
                          f"{1 / median:.4f},{ratio:.4f},{sum_err:.3e},{rel_err:.3e},"
                          f"{-1.0 if foreign is None else foreign:.2f}")
                else:
                    star = "*" if sum_err > SUM_TOLERANCE else ""
                    print("%-12s %3d %-4s %-21s %-10s %9.3f %9.3f %7.2f %7s %11s %11.2e" % (
                        label, threads, "cold" if cold else "hot", c.name, c.detail, min(s),
                        median, 1 / median, f"{ratio:.2f}" if ratio else "-",
                        f"{sum_err:.2e}{star}", rel_err))
            if not args.csv:
                print()
            sys.stdout.flush()
            del sets

        # The binding's overhead: Python vs C on small shapes, microseconds per call.
        pair = [TwoPassC(threads), TwoPassPython(threads)]
        for shape, label in args.overhead_list:
            sets, cold = make_sets(args, shape)
            samples, foreign = measure(args, pair, sets[:1], False, 1e-6)
            c_us, py_us = (statistics.median(s) for s in samples)
            overhead_rows.append((label, threads, c_us, min(samples[0]), py_us,
                                  min(samples[1]), foreign))

    if overhead_rows:
        out = sys.stderr if args.csv else sys.stdout
        print("Binding overhead: twopass.softmax(x, out=y, threads=N) against the same library "
              "call from C (us per call, median / min of the samples)", file=out)
        print("%-12s %3s %17s %17s %13s %7s" % ("shape", "thr", "C us/call", "Python us/call",
                                               "overhead us", "py/C"), file=out)
        for label, threads, c_us, c_min, py_us, py_min, foreign in overhead_rows:
            print("%-12s %3d %8.3f/%8.3f %8.3f/%8.3f %13.3f %7.3f%s" % (
                label, threads, c_us, c_min, py_us, py_min, py_us - c_us, py_us / c_us,
                "" if foreign is None or foreign <= 0.1 else f"  (disturbed: {foreign:.2f} "
                "CPUs used by others)"), file=out)
        print(file=out)
    if not args.csv:
        print(f"Load average at the end: {load_average()}")
        print(f"x-c = median / twopass-c median; * = a row of that output sums to 1 +- more "
              f"than {SUM_TOLERANCE:.0e}")


if __name__ == "__main__":
    main()
