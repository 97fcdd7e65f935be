"""twopass.log_softmax on NumPy arrays against a float64 reference (README contract:
f32 |y - r| <= 1e-6 * max(1, |r|), f16 within one half-precision ULP plus that)."""
import numpy as np
import pytest

import twopass
from reference import assert_close, log_softmax64

rng = np.random.default_rng(23)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (3, 100), (17, 4097), (2, 70000)])
def test_random_rows(shape, dtype):
    x = rng.uniform(-10, 10, size=shape).astype(dtype)
    assert_close(twopass.log_softmax(x), log_softmax64(x))


def test_against_torch_log_softmax():
    torch = pytest.importorskip("torch")
    x = rng.uniform(-20, 20, size=(5, 32000)).astype(np.float32)
    ours = twopass.log_softmax(x)
    theirs = torch.log_softmax(torch.from_numpy(x).double(), dim=-1).numpy()
    assert_close(ours, theirs)


@pytest.mark.parametrize("n", [1, 3, 4096, 4097, 100000])
def test_equal_values(n):
    x = np.full((2, n), 3.25, dtype=np.float32)
    x[1] = -7.5
    y = twopass.log_softmax(x).astype(np.float64)
    assert np.all(np.abs(y + np.log(n)) <= 1e-6 * max(1.0, np.log(n)))


def test_magnitudes_and_overflow():
    x = np.array([[1e6, 1e6 + 1, 1e6 - 3, 1e6],
                  [-1e6, -1e6 - 1, -1e6 + 2, -1e6],
                  [3e38, -3e38, 3.4e38, 0.0]], dtype=np.float32)
    y = twopass.log_softmax(x)
    assert_close(y, log_softmax64(x))
    assert y[2, 1] == -np.inf  # -3e38 - 3.4e38 is below -FLT_MAX
    h = np.array([[60000, -40000, 1, 0]], dtype=np.float16)
    yh = twopass.log_softmax(h)
    assert yh[0, 1] == -np.inf  # -100000 is below the lowest half
    assert_close(yh, log_softmax64(h))


@pytest.mark.parametrize("masked_row_ninf", [False, True])
def test_special_values(masked_row_ninf):
    x = rng.uniform(-5, 5, size=(6, 300)).astype(np.float32)
    x[0, 17] = np.nan
    x[1, [3, 100, 299]] = np.inf
    x[2, 5] = np.inf
    x[3] = -np.inf
    x[4, ::2] = -np.inf
    y = twopass.log_softmax(x, masked_row_ninf=masked_row_ninf)
    assert_close(y, log_softmax64(x, masked_row_ninf=masked_row_ninf))
    assert np.all(y[1, [3, 100, 299]] == np.float32(-np.log(3.0)))
    assert y[2, 5] == 0.0 and not np.signbit(y[2, 5])
    assert np.all(np.isneginf(y[3])) if masked_row_ninf else np.all(np.isnan(y[3]))


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_axes_strides_in_place_and_threads(dtype):
    x = rng.uniform(-8, 8, size=(6, 50, 33)).astype(dtype)
    for axis in (0, 1, 2, -1):
        assert_close(twopass.log_softmax(x, axis=axis), log_softmax64(x, axis=axis))
    sliced = x[:, ::2, 3:30]
    assert_close(twopass.log_softmax(sliced), log_softmax64(sliced))
    z = x.copy()
    assert twopass.log_softmax(z, out=z) is z
    assert_close(z, log_softmax64(x))
    long_row = rng.uniform(-8, 8, size=(1, 50000)).astype(dtype)
    one = twopass.log_softmax(long_row, threads=1)
    three = twopass.log_softmax(long_row, threads=3)
    assert np.array_equal(one.view(np.uint8), three.view(np.uint8))


def test_bad_arguments():
    with pytest.raises(ValueError, match="log_softmax: dtype"):
        twopass.log_softmax(np.zeros(4, dtype=np.float64))
    with pytest.raises(ValueError, match="log_softmax: axis"):
        twopass.log_softmax(np.zeros((2, 3), dtype=np.float32), axis=2)
    with pytest.raises(ValueError, match="log_softmax: out"):
        twopass.log_softmax(np.zeros(4, dtype=np.float32), out=np.zeros(5, dtype=np.float32))
    with pytest.raises(ValueError, match="log_softmax: threads"):
        twopass.log_softmax(np.zeros(4, dtype=np.float32), threads=0)


def test_help_reads_like_numpy():
    doc = twopass.log_softmax.__doc__
    for section in ("Parameters", "Returns", "Raises", "Examples"):
        assert section in doc


@pytest.mark.parametrize("function", [twopass.softmax, twopass.log_softmax])
def test_input_kept_when_out_needs_the_copy_path(function):
    # x C-contiguous, out a layout no single row stride describes: the general path.
    x = rng.uniform(-5, 5, size=(4, 6, 10)).astype(np.float32)
    before = x.copy()
    out = np.empty((10, 6, 4), dtype=np.float32).transpose(2, 1, 0)
    y = function(x, out=out)
    assert y is out
    assert np.array_equal(x, before), "the input was overwritten"
    expected = function(before)
    assert np.array_equal(out, expected)


@pytest.mark.parametrize("function", [twopass.softmax, twopass.log_softmax])
def test_misaligned_float32_input(function):
    data = np.zeros(4 * 64 + 1, dtype=np.uint8)
    x = np.frombuffer(data.data, dtype=np.float32, count=64, offset=1)
    assert x.ctypes.data % 4 != 0
    values = rng.uniform(-5, 5, size=64).astype(np.float32)
    data[1:1 + 256] = values.view(np.uint8)
    assert np.array_equal(function(x), function(values))
