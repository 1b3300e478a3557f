"""Masking of secret values in argv."""

import pytest

from guardshim.mask import mask_argv, mask_url_credentials

MARKER = "s3cr3t-marker"


@pytest.mark.parametrize(
    ("tool", "argv", "expected"),
    [
        ("helm", ["--set", f"db.password={MARKER}"], ["--set", "db.password=***"]),
        ("helm", [f"--set=a={MARKER},b=2"], ["--set=a=***,b=***"]),
        ("helm", ["--set-string", f"k={MARKER}"], ["--set-string", "k=***"]),
        ("helm", ["--set-json", f"k={MARKER}"], ["--set-json", "k=***"]),
        ("helm", ["--set-literal", f"k={MARKER}"], ["--set-literal", "k=***"]),
        ("helm", ["--set-file", "k=path/to/file"], ["--set-file", "k=path/to/file"]),
        ("terraform", ["-var", f"region={MARKER}"], ["-var", "region=***"]),
        ("terraform", [f"-var=x={MARKER}"], ["-var=x=***"]),
        ("terraform", ["-var-file=prod.tfvars"], ["-var-file=prod.tfvars"]),
        (
            "terraform",
            [f"-backend-config=password={MARKER}"],
            ["-backend-config=password=***"],
        ),
        ("terraform", ["-backend-config=backend.hcl"], ["-backend-config=backend.hcl"]),
        ("kubectl", ["--token", MARKER], ["--token", "***"]),
        ("kubectl", [f"--token={MARKER}"], ["--token=***"]),
        ("kubectl", ["--password", MARKER], ["--password", "***"]),
        ("helm", ["--kube-token", MARKER], ["--kube-token", "***"]),
        ("kubectl", ["--client-key", MARKER], ["--client-key", "***"]),
        (
            "kubectl",
            [f"--from-literal=password={MARKER}"],
            ["--from-literal=password=***"],
        ),
        ("kubectl", ["--docker-password", MARKER], ["--docker-password", "***"]),
        ("helm", ["registry", "login", "-p", MARKER], ["registry", "login", "-p", "***"]),
        ("helm", [f"-p{MARKER}"], ["-p***"]),
        ("helm", ["--password-stdin", "r.example.com"], ["--password-stdin", "r.example.com"]),
        ("helm", ["--my-api-token", MARKER], ["--my-api-token", "***"]),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_mask_argv_flags(tool, argv, expected):
    assert mask_argv(tool, argv) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (f"https://bob:{MARKER}@charts.example.com/x", "https://bob:***@charts.example.com/x"),
        (f"oci://{MARKER}@registry.example.com", "oci://***@registry.example.com"),
        ("https://charts.example.com/x", "https://charts.example.com/x"),
        (
            f"a=https://u:{MARKER}@h1/p,b=http://v:{MARKER}@h2",
            "a=https://u:***@h1/p,b=http://v:***@h2",
        ),
        ("plain", "plain"),
    ],
)
def test_mask_url_credentials(word, expected):
    assert mask_url_credentials(word) == expected


def test_mask_leaves_positionals():
    argv = ["get", "pods", "-n", "prod", "--", "sh", "-c", "echo hi"]
    assert mask_argv("kubectl", argv) == argv


def test_mask_value_flag_given_last():
    assert mask_argv("kubectl", ["get", "--token"]) == ["get", "--token"]


def test_mask_never_leaks_marker():
    argv = [
        "--set", f"a={MARKER}", "--token", MARKER, f"--password={MARKER}",
        f"https://u:{MARKER}@h", "-var", f"v={MARKER}",
    ]
    assert MARKER not in " ".join(mask_argv("helm", argv))
