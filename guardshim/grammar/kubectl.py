"""Classify a kubectl invocation with kubectl's own grammar (cobra and pflag).

Facts below come from kubernetes/kubectl at commit dee3483 (main, July 2026).
The files read are `pkg/cmd/cmd.go`, `pkg/cmd/plugin.go`, `pkg/cmd/util/helpers.go`
and the `Use:`, `Aliases:` and flag definitions under `pkg/cmd/`. The global
connection flags and the output printers come from kubernetes/cli-runtime
`pkg/genericclioptions`.

Every argv is read twice: once with flags this module does not know taken as
booleans (their next word stays a positional argument) and once with them taken
as value flags (their next word is swallowed). The more dangerous of the two
verdicts wins, so a flag missing from the tables below can make a verdict
stricter but never milder.
"""

from guardshim.classes import DANGER, LOCAL, PREVIEW, READ, SECRET, UNKNOWN, WRITE
from guardshim.classes import Verdict
from guardshim.grammar.pflag import FlagSpec, chain_end_flags, scan

TOOL = "kubectl"

# Persistent flags of the root command: cli-runtime's ConfigFlags.AddFlags, kubectl's
# profiling, kuberc and match-version flags, and the klog flags that
# component-base adds (`-v`, `--vmodule`, `--log-flush-frequency`).
GLOBAL_VALUE_FLAGS = {
    "kubeconfig": None,
    "cache-dir": None,
    "client-certificate": None,
    "client-key": None,
    "token": None,
    "as": None,
    "as-uid": None,
    "as-group": None,
    "username": None,
    "password": None,
    "cluster": None,
    "user": None,
    "namespace": "n",
    "context": None,
    "server": "s",
    "tls-server-name": None,
    "certificate-authority": None,
    "request-timeout": None,
    "profile": None,
    "profile-output": None,
    "kuberc": None,
    "v": "v",
    "vmodule": None,
    "log-flush-frequency": None,
}
GLOBAL_BOOL_FLAGS = {
    "insecure-skip-tls-verify": None,
    "disable-compression": None,
    "match-server-version": None,
    "warnings-as-errors": None,
}

# cobra adds `-h/--help` only when a command executes, after kubectl's plugin
# lookup has run `Find`, so the lookup spec leaves it out and the leaf spec has it.
HELP_FLAG = {"help": "h"}

# Flag groups that kubectl's helpers add to many commands.
FILENAME_VALUES = {"filename": "f", "kustomize": "k"}
FILENAME_BOOLS = {"recursive": "R"}
PRINT_VALUES = {"output": "o", "template": None}
PRINT_BOOLS = {"allow-missing-template-keys": None, "show-managed-fields": None}
# `--dry-run` and `--validate` have a no-option default ("unchanged", "strict"),
# so pflag never gives them the next word.
DRY_RUN_OPTIONAL = {"dry-run": None}
VALIDATE_OPTIONAL = {"validate": None}


def _flags(values=(), optional=(), bools=()):
    """Merge groups of flag tables into the three tables a FlagSpec takes."""
    merged = ({}, {}, {})
    for target, groups in zip(merged, (values, optional, bools)):
        for group in groups:
            target.update(group)
    return merged


