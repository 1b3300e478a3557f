"""End-to-end tests of the helm shim against a stub helm that records its call.

No real helm is installed here, so a stub in `shims.bin_dir` replaces it.
The stub writes its argv, its pid and optionally its stdin to the JSON file
named by STUB_RECORD, prints one line to stdout and exits with STUB_EXIT.
Arguments are stored as hex of their bytes, so the comparison is byte for byte.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

STUB_OUTPUT = b"helm stub ran\n"
SECRET_MARKER = "s3cretMarkerValue"
TIMEOUT = 30

_STUB_SOURCE = """\
#!{interpreter} -I
import json
import os
import sys

stdin = None
if os.environ.get("STUB_STDIN") == "1":
    stdin = sys.stdin.buffer.read().hex()
record = {{
    "argv": [os.fsencode(word).hex() for word in sys.argv[1:]],
    "pid": os.getpid(),
    "stdin": stdin,
}}
with open(os.environ["STUB_RECORD"], "w", encoding="utf-8") as stream:
    json.dump(record, stream)
sys.stdout.buffer.write({output!r})
sys.stdout.flush()
sys.exit(int(os.environ.get("STUB_EXIT", "0")))
"""


def install_helm_stub(folder):
    """Write the recording stub as `folder/helm`; return its path."""
    stub = Path(folder) / "helm"
    stub.write_text(
        _STUB_SOURCE.format(interpreter=sys.executable, output=STUB_OUTPUT),
        encoding="utf-8",
    )
    stub.chmod(0o755)
    return stub


def read_stub_call(record_path):
    """Return the stub's record with argv decoded to bytes, or None if it never ran."""
    if not os.path.exists(record_path):
        return None
    with open(record_path, encoding="utf-8") as stream:
        record = json.load(stream)
    record["argv"] = [bytes.fromhex(word) for word in record["argv"]]
    if record["stdin"] is not None:
        record["stdin"] = bytes.fromhex(record["stdin"])
    return record


@pytest.fixture
def stub(shims, tmp_path):
    """Install the stub helm and point STUB_RECORD in `shims.env` at a fresh file."""
    path = install_helm_stub(shims.bin_dir)
    record = tmp_path / "stub-call.json"
    shims.env["STUB_RECORD"] = str(record)
    return {"path": path, "record": record}


def run_helm(shims, arguments, env=None, program=None, **options):
    """Run the helm shim with the list `arguments` and no controlling terminal."""
    return subprocess.run(
        [program or shims.shim("helm"), *arguments],
        env=shims.env if env is None else env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        start_new_session=True,
        timeout=TIMEOUT,
        **options,
    )


ARGV_CASES = [
    pytest.param(["list", "--filter", "two words"], id="space-inside"),
    pytest.param(["list", "--", "--all", "x"], id="double-dash"),
    pytest.param(["list", "--output=json", "--max=5"], id="equals-forms"),
    pytest.param(["list", "--filter", ""], id="empty-string"),
    pytest.param(["list", "--filter", "näme-✓"], id="non-ascii"),
    pytest.param(["list", "--filter", "*"], id="glob-star"),
    pytest.param(["list", "--filter", "a?[bc]"], id="glob-class"),
    pytest.param(["list", "--filter", "line\nbreak\ttab"], id="control-characters"),
    pytest.param(["list", "--filter", "$HOME `id` 'q' \"d\""], id="shell-syntax"),
]


@pytest.mark.parametrize("arguments", ARGV_CASES)
def test_argv_reaches_stub_exactly(shims, stub, arguments):
    result = run_helm(shims, arguments)

    assert result.returncode == 0, result.stderr
    call = read_stub_call(stub["record"])
    assert call is not None
    assert call["argv"] == [os.fsencode(word) for word in arguments]


def test_undecodable_bytes_reach_stub(shims, stub):
    arguments = [b"list", b"--filter", b"\xff\xfe raw"]

    result = run_helm(shims, [os.fsdecode(word) for word in arguments])

    assert result.returncode == 0, result.stderr
    assert read_stub_call(stub["record"])["argv"] == arguments


