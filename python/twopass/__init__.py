"""TwoPass softmax for NumPy arrays (and PyTorch tensors through ``twopass.torch``).

The computation runs in the TwoPass C library (Two-Pass softmax, vectorised for
scalar/SSE2/AVX2/AVX512F, chosen at run time); see ``softmax``.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from numpy.typing import ArrayLike

from . import _twopass

__all__ = ["softmax", "log_softmax", "isa", "library_version", "ALGORITHMS"]

#: Names accepted by ``softmax(algorithm=...)`` and the library flag of each.
ALGORITHMS = {
    "auto": 0,
    "two_pass": _twopass.FLAG_ALGORITHM_TWO_PASS,
    "three_pass_reload": _twopass.FLAG_ALGORITHM_THREE_PASS_RELOAD,
    "three_pass_recompute": _twopass.FLAG_ALGORITHM_THREE_PASS_RECOMPUTE,
    "sampled_max_reload": _twopass.FLAG_ALGORITHM_SAMPLED_MAX_RELOAD,
}

_DTYPES = (np.dtype(np.float32), np.dtype(np.float16))
# log_softmax's flags, indexed by masked_row_ninf.
_LOG_FLAGS = (ALGORITHMS["two_pass"], ALGORITHMS["two_pass"] | _twopass.FLAG_MASKED_ROW_ZERO)


def isa() -> str:
    """Return the instruction set whose kernels are used.

    Returns
    -------
    str
        ``"scalar"``, ``"sse2"``, ``"avx2"`` or ``"avx512f"``; capped by the environment
        variable ``TWOPASS_MAX_ISA`` read when the library initialises (first call).

    Raises
    ------
    RuntimeError
        If ``TWOPASS_MAX_ISA`` names an ISA this CPU lacks.
    ValueError
        If ``TWOPASS_MAX_ISA`` names no known ISA.
    """
    return _twopass.isa()


def library_version() -> str:
    """Return the version of the linked TwoPass library as ``"MAJOR.MINOR.PATCH"``."""
    return _twopass.version()


def _row_view(a: np.ndarray) -> Optional[np.ndarray]:
    """A 2-D view (rows, last axis) of ``a`` sharing its memory, or None if none exists."""
    channels = a.shape[-1]
    if channels > 1 and a.strides[-1] != a.itemsize:
        return None
    if a.ctypes.data % a.itemsize:
        return None  # not aligned for its element type (e.g. frombuffer at an odd offset)
    view = a.view()
    try:
        # Assigning the shape never copies: it fails when no view is possible.
        view.shape = (-1, channels) if channels else (a.size, 0)
    except AttributeError:
        return None
    if view.shape[0] > 1 and (view.strides[0] < 0 or view.strides[0] % a.itemsize):
        return None  # rows backwards or not element-aligned: the library cannot take them
    return view


def softmax(
    x: ArrayLike,
    axis: int = -1,
    out: Optional[np.ndarray] = None,
    algorithm: str = "auto",
    threads: Optional[int] = None,
    *,
    masked_row_zero: bool = False,
    scale: Optional[float] = None,
    mask: Optional[ArrayLike] = None,
) -> np.ndarray:
    """Compute the softmax of an array along one axis.

    ``y = exp(x) / sum(exp(x), axis)``, computed by the TwoPass library in single
    precision (sums of long rows merged in double) and never overflowing.

    Parameters
    ----------
    x : array_like
        Input of dtype float32 or float16 (any object with the buffer protocol or the
        array interface; other dtypes are rejected, not converted). At least 1-D.
    axis : int, optional
        The axis along which softmax is computed; default the last. Negative values
        count from the end.
    out : ndarray, optional
        Where to write the result: same shape and dtype as `x`, writeable. ``out=x``
        computes in place. Other overlaps with `x` are not supported (rejected with
        ``ValueError`` on the no-copy path, where the library sees both buffers).
    algorithm : {"auto", "two_pass", "three_pass_reload", "three_pass_recompute", \
"sampled_max_reload"}, optional
        The library's algorithm; "auto" picks by shape, ISA and cache sizes. All meet the
        same accuracy contract and differ in speed only.
    threads : int, optional
        None (default): a process-wide pool of one thread per core, created on first
        use. 1: the calling thread only. N > 1: a pool of N threads (created once and
        cached). Results are bitwise identical for any thread count.
    masked_row_zero : bool, optional
        If True, a row whose inputs are all -inf gives zeros instead of NaN
        (fully masked attention rows).
    scale, mask : optional
        Compute the softmax of ``t = x * scale + mask`` instead of `x` (attention scores
        with a temperature or ``1/sqrt(d)`` and an additive causal or padding mask), in
        the same passes over memory: see "Scale and mask" below.

    Returns
    -------
    ndarray
        The softmax of `x`, with its shape and dtype (`out` if it was given).

    Raises
    ------
    ValueError
        For a dtype other than float32/float16, a 0-d input, an axis out of range, an
        `out` of another shape or dtype or read-only, overlapping buffers, an unknown
        `algorithm` or a bad `threads` (the message names the library status).
    MemoryError
        If the library cannot allocate its scratch space.

    Notes
    -----
    The computation runs with the GIL released. Along the last axis nothing is copied
    when the rows can be described by one row stride (C-contiguous arrays, slices of
    rows, arrays with a sliced last axis...); otherwise, and for any other axis, the
    input is first copied into a C-contiguous array with `axis` moved last (and the
    result copied back into `out`), which costs one extra read and write of the data.

    Special values follow the library's contract: a NaN makes its whole row NaN, -inf
    gives 0, k entries +inf get 1/k each, and a row of only -inf gives NaN (or zeros
    with ``masked_row_zero=True``). With r the float64 softmax, float32 results satisfy
    ``max|y - r| <= 1e-6 * max(r)`` per row, float16 results are within 1 half-precision
    ULP of r.

    Scale and mask: `scale` a finite float (default 1), `mask` array_like of floats that
    broadcasts to the shape of `x` (converted to x's dtype), or None. ``t`` is computed in
    float32 as the rounded product plus the mask (never fused) and every contract above
    holds for ``t``: a -inf mask entry gives an exact 0, a fully masked row NaN (or zeros
    with ``masked_row_zero=True``). A mask that repeats along the leading axes (one row for
    all rows, or a ``(q, k)`` causal mask for every batch and head of ``(b, h, q, k)``
    scores) is read in place, never expanded; a mask that varies along an axis inside
    a repeated one (shape ``(b, 1, q, k)`` against ``(b, h, q, k)``) is expanded first.

    Examples
    --------
    >>> import numpy as np, twopass
    >>> twopass.softmax(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    array([0.09003058, 0.24472846, 0.66524094], dtype=float32)
    >>> causal = np.triu(np.full((3, 3), -np.inf, dtype=np.float32), 1)
    >>> twopass.softmax(np.ones((2, 3, 3), dtype=np.float32), scale=0.5, mask=causal)[0]
    array([[1.        , 0.        , 0.        ],
           [0.5       , 0.5       , 0.        ],
           [0.33333334, 0.33333334, 0.33333334]], dtype=float32)
    """
    flags = ALGORITHMS.get(algorithm) if type(algorithm) is str else None
    if flags is not None:
        if masked_row_zero:
            flags |= _twopass.FLAG_MASKED_ROW_ZERO
        y = _twopass.fast_rows(x, axis, out, flags, threads, False, scale, mask)
        if y is not None:
            return y
    return _rows_operation("softmax", x, axis, out, algorithm, threads,
                           _twopass.FLAG_MASKED_ROW_ZERO if masked_row_zero else 0, log=False,
                           scale=scale, mask=mask)


def log_softmax(
    x: ArrayLike,
    axis: int = -1,
    out: Optional[np.ndarray] = None,
    threads: Optional[int] = None,
    *,
    masked_row_ninf: bool = False,
    scale: Optional[float] = None,
    mask: Optional[ArrayLike] = None,
) -> np.ndarray:
    """Compute the log of the softmax of an array along one axis.

    ``y = x - log(sum(exp(x), axis))``, computed by the TwoPass library in two passes
    over the data: the sum of exp as in `softmax` (single precision, sums of long rows
    merged in double, never overflowing), then one subtraction per element with the
    log-sum-exp held as a pair of floats (no exp in the second pass).

    Parameters
    ----------
    x : array_like
        Input of dtype float32 or float16, at least 1-D (as for `softmax`).
    axis : int, optional
        The axis along which log-softmax is computed; default the last.
    out : ndarray, optional
        Where to write the result: same shape and dtype as `x`, writeable; ``out=x``
        computes in place.
    threads : int, optional
        As for `softmax`: None for a pool of one thread per core, 1 for the calling
        thread, N for a cached pool of N threads. Results are bitwise identical for any
        thread count.
    masked_row_ninf : bool, optional
        If True, a row whose inputs are all -inf gives -inf everywhere (the log of the
        zeros ``softmax(..., masked_row_zero=True)`` gives) instead of NaN.
    scale, mask : optional
        The log-softmax of ``t = x * scale + mask``, as for `softmax` (a -inf mask entry
        gives -inf).

    Returns
    -------
    ndarray
        The log-softmax of `x`, with its shape and dtype (`out` if it was given).

    Raises
    ------
    ValueError
        For a dtype other than float32/float16, a 0-d input, an axis out of range, an
        `out` of another shape or dtype or read-only, overlapping buffers or a bad
        `threads`.
    MemoryError
        If the library cannot allocate its scratch space.

    Notes
    -----
    Copies as `softmax` does (none along the last axis for rows with one row stride).
    With r the float64 log-softmax, float32 results satisfy
    ``|y - r| <= 1e-6 * max(1, |r|)``; float16 results are within 1 half-precision ULP
    of r plus that. A NaN makes its whole row NaN, -inf gives -inf, k entries +inf get
    ``-log(k)`` each and every other entry -inf; results below the format's lowest value
    (float16: -65520) round to -inf.

    Examples
    --------
    >>> import numpy as np, twopass
    >>> twopass.log_softmax(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    array([-2.407606  , -1.407606  , -0.40760598], dtype=float32)
    """
    y = _twopass.fast_rows(x, axis, out, _LOG_FLAGS[bool(masked_row_ninf)], threads, True,
                           scale, mask)
    if y is not None:
        return y
    return _rows_operation("log_softmax", x, axis, out, "two_pass", threads,
                           _twopass.FLAG_MASKED_ROW_ZERO if masked_row_ninf else 0, log=True,
                           scale=scale, mask=mask)


def _mask_rows(name: str, mask: ArrayLike, a: np.ndarray, axis: int) -> np.ndarray:
    """The mask as P rows (a 2-D array of x's dtype, unit stride in a row) such that row r
    of x (axis moved last, leading axes flattened in C order) adds mask row r % P."""
    m = np.asarray(mask)
    if m.dtype.kind not in "fiu":
        raise ValueError(f"{name}: mask must hold numbers, got dtype {m.dtype}")
    if m.dtype != a.dtype:
        m = m.astype(a.dtype)
    try:
        m = np.broadcast_to(m, a.shape)
    except ValueError:
        raise ValueError(f"{name}: mask of shape {np.shape(mask)} does not broadcast to "
                         f"x's shape {a.shape}") from None
    m = np.moveaxis(m, axis, -1)
    # Leading axes along which the mask repeats (stride 0, or length 1) come first: the
    # rest is one block of P rows that repeats for every x row r // P.
    lead = 0
    while lead < m.ndim - 1 and (m.strides[lead] == 0 or m.shape[lead] == 1):
        lead += 1
    block = m[(0,) * lead]
    rows = _row_view(block)
    if rows is None:
        rows = np.require(block, requirements=("C", "A")).reshape(-1, m.shape[-1])
    return rows


def _rows_operation(name: str, x: ArrayLike, axis: int, out: Optional[np.ndarray],
                    algorithm: str, threads: Optional[int], extra_flags: int,
                    log: bool, scale: Optional[float] = None,
                    mask: Optional[ArrayLike] = None) -> np.ndarray:
    """softmax / log_softmax: argument checks, then the rows through the library. The
    general path: the common case (an aligned float32/float16 ndarray along its last axis,
    rows with one row stride, `out` None or alike) is handled before, in one call to the
    compiled module (``_twopass.fast_rows``), which returns None for everything else."""
    a = np.asarray(x)
    if a.dtype not in _DTYPES:
        raise ValueError(f"{name}: dtype must be float32 or float16, got {a.dtype}")
    if a.ndim == 0:
        raise ValueError(f"{name}: x must have at least one dimension")
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise ValueError(f"{name}: axis must be an int, got {axis!r}")
    if not -a.ndim <= axis < a.ndim:
        raise ValueError(f"{name}: axis {axis} is out of range for {a.ndim} dimensions")
    axis = int(axis) % a.ndim
    if not isinstance(algorithm, str) or algorithm not in ALGORITHMS:
        raise ValueError(
            f"{name}: algorithm must be one of {sorted(ALGORITHMS)}, got {algorithm!r}")
    flags = ALGORITHMS[algorithm] | extra_flags
    if threads is None:
        pool = 0
    elif isinstance(threads, (int, np.integer)) and not isinstance(threads, bool) and threads >= 1:
        pool = int(threads)
    else:
        raise ValueError(f"{name}: threads must be None or an int >= 1, got {threads!r}")
    if out is None:
        out = np.empty(a.shape, dtype=a.dtype)
    else:
        if not isinstance(out, np.ndarray):
            raise ValueError(f"{name}: out must be a numpy.ndarray, got {type(out).__name__}")
        if out.shape != a.shape or out.dtype != a.dtype:
            raise ValueError(f"{name}: out has shape {out.shape} and dtype {out.dtype}, "
                             f"x has {a.shape} and {a.dtype}")
        if not out.flags.writeable:
            raise ValueError(f"{name}: out is read-only")
    scaled = scale is not None or mask is not None
    if scaled:
        if scale is None:
            scale = 1.0
        if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer,
                                                              np.floating)):
            raise ValueError(f"{name}: scale must be a float, got {scale!r}")
        scale = float(scale)
        if not abs(scale) <= float(np.finfo(np.float32).max):
            raise ValueError(f"{name}: scale must be finite (in float32), got {scale!r}")
        mask_rows = None if mask is None else _mask_rows(name, mask, a, axis)
    if a.size == 0:
        return out

    def run(rows_in: np.ndarray, rows_out: np.ndarray) -> None:
        if scaled:
            _twopass.softmax_rows_scaled(rows_in, rows_out, flags, pool, log, scale, mask_rows)
        else:
            _twopass.softmax_rows(rows_in, rows_out, flags, pool, log)

    if axis == a.ndim - 1:
        rows_in = _row_view(a)
        rows_out = _row_view(out)
        if rows_in is not None and rows_out is not None:
            run(rows_in, rows_out)
            return out
        if rows_out is not None and not np.shares_memory(a, out):
            run(np.require(a, requirements=("C", "A")).reshape(rows_out.shape), rows_out)
            return out
    # The general path: a C-contiguous, aligned copy with the axis last, computed in place
    # (always a copy: ascontiguousarray would return `a` itself, and x would be overwritten).
    moved = np.array(np.moveaxis(a, axis, -1), order="C", copy=True)
    rows = moved.reshape(-1, moved.shape[-1])
    run(rows, rows)
    np.copyto(out, np.moveaxis(moved, -1, axis))
    return out



def __getattr__(name: str):
    # ``twopass.torch`` is imported on first use only (importing torch takes seconds).
    if name == "torch":
        import importlib
        return importlib.import_module(".torch", __name__)
    raise AttributeError(f"module 'twopass' has no attribute {name!r}")
