"""Build the project's Go binaries (the pinned Pulumi CLI, ackstack's Python language host, and whatever else
`go/targets.json` lists) into this venv's bin directory, with Go's own module and build caches.

Why: the real Pulumi engine is the judge of what a stack does (issue #20). Its CLI is not a Python package, and
the only registry that serves it here is the Go module proxy, so it is built from source pinned by our own
`go/<module>/go.mod` and `go.sum`. Nothing from upstream is copied into the repository; the one file taken from
a module at install time (the Python exec shim) lands in the venv, beside the host that runs it.

`go/targets.json` is a JSON list; each entry is one file put into the bin directory:
- a Go build: `output`, `dir` (the Go module, relative to the repository), `package` (import path or
  `./relative`), optional `ldflags` (string), `tags` (list), `trimpath` (bool), `env` (object of variables for
  `go build`);
- or a file of a module the `dir` module requires: `output`, `dir`, `module_file` = {`module`, `path`}
  (copied from the module cache, mode 0755);
- or a launcher of this venv's Python: `output`, `python` (the arguments after the interpreter, e.g.
  `["-m", "ackstack.engine.plugins", "alicloud"]`): ackstack's provider plugins, which the CLI starts like any
  `pulumi-resource-<name>` executable;
- optional `check` = {`args`, `stdout`}: after installing, `<output> <args...>` must print exactly `stdout`.
In `ldflags` and `check.stdout`, `{version:<module path>}` is the version `dir`'s go.mod pins for that module,
so a release is named in one place (the go.mod).

A target is skipped when its output is current: a stamp (sha256 of the Go version, the expanded target, go.mod,
go.sum and the files of the module's own packages it builds) matches the one recorded in the venv. A built binary
is also kept in a cache outside the repository under its stamp (`$ACKSTACK_GO_BIN_CACHE`, else
`$XDG_CACHE_HOME/ackstack/go-bin`, else `~/.cache/ackstack/go-bin`), so a fresh venv (every CI run starts with one)
copies it instead of linking again: Go's build cache keeps the compiled packages but not the linked binary, and
linking the 11 targets took 81 s of a warm CI run. `--force` builds anyway (and refreshes the cache).

Usage: `.venv/bin/python tools/install_pulumi.py [--force]` (README set-up command and `.ci/run`).
Exit status: 0 installed, 1 a build or a check failed (Go's output above the last line), 2 `go/targets.json` is
malformed, 3 Go is missing or cannot build, or the module proxy cannot be reached for a module not yet in
the module cache. Each failure ends with one line saying which.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGETS_FILE = REPO / "go" / "targets.json"
# Stamps live inside the venv, so a fresh venv rebuilds (from warm Go caches) and the repository stays clean.
STAMP_DIR_NAME = ".go-targets"
BINARY_CACHE_ENV = "ACKSTACK_GO_BIN_CACHE"
VERSION_PLACEHOLDER = re.compile(r"\{version:([^}]+)\}")

EXIT_BUILD_FAILED = 1
EXIT_BAD_TARGETS = 2
EXIT_NO_GO = 3


class InstallError(Exception):
    """A failure reported as one line and an exit status."""

    def __init__(self, exit_code: int, message: str) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Check:
    args: tuple[str, ...]
    stdout: str


@dataclass(frozen=True)
class Target:
    output: str
    dir: str
    package: str | None = None
    ldflags: str = ""
    tags: tuple[str, ...] = ()
    trimpath: bool = False
    env: tuple[tuple[str, str], ...] = ()
    module_file: tuple[str, str] | None = None  # (module path, file path inside the module)
    python: tuple[str, ...] = ()  # a launcher of this venv's Python with these arguments
    check: Check | None = None
    raw: dict = field(default_factory=dict, compare=False)


def _fail_targets(index: int, why: str) -> InstallError:
    return InstallError(EXIT_BAD_TARGETS, f"{TARGETS_FILE.relative_to(REPO)}: entry {index}: {why}")


def _string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def parse_target(index: int, entry: object) -> Target:
    """One entry of go/targets.json, checked so a typo fails here with its position, not inside `go build`."""
    if not isinstance(entry, dict):
        raise _fail_targets(index, "must be an object")
    known = {"output", "dir", "package", "ldflags", "tags", "trimpath", "env", "module_file", "check", "python"}
    if unknown := sorted(set(entry) - known):
        raise _fail_targets(index, f"unknown key(s) {', '.join(unknown)}")
    if "python" in entry:
        if set(entry) - {"output", "python", "check"} or not _string_list(entry["python"]) or not entry["python"]:
            raise _fail_targets(index, "a launcher takes `output`, a non-empty `python` list and an optional `check`")
        if not isinstance(entry.get("output"), str) or not entry["output"] or "/" in entry["output"]:
            raise _fail_targets(index, "`output` must be a plain file name")
        return Target(output=entry["output"], dir="", python=tuple(entry["python"]), raw=entry)
    for key in ("output", "dir"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise _fail_targets(index, f"`{key}` must be a non-empty string")
    if "/" in entry["output"] or entry["output"].startswith("."):
        raise _fail_targets(index, "`output` must be a plain file name")
    if ("package" in entry) == ("module_file" in entry):
        raise _fail_targets(index, "needs exactly one of `package` (a Go build) or `module_file` (a copied file)")
    if "package" in entry and (not isinstance(entry["package"], str) or not entry["package"]):
        raise _fail_targets(index, "`package` must be a non-empty string")
    if not isinstance(entry.get("ldflags", ""), str):
        raise _fail_targets(index, "`ldflags` must be a string")
    if not _string_list(entry.get("tags", [])):
        raise _fail_targets(index, "`tags` must be a list of strings")
    if not isinstance(entry.get("trimpath", False), bool):
        raise _fail_targets(index, "`trimpath` must be true or false")
    env = entry.get("env", {})
    if not isinstance(env, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
        raise _fail_targets(index, "`env` must be an object of strings")
    module_file = None
    if "module_file" in entry:
        spec = entry["module_file"]
        if not (isinstance(spec, dict) and set(spec) == {"module", "path"}
                and all(isinstance(v, str) and v for v in spec.values())):
            raise _fail_targets(index, "`module_file` must be {\"module\": ..., \"path\": ...}")
        module_file = (spec["module"], spec["path"])
    check = None
    if "check" in entry:
        spec = entry["check"]
        if not (isinstance(spec, dict) and set(spec) == {"args", "stdout"} and _string_list(spec["args"])
                and isinstance(spec["stdout"], str)):
            raise _fail_targets(index, "`check` must be {\"args\": [...], \"stdout\": \"...\"}")
        check = Check(tuple(spec["args"]), spec["stdout"])
    if not (REPO / entry["dir"] / "go.mod").is_file():
        raise _fail_targets(index, f"`dir` {entry['dir']} has no go.mod")
    return Target(output=entry["output"], dir=entry["dir"], package=entry.get("package"),
                  ldflags=entry.get("ldflags", ""), tags=tuple(entry.get("tags", [])),
                  trimpath=entry.get("trimpath", False), env=tuple(sorted(env.items())),
                  module_file=module_file, check=check, raw=entry)


def load_targets(path: Path = TARGETS_FILE) -> list[Target]:
    try:
        entries = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InstallError(EXIT_BAD_TARGETS, f"cannot read {path}: {exc}") from None
    if not isinstance(entries, list):
        raise InstallError(EXIT_BAD_TARGETS, f"{path} must hold a JSON list of targets")
    targets = [parse_target(i, entry) for i, entry in enumerate(entries)]
    outputs = [t.output for t in targets]
    if duplicates := sorted({o for o in outputs if outputs.count(o) > 1}):
        raise InstallError(EXIT_BAD_TARGETS, f"{path}: output(s) listed twice: {', '.join(duplicates)}")
    return targets


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


class Go:
    """The `go` command, run in one module directory at a time."""

    def __init__(self) -> None:
        go = shutil.which("go")
        if go is None:
            raise InstallError(EXIT_NO_GO, "Go is not installed (no `go` on PATH); install Go 1.26.6 or newer "
                                           "(https://go.dev/dl/) and run this again")
        self.path = go

    def run(self, module_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([self.path, *args], cwd=module_dir, capture_output=True, text=True,
                              env={**os.environ, **(env or {})}, check=False)

    def version(self, module_dir: Path) -> str:
        """The toolchain that builds this module (Go switches toolchains itself when go.mod asks for a newer one)."""
        done = self.run(module_dir, "env", "GOVERSION")
        if done.returncode != 0:
            raise InstallError(EXIT_NO_GO, f"Go cannot build {module_dir.relative_to(REPO)}: "
                                           f"{_last_line(done.stderr)}")
        return done.stdout.strip()

    def download(self, module_dir: Path) -> None:
        """All modules the build needs, so a missing proxy fails here and once, not in the middle of a build."""
        done = self.run(module_dir, "mod", "download")
        if done.returncode != 0:
            proxy = self.run(module_dir, "env", "GOPROXY").stdout.strip()
            raise InstallError(EXIT_NO_GO, f"cannot download the Go modules {module_dir.relative_to(REPO)} needs "
                                           f"(GOPROXY={proxy}; offline, or the module proxy unreachable?): "
                                           f"{_last_line(done.stderr)}")

    def module(self, module_dir: Path, module: str, fmt: str) -> str:
        done = self.run(module_dir, "list", "-m", "-f", fmt, module)
        if done.returncode != 0 or not done.stdout.strip():
            raise InstallError(EXIT_BAD_TARGETS, f"{module_dir.relative_to(REPO)}/go.mod does not require "
                                                 f"{module}: {_last_line(done.stderr)}")
        return done.stdout.strip()


def expand(text: str, go: Go, module_dir: Path) -> str:
    """Replace each `{version:<module>}` with the version the module's go.mod pins."""
    return VERSION_PLACEHOLDER.sub(lambda m: go.module(module_dir, m.group(1), "{{.Version}}"), text)


