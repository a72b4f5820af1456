"""``python -m mlbridge_runner catalog ...``

- ``catalog --pipelines FILE_OR_MODULE [--json]``: the entries these pipelines would publish, with
  no broker (``npx mlbridge codegen --pipelines`` reads the ``--json`` form: a JSON array of
  objects with ``key`` and the ``CatalogEntry`` fields, schemas as Avro JSON text);
- ``catalog list [--brokers B] [--catalog-topic T] [--json]``: the live entries of the topic;
- ``catalog retire NAME VERSION [--brokers B] [--catalog-topic T] [--force]``: write the tombstone
  of ``pipeline/NAME/VERSION``.

Exit codes: 0 done, 1 the broker could not be read or written, 2 bad command line, pipelines or
an unknown entry to retire.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
import uuid
from typing import Sequence, TextIO

from typing import TYPE_CHECKING

from ..config import DEFAULT_BROKERS, DEFAULT_CATALOG_TOPIC, ENV_BROKERS, ENV_CATALOG_TOPIC, env_default, is_valid_topic
from ..errors import ConfigError, MlbridgeRunnerError
from ..transport.security_args import add_security_arguments, security_config

if TYPE_CHECKING:  # the rest needs fastavro / confluent-kafka, checked for in main()
    from ..registry import Registry
    from .entries import CatalogEntry
    from .view import CatalogView

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

PROG = "mlbridge-runner catalog"


def _fail(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def _broker_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--brokers",
        default=env_default(ENV_BROKERS, DEFAULT_BROKERS),
        help=f"HOST:PORT,... (env {ENV_BROKERS}, default {DEFAULT_BROKERS})",
    )
    parser.add_argument(
        "--catalog-topic",
        default=env_default(ENV_CATALOG_TOPIC, DEFAULT_CATALOG_TOPIC),
        help=f"the catalogue topic (env {ENV_CATALOG_TOPIC}, default {DEFAULT_CATALOG_TOPIC})",
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to read or write the topic (default 10)")
    add_security_arguments(parser)  # the runner's TLS/SASL flags and variables


def _version(text: str) -> int:
    try:
        version = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"VERSION must be an integer >= 1, got {text!r}") from None
    if version < 1:
        raise argparse.ArgumentTypeError(f"VERSION must be an integer >= 1, got {text!r}")
    return version


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Show the catalogue entries of pipelines (no broker), or list and retire published entries.",
    )
    parser.add_argument(
        "--pipelines",
        action="append",
        metavar="FILE_OR_MODULE",
        help="print the entries these pipelines publish, without a broker (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON array of entries")
    actions = parser.add_subparsers(dest="action", metavar="{list,retire}")
    listing = actions.add_parser("list", help="the live entries of the catalogue topic")
    _broker_options(listing)
    listing.add_argument("--json", action="store_true", help="print a JSON array of entries")
    retire = actions.add_parser("retire", help="retire pipeline/NAME/VERSION with a tombstone")
    retire.add_argument("name", metavar="NAME")
    retire.add_argument("version", metavar="VERSION", type=_version)
    retire.add_argument("--force", action="store_true", help="write the tombstone even if no such entry is published")
    _broker_options(retire)
    args = parser.parse_args(argv)
    if args.action is None and not args.pipelines:
        parser.error("give --pipelines FILE_OR_MODULE, or one of the actions list, retire")
    if args.action is not None and args.pipelines:
        parser.error(f"--pipelines does not go with {args.action!r}")
    if args.action is not None and not is_valid_topic(args.catalog_topic):
        parser.error(f"catalog topic {args.catalog_topic!r} is not a valid Kafka topic name")
    return args


def _print_entries(entries: list[CatalogEntry], as_json: bool, out: TextIO) -> None:
    from .entries import CatalogKind, entry_to_json

    if as_json:
        json.dump([entry_to_json(e) for e in entries], out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    for e in entries:
        if e.kind is CatalogKind.SCHEMA:
            print(f"schema    {e.name}", file=out)
            continue
        kind = "typed" if e.typed else "untyped"
        timeout = "" if e.timeout_ms is None else f"  timeout {e.timeout_ms / 1000:g} s"
        runner = f"  by {e.runner}" if e.runner else ""
        print(f"pipeline  {e.name} v{e.version}  {kind}  args {e.args_ref}  result {e.result_ref}{timeout}{runner}", file=out)
        if e.doc:
            print(f"          {e.doc.splitlines()[0]}", file=out)


def _dump(specs: list[str], registry: Registry, as_json: bool, out: TextIO) -> int:
    from ..loading import load_pipelines
    from .startup import own_entries

    for spec in specs:
        try:
            load_pipelines(spec)
        except (ConfigError, MlbridgeRunnerError) as exc:
            _fail(str(exc))
            return EXIT_USAGE
        except Exception as exc:  # noqa: BLE001 - the user's module failed to import
            _fail(f"importing {spec!r} failed: {type(exc).__name__}: {exc}")
            traceback.print_exc(file=sys.stderr)
            return EXIT_USAGE
    if not registry:
        _fail(f"no pipelines registered by {', '.join(specs)}: decorate functions with @pipeline")
        return EXIT_USAGE
    try:
        entries = own_entries(registry)
    except MlbridgeRunnerError as exc:
        _fail(str(exc))
        return EXIT_USAGE
    _print_entries(entries, as_json, out)
    return EXIT_OK


def _read(args: argparse.Namespace) -> CatalogView:
    """A view of the topic, read to its end (the caller closes it)."""
    from .view import CatalogView, view_settings

    view = CatalogView({**view_settings(args.brokers, f"mlbridge-catalog-cli-{uuid.uuid4().hex[:8]}"), **args.kafka}, args.catalog_topic)
    try:
        view.catch_up(args.timeout)
    except BaseException:
        view.close()
        raise
    return view


def _list(args: argparse.Namespace, out: TextIO) -> int:
    from .view import CatalogUnavailable

    try:
        view = _read(args)
    except CatalogUnavailable as exc:
        _fail(str(exc))
        return EXIT_FAILED
    try:
        _print_entries(view.entries(), args.json, out)
    finally:
        view.close()
    return EXIT_OK


def _retire(args: argparse.Namespace, out: TextIO) -> int:
    from .entries import pipeline_key
    from .publisher import CatalogPublishError, publish_tombstone, publisher_settings
    from .view import CatalogUnavailable

    key = pipeline_key(args.name, args.version)
    if not args.force:
        try:
            view = _read(args)
        except CatalogUnavailable as exc:
            _fail(str(exc))
            return EXIT_FAILED
        try:
            found = view.get(key)
            published = sorted(view.versions(args.name))
        finally:
            view.close()
        if found is None:
            others = ", ".join(str(v) for v in published) or "none"
            _fail(
                f"no entry {key!r} on {args.catalog_topic!r} (published versions of {args.name!r}: {others}); "
                "--force writes the tombstone anyway"
            )
            return EXIT_USAGE
    settings = {**publisher_settings(args.brokers, f"mlbridge-catalog-cli-{uuid.uuid4().hex[:8]}", args.timeout), **args.kafka}
    try:
        publish_tombstone(settings, args.catalog_topic, key, args.timeout)
    except CatalogPublishError as exc:
        _fail(str(exc))
        return EXIT_FAILED
    print(f"retired {key} on {args.catalog_topic}", file=out)
    return EXIT_OK


def main(argv: Sequence[str], registry: Registry | None = None, out: TextIO | None = None) -> int:
    """The ``catalog`` sub-command; ``argv`` is what follows the word ``catalog``."""
    from ..loading import EXIT_MISSING_DEPENDENCIES, missing_dependencies

    missing = missing_dependencies()
    if missing:
        _fail(f"missing Python package(s) {', '.join(missing)} for {sys.executable}: run `npx mlbridge setup-python`")
        return EXIT_MISSING_DEPENDENCIES
    from ..registry import default_registry

    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    stream = out if out is not None else sys.stdout
    if args.action in ("list", "retire"):
        try:
            args.kafka = dict(security_config(args)["kafka_settings"])
        except ConfigError as exc:
            _fail(str(exc))
            return EXIT_USAGE
    if args.action == "list":
        return _list(args, stream)
    if args.action == "retire":
        return _retire(args, stream)
    return _dump(args.pipelines, registry if registry is not None else default_registry, args.json, stream)


__all__ = ["main", "parse_args"]
