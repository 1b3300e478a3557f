"""Parse and validate one TOML config file into a layer of plain data.

A layer is a dict of str, bool, int, float, list and dict values only, so the
policy cache can store it with `marshal`. Every problem raises ConfigError with
the file, the key and the fix.
"""

from guardshim.classes import CLASSES
from guardshim.config import ConfigError
from guardshim.globmatch import GlobError, check_glob
from guardshim.policy import DECISIONS, PROMPT, strictness

TOOLS = ("terraform", "helm", "kubectl")
OVERRIDE_MODES = ("prompt", "pass")
APPROVAL_CHANNELS = ("auto", "tty", "watch")
CONFIRM_KINDS = ("yes", "target")

# Keys a file that may only tighten the policy (a project file, GUARDSHIM_CONFIG,
# or the user file under a locked system file) can set.
TIGHTEN_ONLY_KEYS = ("policy", "tools", "rules")
_TOP_LEVEL_KEYS = (
    "locked",
    "policy",
    "tools",
    "rules",
    "prompt",
    "approval",
    "override",
    "audit",
    "agent",
)
_AUDIT_KEYS = ("path", "required", "syslog", "max_bytes", "keep")
_RULE_MATCH_KEYS = (
    "tool",
    "command",
    "class",
    "context",
    "context_regex",
    "namespace",
    "workspace",
    "cwd",
)
_RULE_KEYS = (*_RULE_MATCH_KEYS, "decision", "message", "confirm")


def parse_toml(path, data):
    """Return the TOML document in the bytes `data` read from `path`."""
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


def build_layer(path, document, kind, home):
    """Validate `document` and return it as a layer.

    `kind` is "system", "user", "project" or "extra" (GUARDSHIM_CONFIG).
    `home` expands a leading `~` in paths: the home of the installing user.
    """
    layer = {
        "path": path,
        "kind": kind,
        "locked": False,
        "policy": {},
        "tools": {},
        "rules": [],
        "settings": {},
    }
    _reject_unknown_keys(path, "", document, _TOP_LEVEL_KEYS)
    if "locked" in document:
        if kind != "system":
            raise ConfigError(
                path, "locked", "only the system file can lock the policy",
                "move `locked = true` to /etc/guardshim/config.toml or remove it",
            )
        layer["locked"] = _read_bool(path, "locked", document["locked"])
    if "policy" in document:
        layer["policy"] = _read_class_table(path, "policy", document["policy"])
    if "tools" in document:
        _read_tools(layer, path, _expect_table(path, "tools", document["tools"]), home)
    if "rules" in document:
        layer["rules"] = _read_rules(path, document["rules"])
    _read_settings(layer["settings"], path, document, home)
    return layer


def check_tighten_only(layer, base_tables):
    """Reject entries of a tighten-only layer that would loosen `base_tables`.

    `base_tables(tool, klass)` returns the decision and its origin that the
    trusted layers' class tables give. A rule or table entry whose decision is
    looser for some tool and class it can match is rejected.
    """
    path = layer["path"]
    for key in layer["settings"]:
        raise ConfigError(
            path, key, "may only be set in the user or system config",
            f"remove it; this file may only set {', '.join(TIGHTEN_ONLY_KEYS)}",
        )
    for tool_name, table in layer["tools"].items():
        if "path" in table:
            raise ConfigError(
                path, f"tools.{tool_name}.path",
                "may only be set in the user or system config",
                "remove it; a file that may only tighten cannot choose the binary",
            )
    for klass, decision in layer["policy"].items():
        for tool_name in TOOLS:
            _check_not_looser(
                path, f"policy.{klass}", decision, "yes", tool_name, klass, base_tables
            )
    for tool_name, table in layer["tools"].items():
        for klass, decision in table.get("policy", {}).items():
            _check_not_looser(
                path, f"tools.{tool_name}.policy.{klass}", decision, "yes",
                tool_name, klass, base_tables,
            )
    for rule in layer["rules"]:
        for tool_name in rule.get("tool") or TOOLS:
            for klass in rule.get("class") or CLASSES:
                _check_not_looser(
                    path, f"rules[{rule['index']}]", rule["decision"],
                    rule["confirm"], tool_name, klass, base_tables,
                )


