"""Measure what a guardshim shim adds to a kubectl call.

Usage: .venv/bin/python benchmarks/shim_overhead.py [--rounds N]

In one run, for each case, it interleaves N rounds (default 40) of:
  (a) the bare interpreter, `python -I -S -c pass`;
  (b) the kubectl shim in front of a no-op "real" kubectl, for an allowed read;
  (c) that no-op kubectl called directly;
and prints the medians and the ratio (b - c) / a. The budget for the allow
path is 1.3; the prompted case is reported without one. The exit status is 1
when a budget is exceeded.

Cases: no config; a config file with 20 rules; a kubeconfig with 10 contexts and
a rule that needs the context; a prompted command's decision (no terminal, so
the shim refuses at once instead of waiting); and `guardshim explain` on a 1 MiB
argv and on 100,000 arguments, timed end to end and as the decision alone.
Everything lives in a temporary folder; nothing touches HOME or the network.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guardshim.classify import classify  # noqa: E402
from guardshim.config import load_settings  # noqa: E402
from guardshim.policy import Facts, decide  # noqa: E402
from guardshim.render import write_shims  # noqa: E402
from guardshim.target import resolve_target  # noqa: E402

BUDGET = 1.3
DECISION_BUDGET_SECONDS = 0.2


def twenty_rules():
    rules = []
    for index in range(20):
        rules.append(
            f"[[rules]]\ntool = 'helm'\ncommand = 'rule-{index} *'\n"
            f"namespace = 'team-{index}'\ndecision = 'deny'\n"
        )
    return "\n".join(rules)


def kubeconfig_with_contexts(count):
    lines = ["apiVersion: v1", "kind: Config", "current-context: ctx-7", "contexts:"]
    for index in range(count):
        lines.append(f"- name: ctx-{index}")
        lines.append(f"  context: {{cluster: c{index}, user: u, namespace: ns-{index}}}")
    return "\n".join(lines) + "\nclusters: []\nusers: []\n"


class Setup:
    """A temporary HOME with shims, a no-op kubectl and one config per case."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.home = self.folder / "home"
        self.real_dir = self.folder / "real"
        self.shim_dir = self.folder / "shims"
        self.real_dir.mkdir(parents=True)
        noop = self.real_dir / "kubectl"
        shutil.copy("/bin/true", noop)
        self.noop = str(noop)
        self.config = self.home / ".config" / "guardshim" / "config.toml"
        self.config.parent.mkdir(parents=True)
        self.locations = {
            "home": str(self.home),
            "runtime_dir": str(self.home / "run"),
            "config_files": [str(self.folder / "no-system.toml"), str(self.config)],
            "audit_path": str(self.home / "state" / "audit.jsonl"),
            "shim_dir": str(self.shim_dir),
        }
        write_shims(self.shim_dir, self.locations, interpreter=sys.executable)
        self.kubeconfig = self.folder / "kubeconfig"
        self.kubeconfig.write_text(kubeconfig_with_contexts(10))
        self.env = {
            "PATH": os.pathsep.join([str(self.shim_dir), str(self.real_dir), "/usr/bin:/bin"]),
            "HOME": str(self.home),
            "KUBECONFIG": str(self.kubeconfig),
        }


def run_once(argv, env):
    start = time.perf_counter()
    subprocess.run(
        argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True, check=False,
    )
    return time.perf_counter() - start


def measure_case(setup, name, config_text, shim_argv, rounds, budget=BUDGET):
    if config_text is None:
        if setup.config.exists():
            setup.config.unlink()
    else:
        setup.config.write_text(config_text)
    shim = [str(setup.shim_dir / "kubectl"), *shim_argv]
    bare = [sys.executable, "-I", "-S", "-c", "pass"]
    direct = [setup.noop, *shim_argv]
    run_once(shim, setup.env)  # fills the policy cache, as any earlier call would
    samples = {"a": [], "b": [], "c": []}
    for _ in range(rounds):
        samples["a"].append(run_once(bare, setup.env))
        samples["b"].append(run_once(shim, setup.env))
        samples["c"].append(run_once(direct, setup.env))
    medians = {key: statistics.median(values) for key, values in samples.items()}
    ratio = (medians["b"] - medians["c"]) / medians["a"]
    if budget is None:
        verdict = "(not the allow path: no budget)"
    else:
        verdict = "ok" if ratio <= budget else "OVER BUDGET"
    print(
        f"{name:<44} a {medians['a'] * 1000:6.2f} ms  b {medians['b'] * 1000:6.2f} ms  "
        f"c {medians['c'] * 1000:6.2f} ms  (b-c)/a {ratio:5.2f}  {verdict}"
    )
    return ratio if budget is not None else None


def measure_decision(setup, name, argv, rounds=5):
    """Time the decision alone, in this process, and `guardshim explain` end to end."""
    settings = load_settings(setup.locations, setup.env, str(setup.folder))
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        verdict = classify("kubectl", argv, setup.env)
        facts = Facts(
            verdict, str(setup.folder),
            lambda: resolve_target(verdict, setup.env, str(setup.folder), settings.cache),
        )
        decide(verdict, settings, facts)
        timings.append(time.perf_counter() - start)
    decision = statistics.median(timings)
    explain = [sys.executable, "-m", "guardshim", "explain", "--json", "--", "kubectl", *argv]
    env = dict(setup.env, PYTHONPATH=str(ROOT))
    end_to_end = statistics.median(run_once(explain, env) for _ in range(3))
    verdict = "ok" if decision <= DECISION_BUDGET_SECONDS else "OVER BUDGET"
    print(
        f"{name:<44} decision {decision * 1000:7.1f} ms  "
        f"explain end to end {end_to_end * 1000:7.1f} ms  {verdict}"
    )
    return decision


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="rounds per case (at least 30)")
    options = parser.parse_args()
    rounds = max(30, options.rounds)

    print(f"python {sys.version.split()[0]} on {os.uname().sysname} {os.uname().machine}, "
          f"{os.cpu_count()} CPUs, {rounds} rounds per case")
    with tempfile.TemporaryDirectory() as folder:
        setup = Setup(folder)
        context_rule = (
            "[[rules]]\ntool = 'kubectl'\ncontext = 'ctx-*'\nclass = 'read'\n"
            "decision = 'allow'\n"
        )
        ratios = [
            measure_case(setup, "no config: kubectl get pods", None, ["get", "pods"], rounds),
            measure_case(setup, "20 rules: kubectl get pods", twenty_rules(), ["get", "pods"], rounds),
            measure_case(
                setup, "10 contexts + context rule: kubectl get pods",
                context_rule, ["get", "pods"], rounds,
            ),
            measure_case(
                setup, "prompted decision, no terminal: kubectl diff",
                None, ["diff", "-f", "app.yaml"], rounds, budget=None,
            ),
        ]
        decisions = [
            measure_decision(setup, "explain: 1 MiB argv", ["get", "pods"] + ["x" * 1024] * 1024),
            measure_decision(setup, "explain: 100,000 arguments", ["get", "pods"] + ["-l=a"] * 100_000),
        ]
    failed = any(ratio is not None and ratio > BUDGET for ratio in ratios) or any(
        seconds > DECISION_BUDGET_SECONDS for seconds in decisions
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
