#!/usr/bin/env python3
"""Derives and checks the ln2 splits (Cody-Waite range reduction) of the exp kernels.

exp(x) = 2^n * exp(t) with n = round(x * log2(e)) and t = x - n*ln2. Computing t in
binary32 loses everything unless n*ln2 is applied in pieces whose products with n are
exact (or fused):

* FMA ISAs (avx2, avx512f): two constants, t = fma(n, -ln2_hi, x); t = fma(n, -ln2_lo, t).
  ln2_hi = ln2 rounded to binary32, ln2_lo = (ln2 - ln2_hi) rounded to binary32. The first
  FMA is exact-ish by Sterbenz (x and n*ln2_hi are within a factor 2 of each other).
* No FMA (sse2, scalar): three constants, t = ((x - n*hi) - n*mid) - n*lo, where hi and mid
  have at most 24 - N_BITS significant bits so that n*hi and n*mid are exact for
  |n| < 2^N_BITS (N_BITS = 15 covers |x| <= 1e4: |n| <= 14427). x - n*hi is then exact
  (Sterbenz), (x - n*hi) - n*mid is one rounding of a value of size |t| + |n*(lo)|, and the
  last product n*lo errs by at most 2^-30 absolute for |n| < 2^15.

Usage:
  python3 tools/cody_waite.py                       prints the constants as C hex floats
                                                    and the checks.
  python3 tools/cody_waite.py --check-header FILE   compares the constants of FILE
                                                    (src/twopass/exp-constants.h) with
                                                    what this script derives; exit 1 on
                                                    any difference (//tools:cody_waite_test).
Standard library only (fractions for exact arithmetic).
"""

import math
import re
import struct
import sys
from fractions import Fraction

# ln2 to 60 decimal digits (well beyond the ~70 bits the split needs).
LN2 = Fraction("0.693147180559945309417232121458176568075500134360255254120680")
LOG2E = 1 / LN2
N_BITS = 15  # |n| < 2^N_BITS must give exact products n*hi, n*mid


def to_f32(value):
    """Rounds a Fraction (or float) to the nearest binary32, returned as a Python float."""
    return struct.unpack("<f", struct.pack("<f", float(Fraction(value))))[0]


def round_bits(value, bits):
    """Rounds a Fraction to `bits` significant bits (nearest, ties to even)."""
    if value == 0:
        return Fraction(0)
    exponent = math.floor(math.log2(abs(float(value))))
    # Correct a possible off-by-one of the float log2 near powers of two.
    while abs(value) >= Fraction(2) ** (exponent + 1):
        exponent += 1
    while abs(value) < Fraction(2) ** exponent:
        exponent -= 1
    quantum = Fraction(2) ** (exponent - bits + 1)
    return round(value / quantum) * quantum


def significant_bits(value):
    """Number of significant bits of a dyadic Fraction (0 for 0)."""
    if value == 0:
        return 0
    num, den = abs(value.numerator), value.denominator
    assert den & (den - 1) == 0, "not dyadic"
    while num % 2 == 0:
        num //= 2
    return num.bit_length()


def hexfloat(value):
    """C hex-float literal (f suffix) of a value that is exactly a binary32."""
    f = float(value)
    assert to_f32(f) == f, f"{value} is not a binary32"
    if f == 0:
        return "0x0.000000p+0f"
    sign = "-" if f < 0 else ""
    mantissa, exponent = abs(f).hex()[2:].split("p")
    lead, fraction = mantissa.split(".")
    return f"{sign}0x{lead}.{(fraction + '000000')[:6].upper()}p{int(exponent):+d}f"


def fma_split():
    hi = Fraction(to_f32(LN2))
    lo = Fraction(to_f32(LN2 - hi))
    return hi, lo


def three_split():
    bits = 24 - N_BITS
    hi = round_bits(LN2, bits)
    mid = round_bits(LN2 - hi, bits)
    lo = Fraction(to_f32(LN2 - hi - mid))
    return hi, mid, lo


def check():
    """Verifies the split properties; returns a list of failure messages."""
    failures = []
    hi, lo = fma_split()
    if abs(hi + lo - LN2) > Fraction(2) ** -50:
        failures.append("FMA split: ln2_hi + ln2_lo is not within 2^-50 of ln2")
    h3, m3, l3 = three_split()
    for name, c in (("hi", h3), ("mid", m3)):
        if significant_bits(c) > 24 - N_BITS:
            failures.append(f"three-constant split: {name} has {significant_bits(c)} bits")
        # n*c exact for the largest |n|: a product of <= 24 significant bits is a binary32.
        n = 2 ** N_BITS - 1
        if Fraction(to_f32(n * c)) != n * c:
            failures.append(f"three-constant split: {n}*{name} is not exact")
    if abs(h3 + m3 + l3 - LN2) > Fraction(2) ** -(24 + 2 * (24 - N_BITS)):
        failures.append("three-constant split: hi + mid + lo is not close enough to ln2")
    return failures


# The power-of-two trick: 2^d is the bits of d + EXP2_MAGIC shifted left by 23, for
# integer-valued d in [EXP2_MIN, EXP2_MAX]; 1.5*2^23 keeps d + EXP2_MAGIC in [2^23, 2^24)
# (an integer ulp), 127 is the exponent bias of binary32.
EXP2_MAGIC = Fraction(3, 2) * 2 ** 23 + 127
EXP2_MIN = -127
EXP2_MAX = 128
EXT_EXP_BOUND = 2 ** 23  # floats of this magnitude and above are integers


