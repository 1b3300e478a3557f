"""Find the real binary behind a shim.

The real binary is the first executable regular file named like the tool on PATH
once every guardshim shim is skipped. A candidate is skipped when its folder is
the shim folder, or when the file starts with the shim marker (a copy of a shim
in another folder). Folders are compared by device and inode, so a symlinked,
relative or repeated entry cannot make a shim find itself.
"""

from guardshim import fastos

MARKER = b"guardshim-shim-marker"
_MARKER_WINDOW = 512


class RealBinaryNotFound(Exception):
    """No real binary was found; names the tool and the PATH that was searched."""

    def __init__(self, tool, searched, configured=None):
        self.tool = tool
        self.searched = searched
        self.configured = configured
        if configured and is_shim_file(configured):
            message = f"configured path {configured} is a guardshim shim, not the real {tool}"
        elif configured:
            message = f"configured path {configured} is not an executable file"
        else:
            message = f"no real {tool} found on PATH={searched!r}"
        super().__init__(message)


def find_real_binary(tool, path_variable, shim_dirs, configured=None):
    """Return the absolute path of the real `tool` binary.

    `path_variable` is the PATH string, `shim_dirs` the folders that hold
    guardshim shims, `configured` an explicit path from the config, which is
    used instead of a PATH search and must not be a shim itself.
    """
    if configured:
        if _is_real_executable(configured):
            return configured
        raise RealBinaryNotFound(tool, path_variable, configured)

    skipped = {fastos.identity(folder) for folder in shim_dirs if folder}
    skipped.discard(None)
    for entry in path_variable.split(fastos.PATHSEP):
        # An empty entry means the current folder, as execvp reads PATH.
        folder = entry or "."
        if fastos.identity(folder) in skipped:
            continue
        candidate = fastos.join(folder, tool)
        if _is_real_executable(candidate):
            return fastos.absolute(candidate)
    raise RealBinaryNotFound(tool, path_variable)


def _is_real_executable(candidate):
    try:
        if not fastos.is_file(candidate) or not fastos.access(candidate, fastos.X_OK):
            return False
        return not is_shim_file(candidate)
    except (OSError, ValueError):
        return False


def is_shim_file(candidate):
    """Return True when the file at `candidate` starts like a guardshim shim."""
    try:
        with open(candidate, "rb") as stream:
            head = stream.read(_MARKER_WINDOW)
    except OSError:
        return False
    return MARKER in head
