"""Backup and restore: the demo district and its uploaded files go into one archive and come back,
table by table and byte by byte, into an empty deployment (a second database and var folder)."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from dangjian.accounts.models import User
from dangjian.cases.models import Case, CasePhoto

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8


def tree_checksum(root: Path) -> tuple[int, str]:
    """(number of files, one SHA-256 over every file's path and bytes) of a folder."""
    digest, count = hashlib.sha256(), 0
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
        count += 1
    return count, digest.hexdigest()


def row_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def source_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return row_counts(cursor, connection.introspection.table_names(cursor))


MIGRATIONS = "SELECT app, name FROM django_migrations ORDER BY app, name"


def source_migrations() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(MIGRATIONS)
        return [tuple(row) for row in cursor.fetchall()]


class Target:
    """An empty deployment beside the test database: a new database and its own var folder."""

    def __init__(self, tmp_path: Path):
        self.var = tmp_path / "target-var"
        self.var.mkdir()
        conf = connection.settings_dict
        if connection.vendor == "postgresql":
            self.name = f"{conf['NAME']}_restore"
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{self.name}"')
            auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf.get("PASSWORD") else "")
            self.url = f"postgres://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{self.name}"
        else:
            self.name = str(self.var / "restored.sqlite3")
            self.url = f"sqlite:///{self.name}"

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DANGJIAN_VAR_DIR": str(self.var),
            "SECRET_KEY": "restore-test-" + "k" * 50,
            "DEBUG": "0",
        }
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def query(self, read):
        """`read(cursor, catalog)` on the restored database, over a connection of its own."""
        if connection.vendor == "postgresql":
            import psycopg

            catalog = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            with psycopg.connect(self.url.replace("postgres://", "postgresql://")) as db, db.cursor() as cursor:
                return read(cursor, catalog)
        catalog = "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'"
        db = sqlite3.connect(self.name)
        try:
            return read(db.cursor(), catalog)
        finally:
            db.close()

    def counts(self) -> dict[str, int]:
        def read(cursor, catalog):
            cursor.execute(catalog)
            return row_counts(cursor, [row[0] for row in cursor.fetchall()])

        return self.query(read)

    def migrations(self) -> list[tuple[str, str]]:
        def read(cursor, catalog):
            cursor.execute(MIGRATIONS)
            return [tuple(row) for row in cursor.fetchall()]

        return self.query(read)

    def drop(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path, transactional_db):
    made = Target(tmp_path)
    yield made
    made.drop()


def test_the_demo_district_round_trips_into_an_empty_deployment(demo, settings, tmp_path, target):
    settings.MEDIA_ROOT = tmp_path / "media"
    for index, case in enumerate(Case.objects.order_by("pk")[:3]):
        CasePhoto.objects.create(case=case, file=ContentFile(JPEG + bytes([index]), name=f"现场{index}.jpg"))
    archive = tmp_path / "backups" / "dangjian.tar.gz"
    out = io.StringIO()
    call_command("backup", output=str(archive), stdout=out)
    assert "已备份到" in out.getvalue()
    assert archive.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only
    before = source_counts()
    files_before = tree_checksum(Path(settings.MEDIA_ROOT))
    assert files_before[0] == 3 and before["accounts_user"] == User.objects.count() > 0

    restored = target.manage("restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "均已核对" in restored.stdout
    assert target.counts() == before  # every table, row for row
    assert tree_checksum(target.var / "media") == files_before
    assert target.migrations() == source_migrations()  # the migration state came along

    # A deployment that holds anything is not overwritten unless asked.
    (target.var / "media" / "extra.txt").write_text("本地文件")
    again = target.manage("restore", str(archive))
    assert again.returncode != 0
    assert "目标不是空的" in again.stderr and "--force" in again.stderr
    assert (target.var / "media" / "extra.txt").exists()
    forced = target.manage("restore", str(archive), "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.counts() == before
    assert tree_checksum(target.var / "media") == files_before


def rewrite(archive: Path, change) -> Path:
    """A copy of the archive with `change(name, data) -> (name, data) | None` applied to each member."""
    members = []
    with tarfile.open(archive) as tar:
        for member in tar:
            members.append(change(member.name, tar.extractfile(member).read()))
    changed = archive.with_name("changed.tar.gz")
    with tarfile.open(changed, "w:gz") as tar:
        for name, data in filter(None, members):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return changed


def other_photo(name, data):
    return (name, b"\xff\xd8\xff changed") if name.startswith("media/") else (name, data)


def newer_migration(name, data):
    if name != "manifest.json":
        return name, data
    manifest = json.loads(data)
    manifest["migrations"].append(["cases", "9999_from_the_future"])
    return name, json.dumps(manifest).encode()


def escaping_path(name, data):
    return ("media/../../outside.txt", data) if name.startswith("media/") else (name, data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (other_photo, "上传文件与备份清单不符"),
        (newer_migration, "cases.9999_from_the_future"),
        (escaping_path, "不该出现的条目"),
        (lambda name, data: None if name == "manifest.json" else (name, data), "没有可读的清单"),
    ],
)
def test_a_damaged_or_foreign_archive_is_refused_before_anything_is_touched(
    world, transactional_db, settings, tmp_path, change, message
):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "cases").mkdir(parents=True)
    (tmp_path / "media" / "cases" / "a.jpg").write_bytes(JPEG)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    users = User.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(rewrite(archive, change)), force=True, stdout=io.StringIO())
    assert User.objects.count() == users
    assert (tmp_path / "media" / "cases" / "a.jpg").read_bytes() == JPEG
    assert not (tmp_path / "outside.txt").exists()


def test_a_backup_never_overwrites_an_archive(db, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", output=str(archive), stdout=io.StringIO())
    assert archive.read_bytes() == b"an older backup"
