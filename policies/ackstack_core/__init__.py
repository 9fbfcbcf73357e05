"""Facts and pure checks shared by the ackstack program, its tools and its policy pack (no third-party imports).

`__version__` is the project's one version: `ackstack.__version__` is this, both distributions read it
(pyproject.toml, policies/pyproject.toml) and a test holds PulumiPolicy.yaml's `version` to it.
"""

__version__ = "0.2.0"
