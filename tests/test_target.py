"""Finding the kube context, namespace and terraform workspace of a command."""

import os

import pytest

from guardshim.classify import classify
from guardshim.target import describe_target, resolve_target

KUBECONFIG_A = """
apiVersion: v1
kind: Config
current-context: dev-anna
contexts:
- name: dev-anna
  context: {cluster: dev, user: anna, namespace: team-a}
- name: prod-eu
  context: {cluster: prod, user: anna, namespace: payments}
- name: staging
  context: {cluster: staging, user: anna}
clusters: []
users: []
"""

KUBECONFIG_B = """
apiVersion: v1
kind: Config
current-context: prod-eu
contexts:
- name: prod-eu
  context: {cluster: other, user: bob, namespace: ignored}
- name: ci
  context: {cluster: ci, user: bot, namespace: builds}
"""

KUBECONFIG_NO_CURRENT = """
apiVersion: v1
kind: Config
contexts:
- name: ci
  context: {cluster: ci, user: bot}
"""


@pytest.fixture
def kubeconfigs(tmp_path):
    paths = {}
    for name, text in (("a", KUBECONFIG_A), ("b", KUBECONFIG_B), ("none", KUBECONFIG_NO_CURRENT)):
        path = tmp_path / f"kubeconfig-{name}"
        path.write_text(text)
        paths[name] = str(path)
    return paths


def target(tool, argv, environ, cwd="/"):
    return resolve_target(classify(tool, argv, environ), environ, cwd)


# argv, KUBECONFIG as names joined by ":", expected context and namespace
KUBECTL_CASES = [
    ("get pods", "a", "dev-anna", "team-a"),
    ("--context prod-eu get pods", "a", "prod-eu", "payments"),
    ("--context=staging get pods", "a", "staging", "default"),
    ("-n web --context prod-eu delete pod x", "a", "prod-eu", "web"),
    ("-nweb get pods", "a", "dev-anna", "web"),
    ("get pods", "b:a", "prod-eu", "ignored"),
    ("get pods", "a:b", "dev-anna", "team-a"),
    ("--context ci get pods", "a:b", "ci", "builds"),
    ("get pods", "none:b", "prod-eu", "ignored"),
    ("get pods -A", "a", "dev-anna", "*"),
    ("delete ns --all", "a", "dev-anna", "*"),
    ("--context nowhere get pods", "a", "nowhere", "default"),
]


@pytest.mark.parametrize(("argv", "files", "context", "namespace"), KUBECTL_CASES)
def test_kubectl_target(kubeconfigs, argv, files, context, namespace):
    listed = os.pathsep.join(kubeconfigs[name] for name in files.split(":"))
    found = target("kubectl", argv.split(), {"KUBECONFIG": listed})
    assert (found.get("context"), found["namespace"]) == (context, namespace)


def test_kubectl_kubeconfig_flag_replaces_list(kubeconfigs):
    argv = ["--kubeconfig", kubeconfigs["b"], "get", "pods"]
    found = target("kubectl", argv, {"KUBECONFIG": kubeconfigs["a"]})
    assert found["context"] == "prod-eu"


def test_kubectl_default_kubeconfig_in_home(tmp_path):
    (tmp_path / ".kube").mkdir()
    (tmp_path / ".kube" / "config").write_text(KUBECONFIG_A)
    found = target("kubectl", ["get", "pods"], {"HOME": str(tmp_path)})
    assert found["context"] == "dev-anna"


def test_kubectl_missing_kubeconfig(tmp_path):
    found = target("kubectl", ["get", "pods"], {"KUBECONFIG": str(tmp_path / "none")})
    assert found == {"namespace": "default"}


def test_kubectl_invalid_kubeconfig_ignored(tmp_path):
    broken = tmp_path / "broken"
    broken.write_text("contexts: [unclosed\n")
    found = target("kubectl", ["get", "pods"], {"KUBECONFIG": str(broken)})
    assert found == {"namespace": "default"}


