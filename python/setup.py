"""Builds the twopass Python package: `pip install ./python` (offline; see README,
"From Python"). The extension module is built by CMake (python/CMakeLists.txt), which
compiles the TwoPass library from this repository statically into it, so the package
needs only Debian's libcpuinfo and libpthreadpool at run time."""
import os
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        output_dir = os.path.dirname(os.path.abspath(self.get_ext_fullpath(ext.name)))
        build_dir = os.path.abspath(os.path.join(self.build_temp, "cmake"))
        os.makedirs(build_dir, exist_ok=True)
        subprocess.check_call([
            "cmake", "-S", HERE, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
            f"-DPYTHON_EXECUTABLE={sys.executable}",
            f"-DTWOPASS_PYTHON_OUTPUT_DIR={output_dir}",
        ])
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "_twopass",
                               "--parallel", str(os.cpu_count() or 1)])


setup(
    name="twopass",
    version="0.1.0",
    description="TwoPass softmax (Two-Pass algorithm) for NumPy arrays and PyTorch tensors",
    packages=["twopass"],
    package_data={"twopass": ["py.typed", "*.pyi"]},
    ext_modules=[Extension("twopass._twopass", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    install_requires=["numpy"],
    zip_safe=False,
)
