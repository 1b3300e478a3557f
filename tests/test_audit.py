"""The audit log writer."""

import json
import os
import stat
import subprocess
import sys

import pytest

from guardshim.audit import AuditError, append_record, encode_record, utc_timestamp


@pytest.mark.parametrize(
    "record",
    [
        {"tool": "kubectl", "argv": ["get", "pods"], "pid": 12, "ok": True},
        {"text": 'quote " backslash \\ newline \n tab \t', "none": None},
        {"unicode": "Grüße ✓", "nested": {"list": [1, 2.5, False]}},
        {"control": "\x00\x1b[31m"},
    ],
)
def test_encode_record_is_json(record):
    assert json.loads(encode_record(record)) == record


def test_encode_record_surrogate_escapes():
    # argv bytes that are not UTF-8 arrive as lone surrogates (surrogateescape).
    text = b"caf\xe9".decode("utf-8", "surrogateescape")
    encoded = encode_record({"argv": [text]})
    assert encoded.isascii()


def test_utc_timestamp_format():
    assert utc_timestamp(0.25) == "1970-01-01T00:00:00.250Z"


def test_append_record_creates_private_file(tmp_path):
    path = tmp_path / "state" / "guardshim" / "audit.jsonl"
    append_record(str(path), {"n": 1})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_append_record_creates_private_folder(tmp_path):
    path = tmp_path / "state" / "guardshim" / "audit.jsonl"
    append_record(str(path), {"n": 1})
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_append_record_appends_lines(tmp_path):
    path = tmp_path / "audit.jsonl"
    append_record(str(path), {"n": 1})
    append_record(str(path), {"n": 2})
    lines = path.read_text().splitlines()
    assert [json.loads(line)["n"] for line in lines] == [1, 2]


def test_append_record_folder_is_file(tmp_path):
    blocker = tmp_path / "state"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(AuditError) as caught:
        append_record(str(blocker / "audit.jsonl"), {"n": 1})
    assert caught.value.path == str(blocker / "audit.jsonl")


def test_append_record_path_is_folder(tmp_path):
    with pytest.raises(AuditError) as caught:
        append_record(str(tmp_path), {"n": 1})
    assert caught.value.path == str(tmp_path)


def test_concurrent_writers_never_interleave(tmp_path):
    path = tmp_path / "audit.jsonl"
    writer = (
        "import sys\n"
        "from guardshim.audit import append_record\n"
        "for i in range(50):\n"
        "    append_record(sys.argv[1], {'w': sys.argv[2], 'i': i, 'pad': 'x' * 9000})\n"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", writer, str(path), str(number)])
        for number in range(8)
    ]
    for process in processes:
        assert process.wait(timeout=60) == 0
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(records) == 400
