#!/usr/bin/env bash
# Smoke test of twopass-bench (no timing assertions): runs tiny cases through
# every path and checks that the CSV and JSON outputs are complete and sane.
# Usage: twopass-bench-test.sh PATH_TO_TWOPASS_BENCH
set -euo pipefail

bench="$1"
work="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

# --help documents every option the parser accepts.
"$bench" --help > "$work/help.txt"
for option in --algorithms --isa --dtype --sizes --batch --threads --repetitions --min-time \
              --total-memory --cold-above --nt-above --no-floor --floor-isa --seed \
              --csv --json --progress --quiet --help --tune --quick --kernel-sizes --families \
              --ghz; do
  grep -q -- "$option" "$work/help.txt" || fail "--help does not document $option"
done

# Bad arguments are rejected with exit status 2.
for bad in "--sizes 0" "--sizes 12Q" "--algorithms bogus" "--isa bogus" "--threads 0" \
           "--dtype f64" "--frobnicate" "--quick" "--families f32-rmax" "--tune=bogus" \
           "--tune --csv" "--tune --families bogus" "--tune --kernel-sizes 2x64" \
           "--tune --kernel-sizes 0" "--tune --ghz 0" "--tune --ghz fast"; do
  # shellcheck disable=SC2086
  set +e; "$bench" $bad > /dev/null 2>&1; status=$?; set -e
  [ "$status" -eq 2 ] || fail "'$bad' exited with $status, expected 2"
done

# 1000 floats (8 KiB with output) stay in cache; 3 x 515 is an odd shape in
# cache; 2^12 (32 KiB) is above --cold-above and rotates over 16 MiB; two
# threads exercise the pool (rows over threads and the split row); the output
# of 16 KiB turns on the non-temporal floor kernels.
"$bench" --isa all --algorithms all,log --sizes 1000,3x515,2^12 --threads 1,2 \
  --repetitions 3 --min-time 0.2 --total-memory 16M --cold-above 16K --nt-above 16K \
  --csv --json="$work/out.json" --quiet > "$work/out.csv"

python3 - "$work/out.csv" "$work/out.json" <<'PY'
import csv, json, sys

def fail(message):
    sys.exit("FAIL: " + message)

rows = list(csv.DictReader(open(sys.argv[1])))
required = ["batch", "channels", "elements", "threads", "mode", "contender", "isa", "samples",
            "ns_per_element_min", "ns_per_element_median", "elements_per_second",
            "bytes_per_element", "gb_per_second_median", "fraction_of_floor",
            "speedup_vs_reload"]
if not rows:
    fail("no CSV rows")
missing = [c for c in required if c not in rows[0]]
if missing:
    fail("CSV lacks columns %s" % missing)

contenders = {r["contender"] for r in rows}
for name in ["two-pass", "three-pass-reload", "three-pass-recompute", "sampled-max-reload",
             "auto", "log-softmax",
             "floor-2pass", "floor-3pass", "floor-2pass-nt", "floor-3pass-nt"]:
    if name not in contenders:
        fail("no row for %s" % name)
if {r["mode"] for r in rows} != {"hot", "cold"}:
    fail("expected both hot and cold cases")
shapes = {(r["batch"], r["channels"], r["threads"]) for r in rows}
expected = {(b, c, t) for b, c in [("1", "1000"), ("3", "515"), ("1", "4096")] for t in "12"}
if shapes != expected:
    fail("cases %s, expected %s" % (sorted(shapes), sorted(expected)))

for r in rows:
    where = "%s/%s %sx%s t%s" % (r["contender"], r["isa"], r["batch"], r["channels"], r["threads"])
    for column in ["ns_per_element_min", "ns_per_element_median", "elements_per_second",
                   "bytes_per_element", "gb_per_second_median", "fraction_of_floor"]:
        value = float(r[column])
        if not value > 0:
            fail("%s: %s = %s is not positive" % (where, column, r[column]))
    if int(r["samples"]) != 3:
        fail("%s: %s samples, expected 3" % (where, r["samples"]))
    if float(r["ns_per_element_min"]) > float(r["ns_per_element_median"]):
        fail("%s: min above median" % where)
    if r["speedup_vs_reload"] and not float(r["speedup_vs_reload"]) > 0:
        fail("%s: speedup_vs_reload not positive" % where)
    if int(r["elements"]) != int(r["batch"]) * int(r["channels"]):
        fail("%s: elements != batch * channels" % where)
    if r["dtype"] != "f32":
        fail("%s: dtype %r, expected f32 (the default)" % (where, r["dtype"]))

