"""Private files: owner-only whatever the umask, written whole or not at all."""

import errno
import os
import stat

import pytest

from tumorboard import storage


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def lax_umask():
    previous = os.umask(0o000)
    yield
    os.umask(previous)


def test_a_private_file_is_owner_only_and_replaces_the_old_copy_whole(tmp_path, lax_umask):
    target = tmp_path / "letters" / "plan.pdf"
    storage.write_private_file(target, b"first")
    storage.write_private_file(target, b"second")
    assert target.read_bytes() == b"second"
    assert _mode(target) == 0o600 and _mode(target.parent) == 0o700
    assert sorted(p.name for p in target.parent.iterdir()) == ["plan.pdf"]


def test_a_failed_write_keeps_the_old_copy_and_leaves_no_draft(tmp_path, monkeypatch):
    target = tmp_path / "plan.pdf"
    storage.write_private_file(target, b"signed copy")

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", full_disk)
    with pytest.raises(OSError):
        storage.write_private_file(target, b"new copy")
    assert target.read_bytes() == b"signed copy"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.pdf"]


def test_an_existing_file_is_narrowed_not_emptied(tmp_path, lax_umask):
    target = tmp_path / "tumorboard.db"
    target.write_bytes(b"data")
    target.chmod(0o644)
    assert storage.create_private_file(target) is False
    assert _mode(target) == 0o600 and target.read_bytes() == b"data"
    fresh = tmp_path / "new.db"
    assert storage.create_private_file(fresh) is True and _mode(fresh) == 0o600
