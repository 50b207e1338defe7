"""One- and two-character name search at a million enterprises (PostgreSQL).

Chinese names are searched most often by two characters (天越, 星德), which no trigram index can serve:
`UPPER(name) LIKE '%星德%'` then walks the register newest first until a page matches, the whole register
for a rare pair. An index of every name's characters and character pairs answers it directly:
`chanye_name_grams(text)` is the array of a text's characters and overlapping two-character substrings,
and a GIN index on it over UPPER(name) finds the enterprises containing one (`@> ARRAY['星德']`) in a
millisecond. ANALYZE keeps their frequencies, so a frequent pair (有限, 科技) is still planned as the
newest-first walk, which stops within a page. Former names get the same index. SQLite needs none (its
walk of the register meets the target).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION chanye_name_grams(t text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    grams text[] := '{}';
    n int := char_length(t);
BEGIN
    FOR i IN 1 .. n LOOP
        grams := grams || substr(t, i, 1);
        IF i < n THEN
            grams := grams || substr(t, i, 2);
        END IF;
    END LOOP;
    RETURN grams;
END
$$
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS enterprise_name_grams ON enterprises_enterprise "
        "USING gin (chanye_name_grams(UPPER(name::text)))"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS former_name_grams ON enterprises_formername "
        "USING gin (chanye_name_grams(UPPER(name::text)))"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS enterprise_name_grams")
    schema_editor.execute("DROP INDEX IF EXISTS former_name_grams")
    schema_editor.execute("DROP FUNCTION IF EXISTS chanye_name_grams(text)")


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0005_street_newest_index")]

    operations = [migrations.RunPython(add, remove)]
