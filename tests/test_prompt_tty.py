"""The approval prompt on a real pseudo-terminal, through the helm shim and stub.

`helm template r ./c` is a preview, so the default policy prompts on the terminal.
`helm install r ./c` is a write, which GUARDSHIM_OVERRIDE=1 turns into a request
to type the subcommand word.
"""

import os
import termios

import pytest

from tests.ptyrun import run_on_pty
from tests.test_e2e_helm import STUB_OUTPUT, install_helm_stub, read_stub_call

QUESTION = b"Run it? [y/N]"
OVERRIDE_QUESTION = b"type 'install' to run it:"
TIMEOUT = 30


@pytest.fixture
def stub(shims, tmp_path):
    """Install the stub helm and point STUB_RECORD in `shims.env` at a fresh file."""
    path = install_helm_stub(shims.bin_dir)
    record = tmp_path / "stub-call.json"
    shims.env["STUB_RECORD"] = str(record)
    return {"path": path, "record": record}


def run_template(shims, keys, delay=0.0, **options):
    """Run `helm template r ./c` on a pty and type `keys` when the question shows."""
    responses = [] if keys is None else [(QUESTION, keys, delay)]
    return run_on_pty(
        [shims.shim("helm"), "template", "r", "./c"],
        env=shims.env,
        responses=responses,
        timeout=TIMEOUT,
        **options,
    )


@pytest.mark.parametrize("answer", [b"y\n", b"yes\n", b"  y  \n", b"Y\n"])
def test_approving_answer_runs_stub(shims, stub, answer):
    result = run_template(shims, answer)

    assert result.returncode == 0, result.stderr
    assert read_stub_call(stub["record"]) is not None


def test_approval_audit_outcome(shims, stub):
    run_template(shims, b"y\n")

    records = shims.records()
    assert [record["outcome"] for record in records] == ["pending", "approved"]
    assert records[-1]["via"] == "terminal"


def test_approval_shares_event_id(shims, stub):
    run_template(shims, b"y\n")

    events = {record["event"] for record in shims.records()}
    assert len(events) == 1


# A person presses Ctrl-C some time after the question shows. The pause keeps
# these tests apart from the race covered by test_ctrl_c_as_prompt_appears.
HUMAN_PAUSE = 0.3

REFUSING_KEYS = [
    pytest.param(b"n\n", id="n"),
    pytest.param(b"no\n", id="no"),
    pytest.param(b"\n", id="empty-line"),
    pytest.param(b"\r", id="carriage-return"),
    pytest.param(b"yy\n", id="yy"),
    pytest.param(b"\x04", id="eof-ctrl-d"),
    pytest.param(b"\x03", id="ctrl-c"),
]


@pytest.mark.parametrize("keys", REFUSING_KEYS)
def test_refusing_answer_exits_77(shims, stub, keys):
    result = run_template(shims, keys, delay=HUMAN_PAUSE)

    assert result.returncode == 77, result.stderr
    assert result.keys_sent == 1


@pytest.mark.parametrize("keys", REFUSING_KEYS)
def test_refusing_answer_skips_stub(shims, stub, keys):
    run_template(shims, keys, delay=HUMAN_PAUSE)

    assert read_stub_call(stub["record"]) is None


def test_ctrl_c_reports_interrupt(shims, stub):
    result = run_template(shims, b"\x03", delay=HUMAN_PAUSE)

    assert b"interrupted by Ctrl-C or SIGINT" in result.stderr


def test_ctrl_c_as_prompt_appears(shims, stub):
    # Ctrl-C typed the moment the question shows must end the prompt at once.
    # A Ctrl-C that the prompt misses shows as a run that lasts until the timeout.
    shims.config_path.parent.mkdir(parents=True, exist_ok=True)
    shims.config_path.write_text("[prompt]\ntimeout = 1\n", encoding="utf-8")
    slow_runs = []

    # A race between showing the question and starting to read is narrow, so
    # the test makes 150 attempts, which take about 40 seconds.
    for attempt in range(150):
        result = run_template(shims, b"\x03")
        if result.elapsed > 0.8:
            slow_runs.append((attempt, round(result.elapsed, 1), result.stderr))

    assert slow_runs == []


def test_eof_reports_end_of_input(shims, stub):
    result = run_template(shims, b"\x04")

    assert b"end of input" in result.stderr


def test_refusal_audit_outcome(shims, stub):
    run_template(shims, b"n\n")

    assert [record["outcome"] for record in shims.records()] == ["pending", "refused"]


def test_timeout_refuses(shims, stub):
    shims.config_path.parent.mkdir(parents=True, exist_ok=True)
    shims.config_path.write_text("[prompt]\ntimeout = 1\n", encoding="utf-8")

    result = run_template(shims, None)

    assert result.returncode == 77
    assert b"no answer within 1 seconds" in result.stderr
    assert result.elapsed < 10
    assert read_stub_call(stub["record"]) is None


def test_timeout_audit_outcome(shims, stub):
    shims.config_path.parent.mkdir(parents=True, exist_ok=True)
    shims.config_path.write_text("[prompt]\ntimeout = 1\n", encoding="utf-8")

    run_template(shims, None)

    assert shims.records()[-1]["outcome"] == "timed_out"


def test_piped_stdin_reaches_stub(shims, stub):
    shims.env["STUB_STDIN"] = "1"
    data = b"y\nfirst line\n\x00\xff binary\nlast line without newline"

    result = run_template(shims, b"y\n", stdin=data)

    assert result.returncode == 0, result.stderr
    assert read_stub_call(stub["record"])["stdin"] == data


