"""fastos matches os for the paths and files the shim's hot path handles."""

import os
import stat

import pytest

from guardshim import fastos

PATHS = ["a/b", "./x", "/a/./b/../c", "/", ".", "..", "/x/..", "a//b/", "/a/b/"]


@pytest.mark.parametrize("path", PATHS)
def test_absolute_matches_abspath(path):
    assert fastos.absolute(path) == os.path.abspath(path)


@pytest.mark.parametrize("path", ["/a/b", "/a/b/", "a", "/", "//x", "/a", "a/b"])
def test_dirname_matches_os(path):
    assert fastos.dirname(path) == os.path.dirname(path)


@pytest.mark.parametrize(
    "parts", [("a", "b"), ("/a/", "b"), ("a", "/b"), ("", "b"), ("a", "b", "c")]
)
def test_join_matches_os(parts):
    assert fastos.join(*parts) == os.path.join(*parts)


def test_environ_strings_matches_os():
    assert fastos.environ_strings() == dict(os.environ)


def test_identity_through_symlink(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert fastos.identity(str(tmp_path / "link")) == fastos.identity(str(tmp_path / "real"))


def test_identity_missing_is_none(tmp_path):
    assert fastos.identity(str(tmp_path / "missing")) is None


def test_make_folders_creates_parents(tmp_path):
    target = tmp_path / "a" / "b" / "c"
    fastos.make_folders(str(target), 0o700)
    assert stat.S_IMODE(target.stat().st_mode) == 0o700


def test_make_folders_file_in_way(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        fastos.make_folders(str(tmp_path / "file" / "sub"), 0o700)


def test_is_file_and_folder(tmp_path):
    (tmp_path / "f").write_text("x")
    assert fastos.is_file(str(tmp_path / "f"))
    assert not fastos.is_file(str(tmp_path))
    assert fastos.is_folder(str(tmp_path))
