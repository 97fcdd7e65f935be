"""``twopass.torch.softmax``: TwoPass softmax for PyTorch CPU tensors (inference only).

CPU float32/float16 tensors are computed by ``twopass.softmax`` on NumPy views that share
the tensors' memory; anything else (other dtypes, non-CPU devices, sparse tensors,
tensors that need a gradient) goes to ``torch.softmax``, with a warning the first time
for each reason. There is no backward: results computed by TwoPass carry no autograd
history, which is why tensors that require a gradient (with grad mode on) fall back.

When ``torch.library`` is available the function is also registered as the operator
``torch.ops.twopass.softmax(Tensor self, int dim=-1) -> Tensor`` (CPU).
"""
from __future__ import annotations

import warnings
from typing import Optional

import torch

import twopass as _twopass

__all__ = ["softmax"]

_warned = set()
_DTYPES = (torch.float32, torch.float16)


def _fallback(t: "torch.Tensor", dim: int, reason: str) -> "torch.Tensor":
    if reason not in _warned:
        _warned.add(reason)
        warnings.warn(f"twopass.torch.softmax: {reason}; using torch.softmax", RuntimeWarning,
                      stacklevel=3)
    return torch.softmax(t, dim)


def softmax(t: "torch.Tensor", dim: int = -1, *, threads: Optional[int] = None) -> "torch.Tensor":
    """Compute the softmax of a tensor along one dimension with TwoPass.

    Parameters
    ----------
    t : torch.Tensor
        Input. CPU float32 and float16 tensors (contiguous or strided) are computed by
        TwoPass; others fall back to ``torch.softmax`` with a one-time warning.
    dim : int, optional
        The dimension along which softmax is computed; default the last.
    threads : int, optional
        As in ``twopass.softmax``: None for all cores, 1 for the calling thread.

    Returns
    -------
    torch.Tensor
        A new tensor of the shape and dtype of `t`, C-contiguous. Computed by TwoPass it
        has no autograd history (inference only).

    Raises
    ------
    ValueError
        For a `dim` out of range (as ``twopass.softmax``), or a 0-d tensor.
    """
    if not isinstance(t, torch.Tensor):
        raise ValueError(f"twopass.torch.softmax: expected a torch.Tensor, got {type(t).__name__}")
    if t.device.type != "cpu":
        return _fallback(t, dim, f"device {t.device.type} is not supported")
    if t.layout != torch.strided:
        return _fallback(t, dim, f"layout {t.layout} is not supported")
    if t.dtype not in _DTYPES:
        return _fallback(t, dim, f"dtype {t.dtype} is not supported")
    if t.requires_grad and torch.is_grad_enabled():
        return _fallback(t, dim, "autograd is not supported (inference only)")
    source = t.detach()
    if source.is_conj() or source.is_neg():
        source = source.resolve_conj().resolve_neg()
    out = torch.empty(source.shape, dtype=source.dtype)
    if source.dim() == 0:
        raise ValueError("twopass.torch.softmax: the tensor must have at least one dimension")
    _twopass.softmax(source.numpy(), axis=dim, out=out.numpy(), threads=threads)
    return out


def _register() -> bool:
    """Registers torch.ops.twopass.softmax when torch.library allows it."""
    try:
        library = torch.library.Library("twopass", "DEF")
        library.define("softmax(Tensor self, int dim=-1) -> Tensor")
        library.impl("softmax", lambda t, dim=-1: softmax(t, dim), "CPU")
    except Exception:  # older torch, or registered already by another import
        return False
    globals()["_library"] = library  # the registration lives as long as this object
    return True


registered = _register()
