"""``python -m mlbridge_runner.blobs gc --store URL --older-than SECONDS``: delete the blobs of
callers that died (docs/protocol.md, "Large payloads by reference"). Run it periodically with an age
well above the longest call timeout."""

from __future__ import annotations

import argparse
import os
import sys

from .store import DEFAULT_BLOB_STORE_URL, open_blob_store
from .sweep import DEFAULT_JOB_BLOB_AGE_S


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlbridge_runner.blobs")
    commands = parser.add_subparsers(dest="command", required=True)
    gc = commands.add_parser("gc", help="delete blobs older than --older-than seconds")
    gc.add_argument("--store", default=os.environ.get("MLBRIDGE_BLOB_STORE") or DEFAULT_BLOB_STORE_URL)
    gc.add_argument("--older-than", type=float, required=True, metavar="SECONDS")
    gc.add_argument(
        "--job-older-than", type=float, default=DEFAULT_JOB_BLOB_AGE_S, metavar="SECONDS",
        help="age for jobs' blobs (job-… names; default 604800, the jobs' retention: set it to --job-retention-ms / 1000)",
    )
    args = parser.parse_args(argv)
    deleted = open_blob_store(args.store).sweep(args.older_than, args.job_older_than)
    print(f"deleted {deleted} blob(s) older than {args.older_than:g} s (jobs' {args.job_older_than:g} s) from {args.store}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
