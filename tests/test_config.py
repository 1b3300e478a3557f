"""Loading and validating the TOML config."""

from pathlib import Path

import pytest

from guardshim.config import ConfigError, default_locations, load_settings

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def load(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_settings(
        {"config_files": [str(path)], "audit_path": "/x/audit.jsonl", "home": "/h"}
    )


def test_example_config_is_valid(tmp_path):
    settings = load(tmp_path, EXAMPLE.read_text())
    assert settings.tool_policy["helm"]["preview"][0] == "allow"


def test_example_config_keeps_defaults(tmp_path):
    settings = load(tmp_path, EXAMPLE.read_text())
    assert settings.policy["write"][0] == "deny"


def test_missing_files_give_defaults():
    settings = load_settings(
        {"config_files": ["/nonexistent/a.toml"], "audit_path": "/x/a.jsonl"}
    )
    assert settings.policy == {}


def test_later_file_wins(tmp_path):
    first = tmp_path / "first.toml"
    second = tmp_path / "second.toml"
    first.write_text('[policy]\npreview = "deny"\n')
    second.write_text('[policy]\npreview = "allow"\n')
    settings = load_settings(
        {"config_files": [str(first), str(second)], "audit_path": "/x/a.jsonl"}
    )
    assert settings.policy["preview"][0] == "allow"


def test_rule_names_file_and_key(tmp_path):
    settings = load(tmp_path, '[policy]\npreview = "allow"\n')
    assert settings.policy["preview"][1] == f"{tmp_path / 'config.toml'}: policy.preview"


def test_audit_path_expands_home_of_installer(tmp_path):
    settings = load(tmp_path, '[audit]\npath = "~/logs/audit.jsonl"\n')
    assert settings.audit_path == "/h/logs/audit.jsonl"


@pytest.mark.parametrize(
    ("text", "key", "fix"),
    [
        ("[policy\n", None, "fix the syntax"),
        ("colour = 1\n", "colour", "use one of: policy"),
        ('[policy]\nsecrets = "allow"\n', "policy.secrets", "use one of: read"),
        ('[policy]\nwrite = "yes"\n', "policy.write", "use one of: 'allow'"),
        ("[policy]\nwrite = 1\n", "policy.write", "use one of"),
        ('policy = "allow"\n', "policy", "write it as a [policy] section"),
        ("[tools.kubectl]\nflavour = 1\n", "tools.kubectl.flavour", "use one of: path"),
        ("[tools.oc]\npath = '/bin/oc'\n", "tools.oc", "use one of: terraform"),
        ("[tools.kubectl]\npath = 'bin/kubectl'\n", "tools.kubectl.path", "absolute"),
        ("[prompt]\ntimeout = 0\n", "prompt.timeout", "positive number"),
        ("[prompt]\ntimeout = true\n", "prompt.timeout", "positive number"),
        ("[override]\nmode = 'always'\n", "override.mode", "'prompt', 'pass'"),
        ("[audit]\npath = ''\n", "audit.path", "file path"),
    ],
)
def test_invalid_config_names_key_and_fix(tmp_path, text, key, fix):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert caught.value.key == key
    assert fix in caught.value.hint


def test_invalid_utf8_named(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"[policy]\nread = '\xff'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings({"config_files": [str(path)], "audit_path": "/x"})
    assert "UTF-8" in caught.value.problem


def test_default_locations_follow_xdg():
    environ = {"HOME": "/h", "XDG_CONFIG_HOME": "/c", "XDG_STATE_HOME": "/s"}
    locations = default_locations(environ)
    assert locations["config_files"][-1] == "/c/guardshim/config.toml"
    assert locations["audit_path"] == "/s/guardshim/audit.jsonl"
    assert locations["shim_dir"] == "/h/.local/share/guardshim/shims"