def f32_bits(value):
    return struct.unpack("<I", struct.pack("<f", float(value)))[0]


def derived_constants():
    """name -> exact value (Fraction or int) of every derived constant of the header."""
    hi, lo = fma_split()
    h3, m3, l3 = three_split()
    return {
        "kLog2e": Fraction(to_f32(LOG2E)),
        "kLn2Hi": hi,
        "kLn2Lo": lo,
        "kLn2HiNoFma": h3,
        "kLn2MidNoFma": m3,
        "kLn2LoNoFma": l3,
        "kExtExpBound": Fraction(EXT_EXP_BOUND),
        "kExp2Magic": EXP2_MAGIC,
        "kExp2MinExponent": Fraction(EXP2_MIN),
        "kExp2MaxExponent": Fraction(EXP2_MAX),
        "kExp2MagicMinBits": f32_bits(EXP2_MAGIC + EXP2_MIN),
    }


POLY_NAMES = ("kExpC1", "kExpC2", "kExpC3", "kExpC4", "kExpC5")
_CONSTANT = re.compile(
    r"\s*constexpr\s+(float|double|int32_t)\s+(k\w+)\s*=\s*([-+0-9A-Fa-fxXpP.eE]+?)f?\s*;")


def parse_header(path):
    """name -> (type, value) of every `constexpr <type> kName = <literal>;` line."""
    constants = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = _CONSTANT.match(line)
            if not m:
                continue
            ctype, name, literal = m.groups()
            if ctype == "int32_t":
                value = int(literal, 0)
            elif "x" in literal.lower():
                value = float.fromhex(literal)
            else:
                value = float(literal)
            if ctype == "float" and to_f32(value) != value:
                raise ValueError(f"{path}: {name} = {literal} is not a binary32")
            constants[name] = (ctype, value)
    return constants


def poly_max_rel_error(coefficients, points=20000):
    """max |p(t)/exp(t) - 1| over a grid of [-ln2/2, ln2/2] (endpoints included),
    p(t) = 1 + t*(c1 + t*(...)) evaluated in double."""
    half = math.log(2) / 2
    worst = 0.0
    for i in range(points + 1):
        t = -half + 2 * half * i / points
        q = 0.0
        for c in reversed(coefficients):
            q = q * t + c
        worst = max(worst, abs((1.0 + q * t) / math.exp(t) - 1.0))
    return worst


def check_header(path):
    """Failure messages for the constants of `path` (empty: all agree)."""
    try:
        found = parse_header(path)
    except (OSError, ValueError) as e:
        return [str(e)]
    failures = []
    for name, value in derived_constants().items():
        if name not in found:
            failures.append(f"{path}: {name} is missing")
            continue
        ctype, got = found[name]
        want = value if isinstance(value, int) else float(value)
        if got != want:
            shown = hex(want) if isinstance(want, int) else hexfloat(want)
            failures.append(f"{path}: {name} is {got!r}, derived {shown}")
    missing = [n for n in POLY_NAMES if n not in found]
    if missing:
        failures.append(f"{path}: polynomial coefficients missing: {missing}")
    elif "kExpPolyMaxRelError" not in found:
        failures.append(f"{path}: kExpPolyMaxRelError is missing")
    else:
        bound = found["kExpPolyMaxRelError"][1]
        error = poly_max_rel_error([found[n][1] for n in POLY_NAMES])
        if not error < bound:
            failures.append(f"{path}: polynomial relative error {error:.3e} >= the bound {bound:.3e}")
    return failures


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        if len(argv) != 2 or argv[0] != "--check-header":
            print(__doc__, file=sys.stderr)
            return 2
        failures = check_header(argv[1]) + check()
        for failure in failures:
            print("FAILED:", failure, file=sys.stderr)
        if not failures:
            print(f"{argv[1]}: every constant agrees with tools/cody_waite.py")
        return 1 if failures else 0
    hi, lo = fma_split()
    h3, m3, l3 = three_split()
    print(f"log2e                   {hexfloat(to_f32(LOG2E))}")
    print(f"FMA split   ln2_hi      {hexfloat(hi)}")
    print(f"            ln2_lo      {hexfloat(lo)}")
    print(f"            |hi+lo-ln2| {float(abs(hi + lo - LN2)):.3e}")
    print(f"no-FMA split (|n| < 2^{N_BITS}: n*hi, n*mid exact)")
    print(f"            ln2_hi      {hexfloat(h3)}  ({significant_bits(h3)} bits)")
    print(f"            ln2_mid     {hexfloat(m3)}  ({significant_bits(m3)} bits)")
    print(f"            ln2_lo      {hexfloat(l3)}")
    print(f"            |sum-ln2|   {float(abs(h3 + m3 + l3 - LN2)):.3e}")
    print(f"exp2 magic              {hexfloat(EXP2_MAGIC)}  (1.5*2^23 + 127; bits of "
          f"magic{EXP2_MIN}: 0x{f32_bits(EXP2_MAGIC + EXP2_MIN):08X})")
    failures = check()
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
