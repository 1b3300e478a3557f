"""Find, load and layer guardshim's config files.

Files, in order:

1. the system file, `/etc/guardshim/config.toml`;
2. the user file, `$XDG_CONFIG_HOME/guardshim/config.toml` of the user who ran
   `guardshim install`;
3. a project file, `.guardshim.toml`, the first found from the working folder
   upward;
4. the file named by GUARDSHIM_CONFIG.

An agent can edit files in a repository and set its own environment variables,
so the project file and GUARDSHIM_CONFIG may only tighten the policy. A system
file with `locked = true` makes the user file tighten-only too.

The shim calls `load_settings` on every run. When no config file exists it
returns the defaults without importing a TOML parser.
"""

from guardshim import fastos
from guardshim.policycache import LayerCache, file_stamp

DEFAULT_PROMPT_TIMEOUT = 120
DEFAULT_AUDIT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_AUDIT_KEEP = 5
PROJECT_FILE = ".guardshim.toml"
EXTRA_CONFIG_VARIABLE = "GUARDSHIM_CONFIG"
SYSTEM_CONFIG = "/etc/guardshim/config.toml"



class ConfigError(Exception):
    """A config file that cannot be used: it names the file, the key and the fix."""

    def __init__(self, path, key, problem, hint):
        self.path = path
        self.key = key
        self.problem = problem
        self.hint = hint
        where = f"{path}: {key}" if key else path
        super().__init__(f"{where}: {problem}")


class Settings:
    """Everything a shim needs to decide, after the config files are read.

    `layers` contains the trusted layers (system, then user), `tighten_layers` the
    layers that may only tighten. `loaded_files` lists `(path, kind)` pairs.
    """

    __slots__ = (
        "config_files",
        "loaded_files",
        "layers",
        "tighten_layers",
        "locked",
        "tool_paths",
        "prompt_timeout",
        "override_mode",
        "approval_channel",
        "approval_notify",
        "audit_path",
        "audit_required",
        "audit_syslog",
        "audit_max_bytes",
        "audit_keep",
        "agent_env",
        "cache",
        "runtime_dir",
        "shim_dir",
        "home",
    )

    def __init__(self, config_files, audit_path, shim_dir=None, home=None):
        self.config_files = list(config_files)
        self.loaded_files = []
        self.layers = []
        self.tighten_layers = []
        self.locked = False
        self.tool_paths = {}
        self.prompt_timeout = DEFAULT_PROMPT_TIMEOUT
        self.override_mode = "prompt"
        self.approval_channel = "auto"
        self.approval_notify = True
        self.audit_path = audit_path
        self.audit_required = False
        self.audit_syslog = False
        self.audit_max_bytes = DEFAULT_AUDIT_MAX_BYTES
        self.audit_keep = DEFAULT_AUDIT_KEEP
        self.agent_env = {}
        self.cache = None
        self.runtime_dir = None
        self.shim_dir = shim_dir
        self.home = home

    def rules(self):
        """Yield `(layer, rule)` for every rule, in the order they are evaluated."""
        for layer in reversed(self.layers):
            for rule in layer["rules"]:
                yield layer, rule
        for layer in self.tighten_layers:
            for rule in layer["rules"]:
                yield layer, rule


def default_locations(environ=None):
    """Return the config files, audit log, shim and runtime folders of the user.

    These follow the XDG base directory rules. `guardshim install` fixes them in
    the shims, so the environment of a later caller cannot move them.
    """
    import os

    environ = os.environ if environ is None else environ
    home = environ.get("HOME") or os.path.expanduser("~")
    config_home = environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    state_home = environ.get("XDG_STATE_HOME") or os.path.join(home, ".local", "state")
    data_home = environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    # Approval requests travel through this folder: the per-login runtime folder
    # when the session has one, else guardshim's state folder.
    runtime_home = environ.get("XDG_RUNTIME_DIR") or state_home
    return {
        "home": home,
        "runtime_dir": os.path.join(runtime_home, "guardshim"),
        "config_files": [
            SYSTEM_CONFIG,
            os.path.join(config_home, "guardshim", "config.toml"),
        ],
        "audit_path": os.path.join(state_home, "guardshim", "audit.jsonl"),
        "shim_dir": os.path.join(data_home, "guardshim", "shims"),
    }


