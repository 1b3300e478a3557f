"""Command-line grammar of terraform and OpenTofu, and the class of each command.

Facts checked against hashicorp/terraform main (`main.go`, `commands.go`,
`internal/command/*`, at commit 883c7221 of August 2026), hashicorp/cli v1.1.7
(`cli.go`: `processArgs`, `Run`), mattn/go-shellwords v1.0.12 (`Parse`) and
opentofu/opentofu `cmd/tofu/commands.go`. Terraform handles argv in this order:

1. `extractChdirOption` scans the leading words that start with `-` and removes the
   last `-chdir=DIR`. A bare `-chdir` or `-chdir=` makes terraform exit 1.
2. hashicorp/cli resolves the subcommand, then `TF_CLI_ARGS` and after it
   `TF_CLI_ARGS_<sub>` are split into shell words and inserted right after the
   first word equal to the subcommand's last word.
3. If any word is `-v`, `-version` or `--version`, `version` is put in front.
4. hashicorp/cli resolves the subcommand again; `-h`, `-help` or `--help` before
   `--` prints help, and each command parses its own flags with Go's `flag` package.

This module runs on every shim call, so it imports only `guardshim.classes`.
"""

from guardshim.classes import (
    DANGER,
    LOCAL,
    PREVIEW,
    READ,
    SECRET,
    UNKNOWN,
    WRITE,
    Verdict,
)

TOOL = "terraform"

HELP_WORDS = frozenset({"-h", "-help", "--help"})
VERSION_WORDS = frozenset({"-v", "-version", "--version"})
# hashicorp/cli accepts one or two dashes for the autocomplete pair, which edits
# the user's shell rc file.
AUTOCOMPLETE_WORDS = frozenset(
    {
        "-install-autocomplete",
        "--install-autocomplete",
        "-uninstall-autocomplete",
        "--uninstall-autocomplete",
    }
)
CHDIR_PREFIX = "-chdir="
INJECTION_VARIABLE = "TF_CLI_ARGS"