def test_list_runs_stub_output(shims, stub):
    result = run_helm(shims, ["list"])

    assert result.returncode == 0
    assert result.stdout == STUB_OUTPUT
    assert result.stderr == b""


def test_install_refused_stub_never_runs(shims, stub):
    result = run_helm(shims, ["install", "r", "./c"])

    assert result.returncode == 77
    assert read_stub_call(stub["record"]) is None
    assert result.stdout == b""


def test_install_refusal_message_names_command(shims, stub):
    result = run_helm(shims, ["install", "r", "./c"])

    lines = result.stderr.decode().splitlines()
    assert 1 <= len(lines) <= 2, lines
    assert "`helm install r ./c`" in lines[0]
    assert "write" in lines[0]


@pytest.mark.parametrize("status", [0, 1, 2, 3, 42])
def test_exit_status_passes_through(shims, stub, status):
    shims.env["STUB_EXIT"] = str(status)

    result = run_helm(shims, ["list"])

    assert result.returncode == status
    assert read_stub_call(stub["record"]) is not None


def test_audit_one_record_per_call(shims, stub):
    run_helm(shims, ["list"])
    run_helm(shims, ["install", "r", "./c"])

    records = shims.records()
    assert [record["outcome"] for record in records] == ["ran", "refused"]
    assert [record["command"] for record in records] == [["list"], ["install"]]


def test_audit_masks_set_value(shims, stub):
    result = run_helm(shims, ["install", "r", "./c", "--set", f"a={SECRET_MARKER}"])

    assert result.returncode == 77
    assert shims.records()[-1]["argv"] == ["install", "r", "./c", "--set", "a=***"]
    assert SECRET_MARKER not in shims.audit_path.read_text(encoding="utf-8")
    assert SECRET_MARKER.encode() not in result.stderr


def test_audit_masks_set_equals_form(shims, stub):
    result = run_helm(shims, ["list", f"--set=a={SECRET_MARKER},b=2"])

    assert result.returncode == 0, result.stderr
    assert shims.records()[-1]["argv"] == ["list", "--set=a=***,b=***"]
    assert SECRET_MARKER not in shims.audit_path.read_text(encoding="utf-8")


def test_masking_leaves_real_argv_intact(shims, stub):
    result = run_helm(shims, ["list", "--set", f"a={SECRET_MARKER}"])

    assert result.returncode == 0, result.stderr
    call = read_stub_call(stub["record"])
    assert call["argv"] == [b"list", b"--set", f"a={SECRET_MARKER}".encode()]


def test_audit_records_real_binary(shims, stub):
    run_helm(shims, ["list"])

    assert shims.records()[-1]["real_binary"] == str(stub["path"])


def test_audit_pid_is_stub_pid(shims, stub):
    run_helm(shims, ["list"])

    # Equal pids show that the shim replaced itself with the stub (exec), not
    # that it started a child.
    assert shims.records()[-1]["pid"] == read_stub_call(stub["record"])["pid"]


def test_audit_parent_is_caller(shims, stub):
    with open(f"/proc/{os.getpid()}/comm", encoding="utf-8") as stream:
        caller = stream.read().strip()

    run_helm(shims, ["list"])

    assert shims.records()[-1]["parent"] == caller


def test_kubectl_shim_copy_still_guards(shims, tmp_path):
    copy = tmp_path / "elsewhere" / "kubectl-copy"
    copy.parent.mkdir()
    shutil.copy2(shims.shim("kubectl"), copy)

    result = run_helm(shims, ["delete", "pod", "x"], program=str(copy))

    assert result.returncode == 77
    assert b"`kubectl delete pod x`" in result.stderr
    assert shims.records()[-1]["tool"] == "kubectl"


