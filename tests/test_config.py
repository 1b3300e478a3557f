"""Loading, validating and layering the TOML config files."""

from pathlib import Path

import pytest

from guardshim.config import ConfigError, default_locations, load_settings

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def locations(system=None, user=None):
    return {
        "config_files": [str(system or "/nonexistent/system.toml"), str(user)],
        "audit_path": "/x/audit.jsonl",
        "home": "/h",
    }


def load(tmp_path, text, name="config.toml"):
    path = tmp_path / name
    path.write_text(text)
    return load_settings(locations(user=path))


def test_example_config_is_valid(tmp_path):
    settings = load(tmp_path, EXAMPLE.read_text())
    assert len(settings.layers[0]["rules"]) == 4


def test_example_config_keeps_defaults(tmp_path):
    settings = load(tmp_path, EXAMPLE.read_text())
    assert settings.layers[0]["policy"]["write"] == "deny"


def test_missing_files_give_defaults():
    settings = load_settings(locations(user="/nonexistent/user.toml"))
    assert settings.layers == []


def test_user_settings_apply(tmp_path):
    settings = load(tmp_path, "[prompt]\ntimeout = 5\n[override]\nmode = 'pass'\n")
    assert (settings.prompt_timeout, settings.override_mode) == (5.0, "pass")


def test_user_file_over_system_file(tmp_path):
    system = tmp_path / "system.toml"
    user = tmp_path / "user.toml"
    system.write_text("[prompt]\ntimeout = 30\n")
    user.write_text("[prompt]\ntimeout = 10\n")
    settings = load_settings(locations(system, user))
    assert settings.prompt_timeout == 10.0


def test_audit_path_expands_home_of_installer(tmp_path):
    settings = load(tmp_path, '[audit]\npath = "~/logs/audit.jsonl"\n')
    assert settings.audit_path == "/h/logs/audit.jsonl"


def test_agent_env_read(tmp_path):
    settings = load(tmp_path, '[agent.env]\nAWS_PROFILE = "agent-readonly"\n')
    assert settings.agent_env == {"AWS_PROFILE": "agent-readonly"}


# One row per validation error: the text, the key the error names, and a piece of
# the problem or the fix that the message must contain.
INVALID = [
    ("[policy\n", None, "is not valid TOML"),
    ("colour = 1\n", "colour", "unknown key"),
    ('[policy]\nsecrets = "allow"\n', "policy.secrets", "unknown class 'secrets'"),
    ('[policy]\nwrite = "yes"\n', "policy.write", "invalid value 'yes'"),
    ("[policy]\nwrite = 1\n", "policy.write", "invalid value 1"),
    ('policy = "allow"\n', "policy", "expected a table"),
    ("[tools.kubectl]\nflavour = 1\n", "tools.kubectl.flavour", "unknown key"),
    ("[tools.oc]\npath = '/bin/oc'\n", "tools.oc", "unknown tool 'oc'"),
    ("[tools.kubectl]\npath = 'bin/kubectl'\n", "tools.kubectl.path", "relative path"),
    ("[prompt]\ntimeout = 0\n", "prompt.timeout", "invalid value 0"),
    ("[prompt]\ntimeout = true\n", "prompt.timeout", "invalid value True"),
    ("[override]\nmode = 'always'\n", "override.mode", "invalid value 'always'"),
    ("[approval]\nchannel = 'email'\n", "approval.channel", "invalid value 'email'"),
    ("[approval]\nnotify = 'yes'\n", "approval.notify", "invalid value 'yes'"),
    ("[audit]\npath = ''\n", "audit.path", "invalid value ''"),
    ("[audit]\nkeep = 0\n", "audit.keep", "invalid value 0"),
    ("[audit]\nmax_bytes = 10\n", "audit.max_bytes", "invalid value 10"),
    ("[agent.env]\n'1X' = 'a'\n", "agent.env.1X", "invalid variable name"),
    ("[agent.env]\nX = 1\n", "agent.env.X", "invalid value 1"),
    ("locked = true\n", "locked", "only the system file can lock"),
    ("rules = 1\n", "rules", "expected an array of tables"),
    ("[[rules]]\ntool = 'kubectl'\n", "rules[1].decision", "missing"),
    ("[[rules]]\ndecision = 'deny'\n", "rules[1]", "matches every command"),
    ("[[rules]]\ntool = 'oc'\ndecision = 'deny'\n", "rules[1].tool", "invalid value 'oc'"),
    ("[[rules]]\nclass = 'danger'\ndecision = 'deny'\n", "rules[1].class", "'danger'"),
    ("[[rules]]\ntool = []\ndecision = 'deny'\n", "rules[1].tool", "invalid value []"),
    ("[[rules]]\ncontext = 'prod-[a'\ndecision = 'deny'\n", "rules[1].context", "invalid glob"),
    (
        "[[rules]]\ncontext_regex = 'prod-(a'\ndecision = 'deny'\n",
        "rules[1].context_regex",
        "invalid regular expression",
    ),
    ("[[rules]]\ntool = 'helm'\ndecision = 'maybe'\n", "rules[1].decision", "'maybe'"),
    (
        "[[rules]]\ntool = 'helm'\ndecision = 'deny'\nconfirm = 'target'\n",
        "rules[1].confirm",
        "applies only to decision",
    ),
    (
        "[[rules]]\ntool = 'helm'\ndecision = 'prompt'\nconfirm = 'twice'\n",
        "rules[1].confirm",
        "invalid value 'twice'",
    ),
    ("[[rules]]\ntool = 'helm'\ndecision = 'deny'\nmessage = ''\n", "rules[1].message", "''"),
    ("[[rules]]\ntool = 'helm'\ndecision = 'deny'\nshell = 1\n", "rules[1].shell", "unknown key"),
]


@pytest.mark.parametrize(("text", "key", "problem"), INVALID, ids=[row[1] or "syntax" for row in INVALID])
def test_invalid_config_names_key(tmp_path, text, key, problem):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert caught.value.key == key
    assert problem in str(caught.value)
    assert str(tmp_path / "config.toml") in str(caught.value)
    assert caught.value.hint


def test_syntax_error_names_line(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, "[policy]\nread = 'allow'\nwrite = \n")
    assert "line 3" in str(caught.value)


def test_invalid_utf8_named(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"[policy]\nread = '\xff'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(locations(user=path))
    assert "UTF-8" in caught.value.problem


def test_unreadable_file_named(tmp_path):
    folder = tmp_path / "config.toml"
    folder.mkdir()
    with pytest.raises(ConfigError) as caught:
        load_settings(locations(user=folder))
    assert caught.value.path == str(folder)


def test_extra_config_missing_is_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(locations(user="/nonexistent/u.toml"), {"GUARDSHIM_CONFIG": str(tmp_path / "no.toml")})
    assert "GUARDSHIM_CONFIG" in str(caught.value)


def test_default_locations_follow_xdg():
    environ = {"HOME": "/h", "XDG_CONFIG_HOME": "/c", "XDG_STATE_HOME": "/s"}
    found = default_locations(environ)
    assert found["config_files"][-1] == "/c/guardshim/config.toml"
    assert found["audit_path"] == "/s/guardshim/audit.jsonl"
    assert found["shim_dir"] == "/h/.local/share/guardshim/shims"


def test_default_locations_runtime_folder():
    found = default_locations({"HOME": "/h", "XDG_RUNTIME_DIR": "/run/user/7"})
    assert found["runtime_dir"] == "/run/user/7/guardshim"
