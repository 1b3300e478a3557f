"""Turn a verdict into a decision: allow, prompt or deny."""

from guardshim.classes import LOCAL, PREVIEW, READ, SECRET, UNKNOWN, WRITE

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


class Decision:
    """What the policy decided for one verdict, and which rule decided it.

    `rule` is `default:<class>` for the built-in table, or the config file and key
    that set it (`/home/me/.config/guardshim/config.toml: policy.preview`).
    `message` is an optional text shown with a refusal.
    """

    __slots__ = ("decision", "rule", "message")

    def __init__(self, decision, rule, message=None):
        self.decision = decision
        self.rule = rule
        self.message = message

    def __repr__(self):
        return f"Decision({self.decision!r}, rule={self.rule!r})"


def decide(verdict, settings):
    """Return the Decision for `verdict` under the loaded `settings`.

    A per-tool table wins over the global table, which wins over the built-in
    default policy.
    """
    tool_table = settings.tool_policy.get(verdict.tool, {})
    if verdict.klass in tool_table:
        decision, origin = tool_table[verdict.klass]
        return Decision(decision, origin)
    if verdict.klass in settings.policy:
        decision, origin = settings.policy[verdict.klass]
        return Decision(decision, origin)
    return Decision(DEFAULT_POLICY[verdict.klass], f"default:{verdict.klass}")
