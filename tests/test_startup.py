"""What a shim imports on the allow path, measured in a fresh interpreter.

The shim runs before every call an agent makes, so its start-up must stay close
to the bare interpreter. These tests guard that without timing anything: they
run a real shim under `python -X importtime` and read which modules it loaded.
"""

import shutil
import subprocess
import sys

import pytest

HEAVY_MODULES = ("click", "rich", "tomllib", "tomli", "yaml", "_yaml", "json", "re")

RULES = "\n".join(
    f"[[rules]]\ntool = 'helm'\ncommand = 'r{index} *'\ndecision = 'deny'\n"
    for index in range(20)
)
CONTEXT_RULE = (
    "[[rules]]\ntool = 'kubectl'\ncontext = 'dev-*'\nclass = 'read'\ndecision = 'allow'\n"
)
KUBECONFIG = """
apiVersion: v1
kind: Config
current-context: dev-a
contexts:
- {name: dev-a, context: {cluster: c, user: u, namespace: web}}
"""


@pytest.fixture
def noop_kubectl(shims):
    shutil.copy("/bin/true", shims.bin_dir / "kubectl")
    return shims


def imported_modules(shims, *arguments):
    """Run the kubectl shim under -X importtime; return the module names it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-I", "-S", shims.shim("kubectl"), *arguments],
        env=shims.env, capture_output=True, text=True, timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def heavy(names):
    return sorted(name for name in names if name.split(".")[0] in HEAVY_MODULES)


def test_allow_path_without_config(noop_kubectl):
    assert heavy(imported_modules(noop_kubectl, "get", "pods")) == []


def test_allow_path_with_cached_rules(noop_kubectl):
    noop_kubectl.config_path.parent.mkdir(parents=True, exist_ok=True)
    noop_kubectl.config_path.write_text(RULES)
    imported_modules(noop_kubectl, "get", "pods")  # parses and fills the cache
    assert heavy(imported_modules(noop_kubectl, "get", "pods")) == []


def test_first_call_parses_config(noop_kubectl):
    noop_kubectl.config_path.parent.mkdir(parents=True, exist_ok=True)
    noop_kubectl.config_path.write_text(RULES)
    assert "tomllib" in imported_modules(noop_kubectl, "get", "pods") or sys.version_info < (3, 11)


def test_allow_path_with_cached_kubeconfig(noop_kubectl, tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(KUBECONFIG)
    noop_kubectl.env["KUBECONFIG"] = str(kubeconfig)
    noop_kubectl.config_path.parent.mkdir(parents=True, exist_ok=True)
    noop_kubectl.config_path.write_text(CONTEXT_RULE)
    imported_modules(noop_kubectl, "get", "pods")
    assert heavy(imported_modules(noop_kubectl, "get", "pods")) == []


def test_edited_config_parsed_again(noop_kubectl):
    noop_kubectl.config_path.parent.mkdir(parents=True, exist_ok=True)
    noop_kubectl.config_path.write_text(RULES)
    imported_modules(noop_kubectl, "get", "pods")
    noop_kubectl.config_path.write_text(RULES + "\n# edited\n")
    names = imported_modules(noop_kubectl, "get", "pods")
    assert "tomllib" in names or "tomli" in names


def test_edited_config_takes_effect(noop_kubectl):
    noop_kubectl.config_path.parent.mkdir(parents=True, exist_ok=True)
    noop_kubectl.config_path.write_text("[policy]\nread = 'allow'\n")
    imported_modules(noop_kubectl, "get", "pods")
    noop_kubectl.config_path.write_text("[policy]\nread = 'deny'\n")
    result = subprocess.run(
        [noop_kubectl.shim("kubectl"), "get", "pods"], env=noop_kubectl.env,
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 77


def test_corrupt_cache_ignored(noop_kubectl):
    noop_kubectl.config_path.parent.mkdir(parents=True, exist_ok=True)
    noop_kubectl.config_path.write_text("[policy]\nread = 'deny'\n")
    cache = noop_kubectl.audit_path.parent / "policy.cache"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"\x00garbage that is not marshal data")
    result = subprocess.run(
        [noop_kubectl.shim("kubectl"), "get", "pods"], env=noop_kubectl.env,
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 77
