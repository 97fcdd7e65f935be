"""twopass.softmax / log_softmax with scale and mask against a float64 reference of
t = x * scale + mask, t formed as the library defines it: the float32 product rounded, then
the float32 sum (README contract; f16 inputs and masks widened exactly first)."""
import numpy as np
import pytest

import twopass
from reference import assert_close, log_softmax64, softmax64

rng = np.random.default_rng(31)


def t_of(x, scale, mask):
    """t in float32: the product rounded, then the sum (numpy never fuses the two)."""
    t = x.astype(np.float32) * np.float32(scale)
    if mask is not None:
        t = t + np.broadcast_to(np.asarray(mask).astype(x.dtype).astype(np.float32), x.shape)
    return t


def causal(q, k, dtype=np.float32):
    return np.triu(np.full((q, k), -np.inf, dtype=dtype), k - q + 1)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("mask_shape", ["rows", "one-row", "causal-per-head", "none"])
def test_masks_against_reference(dtype, log, mask_shape):
    b, h, q, k = 2, 3, 5, 600  # rows of 600: two of the library's blocks of 512
    x = rng.uniform(-8, 8, size=(b, h, q, k)).astype(dtype)
    if mask_shape == "rows":
        mask = rng.uniform(-4, 4, size=x.shape).astype(dtype)
        mask[..., ::7] = -np.inf
    elif mask_shape == "one-row":
        mask = rng.uniform(-4, 4, size=(k,)).astype(dtype)
    elif mask_shape == "causal-per-head":
        mask = causal(q, k, dtype)
    else:
        mask = None
    scale = 0.125
    y = (twopass.log_softmax if log else twopass.softmax)(x, scale=scale, mask=mask)
    t = t_of(x, scale, mask)
    r = log_softmax64(t) if log else softmax64(t)
    assert_close(y, r)
    if mask is not None and not log:
        # -inf mask entries give exact zeros.
        assert np.all(y[np.isneginf(np.broadcast_to(mask, x.shape))] == 0)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_axes_and_out(axis):
    x = rng.uniform(-5, 5, size=(4, 7, 33)).astype(np.float32)
    shape = [1, 1, 1]
    shape[axis] = x.shape[axis]
    mask = rng.uniform(-3, 3, size=shape).astype(np.float32)  # varies along `axis` only
    out = np.empty_like(x)
    y = twopass.softmax(x, axis=axis, out=out, scale=-1.5, mask=mask)
    assert y is out
    assert_close(y, softmax64(t_of(x, -1.5, mask), axis=axis))


def test_in_place_and_strided_rows():
    base = rng.uniform(-5, 5, size=(6, 50)).astype(np.float32)
    x = base[::2, 3:43]  # rows with a stride and a sliced last axis
    mask = rng.uniform(-2, 2, size=(3, 40)).astype(np.float32)
    expected = softmax64(t_of(x, 0.5, mask))
    y = twopass.softmax(x, out=x, scale=0.5, mask=mask)
    assert y is x
    assert_close(x, expected)


def test_fully_masked_rows():
    x = rng.uniform(-1, 1, size=(2, 4, 9)).astype(np.float32)
    mask = np.zeros((4, 9), dtype=np.float32)
    mask[1] = -np.inf
    y = twopass.softmax(x, mask=mask)
    assert np.all(np.isnan(y[:, 1]))
    y = twopass.softmax(x, mask=mask, masked_row_zero=True)
    assert np.all(y[:, 1] == 0)
    z = twopass.log_softmax(x, mask=mask, masked_row_ninf=True)
    assert np.all(np.isneginf(z[:, 1]))


def test_scale_only_and_scale_zero():
    x = rng.uniform(-50, 50, size=(3, 1000)).astype(np.float32)
    assert_close(twopass.softmax(x, scale=0.01), softmax64(t_of(x, 0.01, None)))
    y = twopass.softmax(x, scale=0.0)  # t = 0: uniform rows
    assert np.allclose(y, 1.0 / 1000, rtol=1e-6, atol=0)


