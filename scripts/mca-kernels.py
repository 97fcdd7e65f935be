#!/usr/bin/python3
"""Static throughput of the AVX2 and AVX512F kernels' main loops, from llvm-mca.

Each generated kernel file (src/<family>/gen/<family>-<isa>-*.cc) is compiled to
assembly with the build's flags (build_defs.bzl's ISA_COPTS for the ISA, plus the
flags Bazel's -c opt gives gcc), the kernel's main loop is cut out of the assembly,
and llvm-mca-16 models it on several CPUs. Printed per kernel and CPU model: cycles
per loop iteration and per 16 elements (the tile is the symbol's _u<N>).

Which loop: every loop in the kernel function is followed from its header label
through fall-through (a conditional branch is assumed not taken: GCC lays out the
likely side of __builtin_expect as the fall-through) and unconditional jumps until a
branch back to the header. So a loop whose unlikely general path lies out of line
is modelled as its fast path alone. The loop with the most vector FMAs is the main
loop; kernels without FMAs (rmax, vscale) take the loop with the most vector
instructions. `--show-asm` prints what was modelled.

The cycles per iteration are llvm-mca's Total Cycles / iterations, so loop-carried
dependency chains and the modelled scheduler window count; rthr/16 is the Block
RThroughput (execution resources alone) per 16 elements. On the Zen 5 of
docs/benchmarks.md (2026-12-04) znver3's rthr/16 came within 0-15% of the measured
AVX2 speed, while cyc/16 overstated long loops by up to 1.6x. llvm-mca assumes every
load hits L1 and that loads never alias stores: in-cache figures. Periodic blocks
skipped by a taken branch (the three-pass kernels' flush every 4 iterations) are
left out. Run it through scripts/mca-kernels.sh.
"""

import argparse
import concurrent.futures
import heapq
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

ISAS = ("avx2", "avx512f")

# CPU models for each ISA's kernels (llvm-mca-16 -mcpu names).
DEFAULT_CPUS = {
    "avx512f": ["znver4", "icelake-server", "skylake-avx512"],
    "avx2": ["znver3", "znver4", "skylake"],
}

# What gcc gets from Bazel 4 under -c opt besides the ISA flags and include paths
# (`bazel aquery -c opt 'mnemonic("CppCompile", //:f32_raddextexp_avx512f)'`,
# 2026-12-04; -std=c++17 comes from .bazelrc). Internal headers are included as
# "twopass/..." from src/ (strip_include_prefix = "src"); FP16 is in /usr/include.
BAZEL_OPT_FLAGS = [
    "-U_FORTIFY_SOURCE", "-fstack-protector", "-Wall", "-fno-omit-frame-pointer",
    "-g0", "-O2", "-D_FORTIFY_SOURCE=1", "-DNDEBUG", "-ffunction-sections",
    "-fdata-sections", "-std=c++17", "-fPIC",
]

FMA_RE = re.compile(r"^v(fmadd|fmsub|fnmadd|fnmsub|fmaddsub|fmsubadd)")
WIDE_RE = re.compile(r"%[yz]mm")
VECTOR_RE = re.compile(r"%[xyz]mm")
TILE_RE = re.compile(r"_u(\d+)(?:_|$)")


class McaError(Exception):
    pass


# ---------------------------------------------------------------- build flags --

def isa_copts(build_defs_path):
    """ISA_COPTS of build_defs.bzl, {isa: [flags]}, for the ISAs modelled here."""
    try:
        text = open(build_defs_path).read()
    except OSError as e:
        raise McaError("cannot read %s: %s" % (build_defs_path, e))
    block = re.search(r"ISA_COPTS\s*=\s*\{(.*?)\n\}", text, re.S)
    if not block:
        raise McaError("no ISA_COPTS dictionary in %s" % build_defs_path)
    copts = {}
    for isa in ISAS:
        m = re.search(r'"%s"\s*:\s*\[([^\]]*)\]' % isa, block.group(1))
        if not m:
            raise McaError('ISA_COPTS in %s has no "%s" entry' % (build_defs_path, isa))
        copts[isa] = re.findall(r'"([^"]*)"', m.group(1))
    return copts


