"""One class per way a model can fail to be saved, found or loaded."""

from __future__ import annotations

from ..errors import MlbridgeRunnerError


class ModelError(MlbridgeRunnerError):
    """Base of the model errors; ``name``/``version`` say which model when known."""

    def __init__(self, message: str, name: str | None = None, version: int | None = None) -> None:
        super().__init__(message)
        self.name = name
        self.version = version


class ModelNotFound(ModelError):
    """No version of the model (or not the pinned one) has been published."""


class UnknownModelFormat(ModelError):
    """A format name nobody registered, or an object no registered format can save."""


class PickleModelRefused(ModelError):
    """A pickle-based format (joblib) was to be loaded without ``--allow-pickle-models``:
    unpickling runs code chosen by whoever wrote the bytes."""


class ModelArtifactCorrupt(ModelError):
    """The stored bytes do not match the size or SHA-256 the version record gives."""


class MissingModelPackage(ModelError):
    """The format needs a package that is not installed (named in ``package``)."""

    def __init__(self, message: str, package: str) -> None:
        super().__init__(message)
        self.package = package


class BadModelRecord(ModelError):
    """A record on the model topic that does not decode."""


class ArtifactExists(ModelError):
    """The store already holds this version's bytes: versions are immutable."""
