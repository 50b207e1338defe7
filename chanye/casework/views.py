"""Pages of casework: the board and list, opening a case, a case with its timeline and the actions on it
(dispatch, comment, deadline, 销号, reopen, cancel), escalation on demand and the SLA table."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from chanye.casework import selectors, services
from chanye.casework.filters import CaseFilter
from chanye.casework.forms import (
    AssignForm,
    CancelForm,
    CaseOpenForm,
    CommentForm,
    DeadlineForm,
    ReopenForm,
    ResolveForm,
    SlaForm,
)
from chanye.casework.models import DEFAULT_SLA_DAYS, Case, Category, CategorySla
from chanye.core.views import PermissionGate
from chanye.enterprises.models import Enterprise
from chanye.enterprises.uscc import normalise

PAGE_SIZE = 50


def _errors_to_form(form, error: ValidationError) -> None:
    """A service's field errors on the form field they name (or on the form when it has no such field)."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


class CaseListView(PermissionGate, View):
    """The board (open cases per responsible department) above the filtered list."""

    permission_required = "cases.view"

    def get(self, request):
        visible = selectors.case_list(user=request.user)
        filterset = CaseFilter(request.GET, queryset=visible, request=request)
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        if request.htmx:
            return render(request, "casework/list.html#rows", {"page": page})
        board = selectors.case_board(user=request.user, queryset=visible)
        return render(
            request,
            "casework/list.html",
            {
                "filter": filterset,
                "page": page,
                "board": board,
                "totals": selectors.board_totals(board),
                "today": timezone.localdate(),
            },
        )


class CaseCreateView(PermissionGate, View):
    permission_required = "cases.open"

    PREFILL = (
        "category",
        "title",
        "subject_type",
        "subject_id",
        "subject_label",
        "enterprise",
        "department",
        "leader",
    )

    def _render(self, request, form, status=200):
        user = request.user
        linked = user.role != "enterprise_user" or user.enterprise_id is not None
        sla = {row.category: row.days for row in CategorySla.objects.all()}
        defaults = [
            (label, sla.get(value, DEFAULT_SLA_DAYS[Category(value)])) for value, label in Category.choices
        ]
        return render(
            request, "casework/new.html", {"form": form, "linked": linked, "sla": defaults}, status=status
        )

    def get(self, request):
        initial = {name: request.GET[name] for name in self.PREFILL if request.GET.get(name)}
        form = CaseOpenForm(initial=initial, enterprise_user=request.user.role == "enterprise_user")
        return self._render(request, form)

    def post(self, request):
        form = CaseOpenForm(request.POST, enterprise_user=request.user.role == "enterprise_user")
        if not form.is_valid():
            return self._render(request, form, status=400)
        data = dict(form.cleaned_data)
        enterprise = None
        code = normalise(data.pop("enterprise", "") or "")
        if code:
            enterprise = Enterprise.objects.visible_to(request.user).filter(uscc=code).first()
            if enterprise is None:
                form.add_error("enterprise", f"在你的数据范围内找不到统一社会信用代码为 {code} 的企业")
                return self._render(request, form, status=400)
        try:
            case = services.case_open(by=request.user, enterprise=enterprise, **data)
        except ValidationError as error:
            _errors_to_form(form, error)
            return self._render(request, form, status=400)
        messages.success(request, f"已立案：#{case.pk} {case.title}，办结期限 {case.deadline:%Y-%m-%d}")
        if Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
            return redirect("cases:detail", pk=case.pk)
        return redirect("cases:list")


def _visible(request, pk) -> Case:
    return get_object_or_404(selectors.case_list(user=request.user), pk=pk)


def _detail(request, case: Case, bound: dict | None = None, status: int = 200):
    """The case page; `bound` holds the action form that failed, shown open with its errors."""
    user = request.user
    handle = services.can_handle(user, case)
    redirect_ok = user.can("cases.escalate")
    version = {"version": case.version}
    forms = {
        "assign": AssignForm(
            initial={
                **version,
                "assignee": case.assignee_id,
                "department": case.department.code if case.department else None,
                "leader": case.leader.code if case.leader else None,
            },
            assignees=selectors.assignee_choices(case=case, user=user),
            redirect=redirect_ok,
            auto_id="id_assign_%s",
        ),
        "comment": CommentForm(auto_id="id_comment_%s"),
        "deadline": DeadlineForm(initial={**version, "deadline": case.deadline}, auto_id="id_deadline_%s"),
        "resolve": ResolveForm(initial=version, auto_id="id_resolve_%s"),
        "reopen": ReopenForm(initial=version, auto_id="id_reopen_%s"),
        "cancel": CancelForm(initial=version, auto_id="id_cancel_%s"),
    } | (bound or {})
    sections = {"comment"}
    if case.active and handle:
        sections |= {"assign", "deadline", "resolve"}
    if case.active and services.can_edit(user, case):
        sections.add("cancel")
    if not case.active and services.can_reopen(user, case):
        sections.add("reopen")
    failed = next(iter(bound)) if bound else ""
    hidden_errors = []
    if failed and failed not in sections:
        # The case changed under the form (e.g. closed meanwhile): say why, since the form is not shown.
        form = forms[failed]
        hidden_errors = [
            f"{form.fields[name].label}：{problem}" if name in form.fields else problem
            for name, problems in form.errors.items()
            for problem in problems
        ]
    context = {
        "case": case,
        "sections": sections,
        "hidden_errors": hidden_errors,
        "clock": case.clock,
        "events": selectors.case_timeline(case=case),
        "forms": forms,
        "failed": failed,
        "subject_url": selectors.subject_url(case),
    }
    return render(request, "casework/detail.html", context, status=status)


