"""Errors the services of every app raise and both interfaces translate."""


class StaleEdit(Exception):
    """Someone saved the record since the form or the API client read it: the page answers 409 with the
    message, the API 409 with the current version. Nothing of the stale save is written."""
