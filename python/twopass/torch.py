"""``twopass.torch``: TwoPass softmax and log-softmax for PyTorch CPU tensors (inference only).

CPU float32/float16 tensors are computed by ``twopass.softmax`` / ``twopass.log_softmax``
on NumPy views that share the tensors' memory; anything else (other dtypes, non-CPU
devices, sparse tensors, tensors that need a gradient) goes to ``torch.softmax`` /
``torch.log_softmax``, with a warning the first time for each function and reason. There
is no backward: results computed by TwoPass carry no autograd history, which is why
tensors that require a gradient (with grad mode on) fall back.

When ``torch.library`` is available the functions are also registered as the operators
``torch.ops.twopass.softmax(Tensor self, int dim=-1) -> Tensor`` and
``torch.ops.twopass.log_softmax(Tensor self, int dim=-1) -> Tensor`` (CPU).
"""
from __future__ import annotations

import warnings
from typing import Callable, Optional

import torch

import twopass as _twopass

__all__ = ["softmax", "log_softmax"]

_warned = set()
_DTYPES = (torch.float32, torch.float16)


def _fallback(name: str, function: Callable, t: "torch.Tensor", dim: int,
              reason: str, scale: Optional[float] = None, mask=None) -> "torch.Tensor":
    if (name, reason) not in _warned:
        _warned.add((name, reason))
        warnings.warn(f"twopass.torch.{name}: {reason}; using torch.{name}", RuntimeWarning,
                      stacklevel=4)
    if scale is not None:
        t = t * scale
    if mask is not None:
        t = t + torch.as_tensor(mask, device=t.device).to(t.dtype)
    return function(t, dim)


def _compute(name: str, torch_function: Callable, numpy_function: Callable,
             t: "torch.Tensor", dim: int, threads: Optional[int],
             scale: Optional[float] = None, mask=None) -> "torch.Tensor":
    """The checks and fallbacks of softmax and log_softmax, then TwoPass on NumPy views."""
    if not isinstance(t, torch.Tensor):
        raise ValueError(f"twopass.torch.{name}: expected a torch.Tensor, "
                         f"got {type(t).__name__}")
    extra = {} if scale is None and mask is None else {"scale": scale, "mask": mask}
    if isinstance(mask, torch.Tensor):
        if mask.device.type != "cpu":
            return _fallback(name, torch_function, t, dim,
                             f"mask on device {mask.device.type} is not supported", **extra)
        extra["mask"] = mask.detach().resolve_conj().resolve_neg().numpy()
    if t.device.type != "cpu":
        return _fallback(name, torch_function, t, dim,
                         f"device {t.device.type} is not supported", scale=scale, mask=mask)
    if t.layout != torch.strided:
        return _fallback(name, torch_function, t, dim, f"layout {t.layout} is not supported",
                         scale=scale, mask=mask)
    if t.dtype not in _DTYPES:
        return _fallback(name, torch_function, t, dim, f"dtype {t.dtype} is not supported",
                         scale=scale, mask=mask)
    if t.requires_grad and torch.is_grad_enabled():
        return _fallback(name, torch_function, t, dim,
                         "autograd is not supported (inference only)", scale=scale, mask=mask)
    source = t.detach()
    if source.is_conj() or source.is_neg():
        source = source.resolve_conj().resolve_neg()
    if source.dim() == 0:
        raise ValueError(f"twopass.torch.{name}: the tensor must have at least one dimension")
    out = torch.empty(source.shape, dtype=source.dtype)
    numpy_function(source.numpy(), axis=dim, out=out.numpy(), threads=threads, **extra)
    return out


def softmax(t: "torch.Tensor", dim: int = -1, *, threads: Optional[int] = None,
            scale: Optional[float] = None, mask=None) -> "torch.Tensor":
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
    scale, mask : optional
        The softmax of ``t * scale + mask`` (attention scores), as in ``twopass.softmax``:
        `mask` a CPU tensor or array of numbers that broadcasts to `t`'s shape; repeated
        masks (a causal ``(q, k)`` mask for every batch and head) are not expanded. The
        fallback computes ``torch.softmax(t * scale + mask, dim)``.

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
    return _compute("softmax", torch.softmax, _twopass.softmax, t, dim, threads, scale, mask)


def log_softmax(t: "torch.Tensor", dim: int = -1, *, threads: Optional[int] = None,
                scale: Optional[float] = None, mask=None) -> "torch.Tensor":
    """Compute the log-softmax of a tensor along one dimension with TwoPass.

    ``y = x - log(sum(exp(x), dim))``, computed by ``twopass.log_softmax`` (two passes,
    never overflowing).

    Parameters
    ----------
    t : torch.Tensor
        Input. CPU float32 and float16 tensors (contiguous or strided) are computed by
        TwoPass; others fall back to ``torch.log_softmax`` with a one-time warning.
    dim : int, optional
        The dimension along which log-softmax is computed; default the last.
    threads : int, optional
        As in ``twopass.log_softmax``: None for all cores, 1 for the calling thread.
    scale, mask : optional
        The log-softmax of ``t * scale + mask``, as for `softmax`.

    Returns
    -------
    torch.Tensor
        A new tensor of the shape and dtype of `t`, C-contiguous. Computed by TwoPass it
        has no autograd history (inference only).

    Raises
    ------
    ValueError
        For a `dim` out of range (as ``twopass.log_softmax``), or a 0-d tensor.

    Notes
    -----
    Special values as ``twopass.log_softmax``: a NaN makes its whole row NaN, -inf gives
    -inf, k entries +inf get ``-log(k)`` each and the others -inf, a row of only -inf
    gives NaN (as ``torch.log_softmax``, which gives NaN for +inf entries too); results
    below the format's lowest value (float16: -65520) round to -inf.
    """
    return _compute("log_softmax", torch.log_softmax, _twopass.log_softmax, t, dim, threads,
                    scale, mask)


def _register() -> bool:
    """Registers torch.ops.twopass.softmax and log_softmax when torch.library allows it."""
    try:
        library = torch.library.Library("twopass", "DEF")
        library.define("softmax(Tensor self, int dim=-1) -> Tensor")
        library.impl("softmax", lambda t, dim=-1: softmax(t, dim), "CPU")
        library.define("log_softmax(Tensor self, int dim=-1) -> Tensor")
        library.impl("log_softmax", lambda t, dim=-1: log_softmax(t, dim), "CPU")
    except Exception:  # older torch, or registered already by another import
        return False
    globals()["_library"] = library  # the registration lives as long as this object
    return True


registered = _register()
