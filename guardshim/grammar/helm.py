"""Command-line grammar of helm (Helm 3 and Helm 4), and the class of each command.

Facts checked against helm/helm v3.21.4 (`cmd/helm/*`, `pkg/cli/environment.go`)
and main after v4.2.4 (`pkg/cmd/*`, `pkg/cli/environment.go`), both built with
spf13/cobra v1.10 and pflag v1.0, and k8s.io/klog v2.140.0, whose flags both
versions add as hidden global flags. Helm handles argv in this order:

1. cobra's `Find` strips flags to find the command words: a long flag without `=`
   and a lone two-letter flag take the next word unless known to have a no-option
   default. `-h` is not registered yet at that point, so it takes the next word too.
2. The command parses its own flags and the persistent global ones with pflag.
   `-h`/`--help` before `--` prints that command's help and runs nothing.
3. A plugin of type `cli/v1` is a top-level command with flag parsing turned off.
   Helm removes its known global flags from the arguments (`manuallyProcessArgs`)
   and passes the rest to the plugin.

Whenever a flag this module does not know could change the reading (a newer Helm,
a typo), both readings are classified and the more dangerous class wins.
This module runs on every shim call, so it imports only the two modules below.
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
from guardshim.grammar.pflag import FlagSpec, chain_end_flags, command_words, scan

TOOL = "helm"

# Persistent flags of the root command, the union of Helm 3 and Helm 4.
# `content-cache`, `color` and `colour` exist only in Helm 4. The klog flags are
# hidden: `-v`/`--v`, `--vmodule` and the other value flags take the next word,
# so `helm -v 5 install` is an install.
GLOBAL_VALUE_FLAGS = {
    "namespace": "n",
    "kubeconfig": None,
    "kube-context": None,
    "kube-token": None,
    "kube-as-user": None,
    "kube-as-group": None,
    "kube-apiserver": None,
    "kube-ca-file": None,
    "kube-tls-server-name": None,
    "registry-config": None,
    "repository-config": None,
    "repository-cache": None,
    "content-cache": None,
    "burst-limit": None,
    "qps": None,
    "color": None,
    "colour": None,
    "v": "v",
    "vmodule": None,
    "log-dir": None,
    "log-file": None,
    "log-file-max-size": None,
    "log-backtrace-at": None,
    "stderrthreshold": None,
    "alsologtostderrthreshold": None,
}
GLOBAL_BOOL_FLAGS = {
    "kube-insecure-skip-tls-verify": None,
    "debug": None,
    "add-dir-header": None,
    "alsologtostderr": None,
    "legacy-stderr-threshold-behavior": None,
    "logtostderr": None,
    "one-output": None,
    "skip-headers": None,
    "skip-log-headers": None,
}
HELP_FLAG = {"help": "h"}

# cobra's command lookup runs before the help flag exists (see the module docstring).
LOOKUP_SPEC = FlagSpec(GLOBAL_VALUE_FLAGS, None, GLOBAL_BOOL_FLAGS)

# Go's strconv.ParseBool, which pflag uses for boolean flags.
GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
GO_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})

# Flag groups that several commands share, as (value flags, no-option-default
# flags, boolean flags), each mapping a long name to its shorthand or None.
VALUES_OPTIONS = (
    {
        "values": "f",
        "set": None,
        "set-string": None,
        "set-file": None,
        "set-json": None,
        "set-literal": None,
    },
    {},
    {},
)
CHART_PATH_OPTIONS = (
    {
        "version": None,
        "keyring": None,
        "repo": None,
        "username": None,
        "password": None,
        "cert-file": None,
        "key-file": None,
        "ca-file": None,
    },
    {},
    {
        "verify": None,
        "insecure-skip-tls-verify": None,
        "plain-http": None,
        "pass-credentials": None,
    },
)
OUTPUT_OPTION = ({"output": "o"}, {}, {})
POST_RENDER_OPTIONS = ({"post-renderer": None, "post-renderer-args": None}, {}, {})
# `addInstallFlags`, shared by install and template. `--wait` is a bool in Helm 3
# and has a no-option default in Helm 4, so it never takes the next word.
INSTALL_OPTIONS = (
    {"timeout": None, "name-template": None, "description": None, "labels": "l"},
    {"wait": None, "dry-run": None},
    {
        "create-namespace": None,
        "force": None,
        "force-replace": None,
        "force-conflicts": None,
        "server-side": None,
        "no-hooks": None,
        "replace": None,
        "wait-for-jobs": None,
        "generate-name": "g",
        "devel": None,
        "dependency-update": None,
        "disable-openapi-validation": None,
        "atomic": None,
        "rollback-on-failure": None,
        "skip-crds": None,
        "render-subchart-notes": None,
        "skip-schema-validation": None,
        "enable-dns": None,
        "hide-notes": None,
        "take-ownership": None,
    },
)
# Helm 4 `upgrade` and `rollback` take `--server-side=true|false|auto` as a string.
UPGRADE_OPTIONS = (
    {
        "server-side": None,
        "timeout": None,
        "history-max": None,
        "labels": "l",
        "description": None,
    },
    {"wait": None, "dry-run": None},
    {
        "create-namespace": None,
        "install": "i",
        "devel": None,
        "hide-secret": None,
        "force": None,
        "force-replace": None,
        "force-conflicts": None,
        "recreate-pods": None,
        "no-hooks": None,
        "disable-openapi-validation": None,
        "skip-crds": None,
        "reset-values": None,
        "reuse-values": None,
        "reset-then-reuse-values": None,
        "wait-for-jobs": None,
        "atomic": None,
        "rollback-on-failure": None,
        "cleanup-on-fail": None,
        "render-subchart-notes": None,
        "hide-notes": None,
        "skip-schema-validation": None,
        "dependency-update": None,
        "enable-dns": None,
        "take-ownership": None,
    },
)
ROLLBACK_OPTIONS = (
    {"description": None, "server-side": None, "timeout": None, "history-max": None},
    {"wait": None, "dry-run": None},
    {
        "recreate-pods": None,
        "force": None,
        "force-replace": None,
        "force-conflicts": None,
        "no-hooks": None,
        "wait-for-jobs": None,
        "cleanup-on-fail": None,
    },
)
UNINSTALL_OPTIONS = (
    {"cascade": None, "timeout": None, "description": None},
    {"wait": None, "dry-run": None},
    {"no-hooks": None, "ignore-not-found": None, "keep-history": None},
)
TEMPLATE_OPTIONS = (
    {
        "show-only": "s",
        "output-dir": None,
        "kube-version": None,
        "api-versions": "a",
    },
    {},
    {
        "validate": None,
        "include-crds": None,
        "skip-tests": None,
        "is-upgrade": None,
        "release-name": None,
    },
)
STATUS_OPTIONS = (
    {"revision": None, "output": "o"},
    {},
    {"show-desc": None, "show-resources": None},
)
REVISION_OPTION = ({"revision": None}, {}, {})
DEPENDENCY_OPTIONS = (
    {
        "keyring": None,
        "username": None,
        "password": None,
        "cert-file": None,
        "key-file": None,
        "ca-file": None,
    },
    {},
    {
        "verify": None,
        "skip-refresh": None,
        "insecure-skip-tls-verify": None,
        "plain-http": None,
    },
)
SHOW_OPTIONS = ({"jsonpath": None}, {}, {"devel": None})
TLS_CLIENT_OPTIONS = (
    {"cert-file": None, "key-file": None, "ca-file": None},
    {},
    {"plain-http": None},
)
PACKAGE_OPTIONS = (
    {
        "key": None,
        "keyring": None,
        "passphrase-file": None,
        "version": None,
        "app-version": None,
        "destination": "d",
        "username": None,
        "password": None,
        "cert-file": None,
        "key-file": None,
        "ca-file": None,
    },
    {},
    {
        "sign": None,
        "dependency-update": "u",
        "insecure-skip-tls-verify": None,
        "plain-http": None,
    },
)


class Command:
    """One built-in command: its class, reason, local flags and special rules.

    `dry_run` is "string" for Helm's string `--dry-run` (install, upgrade, rollback
    and template) and "bool" for the boolean one (uninstall). `check` names an
    extra rule in CHECKS. `release` names where the release name sits: "first"
    for the first argument, "named" for `[NAME] CHART`, or None.
    """

    __slots__ = ("check", "dry_run", "flag_groups", "klass", "reason", "release")

    def __init__(
        self, klass, reason, *flag_groups, dry_run=None, check=None, release=None
    ):
        self.klass = klass
        self.reason = reason
        self.flag_groups = flag_groups
        self.dry_run = dry_run
        self.check = check
        self.release = release


# Every built-in command by its canonical words. The rule id is "helm." followed
# by the words joined with dots. Group commands on their own print help.
COMMANDS = {
    ("install",): Command(
        WRITE,
        "installs a release and creates its resources in the cluster",
        INSTALL_OPTIONS,
        VALUES_OPTIONS,
        CHART_PATH_OPTIONS,
        OUTPUT_OPTION,
        POST_RENDER_OPTIONS,
        ({}, {}, {"hide-secret": None}),
        dry_run="string",
        release="named",
    ),
    ("upgrade",): Command(
        WRITE,
        "upgrades a release and changes its resources in the cluster",
        UPGRADE_OPTIONS,
        VALUES_OPTIONS,
        CHART_PATH_OPTIONS,
        OUTPUT_OPTION,
        POST_RENDER_OPTIONS,
        dry_run="string",
        release="first",
    ),
    ("rollback",): Command(
        WRITE,
        "rolls a release back to an earlier revision in the cluster",
        ROLLBACK_OPTIONS,
        dry_run="string",
        release="first",
    ),
    ("uninstall",): Command(
        WRITE,
        "uninstalls a release and deletes its resources from the cluster",
        UNINSTALL_OPTIONS,
        dry_run="bool",
        release="first",
    ),
    ("test",): Command(
        WRITE,
        "runs the release's test pods in the cluster",
        ({"timeout": None, "filter": None}, {}, {"logs": None, "hide-notes": None}),
        release="first",
    ),
    ("template",): Command(
        PREVIEW,
        "renders the chart's manifests, Secrets included, without installing them",
        INSTALL_OPTIONS,
        TEMPLATE_OPTIONS,
        VALUES_OPTIONS,
        CHART_PATH_OPTIONS,
        POST_RENDER_OPTIONS,
        dry_run="string",
        release="named",
    ),
    ("status",): Command(
        READ,
        "prints the status, notes and resources of a release",
        STATUS_OPTIONS,
        check="status",
        release="first",
    ),
    ("history",): Command(
        READ,
        "prints the revision summaries of a release",
        (
            {"max": None, "output": "o"},
            {},
            {"show-rollback-revision": None},
        ),
        release="first",
    ),
    ("list",): Command(
        READ,
        "lists release summaries",
        (
            {
                "time-format": None,
                "max": "m",
                "offset": None,
                "filter": "f",
                "selector": "l",
                "output": "o",
            },
            {},
            {
                "short": "q",
                "no-headers": None,
                "date": "d",
                "reverse": "r",
                "all": "a",
                "uninstalled": None,
                "superseded": None,
                "uninstalling": None,
                "deployed": None,
                "failed": None,
                "pending": None,
                "all-namespaces": "A",
            },
        ),
    ),
    ("get",): Command(READ, "prints the help of helm get"),
    ("get", "all"): Command(
        SECRET,
        "prints the release's values and manifests, which can hold secret values",
        ({"revision": None, "template": None}, {}, {}),
        release="first",
    ),
    ("get", "values"): Command(
        SECRET,
        "prints the release's values, which often hold passwords and tokens",
        ({"revision": None, "output": "o"}, {}, {"all": "a"}),
        release="first",
    ),
    ("get", "manifest"): Command(
        SECRET,
        "prints the release's rendered manifests, Secrets included",
        REVISION_OPTION,
        release="first",
    ),
    ("get", "hooks"): Command(
        SECRET,
        "prints the release's hook manifests, which can be Secrets",
        REVISION_OPTION,
        release="first",
    ),
    ("get", "notes"): Command(
        READ, "prints the release's notes", REVISION_OPTION, release="first"
    ),
    ("get", "metadata"): Command(
        READ,
        "prints the release's metadata",
        ({"revision": None, "output": "o"}, {}, {}),
        release="first",
    ),
    ("show",): Command(READ, "prints the help of helm show"),
    ("show", "all"): Command(
        READ, "prints a chart's files", SHOW_OPTIONS, CHART_PATH_OPTIONS
    ),
    ("show", "chart"): Command(
        READ, "prints a chart's definition", SHOW_OPTIONS, CHART_PATH_OPTIONS
    ),
    ("show", "values"): Command(
        READ, "prints a chart's default values", SHOW_OPTIONS, CHART_PATH_OPTIONS
    ),
    ("show", "readme"): Command(
        READ, "prints a chart's README", SHOW_OPTIONS, CHART_PATH_OPTIONS
    ),
    ("show", "crds"): Command(
        READ, "prints a chart's CRDs", SHOW_OPTIONS, CHART_PATH_OPTIONS
    ),
    ("search",): Command(READ, "prints the help of helm search"),
    ("search", "repo"): Command(
        READ,
        "searches the local repository indexes for charts",
        (
            {"version": None, "output": "o", "max-col-width": None},
            {},
            {
                "regexp": "r",
                "versions": "l",
                "devel": None,
                "fail-on-no-result": None,
            },
        ),
    ),
    ("search", "hub"): Command(
        READ,
        "searches Artifact Hub for charts",
        (
            {"endpoint": None, "output": "o", "max-col-width": None},
            {},
            {"list-repo-url": None, "fail-on-no-result": None},
        ),
    ),
    ("pull",): Command(
        LOCAL,
        "downloads a chart into a local directory",
        CHART_PATH_OPTIONS,
        (
            {"untardir": None, "destination": "d"},
            {},
            {"devel": None, "untar": None, "prov": None},
        ),
    ),
    ("push",): Command(
        WRITE,
        "uploads a chart to an OCI registry",
        TLS_CLIENT_OPTIONS,
        (
            {"username": None, "password": None},
            {},
            {"insecure-skip-tls-verify": None},
        ),
    ),
    ("registry",): Command(READ, "prints the help of helm registry"),
    ("registry", "login"): Command(
        WRITE,
        "stores registry credentials in the registry config",
        TLS_CLIENT_OPTIONS,
        (
            {"username": "u", "password": "p"},
            {},
            {"password-stdin": None, "insecure": None},
        ),
    ),
    ("registry", "logout"): Command(
        WRITE, "removes registry credentials from the registry config"
    ),
    ("repo",): Command(READ, "prints the help of helm repo"),
    ("repo", "add"): Command(
        LOCAL,
        "adds a chart repository to the local repository list",
        TLS_CLIENT_OPTIONS,
        (
            {"username": None, "password": None, "timeout": None},
            {},
            {
                "password-stdin": None,
                "force-update": None,
                "no-update": None,
                "insecure-skip-tls-verify": None,
                "allow-deprecated-repos": None,
                "pass-credentials": None,
            },
        ),
        check="repo_credentials",
    ),
    ("repo", "remove"): Command(
        LOCAL, "removes chart repositories from the local repository list"
    ),
    ("repo", "list"): Command(
        READ,
        "lists the configured chart repositories",
        ({"output": "o"}, {}, {"no-headers": None}),
    ),
    ("repo", "update"): Command(
        LOCAL,
        "refreshes the local cache of repository indexes",
        ({"timeout": None}, {}, {"fail-on-repo-update-fail": None}),
    ),
    ("repo", "index"): Command(
        LOCAL,
        "writes an index.yaml for a local directory of charts",
        ({"url": None, "merge": None}, {}, {"json": None}),
    ),
    ("dependency",): Command(READ, "prints the help of helm dependency"),
    ("dependency", "update"): Command(
        LOCAL,
        "downloads a chart's dependencies into its charts/ directory",
        DEPENDENCY_OPTIONS,
    ),
    ("dependency", "build"): Command(
        LOCAL,
        "rebuilds a chart's charts/ directory from its lock file",
        DEPENDENCY_OPTIONS,
    ),
    ("dependency", "list"): Command(
        READ,
        "lists a chart's dependencies",
        ({"max-col-width": None}, {}, {}),
    ),
    ("plugin",): Command(READ, "prints the help of helm plugin"),
    ("plugin", "install"): Command(
        WRITE,
        "installs a plugin, which runs with Helm's credentials",
        TLS_CLIENT_OPTIONS,
        (
            {"version": None, "keyring": None, "username": None, "password": None},
            {},
            {"verify": None, "insecure-skip-tls-verify": None},
        ),
    ),
    ("plugin", "uninstall"): Command(WRITE, "removes installed plugins"),
    ("plugin", "update"): Command(
        WRITE, "updates installed plugins, which can run their install hooks"
    ),
    ("plugin", "list"): Command(
        READ, "lists installed plugins", ({"type": None}, {}, {})
    ),
    ("plugin", "package"): Command(
        LOCAL,
        "writes a plugin archive",
        (
            {
                "key": None,
                "keyring": None,
                "passphrase-file": None,
                "destination": "d",
            },
            {},
            {"sign": None},
        ),
    ),
    ("plugin", "verify"): Command(
        READ, "verifies a plugin's signature", ({"keyring": None}, {}, {})
    ),
    ("create",): Command(
        LOCAL,
        "scaffolds a new chart directory",
        ({"starter": "p", "chart-api-version": None}, {}, {}),
    ),
    ("package",): Command(LOCAL, "writes a chart archive", PACKAGE_OPTIONS),
    ("lint",): Command(
        READ,
        "checks a chart for problems",
        VALUES_OPTIONS,
        (
            {"kube-version": None},
            {},
            {
                "strict": None,
                "with-subcharts": None,
                "quiet": None,
                "skip-schema-validation": None,
            },
        ),
    ),
    ("verify",): Command(
        READ, "verifies a chart archive's signature", ({"keyring": None}, {}, {})
    ),
    ("env",): Command(READ, "prints Helm's environment settings"),
    ("version",): Command(
        READ,
        "prints Helm's version",
        ({"template": None}, {}, {"short": None, "client": "c"}),
    ),
    ("completion",): Command(READ, "prints the help of helm completion"),
    ("docs",): Command(
        LOCAL,
        "writes Helm's documentation files into a local directory",
        ({"dir": None, "type": None}, {}, {"generate-headers": None}),
    ),
    ("help",): Command(READ, "prints help"),
    ("__complete",): Command(READ, "lists shell completions"),
    ("__completeNoDesc",): Command(READ, "lists shell completions"),
}
for _shell in ("bash", "zsh", "fish", "powershell"):
    COMMANDS[("completion", _shell)] = Command(
        READ,
        f"prints the {_shell} completion script",
        ({}, {}, {"no-descriptions": None}),
    )

# Aliases from the `Aliases:` field of each command, by parent command.
ALIASES = {
    (): {
        "del": "uninstall",
        "delete": "uninstall",
        "un": "uninstall",
        "ls": "list",
        "hist": "history",
        "dep": "dependency",
        "dependencies": "dependency",
        "inspect": "show",
        "fetch": "pull",
    },
    ("repo",): {"rm": "remove", "up": "update", "ls": "list"},
    ("plugin",): {
        "add": "install",
        "rm": "uninstall",
        "remove": "uninstall",
        "up": "update",
        "ls": "list",
    },
    ("dependency",): {"up": "update", "ls": "list"},
}
GROUPS = frozenset(key[0] for key in COMMANDS if len(key) == 2)

# Values of `--dry-run` that simulate. Helm 4 stores a bare flag as "unset" and
# treats a literal "unset" the same way, as "client". Helm 3 rejects "unset".
DRY_RUN_SIMULATES = frozenset({"client", "server", "unset"}) | GO_TRUE
# Words that a user who writes `--dry-run server` meant as the flag's value.
DRY_RUN_WORDS = frozenset({"client", "server", "none", "true", "false", "unset"})

# Global flags that Helm removes from a plugin's arguments (`manuallyProcessArgs`
# in Helm 3 and 4). `--kube-insecure-skip-tls-verify` takes the next word there.
PLUGIN_GLOBAL_VALUE_FLAGS = frozenset(
    {
        "--kube-context",
        "--namespace",
        "-n",
        "--kubeconfig",
        "--kube-apiserver",
        "--kube-token",
        "--kube-as-user",
        "--kube-as-group",
        "--kube-ca-file",
        "--registry-config",
        "--repository-cache",
        "--repository-config",
        "--kube-insecure-skip-tls-verify",
        "--kube-tls-server-name",
    }
)

# Plugins with a known class, from each plugin's own source:
# databus23/helm-diff (cobra, `cmd/root.go`, `cmd/options.go`): a bare
# `helm diff RELEASE CHART` is the deprecated form of `diff upgrade`.
# `revision` and `release` compare stored revisions with Secret data redacted,
# unless `--show-secrets` or `--show-secrets-decoded` is given.
DIFF_SUBCOMMANDS = {
    "upgrade": (PREVIEW, "shows what an upgrade of the release would change"),
    "rollback": (PREVIEW, "shows what a rollback of the release would change"),
    "local": (PREVIEW, "renders two local charts and shows their differences"),
    "revision": (READ, "shows the differences between two stored revisions"),
    "release": (READ, "shows the differences between two releases"),
    "version": (READ, "prints the version of the helm-diff plugin"),
}
DIFF_SHOW_SECRETS = frozenset({"--show-secrets", "--show-secrets-decoded"})
DIFF_SPEC = FlagSpec(
    {
        **GLOBAL_VALUE_FLAGS,
        "suppress": None,
        "context": "C",
        "output": None,
        "find-renames": "D",
        "suppress-output-line-regex": None,
        "version": None,
        "repo": None,
        "api-versions": "a",
        "kube-version": None,
        "values": "f",
        "set": None,
        "set-string": None,
        "set-literal": None,
        "set-json": None,
        "set-file": None,
        "post-renderer": None,
        "post-renderer-args": None,
        "server-side": None,
    },
    {"dry-run": None},
    {
        **GLOBAL_BOOL_FLAGS,
        "no-color": None,
        "color": None,
        "suppress-secrets": "q",
        "show-secrets": None,
        "show-secrets-decoded": None,
        "strip-trailing-cr": None,
        "three-way-merge": None,
        "detailed-exitcode": None,
        "reuse-values": None,
        "reset-values": None,
        "reset-then-reuse-values": None,
        "allow-unreleased": None,
        "install": None,
        "no-hooks": None,
        "include-tests": None,
        "include-crds": None,
        "devel": None,
        "disable-validation": None,
        "disable-openapi-validation": None,
        "enable-dns": None,
        "skip-schema-validation": None,
        "insecure-skip-tls-verify": None,
        "normalize-manifests": None,
        "take-ownership": None,
    },
)

# jkroepke/helm-secrets (`scripts/run.sh` on main, and tag v3.15.0 for the older
# `dec`, `view`, `--driver` and `--output-decrypt-file-path`). A shell loop reads
# leading options, then the first other word picks a command. Any word that is
# not one of its commands is run as `helm WORD ...` with decrypted value files.
SECRETS_COMMANDS = {
    "decrypt": (SECRET, "prints or writes the decrypted content of a secrets file"),
    "dec": (SECRET, "writes the decrypted content of a secrets file"),
    "view": (SECRET, "prints the decrypted content of a secrets file"),
    # `edit` decrypts the file into $EDITOR, which can be any program.
    "edit": (SECRET, "opens the decrypted content of a secrets file in an editor"),
    "help": (READ, "prints the help of helm-secrets"),
    "version": (READ, "prints the version of helm-secrets"),
}
# Other words the script handles itself (encrypt, dir, clean, patch, ...) get
# `unknown`. Wrapped helm commands keep their own class when listed here.
SECRETS_WRAPPED = frozenset({"install", "upgrade", "rollback", "uninstall", "template"})
SECRETS_VALUE_OPTIONS = frozenset(
    {
        "--backend",
        "-b",
        "--backend-args",
        "-a",
        "--driver",
        "-d",
        "--driver-args",
        "--output-decrypt-file-path",
    }
)
# These take the next word only when it is "true" or "false".
SECRETS_OPTIONAL_OPTIONS = frozenset(
    {
        "--ignore-missing-values",
        "--evaluate-templates",
        "--evaluate-templates-decode-secrets",
        "--decrypt-secrets-in-tmp-dir",
    }
)
SECRETS_HELP_WORDS = frozenset({"--help", "-h", "help"})
SECRETS_VERSION_WORDS = frozenset({"--version", "-v"})


def classify(argv, env):
    """Return the Verdict for `helm ARGV` run under the environment `env`."""
    return _classify(list(argv), env, wrapped=False)


def _classify(argv, env, wrapped):
    """Classify argv; `wrapped` is true for the helm command that helm-secrets runs."""
    words = command_words(argv, LOOKUP_SPEC)
    verdict = _classify_words(argv, env, words, wrapped)

    # cobra assumes that an unknown flag before the command takes the next word.
    # A newer Helm may know it as a boolean, so classify that reading as well.
    other_words = command_words(argv, _lookup_spec_with_bools(argv))
    if other_words[:2] != words[:2]:
        other = _classify_words(argv, env, other_words, wrapped)
        if DANGER[other.klass] > DANGER[verdict.klass]:
            verdict = other
    return verdict


def _lookup_spec_with_bools(argv):
    unknown = {}
    for word in argv:
        if word == "--":
            break
        if word.startswith("--") and "=" not in word:
            name = word[2:]
            if name not in GLOBAL_VALUE_FLAGS and name not in GLOBAL_BOOL_FLAGS:
                unknown[name] = None
        elif _is_unknown_shorthand(word):
            unknown[word[1]] = word[1]
    if not unknown:
        return LOOKUP_SPEC
    return FlagSpec(GLOBAL_VALUE_FLAGS, None, {**GLOBAL_BOOL_FLAGS, **unknown})


def _is_unknown_shorthand(word):
    if len(word) != 2 or word[0] != "-" or word[1] in "-=":
        return False
    return word[1] not in LOOKUP_SPEC.short_to_long


def _classify_words(argv, env, words, wrapped):
    if not words:
        return _help_verdict(argv, (), _global_hints(argv), "helm.help")

    first = ALIASES[()].get(words[0], words[0])
    if first in GROUPS and len(words) > 1:
        second = ALIASES.get((first,), {}).get(words[1], words[1])
        key = (first, second)
        if key not in COMMANDS:
            return _unknown_subcommand_verdict(argv, key)
    elif (first,) in COMMANDS:
        key = (first,)
    else:
        return _plugin_verdict(argv, env, words[0], wrapped)
    return _builtin_verdict(argv, env, key, words[: len(key)])


def _builtin_verdict(argv, env, key, used_words):
    """Classify a built-in command under each plausible reading of its flags."""
    command = COMMANDS[key]
    spec = _command_spec(command)
    parsed = scan(argv, spec)
    verdict = _evaluate(argv, env, key, command, parsed, used_words)

    # An unknown flag is read as a boolean above. If a newer Helm gives it a
    # value, the next word is that value, which can hide `-h` or `--dry-run`.
    unknown = _unknown_flag_names(parsed, spec)
    if unknown:
        readings = [unknown]
        chain = chain_end_flags(argv, unknown)
        if chain and chain != unknown:
            readings.append(chain)
        for value_flags in readings:
            wider = spec.merged(FlagSpec(value_flags))
            other = _evaluate(argv, env, key, command, scan(argv, wider), used_words)
            if DANGER[other.klass] > DANGER[verdict.klass]:
                verdict = other
    return verdict


def _command_spec(command):
    values = dict(GLOBAL_VALUE_FLAGS)
    optional = {}
    bools = {**GLOBAL_BOOL_FLAGS, **HELP_FLAG}
    for group_values, group_optional, group_bools in command.flag_groups:
        values.update(group_values)
        optional.update(group_optional)
        bools.update(group_bools)
    return FlagSpec(values, optional, bools)


def _unknown_flag_names(parsed, spec):
    unknown = {}
    for name, _ in parsed.flags:
        if name in spec.values or name in spec.optional or name in spec.bools:
            continue
        unknown[name] = name if len(name) == 1 else None
    return unknown


def _evaluate(argv, env, key, command, parsed, used_words):
    hints = _target_hints(parsed)
    if _asks_for_help(parsed):
        return _help_verdict(argv, key, hints, "helm.help-flag")

    rule = "helm." + ".".join(key)
    klass, reason = command.klass, command.reason
    if command.dry_run is not None:
        klass, reason, rule = _apply_dry_run(argv, command, parsed, rule, hints)
    if command.check is not None:
        klass, reason, rule = CHECKS[command.check](parsed, env, klass, reason, rule)
    release = _release_name(command.release, parsed, used_words)
    if release is not None:
        hints["release"] = release
    return Verdict(TOOL, argv, key, klass, reason, rule, hints)


def _asks_for_help(parsed):
    """Return whether the last `-h`/`--help` before `--` is true, as pflag reads it."""
    last = parsed.last("help")
    if last is None:
        return False
    value = last[1]
    return value is None or value in GO_TRUE


def _apply_dry_run(argv, command, parsed, rule, hints):
    """Apply the last `--dry-run` to the command's class, as Helm 3 and 4 read it.

    Helm 3 install and upgrade accept "client", "server", "true", "false" and
    "none", and a bare flag means "client". Helm 4 reads a bare flag as "client",
    any Go boolean as "client" or "none", and rejects other values. Helm 3
    rollback and both versions' uninstall take a Go boolean. A value that one
    version rejects runs nothing there, so it keeps the class of the other.
    """
    last = parsed.last("dry-run")
    if last is None:
        return command.klass, command.reason, rule

    value = last[1]
    hints["dry_run"] = _effective_dry_run(value, command.dry_run)
    if value is None:
        if _has_spaced_dry_run_value(argv):
            reason = (
                "a word after a bare --dry-run reads as an argument, not as the "
                "flag's value, so the command runs for real"
            )
            return command.klass, reason, rule + ".dry-run-spaced"
        return (
            PREVIEW,
            "simulates the command without changing the cluster",
            (rule + ".dry-run"),
        )
    if command.dry_run == "string" and value in DRY_RUN_SIMULATES:
        return (
            PREVIEW,
            "simulates the command without changing the cluster",
            (rule + ".dry-run"),
        )
    if command.dry_run == "bool" and value in GO_TRUE:
        return (
            PREVIEW,
            "simulates the command without changing the cluster",
            (rule + ".dry-run"),
        )
    if value == "none" or value in GO_FALSE:
        return command.klass, command.reason, rule + ".dry-run-none"
    reason = f"--dry-run={value} is not a value Helm simulates with"
    return command.klass, reason, rule + ".dry-run-invalid"


def _effective_dry_run(value, kind):
    if value is None or value == "unset":
        return "true" if kind == "bool" else "client"
    if kind == "bool":
        if value in GO_TRUE:
            return "true"
        return "false" if value in GO_FALSE else value
    if value in GO_TRUE:
        return "client"
    if value in GO_FALSE:
        return "none"
    return value


def _has_spaced_dry_run_value(argv):
    """Return whether a bare `--dry-run` before `--` is followed by a value word."""
    for index, word in enumerate(argv):
        if word == "--":
            return False
        following = argv[index + 1] if index + 1 < len(argv) else None
        if word == "--dry-run" and following in DRY_RUN_WORDS:
            return True
    return False


def _check_status(parsed, env, klass, reason, rule):
    """Raise `status` to secret when it prints the whole release record.

    `-o json` and `-o yaml` print the release, user values and manifest included.
    Any value other than "table" is treated alike, because Helm rejects it.
    """
    output = parsed.last("output")
    if output is not None and output[1] != "table":
        return (
            SECRET,
            "prints the whole release record, user values and manifest included",
            rule + ".output",
        )
    if _debug_enabled(parsed, env):
        # NOTE: Helm 3.0 to 3.21 and Helm 4 pass debug=false to the status
        # printer, so --debug prints no values there. The class stays secret
        # as the conservative reading, in case a release prints them.
        return (
            SECRET,
            "with --debug, status can print the release's values and manifest",
            rule + ".debug",
        )
    return klass, reason, rule


def _debug_enabled(parsed, env):
    last = parsed.last("debug")
    if last is not None:
        return last[1] is None or last[1] in GO_TRUE
    return env.get("HELM_DEBUG", "") in GO_TRUE


def _check_repo_credentials(parsed, env, klass, reason, rule):
    if parsed.has("username", "password", "password-stdin"):
        return (
            WRITE,
            "stores repository credentials in the repository config",
            rule + ".credentials",
        )
    return klass, reason, rule


CHECKS = {"status": _check_status, "repo_credentials": _check_repo_credentials}


def _release_name(kind, parsed, used_words):
    """Return the release name that argv states, or None when it is not obvious."""
    if kind is None:
        return None
    arguments = _arguments(parsed.positionals, used_words)
    if kind == "first":
        return arguments[0] if arguments else None
    if parsed.has("generate-name") or len(arguments) < 2:
        return None
    return arguments[0]


def _arguments(positionals, used_words):
    """Remove the command words from `positionals`, as cobra removes them."""
    arguments = list(positionals)
    for word in used_words:
        if word in arguments:
            arguments.remove(word)
    return arguments


def _target_hints(parsed):
    """Collect the target facts that the global flags in argv state."""
    hints = {}
    for name, hint in (
        ("kube-context", "kube_context"),
        ("namespace", "namespace"),
        ("kubeconfig", "kubeconfig"),
        ("kube-apiserver", "kube_apiserver"),
    ):
        last = parsed.last(name)
        if last is not None and last[1] is not None:
            hints[hint] = last[1]

    # Impersonation never changes the class. It is recorded for the approver.
    impersonate = {}
    user = parsed.last("kube-as-user")
    if user is not None and user[1] is not None:
        impersonate["user"] = user[1]
    groups = [group for group in parsed.values("kube-as-group") if group is not None]
    if groups:
        impersonate["groups"] = groups
    if impersonate:
        hints["impersonate"] = impersonate
    return hints


def _global_hints(argv):
    return _target_hints(scan(argv, _command_spec(COMMANDS[("help",)])))


def _help_verdict(argv, key, hints, rule):
    return Verdict(TOOL, argv, key, READ, "prints help and runs nothing", rule, hints)


def _unknown_subcommand_verdict(argv, key):
    parsed = scan(argv, _command_spec(COMMANDS[key[:1]]))
    hints = _target_hints(parsed)
    if _asks_for_help(parsed):
        return _help_verdict(argv, key[:1], hints, "helm.help-flag")
    reason = f"'{key[1]}' is not a known subcommand of helm {key[0]}"
    rule = f"helm.{key[0]}.unknown-subcommand"
    return Verdict(TOOL, argv, key, UNKNOWN, reason, rule, hints)


def _plugin_verdict(argv, env, word, wrapped):
    """Classify a word that is no built-in command: a plugin or a typo."""
    hints = _global_hints(argv)
    arguments = _plugin_arguments(argv, word)
    if word == "diff":
        return _diff_verdict(argv, arguments, hints)
    # One level of helm-secrets only, so that `secrets secrets ...` cannot recurse.
    if word == "secrets" and not wrapped:
        faithful = _secrets_verdict(argv, env, arguments, hints)
        # manuallyProcessArgs takes the word after `--kube-insecure-skip-tls-verify`
        # as its value, which can hide a wrapped `upgrade` from that reading, so
        # the reading that keeps every word competes and the more dangerous wins.
        unprocessed = _secrets_verdict(
            argv, env, _without_command_word(argv, word), hints
        )
        if DANGER[unprocessed.klass] > DANGER[faithful.klass]:
            return unprocessed
        return faithful
    reason = f"'{word}' is no built-in helm command, so it runs a plugin or fails"
    return Verdict(TOOL, argv, (word,), UNKNOWN, reason, "helm.unknown-command", hints)


def _plugin_arguments(argv, word):
    """Return the arguments Helm passes to the plugin named `word`."""
    rest = _without_command_word(argv, word)
    arguments = []
    index = 0
    while index < len(rest):
        current = rest[index]
        index += 1
        # Go's `switch` in manuallyProcessArgs matches an empty word as a known
        # flag too, so it drops "" and the word after it.
        if current == "" or current in PLUGIN_GLOBAL_VALUE_FLAGS:
            index += 1
        elif current == "--debug" or _is_plugin_global_assignment(current):
            continue
        else:
            arguments.append(current)
    return arguments


def _is_plugin_global_assignment(word):
    name, equals, _ = word.partition("=")
    return bool(equals) and name in PLUGIN_GLOBAL_VALUE_FLAGS


def _without_command_word(argv, word):
    """Remove the first `word` that is neither a flag nor a flag's value.

    This follows cobra's argsMinusFirstX with the root command's flags.
    """
    index = 0
    while index < len(argv):
        current = argv[index]
        if current == "--":
            break
        if current.startswith("-") and "=" not in current:
            if _lookup_takes_value(current):
                index += 1
        elif current == word:
            return argv[:index] + argv[index + 1 :]
        index += 1
    return list(argv)


def _lookup_takes_value(word):
    if word.startswith("--"):
        name = word[2:]
        return name not in GLOBAL_BOOL_FLAGS
    if len(word) == 2:
        long_name = LOOKUP_SPEC.short_to_long.get(word[1])
        return long_name is None or long_name not in GLOBAL_BOOL_FLAGS
    return False


def _diff_verdict(argv, arguments, hints):
    words = command_words(arguments, DIFF_SPEC)
    subcommand = words[0] if words and words[0] in DIFF_SUBCOMMANDS else None
    if subcommand is None:
        klass = PREVIEW
        reason = "shows what an upgrade of the release would change"
        command, rule = ("diff",), "helm.diff"
    else:
        klass, reason = DIFF_SUBCOMMANDS[subcommand]
        command, rule = ("diff", subcommand), "helm.diff." + subcommand
    if _diff_shows_secrets(arguments):
        klass = SECRET
        reason = "shows Secret data unredacted in the diff"
        rule += ".show-secrets"
    return Verdict(TOOL, argv, command, klass, reason, rule, hints)


def _diff_shows_secrets(arguments):
    for word in arguments:
        if word == "--":
            return False
        name, equals, value = word.partition("=")
        if name in DIFF_SHOW_SECRETS and not (equals and value in GO_FALSE):
            return True
    return False


def _secrets_verdict(argv, env, arguments, hints):
    index = _skip_secrets_options(arguments)
    if index >= len(arguments):
        return _secrets_word_verdict(argv, "help", hints)

    word = arguments[index]
    if word in SECRETS_HELP_WORDS:
        return _secrets_word_verdict(argv, "help", hints)
    if word in SECRETS_VERSION_WORDS:
        return _secrets_word_verdict(argv, "version", hints)
    if word in SECRETS_COMMANDS:
        return _secrets_word_verdict(argv, word, hints)
    return _secrets_wrapper_verdict(argv, env, arguments[index:], word, hints)


def _skip_secrets_options(arguments):
    """Return the index of the first word after helm-secrets' leading options."""
    index = 0
    while index < len(arguments):
        word = arguments[index]
        name = word.partition("=")[0]
        if word in SECRETS_VALUE_OPTIONS:
            index += 2
        elif word in SECRETS_OPTIONAL_OPTIONS:
            following = arguments[index + 1] if index + 1 < len(arguments) else ""
            index += 2 if following in ("true", "false") else 1
        elif word in ("--quiet", "-q") or (
            "=" in word
            and (name in SECRETS_VALUE_OPTIONS or name in SECRETS_OPTIONAL_OPTIONS)
        ):
            index += 1
        else:
            return index
    return index


def _secrets_word_verdict(argv, word, hints):
    klass, reason = SECRETS_COMMANDS[word]
    return Verdict(
        TOOL, argv, ("secrets", word), klass, reason, "helm.secrets." + word, hints
    )


def _secrets_wrapper_verdict(argv, env, helm_argv, word, hints):
    """Classify `helm secrets CMD ...`, which runs `helm CMD ...` with decrypted values."""
    inner = _classify(helm_argv, env, wrapped=True)
    command = ("secrets",) + inner.command
    if not inner.command or inner.command[0] not in SECRETS_WRAPPED:
        reason = (
            f"'{word}' is run by the helm-secrets plugin, whose effect is not known"
        )
        rule = "helm.secrets.unknown-subcommand"
        return Verdict(TOOL, argv, command, UNKNOWN, reason, rule, hints)

    rule = "helm.secrets." + inner.rule[len("helm.") :]
    reason = inner.reason + ", with decrypted value files"
    merged_hints = {**hints, **inner.hints}
    return Verdict(TOOL, argv, command, inner.klass, reason, rule, merged_hints)
