"""writer: one flushed line per model, round-trip through the models, half lines repaired."""

import io

import pytest

from models.errors import ErrorLine
from models.record import TakedownRecord
from pipeline.writer import JsonlWriter, repair_partial


def _record(**over) -> TakedownRecord:
    data = {
        "record_id": "abc",
        "source": {"sha256": "0" * 64, "url": "https://example.org/a"},
        "actor": {"name": "Meta", "kind": "platform"},
        "action": "removed",
        "targets": [
            {
                "kind": "account",
                "platform": "Facebook",
                "count": 453,
                "text": "453 Facebook accounts",
                "start": 10,
                "end": 31,
            }
        ],
        "countries": [{"code": "PK", "name": "Pakistan", "role": "origin"}],
        "evidence": [{"text": "Meta removed 453 Facebook accounts.", "start": 0, "end": 35}],
    }
    data.update(over)
    return TakedownRecord.model_validate(data)


@pytest.mark.parametrize("record", [_record(), _record(period="August 2020", operator="X")])
def test_writer_round_trip(record):
    fp = io.StringIO()
    JsonlWriter(fp).write(record)
    line = fp.getvalue()
    assert line.endswith("\n") and line.count("\n") == 1
    assert TakedownRecord.model_validate_json(line) == record


def test_writer_leaves_file_open(tmp_path):
    path = tmp_path / "out.jsonl"
    with path.open("w") as fp:
        writer = JsonlWriter(fp)
        writer.write(ErrorLine(input="a.html", stage="read", code="read.empty", message="empty"))
        del writer
        assert not fp.closed
        fp.write("")


@pytest.mark.parametrize(
    ("content", "kept"),
    [
        (b'{"a": 1}\n{"b": 2}\n', b'{"a": 1}\n{"b": 2}\n'),
        (b'{"a": 1}\n{"b": 2', b'{"a": 1}\n'),
        (b'{"a"', b""),
        (b"", b""),
    ],
)
def test_writer_repair_partial_cuts_half_line(tmp_path, content, kept):
    path = tmp_path / "x.jsonl.partial"
    path.write_bytes(content)
    repair_partial(path)
    assert path.read_bytes() == kept


@pytest.mark.parametrize("bad", [{"action": "deleted"}, {"targets": "many"}, {"colour": "red"}])
def test_writer_models_reject_bad_records(bad):
    with pytest.raises(ValueError):
        _record(**bad)
