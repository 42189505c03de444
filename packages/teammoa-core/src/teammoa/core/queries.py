"""SQL pieces the services share where the ORM's own cost too much on every request."""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import IntegerField, Model
from django.db.models.expressions import RawSQL


@cache
def correlated_count(outer: type[Model], related: type[Model], column: str) -> RawSQL:
    """``COUNT(*)`` of the ``related`` rows whose ``column`` is the outer row's id, as a
    correlated subquery to annotate ``outer``'s queryset with.

    The ORM's ``Count`` groups the whole row (and with ``select_related``, every joined
    row) and its ``Subquery(…annotate(Count)…)`` costs as much to compile on each request;
    this is a fixed string. Every name in it is a model's own, quoted; the outer table is
    referred to by its name, so the queryset must not be used as a subquery itself.
    """
    quote = connection.ops.quote_name
    table = quote(outer._meta.db_table)
    primary_key = quote(outer._meta.pk.column)
    return RawSQL(  # noqa: S611 - no outside input: table and column names, quoted
        f"SELECT COUNT(*) FROM {quote(related._meta.db_table)} AS teammoa_counted"  # noqa: S608
        f" WHERE teammoa_counted.{quote(column)} = {table}.{primary_key}",
        (),
        output_field=IntegerField(),
    )
