"""Tests of the helm grammar: command lookup, flags, dry-run, plugins and hints."""

import re
import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardshim.classes import (
    CLASSES,
    DANGER,
    LOCAL,
    PREVIEW,
    READ,
    SECRET,
    UNKNOWN,
    WRITE,
)
from guardshim.grammar import helm

# (argv, expected class, why). Written from the Helm 3 and Helm 4 command
# reference and source, helm-diff's and helm-secrets' usage texts.
CASES = [
    # Help in every form.
    ("", READ, "empty argv prints help"),
    ("--", READ, "only -- prints help"),
    ("--help", READ, "root help flag"),
    ("-h", READ, "root short help flag"),
    ("help", READ, "help command alone"),
    ("help install", READ, "help command for install"),
    ("install myrel ./chart -h", READ, "help flag after install"),
    ("upgrade --install myrel ./chart --help", READ, "help flag after upgrade"),
    ("uninstall myrel -h", READ, "help flag after uninstall"),
    ("get values myrel --help", READ, "help flag after get values"),
    ("install myrel ./chart --help=true", READ, "help flag set to true"),
    ("install myrel ./chart --help=false", WRITE, "help flag set to false"),
    ("install myrel ./chart -- -h", WRITE, "help after -- is an argument"),
    ("install myrel ./chart --description -h", WRITE, "help word as a flag value"),
    ("install myrel ./chart --set -h", WRITE, "help word as a set value"),
    ("install myrel ./chart --newflag -h", WRITE, "help after unknown flag"),
    ("__complete install ''", READ, "shell completion request"),
    ("__completeNoDesc upgrade", READ, "completion without descriptions"),
    # Release commands.
    ("install myrel ./chart", WRITE, "install"),
    ("install --generate-name ./chart", WRITE, "install generate name"),
    ("install -g ./chart", WRITE, "install generate name shorthand"),
    ("upgrade myrel ./chart", WRITE, "upgrade"),
    ("upgrade -i myrel ./chart", WRITE, "upgrade install shorthand"),
    ("upgrade myrel ./chart --wait", WRITE, "upgrade with wait"),
    ("upgrade myrel ./chart --wait=watcher", WRITE, "upgrade with wait strategy"),
    ("upgrade myrel ./chart --wait --dry-run", PREVIEW, "wait does not take dry-run"),
    ("upgrade myrel ./chart --atomic --rollback-on-failure", WRITE, "renamed flags"),
    ("upgrade myrel ./chart --server-side true", WRITE, "server-side string value"),
    ("rollback myrel", WRITE, "rollback"),
    ("rollback myrel 3 --wait", WRITE, "rollback revision"),
    ("uninstall myrel", WRITE, "uninstall"),
    ("uninstall a b c", WRITE, "uninstall several releases"),
    ("delete myrel", WRITE, "alias delete"),
    ("del myrel", WRITE, "alias del"),
    ("un myrel", WRITE, "alias un"),
    ("test myrel", WRITE, "test runs pods"),
    ("test myrel --logs", WRITE, "test with logs"),
    ("status myrel", READ, "status"),
    ("status myrel --show-resources", READ, "status resources"),
    ("status myrel --revision 2", READ, "status revision"),
    ("status myrel -o json", SECRET, "status json output"),
    ("status myrel -oyaml", SECRET, "status glued yaml output"),
    ("status myrel -o=json", SECRET, "status shorthand equals output"),
    ("status myrel --output yaml", SECRET, "status long output"),
    ("status myrel -o table", READ, "status table output"),
    ("status myrel -o json -o table", READ, "status last output wins"),
    ("status myrel --debug", SECRET, "status with debug"),
    ("status myrel --debug=false", READ, "status debug switched off"),
    ("status myrel -o", SECRET, "status output without value"),
    ("history myrel", READ, "history"),
    ("hist myrel -o json", READ, "alias hist with json"),
    ("list", READ, "list"),
    ("ls -A", READ, "alias ls"),
    ("list -o json", READ, "list json has no values"),
    # get subcommands.
    ("get", READ, "get alone prints help"),
    ("get all myrel", SECRET, "get all"),
    ("get values myrel", SECRET, "get values"),
    ("get values myrel --all", SECRET, "get computed values"),
    ("get values myrel -a -o json", SECRET, "get values json"),
    ("get manifest myrel", SECRET, "get manifest"),
    ("get hooks myrel", SECRET, "get hooks"),
    ("get notes myrel", READ, "get notes"),
    ("get metadata myrel -o json", READ, "get metadata"),
    ("get --revision 2 values myrel", SECRET, "flag value before get sub"),
    ("get valuez myrel", UNKNOWN, "typo under get"),
    # show and search.
    ("show", READ, "show alone prints help"),
    ("show all bitnami/nginx", READ, "show all"),
    ("show chart ./chart", READ, "show chart"),
    ("show values ./chart --jsonpath {.image}", READ, "show values"),
    ("show readme ./chart", READ, "show readme"),
    ("show crds ./chart", READ, "show crds"),
    ("inspect values ./chart", READ, "alias inspect"),
    ("search repo nginx", READ, "search repo"),
    ("search hub nginx --max-col-width 0", READ, "search hub"),
    ("search", READ, "search alone prints help"),
    # Charts, repositories, registries.
    ("pull bitnami/nginx --untar", LOCAL, "pull"),
    ("fetch bitnami/nginx", LOCAL, "alias fetch"),
    ("push chart.tgz oci://registry.example.com/c", WRITE, "push"),
    ("registry login r.example.com -u bob -p secret", WRITE, "registry login"),
    ("registry logout r.example.com", WRITE, "registry logout"),
    ("registry", READ, "registry alone prints help"),
    ("repo add bitnami https://charts.bitnami.com/bitnami", LOCAL, "repo add"),
    ("repo add r https://x --username u --password p", WRITE, "repo add password"),
    ("repo add r https://x --username=u --password-stdin", WRITE, "repo add stdin"),
    ("repo add r https://x --force-update", LOCAL, "repo add force update"),
    ("repo remove bitnami", LOCAL, "repo remove"),
    ("repo rm bitnami", LOCAL, "alias repo rm"),
    ("repo update", LOCAL, "repo update"),
    ("repo up", LOCAL, "alias repo up"),
    ("repo list", READ, "repo list"),
    ("repo ls", READ, "alias repo ls"),
    ("repo index ./charts", LOCAL, "repo index"),
    ("repo", READ, "repo alone prints help"),
    ("repo frob", UNKNOWN, "unknown repo subcommand"),
    ("dependency update ./chart", LOCAL, "dependency update"),
    ("dependency build ./chart", LOCAL, "dependency build"),
    ("dependency list ./chart", READ, "dependency list"),
    ("dep up ./chart", LOCAL, "alias dep up"),
    ("dependencies ls ./chart", READ, "alias dependencies ls"),
    ("create mychart", LOCAL, "create"),
    ("package ./chart --sign --key k", LOCAL, "package"),
    ("lint ./chart --strict", READ, "lint"),
    ("verify chart.tgz", READ, "verify"),
    ("template myrel ./chart", PREVIEW, "template"),
    ("template ./chart --dry-run=server", PREVIEW, "template server dry-run"),
    ("template ./chart --validate", PREVIEW, "template validate"),
    ("env", READ, "env"),
    ("version --short", READ, "version"),
    ("completion bash", READ, "completion bash"),
    ("completion powershell --no-descriptions", READ, "completion powershell"),
    ("docs --dir /tmp/docs", LOCAL, "hidden docs command"),
    # Plugins management.
    ("plugin install https://github.com/databus23/helm-diff", WRITE, "plugin install"),
    ("plugin add ./plugin", WRITE, "alias plugin add"),
    ("plugin uninstall diff", WRITE, "plugin uninstall"),
    ("plugin rm diff", WRITE, "alias plugin rm"),
    ("plugin remove diff", WRITE, "alias plugin remove"),
    ("plugin update diff", WRITE, "plugin update"),
    ("plugin up diff", WRITE, "alias plugin up"),
    ("plugin list", READ, "plugin list"),
    ("plugin ls", READ, "alias plugin ls"),
    ("plugin package ./plugin", LOCAL, "plugin package"),
    ("plugin verify ./plugin.tgz", READ, "plugin verify"),
    # Dry runs.
    ("install myrel ./chart --dry-run", PREVIEW, "bare dry-run"),
    ("install myrel ./chart --dry-run=client", PREVIEW, "client dry-run"),
    ("install myrel ./chart --dry-run=server", PREVIEW, "server dry-run"),
    ("install myrel ./chart --dry-run=true", PREVIEW, "true dry-run"),
    ("install myrel ./chart --dry-run=none", WRITE, "none dry-run"),
    ("install myrel ./chart --dry-run=false", WRITE, "false dry-run"),
    ("install myrel ./chart --dry-run=", WRITE, "empty dry-run"),
    ("install myrel ./chart --dry-run=bogus", WRITE, "invalid dry-run"),
    ("install myrel ./chart --dry-run server", WRITE, "spaced dry-run value"),
    ("install myrel ./chart --dry-run=none --dry-run", PREVIEW, "last bare wins"),
    ("install myrel ./chart --dry-run --dry-run=none", WRITE, "last none wins"),
    ("install myrel ./chart -- --dry-run", WRITE, "dry-run after --"),
    ("install myrel ./chart --set --dry-run", WRITE, "dry-run as set value"),
    ("install myrel ./chart --newflag --dry-run", WRITE, "dry-run after unknown"),
    ("upgrade myrel ./chart --dry-run=client", PREVIEW, "upgrade client dry-run"),
    ("rollback myrel --dry-run", PREVIEW, "rollback bare dry-run"),
    ("rollback myrel --dry-run=server", PREVIEW, "rollback server dry-run"),
    ("rollback myrel --dry-run=none", WRITE, "rollback none dry-run"),
    ("uninstall myrel --dry-run", PREVIEW, "uninstall bare dry-run"),
    ("uninstall myrel --dry-run=true", PREVIEW, "uninstall true dry-run"),
    ("uninstall myrel --dry-run=false", WRITE, "uninstall false dry-run"),
    ("uninstall myrel --dry-run=server", WRITE, "uninstall rejects server"),
    ("test myrel --dry-run", WRITE, "test has no dry-run"),
    # Global flags before the command.
    ("-n prod uninstall myrel", WRITE, "namespace shorthand spaced"),
    ("-nprod uninstall myrel", WRITE, "namespace shorthand glued"),
    ("-n=prod list", READ, "namespace shorthand equals"),
    ("--namespace=prod list", READ, "namespace long equals"),
    ("--namespace install list", READ, "namespace value is install"),
    ("-n upgrade status myrel", READ, "namespace value is upgrade"),
    ("--namespace install myrel ./chart", UNKNOWN, "release name as command"),
    ("--kube-context prod upgrade myrel ./chart", WRITE, "kube context"),
    ("--kubeconfig /tmp/kc get values myrel", SECRET, "kubeconfig"),
    ("--kube-token t --kube-apiserver https://k:6443 list", READ, "token apiserver"),
    ("--kube-as-user admin uninstall myrel", WRITE, "impersonation"),
    ("--kube-as-group system:masters list", READ, "impersonation on read"),
    ("--kube-insecure-skip-tls-verify list", READ, "bool global"),
    ("--debug list", READ, "debug is bool"),
    ("--debug upgrade myrel ./chart", WRITE, "debug before upgrade"),
    ("--burst-limit 200 --qps 50 list", READ, "burst limit and qps"),
    ("--registry-config r.json pull oci://r/c", LOCAL, "registry config"),
    ("--content-cache /tmp/c list", READ, "helm 4 content cache"),
    ("--color never uninstall myrel", WRITE, "helm 4 color"),
    ("--colour=always list", READ, "helm 4 colour"),
    ("-v 5 install myrel ./chart", WRITE, "klog v shorthand"),
    ("--v=5 install myrel ./chart", WRITE, "klog v long"),
    ("--vmodule x=2 --logtostderr delete myrel", WRITE, "klog value and bool"),
    ("--log-file /tmp/l --one-output rollback myrel", WRITE, "klog file"),
    ("--alsologtostderrthreshold 1 list", READ, "klog v2.140 flag"),
    ("-n", READ, "value flag last without value"),
    ("list -n", READ, "list namespace without value"),
    ("install myrel ./chart -f", WRITE, "values flag without value"),
    ("-n prod -n dev uninstall myrel", WRITE, "repeated namespace"),
    ("--unknownflag install myrel ./chart", WRITE, "unknown flag before install"),
    ("-x list", READ, "unknown short flag before list"),
    # Plugins and typos.
    ("instal myrel ./chart", UNKNOWN, "typo"),
    ("mapkubeapis myrel", UNKNOWN, "mapkubeapis plugin"),
    ("2to3 convert myrel", UNKNOWN, "2to3 plugin"),
    ("unittest ./chart", UNKNOWN, "unittest plugin"),
    ("mapkubeapis -h", UNKNOWN, "plugin receives help"),
    ("diff upgrade myrel ./chart", PREVIEW, "diff upgrade"),
    ("diff rollback myrel 2", PREVIEW, "diff rollback"),
    ("diff local ./a ./b", PREVIEW, "diff local"),
    ("diff myrel ./chart", PREVIEW, "deprecated bare diff"),
    ("diff revision myrel 1 2", READ, "diff revision"),
    ("diff release a b", READ, "diff release"),
    ("diff version", READ, "diff version"),
    ("diff upgrade myrel ./chart --show-secrets", SECRET, "diff show secrets"),
    ("diff revision myrel 1 2 --show-secrets-decoded", SECRET, "diff decoded"),
    ("diff upgrade myrel ./chart --show-secrets=false", PREVIEW, "diff secrets off"),
    ("-n prod diff -f v.yaml upgrade myrel ./chart", PREVIEW, "diff after flags"),
    ("secrets decrypt secrets.yaml", SECRET, "secrets decrypt"),
    ("secrets decrypt -i secrets.yaml", SECRET, "secrets decrypt inline"),
    ("secrets view secrets.yaml", SECRET, "secrets view"),
    ("secrets dec secrets.yaml", SECRET, "secrets dec"),
    ("secrets edit secrets.yaml", SECRET, "secrets edit"),
    ("secrets encrypt secrets.yaml", UNKNOWN, "secrets encrypt"),
    ("secrets enc secrets.yaml", UNKNOWN, "secrets enc"),
    ("secrets clean ./dir", UNKNOWN, "secrets clean"),
    ("secrets --help", READ, "secrets help"),
    ("secrets", READ, "secrets alone prints help"),
    ("secrets -v", READ, "secrets version"),
    ("secrets upgrade myrel ./chart -f s.yaml", WRITE, "secrets upgrade"),
    ("secrets install myrel ./chart -f s.yaml", WRITE, "secrets install"),
    ("secrets rollback myrel", WRITE, "secrets rollback"),
    ("secrets uninstall myrel", WRITE, "secrets uninstall"),
    ("secrets template myrel ./chart", PREVIEW, "secrets template"),
    ("secrets upgrade myrel ./chart --dry-run", PREVIEW, "secrets dry-run"),
    ("secrets -b vals upgrade myrel ./chart", WRITE, "secrets backend option"),
    ("secrets --backend=sops install myrel ./chart", WRITE, "secrets backend equals"),
    (
        "secrets --evaluate-templates true upgrade myrel ./c",
        WRITE,
        "secrets bool option",
    ),
    ("secrets -q decrypt s.yaml", SECRET, "secrets quiet decrypt"),
    ("secrets get values myrel", UNKNOWN, "secrets wraps get"),
    ("secrets secrets decrypt s.yaml", UNKNOWN, "secrets inside secrets"),
    ("-n prod secrets upgrade myrel ./chart", WRITE, "secrets after global"),
]


