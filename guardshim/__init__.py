"""guardshim: PATH shims that guard terraform, helm and kubectl for coding agents."""

__version__ = "0.1.0"
