"""Where the project is: the nearest directory at or above the working directory that holds a Pulumi.yaml, as
the Pulumi CLI looks for it (pulumi sdk/v3@v3.276.0 go/common/workspace/paths.go DetectProjectPathFrom), else
the working directory. Stack files, inventories and the policy pack are read from there."""

from __future__ import annotations

from pathlib import Path

PROJECT_FILE = "Pulumi.yaml"


def project_root(start: Path | None = None) -> Path:
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / PROJECT_FILE).is_file():
            return directory
    return here
