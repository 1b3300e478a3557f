"""Check that guardshim and the layers behind it hold in the current environment.

Each check is a plain function that returns `Check` rows with a status of ok,
warn or fail and the fix. `run_checks` runs them all. Nothing here writes a
file: the audit log is opened for append and closed, or its folder inspected.

What doctor can see: the environment it runs in (PATH, exported bash functions,
credential variables), the files of the user it runs as, and the clusters that
the agent's kubeconfig names. What it cannot see: aliases and unexported
functions of the shell that started it, and that shell's table of cached
command paths, unless `type` output from that shell is passed in.
"""

import ast
import configparser
import json
import os
import re
import subprocess
from dataclasses import asdict, dataclass

from guardshim import profile as profiles
from guardshim import realbin, render
from guardshim.classify import TOOLS
from guardshim.config import ConfigError, default_locations, load_settings

OK = "ok"
WARN = "warn"
FAIL = "fail"

SECTION_SHIMS = "guardshim"
SECTION_AGENT_ENV = "agent env"
SECTION_CREDENTIALS = "credentials"
SECTION_KUBERNETES = "kubernetes"

CAN_I_VERBS = ("create", "patch", "delete")
CAN_I_RESOURCES = (
    "pods",
    "deployments",
    "secrets",
    "services",
    "configmaps",
    "namespaces",
)
# Each context costs up to 1 + 3 * 6 kubectl calls, so a kubeconfig with many
# contexts is checked only up to this count; --context names the others.
MAX_CONTEXTS = 10
KUBECTL_REQUEST_TIMEOUT = "5s"
# One `auth can-i` makes several requests (discovery, then the review), each
# bounded by --request-timeout; this bounds the whole call.
KUBECTL_CALL_TIMEOUT = 20
_MAX_CREDENTIAL_FILE_BYTES = 1024 * 1024
_MAX_ERROR_CHARS = 200

_READ_ONLY_PROFILE_FIX = (
    "give agent sessions a dedicated read-only profile: set AWS_PROFILE (gcloud: "
    "CLOUDSDK_ACTIVE_CONFIG_NAME) in [agent.env] and start the agent with "
    "`guardshim run -- AGENT` or from a new shell"
)
_RBAC_FIX = (
    "bind the agent's identity only to a read-only role, for example "
    "`guardshim rbac --group GROUP --namespace NS | kubectl apply -f -`, and "
    "remove its other bindings"
)


@dataclass(frozen=True)
class Check:
    """One row of the report: what was checked, its status and the fix."""

    section: str
    name: str
    status: str
    detail: str
    fix: str = ""

    def as_dict(self):
        return asdict(self)


@dataclass
class Installation:
    """The shim folder, profile and settings that install left, as far as found."""

    state: dict
    shim_dir: str
    profile: str
    locations: dict
    settings: object
    config_error: object


def find_installation(environ):
    """Return the Installation that the current user's files describe.

    The config and audit locations come from an installed shim when one
    exists, because the shims use those. Otherwise they are the defaults for
    `environ`.
    """
    from guardshim.cli.install import load_install_state

    state = load_install_state(environ)
    defaults = default_locations(environ)
    shim_dir = state.get("shim_dir") or defaults["shim_dir"]
    locations = None
    for tool in TOOLS:
        parsed = read_shim(os.path.join(shim_dir, tool))
        if parsed is not None:
            locations = parsed[0]
            break
    if locations is None:
        locations = dict(defaults, shim_dir=shim_dir)
    settings, config_error = None, None
    try:
        # The shims also read the project file of their working folder and
        # GUARDSHIM_CONFIG, so those are checked for the current folder.
        settings = load_settings(locations, environ, os.getcwd())
    except ConfigError as error:
        config_error = error
    return Installation(
        state, shim_dir, state.get("profile"), locations, settings, config_error
    )


