"""Only the optional C extensions; everything else is in pyproject.toml.

``optional=True``: without a C compiler or Python headers the install still succeeds and the
runner uses the pure-Python codecs (``envelope_codec.ACCELERATED`` / ``value.ACCELERATED`` are then False).
"""

from setuptools import Extension, setup

FLAGS = ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"]
SHARED = ["mlbridge_runner/codec/_accel_io.h"]

setup(
    ext_modules=[
        Extension(
            "mlbridge_runner_accel",
            ["mlbridge_runner/codec/_envelope_accel.c"],
            depends=SHARED,
            optional=True,
            extra_compile_args=FLAGS,
        ),
        Extension(
            "mlbridge_runner_value_accel",
            ["mlbridge_runner/codec/_value_accel.c"],
            depends=SHARED,
            optional=True,
            extra_compile_args=FLAGS,
        ),
    ]
)