class CaseDetailView(PermissionGate, View):
    permission_required = "cases.view"

    def get(self, request, pk):
        return _detail(request, _visible(request, pk))


class _CaseAction(PermissionGate, View):
    """POST of one action form on the case page: success redirects back with a message; a refusal shows
    the page again with the reason on the form (400), a stale version with what happened (409)."""

    key = ""
    form_class: type = CommentForm
    done = ""

    def form(self, request, case):
        return self.form_class(request.POST, auto_id=f"id_{self.key}_%s")

    def act(self, request, case, data):
        raise NotImplementedError

    def post(self, request, pk):
        case = _visible(request, pk)
        form = self.form(request, case)
        if not form.is_valid():
            return _detail(request, case, {self.key: form}, status=400)
        try:
            self.act(request, case, form.cleaned_data)
        except services.StaleEdit as stale:
            form.add_error(None, str(stale))
            return _detail(request, _visible(request, pk), {self.key: form}, status=409)
        except ValidationError as error:
            _errors_to_form(form, error)
            return _detail(request, case, {self.key: form}, status=400)
        messages.success(request, self.done)
        return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + f"#{self.key}")


class CaseAssignView(_CaseAction):
    permission_required = "cases.handle"
    key, form_class, done = "assign", AssignForm, "已派单"

    def form(self, request, case):
        return AssignForm(
            request.POST,
            auto_id="id_assign_%s",
            assignees=selectors.assignee_choices(case=case, user=request.user),
            redirect=request.user.can("cases.escalate"),
        )

    def act(self, request, case, data):
        changes = {name: data[name] for name in ("department", "leader") if name in data}
        services.case_assign(
            case=case,
            by=request.user,
            assignee=data["assignee"],
            note=data["note"],
            expected_version=data["version"],
            **changes,
        )


class CaseCommentView(_CaseAction):
    permission_required = "cases.view"
    key, form_class, done = "comment", CommentForm, "已记录意见"

    def act(self, request, case, data):
        services.case_comment(case=case, by=request.user, text=data["text"])


class CaseDeadlineView(_CaseAction):
    permission_required = "cases.handle"
    key, form_class, done = "deadline", DeadlineForm, "已调整办结期限"

    def act(self, request, case, data):
        services.case_set_deadline(
            case=case,
            by=request.user,
            deadline=data["deadline"],
            reason=data["reason"],
            expected_version=data["version"],
        )


class CaseResolveView(_CaseAction):
    permission_required = "cases.handle"
    key, form_class, done = "resolve", ResolveForm, "已销号"

    def act(self, request, case, data):
        services.case_resolve(
            case=case, by=request.user, resolution=data["resolution"], expected_version=data["version"]
        )


class CaseReopenView(_CaseAction):
    permission_required = "cases.view"
    key, form_class, done = "reopen", ReopenForm, "已重新打开"

    def act(self, request, case, data):
        services.case_reopen(
            case=case,
            by=request.user,
            reason=data["reason"],
            deadline=data["deadline"],
            expected_version=data["version"],
        )


class CaseCancelView(_CaseAction):
    permission_required = "cases.view"
    key, form_class, done = "cancel", CancelForm, "已撤销"

    def act(self, request, case, data):
        services.case_cancel(
            case=case, by=request.user, reason=data["reason"], expected_version=data["version"]
        )


class CaseEscalateView(PermissionGate, View):
    """Run the escalation now (it also runs every day: `chanye cases escalate`)."""

    permission_required = "cases.escalate"

    def post(self, request):
        escalated = services.cases_escalate_overdue(by=request.user)
        if escalated:
            messages.success(request, f"已升级督办 {len(escalated)} 件逾期案件")
        else:
            messages.info(request, "没有需要升级督办的案件：逾期案件都已按级别督办")
        return redirect("cases:list")


class SlaView(PermissionGate, View):
    """Each category's default SLA; the 发改局 changes it (cases already open keep theirs)."""

    permission_required = "cases.view"

    def _current(self) -> dict[str, int]:
        stored = {row.category: row.days for row in CategorySla.objects.all()}
        return {value: stored.get(value, DEFAULT_SLA_DAYS[Category(value)]) for value in Category.values}

    def get(self, request):
        return render(request, "casework/sla.html", {"form": SlaForm(current=self._current())})

    def post(self, request):
        if not request.user.can("cases.escalate"):
            raise PermissionDenied("只有发改局可以设置办结时限")
        form = SlaForm(request.POST, current=self._current())
        if not form.is_valid():
            return render(request, "casework/sla.html", {"form": form}, status=400)
        try:
            services.category_sla_set(by=request.user, days=form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
            return render(request, "casework/sla.html", {"form": form}, status=400)
        messages.success(request, "已保存各类问题的办结时限（已立案的案件不变）")
        return redirect("cases:sla")
