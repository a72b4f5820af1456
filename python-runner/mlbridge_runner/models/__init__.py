"""Trained models handed from training pipelines to inference pipelines (``docs/models.md``)."""

from __future__ import annotations

from .artifacts import DirectoryArtifacts, ModelArtifacts
from .cache import LoadedModel, ModelCache
from .custom import register_model_format
from .errors import (
    ArtifactExists,
    BadModelRecord,
    MissingModelPackage,
    ModelArtifactCorrupt,
    ModelError,
    ModelNotFound,
    PickleModelRefused,
    UnknownModelFormat,
)
from .formats import ModelFormat, ModelFormats
from .records import LATEST, ModelVersion, decode_model_record, encode_model_record, model_topic_for
from .runtime import MODEL_VERSION_HEADER, ModelRuntime, pinned_version
from .saver import ModelSaver
from .view import ModelView

__all__ = [
    "ArtifactExists",
    "BadModelRecord",
    "DirectoryArtifacts",
    "LATEST",
    "LoadedModel",
    "MODEL_VERSION_HEADER",
    "MissingModelPackage",
    "ModelArtifactCorrupt",
    "ModelArtifacts",
    "ModelCache",
    "ModelError",
    "ModelFormat",
    "ModelFormats",
    "ModelNotFound",
    "ModelRuntime",
    "ModelSaver",
    "ModelVersion",
    "ModelView",
    "PickleModelRefused",
    "UnknownModelFormat",
    "decode_model_record",
    "encode_model_record",
    "model_topic_for",
    "pinned_version",
    "register_model_format",
]