def load_settings(locations, environ=None, cwd=None):
    """Read every config file that applies and return Settings.

    `locations["config_files"]` lists the system and user files. `environ` and
    `cwd`, when given, add GUARDSHIM_CONFIG and the project file. Raises
    ConfigError for the first problem found.
    """
    settings = Settings(
        locations["config_files"],
        locations["audit_path"],
        locations.get("shim_dir"),
        locations.get("home"),
    )
    settings.runtime_dir = locations.get("runtime_dir") or fastos.dirname(
        settings.audit_path
    )
    cache = LayerCache(_cache_path(locations))
    settings.cache = cache
    trusted_files = list(settings.config_files)
    kinds = ["system", "user"] if len(trusted_files) == 2 else ["user"] * len(trusted_files)
    for path, kind in zip(trusted_files, kinds):
        layer = _load_layer(path, kind, settings.home, cache)
        if layer is None:
            continue
        settings.loaded_files.append((path, kind))
        if kind == "system" and layer["locked"]:
            settings.locked = True
        if kind == "user" and settings.locked:
            settings.tighten_layers.append(layer)
        else:
            settings.layers.append(layer)
            _apply_settings(settings, layer)

    for path, kind in _tighten_only_files(environ, cwd):
        layer = _load_layer(path, kind, settings.home, cache, required=kind == "extra")
        if layer is not None:
            settings.loaded_files.append((path, kind))
            settings.tighten_layers.append(layer)
    cache.save()
    _check_tighten_layers(settings)
    return settings


def _cache_path(locations):
    folder = fastos.dirname(locations.get("audit_path") or "")
    return fastos.join(folder, "policy.cache") if folder else None


def find_project_file(cwd):
    """Return the first `.guardshim.toml` from `cwd` upward, or None."""
    folder = fastos.absolute(cwd).rstrip(fastos.SEPARATOR) or fastos.SEPARATOR
    while True:
        candidate = fastos.join(folder, PROJECT_FILE)
        if fastos.is_file(candidate):
            return candidate
        parent = fastos.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _tighten_only_files(environ, cwd):
    files = []
    if cwd is not None:
        project = find_project_file(cwd)
        if project is not None:
            files.append((project, "project"))
    extra = (environ or {}).get(EXTRA_CONFIG_VARIABLE)
    if extra:
        files.append((fastos.absolute(extra), "extra"))
    return files


def _load_layer(path, kind, home, cache, required=False):
    try:
        stamp = file_stamp(fastos.stat(path))
    except FileNotFoundError:
        if required:
            raise ConfigError(
                path, None, f"not found (named by {EXTRA_CONFIG_VARIABLE})",
                f"create the file or unset {EXTRA_CONFIG_VARIABLE}",
            ) from None
        return None
    except OSError as error:
        raise _unreadable(path, error) from None
    layer = cache.get(path, stamp, kind, home)
    if layer is not None:
        return layer
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        raise _unreadable(path, error) from None
    # Only a cache miss pays for the TOML parser and the validation code.
    from guardshim.policyfile import build_layer, parse_toml

    layer = build_layer(path, parse_toml(path, data), kind, home)
    cache.put(path, stamp, kind, home, layer)
    return layer


def _unreadable(path, error):
    return ConfigError(
        path, None, f"cannot be read: {error.strerror}",
        "fix the file's permissions or remove it",
    )


def _check_tighten_layers(settings):
    if not settings.tighten_layers:
        return
    from guardshim.policy import table_decision
    from guardshim.policyfile import check_tighten_only

    def base_tables(tool, klass):
        return table_decision(settings.layers, tool, klass)

    for layer in settings.tighten_layers:
        check_tighten_only(layer, base_tables)


def _apply_settings(settings, layer):
    values = layer["settings"]
    for tool, table in layer["tools"].items():
        if "path" in table:
            settings.tool_paths[tool] = table["path"]
    simple = (
        ("prompt.timeout", "prompt_timeout"),
        ("approval.channel", "approval_channel"),
        ("approval.notify", "approval_notify"),
        ("override.mode", "override_mode"),
        ("audit.path", "audit_path"),
        ("audit.required", "audit_required"),
        ("audit.syslog", "audit_syslog"),
        ("audit.max_bytes", "audit_max_bytes"),
        ("audit.keep", "audit_keep"),
    )
    for key, attribute in simple:
        if key in values:
            setattr(settings, attribute, values[key])
    if "agent.env" in values:
        settings.agent_env.update(values["agent.env"])
