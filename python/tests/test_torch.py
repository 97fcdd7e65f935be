"""twopass.torch.softmax and log_softmax against torch.softmax / torch.log_softmax in float64;
skipped without PyTorch."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import twopass.torch as tt  # noqa: E402
from conftest import REPORT  # noqa: E402
from reference import assert_close, assert_f16_close, assert_f32_close, log_softmax64  # noqa: E402,E501


def reference(t, dim):
    return torch.softmax(t.double(), dim).numpy()


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_float32_dims(dim):
    t = torch.empty(4, 50, 300).uniform_(-10, 10)
    y = tt.softmax(t, dim)
    assert y.dtype == torch.float32 and y.shape == t.shape
    assert_f32_close(y.numpy(), reference(t, dim), axis=dim)


@pytest.mark.parametrize("make", [
    lambda t: t[:, ::2],                # strided rows
    lambda t: t[:, :, 3:200],           # sliced last dim
    lambda t: t.transpose(1, 2),        # last dim not unit stride
    lambda t: t[:, :, ::3],
])
def test_float32_strided(make):
    t = make(torch.empty(3, 40, 256).uniform_(-10, 10))
    assert_f32_close(tt.softmax(t).numpy(), reference(t, -1))


def test_float16():
    t = torch.empty(6, 5000).uniform_(-10, 10).half()
    y = tt.softmax(t)
    assert y.dtype == torch.float16
    assert_f16_close(y.numpy(), reference(t, -1))


def test_special_values_match_torch_float64():
    t = torch.tensor([[1.0, float("nan"), 3.0], [float("-inf"), 0.0, 1.0],
                      [1e6, 1e6 + 1, 1e6]])
    assert_f32_close(tt.softmax(t).numpy(), reference(t, -1))


def test_input_is_not_modified():
    t = torch.randn(5, 100)
    before = t.clone()
    tt.softmax(t)
    assert torch.equal(t, before)


def test_fallbacks_warn_once_and_agree():
    tt._warned.clear()
    t = torch.randn(3, 20, dtype=torch.float64)
    with pytest.warns(RuntimeWarning, match="float64"):
        y = tt.softmax(t)
    assert torch.allclose(y, torch.softmax(t, -1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tt.softmax(t)  # no second warning
    g = torch.randn(3, 20, requires_grad=True)
    with pytest.warns(RuntimeWarning, match="autograd"):
        y = tt.softmax(g)
    assert y.grad_fn is not None
    with torch.no_grad():
        assert tt.softmax(g).grad_fn is None


def test_bad_dim():
    with pytest.raises(ValueError):
        tt.softmax(torch.randn(3, 4), 2)


def test_torch_ops_registration():
    if not tt.registered:
        pytest.skip("torch.library registration not available")
    t = torch.randn(7, 33)
    assert torch.equal(torch.ops.twopass.softmax(t, -1), tt.softmax(t, -1))


def max_relative_error(y, r):
    return float(np.max(np.abs(y.astype(np.float64) - r) / r))


def test_accuracy_against_torch_float32_2_20():
    n = 1 << 20
    t = torch.empty(1, n).uniform_(-10, 10)
    r = reference(t, -1)
    ours = tt.softmax(t).numpy()
    theirs = torch.softmax(t, -1).numpy()
    ours_err, theirs_err = max_relative_error(ours, r), max_relative_error(theirs, r)
    ours_sum = abs(ours.astype(np.float64).sum() - 1)
    theirs_sum = abs(theirs.astype(np.float64).sum() - 1)
    REPORT.append(f"1 x 2^20 f32, uniform [-10, 10], max relative error vs float64: "
                  f"twopass {ours_err:.3g} (|sum - 1| {ours_sum:.3g}), "
                  f"torch {torch.__version__} {theirs_err:.3g} (|sum - 1| {theirs_sum:.3g})")
    assert ours_err <= 1e-6
    assert ours_err <= theirs_err


# ---------------------------------------------------------------------------------------
# log_softmax: the reference is torch.log_softmax in float64 wherever it is defined (it
# gives NaN for +inf entries, where the library's contract gives -log(k) and -inf: those
# rows are checked against the contract's own float64 reference).

def log_reference(t, dim):
    return torch.log_softmax(t.double(), dim).numpy()


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2])
def test_log_float32_dims(dim):
    t = torch.empty(4, 50, 300).uniform_(-10, 10)
    y = tt.log_softmax(t, dim)
    assert y.dtype == torch.float32 and y.shape == t.shape
    assert_close(y.numpy(), log_reference(t, dim))


@pytest.mark.parametrize("make", [
    lambda t: t[:, ::2],                # strided rows
    lambda t: t[:, :, 3:200],           # sliced last dim
    lambda t: t.transpose(1, 2),        # last dim not unit stride
    lambda t: t[:, :, ::3],
    lambda t: t.transpose(0, 2)[5:],    # no unit stride anywhere but the first dim
])
def test_log_float32_strided(make):
    t = make(torch.empty(3, 40, 256).uniform_(-10, 10))
    assert_close(tt.log_softmax(t).numpy(), log_reference(t, -1))


@pytest.mark.parametrize("dim", [0, -1])
def test_log_float16(dim):
    t = torch.empty(6, 5000).uniform_(-10, 10).half()
    y = tt.log_softmax(t, dim)
    assert y.dtype == torch.float16
    assert_close(y.numpy(), log_reference(t, dim))


def test_log_float16_below_the_lowest_half():
    t = torch.tensor([[60000.0, -40000.0, 1.0, 0.0]]).half()
    y = tt.log_softmax(t).numpy()
    assert y[0, 1] == -np.inf  # -100000 is below the lowest half
    assert_close(y, log_reference(t, -1))


def test_log_special_values_match_torch_float64():
    t = torch.tensor([[1.0, float("nan"), 3.0, 0.0],          # NaN row
                      [float("-inf"), 0.0, 1.0, float("-inf")],  # -inf entries
                      [float("-inf")] * 4,                      # fully masked: NaN
                      [1e6, 1e6 + 1, 1e6, -1e6],                # huge magnitudes
                      [3e38, -3e38, 3.4e38, 0.0],               # overflowing differences
                      [2.5, 2.5, 2.5, 2.5]])                    # equal values
    y = tt.log_softmax(t).numpy()
    assert_close(y, log_reference(t, -1))
    assert np.all(np.isnan(y[0])) and np.all(np.isnan(y[2]))
    assert y[1, 0] == -np.inf and y[4, 1] == -np.inf


def test_log_positive_infinity_follows_the_contract():
    t = torch.tensor([[float("inf"), 0.0, float("inf"), -5.0], [1.0, float("inf"), 2.0, 3.0]])
    y = tt.log_softmax(t).numpy()
    assert_close(y, log_softmax64(t.numpy()))
    assert np.all(y[0, [0, 2]] == np.float32(-np.log(2.0)))
    assert y[1, 1] == 0.0 and np.all(y[1, [0, 2, 3]] == -np.inf)


@pytest.mark.parametrize("n", [1, 7, 4096, 4097, 1 << 20])
def test_log_random_rows_against_torch(n):
    t = torch.empty(2, n).uniform_(-20, 20)
    assert_close(tt.log_softmax(t).numpy(), log_reference(t, -1))


def test_log_input_is_not_modified():
    t = torch.randn(5, 100)
    before = t.clone()
    tt.log_softmax(t)
    assert torch.equal(t, before)


def test_log_fallbacks_warn_once_and_agree():
    tt._warned.clear()
    t = torch.randn(3, 20, dtype=torch.float64)
    with pytest.warns(RuntimeWarning, match="log_softmax: dtype torch.float64"):
        y = tt.log_softmax(t)
    assert torch.allclose(y, torch.log_softmax(t, -1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tt.log_softmax(t)  # no second warning
    g = torch.randn(3, 20, requires_grad=True)
    with pytest.warns(RuntimeWarning, match="using torch.log_softmax"):
        y = tt.log_softmax(g)
    assert y.grad_fn is not None
    with torch.no_grad():
        assert tt.log_softmax(g).grad_fn is None


def test_log_bad_dim():
    with pytest.raises(ValueError):
        tt.log_softmax(torch.randn(3, 4), -3)
    with pytest.raises(ValueError):
        tt.log_softmax(torch.tensor(1.0))


def test_log_torch_ops_registration():
    if not tt.registered:
        pytest.skip("torch.library registration not available")
    t = torch.randn(7, 33)
    assert torch.equal(torch.ops.twopass.log_softmax(t, -1), tt.log_softmax(t, -1))
    assert torch.equal(torch.ops.twopass.log_softmax(t), tt.log_softmax(t))
    assert torch.equal(torch.ops.twopass.log_softmax(t, 0), tt.log_softmax(t, 0))


def test_log_accuracy_against_torch_float32_2_20():
    n = 1 << 20
    t = torch.empty(1, n).uniform_(-10, 10)
    r = log_reference(t, -1)
    ours = np.max(np.abs(tt.log_softmax(t).numpy().astype(np.float64) - r))
    theirs = np.max(np.abs(torch.log_softmax(t, -1).numpy().astype(np.float64) - r))
    REPORT.append(f"1 x 2^20 f32 log-softmax, uniform [-10, 10], max absolute error vs float64: "
                  f"twopass {ours:.3g}, torch {torch.__version__} {theirs:.3g}")
    assert ours <= 1e-6 * max(1.0, float(np.max(np.abs(r))))


@pytest.mark.parametrize("log", [False, True])
def test_scale_and_causal_mask(log):
    b, h, q, k = 2, 4, 16, 700
    scores = torch.empty(b, h, q, k).uniform_(-8, 8)
    causal = torch.triu(torch.full((q, k), float("-inf")), k - q + 1)
    scale = 0.125
    y = (tt.log_softmax if log else tt.softmax)(scores, -1, scale=scale, mask=causal)
    t = (scores * scale + causal).double()  # float32 product, then sum, as the library
    expected = (torch.log_softmax if log else torch.softmax)(t, -1).numpy()
    assert_close(y.numpy(), expected)


def test_scale_mask_fallback_applies_them():
    t = torch.empty(3, 50).uniform_(-5, 5).double()  # float64: falls back to torch
    mask = torch.empty(50).uniform_(-2, 2).double()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = tt.softmax(t, -1, scale=0.5, mask=mask)
    assert torch.allclose(y, torch.softmax(t * 0.5 + mask, -1))
