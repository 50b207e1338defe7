"""Sessions and the signed-in user, read the way every page reads them: one fixed statement each.

Every request loads its session and then its user. Through the ORM each is a query compiled afresh —
more Python than the database's own work on a small page — so both are read with `raw()`: the same rows,
the same models, Django's checks unchanged (expiry in the statement, `user_can_authenticate`, the
session's password hash compared by `django.contrib.auth.get_user`)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from chanye.core import statements


class SessionStore(db.SessionStore):
    """Django's database session store; only the read is a fixed statement."""

    def _get_session_from_db(self):
        model = self.model
        using = router.db_for_read(model)
        now = connections[using].ops.adapt_datetimefield_value(timezone.now())
        found = list(
            model.objects.using(using).raw(
                f"SELECT session_key, session_data, expire_date FROM {model._meta.db_table} "  # noqa: S608
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
        )
        if found:
            return found[0]
        self._session_key = None
        return None


class UserBackend(ModelBackend):
    """Django's model backend (passwords, permissions, inactive users refused); the user of a session is
    read by a fixed statement."""

    def get_user(self, user_id):
        model = get_user_model()
        # The model's columns by name, not `*` (see chanye.core.statements)
        found = list(
            model._default_manager.raw(
                f"SELECT {statements.columns(model)} FROM {model._meta.db_table} "  # noqa: S608
                f"WHERE {model._meta.pk.column} = %s",
                [user_id],
            )
        )
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
