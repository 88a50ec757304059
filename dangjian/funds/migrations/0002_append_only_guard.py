"""On PostgreSQL, the database itself refuses to update or delete funds ledger rows (journals and
entries); TRUNCATE, used only by test teardown and maintenance, is not a row change and stays possible."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION funds_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'funds ledger rows are append-only (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""
TABLES = ["funds_journal", "funds_entry"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION funds_append_only()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS funds_append_only()")


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_funds_ledger")]
    operations = [migrations.RunPython(forwards, backwards)]