# Every registered command key with (class, rule id, reason). The keys are those
# of terraform's `commands.go`, plus OpenTofu's `state ls`, `state remove` and
# `state move` aliases and the keys that only experimental builds register
# (`cloud`, `state migrate`, `test cleanup`), because the resolution of nested
# words depends on which keys exist.
COMMANDS = {
    "apply": (WRITE, "terraform.apply", "changes infrastructure and state"),
    "console": (
        SECRET,
        "terraform.console",
        "evaluates expressions against the state, which can print secret values",
    ),
    "destroy": (WRITE, "terraform.destroy", "destroys managed infrastructure"),
    "env": (READ, "terraform.env", "prints help for the deprecated env commands"),
    "env list": (READ, "terraform.env.list", "lists workspaces"),
    "env select": (
        LOCAL,
        "terraform.env.select",
        "switches the workspace that later commands use",
    ),
    # Not registered upstream: terraform resolves `env show` to `env`, which only
    # prints help, so both readings change nothing.
    "env show": (READ, "terraform.env.show", "prints the current workspace"),
    "env new": (WRITE, "terraform.env.new", "creates a workspace and its state"),
    "env delete": (WRITE, "terraform.env.delete", "deletes a workspace and its state"),
    "fmt": (LOCAL, "terraform.fmt", "rewrites configuration files in place"),
    "get": (LOCAL, "terraform.get", "downloads modules into the working directory"),
    "graph": (READ, "terraform.graph", "prints the dependency graph"),
    "import": (WRITE, "terraform.import", "imports existing resources into the state"),
    "init": (
        LOCAL,
        "terraform.init",
        "downloads providers and modules and writes the lock file",
    ),
    "login": (WRITE, "terraform.login", "stores an API token for a host"),
    "logout": (WRITE, "terraform.logout", "removes stored API credentials"),
    "metadata": (READ, "terraform.metadata", "prints help for the metadata commands"),
    "metadata functions": (
        READ,
        "terraform.metadata.functions",
        "prints the signatures of the built-in functions",
    ),
    "modules": (READ, "terraform.modules", "lists the modules of the configuration"),
    "output": (
        READ,
        "terraform.output",
        "prints the outputs with sensitive values redacted",
    ),
    "plan": (PREVIEW, "terraform.plan", "computes a plan against real infrastructure"),
    "providers": (READ, "terraform.providers", "lists the required providers"),
    "providers lock": (
        LOCAL,
        "terraform.providers.lock",
        "updates the dependency lock file",
    ),
    "providers mirror": (
        LOCAL,
        "terraform.providers.mirror",
        "downloads providers into a local directory",
    ),
    "providers schema": (
        READ,
        "terraform.providers.schema",
        "prints the provider schemas",
    ),
    "push": (UNKNOWN, "terraform.push", "is a removed command"),
    "query": (READ, "terraform.query", "runs the list blocks of query files"),
    "refresh": (WRITE, "terraform.refresh", "writes refreshed values to the state"),
    "rpcapi": (
        UNKNOWN,
        "terraform.rpcapi",
        "is hidden plumbing for automation clients",
    ),
    "show": (
        READ,
        "terraform.show",
        "prints state or a plan with sensitive values redacted",
    ),
    "taint": (
        WRITE,
        "terraform.taint",
        "marks a resource in the state for replacement",
    ),
    "test": (
        WRITE,
        "terraform.test",
        "runs tests whose run blocks apply real infrastructure by default",
    ),
    # Experimental builds only. A release build runs `test` with the stray
    # positional `cleanup`, which `test` ignores, so both readings write.
    "test cleanup": (
        WRITE,
        "terraform.test.cleanup",
        "destroys infrastructure left behind by tests",
    ),
    "validate": (READ, "terraform.validate", "checks the configuration"),
    "version": (READ, "terraform.version", "prints the version"),
    "untaint": (WRITE, "terraform.untaint", "removes the taint mark from a resource"),
    "workspace": (
        READ,
        "terraform.workspace",
        "prints help for the workspace commands",
    ),
    "workspace list": (READ, "terraform.workspace.list", "lists workspaces"),
    "workspace select": (
        LOCAL,
        "terraform.workspace.select",
        "switches the workspace that later commands use",
    ),
    "workspace show": (
        READ,
        "terraform.workspace.show",
        "prints the current workspace",
    ),
    "workspace new": (
        WRITE,
        "terraform.workspace.new",
        "creates a workspace and its state",
    ),
    "workspace delete": (
        WRITE,
        "terraform.workspace.delete",
        "deletes a workspace and its state",
    ),
    "force-unlock": (WRITE, "terraform.force-unlock", "removes the lock on the state"),
    "state": (READ, "terraform.state", "prints help for the state commands"),
    "state list": (
        READ,
        "terraform.state.list",
        "lists the resource addresses in the state",
    ),
    "state ls": (
        READ,
        "terraform.state.ls",
        "lists the resource addresses in the state",
    ),
    "state identities": (
        READ,
        "terraform.state.identities",
        "lists the resource identities in the state",
    ),
    "state rm": (WRITE, "terraform.state.rm", "removes resources from the state"),
    "state remove": (
        WRITE,
        "terraform.state.remove",
        "removes resources from the state",
    ),
    "state mv": (WRITE, "terraform.state.mv", "moves resources within the state"),
    "state move": (WRITE, "terraform.state.move", "moves resources within the state"),
    "state pull": (
        SECRET,
        "terraform.state.pull",
        "prints the raw state, which holds every secret value",
    ),
    "state push": (WRITE, "terraform.state.push", "overwrites the remote state"),
    "state show": (
        READ,
        "terraform.state.show",
        "prints one resource with provider-marked sensitive values redacted",
    ),
    "state replace-provider": (
        WRITE,
        "terraform.state.replace-provider",
        "rewrites provider addresses in the state",
    ),
    "state migrate": (
        UNKNOWN,
        "terraform.state.migrate",
        "is an experimental command",
    ),
    "stacks": (UNKNOWN, "terraform.stacks", "hands over to a separate stacks plugin"),
    "cloud": (UNKNOWN, "terraform.cloud", "is an experimental command"),
    "internal-plugin": (UNKNOWN, "terraform.internal-plugin", "is hidden plumbing"),
}

