"""Restore a deployment from an archive that `manage.py backup` wrote.

    manage.py restore var/backups/dangjian-20270101-020000.tar.gz
    manage.py restore ARCHIVE --force     # replace what the target database and media folder hold

The target is the database and MEDIA_ROOT the settings name (DATABASE_URL, DANGJIAN_VAR_DIR), of
the same kind as the backup's (SQLite or PostgreSQL). Before anything is written the archive is
checked against its manifest (every uploaded file's checksum, the database file, migrations this
code knows); a target that holds any table or file is refused unless --force. Afterwards every
table's row count and the uploaded files are checked against the manifest again.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from dangjian.core import backup


class Command(BaseCommand):
    help = "从备份归档恢复数据库与上传文件 / Restore the database and the uploaded files from a backup archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="manage.py backup 写出的归档文件")
        parser.add_argument("--force", action="store_true", help="目标已有数据时仍然恢复（用备份替换现有内容）")

    def handle(self, *args, **options):
        try:
            manifest = backup.restore_backup(Path(options["archive"]), force=options["force"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("已从 %(a)s（%(t)s 备份）恢复：%(n)s 张数据表共 %(r)s 行，上传文件 %(f)s 个，均已核对。")
            % {
                "a": options["archive"],
                "t": backup.created_at(manifest),
                "n": len(manifest["tables"]),
                "r": sum(manifest["tables"].values()),
                "f": manifest["media"]["count"],
            }
        )
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stdout.write(
                _("备份早于当前程序版本，还有 %(n)s 个数据库迁移未执行：请运行 manage.py migrate。")
                % {"n": len(pending)}
            )
