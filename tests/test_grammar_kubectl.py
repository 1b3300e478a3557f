"""Tests of the kubectl grammar, written from kubectl's documentation and source."""

import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardshim.classes import CLASSES, LOCAL, PREVIEW, READ, SECRET, UNKNOWN, WRITE
from guardshim.grammar import kubectl

CASES = [
    # Help and empty argv.
    ("", READ, "empty argv prints help"),
    ("--help", READ, "root help"),
    ("-h", READ, "root short help"),
    ("help delete", READ, "help command"),
    ("delete pod web -h", READ, "help after write"),
    ("apply -f a.yaml --help", READ, "long help after write"),
    ("exec -ih web", READ, "help inside bool cluster"),
    ("delete pod web --help=false", WRITE, "help switched off"),
    ("delete pod web -n -h", WRITE, "-h is the namespace value"),
    ("delete pod web --grace-period -h", WRITE, "-h is a flag value"),
    ("exec web -- sh -h", WRITE, "help after -- is remote"),
    ("-- get pods", READ, "-- before command prints help"),
    ("-n prod", READ, "flags only print help"),
    ("__complete get secrets", READ, "shell completion"),
    ("__completeNoDesc delete", READ, "shell completion without descriptions"),
    # Read commands.
    ("version", READ, "version"),
    ("options", READ, "options"),
    ("completion zsh", READ, "completion script"),
    ("explain deploy.spec", READ, "explain"),
    ("api-resources --namespaced", READ, "api-resources"),
    ("api-versions", READ, "api-versions"),
    ("cluster-info", READ, "cluster-info"),
    ("cluster-info dump", READ, "cluster-info dump to stdout"),
    ("cluster-info dump --output-directory=/tmp/d", LOCAL, "dump into a folder"),
    ("logs -f web -c app", READ, "logs"),
    ("events --for pod/web", READ, "events"),
    ("wait --for=delete pod/web", READ, "wait"),
    ("describe secret db", READ, "describe secret"),
    ("top pod", READ, "top pod"),
    ("top po", READ, "top po alias"),
    ("top pods", READ, "top pods alias"),
    ("top node", READ, "top node"),
    ("top nodes", READ, "top nodes alias"),
    ("top no", READ, "top no alias"),
    ("top", READ, "top group help"),
    ("auth can-i --list", READ, "auth can-i"),
    ("auth whoami", READ, "auth whoami"),
    ("rollout status deploy/web", READ, "rollout status"),
    ("rollout history deploy/web", READ, "rollout history"),
    ("plugin list", READ, "plugin list"),
    ("plugin", READ, "plugin group help"),
    ("kuberc view", READ, "kuberc view"),
    # get and Secrets.
    ("get pods", READ, "get pods"),
    ("get secrets", READ, "get secrets table"),
    ("get secret db -o wide", READ, "wide table"),
    ("get secrets -o name", READ, "names only"),
    ("get configmap app -o yaml", READ, "configmap yaml"),
    ("get all -o yaml", READ, "all category has no secrets"),
    ("get secret db -o yaml", SECRET, "secret yaml"),
    ("get secret db -oyaml", SECRET, "glued output"),
    ("get secret db -o=json", SECRET, "equals output"),
    ("get secret db --output json", SECRET, "long output"),
    ("get secret db --output=kyaml", SECRET, "kyaml"),
    ("get secret db -o YAML", SECRET, "uppercase format"),
    ("get -o yaml secret db", SECRET, "output before type"),
    ("get secrets/db -o yaml", SECRET, "plural type/name"),
    ("get secret/db -o json", SECRET, "singular type/name"),
    ("get secrets.v1 -o yaml", SECRET, "resource.version"),
    ("get secrets.v1. -o yaml", SECRET, "resource.version.group"),
    ("get Secrets -o yaml", SECRET, "capitalised type"),
    ("get pods,secrets -o json", SECRET, "mixed list"),
    ("get all,secrets -o json", SECRET, "all plus secrets"),
    ("get pod/web secret/db -o yaml", SECRET, "several type/name"),
    ("get secret db -o jsonpath={.data.password}", SECRET, "jsonpath"),
    ("get secret db -o jsonpath-file=q.txt", SECRET, "jsonpath-file"),
    ("get secret db -o jsonpath-as-json={.data}", SECRET, "jsonpath-as-json"),
    ("get secret db -o go-template={{.data}}", SECRET, "go-template"),
    ("get secret db -o go-template-file=t.tmpl", SECRET, "go-template-file"),
    ("get secret db -o template={{.data}}", SECRET, "template"),
    ("get secret db -o templatefile=t.tmpl", SECRET, "templatefile"),
    ("get secret db -o custom-columns=D:.data", SECRET, "custom-columns"),
    ("get secret db -o custom-columns-file=c.txt", SECRET, "custom-columns-file"),
    ("get secret db --template={{.data}}", SECRET, "template flag alone"),
    ("get secret db -o yaml -o name", READ, "last output wins"),
    ("get secret db -o name -o yaml", SECRET, "last output yaml wins"),
    ("get secret db -o yaml --help", READ, "help beats secret"),
    ("get -o yaml -- secrets", SECRET, "type after --"),
    ("get --insecure-skip-tls-verify secrets -o yaml", SECRET, "bool global before type"),
    ("get --no-such-flag secrets -o yaml", SECRET, "unknown flag before type"),
    ("get -f objects.yaml -o yaml", SECRET, "file objects may be secrets"),
    ("get --raw /api/v1/namespaces/x/secrets", SECRET, "raw secrets list"),
    ("get --raw=/api/v1/secrets", SECRET, "raw cluster secrets"),
    ("get --raw /api/v1/namespaces/x/%73ecrets/db", SECRET, "percent-encoded path"),
    ("get --raw /api/v1/namespaces/x/secrets?watch=1", SECRET, "raw path with query"),
    ("get --raw /healthz", READ, "raw health"),
    ("get --raw=/api/v1/namespaces/x/pods", READ, "raw pods"),
    # apply view-last-applied and annotate --list.
    ("apply view-last-applied secret/db", SECRET, "last-applied of secret"),
    ("apply view-last-applied secrets db -o json", SECRET, "last-applied secrets json"),
    ("apply view-last-applied deploy/web", READ, "last-applied of deployment"),
    ("apply view-last-applied -f s.yaml", SECRET, "last-applied from file"),
    ("annotate deploy web --list", READ, "annotate list"),
    ("annotate secret db --list", SECRET, "annotate list of secret"),
    ("label secret db --list", READ, "labels hold no data"),
    ("label pod web --list=false a=b", WRITE, "list switched off"),
    # config.
    ("config", READ, "config group help"),
    ("config view", READ, "config view redacted"),
    ("config view --minify", READ, "minify stays redacted"),
    ("config view --raw", SECRET, "raw kubeconfig"),
    ("config view --flatten", SECRET, "flatten kubeconfig"),
    ("config view --raw=false", READ, "raw switched off"),
    ("config current-context", READ, "current-context"),
    ("config get-contexts", READ, "get-contexts"),
    ("config get-clusters", READ, "get-clusters"),
    ("config get-users", READ, "get-users"),
    ("config use-context prod", LOCAL, "use-context"),
    ("config use prod", LOCAL, "use alias"),
    ("config set-context --current --namespace=x", LOCAL, "set-context"),
    ("config set-cluster c --server=https://k", LOCAL, "set-cluster"),
    ("config rename-context a b", LOCAL, "rename-context"),
    ("config delete-context a", LOCAL, "delete-context"),
    ("config delete-cluster a", LOCAL, "delete-cluster"),
    ("config set-credentials u --token=t", WRITE, "set-credentials"),
    ("config delete-user u", WRITE, "delete-user"),
    ("config set users.u.token t", WRITE, "config set"),
    ("config unset users.u", WRITE, "config unset"),
    ("config nope", UNKNOWN, "unknown config subcommand"),
    ("kuberc set --section defaults --command get", LOCAL, "kuberc set"),
    # Preview.
    ("diff -f a.yaml", PREVIEW, "diff"),
    ("kustomize overlays/prod", PREVIEW, "kustomize"),
    # Writes.
    ("apply -f a.yaml", WRITE, "apply"),
    ("apply -k overlays/prod --server-side", WRITE, "apply server-side"),
    ("apply set-last-applied -f a.yaml", WRITE, "set-last-applied"),
    ("apply edit-last-applied deploy/web", WRITE, "edit-last-applied"),
    ("apply stray", WRITE, "apply with a stray word"),
    ("create -f a.yaml", WRITE, "create from file"),
    ("create", WRITE, "bare create"),
    ("create clusterrole r --verb=get --resource=pods", WRITE, "create clusterrole"),
    ("create clusterrolebinding b --clusterrole=r", WRITE, "create clusterrolebinding"),
    ("create configmap c --from-literal=a=b", WRITE, "create configmap"),
    ("create cm c", WRITE, "create cm alias"),
    ("create cronjob c --image=i --schedule=x", WRITE, "create cronjob"),
    ("create deployment d --image=i", WRITE, "create deployment"),
    ("create deploy d --image=i -- sleep 1", WRITE, "create deploy alias"),
    ("create ingress i --rule=a/b=s:80", WRITE, "create ingress"),
    ("create ing i --rule=a/b=s:80", WRITE, "create ing alias"),
    ("create job j --image=i", WRITE, "create job"),
    ("create namespace n", WRITE, "create namespace"),
    ("create poddisruptionbudget p --min-available=1", WRITE, "create pdb"),
    ("create priorityclass p --value=1", WRITE, "create priorityclass"),
    ("create pc p --value=1", WRITE, "create pc alias"),
    ("create quota q", WRITE, "create quota"),
    ("create resourcequota q", WRITE, "create resourcequota alias"),
    ("create role r --verb=get --resource=pods", WRITE, "create role"),
    ("create rolebinding b --role=r", WRITE, "create rolebinding"),
    ("create secret generic s --from-literal=a=b", WRITE, "create secret generic"),
    ("create secret docker-registry s --docker-server=r", WRITE, "create docker secret"),
    ("create secret tls s --cert=c --key=k", WRITE, "create tls secret"),
    ("create secret", READ, "create secret group help"),
    ("create secret nope s", UNKNOWN, "unknown secret type"),
    ("create service clusterip s --tcp=80", WRITE, "create service clusterip"),
    ("create svc nodeport s --tcp=80", WRITE, "create svc alias"),
    ("create service loadbalancer s --tcp=80", WRITE, "create loadbalancer"),
    ("create service externalname s --external-name=x", WRITE, "create externalname"),
    ("create serviceaccount sa", WRITE, "create serviceaccount"),
    ("create token bot", WRITE, "create token"),
    ("create token bot --dry-run=client", WRITE, "token has no dry-run"),
    ("create secret generic s --save-config", WRITE, "create bool after subcommand"),
    # `secret` does not inherit create's local --save-config, so cobra's lookup
    # takes `generic` as its value and finds no subcommand.
    ("create secret --save-config generic s", UNKNOWN, "parent flag hides subcommand"),
    ("create -n x secret generic s", WRITE, "create namespace before subcommand"),
    ("expose deploy web --port=80", WRITE, "expose"),
    ("run tmp --image=busybox", WRITE, "run"),
    ("set env deploy/web A=b", WRITE, "set env"),
    ("set env deploy/web --list", READ, "set env list"),
    ("set env deploy/web --list --resolve", SECRET, "set env list resolve"),
    ("set image deploy/web app=nginx", WRITE, "set image"),
    ("set resources deploy/web --limits=cpu=1", WRITE, "set resources"),
    ("set selector svc/web app=web", WRITE, "set selector"),
    ("set serviceaccount deploy/web bot", WRITE, "set serviceaccount"),
    ("set sa deploy/web bot", WRITE, "set sa alias"),
    ("set subject rolebinding/b --user=u", WRITE, "set subject"),
    ("edit deploy/web", WRITE, "edit"),
    ("delete pod web", WRITE, "delete"),
    ("delete pod web -- --dry-run=client", WRITE, "dry-run after -- is a name"),
    ("delete ns -n x --all", WRITE, "delete every namespace"),
    ("delete pods --all -A", WRITE, "delete in every namespace"),
    ("rollout pause deploy/web", WRITE, "rollout pause"),
    ("rollout resume deploy/web", WRITE, "rollout resume"),
    ("rollout restart deploy/web", WRITE, "rollout restart"),
    ("rollout undo deploy/web", WRITE, "rollout undo"),
    ("scale deploy/web --replicas=0", WRITE, "scale"),
    ("autoscale deploy/web --max=3", WRITE, "autoscale"),
    ("certificate approve csr-1", WRITE, "certificate approve"),
    ("certificate deny csr-1", WRITE, "certificate deny"),
    ("certificate", READ, "certificate group help"),
    ("cordon n1", WRITE, "cordon"),
    ("uncordon n1", WRITE, "uncordon"),
    ("drain n1", WRITE, "drain"),
    ("taint nodes n1 k=v:NoSchedule", WRITE, "taint"),
    ("attach web -i", WRITE, "attach"),
    ("exec web -- ls", WRITE, "exec"),
    ("exec web -- kubectl get pods", WRITE, "remote kubectl"),
    ("port-forward svc/db 5432", WRITE, "port-forward"),
    ("proxy --port=8001", WRITE, "proxy"),
    ("cp a web:/tmp/a", WRITE, "cp"),
    ("auth reconcile -f rbac.yaml", WRITE, "auth reconcile"),
    ("debug web -it --image=busybox", WRITE, "debug"),
    ("debug web --profile=general --image=busybox", WRITE, "debug profile"),
    ("label pod web a=b", WRITE, "label"),
    ("annotate pod web a=b", WRITE, "annotate"),
    ("patch deploy web -p {}", WRITE, "patch"),
    ("replace -f a.yaml", WRITE, "replace"),
    # Dry runs.
    ("apply -f a.yaml --dry-run", PREVIEW, "bare dry-run"),
    ("apply -f a.yaml --dry-run=client", PREVIEW, "client dry-run"),
    ("apply -f a.yaml --dry-run=server", PREVIEW, "server dry-run"),
    ("apply -f a.yaml --dry-run=true", PREVIEW, "true dry-run"),
    ("apply -f a.yaml --dry-run=1", PREVIEW, "Go boolean dry-run"),
    ("apply -f a.yaml --dry-run=false", WRITE, "false dry-run"),
    ("apply -f a.yaml --dry-run=none", WRITE, "none dry-run"),
    ("apply -f a.yaml --dry-run=", WRITE, "empty dry-run"),
    ("apply -f a.yaml --dry-run=maybe", WRITE, "invalid dry-run"),
    ("apply -f a.yaml --dry-run server", WRITE, "spaced dry-run"),
    ("apply --dry-run=client --dry-run=none -f a", WRITE, "last dry-run none"),
    ("apply --dry-run=none --dry-run=client -f a", PREVIEW, "last dry-run client"),
    ("apply -f a --no-such-flag --dry-run=client", WRITE, "dry-run maybe a value"),
    ("delete pod web --dry-run=server", PREVIEW, "delete dry-run"),
    ("create secret generic s --dry-run=client -o yaml", PREVIEW, "render secret locally"),
    ("create ns x --dry-run=client", PREVIEW, "create ns dry-run"),
    ("run tmp --image=i --dry-run=server", PREVIEW, "run dry-run"),
    ("drain n1 --dry-run=client", PREVIEW, "drain dry-run"),
    ("cordon n1 --dry-run=client", PREVIEW, "cordon dry-run"),
    ("taint nodes n1 k=v:NoSchedule --dry-run=client", PREVIEW, "taint dry-run"),
    ("rollout undo deploy/web --dry-run=server", PREVIEW, "undo dry-run"),
    ("rollout restart deploy/web --dry-run=client", WRITE, "restart has no dry-run"),
    ("edit deploy/web --dry-run=client", WRITE, "edit has no dry-run"),
    ("auth reconcile -f r.yaml --dry-run=client", PREVIEW, "reconcile dry-run"),
    ("set env deploy/web A=b --dry-run=client", PREVIEW, "set env dry-run"),
    ("patch secret db -p {} --dry-run=server -o yaml", SECRET, "dry-run prints secret"),
    ("label secret db a=b --dry-run=client -o json", SECRET, "label dry-run prints secret"),
    ("patch deploy web -p {} --dry-run=server -o yaml", PREVIEW, "dry-run prints deployment"),
    # Global flags before the command.
    ("-n apply get pods", READ, "namespace value apply"),
    ("--namespace=delete get pods", READ, "namespace equals delete"),
    ("-ndelete get pods", READ, "glued namespace"),
    ("-n=delete get pods", READ, "namespace shorthand equals"),
    ("--context prod delete pod x", WRITE, "context before delete"),
    ("-s https://k --token t get pods", READ, "server and token"),
    ("--as admin --as-group g get pods", READ, "impersonation read"),
    ("--as=admin delete pod x", WRITE, "impersonation write"),
    ("-v 9 get pods", READ, "klog verbosity value"),
    ("--v 9 delete pod x", WRITE, "long verbosity value"),
    ("--profile cpu get pods", READ, "pprof profile value"),
    ("--kuberc /dev/null get pods", READ, "kuberc value"),
    ("--insecure-skip-tls-verify delete pod x", WRITE, "bool global"),
    ("--warnings-as-errors get pods", READ, "bool warnings flag"),
    ("--request-timeout 5s get pods", READ, "request timeout"),
    ("-n prod -n dev delete pod x", WRITE, "repeated namespace"),
    ("--kubeconfig", READ, "value flag without value"),
    ("get -n", READ, "trailing value flag"),
    # Plugins and unknown words.
    ("krew install ctx", UNKNOWN, "krew plugin"),
    ("foo-bar baz", UNKNOWN, "dashed plugin"),
    ("-n prod myplugin", UNKNOWN, "flags before plugin"),
    ("create foo", UNKNOWN, "create plugin"),
    ("alpha", UNKNOWN, "alpha"),
    ("alpha kuberc view", UNKNOWN, "alpha subcommand"),
    ("rollout nope deploy/web", UNKNOWN, "unknown rollout subcommand"),
    ("set nope", UNKNOWN, "unknown set subcommand"),
    ("auth nope", UNKNOWN, "unknown auth subcommand"),
    ("Get pods", UNKNOWN, "commands are case-sensitive"),
]