# Local flags of the commands whose positional arguments or boolean flags
# decide the class, or that have subcommands (cobra strips a parent's own flags
# to find the next command word).
COMMAND_FLAGS = {
    ("get",): _flags(
        values=(
            FILENAME_VALUES,
            PRINT_VALUES,
            {
                "raw": None,
                "field-selector": None,
                "chunk-size": None,
                "selector": "l",
                "subresource": None,
                "label-columns": "L",
                "sort-by": None,
            },
        ),
        bools=(
            FILENAME_BOOLS,
            PRINT_BOOLS,
            {
                "watch": "w",
                "watch-only": None,
                "output-watch-events": None,
                "ignore-not-found": None,
                "all-namespaces": "A",
                "no-headers": None,
                "show-kind": None,
                "show-labels": None,
                "server-print": None,
            },
        ),
    ),
    ("create",): _flags(
        values=(
            FILENAME_VALUES,
            PRINT_VALUES,
            {"selector": "l", "raw": None, "field-manager": None},
        ),
        optional=(DRY_RUN_OPTIONAL, VALIDATE_OPTIONAL),
        bools=(
            FILENAME_BOOLS,
            PRINT_BOOLS,
            {
                "edit": None,
                "windows-line-endings": None,
                "save-config": None,
                "record": None,
            },
        ),
    ),
    ("apply",): _flags(
        values=(
            FILENAME_VALUES,
            PRINT_VALUES,
            {
                "grace-period": None,
                "timeout": None,
                "field-manager": None,
                "selector": "l",
                "prune-allowlist": None,
                "applyset": None,
                "subresource": None,
            },
        ),
        optional=(DRY_RUN_OPTIONAL, VALIDATE_OPTIONAL, {"cascade": None}),
        bools=(
            FILENAME_BOOLS,
            PRINT_BOOLS,
            {
                "force": None,
                "wait": None,
                "record": None,
                "server-side": None,
                "force-conflicts": None,
                "prune": None,
                "all": None,
                "overwrite": None,
                "openapi-patch": None,
            },
        ),
    ),
    ("apply", "view-last-applied"): _flags(
        values=(FILENAME_VALUES, {"output": "o", "selector": "l"}),
        bools=(FILENAME_BOOLS, {"all": None}),
    ),
    ("delete",): _flags(
        values=(
            FILENAME_VALUES,
            {
                "field-selector": None,
                "grace-period": None,
                "timeout": None,
                "output": "o",
                "raw": None,
                "selector": "l",
            },
        ),
        optional=(DRY_RUN_OPTIONAL, {"cascade": None}),
        bools=(
            FILENAME_BOOLS,
            {
                "all": None,
                "all-namespaces": "A",
                "force": None,
                "now": None,
                "ignore-not-found": None,
                "wait": None,
                "interactive": "i",
            },
        ),
    ),
    ("annotate",): _flags(
        values=(
            FILENAME_VALUES,
            PRINT_VALUES,
            {
                "resource-version": None,
                "selector": "l",
                "field-selector": None,
                "field-manager": None,
            },
        ),
        optional=(DRY_RUN_OPTIONAL,),
        bools=(
            FILENAME_BOOLS,
            PRINT_BOOLS,
            {
                "overwrite": None,
                "list": None,
                "local": None,
                "all": None,
                "all-namespaces": "A",
                "record": None,
            },
        ),
    ),
    ("set", "env"): _flags(
        values=(
            FILENAME_VALUES,
            PRINT_VALUES,
            {
                "containers": "c",
                "from": None,
                "prefix": None,
                "env": "e",
                "keys": None,
                "selector": "l",
                "field-manager": None,
            },
        ),
        optional=(DRY_RUN_OPTIONAL,),
        bools=(
            FILENAME_BOOLS,
            PRINT_BOOLS,
            {
                "list": None,
                "resolve": None,
                "local": None,
                "all": None,
                "overwrite": None,
            },
        ),
    ),
    ("config", "view"): _flags(
        values=(PRINT_VALUES,),
        optional=({"merge": None},),
        bools=(PRINT_BOOLS, {"raw": None, "flatten": None, "minify": None}),
    ),
    ("cluster-info", "dump"): _flags(
        values=(
            PRINT_VALUES,
            {"output-directory": None, "namespaces": None, "pod-running-timeout": None},
        ),
        bools=(PRINT_BOOLS, {"all-namespaces": "A"}),
    ),
    ("exec",): _flags(
        values=(
            {"container": "c", "filename": "f", "pod-running-timeout": None},
        ),
        bools=({"stdin": "i", "tty": "t", "quiet": "q"},),
    ),
    ("attach",): _flags(
        values=({"container": "c", "pod-running-timeout": None},),
        bools=({"stdin": "i", "tty": "t", "quiet": "q"},),
    ),
    ("debug",): _flags(
        values=(
            FILENAME_VALUES,
            PRINT_VALUES,
            {
                "image": None,
                "container": "c",
                "copy-to": None,
                "env": None,
                "image-pull-policy": None,
                "profile": None,
                "custom": None,
                "set-image": None,
                "target": None,
            },
        ),
        bools=(
            FILENAME_BOOLS,
            PRINT_BOOLS,
            {
                "stdin": "i",
                "tty": "t",
                "quiet": "q",
                "attach": None,
                "arguments-only": None,
                "replace": None,
                "same-node": None,
                "share-processes": None,
                "keep-annotations": None,
                "keep-init-containers": None,
                "keep-labels": None,
                "keep-liveness": None,
                "keep-readiness": None,
                "keep-startup": None,
            },
        ),
    ),
    ("run",): _flags(
        values=(
            PRINT_VALUES,
            {
                "image": None,
                "port": None,
                "env": None,
                "labels": "l",
                "annotations": None,
                "overrides": None,
                "restart": None,
                "image-pull-policy": None,
                "field-manager": None,
                "pod-running-timeout": None,
            },
        ),
        optional=(DRY_RUN_OPTIONAL,),
        bools=(
            PRINT_BOOLS,
            {
                "stdin": "i",
                "tty": "t",
                "quiet": "q",
                "rm": None,
                "attach": None,
                "command": None,
                "expose": None,
                "privileged": None,
                "leave-stdin-open": None,
            },
        ),
    ),
}
COMMAND_FLAGS[("label",)] = COMMAND_FLAGS[("annotate",)]

# `patch` and the `set` subcommands print the object the server returns.
OBJECT_WRITE_FLAGS = _flags(
    values=(FILENAME_VALUES, PRINT_VALUES, {"selector": "l", "field-manager": None}),
    optional=(DRY_RUN_OPTIONAL,),
    bools=(FILENAME_BOOLS, PRINT_BOOLS, {"local": None, "all": None, "record": None}),
)
COMMAND_FLAGS[("patch",)] = _flags(
    values=(
        FILENAME_VALUES,
        PRINT_VALUES,
        {"patch": "p", "patch-file": None, "type": None, "subresource": None},
        {"field-manager": None},
    ),
    optional=(DRY_RUN_OPTIONAL,),
    bools=(FILENAME_BOOLS, PRINT_BOOLS, {"local": None, "record": None}),
)
for _name in ("image", "resources", "selector", "serviceaccount", "subject"):
    COMMAND_FLAGS[("set", _name)] = OBJECT_WRITE_FLAGS

