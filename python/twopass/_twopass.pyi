"""Type stub of the compiled module twopass._twopass."""
from typing import Optional

import numpy as np

FLAG_ALGORITHM_TWO_PASS: int
FLAG_ALGORITHM_THREE_PASS_RELOAD: int
FLAG_ALGORITHM_THREE_PASS_RECOMPUTE: int
FLAG_ALGORITHM_SAMPLED_MAX_RELOAD: int
FLAG_MASKED_ROW_ZERO: int

def softmax_rows(x: np.ndarray, out: np.ndarray, flags: int, threads: int,
                 log: bool = ...) -> None: ...
def softmax_rows_scaled(x: np.ndarray, out: np.ndarray, flags: int, threads: int, log: bool,
                        scale: float, mask: Optional[np.ndarray]) -> None: ...
def fast_rows(x: object, axis: object, out: object, flags: int, threads: object,
              log: bool, scale: object = ..., mask: object = ...) -> Optional[np.ndarray]: ...
def time_rows(x: np.ndarray, out: np.ndarray, flags: int, threads: int, log: bool,
              calls: int) -> float: ...
def isa() -> str: ...
def version() -> str: ...
