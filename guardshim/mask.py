"""Mask secret values in argv before it reaches the audit log, a prompt or a message.

Every shim call masks its argv, so this module imports nothing and makes one pass.
Masking errs on the side of hiding: a flag whose name says it carries a secret is
masked even when guardshim does not know the flag.
"""

MASK = "***"

# Flags whose whole value is secret. Names without leading dashes.
_SECRET_VALUE_FLAGS = frozenset(
    {
        "token",
        "kube-token",
        "password",
        "docker-password",
        "client-key",
        "client-key-data",
        "token-data",
        "access-token",
        "auth-token",
        "api-key",
        "secret",
        "client-secret",
    }
)

# Flags whose value is `key=value`: the key stays, the value is masked.
_KEY_VALUE_FLAGS = frozenset(
    {
        "set",
        "set-string",
        "set-json",
        "set-literal",
        "var",
        "from-literal",
        "auth-provider-arg",
        "exec-env",
    }
)

# Short flags of the guarded tools that take a password (helm registry login -p,
# helm repo add -p is not a shorthand there, but `-p` is the usual one).
_SECRET_SHORT_FLAGS = {"helm": frozenset({"p"})}

# Flags named like this carry a secret even when they are not in the tables above.
_SECRET_NAME_PARTS = ("password", "token", "secret", "private-key", "passphrase")

# Boolean flags whose names contain a secret-looking part but take no value.
_BOOLEAN_LOOKALIKES = frozenset({"password-stdin", "insecure-skip-tls-verify"})


# `kubectl config set users.<name>.<field> VALUE` sets a credential positionally.
_KUBECONFIG_USER_PREFIX = "users."


def mask_argv(tool, argv):
    """Return a copy of `argv` with secret values replaced by `***`."""
    masked = []
    mask_next = None
    secret_shorts = _SECRET_SHORT_FLAGS.get(tool, frozenset())
    for word in argv:
        if mask_next is not None:
            masked.append(mask_next(word))
            mask_next = None
            continue
        masked_word, mask_next = _mask_word(word, secret_shorts)
        if mask_next is None and word.startswith(_KUBECONFIG_USER_PREFIX):
            mask_next = _kubeconfig_property_masker(word)
        masked.append(masked_word)
    return masked


def mask_hints(tool, hints):
    """Return a copy of a verdict's `hints` with secret values masked.

    terraform's verdict stores the words it read from TF_CLI_ARGS* under
    `injected`, and those may hold `-var` values. Any other value may be a URL
    with credentials, such as `--server https://user:password@host`.
    """
    masked = {}
    for key, value in hints.items():
        if key == "injected":
            masked[key] = mask_argv(tool, list(value))
        else:
            masked[key] = mask_values(value)
    return masked


def mask_values(value):
    """Mask URL credentials in a str, or in each str of a list, tuple or dict."""
    if isinstance(value, str):
        return mask_url_credentials(value)
    if isinstance(value, (list, tuple)):
        return [mask_values(item) for item in value]
    if isinstance(value, dict):
        return {key: mask_values(item) for key, item in value.items()}
    return value


def _kubeconfig_property_masker(word):
    field = word.rpartition(".")[2]
    if field.startswith(("client-key", "token")) or any(
        part in field for part in _SECRET_NAME_PARTS
    ):
        return _mask_whole
    return None


def _mask_word(word, secret_shorts):
    """Mask one word; return it and the masker for the next word, if it is a value."""
    if len(word) < 2 or word[0] != "-" or word == "--":
        return mask_url_credentials(word), None

    name, equals, value = word.lstrip("-").partition("=")
    dashes = word[: len(word) - len(word.lstrip("-"))]
    if len(dashes) == 1 and len(name) > 1 and name[0] in secret_shorts and not equals:
        # A glued short flag such as `-phunter2`.
        return f"-{name[0]}{MASK}", None

    masker = _value_masker(name, secret_shorts if len(dashes) == 1 else ())
    if masker is None:
        return mask_url_credentials(word), None
    if equals:
        return f"{dashes}{name}={masker(value)}", None
    return word, masker


def _value_masker(name, secret_shorts):
    if name == "backend-config":
        return _mask_backend_config
    if name in _KEY_VALUE_FLAGS:
        return mask_key_values
    if name in _SECRET_VALUE_FLAGS or name in secret_shorts:
        return _mask_whole
    if name in _BOOLEAN_LOOKALIKES:
        return None
    if any(part in name for part in _SECRET_NAME_PARTS):
        return _mask_whole
    return None


def _mask_whole(value):
    return MASK


def _mask_backend_config(value):
    # terraform init -backend-config takes a file path or a key=value pair.
    return mask_key_values(value) if "=" in value else value


def mask_key_values(value):
    """Mask each value of a `k=v,k2=v2` list; a part without `=` is masked whole."""
    parts = []
    for part in value.split(","):
        key, equals, _ = part.partition("=")
        parts.append(f"{key}={MASK}" if equals else MASK)
    return ",".join(parts)


def mask_url_credentials(word):
    """Replace the password in every `scheme://user:password@host` inside `word`."""
    start = word.find("://")
    if start < 0:
        return word
    pieces = []
    while start >= 0:
        authority_start = start + 3
        end = authority_start
        while end < len(word) and word[end] not in "/?# \t'\"":
            end += 1
        authority = word[authority_start:end]
        at = authority.rfind("@")
        if at >= 0:
            user, colon, _ = authority[:at].partition(":")
            authority = f"{user}:{MASK}{authority[at:]}" if colon else (
                f"{MASK}{authority[at:]}"
            )
        pieces.append(word[:authority_start] + authority)
        word = word[end:]
        start = word.find("://")
    pieces.append(word)
    return "".join(pieces)
