"""The part of `os` a shim needs on every call, built on the `posix` module alone.

A shim starts Python with `-I -S`, which does not import `os`. Importing it
costs about 2 ms of CPU (it pulls in `posixpath`, `stat` and the whole of
`_collections_abc`), a fifth of the bare interpreter's start-up, on a path that
runs before every kubectl call an agent makes. These helpers cover what the
allow path, the prompt and target lookup use; the CLI uses `os`.

POSIX only, like the shims themselves.
"""

import posix
from posix import (  # noqa: F401 - re-exported for the hot-path modules
    O_APPEND,
    O_CREAT,
    O_EXCL,
    O_NOCTTY,
    O_RDWR,
    O_WRONLY,
    F_LOCK,
    X_OK,
    access,
    close,
    dup,
    execve,
    fstat,
    getcwd,
    getpgrp,
    getpid,
    getppid,
    lockf,
    mkdir,
    pipe,
    read,
    rename,
    set_blocking,
    stat,
    strerror,
    tcgetpgrp,
    unlink,
    urandom,
    write,
)
from posix import open as open_descriptor  # noqa: F401

SEPARATOR = "/"
PATHSEP = ":"
_TYPE_MASK = 0o170000
_REGULAR_FILE = 0o100000
_DIRECTORY = 0o040000
_ENOTDIR = 20  # errno.ENOTDIR on Linux and the BSDs


def environ_strings():
    """Return the process environment as str keys and values, as `os.environ` has."""
    return {
        key.decode("utf-8", "surrogateescape"): value.decode("utf-8", "surrogateescape")
        for key, value in posix.environ.items()
    }


def join(folder, *names):
    """Join path parts like `os.path.join`: an absolute part restarts the path."""
    path = folder
    for name in names:
        if name.startswith(SEPARATOR) or not path:
            path = name
        elif path.endswith(SEPARATOR):
            path += name
        else:
            path += SEPARATOR + name
    return path


def dirname(path):
    """Return the folder part of `path`, like `os.path.dirname`."""
    head = path[: path.rfind(SEPARATOR) + 1]
    if head and head != SEPARATOR * len(head):
        head = head.rstrip(SEPARATOR)
    return head


def is_absolute(path):
    return path.startswith(SEPARATOR)


def absolute(path):
    """Return `path` made absolute and normalised, like `os.path.abspath`.

    As there, `..` is resolved lexically, without following symlinks.
    """
    if not is_absolute(path):
        path = join(getcwd(), path)
    parts = []
    for part in path.split(SEPARATOR):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return SEPARATOR + SEPARATOR.join(parts)


def exists(path):
    try:
        stat(path)
    except (OSError, ValueError):
        return False
    return True


def is_file(path):
    try:
        return stat(path).st_mode & _TYPE_MASK == _REGULAR_FILE
    except (OSError, ValueError):
        return False


def is_folder(path):
    try:
        return stat(path).st_mode & _TYPE_MASK == _DIRECTORY
    except (OSError, ValueError):
        return False


def identity(path):
    """Return (device, inode) of what `path` resolves to, or None when it is missing.

    Comparing identities finds the same folder through any symlink, relative
    path or repeated entry, which is what `os.path.realpath` is often used for.
    """
    try:
        status = stat(path)
    except (OSError, ValueError):
        return None
    return (status.st_dev, status.st_ino)


def make_folders(path, mode=0o777):
    """Create `path` and its missing parents, like `os.makedirs(exist_ok=True)`."""
    if not path or is_folder(path):
        return
    parent = dirname(path.rstrip(SEPARATOR))
    if parent and parent != path:
        make_folders(parent, mode)
    try:
        mkdir(path, mode)
    except FileExistsError:
        if not is_folder(path):
            # Say what is wrong: a file is where the folder should be.
            raise NotADirectoryError(_ENOTDIR, strerror(_ENOTDIR), path) from None