@pytest.mark.parametrize(
    ("line", "expected"),
    [(line, klass) for line, klass, _ in CASES],
    ids=[why for _, _, why in CASES],
)
def test_class_of_command_line(line, expected):
    verdict = kubectl.classify(shlex.split(line), {})
    assert verdict.klass == expected


def test_case_ids_are_unique():
    whys = [why for _, _, why in CASES]
    assert len(whys) == len(set(whys))


def classify(line, env=None):
    return kubectl.classify(shlex.split(line), env or {})


# command


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("", ()),
        ("-n prod", ()),
        ("get pods", ("get",)),
        ("-n apply get pods", ("get",)),
        ("create ns x", ("create", "namespace")),
        ("create svc clusterip s", ("create", "service", "clusterip")),
        ("create secret generic s", ("create", "secret", "generic")),
        ("config use prod", ("config", "use-context")),
        ("top po", ("top", "pod")),
        ("set sa deploy/web bot", ("set", "serviceaccount")),
        ("krew install x", ("krew",)),
        ("create foo", ("create", "foo")),
        ("help get", ("help",)),
        ("exec web -- get pods", ("exec",)),
    ],
)
def test_command_words(line, command):
    assert classify(line).command == command


# rule


def test_rules_unique_per_command():
    rules = [entry[2] for entry in kubectl.COMMANDS.values()]
    assert len(rules) == len(set(rules))