def test_threads_give_identical_bits():
    x = rng.uniform(-5, 5, size=(4, 2, 70000)).astype(np.float32)
    mask = causal(2, 70000)
    one = twopass.softmax(x, scale=0.3, mask=mask, threads=1)
    for threads in (2, 3):
        assert np.array_equal(one, twopass.softmax(x, scale=0.3, mask=mask, threads=threads))


def test_mask_dtype_converted():
    x = rng.uniform(-5, 5, size=(2, 20)).astype(np.float16)
    mask = rng.uniform(-2, 2, size=(20,))  # float64: converted to x's dtype
    y = twopass.softmax(x, mask=mask)
    assert y.dtype == np.float16
    assert_close(y, softmax64(t_of(x, 1.0, mask)))


@pytest.mark.parametrize("log", [False, True])
def test_misaligned_float32_mask(log):
    # A float32 mask at an odd address (the library takes only aligned float pointers):
    # copied, not passed, for a broadcast row and for one row per x row.
    function = twopass.log_softmax if log else twopass.softmax
    x = rng.uniform(-5, 5, size=(3, 40)).astype(np.float32)
    for shape in [(40,), (3, 40)]:
        values = rng.uniform(-3, 3, size=shape).astype(np.float32)
        data = np.zeros(values.nbytes + 1, dtype=np.uint8)
        mask = np.frombuffer(data.data, dtype=np.float32, count=values.size, offset=1)
        mask = mask.reshape(shape)
        assert mask.ctypes.data % 4 != 0
        data[1:] = values.view(np.uint8).ravel()
        assert np.array_equal(function(x, mask=mask), function(x, mask=values))


@pytest.mark.parametrize("kwargs, message", [
    (dict(scale=float("nan")), "scale must be finite"),
    (dict(scale=float("inf")), "scale must be finite"),
    (dict(scale=1e39), "scale must be finite"),
    (dict(scale="2"), "scale must be a float"),
    (dict(mask=np.zeros((3, 5), dtype=np.float32)), "does not broadcast"),
    (dict(mask=np.zeros((2, 4), dtype=bool)), "must hold numbers"),
])
def test_bad_arguments(kwargs, message):
    x = np.zeros((2, 4), dtype=np.float32)
    before = x.copy()
    with pytest.raises(ValueError, match=message):
        twopass.softmax(x, **kwargs)
    assert np.array_equal(x, before)


def test_mask_overlapping_the_output_is_rejected():
    x = rng.uniform(-1, 1, size=(2, 16)).astype(np.float32)
    out = np.zeros_like(x)
    with pytest.raises(ValueError, match="invalid_parameter"):
        twopass.softmax(x, out=out, mask=out)


@pytest.mark.parametrize("mask_shape", [(7, 300), (1, 1, 7, 300), (2, 1, 7, 300), (300,),
                                        (2, 3, 7, 300), (1,), (1, 1), (7, 1)])
def test_fast_and_general_paths_agree(mask_shape):
    # A mask of x's dtype whose shape is x's trailing dimensions (after unit ones) takes the
    # one-call path; the same values as float64 take the general path (converted first);
    # (2, 1, 7, 300) varies inside a repeated axis and is expanded. Same bits either way.
    x = rng.uniform(-6, 6, size=(2, 3, 7, 300)).astype(np.float32)
    mask64 = rng.uniform(-3, 3, size=mask_shape)
    mask64[..., ::11] = -np.inf
    mask32 = mask64.astype(np.float32)
    for log in (False, True):
        f = twopass.log_softmax if log else twopass.softmax
        fast = f(x, scale=0.25, mask=mask32)
        general = f(x, scale=0.25, mask=mask64)
        assert np.array_equal(fast, general, equal_nan=True)
        r = (log_softmax64 if log else softmax64)(t_of(x, 0.25, mask32))
        assert_close(fast, r)


def test_mask_overlapping_a_later_block_of_the_output_writes_nothing():
    # In place with the mask being x's second block: the library would reject it only at
    # that block; the binding checks first, so x is left as it was.
    x = rng.uniform(-1, 1, size=(2, 3, 16)).astype(np.float32)
    before = x.copy()
    with pytest.raises(ValueError, match="overlaps the output"):
        twopass.softmax(x, out=x, mask=x[1])
    assert np.array_equal(x, before)