def _check_not_looser(path, key, decision, confirm, tool, klass, base_tables):
    base_decision, origin = base_tables(tool, klass)
    if strictness(decision, confirm) >= strictness(base_decision, "yes"):
        return
    if key.startswith("rules["):
        hint = (
            "a rule here must be at least as strict as the files above for every "
            "command it can match; limit it with `tool` and `class`, or make its "
            "decision stricter"
        )
    else:
        hint = (
            "a file that may only tighten the policy cannot loosen it; remove the "
            "entry or make its decision at least as strict"
        )
    raise ConfigError(
        path, key,
        f"could {decision} {tool} {klass} commands, which {origin} sets to "
        f"{base_decision}",
        hint,
    )


def _read_tools(layer, path, tools, home):
    for tool_name, table in tools.items():
        key = f"tools.{tool_name}"
        if tool_name not in TOOLS:
            raise ConfigError(
                path, key, f"unknown tool {tool_name!r}", f"use one of: {', '.join(TOOLS)}"
            )
        table = _expect_table(path, key, table)
        _reject_unknown_keys(path, f"{key}.", table, ("path", "policy"))
        entry = {}
        if "path" in table:
            entry["path"] = _read_path(path, f"{key}.path", table["path"], home)
        if "policy" in table:
            entry["policy"] = _read_class_table(path, f"{key}.policy", table["policy"])
        layer["tools"][tool_name] = entry


def _read_rules(path, rules):
    if not isinstance(rules, list):
        raise ConfigError(
            path, "rules", f"expected an array of tables, found {type(rules).__name__}",
            "write each rule as a [[rules]] section",
        )
    parsed = []
    for index, rule in enumerate(rules, 1):
        key = f"rules[{index}]"
        rule = _expect_table(path, key, rule)
        _reject_unknown_keys(path, f"{key}.", rule, _RULE_KEYS)
        parsed.append(_read_rule(path, key, index, rule))
    return parsed


def _read_rule(path, key, index, rule):
    if "decision" not in rule:
        raise ConfigError(
            path, f"{key}.decision", "missing",
            "add decision = \"allow\", \"prompt\" or \"deny\"",
        )
    parsed = {
        "index": index,
        "decision": _read_choice(path, f"{key}.decision", rule["decision"], DECISIONS),
        "confirm": "yes",
        "message": None,
    }
    if "confirm" in rule:
        parsed["confirm"] = _read_choice(
            path, f"{key}.confirm", rule["confirm"], CONFIRM_KINDS
        )
        if parsed["decision"] != PROMPT:
            raise ConfigError(
                path, f"{key}.confirm", "applies only to decision = \"prompt\"",
                "remove confirm or set decision = \"prompt\"",
            )
    if "message" in rule:
        message = rule["message"]
        if not isinstance(message, str) or not message.strip():
            raise ConfigError(
                path, f"{key}.message", f"invalid value {message!r}",
                "give the text shown with a refusal as a non-empty string",
            )
        parsed["message"] = message.strip()
    for name in ("tool", "class"):
        if name in rule:
            choices = TOOLS if name == "tool" else CLASSES
            values = _read_strings(path, f"{key}.{name}", rule[name])
            for value in values:
                _read_choice(path, f"{key}.{name}", value, choices)
            parsed[name] = values
    for name in ("command", "context", "namespace", "workspace", "cwd"):
        if name in rule:
            parsed[name] = _read_globs(path, f"{key}.{name}", rule[name])
    if "context_regex" in rule:
        parsed["context_regex"] = _read_regex(
            path, f"{key}.context_regex", rule["context_regex"]
        )
    if not any(name in parsed for name in _RULE_MATCH_KEYS):
        raise ConfigError(
            path, key, "matches every command",
            "add at least one of: " + ", ".join(_RULE_MATCH_KEYS)
            + "; use [policy] for a default",
        )
    return parsed