# Keys that a release build of terraform (main, August 2026) or of OpenTofu (main
# at commit 021012b5) does not register. Neither registers `env show` or
# `internal-plugin`.
UNREGISTERED_ANYWHERE = frozenset({"env show", "internal-plugin"})
NOT_IN_TERRAFORM = UNREGISTERED_ANYWHERE | {
    "state ls",
    "state remove",
    "state move",
    "state migrate",
    "test cleanup",
    "cloud",
}
NOT_IN_OPENTOFU = UNREGISTERED_ANYWHERE | {
    "query",
    "modules",
    "stacks",
    "rpcapi",
    "state identities",
    "state migrate",
    "test cleanup",
    "cloud",
}
TERRAFORM_KEYS = tuple(key for key in COMMANDS if key not in NOT_IN_TERRAFORM)
OPENTOFU_KEYS = tuple(key for key in COMMANDS if key not in NOT_IN_OPENTOFU)

# Commands that only print their help, so a word after them is a typo or a
# subcommand of a newer version.
GROUPS = frozenset({"env", "metadata", "state", "workspace"})

# Words that a command removes from anywhere in its argv before Go's flag parser
# reads them: `Meta.process` strips `-no-color`, `arguments.ParseView` also strips
# `-compact-warnings`.
PROCESS_STRIPPED = frozenset({"-no-color"})
VIEW_STRIPPED = frozenset({"-no-color", "-compact-warnings"})

VARIABLE_FLAGS = ("var", "var-file")
STATE_RM_VALUES = frozenset(("backup", "lock-timeout", "state") + VARIABLE_FLAGS)
STATE_RM_BOOLS = frozenset({"dry-run", "lock", "ignore-remote-version"})
STATE_MV_VALUES = STATE_RM_VALUES | {"backup-out", "state-out"}
WORKSPACE_SELECT_FLAGS = (
    frozenset(VARIABLE_FLAGS),
    frozenset({"or-create"}),
    PROCESS_STRIPPED,
)

# Flag tables, as (value flags, boolean flags, stripped words), of the commands
# whose class depends on their flags. Flags marked OpenTofu exist only there.
FLAG_TABLES = {
    "init": (
        frozenset(
            {
                "target",
                "from-module",
                "lock-timeout",
                "lockfile",
                "test-directory",
                "backend-config",
                "plugin-dir",
                "state-provider-lock-file",
                "policies",
            }
            | set(VARIABLE_FLAGS)
        ),
        frozenset(
            {
                "input",
                "compact-warnings",
                "backend",
                "cloud",
                "get",
                "force-copy",
                "lock",
                "reconfigure",
                "migrate-state",
                "upgrade",
                "ignore-remote-version",
                "json",
                "enable-pluggable-state-storage-experiment",
            }
        ),
        PROCESS_STRIPPED,
    ),
    "fmt": (
        frozenset(),
        frozenset({"list", "write", "diff", "check", "recursive"}),
        PROCESS_STRIPPED,
    ),
    "output": (
        # OpenTofu documents -json-into, -var and -var-file. -show-sensitive is
        # confirmed only on OpenTofu's plan and counts here as a precaution.
        frozenset({"state", "json-into"} | set(VARIABLE_FLAGS)),
        frozenset({"json", "raw", "show-sensitive"}),
        VIEW_STRIPPED,
    ),
    "show": (
        # OpenTofu documents -json-into, -plan, -module, -state and -config.
        frozenset({"json-into", "plan", "module"} | set(VARIABLE_FLAGS)),
        frozenset({"json", "state", "config", "show-sensitive"}),
        VIEW_STRIPPED,
    ),
    "plan": (
        # OpenTofu's plan adds -show-sensitive and -json-into. NOTE: -exclude,
        # -exclude-file and -target-file are OpenTofu flags not checked in its source.
        frozenset(
            {
                "out",
                "generate-config-out",
                "policies",
                "lock-timeout",
                "state",
                "state-out",
                "backup",
                "parallelism",
                "target",
                "invoke",
                "replace",
                "exclude",
                "exclude-file",
                "target-file",
                "json-into",
            }
            | set(VARIABLE_FLAGS)
        ),
        frozenset(
            {
                "detailed-exitcode",
                "input",
                "json",
                "lock",
                "allow-deferral",
                "refresh",
                "destroy",
                "refresh-only",
                "minimal-refresh",
                "show-sensitive",
            }
        ),
        VIEW_STRIPPED,
    ),
    "query": (
        frozenset({"generate-config-out", "policies"} | set(VARIABLE_FLAGS)),
        frozenset({"json"}),
        VIEW_STRIPPED,
    ),
    "state rm": (STATE_RM_VALUES, STATE_RM_BOOLS, PROCESS_STRIPPED),
    "state remove": (STATE_RM_VALUES, STATE_RM_BOOLS, PROCESS_STRIPPED),
    "state mv": (STATE_MV_VALUES, STATE_RM_BOOLS, PROCESS_STRIPPED),
    "state move": (STATE_MV_VALUES, STATE_RM_BOOLS, PROCESS_STRIPPED),
    "workspace select": WORKSPACE_SELECT_FLAGS,
    "env select": WORKSPACE_SELECT_FLAGS,
}

