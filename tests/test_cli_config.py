"""guardshim config check."""

import pytest

from guardshim.cli import main


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    # rich folds long paths at the terminal width; keep each row on one line.
    monkeypatch.setenv("COLUMNS", "400")


def write_user_config(home, text):
    path = home / ".config" / "guardshim" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_check_without_config(capsys):
    assert main(["config", "check"]) == 0
    assert "built-in default policy" in capsys.readouterr().out


def test_check_lists_rules_with_file(isolated_home, capsys):
    path = write_user_config(
        isolated_home, "[[rules]]\ncontext = 'prod-*'\nclass = 'write'\ndecision = 'deny'\n"
    )
    assert main(["config", "check"]) == 0
    output = capsys.readouterr().out
    assert f"{path}: rules[1]" in output
    assert "context = prod-*" in output


def test_check_shows_class_table(isolated_home, capsys):
    write_user_config(isolated_home, "[tools.helm.policy]\npreview = 'allow'\n")
    main(["config", "check"])
    assert "tools.helm.policy.preview" in capsys.readouterr().out


def test_check_invalid_config_exit(isolated_home, capsys):
    path = write_user_config(isolated_home, "[policy]\nwrite = 'often'\n")
    assert main(["config", "check"]) == 78
    error = capsys.readouterr().err
    assert str(path) in error
    assert "hint:" in error


def test_check_named_file(tmp_path, capsys):
    candidate = tmp_path / "candidate.toml"
    candidate.write_text("[[rules]]\ntool = 'kubectl'\ncommand = 'delete'\ndecision = 'deny'\n")
    assert main(["config", "check", str(candidate)]) == 0
    assert "command = delete" in capsys.readouterr().out


def test_check_project_file(tmp_path, monkeypatch, capsys):
    (tmp_path / ".guardshim.toml").write_text("[policy]\nlocal = 'deny'\n")
    monkeypatch.chdir(tmp_path)
    assert main(["config", "check"]) == 0
    output = capsys.readouterr().out
    assert "tighten only" in output
