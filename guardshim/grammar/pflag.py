"""Argument scanning with the rules of spf13/pflag and cobra, as helm and kubectl use them.

Facts from pflag's `flag.go` (parseArgs, parseLongArg, parseShortArg):

- `--name=value` sets a value; `--name value` takes the next word unless the flag
  has a no-option default (booleans, kubectl's and helm's `--dry-run`), which never
  takes the next word.
- `-n value`, `-nvalue` and `-n=value` set a shorthand's value. In a cluster such
  as `-it`, booleans are read one letter at a time until a value-taking letter,
  which takes the rest of the cluster, or the next word when it is the last letter.
- A lone `-` is a positional argument and `--` ends flag parsing.
- Flags and positional arguments may be interspersed.

Unknown flags make the real tool fail before it runs anything. The scanner treats
them as booleans, which keeps every following word as a positional argument.
"""


class FlagSpec:
    """The flags a command accepts, split by how they take a value.

    `values` and `optional` map a long name to its shorthand letter or None.
    `optional` flags have a no-option default: they take a value only after `=`.
    `bools` maps boolean long names to their shorthand letter or None.
    """

    __slots__ = ("values", "optional", "bools", "short_to_long")

    def __init__(self, values=None, optional=None, bools=None):
        self.values = dict(values or {})
        self.optional = dict(optional or {})
        self.bools = dict(bools or {})
        self.short_to_long = {}
        for table in (self.values, self.optional, self.bools):
            for long_name, short in table.items():
                if short:
                    self.short_to_long[short] = long_name

    def merged(self, other):
        """Return a spec with the flags of both; `other` wins when both name a flag."""
        tables = [{}, {}, {}]
        for spec in (self, other):
            for kind, table in enumerate((spec.values, spec.optional, spec.bools)):
                for long_name, short in table.items():
                    for known in tables:
                        known.pop(long_name, None)
                    tables[kind][long_name] = short
        return FlagSpec(*tables)

    def takes_next_word(self, long_name):
        return long_name in self.values


class Parsed:
    """The result of a scan.

    `flags` lists `(name, value)` in argv order, with shorthands mapped to their
    long name when the spec knows it; `value` is None for a flag given bare.
    `positionals` holds the words before `--`, `after_dashdash` the words after.
    `missing_value` names a value-taking flag that ended argv without its value.
    """

    __slots__ = (
        "flags",
        "positionals",
        "after_dashdash",
        "dashdash",
        "missing_value",
        "_last_index",
    )

    def __init__(self):
        self.flags = []
        self.positionals = []
        self.after_dashdash = []
        self.dashdash = False
        self.missing_value = None
        self._last_index = None

    def has(self, *names):
        index = self._index()
        return any(name in index for name in names)

    def last(self, *names, default=None):
        """Return `(name, value)` of the last occurrence of any of `names`."""
        index = self._index()
        positions = [index[name] for name in names if name in index]
        if not positions:
            return default
        return self.flags[max(positions)]

    def values(self, *names):
        """Return every value given to any of `names`, in argv order."""
        return [value for name, value in self.flags if name in names]

    def _index(self):
        # Rules ask for the last occurrence of a few flags; an index of each
        # flag's last position keeps that constant-time for 100,000 flags.
        if self._last_index is None:
            self._last_index = {name: position for position, (name, _) in enumerate(self.flags)}
        return self._last_index


def scan(argv, spec):
    """Scan `argv` as pflag would parse it with the flags of `spec`."""
    parsed = Parsed()
    index = 0
    count = len(argv)
    while index < count:
        word = argv[index]
        index += 1
        if len(word) < 2 or word[0] != "-":
            parsed.positionals.append(word)
        elif word == "--":
            parsed.dashdash = True
            parsed.after_dashdash = list(argv[index:])
            break
        elif word[1] == "-":
            index = _scan_long(word, argv, index, spec, parsed)
        else:
            index = _scan_short(word, argv, index, spec, parsed)
    return parsed


def _scan_long(word, argv, index, spec, parsed):
    name, equals, value = word[2:].partition("=")
    if equals:
        parsed.flags.append((name, value))
    elif name in spec.values:
        if index < len(argv):
            parsed.flags.append((name, argv[index]))
            return index + 1
        parsed.missing_value = name
        parsed.flags.append((name, None))
    else:
        parsed.flags.append((name, None))
    return index


def _scan_short(word, argv, index, spec, parsed):
    # Walk the cluster by position: slicing it once per letter would make a long
    # cluster such as a 1 MiB `-vvvv...` quadratic.
    position = 1
    length = len(word)
    while position < length:
        letter = word[position]
        name = spec.short_to_long.get(letter, letter)
        if length - position > 2 and word[position + 1] == "=":
            parsed.flags.append((name, word[position + 2 :]))
            return index
        if name in spec.values:
            if position + 1 < length:
                parsed.flags.append((name, word[position + 1 :]))
            elif index < len(argv):
                parsed.flags.append((name, argv[index]))
                index += 1
            else:
                parsed.missing_value = name
                parsed.flags.append((name, None))
            return index
        parsed.flags.append((name, None))
        position += 1
    return index


def command_words(argv, spec):
    """Return the words cobra uses to find the subcommand, as its stripFlags does.

    Before the subcommand is known, cobra assumes that any long flag without `=`
    takes the next word unless the flag is known to have a no-option default,
    and likewise for a two-letter shorthand: `kubectl -n apply get pods` looks
    up `get`. A value flag with only one word left ends the lookup. Scanning
    stops at `--`.
    """
    words = []
    index = 0
    count = len(argv)
    while index < count:
        word = argv[index]
        index += 1
        if word == "--":
            break
        if word.startswith("--") and "=" not in word:
            if _has_no_option_default(word[2:], spec):
                continue
            if count - index <= 1:
                break
            index += 1
        elif word.startswith("-") and "=" not in word and len(word) == 2:
            long_name = spec.short_to_long.get(word[1])
            if long_name is not None and _has_no_option_default(long_name, spec):
                continue
            if count - index <= 1:
                break
            index += 1
        elif word and not word.startswith("-"):
            words.append(word)
    return words


def _has_no_option_default(long_name, spec):
    return long_name in spec.bools or long_name in spec.optional


def chain_end_flags(argv, unknown):
    """Return the entries of `unknown` whose flag is not followed by another of them.

    `unknown` maps the names of flags a spec does not know to their shorthand
    or None. Here an unknown flag takes a value only when the next word is not
    another unknown flag. Neither the all-boolean nor the all-value reading
    covers that mix: in `--new-a --new-b -h`, `--new-b` may take `-h` as its
    value while `--new-a` is a boolean.
    """
    chosen = {}
    for index in range(len(argv) - 1):
        word = argv[index]
        if word == "--":
            break
        name = _bare_flag_name(word)
        if name in unknown and _bare_flag_name(argv[index + 1]) not in unknown:
            chosen[name] = unknown[name]
    return chosen


def _bare_flag_name(word):
    """Return the name of a flag word without `=`, such as `x` for `--x` or `-x`."""
    if "=" in word or len(word) < 2 or word[0] != "-" or word == "--":
        return None
    if word[1] == "-":
        return word[2:]
    return word[1:] if len(word) == 2 else None