@pytest.mark.parametrize(
    ("line", "expected"),
    [(line, expected) for line, expected, _ in CASES],
    ids=[why for _, _, why in CASES],
)
def test_class(line, expected):
    assert helm.classify(shlex.split(line), {}).klass == expected


def test_case_ids_unique():
    whys = [why for _, _, why in CASES]
    assert len(whys) == len(set(whys))


def test_case_table_size():
    assert len(CASES) >= 100


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("", ()),
        ("del myrel", ("uninstall",)),
        ("ls", ("list",)),
        ("inspect values c", ("show", "values")),
        ("repo rm r", ("repo", "remove")),
        ("plugin add u", ("plugin", "install")),
        ("dep up .", ("dependency", "update")),
        ("-n upgrade status myrel", ("status",)),
        ("instal x", ("instal",)),
        ("get valuez x", ("get", "valuez")),
        ("diff upgrade x c", ("diff", "upgrade")),
        ("secrets upgrade x c", ("secrets", "upgrade")),
    ],
)
def test_command_words(line, command):
    assert helm.classify(shlex.split(line), {}).command == command


def test_argv_kept_as_given():
    argv = ["-n", "prod", "del", "myrel"]
    assert helm.classify(argv, {}).argv == argv


def test_tool_name():
    assert helm.classify(["list"], {}).tool == "helm"