# Every built-in command path: (class, reason, rule id, accepts --dry-run).
# A path whose class is READ with the reason "prints help" is a command group
# whose own Run only prints help.
COMMANDS = {
    # Basic commands.
    ("create",): (WRITE, "creates resources in the cluster", "kubectl.create", True),
    ("create", "clusterrole"): (WRITE, "creates a ClusterRole in the cluster", "kubectl.create.clusterrole", True),
    ("create", "clusterrolebinding"): (WRITE, "creates a ClusterRoleBinding in the cluster", "kubectl.create.clusterrolebinding", True),
    ("create", "configmap"): (WRITE, "creates a ConfigMap in the cluster", "kubectl.create.configmap", True),
    ("create", "cronjob"): (WRITE, "creates a CronJob in the cluster", "kubectl.create.cronjob", True),
    ("create", "deployment"): (WRITE, "creates a Deployment in the cluster", "kubectl.create.deployment", True),
    ("create", "ingress"): (WRITE, "creates an Ingress in the cluster", "kubectl.create.ingress", True),
    ("create", "job"): (WRITE, "creates a Job in the cluster", "kubectl.create.job", True),
    ("create", "namespace"): (WRITE, "creates a namespace in the cluster", "kubectl.create.namespace", True),
    ("create", "poddisruptionbudget"): (WRITE, "creates a PodDisruptionBudget in the cluster", "kubectl.create.poddisruptionbudget", True),
    ("create", "priorityclass"): (WRITE, "creates a PriorityClass in the cluster", "kubectl.create.priorityclass", True),
    ("create", "quota"): (WRITE, "creates a ResourceQuota in the cluster", "kubectl.create.quota", True),
    ("create", "role"): (WRITE, "creates a Role in the cluster", "kubectl.create.role", True),
    ("create", "rolebinding"): (WRITE, "creates a RoleBinding in the cluster", "kubectl.create.rolebinding", True),
    ("create", "secret"): (READ, "prints help", "kubectl.create.secret", False),
    ("create", "secret", "docker-registry"): (WRITE, "creates a registry credential Secret in the cluster", "kubectl.create.secret.docker-registry", True),
    ("create", "secret", "generic"): (WRITE, "creates a Secret in the cluster", "kubectl.create.secret.generic", True),
    ("create", "secret", "tls"): (WRITE, "creates a TLS Secret in the cluster", "kubectl.create.secret.tls", True),
    ("create", "service"): (READ, "prints help", "kubectl.create.service", False),
    ("create", "service", "clusterip"): (WRITE, "creates a ClusterIP Service in the cluster", "kubectl.create.service.clusterip", True),
    ("create", "service", "externalname"): (WRITE, "creates an ExternalName Service in the cluster", "kubectl.create.service.externalname", True),
    ("create", "service", "loadbalancer"): (WRITE, "creates a LoadBalancer Service in the cluster", "kubectl.create.service.loadbalancer", True),
    ("create", "service", "nodeport"): (WRITE, "creates a NodePort Service in the cluster", "kubectl.create.service.nodeport", True),
    ("create", "serviceaccount"): (WRITE, "creates a ServiceAccount in the cluster", "kubectl.create.serviceaccount", True),
    # TokenRequest mints a credential, and the command has no --dry-run flag.
    ("create", "token"): (WRITE, "mints a service account token, which is a credential", "kubectl.create.token", False),
    ("expose",): (WRITE, "creates a Service in the cluster", "kubectl.expose", True),
    ("run",): (WRITE, "starts a pod in the cluster", "kubectl.run", True),
    ("set",): (READ, "prints help", "kubectl.set", False),
    ("set", "env"): (WRITE, "changes environment variables of workloads in the cluster", "kubectl.set.env", True),
    ("set", "image"): (WRITE, "changes container images of workloads in the cluster", "kubectl.set.image", True),
    ("set", "resources"): (WRITE, "changes resource requests and limits of workloads in the cluster", "kubectl.set.resources", True),
    ("set", "selector"): (WRITE, "changes the selector of resources in the cluster", "kubectl.set.selector", True),
    ("set", "serviceaccount"): (WRITE, "changes the service account of workloads in the cluster", "kubectl.set.serviceaccount", True),
    ("set", "subject"): (WRITE, "changes the subjects of role bindings in the cluster", "kubectl.set.subject", True),
    # Intermediate commands.
    ("explain",): (READ, "prints API documentation", "kubectl.explain", False),
    ("get",): (READ, "lists or shows resources in the cluster", "kubectl.get", False),
    ("edit",): (WRITE, "edits resources in the cluster", "kubectl.edit", False),
    ("delete",): (WRITE, "deletes resources in the cluster", "kubectl.delete", True),
    # Deploy commands.
    ("rollout",): (READ, "prints help", "kubectl.rollout", False),
    ("rollout", "history"): (READ, "shows the rollout history of a workload", "kubectl.rollout.history", False),
    ("rollout", "pause"): (WRITE, "pauses the rollout of a workload in the cluster", "kubectl.rollout.pause", False),
    ("rollout", "restart"): (WRITE, "restarts a workload in the cluster", "kubectl.rollout.restart", False),
    ("rollout", "resume"): (WRITE, "resumes the rollout of a workload in the cluster", "kubectl.rollout.resume", False),
    ("rollout", "status"): (READ, "shows the rollout status of a workload", "kubectl.rollout.status", False),
    ("rollout", "undo"): (WRITE, "rolls a workload in the cluster back to an earlier revision", "kubectl.rollout.undo", True),
    ("scale",): (WRITE, "changes the replica count of workloads in the cluster", "kubectl.scale", True),
    ("autoscale",): (WRITE, "creates a HorizontalPodAutoscaler in the cluster", "kubectl.autoscale", True),
    # Cluster management commands.
    ("certificate",): (READ, "prints help", "kubectl.certificate", False),
    ("certificate", "approve"): (WRITE, "approves a certificate signing request, which issues a credential", "kubectl.certificate.approve", False),
    ("certificate", "deny"): (WRITE, "denies a certificate signing request in the cluster", "kubectl.certificate.deny", False),
    ("cluster-info",): (READ, "prints the addresses of the control plane and services", "kubectl.cluster-info", False),
    ("cluster-info", "dump"): (READ, "prints cluster state and pod logs for debugging", "kubectl.cluster-info.dump", False),
    ("top",): (READ, "prints help", "kubectl.top", False),
    ("top", "node"): (READ, "shows resource usage of nodes", "kubectl.top.node", False),
    ("top", "pod"): (READ, "shows resource usage of pods", "kubectl.top.pod", False),
    ("cordon",): (WRITE, "marks a node unschedulable", "kubectl.cordon", True),
    ("uncordon",): (WRITE, "marks a node schedulable", "kubectl.uncordon", True),
    ("drain",): (WRITE, "evicts the pods of a node and marks it unschedulable", "kubectl.drain", True),
    ("taint",): (WRITE, "changes the taints of nodes in the cluster", "kubectl.taint", True),
    # Troubleshooting and debugging commands.
    ("describe",): (READ, "describes resources, showing Secret values only as byte counts", "kubectl.describe", False),
    ("logs",): (READ, "prints container logs", "kubectl.logs", False),
    ("attach",): (WRITE, "attaches to a running container, which can send it input", "kubectl.attach", False),
    ("exec",): (WRITE, "runs a command inside a container", "kubectl.exec", False),
    ("port-forward",): (WRITE, "opens a tunnel from a local port into the cluster", "kubectl.port-forward", False),
    ("proxy",): (WRITE, "serves the API server locally with the caller's credentials", "kubectl.proxy", False),
    # `cp` runs tar inside the container in both directions.
    ("cp",): (WRITE, "copies files through a tar process run inside a container", "kubectl.cp", False),
    ("auth",): (READ, "prints help", "kubectl.auth", False),
    ("auth", "can-i"): (READ, "checks whether an action is allowed", "kubectl.auth.can-i", False),
    ("auth", "reconcile"): (WRITE, "creates or updates RBAC roles and bindings in the cluster", "kubectl.auth.reconcile", True),
    ("auth", "whoami"): (READ, "prints the identity of the caller", "kubectl.auth.whoami", False),
    ("debug",): (WRITE, "starts a debugging container or pod in the cluster", "kubectl.debug", False),
    ("events",): (READ, "lists events", "kubectl.events", False),
    # Advanced commands.
    ("diff",): (PREVIEW, "compares manifests with the cluster through a server-side dry run", "kubectl.diff", False),
    ("apply",): (WRITE, "applies manifests to the cluster", "kubectl.apply", True),
    ("apply", "edit-last-applied"): (WRITE, "edits the last-applied annotation of resources in the cluster", "kubectl.apply.edit-last-applied", False),
    ("apply", "set-last-applied"): (WRITE, "sets the last-applied annotation of resources in the cluster", "kubectl.apply.set-last-applied", True),
    ("apply", "view-last-applied"): (READ, "prints the last-applied annotation of resources", "kubectl.apply.view-last-applied", False),
    ("patch",): (WRITE, "patches resources in the cluster", "kubectl.patch", True),
    ("replace",): (WRITE, "replaces resources in the cluster", "kubectl.replace", True),
    ("wait",): (READ, "waits for a condition on resources", "kubectl.wait", False),
    # Renders locally, and generated Secrets appear in the output.
    ("kustomize",): (PREVIEW, "renders a kustomization locally", "kubectl.kustomize", False),
    # Settings commands.
    ("label",): (WRITE, "adds or removes labels on resources in the cluster", "kubectl.label", True),
    ("annotate",): (WRITE, "adds or removes annotations on resources in the cluster", "kubectl.annotate", True),
    ("completion",): (READ, "prints a shell completion script", "kubectl.completion", False),
    # Other commands.
    ("api-resources",): (READ, "lists the API resources of the server", "kubectl.api-resources", False),
    ("api-versions",): (READ, "lists the API versions of the server", "kubectl.api-versions", False),
    ("config",): (READ, "prints help", "kubectl.config", False),
    ("config", "current-context"): (READ, "prints the current kubeconfig context", "kubectl.config.current-context", False),
    ("config", "delete-cluster"): (LOCAL, "removes a cluster from the local kubeconfig", "kubectl.config.delete-cluster", False),
    ("config", "delete-context"): (LOCAL, "removes a context from the local kubeconfig", "kubectl.config.delete-context", False),
    ("config", "delete-user"): (WRITE, "removes stored credentials from the local kubeconfig", "kubectl.config.delete-user", False),
    ("config", "get-clusters"): (READ, "lists kubeconfig clusters", "kubectl.config.get-clusters", False),
    ("config", "get-contexts"): (READ, "lists kubeconfig contexts", "kubectl.config.get-contexts", False),
    ("config", "get-users"): (READ, "lists kubeconfig users", "kubectl.config.get-users", False),
    ("config", "rename-context"): (LOCAL, "renames a context in the local kubeconfig", "kubectl.config.rename-context", False),
    # `config set` and `config unset` can write any field, tokens included.
    ("config", "set"): (WRITE, "sets a kubeconfig field, which can be a credential", "kubectl.config.set", False),
    ("config", "set-cluster"): (LOCAL, "changes a cluster entry of the local kubeconfig", "kubectl.config.set-cluster", False),
    ("config", "set-context"): (LOCAL, "changes a context of the local kubeconfig", "kubectl.config.set-context", False),
    ("config", "set-credentials"): (WRITE, "stores credentials in the local kubeconfig", "kubectl.config.set-credentials", False),
    ("config", "unset"): (WRITE, "removes a kubeconfig field, which can be a credential", "kubectl.config.unset", False),
    ("config", "use-context"): (LOCAL, "switches the current context of the local kubeconfig", "kubectl.config.use-context", False),
    ("config", "view"): (READ, "prints the kubeconfig with credentials redacted", "kubectl.config.view", False),
    ("plugin",): (READ, "prints help", "kubectl.plugin", False),
    ("plugin", "list"): (READ, "lists plugin executables on PATH", "kubectl.plugin.list", False),
    ("version",): (READ, "prints the client and server versions", "kubectl.version", False),
    ("options",): (READ, "prints the global flags", "kubectl.options", False),
    ("kuberc",): (READ, "prints help", "kubectl.kuberc", False),
    ("kuberc", "set"): (LOCAL, "writes kuberc preferences that change later kubectl commands", "kubectl.kuberc.set", False),
    ("kuberc", "view"): (READ, "prints the kuberc preferences", "kubectl.kuberc.view", False),
}

