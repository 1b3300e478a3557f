"""Find the target of a command the way the real tool finds it.

Only the prompt and the audit record of a prompted or refused command need the
target, so nothing here runs on the plain allow path, and the YAML parser is
imported only when a kubeconfig must be read.
"""

import os


def resolve_target(verdict, environ, cwd):
    """Return a dict describing what the command acts on; empty when nothing applies."""
    if verdict.tool == "terraform":
        return terraform_target(verdict.hints, environ, cwd)
    return kube_target(verdict.tool, verdict.hints, environ)


def terraform_target(hints, environ, cwd):
    """Return the terraform working folder and workspace.

    The workspace is TF_WORKSPACE when set and non-empty, else the content of
    `<data dir>/environment`, where the data dir is TF_DATA_DIR relative to the
    working folder or `.terraform`, else `default`.
    """
    folder = os.path.normpath(os.path.join(cwd, hints.get("chdir") or "."))
    workspace = environ.get("TF_WORKSPACE") or _read_workspace_file(folder, environ)
    return {"folder": folder, "workspace": workspace or "default"}


def _read_workspace_file(folder, environ):
    data_dir = os.path.join(folder, environ.get("TF_DATA_DIR") or ".terraform")
    try:
        with open(os.path.join(data_dir, "environment"), encoding="utf-8") as stream:
            return stream.read().strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def kube_target(tool, hints, environ):
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
    if context and namespace:
        return _kube_target(context, namespace, scope)

    config = load_kubeconfig(kubeconfig_paths(hints, environ))
    context = context or config.get("current-context") or None
    namespace = namespace or _context_namespace(config, context) or "default"
    return _kube_target(context, namespace, scope)


def _kube_target(context, namespace, scope):
    target = {"namespace": namespace}
    if context:
        target["context"] = context
    if scope:
        target["scope"] = scope
    return target


def kubeconfig_paths(hints, environ):
    """Return the kubeconfig files in the order client-go merges them."""
    if hints.get("kubeconfig"):
        return [hints["kubeconfig"]]
    listed = environ.get("KUBECONFIG")
    if listed:
        return [path for path in listed.split(os.pathsep) if path]
    home = environ.get("HOME") or os.path.expanduser("~")
    return [os.path.join(home, ".kube", "config")]


def load_kubeconfig(paths):
    """Merge kubeconfig files: for each top-level key the first file that sets it wins.

    `contexts` are merged by name, again first file wins. Unreadable or invalid
    files are skipped, as kubectl skips missing ones.
    """
    merged = {"contexts": {}}
    for path in paths:
        document = _read_yaml(path)
        if not isinstance(document, dict):
            continue
        if "current-context" not in merged and document.get("current-context"):
            merged["current-context"] = str(document["current-context"])
        for entry in document.get("contexts") or ():
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                merged["contexts"].setdefault(entry["name"], entry.get("context") or {})
    return merged


def _read_yaml(path):
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
    entry = config["contexts"].get(context) if context else None
    if isinstance(entry, dict) and isinstance(entry.get("namespace"), str):
        return entry["namespace"] or None
    return None


def describe_target(target):
    """Return the target as short text, such as `context prod, namespace web`."""
    parts = []
    for key in ("context", "namespace", "scope", "folder", "workspace"):
        if target.get(key):
            parts.append(f"{key} {target[key]}")
    return ", ".join(parts)
