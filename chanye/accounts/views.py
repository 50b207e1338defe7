"""Sign-in (password, then TOTP for administrators), password changes, and account administration."""

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_otp import login as otp_login
from rest_framework.authtoken.models import Token

from chanye.accounts.forms import LoginForm, OtpForm, PasswordChangeForm, UserAssignForm, UserCreateForm
from chanye.accounts.models import User
from chanye.accounts.services import (
    LoginRefused,
    login_check,
    password_expired,
    password_set,
    totp_device_for,
    totp_verify,
    totp_wait_seconds,
    user_assign,
    user_create,
    user_set_active,
    user_unlock,
)
from chanye.audit.services import audit_record
from chanye.core.views import PermissionGate


def _next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class LoginView(View):
    def get(self, request):
        return render(request, "accounts/login.html", {"form": LoginForm(), "next": _next(request, "")})

    def post(self, request):
        form = LoginForm(request.POST)
        if form.is_valid():
            try:
                user = login_check(request=request, **form.cleaned_data)
            except LoginRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                login(request, user)
                if user.needs_second_factor:
                    return redirect(f"/accounts/otp/?next={_next(request, '/')}")
                return redirect(_next(request))
        return render(request, "accounts/login.html", {"form": form, "next": _next(request, "")}, status=400)


class OtpView(View):
    """Second factor: enrol (QR code of the otpauth URI) on first use, then verify a code."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def _context(self, request, form):
        device = totp_device_for(request.user)
        context = {"form": form, "device": device, "next": _next(request, "")}
        if not device.confirmed:
            context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
            context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
        return context

    def get(self, request):
        if request.user.is_verified():
            return redirect(_next(request))
        return render(request, "accounts/otp.html", self._context(request, OtpForm()))

    def post(self, request):
        form = OtpForm(request.POST)
        device = totp_device_for(request.user)
        if form.is_valid():
            wait = totp_wait_seconds(device)
            if wait:
                form.add_error("token", f"尝试过于频繁，请 {wait} 秒后再试。")
            elif totp_verify(user=request.user, device=device, token=form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_next(request))
            else:
                form.add_error("token", "验证码不正确或已过期，请输入验证器中当前显示的 6 位数字。")
        return render(request, "accounts/otp.html", self._context(request, form), status=400)


class LogoutView(View):
    def post(self, request):
        if request.user.is_authenticated:
            audit_record(actor=request.user, action="logout", obj=request.user)
        logout(request)
        return redirect("accounts:login")


class PasswordChangeView(View):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        form = PasswordChangeForm(user=request.user)
        return render(
            request,
            "accounts/password_change.html",
            {"form": form, "expired": password_expired(request.user)},
        )

    def post(self, request):
        form = PasswordChangeForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                password_set(
                    user=request.user, new_password=form.cleaned_data["new_password"], by=request.user
                )
            except ValidationError as error:
                form.add_error("new_password", error)
            else:
                from django.contrib.auth import update_session_auth_hash

                update_session_auth_hash(request, request.user)
                messages.success(request, "密码已修改。")
                return redirect("home")
        return render(
            request,
            "accounts/password_change.html",
            {"form": form, "expired": password_expired(request.user)},
            status=400,
        )


class ProfileView(View):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        token = Token.objects.filter(user=request.user).first()
        return render(request, "accounts/profile.html", {"token": token})

    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
        audit_record(actor=request.user, action="api_token.issue", obj=request.user)
        messages.success(request, "已生成新的 API 令牌，旧令牌已失效。")
        return render(request, "accounts/profile.html", {"token": token, "fresh": True})


class UserListView(PermissionGate, View):
    permission_required = "accounts.view"

    def get(self, request):
        users = (
            User.objects.visible_to(request.user)
            .select_related("department", "leader", "street")
            .prefetch_related("industries")
        )
        return render(request, "accounts/user_list.html", {"users": users, "create_form": UserCreateForm()})


class UserCreateView(PermissionGate, View):
    permission_required = "accounts.manage"

    def post(self, request):
        form = UserCreateForm(request.POST)
        if form.is_valid():
            try:
                user, temporary = user_create(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return render(
                    request, "accounts/user_created.html", {"new_user": user, "temporary": temporary}
                )
        users = User.objects.visible_to(request.user)
        return render(request, "accounts/user_list.html", {"users": users, "create_form": form}, status=400)


class UserDetailView(PermissionGate, View):
    permission_required = "accounts.view"

    def _user(self, request, pk):
        return get_object_or_404(User.objects.visible_to(request.user), pk=pk)

    def get(self, request, pk):
        target = self._user(request, pk)
        form = UserAssignForm(
            initial={
                "role": target.role,
                "department": target.department,
                "leader": target.leader,
                "street": target.street,
                "industries": list(target.industries.all()),
            }
        )
        return render(request, "accounts/user_detail.html", {"target": target, "form": form})

    def post(self, request, pk):
        target = self._user(request, pk)
        action = request.POST.get("action")
        form = UserAssignForm(request.POST if action == "assign" else None)
        try:
            if action == "assign" and form.is_valid():
                user_assign(by=request.user, user=target, **form.cleaned_data)
                messages.success(request, "角色和数据范围已更新。")
                return redirect("accounts:user_detail", pk=target.pk)
            if action in ("activate", "deactivate"):
                user_set_active(by=request.user, user=target, active=action == "activate")
                messages.success(request, "账号已启用。" if action == "activate" else "账号已停用。")
                return redirect("accounts:user_detail", pk=target.pk)
            if action == "unlock":
                user_unlock(by=request.user, user=target)
                messages.success(request, "账号已解锁。")
                return redirect("accounts:user_detail", pk=target.pk)
        except ValidationError as error:
            form.add_error(None, error)
        return render(request, "accounts/user_detail.html", {"target": target, "form": form}, status=400)