# Aliases from the `Aliases:` fields, keyed by the parent command path.
ALIASES = {
    ("create",): {
        "cm": "configmap",
        "cj": "cronjob",
        "deploy": "deployment",
        "ing": "ingress",
        "ns": "namespace",
        "pc": "priorityclass",
        "pdb": "poddisruptionbudget",
        "resourcequota": "quota",
        "sa": "serviceaccount",
        "svc": "service",
    },
    ("config",): {"use": "use-context"},
    ("set",): {"sa": "serviceaccount"},
    ("top",): {"nodes": "node", "no": "node", "pods": "pod", "po": "pod"},
}

# Commands cobra adds when it executes (`help`, shell completion) and for which
# kubectl skips the plugin lookup.
COBRA_COMMANDS = {
    "help": (READ, "prints help", "kubectl.help"),
    "__complete": (READ, "prints shell completions", "kubectl.complete"),
    "__completeNoDesc": (READ, "prints shell completions", "kubectl.complete"),
}

# `alpha` is hidden when the build has no alpha commands, and its subcommands
# change between releases.
ALPHA = (UNKNOWN, "runs an alpha command whose behaviour depends on the kubectl build", "kubectl.alpha")

# Groups with subcommands that run themselves with a word that matches no
# subcommand as an argument. (`create` looks for a plugin first.)
RUNNABLE_GROUPS = frozenset({("apply",), ("cluster-info",)})

