"""The project's own developer tools: the shared test vectors' writers and the per-call overhead
measurement. Not part of the runner: kept out of the wheel (pyproject.toml packages only
``mlbridge_runner*``) and the npm tarball (package.json ``files``). Run from ``python-runner/``:
``python -m mlbridge_devtools.write_vectors``, ``python -m mlbridge_devtools.overhead``."""
