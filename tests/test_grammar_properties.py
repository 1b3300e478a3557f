"""Properties that hold for all three grammars, and the argv that tripped other guards.

The per-grammar test files check that random argv never raises and that global
flags keep the class of their own table cases. This file adds what those leave
out: random environments next to random argv, global flags before random argv,
unknown flags added to a write, and repeated arguments.
"""

import shlex

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from guardshim.classes import CLASSES, DANGER, LOCAL, PREVIEW, READ, SECRET, WRITE
from guardshim.classify import TOOLS, classify
from tests import test_grammar_helm, test_grammar_kubectl, test_grammar_terraform

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TABLES = {
    "terraform": test_grammar_terraform.CASES,
    "helm": test_grammar_helm.CASES,
    "kubectl": test_grammar_kubectl.CASES,
}

# Words of the three grammars' table cases, plus words none of them defines.
VOCABULARY = [
    *(word for line, _, _ in TABLES["kubectl"] for word in shlex.split(line)),
    *(word for line, _, _ in TABLES["helm"] for word in shlex.split(line)),
    *(word for line, _, _ in TABLES["terraform"] for word in shlex.split(line)),
    "--",
    "-",
    "",
    "=",
    "-h",
    "--help=false",
    "\udcff",
    "-n\udcfe",
]
WORDS = st.one_of(st.sampled_from(sorted(set(VOCABULARY))), st.text(max_size=10))
ARGV = st.lists(WORDS, max_size=10)
ENVIRONMENT = st.dictionaries(
    st.sampled_from(
        [
            "TF_CLI_ARGS",
            "TF_CLI_ARGS_apply",
            "TF_CLI_ARGS_plan",
            "TF_WORKSPACE",
            "HELM_NAMESPACE",
            "HELM_KUBECONTEXT",
            "HELM_DEBUG",
            "KUBECTL_KUBERC",
            "KUBECONFIG",
        ]
    ),
    st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=12)),
    max_size=3,
)

GLOBAL_FLAGS = {
    "terraform": [["-chdir=envs/prod"], ["-chdir=apply"], ["-chdir="]],
    "helm": [
        ["-n", "install"],
        ["-ndefault"],
        ["--namespace=delete"],
        ["--kube-context", "upgrade"],
        ["--kubeconfig", "/tmp/kc"],
        ["--burst-limit", "5"],
    ],
    "kubectl": [
        ["-n", "delete"],
        ["-ndefault"],
        ["--namespace=apply"],
        ["--context", "get"],
        ["--kubeconfig", "/tmp/k"],
        ["-v", "9"],
        ["--insecure-skip-tls-verify"],
    ],
}

# Flags that none of the three tools defines, in the forms a parser meets.
UNKNOWN_FLAGS = {
    "terraform": [["-zz-unknown"], ["-zz-unknown=1"], ["--zz-unknown"]],
    "helm": [["--zz-unknown"], ["--zz-unknown=1"], ["--zz-unknown", "1"]],
    "kubectl": [["--zz-unknown"], ["--zz-unknown=1"], ["--zz-unknown", "1"]],
}


def class_of(tool, argv, env=None):
    return classify(tool, argv, env or {}).klass


def command_end(tool, argv):
    """Return the length of the shortest prefix of `argv` that names its full command."""
    command = classify(tool, argv, {}).command
    for length in range(len(argv) + 1):
        if classify(tool, argv[:length], {}).command == command:
            return length
    return len(argv)


def table_lines(tool, klass=None):
    """Return the argv of `tool`'s table cases, of class `klass` when given."""
    return [
        shlex.split(line)
        for line, expected, _ in TABLES[tool]
        if klass is None or expected == klass
    ]


@PROPERTY_SETTINGS
@given(tool=st.sampled_from(TOOLS), argv=ARGV, env=ENVIRONMENT)
def test_any_argv_any_environment(tool, argv, env):
    assert class_of(tool, argv, env) in CLASSES


def _is_helm_plugin(argv):
    return bool(argv) and argv[0].startswith(test_grammar_helm.PLUGIN_WORDS)


@st.composite
def argv_with_global_flags(draw):
    tool = draw(st.sampled_from(TOOLS))
    lines = table_lines(tool)
    if tool == "helm":
        # Helm hands some spellings of its global flags on to a plugin, which
        # then reads them as its own arguments: the class may change there.
        lines = [argv for argv in lines if not _is_helm_plugin(argv)]
    argv = draw(st.sampled_from(lines))
    groups = draw(st.lists(st.sampled_from(GLOBAL_FLAGS[tool]), max_size=3))
    return tool, argv, [word for group in groups for word in group]


@PROPERTY_SETTINGS
@given(argv_with_global_flags())
def test_global_flags_keep_class(case):
    tool, argv, prefix = case

    assert class_of(tool, prefix + argv) == class_of(tool, argv)


@st.composite
def write_with_unknown_flag(draw):
    tool = draw(st.sampled_from(TOOLS))
    argv = draw(st.sampled_from(table_lines(tool, WRITE)))
    flag = draw(st.sampled_from(UNKNOWN_FLAGS[tool]))
    # Before the command words an unknown flag really changes the command.
    # terraform resolves nested words only up to the first flag, so `state -x
    # push` is the `state` group, which prints help. cobra takes the word after
    # an unknown `--flag` as its value, so `kubectl --x apply -f a` names no
    # command. Only the `--flag=value` form of helm and kubectl goes there.
    before_allowed = tool != "terraform" and "=" in flag[0]
    first = 0 if before_allowed else command_end(tool, argv)
    # Never between a flag and its value: `--description -h` would become
    # `--description --zz-unknown -h`, a real request for help.
    # Nor directly before a flag of unknown arity: see test_unknown_flag_pair_hides_help.
    positions = [
        index
        for index in range(first, len(argv) + 1)
        if (index == 0 or not _may_take_value(argv[index - 1]))
        and (index == len(argv) or not _may_take_value(argv[index]))
    ]
    assume(positions)
    position = draw(st.sampled_from(positions))
    return tool, argv[:position] + flag + argv[position:]


