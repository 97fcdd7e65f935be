"""Float64 reference softmax and log-softmax with the library's special-value contract, and
the checks."""
import numpy as np


def softmax64(x, axis=-1):
    """Softmax in float64 of x (any float dtype) along axis, with the contract's limits:
    NaN rows NaN, +inf entries sharing 1, all -inf rows NaN."""
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        m = np.max(x, axis=-1, keepdims=True)
        finite_max = np.where(np.isfinite(m), m, 0.0)
        e = np.exp(x - finite_max)
        y = e / np.sum(e, axis=-1, keepdims=True)
        has_inf = np.isposinf(m)
        inf_share = np.isposinf(x) / np.maximum(np.sum(np.isposinf(x), axis=-1, keepdims=True), 1)
        y = np.where(has_inf, inf_share, y)
        y = np.where(np.isneginf(m), np.nan, y)
        y = np.where(np.isnan(m), np.nan, y)
    return np.moveaxis(y, -1, axis)


def assert_f32_close(y, r, axis=-1):
    """The f32 contract: per row max|y - r| <= 1e-6 * max r; NaN exactly where r is NaN."""
    assert y.dtype == np.float32
    y64 = np.moveaxis(y.astype(np.float64), axis, -1)
    r = np.moveaxis(r, axis, -1)
    assert np.array_equal(np.isnan(y64), np.isnan(r)), "NaN pattern differs"
    ok = ~np.isnan(r)
    err = np.where(ok, np.abs(y64 - r), 0.0)
    bound = 1e-6 * np.max(np.where(ok, r, 0.0), axis=-1, keepdims=True)
    worst = np.max(err - bound) if err.size else 0.0
    assert worst <= 0.0, f"error beyond 1e-6 * max(r) by {worst}"


def assert_f32_relative(y, r, rel=1e-6):
    """Element-wise |y - r| <= rel * r where r >= 1e-30 (inputs within [-1e4, 1e4])."""
    y64 = y.astype(np.float64)
    mask = r >= 1e-30
    rel_err = np.abs(y64[mask] - r[mask]) / r[mask]
    assert rel_err.size == 0 or rel_err.max() <= rel, f"relative error {rel_err.max():.3g}"


def half_ulp(r):
    """The spacing of binary16 numbers at the magnitude of r (float64)."""
    r = np.abs(r)
    exponent = np.floor(np.log2(np.maximum(r, 2.0 ** -24)))
    return 2.0 ** (np.maximum(exponent, -14) - 10)


def assert_f16_close(y, r):
    """The f16 contract: every output within 1 half-precision ULP of r."""
    assert y.dtype == np.float16
    y64 = y.astype(np.float64)
    assert np.array_equal(np.isnan(y64), np.isnan(r)), "NaN pattern differs"
    ok = ~np.isnan(r)
    err = np.abs(y64[ok] - r[ok]) / half_ulp(r[ok])
    assert err.size == 0 or err.max() <= 1.0, f"error of {err.max():.3f} half ULP"


def log_softmax64(x, axis=-1, masked_row_ninf=False):
    """Log-softmax in float64 with the library's special-value table."""
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        m = np.max(x, axis=-1, keepdims=True)
        finite_max = np.where(np.isfinite(m), m, 0.0)
        lse = finite_max + np.log(np.sum(np.exp(x - finite_max), axis=-1, keepdims=True))
        y = x - lse
        k = np.sum(np.isposinf(x), axis=-1, keepdims=True)
        inf_rows = np.where(np.isposinf(x), -np.log(np.maximum(k, 1)), -np.inf)
        y = np.where(k > 0, inf_rows, y)
        y = np.where(np.isneginf(m), -np.inf if masked_row_ninf else np.nan, y)
        y = np.where(np.any(np.isnan(x), axis=-1, keepdims=True), np.nan, y)
    return np.moveaxis(y, -1, axis)


def assert_close(y, r):
    """NaN and infinities exactly where r has them (after rounding r to y's dtype), the
    contract's bound elsewhere."""
    with np.errstate(over="ignore"):
        rounded = r.astype(y.dtype).astype(np.float64)
    y64 = y.astype(np.float64)
    assert np.array_equal(np.isnan(y64), np.isnan(r)), "NaN pattern differs"
    special = np.isinf(rounded)
    assert np.array_equal(y64[special], rounded[special]), "infinities differ"
    ok = ~np.isnan(r) & ~special
    bound = 1e-6 * np.maximum(1.0, np.abs(r[ok]))
    if y.dtype == np.float16:
        _, exponent = np.frexp(np.abs(r[ok]))
        bound = bound + np.where(np.abs(r[ok]) < 2.0**-14, 2.0**-24, np.ldexp(1.0, exponent - 11))
    err = np.abs(y64[ok] - r[ok])
    assert err.size == 0 or np.all(err <= bound), f"error {np.max(err - bound):.3g} beyond bound"
