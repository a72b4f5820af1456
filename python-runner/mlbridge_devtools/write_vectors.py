"""Write ``schemas/vectors/py-written.json``, ``typed.json``, ``jobs.json`` and ``presence.json``: bytes from the Python codecs for the TS tests.

``python -m mlbridge_devtools.write_vectors [--out PATH] [--typed-out PATH]``. The format is described in
``schemas/vectors/README.md``; the cases are built in envelope_vectors, typed_vectors, job_vectors and presence_vectors.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .envelope_vectors import build_vectors, find_vectors_dir
from .job_vectors import build_job_vectors
from .presence_vectors import build_presence_vectors


def default_path() -> Path:
    return find_vectors_dir() / "py-written.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="default: schemas/vectors/py-written.json")
    parser.add_argument("--typed-out", type=Path, default=None, help="default: schemas/vectors/typed.json")
    args = parser.parse_args(argv)
    out = args.out or default_path()
    vectors = build_vectors()
    out.write_text(json.dumps(vectors, indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    print(f"wrote {len(vectors['cases'])} cases to {out}")
    from .typed_vectors import build_typed_vectors  # imports the fixture pipelines: only when writing

    typed_out = args.typed_out or find_vectors_dir() / "typed.json"
    typed = build_typed_vectors(find_vectors_dir())
    typed_out.write_text(json.dumps(typed, indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    counts = ", ".join(f"{len(typed[k])} {k}" for k in ("cases", "evolution", "incompatible", "confluent", "confluentEnvelopes", "catalog"))
    print(f"wrote {counts} to {typed_out}")
    jobs = build_job_vectors()
    jobs_out = find_vectors_dir() / "jobs.json"
    jobs_out.write_text(json.dumps(jobs, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(jobs['cases'])} job records to {jobs_out}")
    presence = build_presence_vectors()
    presence_out = find_vectors_dir() / "presence.json"
    presence_out.write_text(json.dumps(presence, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(presence['cases'])} presence records to {presence_out}")
    from .data_vectors import main as write_data_vectors  # needs numpy, pyarrow, pandas (the data extra)

    write_data_vectors()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