def sources_digest(go: Go, target: Target, module_dir: Path) -> str:
    """go.mod, go.sum and, for a build, every file in the directories of the module's own packages the target
    imports (so editing one binary's sources does not relink the others)."""
    files = [module_dir / "go.mod", module_dir / "go.sum"]
    if target.package is not None:
        listing = go.run(module_dir, "list", "-deps", "-tags", ",".join(target.tags),
                         "-f", "{{if and .Module .Module.Main}}{{.Dir}}{{end}}", target.package,
                         env=dict(target.env))
        if listing.returncode != 0:
            raise InstallError(EXIT_BUILD_FAILED, f"cannot list the packages of {target.package} in {target.dir}: "
                                                  f"{_last_line(listing.stderr)}")
        for package_dir in sorted({line for line in listing.stdout.splitlines() if line}):
            files += [p for p in Path(package_dir).iterdir() if p.is_file()]
    digest = hashlib.sha256()
    for path in sorted(p for p in files if p.is_file()):
        digest.update(str(path.relative_to(module_dir)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _lower_priority() -> None:
    """Builds run niced: the CLI takes minutes on a cold cache and should not starve the developer's machine."""
    os.nice(10)


def binary_cache_dir() -> Path:
    if explicit := os.environ.get(BINARY_CACHE_ENV):
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ackstack" / "go-bin"


def _from_cache(stamp: str, output: str, destination: Path) -> bool:
    cached = binary_cache_dir() / stamp / output
    if not cached.is_file():
        return False
    shutil.copyfile(cached, destination)
    return True


def _into_cache(stamp: str, output: str, built: Path) -> None:
    """Best effort, written whole (temp name, then rename): a cache that cannot be written only costs the next
    fresh venv a link."""
    folder = binary_cache_dir() / stamp
    partial = folder / f".{output}.{os.getpid()}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, partial)
        partial.replace(folder / output)
    except OSError:
        partial.unlink(missing_ok=True)


def go_build(go: Go, target: Target, module_dir: Path, ldflags: str, destination: Path) -> None:
    args = ["build", "-o", str(destination), "-buildvcs=false"]
    if target.trimpath:
        args.append("-trimpath")
    if target.tags:
        args += ["-tags", ",".join(target.tags)]
    if ldflags:
        args += ["-ldflags", ldflags]
    args.append(target.package or "")
    done = subprocess.run([go.path, *args], cwd=module_dir, env={**os.environ, **dict(target.env)},
                          preexec_fn=_lower_priority if hasattr(os, "nice") else None, check=False)
    if done.returncode != 0:
        raise InstallError(EXIT_BUILD_FAILED, f"building {target.output} ({target.package} in {target.dir}) failed "
                                              f"with exit {done.returncode}; Go's output is above")


def copy_module_file(go: Go, target: Target, module_dir: Path, destination: Path) -> None:
    module, inner = target.module_file or ("", "")
    source = Path(go.module(module_dir, module, "{{.Dir}}")) / inner
    if not source.is_file():
        raise InstallError(EXIT_BUILD_FAILED, f"{module} has no file {inner} (for {target.output})")
    shutil.copyfile(source, destination)


def run_check(target: Target, installed: Path, expected: str) -> None:
    assert target.check is not None
    done = subprocess.run([str(installed), *target.check.args], capture_output=True, text=True, check=False)
    actual = done.stdout.strip()
    if done.returncode != 0 or actual != expected:
        raise InstallError(EXIT_BUILD_FAILED, f"{installed.name} {' '.join(target.check.args)} printed "
                                              f"{actual!r} (exit {done.returncode}), expected {expected!r}")


def write_launcher(target: Target, bin_dir: Path) -> tuple[bool, float]:
    """A shell launcher running this venv's Python with the target's arguments, the repository on its path
    (the plugins are the repository's modules). Written only when its text changes, so a second run reports it
    up to date like any other target."""
    started = time.monotonic()
    python = Path(sys.executable)
    text = ("#!/bin/sh\n# Written by tools/install_pulumi.py from go/targets.json.\n"
            f"PYTHONPATH={REPO}${{PYTHONPATH:+:$PYTHONPATH}} exec {python} "
            + " ".join(target.python) + ' "$@"\n')
    installed = bin_dir / target.output
    if installed.is_file() and installed.read_text(errors="replace") == text and installed.stat().st_mode & 0o111:
        return False, time.monotonic() - started
    partial = bin_dir / f".{target.output}.partial"
    partial.write_text(text)
    partial.chmod(0o755)
    partial.replace(installed)
    return True, time.monotonic() - started


def install_target(go: Go, target: Target, bin_dir: Path, go_version: str, force: bool) -> tuple[str, float]:
    """Install one target unless current; returns (what was done, seconds)."""
    if target.python:
        if force:
            (bin_dir / target.output).unlink(missing_ok=True)
        written, seconds = write_launcher(target, bin_dir)
        return ("built" if written else "up to date"), seconds
    started = time.monotonic()
    module_dir = REPO / target.dir
    ldflags = expand(target.ldflags, go, module_dir)
    expected = expand(target.check.stdout, go, module_dir) if target.check else None
    stamp = hashlib.sha256(json.dumps({
        "go": go_version, "target": target.raw, "ldflags": ldflags,
        "sources": sources_digest(go, target, module_dir),
    }, sort_keys=True).encode()).hexdigest()
    installed = bin_dir / target.output
    stamp_file = bin_dir.parent / STAMP_DIR_NAME / f"{target.output}.sha256"

    current = installed.is_file() and stamp_file.is_file() and stamp_file.read_text().strip() == stamp
    done = "up to date"
    if not current or force:
        partial = bin_dir / f".{target.output}.partial"
        try:
            if target.package is None:
                copy_module_file(go, target, module_dir, partial)
                done = "built"
            elif not force and _from_cache(stamp, target.output, partial):
                done = "copied from the binary cache"
            else:
                go_build(go, target, module_dir, ldflags, partial)
                _into_cache(stamp, target.output, partial)
                done = "built"
            partial.chmod(0o755)
            partial.replace(installed)  # atomic: a failed or interrupted build leaves the old binary
        finally:
            partial.unlink(missing_ok=True)
        stamp_file.parent.mkdir(exist_ok=True)
        stamp_file.write_text(stamp + "\n")
    if expected is not None:
        run_check(target, installed, expected)
    return done, time.monotonic() - started


def install(bin_dir: Path, force: bool = False, targets_file: Path = TARGETS_FILE) -> None:
    targets = load_targets(targets_file)
    go = Go()
    bin_dir.mkdir(parents=True, exist_ok=True)
    versions: dict[str, str] = {}
    for module in dict.fromkeys(t.dir for t in targets if t.dir):
        module_dir = REPO / module
        versions[module] = go.version(module_dir)
        started = time.monotonic()
        go.download(module_dir)
        print(f"{module}: modules ready ({versions[module]}, {time.monotonic() - started:.1f} s)", flush=True)
    total = time.monotonic()
    for target in targets:
        state, seconds = install_target(go, target, bin_dir, versions.get(target.dir, ""), force)
        print(f"{target.output}: {state} in {seconds:.1f} s -> {bin_dir / target.output}", flush=True)
    print(f"{len(targets)} Go target(s) installed in {time.monotonic() - total:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin-dir", type=Path, default=Path(sys.executable).parent,
                        help="where the binaries go (default: this Python's bin directory, i.e. .venv/bin)")
    parser.add_argument("--force", action="store_true", help="rebuild even when a target is current")
    args = parser.parse_args(argv)
    try:
        install(args.bin_dir.resolve(), force=args.force)
    except InstallError as exc:
        print(f"install_pulumi: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("install_pulumi: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
