"""guardshim rbac: the printed YAML, parsed and checked rule by rule."""

import pytest
import yaml

from guardshim.cli import main

READ_VERBS = {"get", "list", "watch"}
EXPECTED_GROUPS = {
    "pods": "",
    "services": "",
    "events": "",
    "configmaps": "",
    "deployments": "apps",
    "jobs": "batch",
}


def rbac_documents(capsys, *arguments):
    status = main(["rbac", *arguments])
    assert status == 0, capsys.readouterr().err
    return list(yaml.safe_load_all(capsys.readouterr().out))


def default_documents(capsys):
    return rbac_documents(capsys, "--group", "agents", "--namespace", "web")


def role(documents):
    (found,) = [doc for doc in documents if doc["kind"] == "ClusterRole"]
    return found


def bindings(documents):
    return [doc for doc in documents if doc["kind"] == "RoleBinding"]


def granted(documents):
    """Return {(api group, resource): verbs} over every rule of the role."""
    pairs = {}
    for rule in role(documents)["rules"]:
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                pairs.setdefault((group, resource), set()).update(rule["verbs"])
    return pairs


def test_default_output_kinds(capsys):
    kinds = [doc["kind"] for doc in default_documents(capsys)]
    assert kinds == ["ClusterRole", "RoleBinding"]


def test_role_default_name(capsys):
    assert role(default_documents(capsys))["metadata"]["name"] == "guardshim-agent-read"


def test_role_api_version(capsys):
    documents = default_documents(capsys)
    for doc in documents:
        assert doc["apiVersion"] == "rbac.authorization.k8s.io/v1", doc["kind"]


@pytest.mark.parametrize("resource, group", sorted(EXPECTED_GROUPS.items()))
def test_default_resource_read(capsys, resource, group):
    pairs = granted(default_documents(capsys))
    assert pairs[(group, resource)] == READ_VERBS


def test_pod_logs_get_only(capsys):
    assert granted(default_documents(capsys))[("", "pods/log")] == {"get"}


def test_events_new_group_read(capsys):
    assert granted(default_documents(capsys))[("events.k8s.io", "events")] == READ_VERBS


def test_every_rule_read_only(capsys):
    for rule in role(default_documents(capsys))["rules"]:
        assert set(rule["verbs"]) <= READ_VERBS, rule


def test_no_wildcards(capsys):
    for rule in role(default_documents(capsys))["rules"]:
        assert "*" not in rule["apiGroups"], rule
        assert "*" not in rule["resources"], rule
        assert "*" not in rule["verbs"], rule


def test_rules_only_expected_resources(capsys):
    resources = {resource for _, resource in granted(default_documents(capsys))}
    assert resources == set(EXPECTED_GROUPS) | {"pods/log"}


def test_secrets_never_in_output(capsys):
    main(["rbac", "--group", "agents", "--namespace", "web", "--resource", "ingresses"])
    assert "secret" not in capsys.readouterr().out.lower()


def test_binding_per_namespace(capsys):
    documents = rbac_documents(
        capsys, "--group", "agents", "--namespace", "web", "--namespace", "api"
    )
    namespaces = [doc["metadata"]["namespace"] for doc in bindings(documents)]
    assert namespaces == ["web", "api"]


def test_binding_repeated_namespace_once(capsys):
    documents = rbac_documents(
        capsys, "--group", "agents", "--namespace", "web", "--namespace", "web"
    )
    assert len(bindings(documents)) == 1


def test_binding_subject_is_group(capsys):
    (binding,) = bindings(default_documents(capsys))
    assert binding["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "agents"}
    ]


def test_binding_refers_cluster_role(capsys):
    (binding,) = bindings(default_documents(capsys))
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "guardshim-agent-read",
    }


def test_role_name_option(capsys):
    documents = rbac_documents(
        capsys, "--group", "g", "--namespace", "web", "--role-name", "agent-ro"
    )
    assert role(documents)["metadata"]["name"] == "agent-ro"
    assert bindings(documents)[0]["roleRef"]["name"] == "agent-ro"


def test_extra_known_resource(capsys):
    documents = rbac_documents(
        capsys, "--group", "g", "--namespace", "web", "--resource", "statefulsets"
    )
    assert granted(documents)[("apps", "statefulsets")] == READ_VERBS


def test_extra_grouped_resource(capsys):
    documents = rbac_documents(
        capsys, "--group", "g", "--namespace", "web",
        "--resource", "example.com/widgets",
    )
    assert granted(documents)[("example.com", "widgets")] == READ_VERBS


def test_extra_duplicate_resource_once(capsys):
    documents = rbac_documents(
        capsys, "--group", "g", "--namespace", "web", "--resource", "pods"
    )
    rules = role(documents)["rules"]
    assert sum(rule["resources"].count("pods") for rule in rules) == 1


@pytest.mark.parametrize(
    "resource",
    ["secrets", "Secrets", "*", "v1/secrets", "core/secrets", "*/pods", "pods/exec"],
)
def test_rejected_resource(capsys, resource):
    status = main(["rbac", "--group", "g", "--namespace", "web", "--resource", resource])
    assert status == 2
    assert "--resource" in capsys.readouterr().err


def test_unknown_resource_needs_group(capsys):
    status = main(["rbac", "--group", "g", "--namespace", "web", "--resource", "widgets"])
    assert status == 2
    assert "GROUP/widgets" in capsys.readouterr().err


def test_invalid_namespace_rejected(capsys):
    assert main(["rbac", "--group", "g", "--namespace", "Web_1"]) == 2


def test_namespace_required(capsys):
    assert main(["rbac", "--group", "g"]) == 2


def test_group_required(capsys):
    assert main(["rbac", "--namespace", "web"]) == 2
