"""Mentions of the same takedown -> one record: repeats, rounded ledes, breakdowns.

"Meta removed 168 accounts ... Later, Meta said the 168 accounts were removed for ..." is
one record with two evidence spans; "thousands of fake accounts" and "4,789 Facebook
accounts" a few sentences apart are one record with the exact figure; counts adding up to
the record just told are its breakdown.
"""

from pipeline.actors import same_actor
from pipeline.records.working import WorkingRecord

BREAKDOWN_TOLERANCE = 0.02  # a breakdown adds up to its stated total within 2% (rounding)
ROUNDED_TWIN_SENTENCES = 3  # a rounded lede and the exact figure are a few sentences apart
ROUNDING_SHARE = 0.25  # "nearly 5,000" for 4,789; "over 2,500" for 2,596


def merge(records: list[WorkingRecord], rec: WorkingRecord, sent_index: int) -> WorkingRecord:
    """The same network told twice -> one record with both evidence spans (the record in
    focus is moved to the end of ``records``)."""
    keys = rec.target_keys()
    for old in records:
        old_keys = old.target_keys()
        if old.action != rec.action and not (keys and keys <= old_keys):
            continue
        if old.evidence and rec.evidence and old.evidence[-1] == rec.evidence[0]:
            continue  # "6,000 promoting suicide, 6,000 selling medicines": two of one list
        # "the 5,929 accounts removed ...": told again, whoever the discourse made its actor
        restated = rec.actor_in_context and bool(keys) and keys <= old_keys
        other = rec.actor and old.actor and not same_actor(rec.actor.name, old.actor.name)
        if other and not restated:
            continue
        origins_old = {c for c, r in old.countries if r == "origin"}
        origins_new = {c for c, r in rec.countries if r == "origin"}
        if origins_old and origins_new and not origins_old & origins_new:
            continue
        shared = keys & old_keys
        rounded = not shared and rounded_twin(old, rec, sent_index)
        if not shared and not rounded:
            continue
        if shared and len(shared) < min(len(keys), len(old_keys)) and len(shared) < 2:
            continue
        if rounded:
            # "thousands of fake accounts ... The company took down 4,789 Facebook accounts":
            # the exact figure replaces the rounded one
            exact = {c.kind for c in rec.targets if c.value is not None and not c.approximate}
            old.targets = [c for c in old.targets if c.kind not in exact]
            old.add_rule("merged-rounded-mention")
        present = {(c.kind, c.value) for c in old.targets}
        old.targets.extend(c for c in rec.targets if (c.kind, c.value) not in present)
        for key, name in rec.countries.items():
            old.countries.setdefault(key, name)
        old.operator = old.operator or rec.operator
        old.reason = old.reason or rec.reason
        old.period = old.period or rec.period
        old.total = old.total or rec.total
        old.evidence.extend(e for e in rec.evidence if e not in old.evidence)
        for r in rec.rules + ["merged-repeat-mention"]:
            old.add_rule(r)
        absorb(old, rec)
        records.remove(old)
        records.append(old)  # the record in focus is the last one
        return old
    records.append(rec)
    return rec


def rounded_twin(old: WorkingRecord, new: WorkingRecord, sent_index: int) -> bool:
    """Is new the same network as old, told once rounded ("hundreds of", "nearly 5,000")
    and once exactly, a few sentences apart?"""
    if old.action != new.action or sent_index - old.last_sentence > ROUNDED_TWIN_SENTENCES:
        return False
    if any(r.startswith("subset-of") for r in old.rules + new.rules) or new.one_of_several:
        return False  # "33 websites used by X and three operated by Y": parts, not a twin
    by_kind_old = {c.kind: c for c in old.targets}
    shared = [(by_kind_old[c.kind], c) for c in new.targets if c.kind in by_kind_old]
    if not shared:
        return False
    loose = False
    for a, b in shared:
        if a.value is None or b.value is None:
            loose = True
        elif a.value != b.value:
            close = abs(a.value - b.value) <= ROUNDING_SHARE * max(a.value, b.value)
            if not ((a.approximate or b.approximate) and close):
                return False
            loose = True
    return loose