# Triggers of a flag effect: a boolean flag whose last value is true or false, or
# a value flag given at all.
IS_TRUE = "true"
IS_FALSE = "false"
IS_GIVEN = "given"

SECRET_OUTPUT_FORMATS = (
    ("json", IS_TRUE, "prints the values as JSON, sensitive ones unredacted"),
    ("json-into", IS_GIVEN, "writes the values as JSON, sensitive ones unredacted"),
    ("show-sensitive", IS_TRUE, "prints sensitive values unredacted"),
)
DRY_RUN = (
    "dry-run",
    IS_TRUE,
    PREVIEW,
    "lists the affected addresses and changes nothing",
)
WORKSPACE_OR_CREATE = (
    "or-create",
    IS_TRUE,
    WRITE,
    "creates the workspace and its state when missing",
)


def _with_rules(key, effects):
    """Return `effects` as (flag, trigger, class, rule id, reason) rows for `key`."""
    prefix = COMMANDS[key][1]
    return tuple(
        (flag, trigger, klass, f"{prefix}.{flag}", reason)
        for flag, trigger, klass, reason in effects
    )


def _secret_formats(key):
    return _with_rules(
        key,
        tuple((flag, when, SECRET, why) for flag, when, why in SECRET_OUTPUT_FORMATS),
    )


# Flags that change a command's class. An effect below the command's own class
# applies only when every word parsed cleanly, because an unknown flag could be a
# value flag of another version that swallows the next word.
FLAG_EFFECTS = {
    "init": _with_rules(
        "init",
        (
            ("migrate-state", IS_TRUE, WRITE, "copies the state into a new backend"),
            (
                "force-copy",
                IS_TRUE,
                WRITE,
                "copies the state into a new backend unasked",
            ),
        ),
    ),
    "fmt": (
        ("check", IS_TRUE, READ, "terraform.fmt.check", "only checks the formatting"),
        (
            "write",
            IS_FALSE,
            READ,
            "terraform.fmt.no-write",
            "prints the formatting only",
        ),
    ),
    "output": _secret_formats("output")
    + _with_rules(
        "output",
        (("raw", IS_TRUE, SECRET, "prints one value unredacted, even if sensitive"),),
    ),
    "show": _secret_formats("show"),
    "plan": _with_rules(
        "plan",
        (("show-sensitive", IS_TRUE, SECRET, "prints sensitive values unredacted"),),
    ),
    "query": _with_rules(
        "query",
        (("generate-config-out", IS_GIVEN, LOCAL, "also writes configuration files"),),
    ),
    "state rm": _with_rules("state rm", (DRY_RUN,)),
    "state remove": _with_rules("state remove", (DRY_RUN,)),
    "state mv": _with_rules("state mv", (DRY_RUN,)),
    "state move": _with_rules("state move", (DRY_RUN,)),
    "workspace select": _with_rules("workspace select", (WORKSPACE_OR_CREATE,)),
    "env select": _with_rules("env select", (WORKSPACE_OR_CREATE,)),
}

