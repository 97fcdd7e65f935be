"""twopass.softmax on NumPy arrays against a float64 reference (README contract)."""
import array

import numpy as np
import pytest

import twopass
from reference import (assert_f16_close, assert_f32_close, assert_f32_relative,
                       softmax64)

ALGORITHMS = sorted(twopass.ALGORITHMS)
rng = np.random.default_rng(17)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (3, 100), (17, 4097), (2, 70000)])
def test_random_rows(shape, algorithm):
    x = rng.uniform(-10, 10, size=shape).astype(np.float32)
    y = twopass.softmax(x, algorithm=algorithm)
    r = softmax64(x)
    assert_f32_close(y, r)
    assert_f32_relative(y, r)
    assert np.all(np.abs(y.astype(np.float64).sum(axis=-1) - 1) <= 1e-6)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_wide_range_rows(algorithm):
    x = (rng.standard_normal((8, 5000)) * 1000).astype(np.float32)
    y = twopass.softmax(x, algorithm=algorithm)
    assert_f32_close(y, softmax64(x))


def test_one_dimensional_and_buffer_protocol():
    values = array.array("f", [1.0, 2.0, 3.0, -1.0])
    y = twopass.softmax(values)
    assert isinstance(y, np.ndarray) and y.dtype == np.float32 and y.shape == (4,)
    assert_f32_relative(y, softmax64(np.array(values, dtype=np.float32)))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("n", [1, 3, 1000, 4096, 4097, 100000])
def test_equal_values(n, algorithm):
    x = np.full((2, n), 3.25, dtype=np.float32)
    x[1] = -7.5
    y = twopass.softmax(x, algorithm=algorithm)
    assert np.all(np.abs(y.astype(np.float64) * n - 1) <= 1e-6)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_huge_magnitudes(algorithm):
    x = np.array([[1e6, 1e6 + 1, 1e6 - 3, 1e6],
                  [-1e6, -1e6 - 1, -1e6 + 2, -1e6],
                  [3e38, -3e38, 3.4e38, 0.0],
                  [-3.4e38, -3e38, -3.3e38, -3.4e38]], dtype=np.float32)
    y = twopass.softmax(x, algorithm=algorithm)
    assert np.all(np.isfinite(y))
    assert_f32_close(y, softmax64(x))
    big = (rng.standard_normal((4, 3000)) * 1e30).astype(np.float32)
    assert_f32_close(twopass.softmax(big, algorithm=algorithm), softmax64(big))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_negative_infinity(algorithm):
    x = rng.uniform(-5, 5, size=(3, 300)).astype(np.float32)
    x[0, ::3] = -np.inf
    x[1, :] = -np.inf
    y = twopass.softmax(x, algorithm=algorithm)
    assert np.all(y[0, ::3] == 0)
    assert np.all(np.isnan(y[1]))
    assert_f32_close(y, softmax64(x))
    z = twopass.softmax(x, algorithm=algorithm, masked_row_zero=True)
    assert np.all(z[1] == 0)
    assert np.array_equal(np.delete(z, 1, axis=0), np.delete(y, 1, axis=0))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_nan_propagates(algorithm):
    x = rng.uniform(-5, 5, size=(3, 5000)).astype(np.float32)
    x[1, 4321] = np.nan
    y = twopass.softmax(x, algorithm=algorithm)
    assert np.all(np.isnan(y[1]))
    assert not np.any(np.isnan(y[[0, 2]]))
    assert_f32_close(y, softmax64(x))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_positive_infinity(algorithm):
    x = rng.uniform(-5, 5, size=(2, 1000)).astype(np.float32)
    x[0, [5, 500, 999]] = np.inf
    x[1, 0] = np.inf
    x[1, 1] = -np.inf
    y = twopass.softmax(x, algorithm=algorithm)
    assert np.all(y[0, [5, 500, 999]] == np.float32(1 / 3))
    assert np.sum(y[0] != 0) == 3
    assert y[1, 0] == 1 and np.all(y[1, 1:] == 0)


def test_strided_rows_without_copy():
    base = rng.uniform(-10, 10, size=(20, 300)).astype(np.float32)
    x = base[::3, 5:250]
    out_base = np.full((7, 400), 7.0, dtype=np.float32)
    out = out_base[:, 100:345]
    y = twopass.softmax(x, out=out)
    assert y is out
    assert_f32_close(out, softmax64(x))
    assert np.all(out_base[:, :100] == 7) and np.all(out_base[:, 345:] == 7)


@pytest.mark.parametrize("view", [
    lambda a: a[:, :, ::2],          # strided last axis
    lambda a: a[::-1],               # rows backwards
    lambda a: a[:, ::2, :],          # rows not one stride apart
    lambda a: a.transpose(1, 0, 2),  # non-collapsible leading axes
])
def test_layouts_that_need_a_copy(view):
    x = view(rng.uniform(-10, 10, size=(6, 8, 40)).astype(np.float32))
    assert_f32_close(twopass.softmax(x), softmax64(x))
    out = view(np.zeros((6, 8, 40), dtype=np.float32))
    twopass.softmax(x, out=out)
    assert_f32_close(out, softmax64(x))


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_axes(axis, dtype):
    x = rng.uniform(-8, 8, size=(5, 6, 7)).astype(dtype)
    y = twopass.softmax(x, axis=axis)
    assert y.shape == x.shape and y.dtype == x.dtype
    r = softmax64(x, axis=axis)
    if dtype == np.float32:
        assert_f32_close(y, r, axis=axis)
    else:
        assert_f16_close(y, r)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("axis", [-1, 0])
