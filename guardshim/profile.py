"""Add and remove the marked block that puts the shim folder first on PATH."""

import os
from pathlib import Path

BEGIN = "# >>> guardshim >>>"
# Written instead of BEGIN when install had to end the profile's last line, so
# uninstall removes that newline too and restores the file byte for byte.
BEGIN_WITH_NEWLINE = "# >>> guardshim (with newline) >>>"
END = "# <<< guardshim <<<"


def default_profiles(environ=None):
    """Return the files of the user's shell that put the shims on PATH.

    Both the interactive rc file and the login file get the block. Agents run
    commands through `bash -c`, which inherits PATH, through interactive shells,
    which read the rc file, and through login shells such as `bash -lc`, whose
    /etc/profile resets PATH before the login file runs.
    """
    environ = os.environ if environ is None else environ
    home = Path(environ.get("HOME") or os.path.expanduser("~"))
    shell = Path(environ.get("SHELL") or "").name
    if shell == "zsh":
        return [home / ".zshrc", home / ".zprofile"]
    if shell == "fish":
        config_home = environ.get("XDG_CONFIG_HOME") or str(home / ".config")
        return [Path(config_home) / "fish" / "config.fish"]
    if shell == "bash" or not shell:
        return [home / ".bashrc", _bash_login_file(home)]
    return [home / ".profile"]


def default_profile(environ=None):
    """Return the first of default_profiles: the rc file of the user's shell."""
    return default_profiles(environ)[0]


def _bash_login_file(home):
    # bash reads the first of these that exists, and only that one.
    for name in (".bash_profile", ".bash_login", ".profile"):
        if (home / name).exists():
            return home / name
    return home / ".profile"


def render_block(shim_dir, fish=False, agent_env=None):
    """Return the block's lines between the markers.

    `agent_env` maps variable names to values that the block exports before it
    puts the shim folder first on PATH, so a PATH among them cannot push the
    shims back. Raises ValueError for a value with a line break or NUL, which
    the line-based block cannot hold.
    """
    agent_env = agent_env or {}
    validate_agent_env(agent_env)
    lines = ["# Added by `guardshim install`; `guardshim uninstall` removes it."]
    if fish:
        for name, value in agent_env.items():
            lines.append(f"set -gx {name} {_fish_quote(value)}")
        quoted = _fish_quote(str(shim_dir))
        return [
            *lines,
            f"if test \"$PATH[1]\" != {quoted}",
            f"    set -gx PATH {quoted} $PATH",
            "end",
        ]
    for name, value in agent_env.items():
        lines.append(f"export {name}={_sh_quote(value)}")
    quoted = _sh_quote(str(shim_dir))
    return [
        *lines,
        f'case "$PATH" in {quoted}:*) ;; *) PATH={quoted}:"$PATH" ;; esac',
        "export PATH",
        "hash -r 2>/dev/null || true",
    ]


def validate_agent_env(agent_env):
    for name, value in agent_env.items():
        if not name.isidentifier() or not name.isascii():
            raise ValueError(f"invalid variable name {name!r} in [agent.env]")
        if "\n" in value or "\r" in value or "\0" in value:
            raise ValueError(
                f"agent.env.{name} contains a line break or NUL, which a shell "
                "profile line cannot hold"
            )


def expand_agent_env(agent_env, home):
    """Return `agent_env` with a leading `~/` in each value replaced by `home`.

    A shell does not expand `~` inside quotes, and kubectl and the cloud CLIs do
    not expand it in KUBECONFIG or credential paths, so this is done once here.
    """
    expanded = {}
    for name, value in agent_env.items():
        if value == "~" or value.startswith("~/"):
            value = str(home) + value[1:]
        expanded[name] = value
    return expanded


def install_block(profile, shim_dir, agent_env=None):
    """Add or update the block in `profile`; return True when the file changed."""
    path = Path(profile)
    original = path.read_text(encoding="utf-8") if path.exists() else ""
    body = render_block(shim_dir, fish=path.suffix == ".fish", agent_env=agent_env)
    start, end, begin_line = _find_block(original)
    if start is not None:
        updated = original[:start] + _block_text(begin_line, body) + original[end:]
    else:
        begin_line = BEGIN
        prefix = original
        if original and not original.endswith("\n"):
            begin_line = BEGIN_WITH_NEWLINE
            prefix = original + "\n"
        updated = prefix + _block_text(begin_line, body)
    if updated == original:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_keeping_mode(path, updated)
    return True


def remove_block(profile):
    """Remove the block from `profile`; return True when the file changed."""
    path = Path(profile)
    if not path.exists():
        return False
    original = path.read_text(encoding="utf-8")
    start, end, begin_line = _find_block(original)
    if start is None:
        return False
    if begin_line == BEGIN_WITH_NEWLINE and original[:start].endswith("\n"):
        start -= 1
    _write_keeping_mode(path, original[:start] + original[end:])
    return True


def has_block(profile):
    path = Path(profile)
    return path.exists() and _find_block(path.read_text(encoding="utf-8"))[0] is not None


def read_block(profile):
    """Return the lines between the block's markers in `profile`, or None."""
    path = Path(profile)
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    start, end, _ = _find_block(text)
    if start is None:
        return None
    lines = text[start:end].splitlines()
    return lines[1:-1]


def _block_text(begin_line, body):
    return "\n".join([begin_line, *body, END]) + "\n"


def _find_block(text):
    """Return (start, end, begin line) of the block, or (None, None, None)."""
    for begin_line in (BEGIN, BEGIN_WITH_NEWLINE):
        marker = begin_line + "\n"
        if text.startswith(marker):
            start = 0
        else:
            found = text.find("\n" + marker)
            if found < 0:
                continue
            start = found + 1
        end_marker = text.find(END, start)
        if end_marker < 0:
            return None, None, None
        end = end_marker + len(END)
        if text[end : end + 1] == "\n":
            end += 1
        return start, end, begin_line
    return None, None, None


def _write_keeping_mode(path, text):
    # A profile that is a symlink (dotfile managers) keeps its link: the file it
    # points at is rewritten.
    path = path.resolve()
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    temporary = path.with_name(f".{path.name}.guardshim-tmp")
    temporary.write_text(text, encoding="utf-8")
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def _sh_quote(text):
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _fish_quote(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