data = json.load(open(sys.argv[2]))
if len(data["results"]) != len(rows):
    fail("JSON has %d results, CSV %d rows" % (len(data["results"]), len(rows)))
for key in ["cpu", "l1d_bytes", "isas"]:
    if key not in data["machine"]:
        fail("JSON machine lacks %s" % key)
print("twopass-bench smoke test: %d rows OK" % len(rows))
PY

# f16 beside f32 in one interleaved run: an odd shape (rows start 2-byte
# aligned) over the pool, in cache, and 2^12 out of cache with the NT floor.
"$bench" --dtype f32,f16 --algorithms two-pass,reload,auto --sizes 3x515,2^12 --threads 1,2 \
  --repetitions 3 --min-time 0.2 --total-memory 8M --cold-above 8K --nt-above 8K \
  --csv --quiet > "$work/f16.csv"

python3 - "$work/f16.csv" <<'PY'
import csv, sys

def fail(message):
    sys.exit("FAIL: " + message)

rows = list(csv.DictReader(open(sys.argv[1])))
if {r["dtype"] for r in rows} != {"f32", "f16"}:
    fail("expected f32 and f16 rows, got %s" % sorted({r["dtype"] for r in rows}))
# Real bytes per element: f16 halves f32's, except that both three-pass flags
# run the recompute form on f16 (8 B/elt).
expected_bytes = {
    # auto counts the bytes of what it chose: reload for these small f32 rows, in its
    # sampled-max form (16) on AVX512F from 2048 floats (auto_f32_bytes below), two-pass for
    # f16 (ChooseAlgorithm in src/softmax-plan.cc).
    ("f32", "two-pass"): 12, ("f32", "three-pass-reload"): 20, ("f32", "auto"): None,
    ("f32", "floor-2pass"): 12, ("f32", "floor-2pass-nt"): 12,
    ("f32", "floor-3pass"): 20, ("f32", "floor-3pass-nt"): 20,
    ("f16", "two-pass"): 6, ("f16", "three-pass-reload"): 8, ("f16", "auto"): 6,
    ("f16", "floor-2pass-f16"): 6, ("f16", "floor-2pass-f16-nt"): 6,
    ("f16", "floor-3pass-f16"): 10, ("f16", "floor-3pass-f16-nt"): 10,
}
seen = set()
for r in rows:
    key = (r["dtype"], r["contender"])
    where = "%s/%s/%s %sx%s t%s" % (r["contender"], r["isa"], r["dtype"], r["batch"],
                                    r["channels"], r["threads"])
    if key not in expected_bytes:
        fail("%s: unexpected contender" % where)
    seen.add(key)
    expected = expected_bytes[key]
    if expected is None:
        expected = 16 if r["isa"] == "avx512f" and int(r["channels"]) >= 2048 else 20
    if float(r["bytes_per_element"]) != expected:
        fail("%s: bytes_per_element %s, expected %d" % (where, r["bytes_per_element"], expected))
    for column in ["ns_per_element_min", "ns_per_element_median", "gb_per_second_median",
                   "fraction_of_floor", "speedup_vs_reload"]:
        if not float(r[column]) > 0:
            fail("%s: %s = %s is not positive" % (where, column, r[column]))
missing = set(expected_bytes) - seen
if missing:
    fail("no rows for %s" % sorted(missing))
# Each dtype is compared with its own floor: the fastest of its two-pass
# pattern floor kernels (f16: the same kernels on half the bytes).
for dtype, prefix in [("f32", "floor-2pass"), ("f16", "floor-2pass-f16")]:
    cases = {(r["batch"], r["channels"], r["threads"]) for r in rows}
    for case in cases:
        here = [r for r in rows if r["dtype"] == dtype and
                (r["batch"], r["channels"], r["threads"]) == case]
        fastest = min(float(r["ns_per_element_median"]) for r in here
                      if r["contender"] in (prefix, prefix + "-nt"))
        for r in here:
            if abs(float(r["floor_ns_per_element"]) - fastest) > 1e-6:
                fail("%s %s %s: floor %s, expected its own dtype's %f" %
                     (r["contender"], dtype, case, r["floor_ns_per_element"], fastest))