@pytest.mark.parametrize(("path", "entry"), sorted(kubectl.COMMANDS.items()))
def test_rule_matches_path(path, entry):
    assert entry[2] == "kubectl." + ".".join(path)


@pytest.mark.parametrize(("path", "entry"), sorted(kubectl.COMMANDS.items()))
def test_command_class_known(path, entry):
    assert entry[0] in CLASSES


@pytest.mark.parametrize(("line", "_klass", "why"), CASES, ids=[c[2] for c in CASES])
def test_rule_shape(line, _klass, why):
    rule = classify(line).rule
    assert rule.startswith("kubectl.")
    assert " " not in rule


@pytest.mark.parametrize(("line", "_klass", "why"), CASES, ids=[c[2] for c in CASES])
def test_reason_is_one_line(line, _klass, why):
    reason = classify(line).reason
    assert reason
    assert "\n" not in reason


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("get secret x -o yaml", "kubectl.get.secret-output"),
        ("get --raw /api/v1/secrets", "kubectl.get.raw-secrets"),
        ("apply -f a --dry-run=client", "kubectl.apply.dry-run"),
        ("delete pod x --help", "kubectl.delete.help"),
        ("config view --raw", "kubectl.config.view.raw"),
        ("delete ns --all", "kubectl.delete.every-namespace"),
        ("delete pods --all -A", "kubectl.delete.all-namespaces"),
        ("set env d/x --list --resolve", "kubectl.set.env.list-resolve"),
        ("krew install x", "kubectl.plugin"),
    ],
)
def test_rule_of_refined_command(line, rule):
    assert classify(line).rule == rule


