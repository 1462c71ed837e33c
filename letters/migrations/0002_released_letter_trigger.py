"""Database guard: an UPDATE that changes a released letter's content is refused.

Letter.save() and the services already refuse; this also stops a queryset ``update()``,
a data migration or a hand-written SQL statement. ``notified_at`` (bookkeeping) and
``rendered_by_id`` (set to NULL when a user is deleted) stay writable. There is no DELETE
trigger on purpose: ``flush`` (transactional tests) empties tables with DELETE on SQLite;
deletion is stopped by PROTECT foreign keys, Letter.delete() and the read-only admin.
"""

from django.db import migrations

GUARDED = ["status", "file", "sha256", "size", "kind", "application_id", "decision_id", "released_at", "supersedes_id"]

SQLITE_CREATE = """
CREATE TRIGGER letters_letter_released_immutable
BEFORE UPDATE ON letters_letter
FOR EACH ROW WHEN OLD.status = 'released' AND ({changed})
BEGIN
    SELECT RAISE(ABORT, 'letters_letter: a released letter is immutable');
END;
""".format(changed=" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in GUARDED))

SQLITE_DROP = "DROP TRIGGER IF EXISTS letters_letter_released_immutable;"

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION letters_letter_released_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'released' AND ROW({new}) IS DISTINCT FROM ROW({old}) THEN
        RAISE EXCEPTION 'letters_letter %: a released letter is immutable', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER letters_letter_released_immutable
BEFORE UPDATE ON letters_letter
FOR EACH ROW EXECUTE FUNCTION letters_letter_released_immutable();
""".format(new=", ".join(f"NEW.{c}" for c in GUARDED), old=", ".join(f"OLD.{c}" for c in GUARDED))

POSTGRES_DROP = """
DROP TRIGGER IF EXISTS letters_letter_released_immutable ON letters_letter;
DROP FUNCTION IF EXISTS letters_letter_released_immutable();
"""


def _run(statements):
    def run(apps, schema_editor):
        sql = statements.get(schema_editor.connection.vendor)
        if sql:  # other databases: the model and service guards still hold
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
