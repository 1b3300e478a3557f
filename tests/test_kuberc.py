"""kubectl commands classified with the defaults and aliases of a kuberc file."""

import pytest

from guardshim.classify import classify
from guardshim.policycache import LayerCache

KUBERC = """
apiVersion: kubectl.config.k8s.io/v1beta1
kind: Preference
defaults:
- command: get
  options:
  - name: output
    default: yaml
- command: apply
  options:
  - name: dry-run
    default: server
aliases:
- name: rmpod
  command: delete
  prependArgs: [pod]
- name: secrets
  command: get
  prependArgs: [secrets]
  options:
  - name: output
    default: json
"""

KUBERC_ALPHA = """
apiVersion: kubectl.config.k8s.io/v1alpha1
kind: Preference
overrides:
- command: get
  flags:
  - name: output
    default: json
"""


@pytest.fixture
def home(tmp_path):
    (tmp_path / ".kube").mkdir()
    (tmp_path / ".kube" / "kuberc").write_text(KUBERC)
    return tmp_path


def klass(argv, environ, cache=None):
    return classify("kubectl", argv.split(), environ, cache).klass


# argv, class with the kuberc file above, why
CASES = [
    ("get secret x", "secret", "default output yaml prints Secret data"),
    ("get secret x -o name", "read", "an explicit -o wins over the default"),
    ("get secret x --output=name", "read", "an explicit --output wins too"),
    ("get pods", "read", "pods hold no Secret data"),
    ("apply -f a.yaml", "write", "a default dry run never lowers the class"),
    ("rmpod web-0", "write", "alias of delete"),
    ("secrets", "secret", "alias of get secrets -o json"),
    ("delete pod x", "write", "no kuberc entry"),
]


@pytest.mark.parametrize(("argv", "expected", "why"), CASES, ids=[row[2] for row in CASES])
def test_kuberc_readings(home, argv, expected, why):
    assert klass(argv, {"HOME": str(home)}) == expected


def test_kuberc_variable_names_file(tmp_path):
    path = tmp_path / "prefs.yaml"
    path.write_text(KUBERC)
    assert klass("get secret x", {"HOME": str(tmp_path), "KUBERC": str(path)}) == "secret"


def test_kuberc_flag_names_file(tmp_path):
    path = tmp_path / "prefs.yaml"
    path.write_text(KUBERC)
    argv = f"--kuberc {path} get secret x"
    assert klass(argv, {"HOME": str(tmp_path)}) == "secret"


def test_kuberc_off(home):
    assert klass("get secret x", {"HOME": str(home), "KUBERC": "off"}) == "read"


def test_kuberc_feature_disabled(home):
    assert klass("get secret x", {"HOME": str(home), "KUBECTL_KUBERC": "false"}) == "read"


def test_kuberc_alpha_format(tmp_path):
    (tmp_path / ".kube").mkdir()
    (tmp_path / ".kube" / "kuberc").write_text(KUBERC_ALPHA)
    assert klass("get secrets", {"HOME": str(tmp_path)}) == "secret"


def test_kuberc_invalid_file_ignored(tmp_path):
    (tmp_path / ".kube").mkdir()
    (tmp_path / ".kube" / "kuberc").write_text("defaults: [unclosed\n")
    assert klass("get secret x", {"HOME": str(tmp_path)}) == "read"


def test_kuberc_namespace_default_fills_target(tmp_path):
    (tmp_path / ".kube").mkdir()
    (tmp_path / ".kube" / "kuberc").write_text(
        "defaults:\n- command: delete\n  options:\n  - {name: namespace, default: prod}\n"
    )
    verdict = classify("kubectl", "delete pod x".split(), {"HOME": str(tmp_path)})
    assert verdict.hints["namespace"] == "prod"


def test_kuberc_cached_without_yaml(home, tmp_path):
    cache = LayerCache(str(tmp_path / "policy.cache"))
    klass("get secret x", {"HOME": str(home)}, cache)
    fresh = LayerCache(str(tmp_path / "policy.cache"))
    assert klass("get secret x", {"HOME": str(home)}, fresh) == "secret"
    assert (tmp_path / "policy.cache").exists()


def test_shim_refuses_kuberc_secret_read(shims):
    import shutil
    import subprocess

    shutil.copy("/bin/true", shims.bin_dir / "kubectl")
    (shims.home / ".kube").mkdir()
    (shims.home / ".kube" / "kuberc").write_text(KUBERC)
    result = subprocess.run(
        [shims.shim("kubectl"), "get", "secret", "x"], env=shims.env,
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 77
    assert "kuberc" in result.stderr
