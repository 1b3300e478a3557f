"""`guardshim rbac`: print read-only Kubernetes RBAC for an agent's group."""

import re

import click

DEFAULT_ROLE_NAME = "guardshim-agent-read"
READ_VERBS = ["get", "list", "watch"]

# API group of each resource the role can grant, by resource name. A resource
# given with --resource GROUP/NAME may be outside this table.
API_GROUPS = {
    "pods": "",
    "services": "",
    "events": "",
    "configmaps": "",
    "endpoints": "",
    "persistentvolumeclaims": "",
    "serviceaccounts": "",
    "deployments": "apps",
    "replicasets": "apps",
    "statefulsets": "apps",
    "daemonsets": "apps",
    "jobs": "batch",
    "cronjobs": "batch",
    "ingresses": "networking.k8s.io",
    "networkpolicies": "networking.k8s.io",
    "horizontalpodautoscalers": "autoscaling",
    "poddisruptionbudgets": "policy",
}
DEFAULT_RESOURCES = ["pods", "deployments", "services", "jobs", "events", "configmaps"]
# Resources that reveal credentials however they are read: list and watch on
# secrets return their values.
FORBIDDEN_RESOURCES = ("secrets", "*")
# API groups without a dot that --resource GROUP/NAME accepts; any other group
# must be a domain name (apps.example.com), which keeps `pods/exec` and other
# subresources from being read as GROUP/NAME.
_PLAIN_GROUPS = ("apps", "batch", "autoscaling", "policy")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def _check_namespaces(context, parameter, values):
    for value in values:
        if not _NAMESPACE.match(value):
            raise click.BadParameter(
                f"invalid namespace {value!r}; use lower-case letters, digits and "
                "'-', at most 63 characters",
            )
    return values


def _check_name(context, parameter, value):
    if not value or not value.strip() or value in (".", "..") or "/" in value or "%" in value:
        raise click.BadParameter(f"invalid name {value!r}")
    return value


@click.command()
@click.option(
    "--group",
    required=True,
    callback=_check_name,
    help="Kubernetes group of the agent's identity, as the cluster authenticates it.",
)
@click.option(
    "--namespace",
    "namespaces",
    multiple=True,
    required=True,
    metavar="NS",
    callback=_check_namespaces,
    help="Namespace the agent may read; repeatable, one RoleBinding each.",
)
@click.option(
    "--resource",
    "resources",
    multiple=True,
    metavar="[GROUP/]NAME",
    help="Another resource to allow get, list and watch on, such as statefulsets "
    "or example.com/widgets; repeatable. secrets and * are rejected.",
)
@click.option(
    "--role-name",
    default=DEFAULT_ROLE_NAME,
    show_default=True,
    callback=_check_name,
    help="Name of the ClusterRole and of each RoleBinding.",
)
def rbac(group, namespaces, resources, role_name):
    """Print read-only RBAC for GROUP, ready for `kubectl apply -f -`.

    The output is one ClusterRole with get, list and watch on pods,
    deployments, services, jobs, events and configmaps, get on pods/log, and
    never secrets, plus one RoleBinding per namespace that grants it to the
    group in that namespace only.

    \b
        guardshim rbac --group agents --namespace web | kubectl apply -f -
    """
    import yaml

    extra = [_parse_resource(text) for text in resources]
    documents = [cluster_role(role_name, extra)]
    for namespace in dict.fromkeys(namespaces):
        documents.append(role_binding(role_name, group, namespace))
    click.echo(yaml.safe_dump_all(documents, sort_keys=False), nl=False)


def _parse_resource(text):
    """Return (api group, resource) for `NAME` or `GROUP/NAME`."""
    group, _, name = text.rpartition("/")
    if not name or name.lower() in FORBIDDEN_RESOURCES or group == "*":
        raise click.BadParameter(
            f"{text!r} is not allowed: the role never grants secrets or wildcards",
            param_hint="--resource",
        )
    if "/" in group or not _NAME.match(name):
        raise click.BadParameter(
            f"invalid resource {text!r}; use NAME or GROUP/NAME in lower case",
            param_hint="--resource",
        )
    if group and group not in _PLAIN_GROUPS and (
        "." not in group or not _NAME.match(group)
    ):
        raise click.BadParameter(
            f"invalid API group {group!r} in {text!r}; subresources such as "
            "pods/exec are not supported, and a group is apps, batch, "
            "autoscaling, policy or a domain name",
            param_hint="--resource",
        )
    if not group and name not in API_GROUPS:
        raise click.BadParameter(
            f"unknown API group of {name!r}; give it as GROUP/{name}, for example "
            f"apps/{name}",
            param_hint="--resource",
        )
    return (group if group else API_GROUPS[name]), name


def cluster_role(name, extra_resources=()):
    """Return the read-only ClusterRole as a dict."""
    by_group = {}
    for resource in DEFAULT_RESOURCES:
        by_group.setdefault(API_GROUPS[resource], []).append(resource)
    for group, resource in extra_resources:
        listed = by_group.setdefault(group, [])
        if resource not in listed:
            listed.append(resource)
    rules = [
        {"apiGroups": [group], "resources": listed, "verbs": list(READ_VERBS)}
        for group, listed in by_group.items()
    ]
    # kubectl events reads core events, newer tools read events.k8s.io.
    rules.append(
        {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": list(READ_VERBS)}
    )
    rules.append({"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]})
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": name, "labels": _labels()},
        "rules": rules,
    }


def role_binding(role_name, group, namespace):
    """Return a RoleBinding of the ClusterRole to `group` in `namespace`."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": role_name, "namespace": namespace, "labels": _labels()},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": role_name,
        },
        "subjects": [
            {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group}
        ],
    }


def _labels():
    return {"app.kubernetes.io/managed-by": "guardshim"}
