"""Decisions: class tables, ordered rules, layers and tighten-only files."""

import pytest

from guardshim.classes import Verdict
from guardshim.config import ConfigError, load_settings
from guardshim.policy import Facts, decide
from guardshim.policyfile import build_layer


def verdict(tool, command, klass):
    return Verdict(tool, list(command), command, klass, "test", f"{tool}.test")


def settings_from(tmp_path, user_text, system_text=None, project_text=None, extra_text=None):
    system = tmp_path / "system.toml"
    user = tmp_path / "user.toml"
    if system_text is not None:
        system.write_text(system_text)
    user.write_text(user_text)
    environ = {}
    cwd = None
    if project_text is not None:
        project = tmp_path / "repo"
        project.mkdir(exist_ok=True)
        (project / ".guardshim.toml").write_text(project_text)
        cwd = str(project / "sub")
        (project / "sub").mkdir(exist_ok=True)
    if extra_text is not None:
        extra = tmp_path / "extra.toml"
        extra.write_text(extra_text)
        environ["GUARDSHIM_CONFIG"] = str(extra)
    return load_settings(
        {"config_files": [str(system), str(user)], "audit_path": "/x/a.jsonl"},
        environ,
        cwd,
    )


def decide_for(settings, tool, command, klass, target=None, cwd="/work/repo"):
    v = verdict(tool, command, klass)
    facts = Facts(v, cwd, lambda: dict(target or {}))
    return decide(v, settings, facts)


RULES = """
[[rules]]
context = "prod-*"
class = ["write", "secret"]
decision = "deny"
message = "Production changes go through the pipeline."

[[rules]]
context = "prod-*"
class = "preview"
decision = "prompt"
confirm = "target"

[[rules]]
context_regex = "dev-[a-z]+"
class = "write"
decision = "prompt"

[[rules]]
tool = "kubectl"
command = "rollout restart"
namespace = "team-*"
decision = "allow"

[[rules]]
tool = "terraform"
command = "state *"
workspace = "prod"
decision = "deny"

[[rules]]
tool = "helm"
command = "template"
decision = "allow"

[[rules]]
cwd = "/work/sandbox/*"
class = "write"
decision = "prompt"
"""

# tool, command, class, target, cwd, expected decision, expected rule index or default
MATCHING = [
    ("kubectl", ("delete",), "write", {"context": "prod-eu"}, "/w", "deny", 1),
    ("helm", ("get", "values"), "secret", {"context": "prod-us"}, "/w", "deny", 1),
    ("terraform", ("plan",), "preview", {"context": "prod-eu"}, "/w", "prompt", 2),
    ("kubectl", ("delete",), "write", {"context": "dev-anna"}, "/w", "prompt", 3),
    ("kubectl", ("delete",), "write", {"context": "dev-anna-2"}, "/w", "deny", None),
    ("kubectl", ("delete",), "write", {"context": "xdev-anna"}, "/w", "deny", None),
    ("kubectl", ("rollout", "restart"), "write", {"namespace": "team-a"}, "/w", "allow", 4),
    ("kubectl", ("rollout", "restart"), "write", {"namespace": "kube-system"}, "/w", "deny", None),
    ("kubectl", ("rollout", "restart"), "write", {"namespace": "*"}, "/w", "deny", None),
    ("helm", ("rollout", "restart"), "write", {"namespace": "team-a"}, "/w", "deny", None),
    ("terraform", ("state", "rm"), "write", {"workspace": "prod"}, "/w", "deny", 5),
    ("terraform", ("state", "pull"), "secret", {"workspace": "prod"}, "/w", "deny", 5),
    ("terraform", ("state", "list"), "read", {"workspace": "prod"}, "/w", "deny", 5),
    ("terraform", ("state", "list"), "read", {"workspace": "dev"}, "/w", "allow", None),
    ("terraform", ("statement",), "unknown", {"workspace": "prod"}, "/w", "prompt", None),
    ("helm", ("template",), "preview", {}, "/w", "allow", 6),
    ("helm", ("install",), "write", {}, "/work/sandbox/x", "prompt", 7),
    ("helm", ("install",), "write", {}, "/work/sandboxes", "deny", None),
    ("kubectl", ("get",), "read", {"context": "prod-eu"}, "/w", "allow", None),
    ("kubectl", ("delete",), "write", {}, "/w", "deny", None),
]


