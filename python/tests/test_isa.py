"""Every ISA through TWOPASS_MAX_ISA, one subprocess each (the variable is read once per
process). ISAs this CPU lacks are skipped; a name the library does not know must fail."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def run_check(isa):
    env = dict(os.environ, TWOPASS_MAX_ISA=isa, TWOPASS_LOG_LEVEL="none")
    return subprocess.run([sys.executable, os.path.join(HERE, "isa_check.py")], env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("isa", ["scalar", "sse2", "avx2", "avx512f"])
def test_every_isa(isa):
    result = run_check(isa)
    if result.returncode == 77:
        pytest.skip(f"this CPU lacks {isa}")
    assert result.returncode == 0, result.stdout + result.stderr


def test_unknown_isa_is_an_error():
    env = dict(os.environ, TWOPASS_MAX_ISA="avx9000", TWOPASS_LOG_LEVEL="none")
    code = ("import numpy as np, twopass\n"
            "try:\n    twopass.softmax(np.zeros(3, dtype=np.float32))\n"
            "except ValueError as e:\n    print('ValueError', e)\n")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120, cwd=os.path.dirname(HERE))
    assert result.returncode == 0 and "ValueError" in result.stdout, result.stdout + result.stderr