def test_every_namespace_reason():
    assert "every namespace" in classify("delete ns -n x --all").reason


# hints


def test_hint_namespace_and_context():
    hints = classify("--context=prod -n web delete pod x").hints
    assert hints["context"] == "prod"
    assert hints["namespace"] == "web"


def test_hint_last_namespace_wins():
    assert classify("-n prod -n dev get pods").hints["namespace"] == "dev"


def test_hint_connection_flags():
    hints = classify("--kubeconfig k --cluster c --user u -s https://k get pods").hints
    assert hints["kubeconfig"] == "k"
    assert hints["cluster"] == "c"
    assert hints["user"] == "u"
    assert hints["server"] == "https://k"


def test_hint_impersonation():
    hints = classify("--as admin --as-group g1 --as-group g2 delete pod x").hints
    assert hints["impersonate"] == "admin"
    assert hints["impersonate_groups"] == ["g1", "g2"]


def test_impersonation_keeps_class():
    assert classify("--as=admin get pods").klass == READ


def test_hint_dry_run_effective_value():
    assert classify("apply -f a --dry-run").hints["dry_run"] == "client"


def test_hint_dry_run_false_is_none():
    assert classify("apply -f a --dry-run=false").hints["dry_run"] == "none"


def test_hint_all_namespaces():
    assert classify("get pods -A").hints["all_namespaces"] is True


