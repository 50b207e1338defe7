"""Fixed statements: the few reads every request of the monthly deadline makes, written once as SQL.

Through the ORM each such read is a query built and compiled afresh — for a one-row read, more Python than
the database's own work. Written as a fixed statement it is read with `Model.objects.raw()`, so the rows are
the same model instances, with the model's own conversion of each column (dates on SQLite, JSON, decimals).
The model's columns are named, never `*`: on PostgreSQL a statement is prepared on each long-lived
connection, and a column a migration adds would change a prepared `*`'s result until the connection is
replaced. Each statement has a test that it reads what its ORM form reads.
"""

import functools
from datetime import date

from django.db import connection
from django.db.models import Field, Model
from django.db.models.expressions import Col


def columns(model: type[Model], table: str = "") -> str:
    """The model's columns, quoted, for a SELECT (of `table`'s alias when given)."""
    prefix = f"{table}." if table else ""
    return ", ".join(f'{prefix}"{field.column}"' for field in model._meta.concrete_fields)


def day(value: date) -> object:
    """A date as the database takes it as a parameter (a string on SQLite, as the ORM sends it)."""
    return connection.ops.adapt_datefield_value(value)


@functools.cache
def converter(model: type[Model], name: str):
    """What turns a column of `model` read as an extra (an annotation) of a raw query into the field's value,
    as the ORM would: on SQLite a timestamp is text until converted."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field), f"{model.__name__}.{name} is not a column"
    expression = Col(model._meta.db_table, field)
    steps = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)

    def convert(value):
        for step in steps:
            value = step(value, expression, connection)
        return value

    return convert
