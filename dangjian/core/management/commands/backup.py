"""Back up the deployment: the database and the uploaded files, in one archive.

    manage.py backup                        # var/backups/dangjian-YYYYMMDD-HHMMSS.tar.gz
    manage.py backup --output /srv/backups/dangjian.tar.gz

SQLite is copied with its online backup API and PostgreSQL with pg_dump (custom format; the
client must be of the server's major version), so the site may keep running. The archive holds
personal data: it is written readable by this user only; keep it as carefully as the database.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dangjian.core import backup


class Command(BaseCommand):
    help = "备份数据库与上传文件到一个归档文件 / Back up the database and the uploaded files into one archive."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="归档文件路径（默认 var/backups/dangjian-时间.tar.gz）")

    def handle(self, *args, **options):
        output = Path(options["output"]) if options["output"] else backup.default_archive_path()
        try:
            manifest = backup.create_backup(output)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("已备份到 %(o)s：%(n)s 张数据表共 %(r)s 行，上传文件 %(f)s 个（%(t)s）。")
            % {
                "o": output,
                "n": len(manifest["tables"]),
                "r": sum(manifest["tables"].values()),
                "f": manifest["media"]["count"],
                "t": backup.created_at(manifest),
            }
        )
