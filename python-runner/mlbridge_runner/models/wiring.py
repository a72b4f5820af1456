"""The runner's model options and their start-up: ``--model-store`` / ``--model-dir`` and
``--allow-pickle-models``."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from pathlib import Path

from .artifacts import BlobArtifacts
from .custom import formats_for
from .records import model_topic_for
from .runtime import ModelRuntime

if TYPE_CHECKING:
    from ..config import RunnerConfig
    from ..registry import Registry
    from .topic import ModelFollower

ENV_MODEL_DIR = "MLBRIDGE_MODEL_DIR"
ENV_MODEL_STORE = "MLBRIDGE_MODEL_STORE"
#: Set by :func:`start_models` for the runner's worker processes (``--isolation process`` calls,
#: ``--job-isolation process`` jobs), which follow the model topic themselves.
_ENV_TOPIC = "MLBRIDGE_MODEL_TOPIC"
_ENV_BROKERS = "MLBRIDGE_MODEL_BROKERS"
_ENV_ALLOW_PICKLE = "MLBRIDGE_ALLOW_PICKLE_MODELS"


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("models (docs/models.md)")
    group.add_argument(
        "--model-dir", default=os.environ.get(ENV_MODEL_DIR, "").strip() or None, metavar="DIR",
        help=f"directory every runner can read where saved model versions are stored (env {ENV_MODEL_DIR}); "
        "enables progress.save_model() and @pipeline(model=...)",
    )
    group.add_argument(
        "--model-store", default=os.environ.get(ENV_MODEL_STORE, "").strip() or None, metavar="URL",
        help=f"blob store for saved model versions, file:///dir or s3://bucket/prefix (boto3; env {ENV_MODEL_STORE}); "
        "like --model-dir, which is the same as file://DIR",
    )
    group.add_argument("--model-topic", default=None, help="compacted topic of model versions (default <request topic>.models)")
    group.add_argument(
        "--allow-pickle-models", action="store_true",
        help="also load pickle-based model formats (joblib). Unpickling runs code chosen by whoever wrote the "
        "model: only when every writer of the model store is trusted",
    )


def start_models(args: argparse.Namespace, config: RunnerConfig, registry: Registry) -> ModelFollower | None:
    """Give ``registry`` a :class:`ModelRuntime` following the model topic; None without a store."""
    store = model_store_url(args)
    if store is None:
        return None
    from .topic import ModelFollower, ModelPublisher, ensure_model_topic

    extra = dict(config.kafka_settings)
    topic = args.model_topic or model_topic_for(config.request_topic)
    ensure_model_topic({**extra, "bootstrap.servers": config.brokers}, topic)
    runtime = ModelRuntime(
        BlobArtifacts.open(store), ModelPublisher(config.brokers, topic, extra),
        formats_for(registry, args.allow_pickle_models),
    )
    follower = ModelFollower(config.brokers, topic, runtime.view, extra)
    follower.start()
    registry.models = runtime
    if not extra:  # TLS/SASL settings hold secrets: never put in the environment; workers go without
        os.environ.update({
            ENV_MODEL_STORE: store, _ENV_TOPIC: topic, _ENV_BROKERS: config.brokers,
            _ENV_ALLOW_PICKLE: "1" if args.allow_pickle_models else "",
        })
    return follower


def model_store_url(args: argparse.Namespace) -> str | None:
    """The model store's URL: ``--model-store``, else ``--model-dir`` as a ``file://`` URL."""
    if args.model_store is not None:
        return str(args.model_store)
    return None if args.model_dir is None else Path(args.model_dir).resolve().as_uri()


def start_worker_models(registry: Registry) -> ModelFollower | None:
    """In a worker process: the same models as the runner that started it, if it has a store."""
    store, topic, brokers = (os.environ.get(k) for k in (ENV_MODEL_STORE, _ENV_TOPIC, _ENV_BROKERS))
    if not store or not topic or not brokers:
        return None
    from .topic import ModelFollower, ModelPublisher

    runtime = ModelRuntime(
        BlobArtifacts.open(store), ModelPublisher(brokers, topic),
        formats_for(registry, bool(os.environ.get(_ENV_ALLOW_PICKLE))),
    )
    follower = ModelFollower(brokers, topic, runtime.view)
    follower.start()
    registry.models = runtime
    return follower
