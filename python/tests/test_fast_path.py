"""The one-call path of twopass.softmax / log_softmax (_twopass.fast_rows): which
arguments it takes, and that it gives exactly what the general path gives."""
import numpy as np
import pytest

import twopass
from twopass import _twopass

rng = np.random.default_rng(29)


@pytest.mark.parametrize("make", [
    lambda d: rng.uniform(-9, 9, size=(7, 300)).astype(d),
    lambda d: rng.uniform(-9, 9, size=(3, 4, 50)).astype(d),         # C-contiguous, 3-D
    lambda d: rng.uniform(-9, 9, size=(6, 400)).astype(d)[::2, 10:300],  # one row stride
    lambda d: rng.uniform(-9, 9, size=(1, 5000)).astype(d),
    lambda d: rng.uniform(-9, 9, size=(200,)).astype(d),
    lambda d: rng.uniform(-9, 9, size=(4, 1, 3, 33)).astype(d)[..., 1:],  # unit axis
])
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("log", [False, True])
def test_fast_path_taken_and_equal(make, dtype, log):
    x = make(dtype)
    flags = _twopass.FLAG_ALGORITHM_TWO_PASS if log else 0
    fast = _twopass.fast_rows(x, -1, None, flags, 1, log)
    assert fast is not None and fast.shape == x.shape and fast.dtype == x.dtype
    assert fast.flags.c_contiguous
    # The general path: an axis given as a numpy integer is declined by fast_rows.
    function = twopass.log_softmax if log else twopass.softmax
    slow = function(x, axis=np.int64(x.ndim - 1), threads=1)
    assert np.array_equal(fast.view(np.uint8), slow.view(np.uint8))
    assert np.array_equal(function(x, threads=1).view(np.uint8), slow.view(np.uint8))


def test_strided_views_of_typed_data():
    base = rng.uniform(-9, 9, size=(8, 500)).astype(np.float32)
    for view in (base[::3], base[:, 7:400], base[1:6, :]):
        out = np.empty_like(view)
        assert _twopass.fast_rows(view, -1, out, 0, 1, False) is out
        assert np.array_equal(out, twopass.softmax(view, axis=np.int64(1)))


@pytest.mark.parametrize("case", [
    lambda x: (x, 0, None, None),                        # not the last axis
    lambda x: (x, True, None, None),                     # bool axis
    lambda x: (x, -1, None, 0),                          # threads 0
    lambda x: (x, -1, None, True),                       # bool threads
    lambda x: (x.astype(np.float64), -1, None, None),    # dtype
    lambda x: (x.astype(">f4"), -1, None, None),         # byte order
    lambda x: (x.T, -1, None, None),                     # rows not contiguous
    lambda x: (x[:, ::-1], -1, None, None),              # backwards rows
    lambda x: (x.tolist(), -1, None, None),              # not an ndarray
    lambda x: (x, -1, np.empty((3, 4), np.float32), None),   # out of another shape
    lambda x: (x, -1, np.empty_like(x, np.float16), None),   # out of another dtype
    lambda x: (x, -1, np.empty_like(x).T.copy().T, None),    # out not row-strided
    lambda x: (x[:0], -1, None, None),                   # empty
    lambda x: (x.reshape(2, 3, 10)[:, 1:], -1, None, None),  # rows of two strides
])
def test_declined_to_the_general_path(case):
    x = rng.uniform(-5, 5, size=(6, 10)).astype(np.float32)
    args = case(x)
    assert _twopass.fast_rows(args[0], args[1], args[2], 0, args[3], False) is None


def test_read_only_out_declined_and_rejected():
    x = rng.uniform(-5, 5, size=(2, 10)).astype(np.float32)
    out = np.empty_like(x)
    out.flags.writeable = False
    assert _twopass.fast_rows(x, -1, out, 0, None, False) is None
    with pytest.raises(ValueError, match="read-only"):
        twopass.softmax(x, out=out)


def test_partial_overlap_raises():
    buffer = rng.uniform(-5, 5, size=40).astype(np.float32)
    x = buffer[:30].reshape(3, 10)
    out = buffer[5:35].reshape(3, 10)
    with pytest.raises(ValueError, match="invalid_parameter"):
        twopass.softmax(x, out=out)
