"""Run by test_isa.py in a subprocess with TWOPASS_MAX_ISA set: checks the contract on
a few arrays with the ISA it was given. Exit 0: passed; 77: the CPU lacks the ISA;
anything else: failed (the reason on stderr)."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import twopass  # noqa: E402
from reference import assert_f16_close, assert_f32_close, assert_f32_relative, softmax64  # noqa: E402


def main():
    wanted = os.environ["TWOPASS_MAX_ISA"]
    try:
        got = twopass.isa()
    except RuntimeError:
        return 77
    assert got == wanted, f"asked for {wanted}, got {got}"
    rng = np.random.default_rng(3)
    for algorithm in twopass.ALGORITHMS:
        for shape in [(1, 1), (5, 33), (3, 4097), (1, 70000)]:
            x = rng.uniform(-10, 10, size=shape).astype(np.float32)
            y = twopass.softmax(x, algorithm=algorithm)
            assert_f32_close(y, softmax64(x))
            assert_f32_relative(y, softmax64(x))
            h = x.astype(np.float16)
            assert_f16_close(twopass.softmax(h, algorithm=algorithm), softmax64(h))
        special = np.array([[1e6, 1e6 + 1, 0, 1e6],
                            [1.0, np.nan, 2.0, 3.0],
                            [-np.inf] * 4,
                            [np.inf, 1.0, np.inf, -np.inf],
                            [5.0, -np.inf, 5.0, 5.0]], dtype=np.float32)
        assert_f32_close(twopass.softmax(special, algorithm=algorithm), softmax64(special))
        equal = np.full((1, 12345), -2.0, dtype=np.float32)
        assert np.all(np.abs(twopass.softmax(equal, algorithm=algorithm) * 12345.0 - 1) <= 1e-6)
        x = rng.uniform(-10, 10, size=(4, 20000)).astype(np.float32)
        assert np.array_equal(twopass.softmax(x, threads=1, algorithm=algorithm),
                              twopass.softmax(x, threads=2, algorithm=algorithm))
    print(f"isa_check: {got} ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