RULE_SHAPE = re.compile(r"^helm(\.[A-Za-z0-9_-]+)+$")


def test_command_rules_unique():
    rules = ["helm." + ".".join(key) for key in helm.COMMANDS]
    assert len(rules) == len(set(rules))


@pytest.mark.parametrize("line", [line for line, _, _ in CASES])
def test_rule_shape(line):
    assert RULE_SHAPE.match(helm.classify(shlex.split(line), {}).rule)


@pytest.mark.parametrize("line", [line for line, _, _ in CASES])
def test_reason_is_sentence(line):
    reason = helm.classify(shlex.split(line), {}).reason
    assert reason and "\n" not in reason


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("install x c", "helm.install"),
        ("install x c --dry-run", "helm.install.dry-run"),
        ("install x c --dry-run=none", "helm.install.dry-run-none"),
        ("install x c --dry-run server", "helm.install.dry-run-spaced"),
        ("install x c --dry-run=maybe", "helm.install.dry-run-invalid"),
        ("status x -o json", "helm.status.output"),
        ("status x --debug", "helm.status.debug"),
        ("repo add r u --password p", "helm.repo.add.credentials"),
        ("install x c -h", "helm.help-flag"),
        ("get nope", "helm.get.unknown-subcommand"),
        ("nope", "helm.unknown-command"),
        ("secrets upgrade x c --dry-run", "helm.secrets.upgrade.dry-run"),
        ("diff upgrade x c --show-secrets", "helm.diff.upgrade.show-secrets"),
    ],
)
def test_rule_ids(line, rule):
    assert helm.classify(shlex.split(line), {}).rule == rule


