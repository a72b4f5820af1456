"""Only the optional C extension; everything else is in pyproject.toml.

``optional=True``: without a C compiler or Python headers the install still succeeds and the
runner uses the pure-Python codec (``envelope_codec.ACCELERATED`` is then False).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "mlbridge_runner_accel",
            ["mlbridge_runner/codec/_envelope_accel.c"],
            optional=True,
            extra_compile_args=["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
        )
    ]
)
