"""Files that hold patient data or secrets (the SQLite database, filed letters, backups, the session key): owner-only.

Folders are made 0700 and files 0600 whatever the umask; a file is written beside its target and renamed into place,
so a reader never sees half of it, and a failed write leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FOLDER_MODE, FILE_MODE = 0o700, 0o600


def private_folder(directory: Path, narrow: bool = False) -> None:
    """Make `directory` (and its missing parents) 0700; with `narrow`, make an existing one of ours 0700 too."""
    directory.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if narrow and directory.stat().st_uid == os.getuid():
        directory.chmod(FOLDER_MODE)


def create_private_file(path: Path) -> bool:
    """Create `path` empty and 0600 if it is missing (True), or narrow an existing file of ours to 0600 (False)."""
    private_folder(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        if path.stat().st_uid == os.getuid():
            path.chmod(FILE_MODE)
        return False
    return True


def write_private_file(path: Path, content: bytes) -> None:
    """Write `content` to `path` (0600) atomically; on failure (a full disk) no partial file is left. Raises OSError."""
    private_folder(path.parent)
    draft = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        draft.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            draft.unlink()
        raise
