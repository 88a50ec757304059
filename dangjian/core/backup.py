"""Backup and restore of a deployment: the database and the uploaded files in one archive.

The archive (a .tar.gz) holds
  manifest.json        what is inside: format, when, the database's kind and migration state, the rows of
                       every table, and each uploaded file's size and SHA-256;
  database.sqlite3     a copy made with SQLite's online backup API (consistent while the site runs), or
  database.pgdump      pg_dump's custom format, read by pg_restore of the same major version;
  media/…              the uploaded files (MEDIA_ROOT).
The row counts come from the same snapshot as the dump, so a restore can be checked table by table.
The task queue's own file and the settings (SECRET_KEY, …) are not part of it.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_DIR = "media"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


# -- what a database and a media folder hold ----------------------------------------------------------
def table_counts(cursor: Any, tables: list[str], quote: Any) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from introspection
        counts[table] = cursor.fetchone()[0]
    return counts


def database_counts() -> dict[str, int]:
    """Rows in every table of the site's database."""
    with connection.cursor() as cursor:
        return table_counts(cursor, connection.introspection.table_names(cursor), connection.ops.quote_name)


def migration_state(cursor: Any) -> list[list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [[app, name] for app, name in cursor.fetchall()]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def media_checksum(files: list[dict[str, Any]]) -> str:
    """One checksum of a whole media folder: its files' paths and contents."""
    digest = hashlib.sha256()
    for entry in sorted(files, key=lambda f: f["path"]):
        digest.update(f"{entry['path']}\0{entry['sha256']}\n".encode())
    return digest.hexdigest()


def media_paths(root: Path) -> list[Path]:
    """The files under `root` (links left out), in a stable order."""
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()) if root.is_dir() else []


def media_files(root: Path) -> list[dict[str, Any]]:
    """Every file under `root` as {path (relative, /-separated), size, sha256}."""
    return [
        {"path": p.relative_to(root).as_posix(), "size": p.stat().st_size, "sha256": file_sha256(p)}
        for p in media_paths(root)
    ]


# -- backup ----------------------------------------------------------------------------------------------
def vendor() -> str:
    if connection.vendor not in DB_FILES:
        raise BackupError(_("不支持备份 %(v)s 数据库，只支持 SQLite 与 PostgreSQL。") % {"v": connection.vendor})
    return connection.vendor