@PROPERTY_SETTINGS
@given(write_with_unknown_flag())
def test_unknown_flag_never_lowers_write(case):
    tool, argv = case

    assert class_of(tool, argv) not in (READ, LOCAL)


def _may_take_value(word):
    """Return True when `word` is a flag that may take the next word as its value."""
    return word.startswith("-") and "=" not in word


def _is_standalone(argv, index):
    """Return True when argv[index] is a word that repeating cannot re-pair.

    A positional word, or a flag that carries its value after `=`, means the
    same when given twice. A flag followed by its value, or any word that may
    be the value of the flag before it, is left out. Doubling such a word turns
    the value into a flag (`-n -n -h` really is a request for help), or settles
    that it was no value (`--unknown --dry-run=client --dry-run=client`).
    """
    word = argv[index]
    previous = argv[index - 1] if index else ""
    if _may_take_value(previous):
        return False
    if word.startswith("-"):
        return "=" in word and word.startswith("--")
    return True


@st.composite
def argv_with_repeated_word(draw):
    tool = draw(st.sampled_from(TOOLS))
    argv = draw(st.sampled_from(table_lines(tool)))
    # A repeated command word becomes an argument (`get get secrets` requests
    # resource type "get"), so only the words after the command are repeated.
    positions = [
        index
        for index in range(command_end(tool, argv), len(argv))
        if _is_standalone(argv, index)
    ]
    if not positions:
        return tool, argv, argv
    index = draw(st.sampled_from(positions))
    return tool, argv, argv[: index + 1] + argv[index:]


@PROPERTY_SETTINGS
@given(argv_with_repeated_word())
def test_repeated_argument_never_lowers(case):
    tool, argv, repeated = case

    assert DANGER[class_of(tool, repeated)] >= DANGER[class_of(tool, argv)]


# Cases that tripped other command-line guards.

TRIPPED_CASES = [
    ("kubectl", "-n delete get pods", READ, "namespace named delete"),
    ("kubectl", "-n get delete pod x", WRITE, "namespace named get"),
    ("kubectl", "--namespace apply get secret x -o yaml", SECRET, "namespace apply"),
    ("helm", "-n install list", READ, "helm namespace named install"),
    ("helm", "--namespace list uninstall r", WRITE, "helm namespace named list"),
    ("kubectl", "-ndefault delete pod x", WRITE, "glued default namespace"),
    ("kubectl", "-ndefault get pods", READ, "glued namespace read"),
    ("helm", "-ndefault install r ./c", WRITE, "helm glued namespace"),
    ("kubectl", "delete pod x --context", WRITE, "context last on delete"),
    ("kubectl", "get pods --context", READ, "context last on get"),
    ("kubectl", "--context", READ, "context alone"),
    ("helm", "install r ./c --kube-context", WRITE, "kube-context last"),
    ("terraform", "apply -chdir", WRITE, "chdir last"),
    ("kubectl", "apply -f a.yaml --dry-run=none", WRITE, "kubectl dry-run none"),
    ("kubectl", "delete pod x --dry-run=none", WRITE, "delete dry-run none"),
    ("helm", "upgrade r ./c --dry-run=none", WRITE, "helm upgrade dry-run none"),
    ("kubectl", "get secret x -o name -o yaml", SECRET, "last output yaml"),
    ("kubectl", "get secret x -o yaml -o name", READ, "last output name"),
    ("kubectl", "get secret x -ojson -o=name", READ, "glued then equals output"),
    ("kubectl", "get secret x --output=name -oyaml", SECRET, "long then glued output"),
    ("kubectl", "delete ns -n x --all", WRITE, "delete every namespace"),
]


@pytest.mark.parametrize(
    ("tool", "line", "expected"),
    [pytest.param(tool, line, klass, id=why) for tool, line, klass, why in TRIPPED_CASES],
)
def test_tripped_case_class(tool, line, expected):
    assert class_of(tool, shlex.split(line)) == expected


def test_every_namespace_delete_scope():
    verdict = classify("kubectl", ["delete", "ns", "-n", "x", "--all"], {})

    assert verdict.hints.get("scope") == "all-namespaces"
    assert "namespace" not in verdict.hints
    assert "every namespace" in verdict.reason


def test_glued_default_namespace_hint():
    verdict = classify("kubectl", ["-ndefault", "delete", "pod", "x"], {})

    assert verdict.hints["namespace"] == "default"


def test_verb_namespace_hint_kept():
    verdict = classify("helm", ["-n", "install", "list"], {})

    assert verdict.hints["namespace"] == "install"


def test_dry_run_none_no_preview():
    verdict = classify("helm", ["install", "r", "./c", "--dry-run=none"], {})

    assert verdict.klass != PREVIEW


@pytest.mark.parametrize(
    ("tool", "line"),
    [
        ("kubectl", "delete pod x --new-a --new-b -h"),
        ("kubectl", "delete pod x --new-a --new-b --new-c -h"),
        ("kubectl", "apply -f a.yaml --new-a --new-b --dry-run=server"),
        ("helm", "install r ./c --new-a --new-b -h"),
        ("helm", "install r ./c --new-a --new-b --dry-run"),
    ],
)
def test_unknown_flag_pair_hides_help(tool, line):
    # If a newer release defines --new-a as a boolean and --new-b as taking a
    # value, -h or --dry-run is the value of --new-b and the write runs.
    assert class_of(tool, shlex.split(line)) == WRITE
