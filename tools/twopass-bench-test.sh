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
              --csv --json --progress --quiet --help; do
  grep -q -- "$option" "$work/help.txt" || fail "--help does not document $option"
done

# Bad arguments are rejected with exit status 2.
for bad in "--sizes 0" "--sizes 12Q" "--algorithms bogus" "--isa bogus" "--threads 0" \
           "--dtype f64" "--frobnicate"; do
  # shellcheck disable=SC2086
  set +e; "$bench" $bad > /dev/null 2>&1; status=$?; set -e
  [ "$status" -eq 2 ] || fail "'$bad' exited with $status, expected 2"
done

# 1000 floats (8 KiB with output) stay in cache; 3 x 515 is an odd shape in
# cache; 2^12 (32 KiB) is above --cold-above and rotates over 16 MiB; two
# threads exercise the pool (rows over threads and the split row); the output
# of 16 KiB turns on the non-temporal floor kernels.
"$bench" --isa all --algorithms all --sizes 1000,3x515,2^12 --threads 1,2 \
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
for name in ["two-pass", "three-pass-reload", "three-pass-recompute", "auto",
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
    # auto counts the bytes of what it chose: three-pass-reload for these small f32 rows on
    # every ISA, two-pass for f16 (choose_algorithm in src/softmax-nc.cc).
    ("f32", "two-pass"): 12, ("f32", "three-pass-reload"): 20, ("f32", "auto"): 20,
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
    if float(r["bytes_per_element"]) != expected_bytes[key]:
        fail("%s: bytes_per_element %s, expected %d" % (where, r["bytes_per_element"],
                                                        expected_bytes[key]))
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
echo PASS
