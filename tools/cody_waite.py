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

Usage: python3 tools/cody_waite.py      prints the constants as C hex floats and the checks.
Standard library only (fractions for exact arithmetic).
"""

import math
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


def main():
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
    failures = check()
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
