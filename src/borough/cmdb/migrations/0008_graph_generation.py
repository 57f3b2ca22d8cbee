"""The dependency graph's generation (models.GraphGeneration), moved by triggers on the
relationships: on PostgreSQL once per statement per organisation it touched (transition
tables, so a bulk load of 300,000 rows moves it once), on SQLite once per row. The value
is the later of one more and the time in microseconds, so it never repeats, even if the
table is emptied (a test database's flush) while a process still keeps a graph."""

from django.db import migrations, models

# One statement per event: a transition table the trigger does not declare may not be
# named at all (an INSERT's trigger has no old_rows), even in a branch never taken.
POSTGRES_BUMP = """
        INSERT INTO cmdb_graph_generation AS g (organisation_id, generation)
        SELECT DISTINCT organisation_id, stamp FROM {rows} WHERE organisation_id IS NOT NULL
        ON CONFLICT (organisation_id)
            DO UPDATE SET generation = greatest(g.generation + 1, excluded.generation);"""

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION cmdb_graph_generation_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    stamp bigint := (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE cmdb_graph_generation SET generation = greatest(generation + 1, stamp);
    ELSIF TG_OP = 'INSERT' THEN{POSTGRES_BUMP.format(rows="new_rows")}
    ELSIF TG_OP = 'DELETE' THEN{POSTGRES_BUMP.format(rows="old_rows")}
    ELSE{POSTGRES_BUMP.format(rows="old_rows")}{POSTGRES_BUMP.format(rows="new_rows")}
    END IF;
    RETURN NULL;
END $$;
"""

POSTGRES = [
    POSTGRES_FUNCTION,
    "CREATE TRIGGER cmdb_relationship_generation_insert AFTER INSERT ON cmdb_relationship "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION cmdb_graph_generation_bump()",
    "CREATE TRIGGER cmdb_relationship_generation_update AFTER UPDATE ON cmdb_relationship "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION cmdb_graph_generation_bump()",
    "CREATE TRIGGER cmdb_relationship_generation_delete AFTER DELETE ON cmdb_relationship "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION cmdb_graph_generation_bump()",
    "CREATE TRIGGER cmdb_relationship_generation_truncate AFTER TRUNCATE ON cmdb_relationship "
    "FOR EACH STATEMENT EXECUTE FUNCTION cmdb_graph_generation_bump()",
]
POSTGRES_BACK = [
    "DROP TRIGGER IF EXISTS cmdb_relationship_generation_insert ON cmdb_relationship",
    "DROP TRIGGER IF EXISTS cmdb_relationship_generation_update ON cmdb_relationship",
    "DROP TRIGGER IF EXISTS cmdb_relationship_generation_delete ON cmdb_relationship",
    "DROP TRIGGER IF EXISTS cmdb_relationship_generation_truncate ON cmdb_relationship",
    "DROP FUNCTION IF EXISTS cmdb_graph_generation_bump()",
]

# SQLite has no statement triggers; its rows' own organisation, one bump each.
SQLITE_BUMP = """
INSERT OR IGNORE INTO cmdb_graph_generation (organisation_id, generation)
    VALUES ({row}.organisation_id, 0);
UPDATE cmdb_graph_generation SET generation = max(generation + 1,
    CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))
    WHERE organisation_id = {row}.organisation_id;
"""
SQLITE = [
    "CREATE TRIGGER cmdb_relationship_generation_insert AFTER INSERT ON cmdb_relationship "
    f"FOR EACH ROW BEGIN {SQLITE_BUMP.format(row='NEW')} END",
    "CREATE TRIGGER cmdb_relationship_generation_update AFTER UPDATE ON cmdb_relationship "
    f"FOR EACH ROW BEGIN {SQLITE_BUMP.format(row='OLD')} {SQLITE_BUMP.format(row='NEW')} END",
    "CREATE TRIGGER cmdb_relationship_generation_delete AFTER DELETE ON cmdb_relationship "
    f"FOR EACH ROW BEGIN {SQLITE_BUMP.format(row='OLD')} END",
]
SQLITE_BACK = [f"DROP TRIGGER IF EXISTS cmdb_relationship_generation_{event}"
               for event in ("insert", "update", "delete")]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in (POSTGRES_BACK if vendor == "postgresql" else
                SQLITE_BACK if vendor == "sqlite" else []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0007_default_classes_for_existing_organisations")]

    operations = [
        migrations.CreateModel(
            name="GraphGeneration",
            fields=[
                ("organisation_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("generation", models.BigIntegerField()),
            ],
            options={"db_table": "cmdb_graph_generation"},
        ),
        migrations.RunPython(forwards, backwards),
    ]
