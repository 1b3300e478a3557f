"""Load and validate guardshim's TOML configuration.

The shim calls `load_settings` on every run. When no config file exists it
returns the defaults without importing a TOML parser.
"""

import os

from guardshim.classes import CLASSES
from guardshim.policy import DECISIONS

TOOLS = ("terraform", "helm", "kubectl")
OVERRIDE_MODES = ("prompt", "pass")
APPROVAL_CHANNELS = ("auto", "tty", "watch")
DEFAULT_PROMPT_TIMEOUT = 120
DEFAULT_AUDIT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_AUDIT_KEEP = 5


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
    """Everything a shim needs to decide, after the config files are read."""

    __slots__ = (
        "config_files",
        "loaded_files",
        "policy",
        "tool_policy",
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
        "runtime_dir",
        "shim_dir",
        "home",
    )

    def __init__(self, config_files, audit_path, shim_dir=None, home=None):
        self.config_files = list(config_files)
        self.loaded_files = []
        self.policy = {}
        self.tool_policy = {}
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
        self.runtime_dir = None
        self.shim_dir = shim_dir
        self.home = home


def default_locations(environ=None):
    """Return the config files, audit log, shim and runtime folders of the user.

    These follow the XDG base directory rules. `guardshim install` fixes them in
    the shims, so the environment of a later caller cannot move them.
    """
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
            "/etc/guardshim/config.toml",
            os.path.join(config_home, "guardshim", "config.toml"),
        ],
        "audit_path": os.path.join(state_home, "guardshim", "audit.jsonl"),
        "shim_dir": os.path.join(data_home, "guardshim", "shims"),
    }


def load_settings(locations):
    """Read the config files named in `locations` and return Settings.

    Later files override earlier ones key by key. Raises ConfigError for the
    first problem found.
    """
    settings = Settings(
        locations["config_files"],
        locations["audit_path"],
        locations.get("shim_dir"),
        locations.get("home"),
    )
    settings.runtime_dir = locations.get("runtime_dir") or os.path.dirname(
        settings.audit_path
    )
    for path in settings.config_files:
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except FileNotFoundError:
            continue
        except OSError as error:
            raise ConfigError(
                path, None, f"cannot be read: {error.strerror}",
                "fix the file's permissions or remove it",
            ) from None
        _apply_file(settings, path, _parse_toml(path, data))
        settings.loaded_files.append(path)
    return settings


def _parse_toml(path, data):
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib

    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(
            path, None, f"is not valid UTF-8 ({error.reason} at byte {error.start})",
            "save the file as UTF-8",
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            path, None, f"is not valid TOML: {error}",
            "fix the syntax at the line named above",
        ) from None


_TOP_LEVEL_KEYS = (
    "policy",
    "tools",
    "prompt",
    "approval",
    "override",
    "audit",
    "agent",
)


def _apply_file(settings, path, document):
    _reject_unknown_keys(path, "", document, _TOP_LEVEL_KEYS)
    if "policy" in document:
        settings.policy.update(_read_class_table(path, "policy", document["policy"]))
    if "tools" in document:
        _apply_tools(settings, path, _expect_table(path, "tools", document["tools"]))
    if "prompt" in document:
        prompt = _expect_table(path, "prompt", document["prompt"])
        _reject_unknown_keys(path, "prompt.", prompt, ("timeout",))
        if "timeout" in prompt:
            settings.prompt_timeout = _read_timeout(path, prompt["timeout"])
    if "approval" in document:
        approval = _expect_table(path, "approval", document["approval"])
        _reject_unknown_keys(path, "approval.", approval, ("channel", "notify"))
        if "channel" in approval:
            settings.approval_channel = _read_choice(
                path, "approval.channel", approval["channel"], APPROVAL_CHANNELS
            )
        if "notify" in approval:
            settings.approval_notify = _read_bool(
                path, "approval.notify", approval["notify"]
            )
    if "override" in document:
        override = _expect_table(path, "override", document["override"])
        _reject_unknown_keys(path, "override.", override, ("mode",))
        if "mode" in override:
            settings.override_mode = _read_choice(
                path, "override.mode", override["mode"], OVERRIDE_MODES
            )
    if "audit" in document:
        _apply_audit(settings, path, _expect_table(path, "audit", document["audit"]))
    if "agent" in document:
        _apply_agent(settings, path, _expect_table(path, "agent", document["agent"]))


