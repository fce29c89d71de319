"""The ratchet on real reporting: scores on the real dev set may rise, never fall.

The dev set (real articles with hand labels) lives outside the repository; the test is
skipped where a machine has none. Raise the floors when the scores rise.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from realdev import realdev_dir  # noqa: E402

# The last measured figures, rounded down (scripts/realdev.py).
RECORD_F1_FLOOR = 0.90
TARGET_F1_FLOOR = 0.92
DISTRACTOR_RECORDS_CEILING = 0


@pytest.fixture(scope="module")
def scores():
    if realdev_dir() is None:
        pytest.skip("no real dev set on this machine (../shared/realdev or $TAKEDOWNS_REALDEV)")
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "realdev.py"), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def test_realdev_record_f1_does_not_fall(scores):
    assert scores["record"]["f1"] >= RECORD_F1_FLOOR


def test_realdev_target_f1_does_not_fall(scores):
    assert scores["target"]["f1"] >= TARGET_F1_FLOOR


def test_realdev_no_takedown_articles_stay_empty(scores):
    assert scores["distractors"]["false_records"] <= DISTRACTOR_RECORDS_CEILING