def agent_environment(environ, installation):
    """Return `environ` with the [agent.env] variables of the config applied."""
    agent = dict(environ)
    if installation.settings is not None:
        agent.update(configured_agent_env(installation.settings))
    return agent


def configured_agent_env(settings):
    """Return the [agent.env] variables with a leading `~/` expanded."""
    return profiles.expand_agent_env(settings.agent_env, settings.home)


def run_checks(
    environ,
    shell_text=None,
    contexts=None,
    check_clusters=True,
    runner=subprocess.run,
    shell_start_time=None,
):
    """Run every check and return the rows in report order."""
    installation = find_installation(environ)
    agent_environ = agent_environment(environ, installation)
    rows = [check_config(installation)]
    rows.extend(check_shims(installation, environ))
    rows.extend(check_profile_blocks(installation))
    rows.append(check_audit_log(installation))
    rows.extend(check_shell_functions(environ, shell_text, installation.shim_dir))
    if shell_start_time is None:
        shell_start_time = parent_start_time()
    rows.append(check_command_cache(installation.shim_dir, shell_start_time))
    rows.extend(check_agent_env(installation, environ))
    rows.append(check_aws_environment(agent_environ))
    rows.append(check_aws_profile(agent_environ))
    rows.append(check_google_credentials(agent_environ))
    if check_clusters:
        rows.extend(check_rbac(installation, agent_environ, contexts, runner))
    return rows


# --- layer 1: shims, profile, config, audit log -------------------------------


def check_config(installation):
    if installation.config_error is not None:
        error = installation.config_error
        return Check(SECTION_SHIMS, "config", FAIL, f"invalid: {error}", f"{error.hint}.")
    loaded = [f"{path} ({kind})" for path, kind in installation.settings.loaded_files]
    detail = f"valid: {', '.join(loaded)}" if loaded else "no config file; defaults apply"
    return Check(SECTION_SHIMS, "config", OK, detail)


def read_shim(path):
    """Return (locations, interpreter) fixed in the shim at `path`, or None.

    None means the file is missing, is no guardshim shim, or cannot be parsed.
    """
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except (OSError, UnicodeDecodeError):
        return None
    if realbin.MARKER.decode() not in text[:512]:
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    locations = None
    for node in ast.walk(tree):
        is_main_call = (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "main"
            and len(node.args) == 2
        )
        if is_main_call:
            try:
                locations = ast.literal_eval(node.args[1])
            except ValueError:
                return None
    interpreter = _shim_interpreter(text)
    if not isinstance(locations, dict) or interpreter is None:
        return None
    return locations, interpreter


def _shim_interpreter(text):
    lines = text.split("\n", 2)
    if lines[0] == "#!/bin/sh" and len(lines) > 1:
        found = re.match(r"''''exec \"(.*)\" -IS ", lines[1])
        return found.group(1) if found else None
    if lines[0].startswith("#!") and lines[0].endswith(" -IS"):
        return lines[0][2 : -len(" -IS")]
    return None


def first_on_path(tool, path_variable):
    """Return the file that `execvp` would run for `tool`, or None."""
    for entry in path_variable.split(os.pathsep):
        candidate = os.path.join(entry or ".", tool)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    return None


def check_shims(installation, environ):
    """Check, for each tool, the first match on PATH and the real binary behind it."""
    rows = []
    for tool in TOOLS:
        first = first_on_path(tool, environ.get("PATH", ""))
        rows.append(_check_first_match(tool, first, installation, environ))
        rows.append(_check_real_binary(tool, first, installation, environ))
    return rows