def test_piped_yes_cannot_approve(shims, stub):
    shims.env["STUB_STDIN"] = "1"

    result = run_template(shims, b"n\n", stdin=b"y\nyes\n")

    assert result.returncode == 77
    assert read_stub_call(stub["record"]) is None


def test_prompt_text_on_terminal(shims, stub):
    result = run_template(shims, b"y\n")

    assert QUESTION in result.terminal
    assert b"helm template r ./c" in result.terminal
    assert b"preview" in result.terminal


def test_prompt_text_not_on_stdout(shims, stub):
    result = run_template(shims, b"y\n")

    assert result.stdout == STUB_OUTPUT


def test_prompt_text_not_on_stderr(shims, stub):
    result = run_template(shims, b"y\n")

    assert result.stderr == b""


def test_refused_prompt_stdout_empty(shims, stub):
    result = run_template(shims, b"n\n")

    assert result.stdout == b""


@pytest.mark.parametrize("keys", [b"y\n", b"n\n", b"\x03", b"\x04"])
def test_terminal_settings_restored(shims, stub, keys):
    result = run_template(shims, keys, delay=HUMAN_PAUSE)

    assert result.attributes_after == result.attributes_before


def _raw_attributes():
    """Return terminal settings with echo and line mode off, as an editor sets them."""
    master, slave = os.openpty()
    try:
        attributes = termios.tcgetattr(slave)
    finally:
        os.close(master)
        os.close(slave)
    attributes[3] &= ~(termios.ECHO | termios.ICANON)
    attributes[0] &= ~termios.ICRNL
    return attributes


@pytest.mark.parametrize("keys", [b"y\n", b"n\n"])
def test_raw_terminal_settings_restored(shims, stub, keys):
    result = run_template(shims, keys, attributes=_raw_attributes())

    assert result.keys_sent == 1
    assert result.attributes_after == result.attributes_before


def test_raw_terminal_still_prompts(shims, stub):
    result = run_template(shims, b"y\n", attributes=_raw_attributes())

    assert result.returncode == 0, result.stderr
    assert read_stub_call(stub["record"]) is not None


def run_override(shims, keys):
    """Run `helm install r ./c` with GUARDSHIM_OVERRIDE=1 and type `keys`."""
    shims.env["GUARDSHIM_OVERRIDE"] = "1"
    return run_on_pty(
        [shims.shim("helm"), "install", "r", "./c"],
        env=shims.env,
        responses=[(OVERRIDE_QUESTION, keys)],
        timeout=TIMEOUT,
    )


def test_override_typed_word_runs(shims, stub):
    result = run_override(shims, b"install\n")

    assert result.returncode == 0, result.stderr
    assert read_stub_call(stub["record"]) is not None


def test_override_audit_outcome(shims, stub):
    run_override(shims, b"install\n")

    record = shims.records()[-1]
    assert record["outcome"] == "override"
    assert record["class"] == "write"


@pytest.mark.parametrize("keys", [b"y\n", b"yes\n", b"Install\n", b"\n", b"\x04"])
def test_override_other_answer_refuses(shims, stub, keys):
    result = run_override(shims, keys)

    assert result.returncode == 77
    assert read_stub_call(stub["record"]) is None


def test_override_refusal_hides_override(shims, stub):
    result = run_override(shims, b"y\n")

    assert b"GUARDSHIM_OVERRIDE" not in result.stderr
    assert b"override" not in result.stderr.lower()


def test_install_without_override_no_prompt(shims, stub):
    result = run_on_pty(
        [shims.shim("helm"), "install", "r", "./c"],
        env=shims.env,
        timeout=TIMEOUT,
    )

    assert result.returncode == 77
    assert result.terminal == b""


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_signal_during_prompt_refuses(shims, stub, name):
    # The signal comes from another process while the question waits, the
    # moment it shows: the wake-up pipe must end the prompt at once.
    import select
    import signal
    import time

    from tests.ptyrun import _spawn

    master, slave = os.openpty()
    before = termios.tcgetattr(slave)
    process = _spawn([shims.shim("helm"), "template", "r", "./c"], shims.env, None, slave, None, None)
    try:
        seen = b""
        deadline = time.monotonic() + TIMEOUT
        while QUESTION not in seen and time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                seen += os.read(master, 4096)
        assert QUESTION in seen
        process.send_signal(getattr(signal, name))
        _, stderr = process.communicate(timeout=10)
        after = termios.tcgetattr(slave)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
        os.close(slave)
    assert process.returncode == 77
    assert b"interrupted" in stderr
    assert after == before
    assert read_stub_call(stub["record"]) is None


def test_pipeline_prompts_take_turns(shims, stub):
    # Both sides of a pipeline need approval; the second question must not
    # start before the first is answered.
    script = f"{shims.shim('helm')} template a ./c | {shims.shim('helm')} template b ./c"
    result = run_on_pty(
        ["bash", "-c", script], env=shims.env, timeout=TIMEOUT,
        responses=[(QUESTION, b"y\n", HUMAN_PAUSE), (QUESTION, b"y\n", HUMAN_PAUSE)],
    )
    terminal = result.terminal
    first_block = terminal.index(b"needs approval")
    first_question = terminal.index(QUESTION)
    second_block = terminal.find(b"needs approval", first_block + 1)
    assert second_block > first_question
    # The echoed answer to the first question comes before the second question.
    assert b"y" in terminal[first_question + len(QUESTION) : second_block]
    assert result.returncode == 0