def test_hints_empty_without_flags():
    assert classify("get pods").hints == {}


def test_every_namespace_drops_namespace_hint():
    hints = classify("delete ns -n x --all").hints
    assert "namespace" not in hints
    assert hints["scope"] == "all-namespaces"


def test_all_namespaces_write_scope():
    hints = classify("-n x delete pods --all -A").hints
    assert "namespace" not in hints
    assert hints["scope"] == "all-namespaces"


def test_namespace_delete_is_cluster_scope():
    hints = classify("delete ns prod -n dev").hints
    assert "namespace" not in hints
    assert hints["scope"] == "cluster"


def test_config_flags_are_not_targets():
    hints = classify("config set-context x --namespace=prod --cluster=c").hints
    assert hints == {}


# environment


def test_kuberc_disabled_makes_plugin():
    verdict = classify("kuberc set --section defaults", {"KUBECTL_KUBERC": "false"})
    assert verdict.klass == UNKNOWN


def test_kuberc_enabled_by_default():
    assert classify("kuberc set --section defaults").klass == LOCAL


# robustness


@pytest.mark.parametrize(
    "argv",
    [
        [""],
        ["-"],
        ["="],
        ["--"],
        ["-n"],
        ["--dry-run"],
        ["get", ""],
        ["get", "-o"],
        ["get", "--raw"],
        ["get", "\udcff", "-o\udcfe"],
        ["\udcff"],
        ["delete", "-" + "q" * (1 << 20)],
        ["get", "secret", "-o" + "y" * (1 << 20)],
        ["exec", "-" + "i" * (1 << 20) + "h"],
        ["get", "--raw", "%" * (1 << 20)],
    ],
)
def test_odd_argv_does_not_raise(argv):
    assert kubectl.classify(argv, {}).klass in CLASSES


