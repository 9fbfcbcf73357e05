"""Reading one input file: every file option (`--config`, `--inventory`, `--compare`, `--policy-pack-config`,
`--outputs`, a kubeconfig) goes through here, so a FIFO, a device or an endless file is one line, never a hang
or a MemoryError."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class InputFileError(ValueError):
    """The file cannot be read (exit 2): the message is one line naming it."""


def read_input_file(path: Path, what: str, limit: int) -> bytes:
    """The bytes of the regular file `path` (at most `limit`). `what` names it in messages ("stack file").

    Opened non-blocking, so a FIFO without a writer does not block the open; then only a regular file is read
    (a FIFO or a character device such as /dev/zero has no end to wait for).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputFileError(f"{what} {path} does not exist") from None
    except OSError as exc:
        raise InputFileError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputFileError(f"{what} {path} is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise InputFileError(f"{what} {path} is not a regular file (a FIFO, device or socket): "
                                 "ackstack reads input from files only")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputFileError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise InputFileError(f"{what} {path} is larger than {limit:,} bytes (the most ackstack reads)")
    return data