# ------------------------------------------------------------------- kernels --

def find_kernels(root, isas, filters):
    """[(isa, path, symbol, tile)] of the generated kernel files, sorted."""
    kernels = []
    src = os.path.join(root, "src")
    for family in sorted(os.listdir(src)):
        gen = os.path.join(src, family, "gen")
        if not os.path.isdir(gen):
            continue
        for name in sorted(os.listdir(gen)):
            for isa in isas:
                if not (name.startswith("%s-%s-" % (family, isa)) and name.endswith(".cc")):
                    continue
                path = os.path.join(gen, name)
                symbol = kernel_symbol(path)
                if filters and not any(f in symbol or f in name for f in filters):
                    continue
                kernels.append((isa, path, symbol, tile_of(symbol)))
    return kernels


def kernel_symbol(path):
    """The kernel's symbol from the generator's header line '//   Kernel: <symbol>'."""
    with open(path) as f:
        for _, line in zip(range(20), f):
            m = re.match(r"//\s+Kernel:\s+(\w+)", line)
            if m:
                return m.group(1)
    raise McaError("%s: no '// Kernel: <symbol>' line in its header" % path)


def tile_of(symbol):
    m = TILE_RE.search(symbol)
    if not m:
        raise McaError("%s: no _u<N> (elements per iteration) in the symbol" % symbol)
    return int(m.group(1))


def compile_to_asm(cxx, path, isa_flags, out_path):
    cmd = [cxx] + BAZEL_OPT_FLAGS + ["-I" + os.path.join(ROOT, "src")] + isa_flags + [
        "-S", "-o", out_path, path]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise McaError("compiling %s failed:\n  %s\n%s" % (path, " ".join(cmd), proc.stderr))
    with open(out_path) as f:
        return f.read()


# ------------------------------------------------------------ loop extraction --

def function_body(asm, symbol):
    """[('label', name) | ('insn', mnemonic, operands, text)] of one function."""
    lines = asm.splitlines()
    start = None
    for i, line in enumerate(lines):
        if line.strip() == symbol + ":":
            start = i + 1
            break
    if start is None:
        raise McaError("symbol %s not found in the assembly" % symbol)
    items = []
    for line in lines[start:]:
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if text.startswith(".size") or text == ".cfi_endproc":
            break
        if text.endswith(":") and " " not in text and "\t" not in text:
            items.append(("label", text[:-1]))
            continue
        if text.startswith("."):
            continue  # directive
        parts = text.split(None, 1)
        items.append(("insn", parts[0], parts[1] if len(parts) > 1 else "", text))
    return items


def is_jump(mnemonic):
    return mnemonic.startswith("j")


def ends_path(mnemonic):
    return mnemonic.startswith("ret") or mnemonic == "ud2"


class Block:
    def __init__(self, index):
        self.index = index
        self.labels = []
        self.insns = []  # (mnemonic, operands, text)
        self.succ = []   # block indices; a conditional jump's fall-through comes first


def basic_blocks(items):
    """The function's control-flow graph: [Block], block 0 is the entry."""
    blocks = [Block(0)]
    for item in items:
        cur = blocks[-1]
        if item[0] == "label":
            if cur.insns:
                cur = Block(len(blocks))
                blocks.append(cur)
            cur.labels.append(item[1])
            continue
        cur.insns.append(item[1:])
        if is_jump(item[1]) or ends_path(item[1]):
            blocks.append(Block(len(blocks)))
    if not blocks[-1].insns and not blocks[-1].labels:
        blocks.pop()
    at = {label: b.index for b in blocks for label in b.labels}
    for b in blocks:
        last = b.insns[-1] if b.insns else None
        falls = last is None or not (ends_path(last[0]) or last[0] == "jmp")
        if falls and b.index + 1 < len(blocks):
            b.succ.append(b.index + 1)
        if last is not None and is_jump(last[0]) and last[1].strip() in at:
            target = at[last[1].strip()]
            if target not in b.succ:
                b.succ.append(target)  # else: indirect, or leaves the function
    return blocks