@pytest.mark.parametrize(
    ("tool", "command", "klass", "target", "cwd", "expected", "rule"),
    MATCHING,
    ids=[f"{row[0]}-{'-'.join(row[1])}-{row[2]}-{row[6]}" for row in MATCHING],
)
def test_rule_matching(tmp_path, tool, command, klass, target, cwd, expected, rule):
    settings = settings_from(tmp_path, RULES)
    decision = decide_for(settings, tool, command, klass, target, cwd)
    assert decision.decision == expected
    if rule is None:
        assert decision.rule == f"default:{klass}"
    else:
        assert decision.rule == f"{tmp_path / 'user.toml'}: rules[{rule}]"


def test_refusal_message_from_rule(tmp_path):
    settings = settings_from(tmp_path, RULES)
    decision = decide_for(settings, "kubectl", ("delete",), "write", {"context": "prod-a"})
    assert decision.message == "Production changes go through the pipeline."


def test_confirm_target_from_rule(tmp_path):
    settings = settings_from(tmp_path, RULES)
    decision = decide_for(settings, "helm", ("upgrade",), "preview", {"context": "prod-a"})
    assert decision.confirm == "target"


def test_target_not_resolved_without_target_rules(tmp_path):
    settings = settings_from(tmp_path, "[[rules]]\ntool = 'helm'\ndecision = 'deny'\n")
    v = verdict("kubectl", ("get",), "read")
    facts = Facts(v, "/w", lambda: pytest.fail("target resolved"))
    assert decide(v, settings, facts).decision == "allow"


def test_tool_table_over_global_table(tmp_path):
    settings = settings_from(
        tmp_path, "[policy]\npreview = 'deny'\n[tools.helm.policy]\npreview = 'allow'\n"
    )
    assert decide_for(settings, "helm", ("template",), "preview").decision == "allow"
    assert decide_for(settings, "terraform", ("plan",), "preview").decision == "deny"


def test_user_rules_before_system_rules(tmp_path):
    settings = settings_from(
        tmp_path,
        "[[rules]]\ntool = 'helm'\nclass = 'write'\ndecision = 'prompt'\n",
        system_text="[[rules]]\ntool = 'helm'\nclass = 'write'\ndecision = 'deny'\n",
    )
    assert decide_for(settings, "helm", ("install",), "write").decision == "prompt"


def test_system_table_when_user_silent(tmp_path):
    settings = settings_from(tmp_path, "", system_text="[policy]\nlocal = 'prompt'\n")
    decision = decide_for(settings, "terraform", ("init",), "local")
    assert decision.rule == f"{tmp_path / 'system.toml'}: policy.local"


def test_project_file_tightens(tmp_path):
    settings = settings_from(tmp_path, "", project_text="[policy]\nlocal = 'deny'\n")
    assert decide_for(settings, "terraform", ("init",), "local").decision == "deny"


def test_project_rule_tightens(tmp_path):
    project = "[[rules]]\ntool = 'kubectl'\ncommand = 'get'\nclass = 'read'\ndecision = 'prompt'\n"
    settings = settings_from(tmp_path, "", project_text=project)
    decision = decide_for(settings, "kubectl", ("get",), "read")
    assert decision.rule == f"{tmp_path / 'repo' / '.guardshim.toml'}: rules[1]"


def test_project_file_found_upward(tmp_path):
    settings = settings_from(tmp_path, "", project_text="[policy]\nread = 'prompt'\n")
    assert settings.loaded_files[-1] == (str(tmp_path / "repo" / ".guardshim.toml"), "project")


def test_project_cannot_allow_denied(tmp_path):
    project = "[[rules]]\ntool = 'kubectl'\nclass = 'write'\ndecision = 'allow'\n"
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, "", project_text=project)
    assert caught.value.key == "rules[1]"
    assert "could allow kubectl write commands" in caught.value.problem


def test_project_cannot_allow_prompted(tmp_path):
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, "", project_text="[policy]\npreview = 'allow'\n")
    assert caught.value.key == "policy.preview"


def test_project_cannot_prompt_denied(tmp_path):
    with pytest.raises(ConfigError) as caught:
        settings_from(
            tmp_path, "", project_text="[tools.helm.policy]\nsecret = 'prompt'\n"
        )
    assert caught.value.key == "tools.helm.policy.secret"