def test_delete_namespace_scope(kubeconfigs):
    found = target("kubectl", "delete ns -n x --all".split(), {"KUBECONFIG": kubeconfigs["a"]})
    assert found["scope"] == "all-namespaces"


# argv, environment additions, expected context and namespace
HELM_CASES = [
    ("list", {}, "dev-anna", "team-a"),
    ("--kube-context prod-eu list", {}, "prod-eu", "payments"),
    ("list", {"HELM_KUBECONTEXT": "staging"}, "staging", "default"),
    ("--kube-context prod-eu list", {"HELM_KUBECONTEXT": "staging"}, "prod-eu", "payments"),
    ("-n web install r ./c", {}, "dev-anna", "web"),
    ("install r ./c", {"HELM_NAMESPACE": "ops"}, "dev-anna", "ops"),
    ("-n web install r ./c", {"HELM_NAMESPACE": "ops"}, "dev-anna", "web"),
]


@pytest.mark.parametrize(("argv", "extra", "context", "namespace"), HELM_CASES)
def test_helm_target(kubeconfigs, argv, extra, context, namespace):
    environ = {"KUBECONFIG": kubeconfigs["a"], **extra}
    found = target("helm", argv.split(), environ)
    assert (found.get("context"), found["namespace"]) == (context, namespace)


def test_helm_kubeconfig_flag(kubeconfigs):
    found = target("helm", ["--kubeconfig", kubeconfigs["b"], "list"], {})
    assert found["context"] == "prod-eu"


@pytest.fixture
def terraform_folders(tmp_path):
    root = tmp_path / "infra"
    prod = root / "envs" / "prod"
    (prod / ".terraform").mkdir(parents=True)
    (prod / ".terraform" / "environment").write_text("blue\n")
    custom = root / "envs" / "custom"
    (custom / "state-dir").mkdir(parents=True)
    (custom / "state-dir" / "environment").write_text("green")
    return root


def test_terraform_default_workspace(terraform_folders):
    found = target("terraform", ["plan"], {}, cwd=str(terraform_folders))
    assert found == {"folder": str(terraform_folders), "workspace": "default"}


def test_terraform_chdir_workspace_file(terraform_folders):
    found = target("terraform", ["-chdir=envs/prod", "plan"], {}, cwd=str(terraform_folders))
    assert found == {"folder": str(terraform_folders / "envs" / "prod"), "workspace": "blue"}


def test_terraform_workspace_variable_wins(terraform_folders):
    found = target(
        "terraform", ["-chdir=envs/prod", "plan"], {"TF_WORKSPACE": "red"},
        cwd=str(terraform_folders),
    )
    assert found["workspace"] == "red"


def test_terraform_data_dir(terraform_folders):
    found = target(
        "terraform", ["-chdir=envs/custom", "apply"], {"TF_DATA_DIR": "state-dir"},
        cwd=str(terraform_folders),
    )
    assert found["workspace"] == "green"


def test_describe_target_text():
    assert describe_target({"context": "prod", "namespace": "web"}) == "context prod, namespace web"


@pytest.mark.parametrize(
    ("argv", "endpoint"),
    [
        ("--cluster other delete pod x", "cluster other"),
        ("-s https://10.0.0.1:6443 delete pod x", "server https://10.0.0.1:6443"),
        ("--user admin get pods", "user admin"),
    ],
)
def test_kubectl_endpoint_override(kubeconfigs, argv, endpoint):
    found = target("kubectl", argv.split(), {"KUBECONFIG": kubeconfigs["a"]})
    assert found["endpoint"] == endpoint


def test_helm_apiserver_override(kubeconfigs):
    argv = ["--kube-apiserver", "https://10.0.0.1:6443", "list"]
    found = target("helm", argv, {"KUBECONFIG": kubeconfigs["a"]})
    assert found["endpoint"] == "server https://10.0.0.1:6443"