# Write commands that print the object the server returns, so a dry run of them
# on a Secret with a data-printing `-o` shows the Secret's current data.
SERVER_OBJECT_PRINTERS = frozenset(
    {
        ("annotate",),
        ("label",),
        ("patch",),
        ("set", "env"),
        ("set", "image"),
        ("set", "resources"),
        ("set", "selector"),
        ("set", "serviceaccount"),
        ("set", "subject"),
    }
)

# Go's strconv.ParseBool, which pflag uses for boolean flags and GetDryRunStrategy
# for the deprecated boolean spelling of --dry-run.
GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
GO_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})

# Output formats that print only names or table columns, never object data
# (cli-runtime's name and human-readable printers). Every other format (json,
# yaml, kyaml, jsonpath*, go-template*, template*, custom-columns*) prints fields.
PLAIN_OUTPUT_FORMATS = frozenset({"", "wide", "name"})

HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
SECRET_TYPES = frozenset({"secret", "secrets"})
NAMESPACE_TYPES = frozenset({"namespace", "namespaces", "ns"})

# Values a stray word after a bare `--dry-run` could have been meant as.
DRY_RUN_WORDS = frozenset({"client", "server", "none", "unchanged"}) | GO_TRUE | GO_FALSE

# Global flags recorded in hints: flag name -> hint key.
HINT_FLAGS = (
    ("context", "context"),
    ("namespace", "namespace"),
    ("kubeconfig", "kubeconfig"),
    ("cluster", "cluster"),
    ("user", "user"),
    ("server", "server"),
    ("as", "impersonate"),
    ("as-uid", "impersonate_uid"),
    ("kuberc", "kuberc"),
)

# `config` subcommands define their own --namespace, --cluster, --user and
# --server flags for the kubeconfig entry they edit, so only --kubeconfig names
# a target there.
CONFIG_HINT_FLAGS = (("kubeconfig", "kubeconfig"),)


def _build_children():
    children = {}
    for path in COMMANDS:
        children.setdefault(path[:-1], set()).add(path[-1])
    return children


CHILDREN = _build_children()
LOOKUP_SPEC = FlagSpec(GLOBAL_VALUE_FLAGS, {}, GLOBAL_BOOL_FLAGS)
_SPEC_CACHE = {}


def classify(argv, env):
    """Return the Verdict for `kubectl` run with `argv` (without the program name)."""
    argv = list(argv)
    if not argv:
        return Verdict(TOOL, argv, (), READ, "prints help", "kubectl.help")

    path, rest, stray = _find_command(argv)
    if not path:
        return _classify_root(argv, rest, stray)
    if path[0] in COBRA_COMMANDS:
        klass, reason, rule = COBRA_COMMANDS[path[0]]
        return Verdict(TOOL, argv, path, klass, reason, rule)
    if path[0] == "kuberc" and env.get("KUBECTL_KUBERC", "").lower() == "false":
        # KUBECTL_KUBERC=false removes the command, so the word names a plugin.
        return _classify_root(argv, rest, "kuberc")
    if path[0] == "alpha":
        klass, reason, rule = ALPHA
        return Verdict(TOOL, argv, path, klass, reason, rule)
    if stray is not None:
        unknown = _classify_stray_word(argv, path, rest, stray)
        if unknown is not None:
            return unknown
    return _classify_command(argv, path, rest)


# Command lookup, as cobra's Command.Find does it.


def _find_command(argv):
    """Resolve the built-in command path of `argv` as cobra's Find does.

    Return the canonical path, argv without the command words, and the first
    word that matched no subcommand (None when the lookup ended on a flag or at
    the end of argv).
    """
    path = ()
    rest = argv
    while path == () or path in CHILDREN:
        index = _first_command_word(rest, _lookup_spec(path))
        if index < 0:
            return path, rest, None
        word = rest[index]
        name = ALIASES.get(path, {}).get(word, word)
        if path == () and (name in COBRA_COMMANDS or name == "alpha"):
            return (name,), rest[:index] + rest[index + 1 :], None
        if name not in CHILDREN.get(path, ()):
            return path, rest, word
        path = path + (name,)
        rest = rest[:index] + rest[index + 1 :]
    return path, rest, None