def test_many_arguments():
    argv = ["get"] + ["secrets"] * 100_000 + ["-o", "yaml"]
    assert kubectl.classify(argv, {}).klass == SECRET


def test_long_bool_cluster_then_value():
    argv = ["exec", "-" + "i" * (1 << 20) + "ch"]
    assert kubectl.classify(argv, {}).klass == WRITE


GLOBAL_FLAG_FORMS = [
    ["-n", "prod"],
    ["-nprod"],
    ["-n=prod"],
    ["--namespace", "apply"],
    ["--namespace=delete"],
    ["--context", "get"],
    ["--context=prod"],
    ["--kubeconfig", "/tmp/k"],
    ["--cluster", "c"],
    ["--user", "u"],
    ["-s", "https://k"],
    ["--server=https://k"],
    ["--token", "t"],
    ["--as", "admin"],
    ["--as-group", "g"],
    ["--as-uid", "1"],
    ["--request-timeout", "5s"],
    ["--cache-dir", "/tmp/c"],
    ["-v", "9"],
    ["--v=2"],
    ["--vmodule", "x=2"],
    ["--profile", "cpu"],
    ["--profile-output", "p.out"],
    ["--kuberc", "/dev/null"],
    ["--insecure-skip-tls-verify"],
    ["--warnings-as-errors"],
    ["--match-server-version"],
    ["--disable-compression"],
]

COMMAND_LINES = [shlex.split(line) for line, _, _ in CASES if line and not line.startswith("-")]

words = st.one_of(
    st.text(alphabet=st.sampled_from(list("-=abcdefhinos/.,0\udcff")), max_size=12),
    st.sampled_from(["get", "delete", "secret", "--dry-run", "-o", "yaml", "--", "-h"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(words, max_size=12))
def test_random_argv_does_not_raise(argv):
    assert kubectl.classify(argv, {}).klass in CLASSES


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(COMMAND_LINES),
    st.lists(st.sampled_from(GLOBAL_FLAG_FORMS), max_size=4),
)
def test_global_flags_keep_class(argv, flag_groups):
    prefix = [word for group in flag_groups for word in group]
    expected = kubectl.classify(argv, {}).klass
    assert kubectl.classify(prefix + argv, {}).klass == expected
