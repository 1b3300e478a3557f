"""Apply kubectl's kuberc preferences before a kubectl command is classified.

A kuberc file (kubectl 1.33 and later; `kubectl.config.k8s.io/v1beta1`, or
`v1alpha1` with `overrides` and `flags`) sets default options per command and
defines aliases. kubectl applies a default only when argv lacks that option, so
`kubectl get secret x` prints Secret data once kuberc sets `output: yaml` for
`get`, and `kubectl rm pod x` may be an alias of `delete`. The file is found as
kubectl finds it: `--kuberc PATH`, else KUBERC (`off` turns it off), else
`~/.kube/kuberc`; KUBECTL_KUBERC=false turns the feature off.

Each reading that kuberc allows is classified and the most dangerous one wins.
Parsed files are cached by their stamp like config files, so the YAML parser is
imported only when a kuberc file changed.
"""

from guardshim import fastos

_KINDS = ("defaults", "overrides")
_OPTION_KEYS = ("options", "flags")


def kuberc_path(hints, environ):
    """Return the kuberc file kubectl would read, or None when it reads none."""
    if environ.get("KUBECTL_KUBERC") == "false":
        return None
    if hints.get("kuberc"):
        return hints["kuberc"]
    chosen = environ.get("KUBERC")
    if chosen == "off":
        return None
    if chosen:
        return chosen
    home = environ.get("HOME")
    return fastos.join(home, ".kube", "kuberc") if home else None


def alternative_argvs(argv, command, preferences):
    """Return the argvs kubectl may run for `argv` under `preferences`.

    `command` contains the subcommand words the grammar found. A default option
    is added as `--name=value`; an alias is expanded to its command with its
    arguments and options. Options are placed before a `--`.
    """
    readings = []
    defaults = preferences["defaults"].get(" ".join(command))
    if defaults:
        given = _given_options(argv)
        missing = [option for option in defaults if option[0] not in given]
        if missing:
            readings.append(_with_options(argv, missing))
    if len(command) == 1 and command[0] in preferences["aliases"]:
        readings.append(_expand_alias(argv, command[0], preferences["aliases"][command[0]]))
    return readings


def load_preferences(path, cache):
    """Return the defaults and aliases of the kuberc file at `path`, or None."""
    from guardshim.policycache import file_stamp

    try:
        stamp = file_stamp(fastos.stat(path))
    except (OSError, ValueError):
        return None
    if cache is not None:
        cached = cache.get(path, stamp, "kuberc", None)
        if cached is not None:
            return cached
    from guardshim.target import read_yaml

    preferences = _summarize(read_yaml(path))
    if cache is not None:
        cache.put(path, stamp, "kuberc", None, preferences)
        cache.save()
    return preferences


# kubectl's usual shorthands, so that `-o name` counts as giving `output`. An
# option whose shorthand is missing here is treated as not given, which can
# only add a reading.
_SHORTHANDS = {
    "o": "output",
    "n": "namespace",
    "l": "selector",
    "f": "filename",
    "k": "kustomize",
    "A": "all-namespaces",
    "R": "recursive",
    "c": "container",
    "i": "stdin",
    "t": "tty",
}


def _given_options(argv):
    """Return the long names of the options that argv sets before `--`."""
    given = set()
    for word in argv:
        if word == "--":
            break
        if word.startswith("--"):
            given.add(word[2:].partition("=")[0])
        elif word.startswith("-") and len(word) > 1:
            given.add(_SHORTHANDS.get(word[1], word[1]))
    return given


def _with_options(argv, options):
    words = [f"--{name}={value}" for name, value in options]
    if "--" in argv:
        split = argv.index("--")
        return argv[:split] + words + argv[split:]
    return list(argv) + words


def _expand_alias(argv, name, alias):
    position = argv.index(name) if name in argv else 0
    rest = argv[:position] + argv[position + 1 :]
    expanded = alias["command"].split() + alias["prepend"] + rest
    expanded = _with_options(expanded, alias["options"])
    return expanded + alias["append"]


def _summarize(document):
    preferences = {"defaults": {}, "aliases": {}}
    if not isinstance(document, dict):
        return preferences
    for kind in _KINDS:
        for entry in _entries(document.get(kind)):
            command = entry.get("command")
            if isinstance(command, str) and command.strip():
                options = _options(entry)
                preferences["defaults"].setdefault(" ".join(command.split()), options)
    for entry in _entries(document.get("aliases")):
        name, command = entry.get("name"), entry.get("command")
        if isinstance(name, str) and isinstance(command, str) and command.strip():
            preferences["aliases"].setdefault(
                name,
                {
                    "command": " ".join(command.split()),
                    "options": _options(entry),
                    "prepend": _strings(entry.get("prependArgs")),
                    "append": _strings(entry.get("appendArgs")),
                },
            )
    return preferences


def _entries(value):
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def _options(entry):
    options = []
    for key in _OPTION_KEYS:
        for option in _entries(entry.get(key)):
            name = option.get("name")
            if isinstance(name, str) and name:
                options.append([name, str(option.get("default", ""))])
    return options


def _strings(value):
    return [str(item) for item in value] if isinstance(value, list) else []

