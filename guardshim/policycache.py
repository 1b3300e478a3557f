"""A cache of parsed config files, so a shim with a config skips the TOML parser.

Parsing TOML means importing `tomllib` (or `tomli`), which costs a shim about
three times the start-up of the bare interpreter. Each parsed file is stored as
its layer, plain data in `marshal` format, keyed by the file's path and a stamp
of its size, inode, device, mtime and ctime. ctime changes on every write and
cannot be set back with `touch`, so an edited file never matches its old entry.

The cache is an optimisation only: an entry that does not match, a cache file
that cannot be read or decoded, or one from another guardshim version is
ignored and the file is parsed again. Failing to write the cache is ignored too.
"""

import marshal

import guardshim
from guardshim import fastos

_FORMAT = 1


def file_stamp(status):
    """Return the stamp of an `os.stat` result that a cache entry must match."""
    return (
        status.st_size,
        status.st_ino,
        status.st_dev,
        status.st_mtime_ns,
        status.st_ctime_ns,
    )


class LayerCache:
    """Parsed layers of config files, read once and written back when changed."""

    def __init__(self, path):
        self.path = path
        self._entries = None
        self._changed = False

    def get(self, config_path, stamp, kind, home):
        """Return the cached layer for `config_path`, or None when it is stale."""
        entry = self._load().get(config_path)
        if not isinstance(entry, tuple) or len(entry) != 4:
            return None
        if entry[0] != stamp or entry[1] != kind or entry[2] != home:
            return None
        layer = entry[3]
        return layer if isinstance(layer, dict) else None

    def put(self, config_path, stamp, kind, home, layer):
        self._load()[config_path] = (stamp, kind, home, layer)
        self._changed = True

    def save(self):
        """Write the cache back if an entry changed; errors are ignored."""
        if not self._changed or not self.path:
            return
        data = marshal.dumps(
            {"format": _FORMAT, "version": guardshim.__version__, "entries": self._entries}
        )
        temporary = f"{self.path}.{fastos.getpid()}.{fastos.urandom(4).hex()}"
        try:
            fastos.make_folders(fastos.dirname(self.path), 0o700)
            flags = fastos.O_WRONLY | fastos.O_CREAT | fastos.O_EXCL
            descriptor = fastos.open_descriptor(temporary, flags, 0o600)
            try:
                fastos.write(descriptor, data)
            finally:
                fastos.close(descriptor)
            fastos.rename(temporary, self.path)
        except OSError:
            try:
                fastos.unlink(temporary)
            except OSError:
                pass
        self._changed = False

    def _load(self):
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def _read(self):
        if not self.path:
            return {}
        try:
            with open(self.path, "rb") as stream:
                content = marshal.loads(stream.read())
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        if (
            not isinstance(content, dict)
            or content.get("format") != _FORMAT
            or content.get("version") != guardshim.__version__
            or not isinstance(content.get("entries"), dict)
        ):
            return {}
        return content["entries"]