def _read_settings(settings, path, document, home):
    """Read the keys that are not policy into `settings`, keyed by dotted name."""
    if "prompt" in document:
        prompt = _expect_table(path, "prompt", document["prompt"])
        _reject_unknown_keys(path, "prompt.", prompt, ("timeout",))
        if "timeout" in prompt:
            settings["prompt.timeout"] = _read_timeout(path, prompt["timeout"])
    if "approval" in document:
        approval = _expect_table(path, "approval", document["approval"])
        _reject_unknown_keys(path, "approval.", approval, ("channel", "notify"))
        if "channel" in approval:
            settings["approval.channel"] = _read_choice(
                path, "approval.channel", approval["channel"], APPROVAL_CHANNELS
            )
        if "notify" in approval:
            settings["approval.notify"] = _read_bool(
                path, "approval.notify", approval["notify"]
            )
    if "override" in document:
        override = _expect_table(path, "override", document["override"])
        _reject_unknown_keys(path, "override.", override, ("mode",))
        if "mode" in override:
            settings["override.mode"] = _read_choice(
                path, "override.mode", override["mode"], OVERRIDE_MODES
            )
    if "audit" in document:
        _read_audit(settings, path, _expect_table(path, "audit", document["audit"]), home)
    if "agent" in document:
        agent = _expect_table(path, "agent", document["agent"])
        _reject_unknown_keys(path, "agent.", agent, ("env",))
        if "env" in agent:
            settings["agent.env"] = _read_agent_env(path, agent["env"])


def _read_audit(settings, path, audit, home):
    _reject_unknown_keys(path, "audit.", audit, _AUDIT_KEYS)
    if "path" in audit:
        settings["audit.path"] = _read_path(path, "audit.path", audit["path"], home)
    for name in ("required", "syslog"):
        if name in audit:
            settings[f"audit.{name}"] = _read_bool(path, f"audit.{name}", audit[name])
    if "max_bytes" in audit:
        settings["audit.max_bytes"] = _read_count(
            path, "audit.max_bytes", audit["max_bytes"], minimum=1024
        )
    if "keep" in audit:
        settings["audit.keep"] = _read_count(path, "audit.keep", audit["keep"], minimum=1)


def _read_agent_env(path, table):
    variables = {}
    for name, value in _expect_table(path, "agent.env", table).items():
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
        variables[name] = value
    return variables


def _read_class_table(path, key, table):
    table = _expect_table(path, key, table)
    decisions = {}
    for klass, decision in table.items():
        if klass not in CLASSES:
            raise ConfigError(
                path, f"{key}.{klass}", f"unknown class {klass!r}",
                f"use one of: {', '.join(CLASSES)}",
            )
        decisions[klass] = _read_choice(path, f"{key}.{klass}", decision, DECISIONS)
    return decisions


def _read_strings(path, key, value):
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(
        isinstance(item, str) and item for item in values
    ):
        raise ConfigError(
            path, key, f"invalid value {value!r}",
            "give a non-empty string or a non-empty list of strings",
        )
    return list(values)


def _read_globs(path, key, value):
    patterns = _read_strings(path, key, value)
    for pattern in patterns:
        try:
            check_glob(pattern)
        except GlobError as error:
            raise ConfigError(
                path, key, f"invalid glob {pattern!r}: {error}",
                "close the character class with ']' or write '[[]' for a literal '['",
            ) from None
    return patterns


def _read_regex(path, key, value):
    if not isinstance(value, str) or not value:
        raise ConfigError(
            path, key, f"invalid value {value!r}", "give a regular expression as a string"
        )
    import re

    try:
        re.compile(value)
    except re.error as error:
        raise ConfigError(
            path, key, f"invalid regular expression {value!r}: {error}",
            "fix the expression; it must match the whole context name",
        ) from None
    return value


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


def _read_path(path, key, value, home):
    import os

    if not isinstance(value, str) or not value:
        raise ConfigError(
            path, key, f"invalid value {value!r}", "give a file path as a string"
        )
    if value == "~" or value.startswith("~/"):
        value = (home or os.path.expanduser("~")) + value[1:]
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
                path, f"{prefix}{key}", "unknown key", f"use one of: {', '.join(known)}"
            )