def dominators(blocks):
    """{block: set of blocks that dominate it} over the blocks reachable from 0."""
    reach, todo = {0}, [0]
    while todo:
        for s in blocks[todo.pop()].succ:
            if s not in reach:
                reach.add(s)
                todo.append(s)
    preds = {i: [p for p in reach if i in blocks[p].succ] for i in reach}
    dom = {i: set(reach) for i in reach}
    dom[0] = {0}
    changed = True
    while changed:
        changed = False
        for i in sorted(reach - {0}):
            new = set.intersection(*(dom[p] for p in preds[i])) | {i} if preds[i] else {i}
            if new != dom[i]:
                dom[i], changed = new, True
    return dom, preds


def natural_loops(blocks):
    """{header: set of blocks of its loop}, from the back edges u -> h (h dominates u)."""
    dom, preds = dominators(blocks)
    loops = {}
    for u in dom:
        for h in blocks[u].succ:
            if h in dom[u]:
                body = loops.setdefault(h, {h})
                todo = [u]
                while todo:
                    n = todo.pop()
                    if n not in body:
                        body.add(n)
                        todo.extend(preds[n])
    return loops


def shortest_cycle(blocks, header, body):
    """Blocks of the path with the fewest instructions from `header` back to it."""
    heap = [(len(blocks[header].insns), 0, header, (header,))]
    order = 1
    best = {}
    while heap:
        cost, _, n, path = heapq.heappop(heap)
        for s in blocks[n].succ:
            if s == header:
                return list(path)
            if s not in body:
                continue
            c = cost + len(blocks[s].insns)
            if c < best.get(s, float("inf")):
                best[s] = c
                heapq.heappush(heap, (c, order, s, path + (s,)))
                order += 1
    return None


def loops_of(items):
    """[(header label, [instruction text], [taken conditional branch text])] for the
    innermost loops, each along its shortest path around."""
    blocks = basic_blocks(items)
    loops = natural_loops(blocks)
    result = []
    for h in sorted(loops):
        if any(other != h and other in loops[h] for other in loops):
            continue  # an outer loop
        path = shortest_cycle(blocks, h, loops[h])
        if not path:
            continue
        body, taken = [], []
        for i, n in enumerate(path):
            body.extend(t for _, _, t in blocks[n].insns)
            nxt = path[(i + 1) % len(path)]
            last = blocks[n].insns[-1] if blocks[n].insns else None
            if (last and is_jump(last[0]) and last[0] != "jmp" and nxt != n + 1
                    and i + 1 < len(path)):
                taken.append(last[2])
        label = blocks[h].labels[0] if blocks[h].labels else "block%d" % h
        result.append((label, body, taken))
    return result


def count_fma(body):
    return sum(1 for t in body if FMA_RE.match(t) and WIDE_RE.search(t))


def count_vector(body):
    return sum(1 for t in body if VECTOR_RE.search(t))


def main_loop(asm, symbol):
    """(header, body, taken): the innermost loop with the most vector FMAs, then the
    most vector instructions, along its shortest path around."""
    loops = loops_of(function_body(asm, symbol))
    if not loops:
        raise McaError("no loop found in %s" % symbol)
    best = max(enumerate(loops),
               key=lambda il: (count_fma(il[1][1]), count_vector(il[1][1]), -il[0]))
    return best[1]


# ------------------------------------------------------------------- llvm-mca --