def absorb(old: WorkingRecord, new: WorkingRecord) -> None:
    """Reach, languages and investigators of a repeat mention join the first one."""
    for c, metric in zip(new.reach, new.reach_metrics, strict=True):
        if (metric, c.value) not in zip(
            old.reach_metrics, [x.value for x in old.reach], strict=True
        ):
            old.reach.append(c)
            old.reach_metrics.append(metric)
    old.languages.extend(x for x in new.languages if x not in old.languages)
    old.investigators.extend(x for x in new.investigators if x not in old.investigators)


def breakdown_of(focus: WorkingRecord | None, rec: WorkingRecord) -> bool:
    """'blocked 464,440 pieces of content. The blocked material included 428,969
    websites, 19,250 accounts, ...': do the counts of a record add up to the single count
    of the record just told? That record is then their total."""
    if focus is None or len(focus.targets) != 1 or len(rec.targets) < 2 or focus.total:
        return False
    whole = focus.targets[0].value
    parts = [c.value for c in rec.targets]
    if whole is None or None in parts or focus.action != rec.action:
        return False
    if abs(sum(v or 0.0 for v in parts) - whole) > BREAKDOWN_TOLERANCE * whole:
        return False
    focus.add_rule("total-of-breakdown")
    return True


def mark_sums(records: list[WorkingRecord]) -> None:
    """A record whose counts are exactly the sums of the same kinds' counts in two or more
    other records of the article (a year's blocks beside each year's, a report's beside each
    network's), or of the records told right after it ("2,596 channels ... 186 in April,
    1,098 in May and 1,312 in June"; "Together they accounted for 1,354 accounts and 159
    Pages" over the networks described next), is their total: it is flagged, not dropped,
    and parts that name no country are where it is."""
    ordered = sorted(records, key=lambda r: r.first_token)  # merges move records to the end
    for n, rec in enumerate(ordered):
        wholes = _counts(rec)
        if rec.is_total or not wholes:
            continue
        others = [
            other
            for other in records
            if other is not rec and not other.is_total and same_actor_or_none(other, rec)
        ]
        if len(rec.targets) == 1:
            kind = rec.targets[0].kind
            parts = [p for p in others if any(c.kind == kind and c.value for c in p.targets)]
            if len(parts) >= 2 and sum(_count_of(p, kind) for p in parts) == rec.targets[0].value:
                _flag_total(rec, parts)  # exact: near sums happen by chance
                continue
        run: list[WorkingRecord] = []
        sums = dict.fromkeys(wholes, 0.0)
        for other in ordered[n + 1 :]:
            if other.is_total or not same_actor_or_none(other, rec):
                break
            counts = _counts(other)
            if not counts or not set(counts) <= set(wholes):
                break
            run.append(other)
            for key, value in counts.items():
                sums[key] += value
            if any(sums[k] > wholes[k] for k in wholes):
                break
            if sums == wholes:
                if len(run) >= 2:
                    _flag_total(rec, run)
                break


def _counts(rec: WorkingRecord) -> dict[str | None, float]:
    """A record's counts summed by kind (its Facebook and Instagram accounts together: the
    platform of a bare count is only known when the record is frozen), if all are exact."""
    counts: dict[str | None, float] = {}
    for c in rec.targets:
        if c.value is None:
            return {}
        counts[c.kind] = counts.get(c.kind, 0.0) + c.value
    return counts


def _count_of(rec: WorkingRecord, kind: str | None) -> float:
    return sum(c.value or 0.0 for c in rec.targets if c.kind == kind)


def _flag_total(rec: WorkingRecord, parts: list[WorkingRecord]) -> None:
    rec.is_total = True
    rec.add_rule("total-of-records")
    stated = {k: v for k, v in rec.countries.items() if k not in rec.weak}
    for part in parts:
        if stated and not any(k not in part.weak for k in part.countries):
            for (code, role), name in stated.items():
                part.add_country(code, name, role)
            part.add_rule("country-of-the-total")


def same_actor_or_none(a: WorkingRecord, b: WorkingRecord) -> bool:
    if a.actor is None or b.actor is None:
        return True
    return same_actor(a.actor.name, b.actor.name)
