"""One name per actor: "Facebook", "Meta" and "Instagram" are Meta; "Twitter" and "X" are X.

Two data files say it: ``patterns/entities.jsonl`` maps surface forms to canonical names
("FB" -> Facebook, "Youtube" -> YouTube), and ``patterns/actor_groups.jsonl`` maps the
canonical names of one organisation to the group's name (Facebook, Instagram -> Meta).
Events block and compare on the group; primary sources say which group published them.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from pipeline.data import PATTERNS_DIR

LEADING_THE_RE = re.compile(r"^the\s+", re.IGNORECASE)


@functools.cache
def _aliases(patterns_dir: Path = PATTERNS_DIR) -> dict[str, str]:
    """-> lower-cased surface form or name -> the actor group's name."""
    canonical: dict[str, str] = {}
    with (patterns_dir / "entities.jsonl").open(encoding="utf-8") as fp:
        for line in fp:
            row = json.loads(line)
            if isinstance(row.get("pattern"), str) and row.get("id"):
                canonical[row["pattern"].casefold()] = row["id"]
    groups: dict[str, str] = {}
    with (patterns_dir / "actor_groups.jsonl").open(encoding="utf-8") as fp:
        for line in fp:
            row = json.loads(line)
            for name in [row["group"], *row["names"]]:
                groups[name.casefold()] = row["group"]
    aliases = dict(groups)
    for form, name in canonical.items():
        group = groups.get(name.casefold())
        if group is not None:
            aliases.setdefault(form, group)
    return aliases


def actor_group(name: str | None) -> str | None:
    """actor name as a record gives it -> the group's name ("Instagram" -> "Meta"), else the
    name itself without a leading "the"; None stays None."""
    if name is None:
        return None
    bare = LEADING_THE_RE.sub("", name.strip())
    return _aliases().get(bare.casefold(), bare)


def same_actor(a: str | None, b: str | None) -> bool:
    """two actor names -> whether they are one actor once normalised."""
    ga, gb = actor_group(a), actor_group(b)
    return ga is not None and gb is not None and ga.casefold() == gb.casefold()
