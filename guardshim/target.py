"""Find the target of a command the way the real tool finds it.

Only the prompt and the audit record of a prompted or refused command need the
target, so nothing here runs on the plain allow path, and the YAML parser is
imported only when a kubeconfig must be read.
"""

from guardshim import fastos
from guardshim.mask import mask_url_credentials


def resolve_target(verdict, environ, cwd, cache=None):
    """Return a dict describing what the command acts on; empty when nothing applies.

    `cache`, a LayerCache, keeps parsed kubeconfig files between calls.
    """
    if verdict.tool == "terraform":
        return terraform_target(verdict.hints, environ, cwd)
    return kube_target(verdict.tool, verdict.hints, environ, cache)


def terraform_target(hints, environ, cwd):
    """Return the terraform working folder and workspace.

    The workspace is TF_WORKSPACE when set and non-empty, else the content of
    `<data dir>/environment`, where the data dir is TF_DATA_DIR relative to the
    working folder or `.terraform`, else `default`.
    """
    folder = fastos.absolute(fastos.join(cwd, hints.get("chdir") or "."))
    workspace = environ.get("TF_WORKSPACE") or _read_workspace_file(folder, environ)
    return {"folder": folder, "workspace": workspace or "default"}


def _read_workspace_file(folder, environ):
    data_dir = fastos.join(folder, environ.get("TF_DATA_DIR") or ".terraform")
    try:
        with open(fastos.join(data_dir, "environment"), encoding="utf-8") as stream:
            return stream.read().strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def kube_target(tool, hints, environ, cache=None):
    """Return the kube context and namespace of a kubectl or helm command.

    Context: the flag (`--context`, helm's `--kube-context`), then for helm
    HELM_KUBECONTEXT, then the `current-context` of the kubeconfig. Namespace:
    the flag, then for helm HELM_NAMESPACE, then the context's namespace, then
    `default`.
    """
    if tool == "helm":
        context = hints.get("kube_context") or environ.get("HELM_KUBECONTEXT")
        namespace = hints.get("namespace") or environ.get("HELM_NAMESPACE")
    else:
        context = hints.get("context")
        namespace = hints.get("namespace")
    scope = hints.get("scope")
    if scope:
        # The command reaches beyond one namespace (`-A`, `delete ns --all`, or
        # deleting a namespace), so no namespace may be claimed for it: "*"
        # matches only a rule written for every namespace.
        namespace = "*"
    endpoint = _endpoint_override(hints)
    if context and namespace:
        return _kube_target(context, namespace, scope, endpoint)

    config = load_kubeconfig(kubeconfig_paths(hints, environ), cache)
    context = context or config.get("current-context") or None
    namespace = namespace or _context_namespace(config, context) or "default"
    return _kube_target(context, namespace, scope, endpoint)


def _kube_target(context, namespace, scope, endpoint=None):
    target = {"namespace": namespace}
    if context:
        target["context"] = context
    if scope:
        target["scope"] = scope
    if endpoint:
        target["endpoint"] = endpoint
    return target


def _endpoint_override(hints):
    """Return the cluster, server or user that argv sets over the context, as text."""
    parts = []
    for key in ("cluster", "server", "kube_apiserver", "user"):
        if hints.get(key):
            value = mask_url_credentials(str(hints[key]))
            parts.append(f"{key.replace('kube_apiserver', 'server')} {value}")
    return ", ".join(parts) or None


def kubeconfig_paths(hints, environ):
    """Return the kubeconfig files in the order client-go merges them."""
    if hints.get("kubeconfig"):
        return [hints["kubeconfig"]]
    listed = environ.get("KUBECONFIG")
    if listed:
        return [path for path in listed.split(fastos.PATHSEP) if path]
    home = environ.get("HOME")
    if not home:
        import os

        home = os.path.expanduser("~")
    return [fastos.join(home, ".kube", "config")]


def load_kubeconfig(paths, cache=None):
    """Merge kubeconfig files: for each top-level key the first file that sets it wins.

    Contexts are merged by name, again first file wins, and each keeps only its
    namespace. Unreadable or invalid files are skipped, as kubectl skips missing
    ones. With a LayerCache, each file's summary is cached by its stamp, so a
    later call does not import the YAML parser.
    """
    merged = {"contexts": {}}
    for path in paths:
        summary = _kubeconfig_summary(path, cache)
        if summary is None:
            continue
        if "current-context" not in merged and summary["current-context"]:
            merged["current-context"] = summary["current-context"]
        for name, namespace in summary["contexts"].items():
            merged["contexts"].setdefault(name, namespace)
    if cache is not None:
        cache.save()
    return merged


def _kubeconfig_summary(path, cache):
    from guardshim.policycache import file_stamp

    try:
        stamp = file_stamp(fastos.stat(path))
    except (OSError, ValueError):
        return None
    if cache is not None:
        summary = cache.get(path, stamp, "kubeconfig", None)
        if summary is not None:
            return summary
    summary = _summarize(read_yaml(path))
    if cache is not None:
        cache.put(path, stamp, "kubeconfig", None, summary)
    return summary


def _summarize(document):
    """Return the current context and each context's namespace of a kubeconfig."""
    summary = {"current-context": None, "contexts": {}}
    if not isinstance(document, dict):
        return summary
    current = document.get("current-context")
    if current:
        summary["current-context"] = str(current)
    for entry in document.get("contexts") or ():
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        context = entry.get("context")
        namespace = context.get("namespace") if isinstance(context, dict) else None
        summary["contexts"].setdefault(
            entry["name"], namespace if isinstance(namespace, str) and namespace else None
        )
    return summary


def read_yaml(path):
    """Return the YAML document in the file at `path`, or None when unreadable or invalid."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError:
        return None
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(data, Loader=loader)
    except yaml.YAMLError:
        return None


def _context_namespace(config, context):
    return config["contexts"].get(context) if context else None


def describe_target(target):
    """Return the target as short text, such as `context prod, namespace web`."""
    parts = []
    for key in ("context", "endpoint", "namespace", "scope", "folder", "workspace"):
        if target.get(key):
            parts.append(f"{key} {target[key]}")
    return ", ".join(parts)