def test_project_may_repeat_user_allow(tmp_path):
    settings = settings_from(
        tmp_path,
        "[policy]\npreview = 'allow'\n",
        project_text="[[rules]]\ntool = 'helm'\nclass = 'preview'\ndecision = 'allow'\n",
    )
    assert decide_for(settings, "helm", ("template",), "preview").decision == "allow"


def test_project_cannot_set_binary_path(tmp_path):
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, "", project_text="[tools.kubectl]\npath = '/tmp/k'\n")
    assert caught.value.key == "tools.kubectl.path"


def test_project_cannot_change_audit(tmp_path):
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, "", project_text="[audit]\npath = '/tmp/elsewhere'\n")
    assert caught.value.key == "audit.path"


def test_project_cannot_lock(tmp_path):
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, "", project_text="locked = true\n")
    assert caught.value.key == "locked"


def test_extra_config_tighten_only(tmp_path):
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, "", extra_text="[policy]\nwrite = 'allow'\n")
    assert caught.value.path == str(tmp_path / "extra.toml")


def test_extra_config_tightens(tmp_path):
    settings = settings_from(tmp_path, "", extra_text="[policy]\nread = 'deny'\n")
    assert decide_for(settings, "kubectl", ("get",), "read").decision == "deny"


def test_tighten_wins_over_user_rule(tmp_path):
    settings = settings_from(
        tmp_path,
        "[[rules]]\ntool = 'kubectl'\ncommand = 'get'\ndecision = 'allow'\n",
        extra_text="[tools.kubectl.policy]\nread = 'prompt'\n",
    )
    assert decide_for(settings, "kubectl", ("get",), "read").decision == "prompt"


def test_locked_system_user_cannot_loosen(tmp_path):
    with pytest.raises(ConfigError) as caught:
        settings_from(
            tmp_path, "[policy]\nwrite = 'prompt'\n", system_text="locked = true\n"
        )
    assert caught.value.path == str(tmp_path / "user.toml")


def test_locked_system_user_may_tighten(tmp_path):
    settings = settings_from(
        tmp_path, "[policy]\nlocal = 'prompt'\n", system_text="locked = true\n"
    )
    assert decide_for(settings, "terraform", ("init",), "local").decision == "prompt"


def test_locked_system_user_cannot_set_paths(tmp_path):
    with pytest.raises(ConfigError) as caught:
        settings_from(
            tmp_path, "[override]\nmode = 'pass'\n", system_text="locked = true\n"
        )
    assert caught.value.key == "override.mode"


def test_unlocked_user_may_loosen(tmp_path):
    settings = settings_from(
        tmp_path, "[policy]\nwrite = 'prompt'\n", system_text="[policy]\nwrite = 'deny'\n"
    )
    assert decide_for(settings, "helm", ("install",), "write").decision == "prompt"


def test_prompt_target_stricter_than_yes(tmp_path):
    settings = settings_from(
        tmp_path,
        "",
        extra_text="[[rules]]\nclass = 'preview'\ndecision = 'prompt'\nconfirm = 'target'\n",
    )
    assert decide_for(settings, "terraform", ("plan",), "preview").confirm == "target"


def test_layer_is_plain_data():
    layer = build_layer("/f.toml", {"rules": [{"tool": "helm", "decision": "deny"}]}, "user", "/h")
    import marshal

    assert marshal.loads(marshal.dumps(layer)) == layer


def test_project_rule_without_class_checked(tmp_path):
    # Without `class`, a prompt rule also covers `kubectl get secret -o yaml`,
    # which the default policy denies.
    project = "[[rules]]\ntool = 'kubectl'\ncommand = 'get'\ndecision = 'prompt'\n"
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, "", project_text=project)
    assert "kubectl secret" in caught.value.problem


def test_server_override_ignores_dev_rule(tmp_path):
    # `--server` sends the command elsewhere, so the dev rule's prompt does not
    # replace the default refusal.
    settings = settings_from(tmp_path, RULES)
    target = {"context": "dev-anna", "namespace": "web", "endpoint": "server https://x"}
    decision = decide_for(settings, "kubectl", ("delete",), "write", target)
    assert decision.decision == "deny"


def test_server_override_keeps_prod_deny(tmp_path):
    settings = settings_from(tmp_path, "[policy]\nwrite = 'prompt'\n" + RULES)
    target = {"context": "prod-eu", "namespace": "web", "endpoint": "cluster other"}
    decision = decide_for(settings, "kubectl", ("delete",), "write", target)
    assert decision.decision == "deny"