def _first_command_word(argv, spec):
    """Return the index of the first word cobra's stripFlags keeps, or -1.

    Before the command is known, cobra assumes that a long flag without `=` and
    a two-letter shorthand take the next word unless the spec knows them to have
    a no-option default. Such a flag with one word or none left ends the lookup.
    """
    index = 0
    count = len(argv)
    while index < count:
        word = argv[index]
        if word == "--":
            return -1
        if word.startswith("--") and "=" not in word:
            if not _has_no_option_default(word[2:], spec):
                if count - index <= 2:
                    return -1
                index += 1
        elif word.startswith("-") and "=" not in word and len(word) == 2:
            long_name = spec.short_to_long.get(word[1])
            if long_name is None or not _has_no_option_default(long_name, spec):
                if count - index <= 2:
                    return -1
                index += 1
        elif word and not word.startswith("-"):
            return index
        index += 1
    return -1


def _has_no_option_default(long_name, spec):
    return long_name in spec.bools or long_name in spec.optional


def _lookup_spec(path):
    """Return the flags cobra strips at `path`: its own plus the root's."""
    key = ("lookup",) + path
    if key not in _SPEC_CACHE:
        values, optional, bools = COMMAND_FLAGS.get(path, ({}, {}, {}))
        local = FlagSpec(values, optional, bools)
        _SPEC_CACHE[key] = LOOKUP_SPEC.merged(local)
    return _SPEC_CACHE[key]


def _command_spec(path):
    """Return the flags a leaf command parses: root, help, its own, dry-run."""
    key = ("run",) + path
    if key not in _SPEC_CACHE:
        values, optional, bools = COMMAND_FLAGS.get(path, ({}, {}, {}))
        optional = dict(optional)
        if COMMANDS[path][3]:
            optional.update(DRY_RUN_OPTIONAL)
        local = FlagSpec(values, optional, dict(bools, **HELP_FLAG))
        _SPEC_CACHE[key] = LOOKUP_SPEC.merged(local)
    return _SPEC_CACHE[key]


def _classify_root(argv, rest, stray):
    """Classify an argv in which cobra found no built-in command."""
    if stray is None:
        return Verdict(TOOL, argv, (), READ, "prints help", "kubectl.help")
    if argv[0].startswith("-"):
        reason = "names no built-in command, and kubectl rejects flags placed before a plugin name"
        return Verdict(TOOL, argv, (stray,), UNKNOWN, reason, "kubectl.unknown-command")
    reason = f"runs the plugin or kuberc alias {stray!r}, which guardshim cannot inspect"
    return Verdict(TOOL, argv, (stray,), UNKNOWN, reason, "kubectl.plugin")


def _classify_stray_word(argv, path, rest, stray):
    """Classify a word that matched no subcommand of the group `path`.

    Return None when the group itself runs with the word as an argument.
    """
    if path == ("create",):
        # kubectl looks for a `kubectl-create-WORD` plugin when the word is the
        # first argument after `create` (plugin.go). Otherwise `create` rejects
        # the stray argument and runs nothing.
        reason = f"runs the plugin kubectl-create-{stray} or fails, and guardshim cannot inspect a plugin"
        return Verdict(TOOL, argv, path + (stray,), UNKNOWN, reason, "kubectl.create.plugin")
    if path in RUNNABLE_GROUPS:
        return None
    joined = " ".join(path)
    reason = f"{stray!r} is not a subcommand of kubectl {joined}"
    rule = "kubectl." + ".".join(path) + ".unknown-subcommand"
    return Verdict(TOOL, argv, path + (stray,), UNKNOWN, reason, rule)


# Classification of a built-in command.


def _classify_command(argv, path, rest):
    """Classify the built-in command `path` run with the arguments `rest`."""
    spec = _command_spec(path)
    plain = scan(rest, spec)
    cautious_spec = _cautious_spec(rest, spec)
    if cautious_spec is spec:
        cautious = plain
    else:
        cautious = scan(rest, cautious_spec)

    verdict = _classify_reading(argv, path, rest, plain)
    if cautious is not plain:
        other = _classify_reading(argv, path, rest, cautious)
        if DANGER[other.klass] > DANGER[verdict.klass]:
            verdict = other
        chain = chain_end_flags(rest, _unknown_flags(rest, spec))
        if chain:
            mixed = scan(rest, spec.merged(FlagSpec(values=chain)))
            other = _classify_reading(argv, path, rest, mixed)
            if DANGER[other.klass] > DANGER[verdict.klass]:
                verdict = other
    verdict.hints = _hints(path, plain, verdict)
    return verdict


def _cautious_spec(argv, spec):
    """Return `spec` extended so that every flag in `argv` it does not know takes a value."""
    unknown = _unknown_flags(argv, spec)
    if not unknown:
        return spec
    return spec.merged(FlagSpec(values=unknown))


def _unknown_flags(argv, spec):
    """Return the flags of `argv` that `spec` does not know, mapped to their shorthand."""
    unknown = {}
    for word in argv:
        if word == "--":
            break
        if len(word) < 2 or word[0] != "-":
            continue
        if word[1] == "-":
            name = word[2:].partition("=")[0]
            if not _spec_knows(spec, name):
                unknown[name] = None
            continue
        for letter in word[1:].partition("=")[0]:
            if letter not in spec.short_to_long and letter not in unknown:
                unknown[letter] = letter
    return unknown


