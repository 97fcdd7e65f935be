"""twopass.torch.softmax against torch.softmax in float64; skipped without PyTorch."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import twopass.torch as tt  # noqa: E402
from conftest import REPORT  # noqa: E402
from reference import assert_f16_close, assert_f32_close  # noqa: E402


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
