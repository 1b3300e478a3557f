"""Turn a verdict into a decision: allow, prompt or deny.

The trusted layers (the system file, then the user file) form one ordered
policy: their rules first, the user's before the system's, first match wins;
then their per-tool and global class tables; then the built-in default. Every
tighten-only layer (a project `.guardshim.toml`, GUARDSHIM_CONFIG, or the user
file under a locked system file) is evaluated on its own, and the strictest
decision of all wins, so such a layer can never loosen the policy.
"""

from guardshim.classes import LOCAL, PREVIEW, READ, SECRET, UNKNOWN, WRITE
from guardshim.globmatch import glob_match

ALLOW = "allow"
PROMPT = "prompt"
DENY = "deny"
DECISIONS = (ALLOW, PROMPT, DENY)

DEFAULT_POLICY = {
    READ: ALLOW,
    LOCAL: ALLOW,
    PREVIEW: PROMPT,
    SECRET: DENY,
    WRITE: DENY,
    UNKNOWN: PROMPT,
}

_TARGET_KEYS = ("context", "context_regex", "namespace", "workspace")


def strictness(decision, confirm="yes"):
    """Order decisions: allow, prompt, prompt that needs the target typed, deny."""
    if decision == ALLOW:
        return 0
    if decision == PROMPT:
        return 2 if confirm == "target" else 1
    return 3


class Decision:
    """The policy's decision for one verdict, and the rule that made it.

    `rule` names the origin: `default:<class>` for the built-in table, or a
    config file with the key, such as `/etc/guardshim/config.toml: rules[2]`.
    `message` is an optional text shown with a refusal; `confirm` is "yes" or
    "target" (the person types the target's name to approve).
    """

    __slots__ = ("decision", "rule", "message", "confirm")

    def __init__(self, decision, rule, message=None, confirm="yes"):
        self.decision = decision
        self.rule = rule
        self.message = message
        self.confirm = confirm

    def strictness(self):
        return strictness(self.decision, self.confirm)

    def __repr__(self):
        return f"Decision({self.decision!r}, rule={self.rule!r})"


class Facts:
    """The facts rules match against: the verdict, the working folder and the target.

    The target is resolved on first use only, because reading a kubeconfig is
    the one expensive step and most rules never need it.
    """

    __slots__ = ("verdict", "cwd", "_resolve_target", "_target")

    def __init__(self, verdict, cwd, resolve_target):
        self.verdict = verdict
        self.cwd = cwd
        self._resolve_target = resolve_target
        self._target = None

    @property
    def target(self):
        if self._target is None:
            self._target = self._resolve_target() if self._resolve_target else {}
        return self._target

    @property
    def target_resolved(self):
        return self._target is not None


def decide(verdict, settings, facts=None):
    """Return the Decision for `verdict` under `settings`.

    Argv can send the command to another cluster, server or user than its
    context names (`--cluster`, `--server`, `--user`, helm's
    `--kube-apiserver`). Rules written for that context name may then not fit,
    so the decision without the context competes and the stricter one wins.
    """
    facts = facts or Facts(verdict, None, None)
    decision = _decide_once(settings, facts)
    if facts.target_resolved and facts.target.get("endpoint"):
        without_context = dict(facts.target)
        without_context.pop("context", None)
        alternative = _decide_once(settings, Facts(verdict, facts.cwd, lambda: without_context))
        if alternative.strictness() > decision.strictness():
            decision = alternative
    return decision


def _decide_once(settings, facts):
    decision = _trusted_decision(settings.layers, facts)
    for layer in settings.tighten_layers:
        opinion = _layer_opinion(layer, facts)
        if opinion is not None and opinion.strictness() > decision.strictness():
            decision = opinion
    return decision


def table_decision(layers, tool, klass):
    """Return (decision, origin) from the class tables of `layers`, later layers first."""
    for layer in reversed(layers):
        tool_table = layer["tools"].get(tool, {}).get("policy", {})
        if klass in tool_table:
            return tool_table[klass], f"{layer['path']}: tools.{tool}.policy.{klass}"
        if klass in layer["policy"]:
            return layer["policy"][klass], f"{layer['path']}: policy.{klass}"
    return DEFAULT_POLICY[klass], f"default:{klass}"


def _trusted_decision(layers, facts):
    for layer in reversed(layers):
        decision = _first_matching_rule(layer, facts)
        if decision is not None:
            return decision
    decision, origin = table_decision(layers, facts.verdict.tool, facts.verdict.klass)
    return Decision(decision, origin)


def _layer_opinion(layer, facts):
    decision = _first_matching_rule(layer, facts)
    if decision is not None:
        return decision
    verdict = facts.verdict
    tool_table = layer["tools"].get(verdict.tool, {}).get("policy", {})
    if verdict.klass in tool_table:
        return Decision(
            tool_table[verdict.klass],
            f"{layer['path']}: tools.{verdict.tool}.policy.{verdict.klass}",
        )
    if verdict.klass in layer["policy"]:
        return Decision(
            layer["policy"][verdict.klass], f"{layer['path']}: policy.{verdict.klass}"
        )
    return None


def _first_matching_rule(layer, facts):
    for rule in layer["rules"]:
        if rule_matches(rule, facts):
            return Decision(
                rule["decision"],
                f"{layer['path']}: rules[{rule['index']}]",
                rule["message"],
                rule["confirm"],
            )
    return None


def rule_matches(rule, facts):
    """Return True when every criterion of `rule` holds for `facts`."""
    verdict = facts.verdict
    if "tool" in rule and verdict.tool not in rule["tool"]:
        return False
    if "class" in rule and verdict.klass not in rule["class"]:
        return False
    if "command" in rule and not _any_glob(rule["command"], " ".join(verdict.command)):
        return False
    if "cwd" in rule and not _any_glob(rule["cwd"], facts.cwd):
        return False
    if not any(key in rule for key in _TARGET_KEYS):
        return True
    return _target_matches(rule, facts.target)


def _target_matches(rule, target):
    if "context" in rule and not _any_glob(rule["context"], target.get("context")):
        return False
    if "context_regex" in rule:
        context = target.get("context")
        if context is None:
            return False
        import re

        if re.fullmatch(rule["context_regex"], context) is None:
            return False
    if "namespace" in rule and not _any_glob(rule["namespace"], target.get("namespace")):
        return False
    if "workspace" in rule and not _any_glob(rule["workspace"], target.get("workspace")):
        return False
    return True


def _any_glob(patterns, text):
    if text is None:
        return False
    return any(glob_match(pattern, text) for pattern in patterns)
