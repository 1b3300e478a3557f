"""Classify one invocation of a guarded tool with that tool's own grammar."""

TOOLS = ("terraform", "helm", "kubectl")


def classify(tool, argv, env, cache=None):
    """Return the Verdict for `tool` run with `argv` under the environment `env`.

    Only the grammar module of `tool` is imported, so a shim pays for one.
    `cache`, a LayerCache, keeps a parsed kuberc file between kubectl calls.
    """
    if tool == "kubectl":
        from guardshim.grammar import kubectl as grammar

        return _with_kuberc(grammar, list(argv), env, cache)
    elif tool == "helm":
        from guardshim.grammar import helm as grammar
    elif tool == "terraform":
        from guardshim.grammar import terraform as grammar
    else:
        raise ValueError(f"unknown tool {tool!r}: expected one of {', '.join(TOOLS)}")
    return grammar.classify(list(argv), env)


def _with_kuberc(grammar, argv, env, cache):
    """Classify a kubectl argv with every reading its kuberc file allows."""
    from guardshim.classes import DANGER
    from guardshim.kuberc import alternative_argvs, kuberc_path, load_preferences

    verdict = grammar.classify(argv, env)
    path = kuberc_path(verdict.hints, env)
    preferences = load_preferences(path, cache) if path else None
    if not preferences:
        return verdict
    chosen = verdict
    for alternative in alternative_argvs(argv, verdict.command, preferences):
        reading = grammar.classify(alternative, env)
        # kubectl applies a default only when argv lacks the option, so target
        # facts from kuberc fill in what argv left open.
        for key, value in reading.hints.items():
            chosen.hints.setdefault(key, value)
        if DANGER[reading.klass] > DANGER[chosen.klass]:
            reason = f"{reading.reason} (with the kuberc preferences in {path})"
            chosen = type(verdict)(
                verdict.tool, argv, reading.command, reading.klass, reason,
                reading.rule + ".kuberc", chosen.hints,
            )
    return chosen
