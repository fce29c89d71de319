"""Cleaning quality on the aeb-dev pages: word-shingle precision, recall and F1.

The score is the one in /work/shared/aeb-dev/README.md (the article-extraction-benchmark
score): tokens are runs of ``\\w+``, shingles are runs of 4 tokens counted as a multiset,
each page's TP/FP/FN are divided by their sum so every page weighs the same, precision and
recall are averaged over pages, and F1 is the harmonic mean of those two means.

Usage: python scripts/aeb_score.py [--mode ours|trafilatura] [--data DIR] [--worst N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: the repo's packages come first
    sys.path.insert(0, str(REPO))

AEB_DIR = Path("/work/shared/aeb-dev")  # 88 pages + ground-truth.json, see its README.md
SHINGLE_SIZE = 4  # tokens per shingle, as the benchmark defines it
TOKEN_RE = re.compile(r"\w+")  # str patterns are Unicode-aware by default

Shingle = tuple[str, ...]


def shingles(text: str) -> Counter[Shingle]:
    """text -> multiset of 4-token shingles (fewer than 4 tokens: one shingle; none: empty)."""
    tokens = TOKEN_RE.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < SHINGLE_SIZE:
        return Counter([tuple(tokens)])
    return Counter(
        tuple(tokens[i : i + SHINGLE_SIZE]) for i in range(len(tokens) - SHINGLE_SIZE + 1)
    )


def page_counts(pred: str, truth: str) -> tuple[float, float, float]:
    """predicted and true text -> (TP, FP, FN) normalized to sum to 1 (all 0 when both empty)."""
    p, t = shingles(pred), shingles(truth)
    tp = sum((p & t).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def page_precision(tp: float, fp: float, fn: float) -> float:
    """normalized counts -> precision of one page (1 when FP = FN = 0, 0 when TP = FP = 0)."""
    if fp == 0 and fn == 0:
        return 1.0
    if tp == 0 and fp == 0:
        return 0.0
    return tp / (tp + fp)


def page_recall(tp: float, fp: float, fn: float) -> float:
    """normalized counts -> recall of one page (1 when FP = FN = 0, 0 when TP = FN = 0)."""
    if fp == 0 and fn == 0:
        return 1.0
    if tp == 0 and fn == 0:
        return 0.0
    return tp / (tp + fn)


def score(pred: dict[str, str], truth: dict[str, str]) -> dict[str, float | int]:
    """predicted and true bodies by page id -> {"precision", "recall", "f1", "pages"}.

    Every page of ``truth`` counts; a page missing from ``pred`` is scored as an empty
    prediction.
    """
    if not truth:
        raise ValueError("no true pages to score against")
    counts = [page_counts(pred.get(key, ""), body) for key, body in truth.items()]
    precision = sum(page_precision(*c) for c in counts) / len(counts)
    recall = sum(page_recall(*c) for c in counts) / len(counts)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pages": len(counts)}


def per_page_f1(pred: dict[str, str], truth: dict[str, str]) -> dict[str, float]:
    """predicted and true bodies -> F1 of each page (for finding the worst pages)."""
    result = {}
    for key, body in truth.items():
        c = page_counts(pred.get(key, ""), body)
        p, r = page_precision(*c), page_recall(*c)
        result[key] = 2 * p * r / (p + r) if p + r else 0.0
    return result


def load_truth(data_dir: Path = AEB_DIR) -> dict[str, str]:
    """aeb-dev directory -> true article body by page id."""
    raw = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    return {key: value.get("articleBody") or "" for key, value in raw.items()}


def load_raw(data_dir: Path = AEB_DIR) -> dict[str, bytes]:
    """aeb-dev directory -> raw (gunzipped) page bytes by page id."""
    return {
        path.name.removesuffix(".html.gz"): gzip.decompress(path.read_bytes())
        for path in sorted((data_dir / "html").glob("*.html.gz"))
    }


def decoder() -> Callable[[bytes, str], tuple[str, str]]:
    """-> a function (bytes, name) -> (text, encoding): the pipeline's own decode stage."""
    from models.page import Page
    from pipeline.decode import decode_page

    def pipeline_decode(body: bytes, name: str) -> tuple[str, str]:
        return decode_page(Page(input=name, body=body))

    return pipeline_decode


def load_pages(data_dir: Path = AEB_DIR) -> dict[str, tuple[str, str]]:
    """aeb-dev directory -> (decoded html, encoding) by page id."""
    decode = decoder()
    return {key: decode(body, f"{key}.html.gz") for key, body in load_raw(data_dir).items()}


def predict_trafilatura(pages: dict[str, tuple[str, str]]) -> dict[str, str]:
    """decoded pages -> trafilatura's default ``extract(html)`` text ('' when it gives None)."""
    import trafilatura

    return {key: trafilatura.extract(html) or "" for key, (html, _) in pages.items()}


def predict_ours(
    pages: dict[str, tuple[str, str]], raw: dict[str, bytes] | None = None
) -> dict[str, str]:
    """decoded pages -> our clean_html text ('' when it raises CleanError)."""
    from models.page import Page
    from pipeline.clean import clean_html
    from pipeline.errors import CleanError

    result = {}
    for key, (html, encoding) in pages.items():
        body = raw[key] if raw else html.encode("utf-8")
        page = Page(input=f"{key}.html.gz", body=body)
        try:
            result[key] = clean_html(html, page=page, encoding=encoding).text
        except CleanError:
            result[key] = ""
    return result


MODES: dict[str, Callable[[dict[str, tuple[str, str]]], dict[str, str]]] = {
    "ours": predict_ours,
    "trafilatura": predict_trafilatura,
}


def measure(modes: Iterable[str], data_dir: Path = AEB_DIR) -> dict[str, dict[str, float | int]]:
    """mode names -> their score on the aeb-dev pages, plus the seconds each took."""
    truth, pages = load_truth(data_dir), load_pages(data_dir)
    results: dict[str, dict[str, float | int]] = {}
    for mode in modes:
        start = time.perf_counter()
        pred = MODES[mode](pages)
        seconds = time.perf_counter() - start
        results[mode] = {**score(pred, truth), "seconds": round(seconds, 2)}
    return results


def main(argv: list[str] | None = None) -> int:
    """CLI: print precision/recall/F1 of ours and trafilatura's default on aeb-dev."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=sorted(MODES), action="append")
    parser.add_argument("--data", type=Path, default=AEB_DIR)
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages by F1")
    args = parser.parse_args(argv)
    modes = args.mode or ["ours", "trafilatura"]
    truth, pages = load_truth(args.data), load_pages(args.data)
    print(f"{'mode':<12} {'precision':>9} {'recall':>7} {'f1':>7} {'pages':>5} {'seconds':>7}")
    for mode in modes:
        start = time.perf_counter()
        pred = MODES[mode](pages)
        seconds = time.perf_counter() - start
        s = score(pred, truth)
        print(
            f"{mode:<12} {s['precision']:>9.4f} {s['recall']:>7.4f} {s['f1']:>7.4f}"
            f" {s['pages']:>5} {seconds:>7.2f}"
        )
        if args.worst:
            worst = sorted(per_page_f1(pred, truth).items(), key=lambda kv: kv[1])[: args.worst]
            for key, f1 in worst:
                print(f"    {f1:.3f} {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
