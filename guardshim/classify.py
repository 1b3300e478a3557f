"""Classify one invocation of a guarded tool with that tool's own grammar."""

TOOLS = ("terraform", "helm", "kubectl")


def classify(tool, argv, env):
    """Return the Verdict for `tool` run with `argv` under the environment `env`.

    Only the grammar module of `tool` is imported, so a shim pays for one.
    """
    if tool == "kubectl":
        from guardshim.grammar import kubectl as grammar
    elif tool == "helm":
        from guardshim.grammar import helm as grammar
    elif tool == "terraform":
        from guardshim.grammar import terraform as grammar
    else:
        raise ValueError(f"unknown tool {tool!r}: expected one of {', '.join(TOOLS)}")
    return grammar.classify(list(argv), env)