def test_every_command_class_valid():
    for command in helm.COMMANDS.values():
        assert command.klass in CLASSES


def test_hint_kube_context():
    verdict = helm.classify(["--kube-context=prod", "list"], {})
    assert verdict.hints["kube_context"] == "prod"


def test_hint_namespace_last_wins():
    verdict = helm.classify(["-n", "a", "list", "--namespace", "b"], {})
    assert verdict.hints["namespace"] == "b"


def test_hint_namespace_glued():
    assert helm.classify(["-nweb", "list"], {}).hints["namespace"] == "web"


def test_hint_kubeconfig():
    verdict = helm.classify(["--kubeconfig", "/tmp/kc", "list"], {})
    assert verdict.hints["kubeconfig"] == "/tmp/kc"


def test_hint_kube_apiserver():
    verdict = helm.classify(["list", "--kube-apiserver=https://k:6443"], {})
    assert verdict.hints["kube_apiserver"] == "https://k:6443"


def test_hint_impersonate():
    argv = shlex.split("--kube-as-user bob --kube-as-group a --kube-as-group b ls")
    assert helm.classify(argv, {}).hints["impersonate"] == {
        "user": "bob",
        "groups": ["a", "b"],
    }


def test_impersonation_keeps_class():
    plain = helm.classify(["uninstall", "x"], {})
    impersonated = helm.classify(["--kube-as-user", "admin", "uninstall", "x"], {})
    assert impersonated.klass == plain.klass


