"""Row-level data scope: every list, detail and edit reads through `visible_to(user)`.

The rules themselves live in one place, `chanye.accounts.scopes`; a model names its kind.
"""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The rows this user may see; none for anonymous or inactive users."""
        from chanye.accounts.scopes import scope_filter

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        condition = scope_filter(user, getattr(self.model, "scope_kind"))  # noqa: B009
        if condition is None:
            return self.none()
        if condition is True:
            return self.all()
        rows = self.filter(condition)
        # Scopes over to-many joins repeat rows; a model whose scope uses subqueries says it needs no DISTINCT.
        return rows.distinct() if getattr(self.model, "scope_distinct", True) else rows
