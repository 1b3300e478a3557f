"""Fixtures shared by every test: an isolated HOME and a guard on the real one."""

import builtins
import os
from pathlib import Path

import pytest

REAL_HOME = Path(os.path.expanduser("~")).resolve()

# Variables from the developer's shell that would change a decision or a target.
_SCRUBBED_PREFIXES = ("TF_", "HELM_", "GUARDSHIM_", "KUBE")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _is_under_real_home(path):
    try:
        resolved = Path(os.fsdecode(path)).resolve()
    except (TypeError, ValueError, OSError):
        return False
    if resolved == REAL_HOME or REAL_HOME in resolved.parents:
        # The Python installation itself may live under HOME (pyenv); its caches
        # are not ours to guard.
        return ".pyenv" not in resolved.parts
    return False


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Point HOME and the XDG folders at a temporary folder for every test.

    Any attempt of the test process to open a file for writing under the real
    HOME raises, so a test that forgets the isolation fails instead of touching
    the developer's files. Subprocesses inherit the temporary HOME.
    """
    home = tmp_path / "home"
    home.mkdir()
    for name in list(os.environ):
        if name.startswith(_SCRUBBED_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)

    real_open = builtins.open
    real_os_open = os.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, bytes, os.PathLike)) and set(mode) & set("wax+"):
            if _is_under_real_home(file):
                raise PermissionError(f"test tried to write under the real HOME: {file}")
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path, flags, *args, **kwargs):
        if flags & _WRITE_FLAGS and _is_under_real_home(path):
            raise PermissionError(f"test tried to write under the real HOME: {path}")
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    return home


class ShimInstall:
    """Shims rendered into a temporary folder, with an environment that uses them.

    `env` has the shim folder first on PATH, followed by `bin_dir` (where tests
    put stub tools) and the folder of the venv's kubectl, then the system PATH.
    """

    def __init__(self, home, shim_dir, bin_dir, audit_path, config_path, env):
        self.home = home
        self.shim_dir = shim_dir
        self.bin_dir = bin_dir
        self.audit_path = audit_path
        self.config_path = config_path
        self.env = env

    def shim(self, tool):
        return str(self.shim_dir / tool)

    def records(self):
        """Return the audit records written so far, parsed."""
        import json

        if not self.audit_path.exists():
            return []
        lines = self.audit_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]


@pytest.fixture
def shims(isolated_home, tmp_path):
    """Render the three shims for the isolated HOME and return a ShimInstall."""
    import sys

    from guardshim.config import default_locations
    from guardshim.render import write_shims

    locations = default_locations(os.environ)
    shim_dir = tmp_path / "shims"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    locations["shim_dir"] = str(shim_dir)
    write_shims(shim_dir, locations, interpreter=sys.executable)
    env = dict(os.environ)
    venv_bin = os.path.dirname(sys.executable)
    env["PATH"] = os.pathsep.join(
        [str(shim_dir), str(bin_dir), venv_bin, os.environ.get("PATH", "")]
    )
    return ShimInstall(
        isolated_home,
        shim_dir,
        bin_dir,
        Path(locations["audit_path"]),
        Path(locations["config_files"][-1]),
        env,
    )