def _pg_env() -> dict[str, str]:
    """libpq's environment for the site's database (the password never goes on a command line)."""
    conf = connection.settings_dict
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", conf.get("HOST")),
        ("PGPORT", conf.get("PORT")),
        ("PGUSER", conf.get("USER")),
        ("PGPASSWORD", conf.get("PASSWORD")),
        ("PGDATABASE", conf.get("NAME")),
        ("PGSSLMODE", (conf.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[key] = str(value)
    return env


def _run_pg_tool(args: list[str]) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(
            _("找不到 %(t)s：请安装与数据库服务器同一主版本的 PostgreSQL 客户端（如 postgresql-client-15）。")
            % {"t": args[0]}
        )
    result = subprocess.run([tool, *args[1:]], env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(_("%(t)s 失败：%(e)s") % {"t": args[0], "e": result.stderr.strip()[-2000:]})


def _dump_sqlite(target: Path) -> tuple[dict[str, int], list[list[str]]]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        # The tables Django's introspection lists (table_names()), read from the copy itself.
        tables = [row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        tables = [name for name in tables if name != "sqlite_sequence"]
        return table_counts(cursor, tables, connection.ops.quote_name), migration_state(cursor)
    finally:
        copy.close()


def _dump_postgresql(target: Path) -> tuple[dict[str, int], list[list[str]]]:
    # Count in a snapshot and hand the same snapshot to pg_dump, so counts and dump agree.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = table_counts(cursor, connection.introspection.table_names(cursor), connection.ops.quote_name)
        migrations = migration_state(cursor)
        _run_pg_tool(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ]
        )
    return counts, migrations


class _HashingReader:
    def __init__(self, source: IO[bytes]):
        self.source, self.digest = source, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        return data


def default_archive_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"dangjian-{stamp}.tar.gz"


def create_backup(output: Path) -> dict[str, Any]:
    """Write the archive to `output` (readable by this user only: it holds personal data)."""
    kind = vendor()
    if output.exists():
        raise BackupError(_("文件 %(p)s 已存在，请换一个文件名。") % {"p": output})
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=output.parent) as work:
        dump = Path(work) / DB_FILES[kind]
        counts, migrations = _dump_sqlite(dump) if kind == "sqlite" else _dump_postgresql(dump)
        partial.unlink(missing_ok=True)  # a failed run's leftover; the new file is made owner-only
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                tar.add(dump, arcname=DB_FILES[kind])
                files = []
                for path in media_paths(media_root):
                    relative = path.relative_to(media_root).as_posix()
                    info = tar.gettarinfo(str(path), arcname=f"{MEDIA_DIR}/{relative}")
                    with path.open("rb") as source:
                        reader = _HashingReader(source)
                        tar.addfile(info, reader)
                    files.append({"path": relative, "size": info.size, "sha256": reader.digest.hexdigest()})
                manifest = {
                    "format": FORMAT,
                    "created_at": timezone.now().isoformat(),
                    "database": {"vendor": kind, "file": DB_FILES[kind]},
                    "migrations": migrations,
                    "tables": counts,
                    "media": {"files": files, "count": len(files), "sha256": media_checksum(files)},
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(timezone.now().timestamp()), 0o600
                tar.addfile(info, io.BytesIO(body))
            partial.rename(output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


# -- restore ---------------------------------------------------------------------------------------------
def _safe_member(member: tarfile.TarInfo, kind_file: set[str]) -> bool:
    name = PurePosixPath(member.name)
    if not member.isfile() or name.is_absolute() or ".." in name.parts:
        return False
    return member.name in kind_file or (len(name.parts) > 1 and name.parts[0] == MEDIA_DIR)


@contextmanager
def unpacked(archive: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The archive unpacked into a temporary folder beside the media, checked against its manifest."""
    if not archive.is_file():
        raise BackupError(_("找不到备份文件 %(p)s。") % {"p": archive})
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.VAR_DIR, prefix="restore-") as work:
        root = Path(work)
        try:
            with tarfile.open(archive, mode="r:*") as tar:
                for member in tar:
                    if not _safe_member(member, {MANIFEST, *DB_FILES.values()}):
                        raise BackupError(_("备份文件中有不该出现的条目「%(n)s」，已停止恢复。") % {"n": member.name})
                    tar.extract(member, root, filter="data")
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BackupError(_("无法读取备份文件 %(p)s：%(e)s") % {"p": archive, "e": exc}) from exc
        yield root, check_unpacked(root)


def check_unpacked(root: Path) -> dict[str, Any]:
    """The manifest, once the database file and every uploaded file match it."""
    try:
        manifest = json.loads((root / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(_("备份文件中没有可读的清单（manifest.json），不是本系统的备份。")) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(_("备份格式 %(f)s 不是本程序能读的格式 %(n)s。") % {"f": found, "n": FORMAT})
    if not {"database", "migrations", "tables", "media"} <= manifest.keys():
        raise BackupError(_("备份清单（manifest.json）不完整，不是本系统写出的备份。"))
    kind = manifest["database"]["vendor"]
    if kind != vendor():
        raise BackupError(
            _("这是 %(a)s 数据库的备份，不能恢复到 %(b)s 数据库；请用同一种数据库恢复。") % {"a": kind, "b": vendor()}
        )
    if not (root / DB_FILES[kind]).is_file():
        raise BackupError(_("备份文件中缺少数据库文件 %(f)s。") % {"f": DB_FILES[kind]})
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    newer = [f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in known]
    if newer:
        raise BackupError(
            _("备份来自更新的程序版本，含本程序没有的数据库迁移：%(m)s。请先升级程序再恢复。")
            % {"m": "、".join(newer[:10])}
        )
    found = media_files(root / MEDIA_DIR)
    expected = {f["path"]: f for f in manifest["media"]["files"]}
    actual = {f["path"]: f for f in found}
    broken = sorted(p for p in expected.keys() | actual.keys() if expected.get(p) != actual.get(p))
    if broken or media_checksum(found) != manifest["media"]["sha256"]:
        raise BackupError(
            _("上传文件与备份清单不符（缺失、多出或内容被改动）：%(f)s。备份文件可能已损坏，已停止恢复。")
            % {"f": "、".join(broken[:10])}
        )
    return manifest


def target_contents() -> tuple[list[str], int]:
    """The target's tables, and how many files its media folder holds."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    media_root = Path(settings.MEDIA_ROOT)
    files = len(media_paths(media_root))
    return tables, files


def _drop_postgresql_tables() -> None:
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"DROP TABLE IF EXISTS {quote(table)} CASCADE")
        cursor.execute(
            "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()"
        )
        for (sequence,) in cursor.fetchall():
            cursor.execute(f"DROP SEQUENCE IF EXISTS {quote(sequence)} CASCADE")


def _load_sqlite(dump: Path) -> None:
    # The backup API replaces the whole target database, page by page, whatever it held.
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _load_postgresql(dump: Path) -> None:
    _drop_postgresql_tables()
    connection.close()
    database = connection.settings_dict["NAME"]
    # --clean drops what the dump holds besides tables (the timebank's trigger function) before making it again.
    options = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--clean", "--if-exists"]
    _run_pg_tool(["pg_restore", *options, f"--dbname={database}", str(dump)])


def _place_media(source: Path, *, replace: bool) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    if replace:  # empty the folder, not remove it: it may be a mount point
        for child in media_root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    for path in media_paths(source):
        target = media_root / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)


def verify_restored(manifest: dict[str, Any]) -> list[str]:
    """What differs between the restored deployment and the manifest (empty when all is there)."""
    problems = []
    counts = database_counts()
    for table in sorted(manifest["tables"].keys() | counts.keys()):
        want, have = manifest["tables"].get(table), counts.get(table)
        if want != have:
            problems.append(_("数据表 %(t)s：备份中 %(a)s 行，恢复后 %(b)s 行") % {"t": table, "a": want, "b": have})
    with connection.cursor() as cursor:
        if migration_state(cursor) != manifest["migrations"]:
            problems.append(_("数据库迁移记录与备份不一致"))
    files = media_files(Path(settings.MEDIA_ROOT))
    if media_checksum(files) != manifest["media"]["sha256"]:
        problems.append(_("上传文件与备份不一致"))
    return problems


def restore_backup(archive: Path, *, force: bool) -> dict[str, Any]:
    """Bring the archive's database and uploaded files back; refuses a target that holds anything
    unless `force` (then what it held is replaced)."""
    with unpacked(archive) as (root, manifest):
        tables, files = target_contents()
        if (tables or files) and not force:
            raise BackupError(
                _(
                    "目标不是空的：数据库已有 %(t)s 张数据表，上传文件目录（%(m)s）已有 %(f)s 个文件。"
                    "恢复会用备份替换这些内容；确认要替换，请加 --force 重新运行。"
                )
                % {"t": len(tables), "m": settings.MEDIA_ROOT, "f": files}
            )
        dump = root / manifest["database"]["file"]
        if manifest["database"]["vendor"] == "sqlite":
            _load_sqlite(dump)
        else:
            _load_postgresql(dump)
        _place_media(root / MEDIA_DIR, replace=force)
    problems = verify_restored(manifest)
    if problems:
        raise BackupError(_("恢复后的核对未通过：%(p)s。") % {"p": "；".join(problems)})
    return manifest


def created_at(manifest: dict[str, Any]) -> str:
    moment = datetime.datetime.fromisoformat(manifest["created_at"])
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
