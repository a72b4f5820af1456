"""Exceptions raised by the runner package.

Every exception here derives from :class:`MlbridgeRunnerError`::

    MlbridgeRunnerError
     ├── RegistryError ................ building or reading the pipeline whitelist
     │    ├── NotRegistered ........... lookup of a name nobody registered (also a KeyError)
     │    ├── AlreadyRegistered ....... the same name registered twice
     │    └── InvalidPipelineName ..... empty, padded or oddly spelled name
     ├── CodecError ................... bytes <-> values
     │    ├── FramingError ............ single-object frame is wrong (has a DLQ ``reason``)
     │    │    ├── FrameTooShort
     │    │    ├── BadMagic
     │    │    └── UnknownFingerprint
     │    ├── BodyDecodeError ......... Avro body truncated or malformed (DLQ ``reason``)
     │    ├── ValueNotEncodable ....... a Python value has no Value encoding (names the path)
     │    └── ValueNotDecodable ....... Value bytes are malformed (names the path)
     ├── InvalidArguments ............ call arguments do not fit the signature (names the argument)
     ├── IncompatibleArguments ....... a typed call's field this runner's schema lacks would be dropped
     ├── DeadlineExceeded ............ the request's deadline passed before it could run
     ├── PipelineTimeout ............. the pipeline ran past its declared time limit
 ├── Cancelled ................... raised in a pipeline by Progress.raise_if_cancelled()
 ├── JobAttemptsExhausted ........ a job's runner died during each of its allowed attempts
 ├── ResultTooLarge .............. a result does not fit the topic's message limit
     ├── SchemaNotFound .............. the wire schemas are neither packaged nor in the repo
     └── ConfigError ................. bad command line or pipelines file

Errors that reach a caller travel as ``RemoteError`` records with a code from
:mod:`mlbridge_runner.error_codes`; these classes are the runner's own vocabulary.
"""

from __future__ import annotations


class MlbridgeRunnerError(Exception):
    """Root of every error this package raises."""


class RegistryError(MlbridgeRunnerError):
    """Building or reading the pipeline registry failed."""


class NotRegistered(RegistryError, KeyError):
    """No pipeline of that name is registered."""

    def __init__(self, name: str, registered: list[str]) -> None:
        self.name = name
        self.registered = registered
        listed = ", ".join(registered) if registered else "(none)"
        super().__init__(f"no pipeline named {name!r} is registered; registered: {listed}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class AlreadyRegistered(RegistryError):
    """A second pipeline tried to take a name that is already registered."""


class InvalidPipelineName(RegistryError):
    """The name given at registration is not an acceptable pipeline name."""


class CodecError(MlbridgeRunnerError):
    """Encoding or decoding wire bytes failed."""


class FramingError(CodecError):
    """The single-object frame (``C3 01`` + fingerprint) is wrong."""

    reason = "bad-frame"


class FrameTooShort(FramingError):
    """Fewer than the 10 bytes of a frame header."""

    reason = "frame-too-short"


class BadMagic(FramingError):
    """The first two bytes are not ``C3 01``."""

    reason = "bad-magic"


class UnknownFingerprint(FramingError):
    """The frame names a schema fingerprint this runner does not know."""

    reason = "unknown-fingerprint"


class BodyDecodeError(CodecError):
    """The Avro body is truncated, malformed or has trailing bytes."""

    reason = "undecodable-body"


class ValueNotEncodable(CodecError, TypeError):
    """A Python value cannot be written as a ``Value``; ``path`` says where."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"cannot encode value at {path}: {problem}")


class ValueNotDecodable(CodecError, ValueError):
    """``Value`` bytes are malformed; ``path`` says where."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"cannot decode value at {path}: {problem}")


class InvalidArguments(MlbridgeRunnerError, TypeError):
    """The call's arguments do not fit the pipeline; ``argument`` names the culprit if known."""

    def __init__(self, message: str, argument: str | None = None) -> None:
        self.argument = argument
        super().__init__(message)


class IncompatibleArguments(MlbridgeRunnerError):
    """A typed call carries ``field`` (a path, e.g. ``config.momentum``), which this runner's args
    schema lacks, with a value other than its default: reading it would silently drop it. The
    message states the field and both schemas (ref and version) in the fixed form clients parse."""

    def __init__(
        self, pipeline: str, field: str, client_ref: str, client_version: int | None, runner_ref: str, runner_version: int
    ) -> None:
        self.pipeline = pipeline
        self.field = field
        self.client_ref, self.client_version = client_ref, client_version
        self.runner_ref, self.runner_version = runner_ref, runner_version
        client = "unknown" if client_version is None else str(client_version)
        super().__init__(
            f"{pipeline}(): field '{field}' is not in this runner's arguments schema and its value is not the "
            f"field's default, so reading the call would drop it; client schema {client_ref} (version {client}), "
            f"runner schema {runner_ref} (version {runner_version})"
        )


class DeadlineExceeded(MlbridgeRunnerError):
    """The request's deadline passed before the runner could start it."""


class PipelineTimeout(MlbridgeRunnerError):
    """The pipeline ran longer than the ``timeout`` it was registered with."""


class Cancelled(MlbridgeRunnerError):
    """The job or call was cancelled; raised inside a pipeline by ``progress.raise_if_cancelled()``."""


class JobAttemptsExhausted(MlbridgeRunnerError):
    """A job was started ``max_attempts`` times and its runner died each time."""


class ResultTooLarge(MlbridgeRunnerError):
    """A result does not fit the reply or job state topic's message limit."""


class SchemaNotFound(MlbridgeRunnerError):
    """The ``.avsc`` files are neither in the package nor in an enclosing ``schemas/`` folder."""


class ConfigError(MlbridgeRunnerError):
    """The command line or a pipelines file is unusable."""