# Positional arguments that change a command's class: (first positional or None
# for any, class, rule id, reason).
POSITIONAL_EFFECTS = {
    "output": (
        None,
        SECRET,
        "terraform.output.name",
        "prints one named output unredacted, even if sensitive",
    ),
    # `fmt -` formats standard input to standard output and writes no file.
    "fmt": ("-", READ, "terraform.fmt.stdin", "formats standard input only"),
}

# strconv.ParseBool, which Go's flag package uses for boolean flags.
GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
GO_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


class Resolution:
    """What hashicorp/cli's `processArgs` finds in one argv.

    `subcommand` is the string hashicorp/cli reports ("" when none), `key` the
    registered command key or None, `arguments` the words after the command
    words. `space_word` is the first command word when it contains a space,
    in which case hashicorp/cli resolves no subcommand.
    """

    __slots__ = (
        "subcommand",
        "key",
        "arguments",
        "help",
        "autocomplete",
        "version",
        "space_word",
    )

    def __init__(self):
        self.subcommand = ""
        self.key = None
        self.arguments = []
        self.help = False
        self.autocomplete = False
        self.version = False
        self.space_word = None


class FlagScan:
    """Go `flag` parse of one command's arguments.

    `flags` lists (name, value) in order, value None for a bare flag. `clean` is
    false when the real parser would fail: an unknown flag (read here as a
    boolean), bad syntax, an invalid boolean or a value flag given last without
    its value.
    """

    __slots__ = ("flags", "positionals", "clean")

    def __init__(self):
        self.flags = []
        self.positionals = []
        self.clean = True


def classify(argv, env):
    """Return the Verdict for `terraform` run with `argv` under `env`."""
    argv = list(argv)
    chdir, remaining, invalid_at = _extract_chdir(argv)
    if invalid_at is None:
        hints = {"chdir": chdir} if chdir else {}
        return _classify_args(argv, remaining, env, hints)

    # Terraform exits 1 on a bare `-chdir` or `-chdir=` and runs nothing. Judge
    # the rest both with the next word read as the folder and as a command word.
    without_flag = argv[:invalid_at] + argv[invalid_at + 1 :]
    readings = [_classify_args(argv, without_flag, env, {})]
    if argv[invalid_at] == "-chdir":
        without_folder = argv[:invalid_at] + argv[invalid_at + 2 :]
        readings.append(_classify_args(argv, without_folder, env, {}))
    return _max_danger(readings)


def _extract_chdir(argv):
    """Return (folder, argv without the last `-chdir=`, index of an invalid one).

    Mirrors `extractChdirOption` in terraform's main.go: only leading words that
    start with `-` are scanned, and earlier `-chdir=` words stay in argv, where
    they make terraform reject the command line.
    """
    folder = ""
    position = None
    for index, word in enumerate(argv):
        if not word.startswith("-"):
            break
        if word in ("-chdir", CHDIR_PREFIX):
            return "", argv, index
        if word.startswith(CHDIR_PREFIX):
            folder = word[len(CHDIR_PREFIX) :]
            position = index
    if not folder:
        return "", argv, None
    return folder, argv[:position] + argv[position + 1 :], None