_AUDIT_KEYS = ("path", "required", "syslog", "max_bytes", "keep")


def _apply_audit(settings, path, audit):
    _reject_unknown_keys(path, "audit.", audit, _AUDIT_KEYS)
    if "path" in audit:
        settings.audit_path = _read_path(path, "audit.path", audit["path"], settings)
    if "required" in audit:
        settings.audit_required = _read_bool(path, "audit.required", audit["required"])
    if "syslog" in audit:
        settings.audit_syslog = _read_bool(path, "audit.syslog", audit["syslog"])
    if "max_bytes" in audit:
        settings.audit_max_bytes = _read_count(
            path, "audit.max_bytes", audit["max_bytes"], minimum=1024
        )
    if "keep" in audit:
        settings.audit_keep = _read_count(path, "audit.keep", audit["keep"], minimum=1)


def _apply_agent(settings, path, agent):
    _reject_unknown_keys(path, "agent.", agent, ("env",))
    if "env" not in agent:
        return
    for name, value in _expect_table(path, "agent.env", agent["env"]).items():
        key = f"agent.env.{name}"
        if not name or not (name[0].isalpha() or name[0] == "_") or not all(
            character.isalnum() or character == "_" for character in name
        ):
            raise ConfigError(
                path, key, f"invalid variable name {name!r}",
                "use letters, digits and underscores, not starting with a digit",
            )
        if not isinstance(value, str):
            raise ConfigError(
                path, key, f"invalid value {value!r}", "give the value as a string"
            )
        settings.agent_env[name] = value


def _apply_tools(settings, path, tools):
    for tool, table in tools.items():
        key = f"tools.{tool}"
        if tool not in TOOLS:
            raise ConfigError(
                path, key, f"unknown tool {tool!r}",
                f"use one of: {', '.join(TOOLS)}",
            )
        table = _expect_table(path, key, table)
        _reject_unknown_keys(path, f"{key}.", table, ("path", "policy"))
        if "path" in table:
            settings.tool_paths[tool] = _read_path(
                path, f"{key}.path", table["path"], settings
            )
        if "policy" in table:
            tool_policy = settings.tool_policy.setdefault(tool, {})
            tool_policy.update(_read_class_table(path, f"{key}.policy", table["policy"]))


def _read_class_table(path, key, table):
    table = _expect_table(path, key, table)
    decisions = {}
    for klass, decision in table.items():
        if klass not in CLASSES:
            raise ConfigError(
                path, f"{key}.{klass}", f"unknown class {klass!r}",
                f"use one of: {', '.join(CLASSES)}",
            )
        decision = _read_choice(path, f"{key}.{klass}", decision, DECISIONS)
        decisions[klass] = (decision, f"{path}: {key}.{klass}")
    return decisions


def _read_choice(path, key, value, choices):
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(
            path, key, f"invalid value {value!r}",
            f"use one of: {', '.join(repr(choice) for choice in choices)}",
        )
    return value


def _read_bool(path, key, value):
    if not isinstance(value, bool):
        raise ConfigError(
            path, key, f"invalid value {value!r}", "use true or false (no quotes)"
        )
    return value


def _read_count(path, key, value, minimum):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(
            path, key, f"invalid value {value!r}",
            f"give a whole number of at least {minimum}",
        )
    return value


def _read_timeout(path, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(
            path, "prompt.timeout", f"invalid value {value!r}",
            "give the number of seconds as a positive number, for example 120",
        )
    return float(value)


def _read_path(path, key, value, settings):
    if not isinstance(value, str) or not value:
        raise ConfigError(
            path, key, f"invalid value {value!r}", "give a file path as a string",
        )
    if value == "~" or value.startswith("~/"):
        home = settings.home or os.path.expanduser("~")
        value = home + value[1:]
    if not os.path.isabs(value):
        raise ConfigError(
            path, key, f"relative path {value!r}",
            "give an absolute path or one that starts with ~/",
        )
    return value


def _expect_table(path, key, value):
    if not isinstance(value, dict):
        raise ConfigError(
            path, key, f"expected a table, found {type(value).__name__}",
            f"write it as a [{key}] section",
        )
    return value


def _reject_unknown_keys(path, prefix, table, known):
    for key in table:
        if key not in known:
            raise ConfigError(
                path, f"{prefix}{key}", "unknown key",
                f"use one of: {', '.join(known)}",
            )