def _spec_knows(spec, name):
    return name in spec.values or name in spec.optional or name in spec.bools


def _classify_reading(argv, path, rest, parsed):
    """Classify one reading of the flags of a built-in command."""
    klass, reason, rule, takes_dry_run = COMMANDS[path]
    if _bool_flag(parsed, "help", invalid=False):
        return Verdict(TOOL, argv, path, READ, "prints help", rule + ".help")
    verdict = Verdict(TOOL, argv, path, klass, reason, rule)
    if takes_dry_run and klass == WRITE:
        mode = _dry_run_mode(parsed, rest)
        if mode in ("client", "server"):
            reason = f"computes the change as a {mode}-side dry run without making it"
            verdict = Verdict(TOOL, argv, path, PREVIEW, reason, rule + ".dry-run")
    verdict = _refine(verdict, path, parsed)
    return _scope_writes(verdict, path, parsed)


def _refine(verdict, path, parsed):
    refine = REFINERS.get(path)
    if refine is not None:
        verdict = refine(verdict, parsed)
    if verdict.klass == PREVIEW and path in SERVER_OBJECT_PRINTERS:
        verdict = _refine_dry_run_output(verdict, parsed)
    return verdict


def _with(verdict, klass, reason, rule):
    """Return `verdict` with another class, reason and rule, lower classes included."""
    return Verdict(TOOL, verdict.argv, verdict.command, klass, reason, rule)


# Flag values.


def _bool_flag(parsed, name, invalid):
    """Return the value of the boolean flag `name`: its last occurrence wins.

    pflag rejects a value that is not a Go boolean, and kubectl then runs
    nothing. `invalid` is the reading the caller finds more dangerous.
    """
    last = parsed.last(name)
    if last is None:
        return False
    value = last[1]
    if value is None or value in GO_TRUE:
        return True
    if value in GO_FALSE:
        return False
    return invalid


def _value(parsed, name):
    """Return the last value given to `name`, or "" when it is absent or has none."""
    last = parsed.last(name)
    if last is None or last[1] is None:
        return ""
    return last[1]


def _dry_run_mode(parsed, rest):
    """Return the dry-run strategy kubectl would use, as GetDryRunStrategy does.

    Returns "client", "server", "none", "invalid" (kubectl fails and runs
    nothing), "spaced" (a bare flag followed by a word such as `server`, which
    the guard reads as no dry run), or None when the flag is absent.
    """
    last = parsed.last("dry-run")
    if last is None:
        return None
    value = last[1]
    if value is None:
        return "spaced" if _has_spaced_dry_run(rest) else "client"
    if value == "unchanged" or value in GO_TRUE:
        return "client"
    if value == "none" or value in GO_FALSE:
        return "none"
    if value in ("client", "server"):
        return value
    return "invalid"


def _has_spaced_dry_run(argv):
    for index in range(len(argv) - 1):
        word = argv[index]
        if word == "--":
            return False
        if word == "--dry-run" and argv[index + 1] in DRY_RUN_WORDS:
            return True
    return False


def _prints_object_data(parsed):
    """Return whether `-o`/`--template` select a printer that shows object fields."""
    output = _value(parsed, "output")
    format_name = output.partition("=")[0].lower()
    if format_name not in PLAIN_OUTPUT_FORMATS:
        return True
    # `get --template=...` without -o uses the go-template printer (get_flags.go).
    return format_name == "" and _value(parsed, "template") != ""


def _positionals(parsed):
    return parsed.positionals + parsed.after_dashdash


def _resource_types(words):
    """Return the lowercased resource types named by TYPE[,TYPE] NAME or TYPE/NAME arguments."""
    types = set()
    if not words:
        return types
    for word in words:
        if "/" in word:
            types.update(word.partition("/")[0].lower().split(","))
    if "/" not in words[0]:
        types.update(words[0].lower().split(","))
    return types


def _type_in(types, names):
    """Return whether a type in `types` is one of `names` as TYPE[.VERSION][.GROUP]."""
    return any(kind.strip().partition(".")[0] in names for kind in types)


def _names_secrets(parsed):
    return _type_in(_resource_types(_positionals(parsed)), SECRET_TYPES)


def _reads_files(parsed):
    return _value(parsed, "filename") != "" or _value(parsed, "kustomize") != ""


# Refinements of single commands.


def _refine_get(verdict, parsed):
    # NOTE: a kuberc default such as `-o yaml` for `get` is not in argv, so
    # `get secret NAME` stays read here even when kuberc makes it print data.
    raw = _value(parsed, "raw")
    if raw:
        if _path_names_secrets(raw):
            reason = "requests a Secrets API path, whose response holds Secret values"
            return verdict.raised_to(SECRET, reason, "kubectl.get.raw-secrets")
        verdict = _with(verdict, READ, "requests a raw API path", "kubectl.get.raw")
    if not _prints_object_data(parsed):
        return verdict
    if _names_secrets(parsed):
        reason = "prints Secret objects in a format that shows their data"
        return verdict.raised_to(SECRET, reason, "kubectl.get.secret-output")
    if _reads_files(parsed):
        reason = "prints objects named in files, which may be Secrets, in a format that shows their data"
        return verdict.raised_to(SECRET, reason, "kubectl.get.file-output")
    return verdict


def _path_names_secrets(raw):
    """Return whether a raw API path addresses Secrets, after percent-decoding."""
    path = _percent_decode(raw.partition("?")[0].partition("#")[0]).lower()
    return any(segment.strip() == "secrets" for segment in path.split("/"))