def _classify_args(argv, args, env, hints):
    first = _resolve(args, COMMANDS)
    if not _sets_injection(env):
        return _verdict(argv, first, hints)

    # The variable name and the insertion point come from the subcommand that
    # the running binary resolves, which differs between terraform and OpenTofu
    # for the keys only one of them registers. Keep the worst reading.
    subcommands = {first.subcommand}
    for keys in (TERRAFORM_KEYS, OPENTOFU_KEYS):
        subcommands.add(_resolve(args, keys).subcommand)
    verdicts = [
        _injected_verdict(argv, args, first, subcommand, env, hints)
        for subcommand in sorted(subcommands)
    ]
    return _max_danger(verdicts)


def _sets_injection(env):
    return any(
        name.startswith(INJECTION_VARIABLE) and value for name, value in env.items()
    )


def _injected_verdict(argv, args, first, subcommand, env, hints):
    merged, injected, sources, split_ok = _inject_env_args(args, subcommand, env)
    if not sources:
        return _verdict(argv, first, hints)

    hints = dict(hints, injected=injected, injected_from=sources)
    verdict = _verdict(argv, _resolve(merged, COMMANDS), hints)
    if split_ok:
        return verdict

    # Terraform exits 1 on a value it cannot split, so nothing runs. The lenient
    # split may differ from what a fixed value would do: keep the worse reading.
    return _max_danger([verdict, _verdict(argv, first, hints)])


def _resolve(args, keys):
    """Resolve the subcommand the way hashicorp/cli v1.1.7 `processArgs` does.

    `keys` are the registered command keys the resolution may match.
    """
    result = Resolution()
    result.version = any(word in VERSION_WORDS for word in args)
    count = len(args)
    for index, word in enumerate(args):
        if word == "--":
            break
        if word in HELP_WORDS:
            result.help = True
            continue
        if word in AUTOCOMPLETE_WORDS:
            result.autocomplete = True
            continue
        if result.subcommand or not word or word[0] == "-":
            continue
        if " " in word:
            # processArgs stops here, so it finds no subcommand and no later help word.
            result.space_word = word
            return result

        end = index
        while end < count and _is_command_word(args[end]):
            end += 1
        key = _longest_registered_key(" ".join(args[index:end]), keys)
        result.subcommand = key or word
        words = key.count(" ") + 1 if key else 1
        result.arguments = args[index + words :]

    if result.subcommand in COMMANDS:
        result.key = result.subcommand
    return result


def _is_command_word(word):
    return bool(word) and word[0] != "-" and " " not in word


def _longest_registered_key(search, keys):
    """Return the key of `keys` that hashicorp/cli matches in `search`, or "".

    hashicorp/cli takes the longest key that is a string prefix of `search` and
    accepts it when the key followed by a space or the end occurs anywhere in
    `search` (an unanchored regexp). So `applyx apply` runs `apply`, and
    `state rmx` falls back to its first word, `state`.
    """
    longest = ""
    for key in keys:
        if len(key) > len(longest) and search.startswith(key):
            longest = key
    if not longest:
        return ""
    if search.endswith(longest) or longest + " " in search:
        return longest
    return ""


def _inject_env_args(args, subcommand, env):
    """Insert `TF_CLI_ARGS` and `TF_CLI_ARGS_<sub>` words as terraform's main.go does.

    Returns (merged argv, injected words, variable names used, whether every
    value split without error).
    """
    suffix = subcommand.replace("-", "_").replace(" ", "_")
    names = (INJECTION_VARIABLE, f"{INJECTION_VARIABLE}_{suffix}")
    anchor = subcommand.rsplit(" ", 1)[-1]
    merged = args
    injected = []
    sources = []
    split_ok = True
    for name in names:
        value = env.get(name, "")
        if not value:
            continue
        words, ok = split_shell_words(value)
        split_ok = split_ok and ok
        sources.append(name)
        injected.extend(words)
        merged = _insert_after_anchor(merged, anchor, words)
    return merged, injected, sources, split_ok


def _insert_after_anchor(args, anchor, words):
    """Insert `words` after the first word equal to `anchor`, else at the front."""
    try:
        position = args.index(anchor) + 1
    except ValueError:
        position = 0
    return args[:position] + words + args[position:]


