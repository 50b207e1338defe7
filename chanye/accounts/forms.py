from django import forms
from django.utils.translation import gettext_lazy as _

from chanye.accounts.models import ROLE_CHOICES
from chanye.industries.models import Industry
from chanye.organizations.models import Department, Leader, Street


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)


class OtpForm(forms.Form):
    token = forms.CharField(
        label=_("动态验证码"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput)
    confirm_password = forms.CharField(label=_("确认新密码"), widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("当前密码不正确。")
        return value

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("confirm_password"):
            self.add_error("confirm_password", "两次输入的新密码不一致。")
        return data


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.@-]{3,150}$",
        error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ -，3 到 150 位。"},
    )
    display_name = forms.CharField(label=_("姓名"), max_length=60)
    role = forms.ChoiceField(label=_("角色"), choices=ROLE_CHOICES)


class UserAssignForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=ROLE_CHOICES)
    department = forms.ModelChoiceField(Department.objects.all(), label=_("所属部门"), required=False)
    leader = forms.ModelChoiceField(Leader.objects.all(), label=_("区领导职务"), required=False)
    street = forms.ModelChoiceField(Street.objects.all(), label=_("所属街道"), required=False)
    industries = forms.ModelMultipleChoiceField(
        Industry.objects.filter(active=True).select_related("system"), label=_("负责产业"), required=False
    )