def test_hint_dry_run_effective():
    verdict = helm.classify(shlex.split("install x c --dry-run=true"), {})
    assert verdict.hints["dry_run"] == "client"


def test_hint_dry_run_none():
    verdict = helm.classify(shlex.split("upgrade x c --dry-run=false"), {})
    assert verdict.hints["dry_run"] == "none"


def test_hint_release_upgrade():
    verdict = helm.classify(shlex.split("-n upgrade upgrade myrel ./c"), {})
    assert verdict.hints["release"] == "myrel"


def test_hint_release_install():
    verdict = helm.classify(shlex.split("install myrel ./c -f v.yaml"), {})
    assert verdict.hints["release"] == "myrel"


def test_no_release_generate_name():
    verdict = helm.classify(shlex.split("install -g ./c"), {})
    assert "release" not in verdict.hints


def test_no_hints_without_flags():
    assert helm.classify(["list"], {}).hints == {}


def test_hints_ignore_environment():
    verdict = helm.classify(["list"], {"HELM_NAMESPACE": "prod"})
    assert "namespace" not in verdict.hints


def test_helm_debug_environment():
    verdict = helm.classify(["status", "x"], {"HELM_DEBUG": "true"})
    assert verdict.klass == SECRET


def test_debug_flag_overrides_environment():
    verdict = helm.classify(["status", "x", "--debug=false"], {"HELM_DEBUG": "1"})
    assert verdict.klass == READ