def split_shell_words(line):
    """Split `line` as mattn/go-shellwords v1.0.12 `Parse` does for terraform.

    Returns (words, ok). Terraform turns off environment and backtick expansion.
    Unquoted `;`, `&`, `|`, `<` and `>` end the parse and the rest is ignored.
    A backslash escapes the next character outside single quotes, inside double
    quotes too. An unquoted `(` not after `$`, or an unclosed quote, is an error
    (ok is False); the words found so far are still returned.
    """
    words = []
    buffer = []
    has_word = False
    escaped = single = double = back = dollar = False
    for char in line:
        if escaped:
            buffer.append(char)
            escaped = False
            has_word = True
            continue
        if char == "\\":
            if single:
                buffer.append(char)
            else:
                escaped = True
            continue
        if char in " \t\r\n":
            if single or double or back or dollar:
                buffer.append(char)
            elif has_word:
                words.append("".join(buffer))
                buffer = []
                has_word = False
            continue
        if char == "`" and not (single or double or dollar):
            back = not back
        elif char == ")" and not (single or double or back):
            dollar = not dollar
        elif char == "(" and not (single or double or back):
            if dollar or not buffer or buffer[-1] != "$":
                return _flush(words, buffer, has_word), False
            dollar = True
            buffer.append(char)
            continue
        elif char == '"' and not (single or dollar):
            has_word = has_word or double
            double = not double
            continue
        elif char == "'" and not (double or dollar):
            has_word = has_word or single
            single = not single
            continue
        elif char in ";&|<>" and not (single or double or back or dollar):
            if char == ">" and buffer and "0" <= buffer[0] <= "9":
                has_word = False  # a file descriptor such as `2>` is dropped
            break
        has_word = True
        buffer.append(char)
    ok = not (escaped or single or double or back or dollar)
    return _flush(words, buffer, has_word), ok


def _flush(words, buffer, has_word):
    if has_word:
        words.append("".join(buffer))
    return words


def _verdict(argv, resolution, hints):
    verdict = _command_verdict(argv, resolution, hints)
    if resolution.autocomplete and not (resolution.help and not resolution.subcommand):
        # hashicorp/cli installs or removes autocompletion instead of running the
        # command. The command's own class is kept when it is higher.
        verdict = verdict.raised_to(
            LOCAL,
            "edits the shell rc file for autocompletion",
            "terraform.autocomplete",
        )
    return verdict


def _command_verdict(argv, resolution, hints):
    command = tuple(resolution.subcommand.split(" ")) if resolution.subcommand else ()
    if resolution.help:
        return Verdict(
            TOOL,
            argv,
            command,
            READ,
            "prints help and runs nothing",
            "terraform.help",
            hints,
        )
    if resolution.space_word is not None:
        return Verdict(
            TOOL,
            argv,
            (resolution.space_word,),
            UNKNOWN,
            "names no command because its first word contains a space",
            "terraform.unknown",
            hints,
        )
    if not resolution.subcommand:
        if resolution.version:
            return _registered_verdict(argv, "version", hints)
        return Verdict(
            TOOL,
            argv,
            (),
            READ,
            "prints help and runs nothing",
            "terraform.help",
            hints,
        )
    if resolution.key is None:
        return Verdict(
            TOOL,
            argv,
            command,
            UNKNOWN,
            "is not a terraform command",
            "terraform.unknown",
            hints,
        )
    if resolution.key in GROUPS and resolution.arguments:
        return _group_verdict(argv, resolution, hints)

    # A version word makes terraform run `version` instead, but the command's own
    # class is kept, so the guard never judges lower than the command itself.
    verdict = _registered_verdict(argv, resolution.key, hints)
    if resolution.key in FLAG_TABLES:
        verdict = _apply_flag_effects(verdict, resolution)
    return verdict


def _registered_verdict(argv, key, hints):
    klass, rule, reason = COMMANDS[key]
    return Verdict(TOOL, argv, key.split(" "), klass, reason, rule, hints)