print("twopass-bench f16 smoke test: %d rows OK" % len(rows))
PY

# The human-readable table and summary are printed by default.
"$bench" --algorithms two-pass,reload --sizes 2^10 --repetitions 2 --min-time 0.1 --quiet \
  > "$work/table.txt"
grep -q "vs-reload" "$work/table.txt" || fail "no table header"
grep -q "^Summary" "$work/table.txt" || fail "no summary"
# --tune --quick: every kernel variant the CPU runs, in and out of cache, and
# every algorithm at every ISA, with the JSON checked for completeness against
# the kernel tables and the picks against the library's own log of them.
TWOPASS_LOG_LEVEL=info "$bench" --tune --quick --json="$work/tune.json" --quiet \
  > "$work/tune.txt" 2> "$work/tune.err" || { cat "$work/tune.err" >&2; fail "--tune --quick"; }
python3 -m json.tool "$work/tune.json" > /dev/null || fail "--tune --json is not valid JSON"
for heading in "^Kernels:" "^Picks:" "^Algorithms:" "two-pass faster than sampled-max-reload"; do
  grep -q "$heading" "$work/tune.txt" || fail "--tune output lacks '$heading'"
done
# The kernel tables, when the test runs under Bazel (//:kernel_sources in data).
tables="${TEST_SRCDIR:-/nonexistent}/${TEST_WORKSPACE:-twopass}/src"
python3 - "$work/tune.json" "$work/tune.err" "$tables" <<'PY'
import glob, json, os, re, sys

def fail(message):
    sys.exit("FAIL: " + message)

data = json.load(open(sys.argv[1]))
if data.get("mode") != "tune":
    fail("mode is %r, expected 'tune'" % data.get("mode"))
isas = data["machine"]["isas"].split(",")
kernels = data["kernels"]
if not kernels:
    fail("no kernel rows")
sizes = sorted({k["elements"] for k in kernels})
if sizes != [1024, 16384]:
    fail("kernel sizes %s, expected [1024, 16384]" % sizes)
if {k["mode"] for k in kernels} != {"hot", "cold"}:
    fail("kernels not measured both in and out of cache")
families = sorted({k["family"] for k in kernels})
# Every family with a kernel table (when the tables are found; checked again per line below).
tables = sorted(os.path.basename(os.path.dirname(path))
                for path in glob.glob(os.path.join(sys.argv[3], "*", "*.inc")))
if tables and families != tables:
    fail("kernel families %s, expected those with tables %s" % (families, tables))
for k in kernels:
    where = "%s %s at %d" % (k["family"], k["variant"], k["elements"])
    if k["isa"] not in isas:
        fail("%s: ISA %s not supported here" % (where, k["isa"]))
    if k["samples"] != 3:
        fail("%s: %d samples, expected 3" % (where, k["samples"]))
    for column in ["ns_per_element_min", "ns_per_element_median", "elements_per_second",
                   "gb_per_second_median"]:
        if not (isinstance(k[column], (int, float)) and k[column] > 0):
            fail("%s: %s = %r is not positive" % (where, column, k[column]))
    if k["ns_per_element_min"] > k["ns_per_element_median"]:
        fail("%s: min above median" % where)
    if not k["symbol"].endswith("__" + k["variant"]):
        fail("%s: symbol %s does not end in the variant" % (where, k["symbol"]))
# Per family, ISA and size: exactly one fastest, at most one pick.
groups = {}
for k in kernels:
    groups.setdefault((k["family"], k["isa"], k["elements"]), []).append(k)
for key, rows in groups.items():
    if sum(r["fastest"] for r in rows) < 1:
        fail("%s: no fastest variant" % (key,))
    if sum(r["pick"] for r in rows) > 1:
        fail("%s: more than one pick" % (key,))

# Every table line of a supported ISA is measured at every size.
lines = []
for path in glob.glob(os.path.join(sys.argv[3], "*", "*.inc")):
    family = os.path.basename(os.path.dirname(path))
    # Plain lines and the pick markers (TWOPASS_UKERNEL_DEFAULT, _DEFAULT_NT, _DEFAULT_BOTH).
    for isa, symbol in re.findall(r"^TWOPASS_UKERNEL(?:_DEFAULT(?:_NT|_BOTH)?)?\((\w+),\s*(\w+),",
                                  open(path).read(), re.M):
        if isa in isas:
            lines.append((family, symbol))
