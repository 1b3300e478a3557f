"""Shell-style glob matching without the `re` module.

`fnmatch` compiles every pattern to a regular expression, and importing `re`
costs a shim more than its whole policy check. This matcher supports what rules
need: `*` (any run of characters, `/` included), `?` (one character), `[abc]`,
`[a-z]` and `[!abc]`. Matching is case-sensitive, like kube context names.
"""


class GlobError(ValueError):
    """A pattern that cannot be matched, such as an unclosed `[`."""


def check_glob(pattern):
    """Raise GlobError when `pattern` has an unclosed or empty character class."""
    index = 0
    while index < len(pattern):
        if pattern[index] == "[":
            end = _class_end(pattern, index)
            if end < 0:
                raise GlobError(f"unclosed '[' at position {index + 1}")
            index = end
        index += 1


def glob_match(pattern, text):
    """Return True when `text` matches the whole `pattern`."""
    if "*" not in pattern and "?" not in pattern and "[" not in pattern:
        return pattern == text
    return _match(pattern, 0, text, 0)


def _match(pattern, p, text, t):
    # Iterative matching with one backtrack point for the last `*`, which keeps
    # the work linear in practice and never recurses deeply.
    star_p = -1
    star_t = 0
    while t < len(text):
        if p < len(pattern):
            token = pattern[p]
            if token == "*":
                star_p = p
                star_t = t
                p += 1
                continue
            if token == "?":
                p += 1
                t += 1
                continue
            end = _class_end(pattern, p) if token == "[" else -1
            if end >= 0:
                if _class_matches(pattern[p + 1 : end], text[t]):
                    p = end + 1
                    t += 1
                    continue
            elif token == text[t]:
                p += 1
                t += 1
                continue
        if star_p < 0:
            return False
        star_t += 1
        t = star_t
        p = star_p + 1
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)


def _class_end(pattern, start):
    """Return the index of the `]` closing the class that starts at `start`, or -1."""
    index = start + 1
    if index < len(pattern) and pattern[index] == "!":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    while index < len(pattern):
        if pattern[index] == "]":
            return index
        index += 1
    return -1


def _class_matches(body, character):
    negated = body.startswith("!")
    if negated:
        body = body[1:]
    found = False
    index = 0
    while index < len(body):
        if index + 2 < len(body) and body[index + 1] == "-":
            if body[index] <= character <= body[index + 2]:
                found = True
            index += 3
        else:
            if body[index] == character:
                found = True
            index += 1
    return found != negated