def test_helm_shim_copy_finds_stub(shims, stub, tmp_path):
    copy = tmp_path / "elsewhere" / "helm-copy"
    copy.parent.mkdir()
    shutil.copy2(shims.shim("helm"), copy)

    result = run_helm(shims, ["list"], program=str(copy))

    assert result.returncode == 0, result.stderr
    assert shims.records()[-1]["real_binary"] == str(stub["path"])


def test_shim_copy_on_path_skipped(shims, stub, tmp_path):
    # A copy of the shim in another folder ahead of the stub must not be taken
    # for the real helm.
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy2(shims.shim("helm"), other / "helm")
    env = dict(shims.env)
    env["PATH"] = os.pathsep.join([str(shims.shim_dir), str(other), str(shims.bin_dir)])

    result = run_helm(shims, ["list"], env=env)

    assert result.returncode == 0, result.stderr
    # A second record would mean the copy ran and guarded the call again.
    assert len(shims.records()) == 1
    assert shims.records()[-1]["real_binary"] == str(stub["path"])


def test_repeated_shim_folder_finds_stub(shims, stub, tmp_path):
    link = tmp_path / "shims-link"
    link.symlink_to(shims.shim_dir, target_is_directory=True)
    relative = os.path.relpath(shims.shim_dir, tmp_path)
    env = dict(shims.env)
    env["PATH"] = os.pathsep.join(
        [str(shims.shim_dir), str(link), relative, str(shims.shim_dir), str(shims.bin_dir)]
    )

    result = run_helm(shims, ["list"], env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert read_stub_call(stub["record"]) is not None
    assert len(shims.records()) == 1
    assert shims.records()[-1]["real_binary"] == str(stub["path"])


@pytest.mark.parametrize("entry", ["link", "relative", "empty"])
def test_shim_folder_entries_never_self(shims, tmp_path, entry):
    # No stub: every PATH entry leads back to the shim folder, so the only
    # correct result is "not found", never a shim that runs itself.
    link = tmp_path / "shims-link"
    link.symlink_to(shims.shim_dir, target_is_directory=True)
    entries = {
        "link": (str(link), tmp_path),
        "relative": (os.path.relpath(shims.shim_dir, tmp_path), tmp_path),
        "empty": ("", shims.shim_dir),
    }
    path_entry, cwd = entries[entry]
    env = dict(shims.env)
    env["PATH"] = os.pathsep.join([str(shims.shim_dir), path_entry, str(shims.bin_dir)])

    result = run_helm(shims, ["list"], env=env, cwd=cwd)

    assert result.returncode == 127, result.stderr
    # One record: the shim never ran a second time through the other entry.
    assert len(shims.records()) == 1
    assert shims.records()[-1]["outcome"] == "not_found"


def test_missing_real_binary_exits_127(shims):
    env = dict(shims.env)
    env["PATH"] = os.pathsep.join([str(shims.shim_dir), str(shims.bin_dir)])

    result = run_helm(shims, ["list"], env=env)

    assert result.returncode == 127
    assert b"no real helm found" in result.stderr
    assert str(shims.bin_dir).encode() in result.stderr
    assert b"PATH" in result.stderr


def test_override_without_terminal_refuses(shims, stub):
    shims.env["GUARDSHIM_OVERRIDE"] = "1"

    result = run_helm(shims, ["install", "r", "./c"])

    assert result.returncode == 77
    assert read_stub_call(stub["record"]) is None


def test_refusal_hides_override_variable(shims, stub):
    shims.env["GUARDSHIM_OVERRIDE"] = "1"

    result = run_helm(shims, ["install", "r", "./c"])

    assert b"GUARDSHIM_OVERRIDE" not in result.stderr
    assert b"override" not in result.stderr.lower()


def test_plain_refusal_hides_override(shims, stub):
    result = run_helm(shims, ["install", "r", "./c"])

    assert b"GUARDSHIM_OVERRIDE" not in result.stderr
    assert b"override" not in result.stderr.lower()
