"""Score the pipeline on the real dev set: real articles nobody here wrote, labelled by hand.

    python scripts/realdev.py                 # summary and per-type record F1
    python scripts/realdev.py --per-case      # plus one line per case
    python scripts/realdev.py --json          # the scorer's figures as JSON (for the ratchet test)

The dev set lives outside the repository (``../shared/realdev`` beside the checkout, or
``$TAKEDOWNS_REALDEV``): its texts are third-party writing and are read from there at
run time, never copied here. Its own ``make_pages.py`` wraps the texts into saved pages
in a temporary folder, ``takedowns extract`` reads them as any user's pages, and its
``score.py`` compares the records with the hand labels.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT.parent / "shared" / "realdev"


def realdev_dir() -> Path | None:
    """The dev set's folder, or None when this machine has none."""
    path = Path(os.environ.get("TAKEDOWNS_REALDEV", DEFAULT_DIR))
    needed = ("make_pages.py", "score.py", "cases.jsonl")
    return path if all((path / name).exists() for name in needed) else None


def run(devset: Path, work: Path, *, jobs: int, extra: list[str]) -> subprocess.CompletedProcess:
    """Pages made, records extracted, scorer run with ``extra`` flags -> its output."""
    pages = work / "html"
    records = work / "records.jsonl"
    subprocess.run(
        [sys.executable, str(devset / "make_pages.py"), "--out", str(pages)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [sys.executable, "-m", "pipeline", "extract", str(pages), "-o", str(records), "-q"]
        + ["--jobs", str(jobs)],
        check=False,  # pages that fail are error lines; the score counts what came out
        cwd=ROOT,
    )
    return subprocess.run(
        [sys.executable, str(devset / "score.py"), str(records), *extra],
        check=True,
        capture_output=True,
        text=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-case", action="store_true", help="one line per case too")
    parser.add_argument("--json", action="store_true", help="the scorer's JSON")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--keep", type=Path, help="write pages and records here")
    args = parser.parse_args(argv)
    devset = realdev_dir()
    if devset is None:
        print(f"no dev set at {DEFAULT_DIR} (set TAKEDOWNS_REALDEV)", file=sys.stderr)
        return 2
    extra = ["--json"] if args.json else (["--per-case"] if args.per_case else [])
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        out = run(devset, args.keep, jobs=args.jobs, extra=extra)
    else:
        with tempfile.TemporaryDirectory(prefix="realdev-") as tmp:
            out = run(devset, Path(tmp), jobs=args.jobs, extra=extra)
    if args.json:
        json.dump(json.loads(out.stdout), sys.stdout, indent=1)
        print()
    else:
        print(out.stdout, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