def _percent_decode(text):
    if "%" not in text:
        return text
    pieces = text.split("%")
    decoded = [pieces[0]]
    for piece in pieces[1:]:
        code = piece[:2]
        if len(code) == 2 and all(char in HEX_DIGITS for char in code):
            decoded.append(chr(int(code, 16)) + piece[2:])
        else:
            decoded.append("%" + piece)
    return "".join(decoded)


def _refine_view_last_applied(verdict, parsed):
    # The annotation holds the whole object as last applied, data included.
    if _names_secrets(parsed):
        reason = "prints the last-applied annotation of Secrets, which holds their data"
        return verdict.raised_to(SECRET, reason, "kubectl.apply.view-last-applied.secret")
    if _reads_files(parsed):
        reason = "prints the last-applied annotation of objects named in files, which may be Secrets"
        return verdict.raised_to(SECRET, reason, "kubectl.apply.view-last-applied.file")
    return verdict


def _refine_annotate(verdict, parsed):
    # With --list, annotate sends no patch and prints every annotation, the
    # last-applied-configuration one included (annotate.go, Run).
    if not _bool_flag(parsed, "list", invalid=False):
        return verdict
    if _names_secrets(parsed) or _reads_files(parsed):
        reason = "prints annotations of Secrets, whose last-applied annotation holds their data"
        return _with(verdict, SECRET, reason, "kubectl.annotate.list-secret")
    return _with(verdict, READ, "prints the annotations of resources", "kubectl.annotate.list")


def _refine_label(verdict, parsed):
    if _bool_flag(parsed, "list", invalid=False):
        return _with(verdict, READ, "prints the labels of resources", "kubectl.label.list")
    return verdict


def _refine_set_env(verdict, parsed):
    if not _bool_flag(parsed, "list", invalid=False):
        return verdict
    if _bool_flag(parsed, "resolve", invalid=True):
        reason = "prints environment variables with values resolved from Secrets"
        return _with(verdict, SECRET, reason, "kubectl.set.env.list-resolve")
    return _with(verdict, READ, "prints the environment of workloads", "kubectl.set.env.list")


def _refine_config_view(verdict, parsed):
    # Without --raw or --flatten, ShortenConfig redacts keys, certificates and tokens.
    for name in ("raw", "flatten"):
        if _bool_flag(parsed, name, invalid=True):
            reason = f"prints the kubeconfig with --{name}, which shows credentials unredacted"
            return verdict.raised_to(SECRET, reason, f"kubectl.config.view.{name}")
    return verdict


def _refine_cluster_info_dump(verdict, parsed):
    directory = _value(parsed, "output-directory")
    if directory not in ("", "-"):
        reason = "writes cluster state and pod logs into a local directory"
        return verdict.raised_to(LOCAL, reason, "kubectl.cluster-info.dump.output-directory")
    return verdict


def _refine_delete(verdict, parsed):
    if verdict.klass != WRITE:
        return verdict
    if not _type_in(_resource_types(_positionals(parsed)), NAMESPACE_TYPES):
        return verdict
    if _bool_flag(parsed, "all", invalid=True):
        reason = "deletes every namespace in the cluster, with everything in them"
        return _with(verdict, WRITE, reason, "kubectl.delete.every-namespace")
    reason = "deletes namespaces, with everything in them"
    return _with(verdict, WRITE, reason, "kubectl.delete.namespace")


def _refine_dry_run_output(verdict, parsed):
    if _prints_object_data(parsed) and _names_secrets(parsed):
        reason = "prints the dry-run result of Secrets, which shows their current data"
        return verdict.raised_to(SECRET, reason, verdict.rule + "-secret-output")
    return verdict


def _scope_writes(verdict, path, parsed):
    if verdict.klass != WRITE or verdict.rule.endswith(".every-namespace"):
        return verdict
    if not _bool_flag(parsed, "all-namespaces", invalid=True):
        return verdict
    reason = verdict.reason + " in every namespace"
    return _with(verdict, WRITE, reason, verdict.rule + ".all-namespaces")


REFINERS = {
    ("get",): _refine_get,
    ("apply", "view-last-applied"): _refine_view_last_applied,
    ("annotate",): _refine_annotate,
    ("label",): _refine_label,
    ("set", "env"): _refine_set_env,
    ("config", "view"): _refine_config_view,
    ("cluster-info", "dump"): _refine_cluster_info_dump,
    ("delete",): _refine_delete,
}


# Hints.


def _hints(path, parsed, verdict):
    """Collect the target facts that argv states, from the plain reading."""
    hints = {}
    flags = CONFIG_HINT_FLAGS if path[0] == "config" else HINT_FLAGS
    for flag, key in flags:
        value = _value(parsed, flag)
        if value:
            hints[key] = value
    if path[0] != "config":
        groups = [value for value in parsed.values("as-group") if value]
        if groups:
            hints["impersonate_groups"] = groups
    if parsed.has("all-namespaces"):
        hints["all_namespaces"] = _bool_flag(parsed, "all-namespaces", invalid=True)
    if COMMANDS[path][3] and parsed.has("dry-run"):
        hints["dry_run"] = _dry_run_hint(parsed)
    _scope_hint(hints, verdict)
    return hints


def _dry_run_hint(parsed):
    mode = _dry_run_mode(parsed, [])
    if mode == "invalid":
        return _value(parsed, "dry-run")
    return mode


def _scope_hint(hints, verdict):
    """Replace the namespace hint when the command reaches beyond one namespace."""
    if verdict.rule.endswith(".every-namespace") or hints.get("all_namespaces"):
        hints.pop("namespace", None)
        hints["scope"] = "all-namespaces"
    elif verdict.rule.endswith(".namespace") and verdict.command == ("delete",):
        hints.pop("namespace", None)
        hints["scope"] = "cluster"