def _group_verdict(argv, resolution, hints):
    word = resolution.arguments[0]
    if word.startswith("-"):
        return _registered_verdict(argv, resolution.key, hints)
    # Terraform runs the group, which prints help. A newer version may know the
    # word, so it is treated as an unknown command.
    return Verdict(
        TOOL,
        argv,
        (resolution.key, word),
        UNKNOWN,
        f"is not a subcommand of {resolution.key}",
        f"{COMMANDS[resolution.key][1]}.unknown-subcommand",
        hints,
    )


def _apply_flag_effects(verdict, resolution):
    value_flags, bool_flags, stripped = FLAG_TABLES[resolution.key]
    arguments = [word for word in resolution.arguments if word not in stripped]
    scan = scan_go_flags(arguments, value_flags, bool_flags)

    lowered = None
    raised = []
    for klass, rule, reason in _matching_effects(resolution.key, scan):
        if DANGER[klass] >= DANGER[verdict.klass]:
            raised.append((klass, rule, reason))
        elif scan.clean and (lowered is None or DANGER[klass] < DANGER[lowered[0]]):
            lowered = (klass, rule, reason)

    if lowered is not None:
        klass, rule, reason = lowered
        verdict = Verdict(
            verdict.tool,
            verdict.argv,
            verdict.command,
            klass,
            reason,
            rule,
            verdict.hints,
        )
    for klass, rule, reason in raised:
        verdict = verdict.raised_to(klass, reason, rule)
    return verdict


def _matching_effects(key, scan):
    """Yield (class, rule id, reason) of each flag or positional effect that applies."""
    last_values = {}
    for name, value in scan.flags:
        last_values[name] = value

    for flag, trigger, klass, rule, reason in FLAG_EFFECTS.get(key, ()):
        if flag not in last_values:
            continue
        value = last_values[flag]
        if trigger == IS_GIVEN:
            yield klass, rule, reason
            continue
        # An invalid boolean value (the command then fails) counts as a match
        # when the effect raises the class; lowering needs a clean scan anyway.
        expected_values = GO_TRUE if trigger == IS_TRUE else GO_FALSE
        if value is None:
            value = "true"
        if value in expected_values or value not in GO_TRUE | GO_FALSE:
            yield klass, rule, reason

    positional = POSITIONAL_EFFECTS.get(key)
    if positional and scan.positionals:
        expected, klass, rule, reason = positional
        if expected is None or scan.positionals[0] == expected:
            yield klass, rule, reason


def scan_go_flags(args, value_flags, bool_flags):
    """Parse `args` with the rules of Go's `flag` package (FlagSet.parseOne).

    `-f`, `--f`, `-f=v` and `--f=v` for every flag; `-f v` only for value flags.
    Parsing stops at the first positional argument, at a lone `-` and after `--`.
    An unknown flag is read as a boolean and marks the scan unclean.
    """
    scan = FlagScan()
    index = 0
    count = len(args)
    while index < count:
        word = args[index]
        if len(word) < 2 or word[0] != "-":
            break
        index += 1
        if word == "--":
            break
        name = word[2:] if word[1] == "-" else word[1:]
        value = None
        equals = name.find("=", 1)
        if equals > 0:
            name, value = name[:equals], name[equals + 1 :]
        if not name or name[0] in "-=":
            scan.clean = False
        elif name in value_flags:
            if value is None and index < count:
                value = args[index]
                index += 1
            elif value is None:
                scan.clean = False
        elif name in bool_flags:
            if value is not None and value not in GO_TRUE | GO_FALSE:
                scan.clean = False
        else:
            scan.clean = False
        scan.flags.append((name, value))
    scan.positionals = args[index:]
    return scan


def _max_danger(verdicts):
    worst = verdicts[0]
    for verdict in verdicts[1:]:
        if DANGER[verdict.klass] > DANGER[worst.klass]:
            worst = verdict
    return worst