def _check_first_match(tool, first, installation, environ):
    name = f"{tool} on PATH"
    if first is None:
        return Check(
            SECTION_SHIMS, name, FAIL, f"no {tool} on PATH",
            "run `guardshim install`, then start a new shell",
        )
    if not realbin.is_shim_file(first):
        return Check(
            SECTION_SHIMS, name, FAIL,
            f"PATH finds {first} first, not the guardshim shim",
            _path_fix(installation, environ),
        )
    parsed = read_shim(first)
    if parsed is None or not render.is_current_shim(first, tool, *parsed):
        return Check(
            SECTION_SHIMS, name, FAIL,
            f"{first} is a guardshim shim of another version or location",
            "run `guardshim install` to write current shims",
        )
    interpreter = parsed[1]
    if not os.access(interpreter, os.X_OK):
        return Check(
            SECTION_SHIMS, name, FAIL,
            f"{first} starts {interpreter}, which is missing or not executable",
            "run `guardshim install` again from a working installation",
        )
    return Check(SECTION_SHIMS, name, OK, f"{first} is the current shim")


def _path_fix(installation, environ):
    entries = [os.path.realpath(entry) for entry in environ.get("PATH", "").split(os.pathsep)]
    if os.path.realpath(installation.shim_dir) in entries:
        return (
            f"put {installation.shim_dir} before every other folder on PATH "
            "(the guardshim block should be the last PATH change in the profile)"
        )
    where = installation.profile or "the shell profile"
    return (
        f"start a new shell that reads {where}, or start the agent with "
        "`guardshim run -- AGENT`"
    )


def _check_real_binary(tool, first, installation, environ):
    name = f"real {tool}"
    shim_dirs = [installation.shim_dir]
    if first is not None and realbin.is_shim_file(first):
        shim_dirs.append(os.path.dirname(first))
    configured = None
    if installation.settings is not None:
        configured = installation.settings.tool_paths.get(tool)
    try:
        real = realbin.find_real_binary(
            tool, environ.get("PATH", ""), shim_dirs, configured
        )
    except realbin.RealBinaryNotFound as error:
        # The shim fails closed without a real binary, so this is no hole in
        # the guard, only a tool that cannot run.
        return Check(
            SECTION_SHIMS, name, WARN, str(error),
            f"install {tool} on PATH or set tools.{tool}.path in the config; "
            f"ignore this if you do not use {tool}",
        )
    return Check(SECTION_SHIMS, name, OK, f"{real} is behind the shim")


def check_profile_blocks(installation):
    """Check the block in every profile that install changed; one row each."""
    from guardshim.cli.install import state_profiles

    entries = state_profiles(installation.state) if installation.state else []
    if not entries:
        return [check_profile_block(installation)]
    if len(entries) == 1:
        return [check_profile_block(installation, entries[0]["path"])]
    return [
        check_profile_block(installation, entry["path"], os.path.basename(entry["path"]))
        for entry in entries
    ]


def check_profile_block(installation, profile=None, label=None):
    name = f"profile block {label}" if label else "profile block"
    if not installation.state:
        return Check(
            SECTION_SHIMS, name, FAIL,
            "guardshim is not installed (no install state found)",
            "run `guardshim install`",
        )
    profile = profile or installation.profile
    try:
        lines = profiles.read_block(profile)
    except (OSError, UnicodeDecodeError) as error:
        return Check(
            SECTION_SHIMS, name, FAIL, f"cannot read {profile}: {error}",
            "fix the file, then run `guardshim install`",
        )
    if lines is None:
        return Check(
            SECTION_SHIMS, name, FAIL, f"no guardshim block in {profile}",
            "run `guardshim install` to add it back",
        )
    if installation.settings is not None:
        expected = _expected_block(installation, profile)
        if expected is not None and lines != expected:
            return Check(
                SECTION_SHIMS, name, WARN,
                f"the block in {profile} differs from what install writes now "
                "(shim folder or [agent.env] changed)",
                "run `guardshim install` to update it",
            )
    return Check(SECTION_SHIMS, name, OK, f"present in {profile}")


def _expected_block(installation, profile):
    try:
        return profiles.render_block(
            installation.shim_dir,
            fish=str(profile).endswith(".fish"),
            agent_env=configured_agent_env(installation.settings),
        )
    except ValueError:
        return None


