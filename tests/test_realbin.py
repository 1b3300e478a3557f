"""Finding the real binary behind the shims."""

import os

import pytest

from guardshim.realbin import RealBinaryNotFound, find_real_binary


def make_executable(path, text="#!/bin/sh\nexit 0\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture
def layout(tmp_path):
    shim_dir = tmp_path / "shims"
    make_executable(shim_dir / "kubectl", "#!/x -IS\n# guardshim-shim-marker: kubectl\n")
    real = make_executable(tmp_path / "real" / "kubectl")
    return tmp_path, shim_dir, real


def test_skips_shim_folder(layout):
    tmp_path, shim_dir, real = layout
    path = os.pathsep.join([str(shim_dir), str(real.parent)])
    assert find_real_binary("kubectl", path, [str(shim_dir)]) == str(real)


def test_skips_shim_folder_twice(layout):
    tmp_path, shim_dir, real = layout
    path = os.pathsep.join([str(shim_dir), str(shim_dir), str(real.parent)])
    assert find_real_binary("kubectl", path, [str(shim_dir)]) == str(real)


def test_skips_symlinked_shim_folder(layout):
    tmp_path, shim_dir, real = layout
    link = tmp_path / "link"
    link.symlink_to(shim_dir)
    path = os.pathsep.join([str(link), str(real.parent)])
    assert find_real_binary("kubectl", path, [str(shim_dir)]) == str(real)


def test_skips_copied_shim(layout):
    tmp_path, shim_dir, real = layout
    copy = make_executable(
        tmp_path / "elsewhere" / "kubectl", (shim_dir / "kubectl").read_text()
    )
    path = os.pathsep.join([str(copy.parent), str(real.parent)])
    assert find_real_binary("kubectl", path, [str(shim_dir)]) == str(real)


def test_relative_entry_is_absolute(layout, monkeypatch):
    tmp_path, shim_dir, real = layout
    monkeypatch.chdir(tmp_path)
    path = os.pathsep.join(["shims", "real"])
    assert find_real_binary("kubectl", path, [str(shim_dir)]) == str(real)


def test_empty_entry_is_current_folder(layout, monkeypatch):
    tmp_path, shim_dir, real = layout
    monkeypatch.chdir(real.parent)
    path = os.pathsep.join([str(shim_dir), ""])
    assert find_real_binary("kubectl", path, [str(shim_dir)]) == str(real)


def test_skips_non_executable(layout):
    tmp_path, shim_dir, real = layout
    plain = tmp_path / "plain" / "kubectl"
    plain.parent.mkdir()
    plain.write_text("not executable")
    path = os.pathsep.join([str(plain.parent), str(real.parent)])
    assert find_real_binary("kubectl", path, [str(shim_dir)]) == str(real)


def test_skips_folder_named_like_tool(layout):
    tmp_path, shim_dir, real = layout
    (tmp_path / "decoy" / "kubectl").mkdir(parents=True)
    path = os.pathsep.join([str(tmp_path / "decoy"), str(real.parent)])
    assert find_real_binary("kubectl", path, [str(shim_dir)]) == str(real)


def test_not_found_names_path(layout):
    tmp_path, shim_dir, real = layout
    with pytest.raises(RealBinaryNotFound) as caught:
        find_real_binary("kubectl", str(shim_dir), [str(shim_dir)])
    assert str(shim_dir) in str(caught.value)


def test_configured_path_wins(layout):
    tmp_path, shim_dir, real = layout
    other = make_executable(tmp_path / "other" / "kubectl")
    path = str(real.parent)
    assert find_real_binary("kubectl", path, [], configured=str(other)) == str(other)


def test_configured_shim_rejected(layout):
    tmp_path, shim_dir, real = layout
    with pytest.raises(RealBinaryNotFound) as caught:
        find_real_binary("kubectl", "", [], configured=str(shim_dir / "kubectl"))
    assert caught.value.configured == str(shim_dir / "kubectl")