if lines:
    measured = {}
    for k in kernels:
        measured.setdefault((k["family"], k["symbol"]), set()).add(k["elements"])
    for line in lines:
        if measured.get(line) != set(sizes):
            fail("table line %s measured at %s" % (line, sorted(measured.get(line, []))))
    if len(measured) != len(lines):
        fail("%d variants measured, the tables list %d" % (len(measured), len(lines)))
else:
    print("note: kernel tables not found; completeness check skipped")

# The picks are those the library logs when it selects an ISA (TWOPASS_LOG_LEVEL=info).
logged = {}
for line in open(sys.argv[2]):
    m = re.search(r"ISA (\w+); kernels: (.*); above \d+ bytes of output: (.*)$", line)
    if m:
        logged[m.group(1)] = ([s.strip() for s in m.group(2).split(",")],
                              [s.strip() for s in m.group(3).split(",")])
picks = data["picks"]
if not picks:
    fail("no picks")
for p in picks:
    if p["isa"] in logged:
        regular, streamed = logged[p["isa"]]
        if p["pick"] not in (streamed if p["above_nt_threshold"] else regular):
            fail("pick %s for %s/%s is not what the library logs" % (p["pick"], p["family"],
                                                                     p["isa"]))
    if [s["elements"] for s in p["sizes"]] != sizes:
        fail("pick %s/%s lacks sizes" % (p["family"], p["isa"]))
if not logged:
    print("note: no kernel log lines; pick cross-check skipped")
for k in kernels:
    if k["pick"] and not any(p["pick"] == k["symbol"] for p in picks):
        fail("%s marked pick but not in picks" % k["symbol"])

# Algorithms: every ISA the CPU has, every algorithm, 2^12..2^14, in and out of cache.
crossover = data["crossover"]
if sorted(g["isa"] for g in crossover) != sorted(isas):
    fail("crossover ISAs %s, expected %s" % ([g["isa"] for g in crossover], isas))
for g in crossover:
    if [p["channels"] for p in g["points"]] != [4096, 8192, 16384]:
        fail("%s: crossover sizes %s" % (g["isa"], [p["channels"] for p in g["points"]]))
    if {p["mode"] for p in g["points"]} != {"hot", "cold"}:
        fail("%s: crossover not both in and out of cache" % g["isa"])
    for p in g["points"]:
        ns = p["ns_per_element_median"]
        if sorted(ns) != sorted(["two-pass", "three-pass-reload", "three-pass-recompute",
                                 "sampled-max-reload", "auto"]):
            fail("%s %d: algorithms %s" % (g["isa"], p["channels"], sorted(ns)))
        if not all(v > 0 for v in ns.values()) or not p["reload_over_two_pass"] > 0:
            fail("%s %d: non-positive figures" % (g["isa"], p["channels"]))
        if p.get("auto_ran") not in ("two-pass", "three-pass-reload", "three-pass-recompute",
                                     "sampled-max-reload"):
            fail("%s %d: auto_ran %r" % (g["isa"], p["channels"], p.get("auto_ran")))
if len(data["results"]) != sum(len(g["points"]) for g in crossover) * 5 + \
        sum(1 for r in data["results"] if r["floor"]):
    fail("results and crossover disagree")
print("twopass-bench --tune --quick: %d kernel rows, %d picks, %d ISAs OK" %
      (len(kernels), len(picks), len(crossover)))
PY

# --tune=kernels with a family filter, --ghz and one ISA: only those are measured.
"$bench" --tune=kernels --quick --families f32-rmax,f16-vscaleextexp --isa scalar --ghz 2.5 \
  --json --quiet > "$work/tune-kernels.json" 2> /dev/null
python3 - "$work/tune-kernels.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
if {k["family"] for k in data["kernels"]} != {"f32-rmax", "f16-vscaleextexp"}:
    sys.exit("FAIL: --families not honoured")
if {k["isa"] for k in data["kernels"]} != {"scalar"}:
    sys.exit("FAIL: --isa not honoured")
if data["clock_ghz"] != 2.5 or data["results"] or data["crossover"]:
    sys.exit("FAIL: --ghz or --tune=kernels not honoured")
PY
echo PASS