def test_plugin_receives_glued_namespace():
    verdict = helm.classify(shlex.split("-nprod secrets decrypt s.yaml"), {})
    assert verdict.klass == UNKNOWN


def test_plugin_arguments_drop_globals():
    argv = ["-n", "prod", "secrets", "--kube-context=x", "upgrade", "r", "c"]
    assert helm._plugin_arguments(argv, "secrets") == ["upgrade", "r", "c"]


def test_many_arguments_fast():
    argv = ["install", "x", "c"] + ["--set", "a=b"] * 50_000
    assert helm.classify(argv, {}).klass == WRITE


def test_many_unknown_flags():
    argv = [f"--flag{i}" for i in range(100_000)] + ["list"]
    assert helm.classify(argv, {}).klass in CLASSES


def test_many_secrets_words():
    assert helm.classify(["secrets"] * 100_000, {}).klass == UNKNOWN


def test_large_argument():
    argv = ["install", "x", "c", "--set", "a=" + "x" * (1 << 20)]
    assert helm.classify(argv, {}).klass == WRITE


@pytest.mark.parametrize(
    "argv",
    [[""], ["-"], ["="], ["-="], ["--="], ["\udcff"], ["--\udcff", "list"], ["", ""]],
)
def test_odd_argv_no_error(argv):
    assert helm.classify(argv, {}).klass in CLASSES


GLOBAL_FLAG_FORMS = st.sampled_from(
    [
        ["-n", "prod"],
        ["-nprod"],
        ["-n=prod"],
        ["--namespace", "install"],
        ["--namespace=upgrade"],
        ["--kube-context", "prod"],
        ["--kube-context=list"],
        ["--kubeconfig", "/tmp/kc"],
        ["--kube-as-user", "admin"],
        ["--kube-as-group", "g"],
        ["--kube-apiserver", "https://k"],
        ["--kube-token", "t"],
        ["--kube-insecure-skip-tls-verify"],
        ["--burst-limit", "5"],
        ["--qps", "2.5"],
        ["--registry-config", "r.json"],
        ["--repository-config", "repos.yaml"],
        ["--repository-cache", "/tmp/cache"],
        ["--content-cache", "/tmp/content"],
        ["--color", "never"],
        ["-v", "5"],
        ["--v=9"],
        ["--vmodule", "x=1"],
        ["--logtostderr"],
    ]
)
# Plugins are left out: Helm strips only some spellings of the global flags from
# a plugin's arguments, so `helm -nprod secrets decrypt f` passes `-nprod` on.
PLUGIN_WORDS = ("diff", "secrets", "instal", "mapkubeapis", "2to3", "unittest")
BASE_COMMANDS = st.sampled_from(
    [line for line, _, _ in CASES if line and not line.startswith(PLUGIN_WORDS)]
)
WORDS = st.lists(
    st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            [
                "--",
                "-h",
                "--help",
                "-n",
                "--dry-run",
                "--dry-run=none",
                "install",
                "get",
                "values",
                "secrets",
                "diff",
                "-",
                "=",
                "--set",
                "-o",
                "json",
            ]
        ),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(WORDS)
def test_never_raises(argv):
    assert helm.classify(argv, {}).klass in CLASSES


@settings(max_examples=300, deadline=None)
@given(BASE_COMMANDS, st.lists(GLOBAL_FLAG_FORMS, max_size=4))
def test_global_flags_keep_class(line, flag_lists):
    argv = shlex.split(line)
    prefix = [word for flags in flag_lists for word in flags]
    expected = helm.classify(argv, {}).klass
    assert helm.classify(prefix + argv, {}).klass == expected


def test_danger_order_known():
    assert all(klass in DANGER for klass in CLASSES)
