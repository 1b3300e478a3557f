"""Tests of the terraform and OpenTofu grammar: command words, flags, TF_CLI_ARGS."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardshim.classes import CLASSES, LOCAL, PREVIEW, READ, SECRET, UNKNOWN, WRITE
from guardshim.grammar import terraform
from guardshim.grammar.terraform import classify, scan_go_flags, split_shell_words

# (argv as a shell line, expected class, why). Written from the terraform CLI
# documentation, hashicorp/terraform main.go and hashicorp/cli processArgs.
CASES = [
    # Help and version.
    ("", READ, "empty argv prints help"),
    ("-h", READ, "short help alone"),
    ("-help", READ, "one-dash help alone"),
    ("--help", READ, "two-dash help alone"),
    ("-help destroy", READ, "help before the command"),
    ("destroy -auto-approve -h", READ, "help after write flags"),
    ("state rm -help aws_instance.a", READ, "help inside a nested command"),
    ("apply -var -h", READ, "a whole -h word is help even as a flag value"),
    ("apply -var=x=-h", WRITE, "value that only contains -h"),
    ("apply -- -help", WRITE, "help after -- is not help"),
    ("plan --h", PREVIEW, "--h is not a help word of hashicorp/cli"),
    ("apply -help=true", WRITE, "-help=true is not a help word"),
    ("version", READ, "version command"),
    ("version -json", READ, "version as json"),
    ("-v", READ, "short version shortcut"),
    ("-version", READ, "one-dash version shortcut"),
    ("--version", READ, "two-dash version shortcut"),
    ("-- -v", READ, "version word after -- still prints the version"),
    ("apply -auto-approve -v", WRITE, "version word keeps the command class"),
    ("-v destroy", WRITE, "version before the command keeps its class"),
    ("output -version db_password", SECRET, "version word keeps output secret"),
    ("apply -v -help", READ, "help wins over the version shortcut"),
    # Autocomplete pair.
    ("-install-autocomplete", LOCAL, "installs autocompletion"),
    ("--uninstall-autocomplete", LOCAL, "two-dash uninstall form"),
    ("-help -install-autocomplete", READ, "help without a command wins"),
    ("validate -install-autocomplete", LOCAL, "autocomplete raises a read command"),
    ("apply -install-autocomplete", WRITE, "autocomplete never lowers apply"),
    # -chdir.
    ("-chdir=envs/prod apply -auto-approve", WRITE, "chdir then apply"),
    ("-chdir=envs/prod plan -out=tfplan", PREVIEW, "chdir then plan"),
    ("-chdir=envs/prod state pull", SECRET, "chdir then state pull"),
    ("-chdir=envs/prod workspace list", READ, "chdir then workspace list"),
    ("-chdir=envs/prod -help", READ, "chdir then help"),
    ("-chdir=a -chdir=b destroy", WRITE, "repeated chdir"),
    ("-chdir envs/prod apply", WRITE, "spaced chdir errors, judged as apply"),
    ("-chdir apply plan", WRITE, "spaced chdir read both ways"),
    ("-chdir= plan", PREVIEW, "empty chdir errors, judged as plan"),
    ("-chdir", READ, "bare chdir alone"),
    ("--chdir=envs apply", WRITE, "two-dash chdir is an invalid top flag"),
    ("apply -chdir=envs", WRITE, "chdir after the command is a command flag"),
    # Top-level words.
    ("-auto-approve apply", WRITE, "invalid top flag keeps apply class"),
    ("frobnicate", UNKNOWN, "unknown command"),
    ("frobnicate -help", READ, "help for an unknown command runs nothing"),
    ("'state list'", UNKNOWN, "first word with a space"),
    ("-help 'state list'", READ, "help before a word with a space"),
    ("'' apply", WRITE, "empty word before the command is skipped"),
    ("applyx apply", WRITE, "hashicorp/cli unanchored match resolves apply"),
    ("destroyed destroy", WRITE, "unanchored match resolves destroy"),
    ("applyx", UNKNOWN, "prefix of a command name"),
    ("plan-apply", UNKNOWN, "command name inside a word"),
    ("-- apply", READ, "-- before the command leaves no command"),
    ("- plan", PREVIEW, "lone dash before the command is a top flag"),
    # init.
    ("init", LOCAL, "init downloads providers"),
    ("init -upgrade", LOCAL, "init upgrade"),
    ("init -backend=false", LOCAL, "init without backend"),
    ("init -reconfigure", LOCAL, "init reconfigure"),
    ("init -lockfile=readonly", LOCAL, "init with read-only lock file"),
    ("init -migrate-state", WRITE, "init migrates state"),
    ("init -force-copy", WRITE, "init copies state unasked"),
    ("init --migrate-state=true", WRITE, "two-dash migrate with value"),
    ("init -migrate-state=false", LOCAL, "migrate turned off"),
    ("init -backend-config -migrate-state", LOCAL, "migrate word is a value"),
    ("init -backend-config=x.hcl -migrate-state", WRITE, "migrate after a value flag"),
    # validate, fmt, get, graph, modules, metadata, providers.
    ("validate", READ, "validate reads configuration"),
    ("validate -json", READ, "validate as json"),
    ("fmt", LOCAL, "fmt rewrites files"),
    ("fmt -recursive", LOCAL, "fmt recursive"),
    ("fmt -diff", LOCAL, "fmt diff still writes"),
    ("fmt -check", READ, "fmt check writes nothing"),
    ("fmt -check -diff -recursive", READ, "fmt check with diff"),
    ("fmt -write=false", READ, "fmt write false"),
    ("fmt --write=0", READ, "Go boolean 0"),
    ("fmt -write false", LOCAL, "boolean takes no spaced value"),
    ("fmt -check=false", LOCAL, "check turned off"),
    ("fmt -check -check=false", LOCAL, "last occurrence wins"),
    ("fmt -", READ, "fmt of standard input"),
    ("fmt -bogus -check", LOCAL, "unknown flag blocks lowering"),
    ("fmt -no-color -check", READ, "no-color is stripped"),
    ("get", LOCAL, "get downloads modules"),
    ("get -update", LOCAL, "get update"),
    ("graph", READ, "graph"),
    ("graph -type=plan", READ, "graph of a plan"),
    ("modules -json", READ, "modules"),
    ("metadata", READ, "metadata group help"),
    ("metadata functions -json", READ, "function signatures"),
    ("metadata bogus", UNKNOWN, "unknown metadata subcommand"),
    ("providers", READ, "providers tree"),
    ("providers schema -json", READ, "provider schemas"),
    ("providers lock -platform=linux_amd64", LOCAL, "providers lock"),
    ("providers mirror ./mirror", LOCAL, "providers mirror"),
    # plan, apply, destroy, refresh.
    ("plan", PREVIEW, "plan"),
    ("plan -out tfplan", PREVIEW, "spaced out value"),
    ("plan --out=tfplan", PREVIEW, "two-dash out"),
    ("plan -destroy", PREVIEW, "destroy plan"),
    ("plan -refresh-only", PREVIEW, "refresh-only plan"),
    ("plan -generate-config-out=gen.tf", PREVIEW, "plan writing config"),
    ("plan -detailed-exitcode -json", PREVIEW, "plan json"),
    ("plan -show-sensitive", SECRET, "OpenTofu plan shows sensitive values"),
    ("plan -out -show-sensitive", PREVIEW, "show-sensitive word is the out value"),
    ("apply", WRITE, "apply"),
    ("apply tfplan", WRITE, "apply a saved plan"),
    ("apply -auto-approve", WRITE, "apply unasked"),
    ("apply -auto-approve=false", WRITE, "apply with confirmation"),
    ("apply -auto-approve false", WRITE, "false is a plan file path"),
    ("apply -refresh-only", WRITE, "refresh-only apply"),
    ("apply -lock=false", WRITE, "apply without locking"),
    ("apply -invoke=action.x.y", WRITE, "apply invoking an action"),
    ("destroy", WRITE, "destroy"),
    ("destroy -target=aws_s3_bucket.logs", WRITE, "targeted destroy"),
    ("refresh", WRITE, "refresh persists state"),
    # State-editing commands.
    ("import aws_instance.web i-0abc", WRITE, "import"),
    ("taint aws_instance.web", WRITE, "taint"),
    ("untaint aws_instance.web", WRITE, "untaint"),
    ("force-unlock -force 1a2b", WRITE, "force-unlock"),
    ("test", WRITE, "test applies by default"),
    ("test -filter=tests/a.tftest.hcl -verbose", WRITE, "filtered test"),
    ("test cleanup", WRITE, "experimental cleanup or test"),
    # output, show, console.
    ("output", READ, "all outputs redacted"),
    ("output -no-color", READ, "no-color is not a name"),
    ("output db_password", SECRET, "named output"),
    ("output -json", SECRET, "outputs as json"),
    ("output -raw db_password", SECRET, "raw named output"),
    ("output -raw", SECRET, "raw without a name still counts"),
    ("output --json=true", SECRET, "two-dash json with value"),
    ("output -json=false", READ, "json turned off"),
    ("output -state=x.tfstate", READ, "state file value"),
    ("output -state x.tfstate", READ, "spaced state value"),
    ("output -state", READ, "state flag without value"),
    ("output -json-into=out.json", SECRET, "OpenTofu json-into"),
    ("output -- db_password", SECRET, "name after --"),
    ("show", READ, "show redacts"),
    ("show tfplan", READ, "show a plan file"),
    ("show -json", SECRET, "show json"),
    ("show -json tfplan", SECRET, "show a plan as json"),
    ("show -no-color -json", SECRET, "no-color stripped before json"),
    ("console", SECRET, "console can unwrap secrets"),
    # state.
    ("state", READ, "state group help"),
    ("state -bogus", READ, "flag after the state group"),
    ("state posh", UNKNOWN, "unregistered state subcommand"),
    ("state rmx aws_instance.a", UNKNOWN, "typo of state rm"),
    ("state list", READ, "state list"),
    ("state list -state=prod.tfstate module.db", READ, "state list of a file"),
    ("state ls", READ, "OpenTofu alias of state list"),
    ("state identities -json", READ, "state identities"),
    ("state show aws_instance.a", READ, "state show"),
    ("state pull", SECRET, "raw state"),
    ("state push terraform.tfstate", WRITE, "state push"),
    ("state push -force terraform.tfstate", WRITE, "forced state push"),
    ("state rm aws_instance.a", WRITE, "state rm"),
    ("state rm -dry-run aws_instance.a", PREVIEW, "state rm dry run"),
    ("state rm --dry-run=true aws_instance.a", PREVIEW, "dry run with value"),
    ("state rm -dry-run=false aws_instance.a", WRITE, "dry run turned off"),
    ("state rm -dry-run -dry-run=false a", WRITE, "last dry run wins"),
    ("state rm aws_instance.a -dry-run", WRITE, "dry run after a positional"),
    ("state rm -- -dry-run", WRITE, "dry run after --"),
    ("state rm -state -dry-run a", WRITE, "dry run word is the state value"),
    ("state rm -state -no-color -dry-run a", WRITE, "no-color stripped first"),
    ("state rm -lock-timeout=5s -dry-run a", PREVIEW, "dry run after a known flag"),
    ("state rm -bogus -dry-run a", WRITE, "unknown flag blocks dry run"),
    ("state rm -dry-run=yes a", WRITE, "invalid boolean blocks dry run"),
    ("state remove aws_instance.a", WRITE, "OpenTofu alias of state rm"),
    ("state remove -dry-run a", PREVIEW, "alias dry run"),
    ("state mv a b", WRITE, "state mv"),
    ("state mv -dry-run a b", PREVIEW, "state mv dry run"),
    ("state move a b", WRITE, "OpenTofu alias of state mv"),
    ("state replace-provider -auto-approve a b", WRITE, "replace provider"),
    ("state migrate", UNKNOWN, "experimental state migrate"),
    # workspace and env.
    ("workspace", READ, "workspace group help"),
    ("workspace list", READ, "workspace list"),
    ("workspace show", READ, "workspace show"),
    ("workspace select prod", LOCAL, "workspace select"),
    ("workspace select -or-create prod", WRITE, "select or create"),
    ("workspace select -or-create=false prod", LOCAL, "or-create turned off"),
    ("workspace select prod -or-create", LOCAL, "or-create after the name"),
    ("workspace new staging", WRITE, "workspace new"),
    ("workspace delete -force staging", WRITE, "workspace delete"),
    ("workspace posh", UNKNOWN, "unregistered workspace subcommand"),
    ("env", READ, "env group help"),
    ("env list", READ, "env list"),
    ("env show", READ, "env show prints help"),
    ("env select prod", LOCAL, "env select"),
    ("env select -or-create prod", WRITE, "env select or create"),
    ("env new staging", WRITE, "env new"),
    ("env delete staging", WRITE, "env delete"),
    # Credentials, query and unknown commands.
    ("login", WRITE, "login stores a token"),
    ("login app.terraform.io", WRITE, "login to a host"),
    ("logout", WRITE, "logout removes a token"),
    ("query", READ, "query runs list blocks"),
    ("query -json", READ, "query as json"),
    ("query -generate-config-out=gen.tf", LOCAL, "query writing config"),
    ("query -generate-config-out gen.tf", LOCAL, "spaced generate-config-out"),
    ("push", UNKNOWN, "removed push"),
    ("rpcapi", UNKNOWN, "rpcapi plumbing"),
    ("stacks", UNKNOWN, "stacks plugin"),
    ("cloud", UNKNOWN, "experimental cloud"),
    ("internal-plugin", UNKNOWN, "hidden internal-plugin"),
]

# (argv, env, expected class, why) for TF_CLI_ARGS and TF_CLI_ARGS_<sub>.
INJECTION_CASES = [
    ("output", {"TF_CLI_ARGS_output": "-json"}, SECRET, "injected json"),
    ("output", {"TF_CLI_ARGS": "db_password"}, SECRET, "injected output name"),
    ("apply", {"TF_CLI_ARGS_apply": "-auto-approve"}, WRITE, "injected auto-approve"),
    ("apply", {"TF_CLI_ARGS": "-help"}, READ, "injected help"),
    ("destroy", {"TF_CLI_ARGS_destroy": "-h"}, READ, "injected short help"),
    ("plan", {"TF_CLI_ARGS_plan": "-destroy"}, PREVIEW, "injected destroy plan"),
    ("apply", {"TF_CLI_ARGS": "-v"}, WRITE, "injected version word"),
    ("state rm a", {"TF_CLI_ARGS_state_rm": "-dry-run"}, PREVIEW, "injected dry run"),
    (
        "state rm a",
        {"TF_CLI_ARGS_state_rm": "; -dry-run"},
        WRITE,
        "semicolon ends split",
    ),
    ("state rm a", {"TF_CLI_ARGS_state_rm": "'-dry-run"}, WRITE, "unclosed quote"),
    ("state rm a", {"TF_CLI_ARGS_state": "-dry-run"}, WRITE, "variable of another sub"),
    ("force-unlock 1", {"TF_CLI_ARGS_force_unlock": "-force"}, WRITE, "dash becomes _"),
    (
        "state ls",
        {"TF_CLI_ARGS_state": "rm a"},
        WRITE,
        "terraform reads state ls as state",
    ),
    ("state", {"TF_CLI_ARGS": "pull"}, SECRET, "injected word completes state pull"),
    ("", {"TF_CLI_ARGS": "apply -auto-approve"}, WRITE, "injection into empty argv"),
    ("", {"TF_CLI_ARGS_": "destroy"}, WRITE, "suffix of an empty subcommand"),
    ("fmt", {"TF_CLI_ARGS_fmt": "-check"}, READ, "injected fmt check"),
    ("fmt", {"TF_CLI_ARGS_fmt": "-check -bogus"}, LOCAL, "injected unknown flag"),
    ("init", {"TF_CLI_ARGS_init": "-migrate-state"}, WRITE, "injected migrate"),
    (
        "workspace select prod",
        {"TF_CLI_ARGS_workspace_select": "-or-create"},
        WRITE,
        "sub",
    ),
    ("plan", {"TF_CLI_ARGS_plan": ""}, PREVIEW, "empty variable ignored"),
    ("validate", {"TF_CLI_ARGS_plan": "-help"}, READ, "unrelated variable ignored"),
]


REPOSITORY = Path(__file__).resolve().parent.parent


def _argv(line):
    return shlex.split(line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [pytest.param(line, expected, id=why) for line, expected, why in CASES],
)
def test_class_of_command_line(line, expected):
    assert classify(_argv(line), {}).klass == expected


@pytest.mark.parametrize(
    ("line", "env", "expected"),
    [
        pytest.param(line, env, expected, id=why)
        for line, env, expected, why in INJECTION_CASES
    ],
)
def test_class_with_injected_args(line, env, expected):
    assert classify(_argv(line), env).klass == expected


def test_case_ids_unique():
    whys = [why for _, _, why in CASES] + [why for _, _, _, why in INJECTION_CASES]
    assert len(whys) == len(set(whys))


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("", ()),
        ("-v", ("version",)),
        ("state rm a", ("state", "rm")),
        ("-chdir=x workspace select prod", ("workspace", "select")),
        ("applyx apply", ("apply",)),
        ("frobnicate now", ("frobnicate",)),
        ("state posh", ("state", "posh")),
        ("'state list'", ("state list",)),
        ("apply -help", ("apply",)),
        ("env select prod", ("env", "select")),
    ],
)
def test_command_words(line, command):
    assert classify(_argv(line), {}).command == command


def test_verdict_keeps_tool_and_argv():
    argv = ["-chdir=x", "plan"]
    verdict = classify(argv, {})
    assert verdict.tool == "terraform"
    assert verdict.argv == argv


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("apply", "terraform.apply"),
        ("state rm a", "terraform.state.rm"),
        ("state rm -dry-run a", "terraform.state.rm.dry-run"),
        ("output x", "terraform.output.name"),
        ("output -json", "terraform.output.json"),
        ("show -json", "terraform.show.json"),
        ("init -migrate-state", "terraform.init.migrate-state"),
        ("fmt -check", "terraform.fmt.check"),
        ("-help", "terraform.help"),
        ("frobnicate", "terraform.unknown"),
        ("state posh", "terraform.state.unknown-subcommand"),
        ("-install-autocomplete", "terraform.autocomplete"),
        ("force-unlock 1", "terraform.force-unlock"),
    ],
)
def test_rule_of_command_line(line, rule):
    assert classify(_argv(line), {}).rule == rule


def _all_rules():
    rules = [rule for _, rule, _ in terraform.COMMANDS.values()]
    for effects in terraform.FLAG_EFFECTS.values():
        rules.extend(rule for _, _, _, rule, _ in effects)
    rules.extend(rule for _, _, rule, _ in terraform.POSITIONAL_EFFECTS.values())
    return rules


def test_rule_ids_unique():
    rules = _all_rules()
    assert len(rules) == len(set(rules))


@pytest.mark.parametrize("rule", _all_rules())
def test_rule_id_shape(rule):
    assert re.fullmatch(r"terraform(\.[a-z][a-z-]*)+", rule)


@pytest.mark.parametrize("key", sorted(terraform.COMMANDS))
def test_table_rule_matches_key(key):
    klass, rule, reason = terraform.COMMANDS[key]
    assert rule == "terraform." + key.replace(" ", ".")


@pytest.mark.parametrize("key", sorted(terraform.COMMANDS))
def test_table_class_and_reason(key):
    klass, _, reason = terraform.COMMANDS[key]
    assert klass in CLASSES
    assert reason and not reason.endswith(".")


def test_hint_chdir():
    assert classify(["-chdir=envs/prod", "plan"], {}).hints == {"chdir": "envs/prod"}


def test_hint_chdir_last_wins():
    hints = classify(["-chdir=a", "-chdir=b", "plan"], {}).hints
    assert hints["chdir"] == "b"


def test_no_hints_without_chdir():
    assert classify(["plan"], {}).hints == {}


def test_no_chdir_hint_for_spaced_form():
    assert "chdir" not in classify(["-chdir", "x", "plan"], {}).hints


def test_hint_injected_words():
    env = {"TF_CLI_ARGS": "-lock=false", "TF_CLI_ARGS_apply": "-var 'a=b c'"}
    hints = classify(["apply"], env).hints
    assert hints["injected"] == ["-lock=false", "-var", "a=b c"]


def test_hint_injected_from():
    env = {"TF_CLI_ARGS": "-lock=false", "TF_CLI_ARGS_apply": "-auto-approve"}
    hints = classify(["apply"], env).hints
    assert hints["injected_from"] == ["TF_CLI_ARGS", "TF_CLI_ARGS_apply"]


def test_hints_keep_chdir_with_injection():
    hints = classify(["-chdir=x", "apply"], {"TF_CLI_ARGS": "-auto-approve"}).hints
    assert hints["chdir"] == "x"


def test_no_injection_hints_for_unset_variables():
    hints = classify(["apply"], {"TF_CLI_ARGS_plan": "-destroy"}).hints
    assert "injected" not in hints


def test_injection_inserted_after_subcommand():
    # Injected words go right after the subcommand, so the user's later
    # -dry-run=false overrides the injected -dry-run.
    env = {"TF_CLI_ARGS": "-dry-run"}
    assert classify(["state", "rm", "-dry-run=false", "a"], env).klass == WRITE


@pytest.mark.parametrize(
    ("line", "words", "ok"),
    [
        ("-a -b", ["-a", "-b"], True),
        ("  -a\t\n-b  ", ["-a", "-b"], True),
        ("-var 'a=b c'", ["-var", "a=b c"], True),
        ('-var "a=\\"q\\""', ["-var", 'a="q"'], True),
        ("a\\ b", ["a b"], True),
        ("''", [""], True),
        ("'a\\b'", ["a\\b"], True),
        ("-a; -b", ["-a"], True),
        ("-a | -b", ["-a"], True),
        ("-a 2>x", ["-a"], True),
        ("-var=f(x)", ["-var=f"], False),
        ("$(x)", ["$(x)"], True),
        ("'open", ["open"], False),
        ("trailing\\", ["trailing"], False),
        ("`a b`", ["`a b`"], True),
    ],
)
def test_split_shell_words(line, words, ok):
    assert split_shell_words(line) == (words, ok)


def test_scan_go_flags_stops_at_positional():
    scan = scan_go_flags(["-a", "x", "-b"], frozenset(), frozenset({"a", "b"}))
    assert scan.positionals == ["x", "-b"]


def test_scan_go_flags_value_takes_dash_word():
    scan = scan_go_flags(["-s", "-b"], frozenset({"s"}), frozenset({"b"}))
    assert scan.flags == [("s", "-b")]


def test_scan_go_flags_unknown_flag_unclean():
    scan = scan_go_flags(["-x"], frozenset(), frozenset())
    assert not scan.clean


def test_scan_go_flags_missing_value_unclean():
    scan = scan_go_flags(["-s"], frozenset({"s"}), frozenset())
    assert not scan.clean


def test_scan_go_flags_bad_syntax_unclean():
    scan = scan_go_flags(["---a"], frozenset(), frozenset({"a"}))
    assert not scan.clean


def test_scan_go_flags_lone_dash_positional():
    scan = scan_go_flags(["-"], frozenset(), frozenset())
    assert scan.positionals == ["-"]


@pytest.mark.parametrize(
    "argv",
    [
        [""],
        ["-"],
        ["="],
        ["--"],
        ["-chdir"],
        ["-chdir="],
        ["state", "rm", "-state"],
        ["output", "-state"],
        ["\udcff\udcfe", "plan"],
        ["plan", "-out=\udcff"],
        ["x" * (1 << 20)],
        ["apply"] * 100_000,
        ["-chdir"] * 1000,
    ],
)
def test_odd_argv_never_raises(argv):
    assert classify(argv, {}).klass in CLASSES


def test_odd_env_never_raises():
    env = {"TF_CLI_ARGS": "'\udcff", "TF_CLI_ARGS_plan": "(", "TF_CLI_ARGS_": "\\"}
    assert classify(["plan"], env).klass in CLASSES


def test_large_argv_is_linear():
    words = ["applyx"] + ["a"] * 100_000 + ["apply"]
    assert classify(words, {"TF_CLI_ARGS": "-auto-approve"}).klass == WRITE


def test_import_pulls_no_heavy_modules():
    code = (
        "import sys; import guardshim.grammar.terraform; "
        "heavy = {'re', 'shlex', 'dataclasses', 'enum', 'pathlib', 'typing', 'json'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            f"import sys; sys.path.insert(0, '.'); {code}",
        ],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"


WORDS = st.sampled_from(
    sorted(terraform.COMMANDS)
    + ["rm", "list", "select", "-help", "-v", "--", "-", "", "=", "-chdir", "-chdir=d"]
    + ["-auto-approve", "-dry-run", "-json", "-check", "-write=false", "-state", "x y"]
    + ["-install-autocomplete", "-no-color", "-or-create", "-migrate-state", "name"]
)
ARGV = st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=8)
ENV = st.dictionaries(
    st.sampled_from(
        ["TF_CLI_ARGS", "TF_CLI_ARGS_plan", "TF_CLI_ARGS_state_rm", "HOME"]
    ),
    st.text(max_size=12),
    max_size=2,
)


@settings(max_examples=400, deadline=None)
@given(argv=ARGV, env=ENV)
def test_classify_never_raises(argv, env):
    verdict = classify(argv, env)
    assert verdict.klass in CLASSES


@settings(max_examples=400, deadline=None)
@given(argv=ARGV, folder=st.text(min_size=1, max_size=10), env=ENV)
def test_leading_chdir_keeps_class(argv, folder, env):
    before = classify(argv, env).klass
    assert classify(["-chdir=" + folder] + argv, env).klass == before
