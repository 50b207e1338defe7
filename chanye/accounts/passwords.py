"""Password policy validators (等保2.0): character classes and no reuse of recent passwords."""

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

CLASSES = (
    ("小写字母", set(string.ascii_lowercase)),
    ("大写字母", set(string.ascii_uppercase)),
    ("数字", set(string.digits)),
)


def character_classes(password: str) -> int:
    """How many of: lower case, upper case, digits, other characters the password uses."""
    used = sum(1 for _, chars in CLASSES if any(c in chars for c in password))
    if any(not (c in string.ascii_letters or c in string.digits) for c in password):
        used += 1
    return used


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、特殊字符中的至少 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"至少包含大写字母、小写字母、数字、特殊字符中的 {self.min_classes} 类。"


class PasswordHistoryValidator:
    def __init__(self, keep: int = 5):
        self.keep = keep

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        hashes = [user.password] if user.password else []
        hashes += list(user.password_history.values_list("password", flat=True)[: self.keep])
        if any(check_password(password, encoded) for encoded in hashes[: self.keep]):
            raise ValidationError(f"不能使用最近 {self.keep} 次用过的密码。", code="password_reused")

    def get_help_text(self):
        return f"不能与最近 {self.keep} 次使用的密码相同。"