def check_audit_log(installation):
    """Check that the audit log can be appended to, without writing a record."""
    if installation.settings is not None:
        path = installation.settings.audit_path
    else:
        path = installation.locations["audit_path"]
    name = "audit log"
    problem = _append_problem(path)
    if problem:
        return Check(
            SECTION_SHIMS, name, FAIL, f"{path}: {problem}",
            "fix the permissions of the file or its folder, or set [audit] path "
            "in the config",
        )
    return Check(SECTION_SHIMS, name, OK, f"{path} is writable")


def _append_problem(path):
    """Return why `path` cannot be opened for append, or None when it can."""
    if os.path.isdir(path):
        return "is a folder"
    if os.path.exists(path):
        try:
            # Opening for append and closing changes neither content nor mtime.
            with open(path, "ab"):
                pass
        except OSError as error:
            return f"cannot be opened for append ({error.strerror})"
        return None
    folder = os.path.dirname(path)
    while not os.path.exists(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    if not os.path.isdir(folder):
        return f"{folder} is in the path but is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{folder} is not writable, so the log cannot be created"
    return None


# --- the shell around the shims ---------------------------------------------

_TYPE_LINE = re.compile(r"^(?P<tool>terraform|helm|kubectl) is (?P<what>.+)$")


def parse_type_output(text):
    """Return {tool: (kind, path)} from the output of `type terraform helm kubectl`.

    kind is "alias", "function", "builtin", "hashed" or "file"; path is set for
    the last two. The bash, zsh and fish forms of `type` are understood.
    """
    found = {}
    for line in text.splitlines():
        match = _TYPE_LINE.match(line.strip())
        if not match or match["tool"] in found:
            continue
        what = match["what"]
        if what.startswith(("aliased to", "an alias")):
            found[match["tool"]] = ("alias", None)
        elif what.startswith(("a function", "a shell function")):
            found[match["tool"]] = ("function", None)
        elif what.startswith(("a shell builtin", "a builtin", "a reserved word")):
            found[match["tool"]] = ("builtin", None)
        elif what.startswith("hashed ("):
            found[match["tool"]] = ("hashed", what[len("hashed (") :].rstrip(")"))
        elif what.startswith("/"):
            found[match["tool"]] = ("file", what)
    return found


def exported_functions(environ, tool):
    """Return the names of variables that export a bash function named `tool`."""
    names = (f"BASH_FUNC_{tool}%%", f"BASH_FUNC_{tool}()")
    return [name for name in names if name in environ]


def check_shell_functions(environ, shell_text, shim_dir):
    """Check that no function, alias or cached path runs before the shim."""
    types = parse_type_output(shell_text) if shell_text else {}
    rows = []
    for tool in TOOLS:
        rows.append(_check_shell_function(tool, environ, types.get(tool), shim_dir))
    return rows


def _check_shell_function(tool, environ, typed, shim_dir):
    name = f"{tool} shell function"
    exported = exported_functions(environ, tool)
    if exported:
        return Check(
            SECTION_SHIMS, name, FAIL,
            f"bash function {tool} is exported ({exported[0]}), so child bash "
            "shells run it instead of the shim",
            f"run `unset -f {tool}` and remove `export -f {tool}` from your "
            "startup files",
        )
    if typed is None:
        return Check(
            SECTION_SHIMS, name, OK,
            "no exported function; aliases and functions of the calling shell "
            "are not visible to doctor",
            "to check them, run `guardshim doctor --shell-functions "
            "\"$(type terraform helm kubectl 2>&1)\"` in that shell",
        )
    kind, path = typed
    if kind in ("alias", "function", "builtin"):
        return Check(
            SECTION_SHIMS, name, FAIL,
            f"the calling shell has {tool} as {'an' if kind[0] in 'aeiou' else 'a'} "
            f"{kind}, which runs before PATH "
            "is searched",
            f"remove it from your startup files (`unalias {tool}` or "
            f"`unset -f {tool}`) and start a new shell",
        )
    in_shim_dir = os.path.realpath(os.path.dirname(path)) == os.path.realpath(shim_dir)
    if in_shim_dir:
        return Check(SECTION_SHIMS, name, OK, f"the calling shell runs {path}")
    if kind == "hashed":
        return Check(
            SECTION_SHIMS, name, WARN,
            f"the calling shell has cached {path} as the path of {tool}",
            "start a new shell, or run `hash -r` in this one",
        )
    return Check(
        SECTION_SHIMS, name, FAIL,
        f"the calling shell runs {path}, not the shim",
        "start a new shell that reads the profile with the guardshim block",
    )


def parent_start_time(pid=None):
    """Return when the parent process started, in seconds since the epoch.

    Reads /proc, so it returns None on systems without it (macOS).
    """
    pid = os.getppid() if pid is None else pid
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stream:
            stat = stream.read()
        with open("/proc/stat", encoding="utf-8") as stream:
            boot_lines = [line for line in stream if line.startswith("btime ")]
        # Field 22 of /proc/PID/stat is the start time in clock ticks after
        # boot; fields are counted after the command name, which may hold blanks.
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        boot_time = int(boot_lines[0].split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return boot_time + start_ticks / os.sysconf("SC_CLK_TCK")


def check_command_cache(shim_dir, shell_start_time):
    """Warn when the shims are newer than the shell that started doctor.

    Such a shell may have cached the real binary's path (bash and zsh keep a
    table of command paths), so it can bypass the shims until it starts again.
    """
    name = "command path cache"
    times = []
    for tool in TOOLS:
        try:
            times.append(os.stat(os.path.join(shim_dir, tool)).st_mtime)
        except OSError:
            pass
    if not times:
        return Check(SECTION_SHIMS, name, OK, "no shims to compare with")
    if shell_start_time is None:
        return Check(
            SECTION_SHIMS, name, OK,
            "cannot tell when the calling shell started",
            "if it ran a guarded tool before `guardshim install`, start a new "
            "shell or run `hash -r`",
        )
    if max(times) > shell_start_time:
        return Check(
            SECTION_SHIMS, name, WARN,
            "the shims were written after the calling shell started, so it may "
            "have cached a real binary's path",
            "start a new shell (or run `hash -r`) before starting the agent",
        )
    return Check(SECTION_SHIMS, name, OK, "the shims are older than the calling shell")


# --- the agent's environment ------------------------------------------------


def check_agent_env(installation, environ):
    """Check each [agent.env] variable against the current environment.

    Values are never printed, because a config may put a secret there.
    """
    if installation.settings is None:
        return []
    wanted = configured_agent_env(installation.settings)
    if not wanted:
        return [
            Check(
                SECTION_AGENT_ENV, "[agent.env]", WARN,
                "the config sets no variables for agent sessions, so agents use "
                "your own credentials and kubeconfig",
                "add [agent.env] with AWS_PROFILE, CLOUDSDK_ACTIVE_CONFIG_NAME or "
                "KUBECONFIG for a read-only identity, then run `guardshim install`",
            )
        ]
    fix = (
        "start a new shell that reads the profile with the guardshim block, or "
        "start the agent with `guardshim run -- AGENT`"
    )
    rows = []
    for variable, value in wanted.items():
        current = environ.get(variable)
        if current == value:
            rows.append(Check(SECTION_AGENT_ENV, variable, OK, "set as configured"))
        elif current is None:
            rows.append(Check(SECTION_AGENT_ENV, variable, WARN, "not set", fix))
        else:
            rows.append(
                Check(
                    SECTION_AGENT_ENV, variable, WARN,
                    "set to another value than [agent.env] gives", fix,
                )
            )
    return rows


# --- cloud credentials --------------------------------------------------------


def check_aws_environment(environ):
    name = "AWS keys in environment"
    if not (environ.get("AWS_ACCESS_KEY_ID") and environ.get("AWS_SECRET_ACCESS_KEY")):
        return Check(SECTION_CREDENTIALS, name, OK, "no AWS keys in the environment")
    if environ.get("AWS_SESSION_TOKEN"):
        return Check(
            SECTION_CREDENTIALS, name, OK,
            "temporary keys (AWS_SESSION_TOKEN is set); doctor cannot tell "
            "whether their role is read-only",
        )
    return Check(
        SECTION_CREDENTIALS, name, WARN,
        "static keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        f"unset both in the shell that starts the agent and {_READ_ONLY_PROFILE_FIX}",
    )


def check_aws_profile(environ):
    """Warn when the active AWS profile has a long-lived access key (AKIA...)."""
    profile = environ.get("AWS_PROFILE") or environ.get("AWS_DEFAULT_PROFILE") or "default"
    home = environ.get("HOME") or os.path.expanduser("~")
    name = f"AWS profile {profile}"
    sources = (
        (environ.get("AWS_SHARED_CREDENTIALS_FILE")
         or os.path.join(home, ".aws", "credentials"), profile),
        (environ.get("AWS_CONFIG_FILE") or os.path.join(home, ".aws", "config"),
         profile if profile == "default" else f"profile {profile}"),
    )
    for path, section in sources:
        try:
            keys = _read_ini_section(path, section)
        except (configparser.Error, UnicodeDecodeError):
            # The parser's message quotes the line, which may hold a key.
            return Check(
                SECTION_CREDENTIALS, name, WARN, f"cannot parse {path}",
                "fix the file's syntax",
            )
        key_id = keys.get("aws_access_key_id", "")
        if key_id.startswith("AKIA") and not keys.get("aws_session_token"):
            return Check(
                SECTION_CREDENTIALS, name, WARN,
                f"long-lived access key for this profile in {path}",
                _READ_ONLY_PROFILE_FIX,
            )
    return Check(
        SECTION_CREDENTIALS, name, OK, "no long-lived access key for this profile"
    )


def _read_ini_section(path, section):
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read(_MAX_CREDENTIAL_FILE_BYTES)
    except OSError:
        return {}
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read_string(text, source=path)
    if not parser.has_section(section):
        return {}
    return dict(parser.items(section))


def check_google_credentials(environ):
    """Warn when Google application credentials are a service account key file."""
    name = "Google credentials"
    path = environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    variable = "GOOGLE_APPLICATION_CREDENTIALS"
    if not path:
        home = environ.get("HOME") or os.path.expanduser("~")
        gcloud_folder = environ.get("CLOUDSDK_CONFIG") or os.path.join(
            home, ".config", "gcloud"
        )
        path = os.path.join(gcloud_folder, "application_default_credentials.json")
        variable = None
        if not os.path.exists(path):
            return Check(SECTION_CREDENTIALS, name, OK, "no application credentials")
    kind = _credential_type(path)
    source = f"{variable} names {path}" if variable else f"{path} exists"
    if kind == "service_account":
        return Check(
            SECTION_CREDENTIALS, name, WARN,
            f"{source}, a service account key file",
            "keep service account keys out of agent sessions; "
            + _READ_ONLY_PROFILE_FIX,
        )
    if kind is None:
        return Check(
            SECTION_CREDENTIALS, name, WARN,
            f"{source}, which cannot be read as a JSON credential file",
            "point the variable at a valid file or unset it",
        )
    return Check(SECTION_CREDENTIALS, name, OK, f"{source} (type {kind})")


def _credential_type(path):
    try:
        with open(path, "rb") as stream:
            document = json.loads(stream.read(_MAX_CREDENTIAL_FILE_BYTES))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        return None
    return document["type"]


# --- Kubernetes RBAC ----------------------------------------------------------


def kube_contexts(environ):
    """Return the context names of the kubeconfig that `environ` selects."""
    from guardshim.target import kubeconfig_paths, load_kubeconfig

    return list(load_kubeconfig(kubeconfig_paths({}, environ))["contexts"])


def check_rbac(installation, environ, contexts=None, runner=subprocess.run):
    """Ask the cluster of each context what the agent's identity may change."""
    configured = None
    if installation.settings is not None:
        configured = installation.settings.tool_paths.get("kubectl")
    try:
        kubectl = realbin.find_real_binary(
            "kubectl", environ.get("PATH", ""), [installation.shim_dir], configured
        )
    except realbin.RealBinaryNotFound as error:
        return [
            Check(
                SECTION_KUBERNETES, "RBAC", WARN, f"cannot check: {error}",
                "install kubectl to let doctor check the clusters",
            )
        ]
    named = contexts is not None and len(contexts) > 0
    if not named:
        contexts = kube_contexts(environ)
    if not contexts:
        return [
            Check(SECTION_KUBERNETES, "RBAC", OK, "the agent's kubeconfig has no contexts")
        ]
    rows = [
        check_context(kubectl, context, environ, runner)
        for context in contexts[:MAX_CONTEXTS]
    ]
    skipped = len(contexts) - MAX_CONTEXTS
    if skipped > 0 and not named:
        rows.append(
            Check(
                SECTION_KUBERNETES, "RBAC", WARN,
                f"{skipped} more contexts not checked",
                "name them with --context",
            )
        )
    return rows


def can_i(kubectl, context, verb, resource, environ, runner=subprocess.run):
    """Return ("yes" | "no" | "error", message) for one `kubectl auth can-i`.

    kubectl runs without stdin and in a new session, so neither it nor a
    credential plugin can prompt on the terminal.
    """
    arguments = [
        kubectl,
        f"--context={context}",
        f"--request-timeout={KUBECTL_REQUEST_TIMEOUT}",
        "auth",
        "can-i",
        verb,
        resource,
    ]
    try:
        result = runner(
            arguments,
            env=environ,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=KUBECTL_CALL_TIMEOUT,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired:
        return "error", f"kubectl timed out after {KUBECTL_CALL_TIMEOUT} s"
    except OSError as error:
        return "error", f"cannot run {kubectl}: {error.strerror}"
    answer = (result.stdout or "").strip().split(" ", 1)[0].lower()
    if answer in ("yes", "no"):
        return answer, ""
    message = (result.stderr or "").strip().splitlines()
    first = message[0] if message else f"kubectl exited {result.returncode}"
    return "error", first[:_MAX_ERROR_CHARS]


def check_context(kubectl, context, environ, runner=subprocess.run):
    """Return one row for `context`: warn when any change is allowed or unknown."""
    name = f"context {context}"
    answer, message = can_i(kubectl, context, "*", "*", environ, runner)
    if answer == "error":
        return Check(
            SECTION_KUBERNETES, name, WARN, f"cannot check: {message}",
            "make the cluster reachable and run doctor again; until then assume "
            "this layer does not hold",
        )
    if answer == "yes":
        return Check(
            SECTION_KUBERNETES, name, WARN,
            "the agent's identity may do anything (* on *)", _RBAC_FIX,
        )
    allowed = []
    for verb in CAN_I_VERBS:
        for resource in CAN_I_RESOURCES:
            answer, message = can_i(kubectl, context, verb, resource, environ, runner)
            if answer == "error":
                found = f"may {', '.join(allowed)}; " if allowed else ""
                return Check(
                    SECTION_KUBERNETES, name, WARN,
                    f"{found}cannot check {verb} {resource}: {message}",
                    "make the cluster reachable and run doctor again",
                )
            if answer == "yes":
                allowed.append(f"{verb} {resource}")
    if allowed:
        return Check(
            SECTION_KUBERNETES, name, WARN,
            f"the agent's identity may {', '.join(allowed)}", _RBAC_FIX,
        )
    return Check(
        SECTION_KUBERNETES, name, OK,
        f"no {', '.join(CAN_I_VERBS)} on {', '.join(CAN_I_RESOURCES)}, nor * on *, "
        "in the context's namespace",
    )
