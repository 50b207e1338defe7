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


# What a searched fragment's UPPER must contain, as grams: the fragment itself while it is one or two
# characters (always, with the libc locales), its pairs when UPPER made it longer (an ICU collation upper-cases
# ﬃ to FFI and ß to SS), so the condition stays necessary and `strpos` keeps the answer exact.
FRAGMENT = """
CREATE OR REPLACE FUNCTION chanye_fragment_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN char_length(t) <= 2 THEN ARRAY[t]
       ELSE ARRAY(SELECT substr(t, i, 2) FROM generate_series(1, char_length(t) - 1) AS i) END
$$
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(FRAGMENT)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS enterprise_name_grams ON enterprises_enterprise "
        "USING gin (chanye_name_grams(UPPER(name::text)))"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS former_name_grams ON enterprises_formername "
        "USING gin (chanye_name_grams(UPPER(name::text)))"
    )
    # The planner tells rare pairs from frequent ones by these indexes' statistics, which a new index does
    # not have until the next ANALYZE (autovacuum waits for a tenth of the rows to change): until then every
    # fragment would be read from the index and sorted, a frequent one at a million rows in seconds.
    schema_editor.execute("ANALYZE enterprises_enterprise")
    schema_editor.execute("ANALYZE enterprises_formername")


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS enterprise_name_grams")
    schema_editor.execute("DROP INDEX IF EXISTS former_name_grams")
    schema_editor.execute("DROP FUNCTION IF EXISTS chanye_name_grams(text)")
    schema_editor.execute("DROP FUNCTION IF EXISTS chanye_fragment_grams(text)")


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0005_street_newest_index")]

    operations = [migrations.RunPython(add, remove)]
