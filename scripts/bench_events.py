"""Cost and accuracy of grouping records into events, on synthetic records.

Run by ``make bench`` (never by ``make test``). It makes a corpus of takedowns (actors under
their different names, months or quarters over eight years, origin countries, counts) and
has each reported by one to five outlets, with the variations real coverage has: a rounded
figure ("over 450"), a period left out (only the publish date), the company's other name,
a breakdown or its total, and now and then a wrong figure. It then groups 1,000 to 10,000
of those records with ``pipeline.events.group_records`` and prints, for each size, the
seconds, the pairs compared, the blocks and the largest block, and how well the events
match the truth (pairwise precision and recall over records of the same takedown). Wall
seconds move with the machine's load; CPU seconds of the grouping process and the number of
pairs compared are the steadier measures of growth.

Two corpora are measured: one whose span grows with its size (a constant number of reports
per actor and month, the case blocking is made for), and one that piles every size into the
same eight years (denser blocks as it grows).

Usage: python scripts/bench_events.py [--sizes 1000,2500,5000,10000] [--jobs 2] [--seed 7]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: the repo's packages come first
    sys.path.insert(0, str(REPO))

from models.article import Source  # noqa: E402
from models.record import Actor, Country, TakedownRecord, Target  # noqa: E402
from pipeline.data import MONTH_NAMES  # noqa: E402
from pipeline.events import group_records  # noqa: E402

SIZES = (1_000, 2_500, 5_000, 10_000)
# Names outlets use for one actor (the events code must see them as one).
ACTORS = (
    ("Meta", ("Meta", "Facebook", "Instagram")),
    ("X", ("Twitter", "X")),
    ("Google", ("Google", "YouTube")),
    ("TikTok", ("TikTok",)),
    ("Microsoft", ("Microsoft",)),
    ("OpenAI", ("OpenAI",)),
    ("PTA", ("PTA", "Pakistan Telecommunication Authority")),
    ("BTRC", ("BTRC",)),
)
KINDS = {
    "Meta": (("account", "Facebook"), ("page", "Facebook"), ("group", "Facebook"), ("account", "Instagram")),
    "X": (("account", "X"),),
    "Google": (("channel", "YouTube"), ("blog", "Blogger")),
    "TikTok": (("account", "TikTok"),),
    "Microsoft": (("domain", None),),
    "OpenAI": (("account", "ChatGPT"),),
    "PTA": (("url", None), ("website", None)),
    "BTRC": (("website", None),),
}  # fmt: skip
COUNTRIES = ("BD", "PK", "IN", "CN", "RU", "IR", "IL", "US", "BR", "TH", "UA", "GE", "EG", "AE",
             "SA", "NG", "ID", "PH", "VN", "TR", "RS", "HN", "MX", "VE", "UG", "TZ", "KE", "ET",
             "MM", "LK", "NP", "AF", "IQ", "SY", "LB", "JO", "MA", "DZ", "TN", "LY")  # fmt: skip
REPORTS_PER_TAKEDOWN = (1, 1, 2, 2, 3, 3, 4, 5)  # drawn uniformly: mean 2.6
TAKEDOWNS_PER_ACTOR_MONTH = 0.6  # the growing corpus: reports per actor-month stay constant


def _rounded(count: int, rng: random.Random) -> tuple[int, bool, str | None]:
    """count -> how one outlet writes it: as is, or rounded down with 'over'/'nearly'."""
    if count < 20 or rng.random() < 0.6:
        return count, False, None
    unit = 10 ** (len(str(count)) - 2)
    if rng.random() < 0.5:
        return count // unit * unit, True, "over"
    return -(-count // unit) * unit, True, "nearly"


def synthetic_records(
    n: int, *, seed: int = 7, months: int | None = None
) -> tuple[list[TakedownRecord], dict[str, int]]:
    """-> at least ``n`` records reporting synthetic takedowns, and the true takedown of each
    record id. ``months`` fixes the span; by default it grows with ``n``."""
    rng = random.Random(seed)
    span = months or max(12, round(n / (len(ACTORS) * TAKEDOWNS_PER_ACTOR_MONTH * 2.6)))
    start = date(2018, 1, 1)
    records: list[TakedownRecord] = []
    truth: dict[str, int] = {}
    takedown = 0
    while len(records) < n:
        takedown += 1
        group, names = rng.choice(ACTORS)
        month = rng.randrange(span)
        year, mon = start.year + month // 12, month % 12 + 1
        quarterly = rng.random() < 0.3
        period = f"Q{(mon - 1) // 3 + 1} {year}" if quarterly else f"{_month(mon)} {year}"
        announced = date(year, mon, 1) + timedelta(
            days=(75 if quarterly else 33) + rng.randrange(10)
        )
        origin = rng.choice(COUNTRIES)
        kinds = KINDS[group][: rng.randint(1, len(KINDS[group]))]
        counts = [int(rng.lognormvariate(4.5, 1.4)) + 1 for _ in kinds]
        for outlet in range(rng.choice(REPORTS_PER_TAKEDOWN)):
            rid = hashlib.sha256(f"{seed}/{takedown}/{outlet}".encode()).hexdigest()[:16]
            published = announced + timedelta(days=rng.randrange(0, 12))
            targets = []
            wrong = rng.random() < 0.08 and len(kinds) > 1
            for k, ((kind, platform), count) in enumerate(zip(kinds, counts, strict=True)):
                if wrong and k == 0:
                    count = count + 10 ** max(1, len(str(count)) - 1)  # a misprinted figure
                value, approx, qualifier = _rounded(count, rng)
                targets.append(
                    Target(
                        kind=kind,
                        platform=platform,
                        count=value,
                        approximate=approx,
                        qualifier=qualifier,
                        text="",
                        start=0,
                        end=0,
                    )  # fmt: skip
                )
            if len(targets) > 1 and rng.random() < 0.1:  # a headline total instead
                total = sum(t.count or 0 for t in targets)
                targets = [targets[0].model_copy(update={"count": total})]
            records.append(
                TakedownRecord(
                    record_id=rid,
                    source=Source(
                        url=f"https://outlet{outlet}.example/{takedown}",
                        published=published,
                        sha256=hashlib.sha256(rid.encode()).hexdigest(),
                    ),
                    actor=Actor(name=rng.choice(names), kind="platform"),
                    action="removed",
                    targets=targets,
                    countries=[Country(code=origin, name=origin, role="origin")]
                    if rng.random() < 0.9
                    else [],
                    period=period if rng.random() < 0.75 else None,
                    evidence=[],
                )
            )
            truth[rid] = takedown
    return records, truth


def _month(month: int) -> str:
    return MONTH_NAMES[month - 1]  # as periods are written, whatever the locale


def pair_scores(events: list[Any], truth: dict[str, int]) -> tuple[float, float]:
    """events + true takedown per record -> pairwise precision and recall."""
    found = {(a, b) for e in events for a in e.record_ids for b in e.record_ids if a < b}
    by_takedown: dict[int, list[str]] = {}
    for rid, t in truth.items():
        by_takedown.setdefault(t, []).append(rid)
    true = {(a, b) for rids in by_takedown.values() for a in rids for b in rids if a < b}
    precision = len(found & true) / len(found) if found else 1.0
    recall = len(found & true) / len(true) if true else 1.0
    return precision, recall


def measure(n: int, *, jobs: int, seed: int, months: int | None) -> dict[str, Any]:
    records, truth = synthetic_records(n, seed=seed, months=months)
    records = records[:n]
    truth = {r.record_id: truth[r.record_id] for r in records}
    t0, c0 = time.perf_counter(), time.process_time()
    events, stats = group_records(records, jobs=jobs)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    precision, recall = pair_scores(events, truth)
    return {
        "records": n,
        "jobs": jobs,
        "months": months or "grows",
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),  # this process only: the workers' share is not in it
        "comparisons": stats.comparisons,
        "blocks": stats.blocks,
        "largest_block": stats.largest_block,
        "events": stats.events,
        "true_takedowns": len(set(truth.values())),
        "pair_precision": round(precision, 4),
        "pair_recall": round(recall, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for months in (None, 96):
        for n in sizes:
            rows.append(measure(n, jobs=1, seed=args.seed, months=months))
        if args.jobs > 1:
            rows.append(measure(sizes[-1], jobs=args.jobs, seed=args.seed, months=months))
    header = ("records", "jobs", "months", "seconds", "cpu_seconds", "comparisons", "blocks", "largest_block",
              "events", "true_takedowns", "pair_precision", "pair_recall")  # fmt: skip
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(str(row[h]) for h in header))
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