def test_in_place(axis, dtype):
    x = rng.uniform(-8, 8, size=(9, 3000)).astype(dtype)
    expected = twopass.softmax(x, axis=axis)
    y = twopass.softmax(x, axis=axis, out=x)
    assert y is x
    assert np.array_equal(x, expected)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("shape", [(1, 1), (3, 200), (5, 4097), (1, 50000)])
def test_f16_random(shape, algorithm):
    x = rng.uniform(-10, 10, size=shape).astype(np.float16)
    y = twopass.softmax(x, algorithm=algorithm)
    assert_f16_close(y, softmax64(x))


def test_f16_special_values():
    x = rng.uniform(-5, 5, size=(5, 100)).astype(np.float16)
    x[0, 3] = np.nan
    x[1, :] = -np.inf
    x[2, [1, 2]] = np.inf
    x[3, :] = np.float16(65504)
    x[3, 0] = np.float16(-65504)
    x[4, ::2] = -np.inf
    y = twopass.softmax(x)
    assert_f16_close(y, softmax64(x))
    assert np.all(np.isnan(y[1]))
    assert np.all(twopass.softmax(x, masked_row_zero=True)[1] == 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("shape", [(64, 1000), (1, 300000), (3, 100000)])
def test_thread_counts_bitwise_identical(shape, dtype):
    x = rng.uniform(-10, 10, size=shape).astype(dtype)
    one = twopass.softmax(x, threads=1)
    assert np.array_equal(one, twopass.softmax(x, threads=2))
    assert np.array_equal(one, twopass.softmax(x, threads=3))
    assert np.array_equal(one, twopass.softmax(x))


def test_long_row_2_24():
    x = rng.uniform(-10, 10, size=1 << 24).astype(np.float32)
    y = twopass.softmax(x)
    r = softmax64(x)
    assert_f32_close(y, r)
    assert abs(y.astype(np.float64).sum() - 1) <= 1e-6


def test_empty_arrays():
    assert twopass.softmax(np.zeros((0, 5), dtype=np.float32)).shape == (0, 5)
    assert twopass.softmax(np.zeros((3, 0), dtype=np.float16)).shape == (3, 0)


@pytest.mark.parametrize("call", [
    lambda: twopass.softmax(np.zeros(4)),                                    # float64
    lambda: twopass.softmax(np.zeros(4, dtype=np.int32)),
    lambda: twopass.softmax([1.0, 2.0]),                                     # list -> float64
    lambda: twopass.softmax(np.float32(1.0)),                                # 0-d
    lambda: twopass.softmax(np.zeros((2, 3), dtype=np.float32), axis=2),
    lambda: twopass.softmax(np.zeros((2, 3), dtype=np.float32), axis=-3),
    lambda: twopass.softmax(np.zeros((2, 3), dtype=np.float32), axis=1.0),
    lambda: twopass.softmax(np.zeros(3, dtype=np.float32), algorithm="fast"),
    lambda: twopass.softmax(np.zeros(3, dtype=np.float32), threads=0),
    lambda: twopass.softmax(np.zeros(3, dtype=np.float32), threads=2.5),
    lambda: twopass.softmax(np.zeros(3, dtype=np.float32), out=np.zeros(4, dtype=np.float32)),
    lambda: twopass.softmax(np.zeros(3, dtype=np.float32), out=np.zeros(3, dtype=np.float16)),
    lambda: twopass.softmax(np.zeros(3, dtype=np.float32), out=[0.0, 0.0, 0.0]),
])
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_read_only_out_and_partial_overlap():
    out = np.zeros(3, dtype=np.float32)
    out.flags.writeable = False
    with pytest.raises(ValueError):
        twopass.softmax(np.zeros(3, dtype=np.float32), out=out)
    buf = np.zeros(20, dtype=np.float32)
    with pytest.raises(ValueError, match="invalid_parameter"):
        twopass.softmax(buf[:10], out=buf[5:15])


def test_low_level_errors():
    from twopass import _twopass
    x = np.zeros((2, 3), dtype=np.float32)
    with pytest.raises(ValueError):
        _twopass.softmax_rows(x, x, 0x3, 1)  # two algorithm flags
    with pytest.raises(ValueError):
        _twopass.softmax_rows(x, x, 0x100, 1)  # unknown flag
    with pytest.raises(ValueError):
        _twopass.softmax_rows(x[:, ::2], np.zeros((2, 2), dtype=np.float32), 0, 1)


def test_docstrings():
    assert "Parameters" in twopass.softmax.__doc__ and "Raises" in twopass.softmax.__doc__
    assert twopass.isa() in ("scalar", "sse2", "avx2", "avx512f")
    assert twopass.library_version().count(".") == 2