def run_mca(mca, cpu, body, iterations):
    proc = subprocess.run(
        [mca, "-mtriple=x86_64-unknown-linux-gnu", "-mcpu=" + cpu,
         "-iterations=%d" % iterations],
        input="\n".join(body) + "\n", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise McaError("%s -mcpu=%s failed:\n%s" % (mca, cpu, proc.stderr.strip()))
    out = proc.stdout
    total = re.search(r"^Total Cycles:\s+(\d+)", out, re.M)
    rthr = re.search(r"^Block RThroughput:\s+([\d.]+)", out, re.M)
    iters = re.search(r"^Iterations:\s+(\d+)", out, re.M)
    if not (total and rthr and iters):
        raise McaError("%s -mcpu=%s: no Total Cycles / Block RThroughput in its output:\n%s"
                       % (mca, cpu, out[:2000]))
    return {
        "cycles_per_iteration": int(total.group(1)) / int(iters.group(1)),
        "block_rthroughput": float(rthr.group(1)),
    }


def analyse(kernel, args, copts, tmpdir):
    isa, path, symbol, tile = kernel
    asm_path = os.path.join(tmpdir, symbol + ".s")
    asm = compile_to_asm(args.cxx, path, copts[isa], asm_path)
    header, body, taken = main_loop(asm, symbol)
    result = {
        "symbol": symbol, "isa": isa, "file": os.path.relpath(path, ROOT), "tile": tile,
        "loop_label": header, "instructions": len(body), "vector_fma": count_fma(body),
        "taken_branches": taken, "models": {},
    }
    for cpu in args.cpus[isa]:
        m = run_mca(args.llvm_mca, cpu, body, args.iterations)
        m["cycles_per_16"] = m["cycles_per_iteration"] * 16 / tile
        m["rthroughput_per_16"] = m["block_rthroughput"] * 16 / tile
        result["models"][cpu] = m
    return result, body


# --------------------------------------------------------------------- output --

def table(results, isa, cpus):
    rows = [r for r in results if r["isa"] == isa]
    if not rows:
        return ""
    head = ["kernel", "tile", "insts", "fma"]
    for cpu in cpus:
        head += [cpu + " cyc/it", cpu + " cyc/16", cpu + " rthr/16"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["symbol"], str(r["tile"]), str(r["instructions"]), str(r["vector_fma"])]
        for cpu in cpus:
            m = r["models"][cpu]
            cells += ["%.1f" % m["cycles_per_iteration"], "%.2f" % m["cycles_per_16"],
                      "%.2f" % m["rthroughput_per_16"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def tool_version(cmd):
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True).stdout
    except OSError:
        return "?"
    for line in out.splitlines():
        if "version" in line.lower() or line.startswith(("g++", "gcc")):
            return line.strip()
    return out.splitlines()[0].strip() if out else "?"


# ------------------------------------------------------------------ self-test --

# A kernel-shaped function: the main loop .L2 has an out-of-line general path (.L4,
# reached by a not-taken branch) and an inline periodic block skipped by a taken
# branch (jne .L10); .L5 is a loop without FMAs, .L6 a loop through a forward jmp.
SELF_TEST_ASM = """
\t.text
\t.globl\tk
\t.type\tk, @function
k:
.LFB1:
\t.cfi_startproc
\tvxorps\t%xmm0, %xmm0, %xmm0
\tjbe\t.L9
.L2:
\tvmaxps\t(%rsi), %ymm1, %ymm2
\tvfmadd132ps\t%ymm3, %ymm4, %ymm2
\tvmovmskps\t%ymm2, %edx
\ttestl\t%edx, %edx
\tjne\t.L4
\tvfmadd231ps\t%ymm2, %ymm5, %ymm0
.L3:
\taddq\t$32, %rsi
\tsubl\t$1, %ecx
\tjne\t.L10
\tvaddps\t%ymm0, %ymm6, %ymm6
\tvaddps\t%ymm0, %ymm6, %ymm6
\tvxorps\t%xmm0, %xmm0, %xmm0
\tmovl\t$4, %ecx
.L10:
\tcmpq\t%rax, %rsi
\tjne\t.L2
.L5:
\tvaddps\t(%rsi), %ymm0, %ymm0
\taddq\t$32, %rsi
\tcmpq\t%rax, %rsi
\tjne\t.L5
.L6:
\tvmaxps\t(%rsi), %ymm0, %ymm0
\tvmaxps\t32(%rsi), %ymm0, %ymm0
\tjmp\t.L7
.L8:
\tret
.L7:
\taddq\t$64, %rsi   # comment
\tcmpq\t%rax, %rsi
\tjb\t.L6
\tjmp\t.L8
.L4:
\tvfmadd231ps\t%ymm2, %ymm5, %ymm0
\tvfmadd231ps\t%ymm2, %ymm5, %ymm0
\tvfmadd231ps\t%ymm2, %ymm5, %ymm0
\tjmp\t.L3
.L9:
\tret
\t.cfi_endproc
.LFE1:
\t.size\tk, .-k
other:
\tvfmadd231ps\t%ymm2, %ymm5, %ymm0
"""


def self_test(args):
    failures = []

    def check(what, got, want):
        if got != want:
            failures.append("%s: got %r, want %r" % (what, got, want))

    loops = {label: (body, taken) for label, body, taken in
             loops_of(function_body(SELF_TEST_ASM, "k"))}
    check("loop headers", sorted(loops), [".L2", ".L5", ".L6"])
    # .L2 along its shortest path: without the out-of-line .L4 (3 FMAs) and without
    # the periodic block that jne .L10 skips.
    check("fast path", [t.split()[0] for t in loops[".L2"][0]],
          ["vmaxps", "vfmadd132ps", "vmovmskps", "testl", "jne", "vfmadd231ps",
           "addq", "subl", "jne", "cmpq", "jne"])
    check("taken branches", loops[".L2"][1], ["jne\t.L10"])
    check("loop through a forward jmp", [t.split()[0] for t in loops[".L6"][0]],
          ["vmaxps", "vmaxps", "jmp", "addq", "cmpq", "jb"])
    check("comment stripped", loops[".L6"][0][3], "addq\t$64, %rsi")
    check("main loop (most FMAs)", main_loop(SELF_TEST_ASM, "k")[0], ".L2")
    no_fma = SELF_TEST_ASM.replace("vfmadd132ps", "vmulps").replace("vfmadd231ps", "vmulps")
    check("main loop without FMAs (most vector insts)", main_loop(no_fma, "k")[0], ".L2")
    no_fma_two_loops = "\n".join([
        "r:", ".L1:", "\tvmaxps\t(%rsi), %ymm0, %ymm0", "\taddq\t$32, %rsi", "\tjne\t.L1",
        ".L2:", "\tvmaxps\t(%rsi), %ymm0, %ymm0", "\tvmaxps\t32(%rsi), %ymm1, %ymm1",
        "\taddq\t$64, %rsi", "\tjne\t.L2", "\tret", "\t.cfi_endproc"])
    check("main loop by vector instructions", main_loop(no_fma_two_loops, "r")[0], ".L2")
    check("tile", tile_of("twopass_f32_raddextexp_ukernel__avx2_p5_u64_acc2"), 64)
    check("tile at the end", tile_of("twopass_f32_vscale_ukernel__avx512f_u64"), 64)
    check("tile before _nt", tile_of("twopass_f32_vscale_ukernel__avx2_u32_nt"), 32)
    check("ISA_COPTS", isa_copts(os.path.join(ROOT, "build_defs.bzl"))["avx2"][:1], ["-mavx2"])
    for f in failures:
        print("self-test FAILED: " + f)
    if failures:
        return 1
    print("self-test: extraction checks passed")

    # End to end on one small kernel, when the tools are there.
    if not (shutil.which(args.llvm_mca) and shutil.which(args.cxx)):
        print("self-test: end-to-end check skipped (%s or %s not found)"
              % (args.llvm_mca, args.cxx))
        return 0
    kernels = find_kernels(ROOT, ["avx2"], ["f32_vscale_ukernel__avx2_u16"])
    if not kernels:
        print("self-test FAILED: kernel twopass_f32_vscale_ukernel__avx2_u16 not found")
        return 1
    args.cpus = {"avx2": ["znver3"]}
    with tempfile.TemporaryDirectory() as tmp:
        result, body = analyse(kernels[0], args, isa_copts(os.path.join(ROOT, "build_defs.bzl")),
                               tmp)
    c16 = result["models"]["znver3"]["cycles_per_16"]
    # 16 elements: two loads, two multiplies, two stores; no CPU does that in under
    # 0.5 or over 20 cycles.
    if not 0.5 <= c16 <= 20:
        print("self-test FAILED: %s on znver3: %.2f cycles per 16 elements, outside [0.5, 20]"
              % (result["symbol"], c16))
        return 1
    print("self-test: %s on znver3: %.2f cycles per 16 elements (%d instructions): passed"
          % (result["symbol"], c16, len(body)))
    return 0


# ----------------------------------------------------------------------- main --

def main():
    parser = argparse.ArgumentParser(
        description="llvm-mca model of the AVX2/AVX512F kernels' main loops.",
        epilog="Example: scripts/mca-kernels.sh raddextexp --json /tmp/mca.json")
    parser.add_argument("filters", nargs="*",
                        help="only kernels whose symbol or file name contains one of these")
    parser.add_argument("--isa", choices=ISAS, action="append",
                        help="only this ISA (repeatable; default both)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--show-asm", action="store_true",
                        help="print each modelled loop's instructions")
    parser.add_argument("--iterations", type=int, default=100, help="llvm-mca -iterations")
    parser.add_argument("--cpus-avx2", default=",".join(DEFAULT_CPUS["avx2"]),
                        help="comma-separated -mcpu models for AVX2 kernels (default %(default)s)")
    parser.add_argument("--cpus-avx512f", default=",".join(DEFAULT_CPUS["avx512f"]),
                        help="comma-separated -mcpu models for AVX512F kernels (default %(default)s)")
    parser.add_argument("--llvm-mca", default=os.environ.get("LLVM_MCA", "llvm-mca-16"))
    parser.add_argument("--cxx", default=os.environ.get("CXX", "g++"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--self-test", action="store_true",
                        help="check the loop extraction (and, if llvm-mca is there, one kernel)")
    args = parser.parse_args()

    try:
        if args.self_test:
            return self_test(args)
        args.cpus = {"avx2": [c for c in args.cpus_avx2.split(",") if c],
                     "avx512f": [c for c in args.cpus_avx512f.split(",") if c]}
        for tool in (args.llvm_mca, args.cxx):
            if not shutil.which(tool):
                raise McaError("%s not found (scripts/setup.sh installs llvm-16 and g++)" % tool)
        copts = isa_copts(os.path.join(ROOT, "build_defs.bzl"))
        isas = args.isa or list(ISAS)
        kernels = find_kernels(ROOT, isas, args.filters)
        if not kernels:
            raise McaError("no %s kernel matches %s" % ("/".join(isas), " ".join(args.filters)))

        with tempfile.TemporaryDirectory() as tmp, \
                concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            futures = [pool.submit(analyse, k, args, copts, tmp) for k in kernels]
            done = [f.result() for f in futures]
    except McaError as e:
        print("mca-kernels: error: %s" % e, file=sys.stderr)
        return 1

    results = [r for r, _ in done]
    if args.show_asm:
        for r, body in done:
            print("## %s: loop %s, %d instructions, %d vector FMAs, taken branches "
                  "besides the back edge: %s"
                  % (r["symbol"], r["loop_label"], r["instructions"], r["vector_fma"],
                     ", ".join(r["taken_branches"]) or "none"))
            print("\n".join("    " + t for t in body))
            print()

    print("llvm-mca model of the kernels' main loops: %s, %d iterations; %s"
          % (tool_version([args.llvm_mca, "--version"]), args.iterations,
             tool_version([args.cxx, "--version"])))
    print("cyc/it = cycles per loop iteration (Total Cycles / iterations), cyc/16 = the same "
          "per 16 elements, rthr/16 = Block RThroughput per 16 elements (execution resources "
          "alone, no dependency chains or window limits); L1-resident data")
    if "znver4" in args.cpus["avx2"] and any(r["isa"] == "avx2" for r in results):
        print("note: LLVM 16's znver4 model charges 256-bit FP operations (FMA, min/max, "
              "compare) at half their real rate (llvm/llvm-project#63877), so its AVX2 "
              "column is pessimistic; znver3 is the closer model of Zen 4/5 for AVX2.")
    for isa in ISAS:
        t = table(results, isa, args.cpus[isa])
        if t:
            print()
            print("%s (%s):" % (isa.upper(), " ".join(copts[isa])))
            print(t)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"llvm_mca": tool_version([args.llvm_mca, "--version"]),
                       "compiler": tool_version([args.cxx, "--version"]),
                       "iterations": args.iterations,
                       "flags": {isa: BAZEL_OPT_FLAGS + copts[isa] for isa in ISAS},
                       "kernels": results}, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
