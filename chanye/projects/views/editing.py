"""Pages that keep the project library: new and edit a project, and the panels of the project page that
save a year's plan, the milestones, the special bonds and their monthly spend. Every save carries the
project's version; a stale one is refused with the user's input kept on the page."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from chanye.core.views import PermissionGate
from chanye.projects import lights, selectors, services
from chanye.projects.forms import BondForm, BondSpendForm, MilestonesForm, PlanForm, ProjectForm
from chanye.projects.models import Bond, Project

STALE_HINT = "你填写的内容保留在下方（版本已更新）：核对上方的最新内容后，再次保存即以你的内容为准。"


def _project(request, code: str) -> Project:
    """The project if it is in the user's scope (404 otherwise)."""
    return get_object_or_404(selectors.project_list(user=request.user), code=code)


def _editable(request, code: str) -> Project:
    project = _project(request, code)
    if not services.can_edit(request.user, project):
        raise PermissionDenied("你无权修改该项目（仅项目责任部门或发改局可以维护）")
    return project


def _put_errors(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _stale(form_class, request, project: Project, stale: services.StaleEdit, prefix: str = "", **kwargs):
    """The user's input again, bound with the current version, and the message on top."""
    data = request.POST.copy()
    data[f"{prefix}-version" if prefix else "version"] = str(
        Project.objects.values_list("version", flat=True).get(pk=project.pk)
    )
    form = form_class(data, prefix=prefix or None, **kwargs)
    form.is_valid()
    form.add_error(None, f"{stale}。{STALE_HINT}")
    return form


def _plain(value) -> str:
    if value is None or value == "":
        return ""
    return format(Decimal(value).normalize(), "f")


def _period_text(day) -> str:
    return f"{day:%Y-%m}"


class ProjectCreateView(PermissionGate, View):
    """新建项目: the profile of a new project in the library."""

    permission_required = "projects.change"

    def get(self, request):
        return render(request, "projects/edit.html", {"form": ProjectForm(creating=True), "creating": True})

    def post(self, request):
        form = ProjectForm(request.POST, creating=True)
        if not form.is_valid():
            return render(request, "projects/edit.html", {"form": form, "creating": True}, status=400)
        values = {name: form.cleaned_data.get(name) for name in ("code", *services.PROJECT_FIELDS)}
        try:
            project = services.project_create(
                values=values, stage=form.cleaned_data["stage"], by=request.user
            )
        except ValidationError as error:
            _put_errors(form, error)
            return render(request, "projects/edit.html", {"form": form, "creating": True}, status=400)
        messages.success(request, f"已新建项目 {project.code} {project.name}")
        return redirect("projects:detail", code=project.code)


class ProjectEditView(PermissionGate, View):
    """编辑项目: the profile of a project (not its code, nor its stage, which moves at year end)."""

    permission_required = "projects.change"

    def _render(self, request, project, form, status=200, current=None):
        return render(
            request, "projects/edit.html", {"form": form, "p": project, "current": current}, status=status
        )

    def get(self, request, code):
        project = _editable(request, code)
        form = ProjectForm(instance=project, initial={"version": project.version})
        return self._render(request, project, form)

    def post(self, request, code):
        project = _editable(request, code)
        form = ProjectForm(request.POST, instance=Project.objects.get(pk=project.pk))
        if not form.is_valid():
            return self._render(request, project, form, status=400)
        values = {name: form.cleaned_data.get(name) for name in services.PROJECT_FIELDS}
        try:
            services.project_update(
                project=project,
                values=values,
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
            )
        except services.StaleEdit as stale:
            fresh = Project.objects.get(pk=project.pk)
            form = _stale(ProjectForm, request, fresh, stale, instance=Project.objects.get(pk=project.pk))
            current = _differences(form, fresh)
            return self._render(request, fresh, form, status=409, current=current)
        except ValidationError as error:
            _put_errors(form, error)
            return self._render(request, project, form, status=400)
        messages.success(request, "项目信息已保存")
        return redirect("projects:detail", code=project.code)


def _differences(form, fresh: Project) -> dict[str, str]:
    """Field name → the value saved meanwhile, where it differs from what the user typed."""
    saved = ProjectForm(instance=fresh)
    found = {}
    for name in services.PROJECT_FIELDS:
        if name not in form.fields:
            continue
        mine = str(form.data.get(name, "")).strip()
        theirs = saved[name].value()
        theirs_text = "" if theirs is None else str(theirs).strip()
        if not _same(mine, theirs_text):
            shown = fresh.get_category_display() if name == "category" else getattr(fresh, name)
            found[name] = "—" if shown in (None, "") else str(shown)
    return found


def _same(mine: str, theirs: str) -> bool:
    try:
        return Decimal(mine) == Decimal(theirs)
    except ArithmeticError:
        return mine == theirs


# The panels of the project page.


def _plan_year(request) -> int:
    text = request.POST.get("year") or request.GET.get("year") or ""
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return selectors.latest_period(user=request.user).year


def _plan_form(project: Project, year: int) -> PlanForm:
    """The plan of `year` as the form shows it: 12 monthly amounts in 万元, or, for a pro-rata plan, empty
    months with the pro-rata amounts as placeholders."""
    plan = project.plans.filter(year=year).first()
    initial = {"year": year, "unit": "amount", "version": project.version}
    placeholders = [""] * 12
    if plan is not None:
        initial |= {
            "planned_investment": _plain(plan.planned_investment),
            "completed_before": _plain(plan.completed_before),
        }
        amounts = services.monthly_amounts(plan)
        if plan.curve:
            initial |= {f"m{month}": _plain(amount) for month, amount in enumerate(amounts, start=1)}
        else:
            placeholders = [_plain(amount) for amount in amounts]
    form = PlanForm(initial=initial)
    for month, text in enumerate(placeholders, start=1):
        if text:
            form.fields[f"m{month}"].widget.attrs["placeholder"] = text
    return form


def _milestones_form(request, project: Project, data=None) -> MilestonesForm:
    initial: dict = {"version": project.version}
    for milestone in project.milestones.all():
        initial[f"planned_{milestone.kind}"] = milestone.planned_on
        initial[f"actual_{milestone.kind}"] = milestone.actual_on
    return MilestonesForm(
        data,
        initial=initial,
        planned_editable=services.can_edit(request.user, project),
        actual_editable=services.can_review(request.user, project),
    )


def panels(request, project: Project, **bound) -> dict:
    """What the project page adds for those who keep the record: the edit forms (or the bound ones of a
    refused save), each bond's spend against its window, and the history of changes."""
    user = request.user
    editor = services.can_edit(user, project)
    reviewer = services.can_review(user, project)
    year = _plan_year(request)
    bonds = []
    for bond in project.bonds.prefetch_related("spends"):
        spent = sum((s.amount for s in bond.spends.all()), Decimal(0))
        row = {
            "bond": bond,
            "spends": list(bond.spends.all()),
            "spent": spent,
            "left": bond.amount - spent,
            "share": (spent * 100 / bond.amount).quantize(Decimal("0.1")) if bond.amount else None,
            "window_end": lights.add_months(bond.issued_on, bond.window_months),
        }
        if editor:
            row["form"] = bound.get("bond_forms", {}).get(bond.pk) or BondForm(
                prefix=f"bond{bond.pk}",
                initial={
                    "batch": bond.batch,
                    "amount": _plain(bond.amount),
                    "issued_on": bond.issued_on,
                    "window_months": bond.window_months,
                    "version": project.version,
                },
            )
            next_month = max([s.period for s in row["spends"]], default=None)
            next_month = lights.add_months(next_month, 1) if next_month else bond.issued_on.replace(day=1)
            row["spend_form"] = bound.get("spend_forms", {}).get(bond.pk) or BondSpendForm(
                prefix=f"spend{bond.pk}",
                initial={"period": _period_text(next_month), "version": project.version},
            )
        bonds.append(row)
    plan_rows = [
        (plan, [(services.plan_share(plan, month) * 100).quantize(Decimal("0.1")) for month in range(1, 13)])
        for plan in project.plans.order_by("-year")
    ]
    context = {
        "plan_rows": plan_rows,
        "can_edit": editor,
        "can_edit_milestones": editor or reviewer,
        "plan_year": year,
        "bond_rows": bonds,
        "history": project.changes.select_related("by")[:30],
        "edit_open": bound.get("open", ""),
    }
    if editor:
        context["plan_form"] = bound.get("plan_form") or _plan_form(project, year)
        context["new_bond_form"] = bound.get("new_bond_form") or BondForm(
            prefix="newbond", initial={"window_months": 6, "version": project.version}
        )
    if editor or reviewer:
        context["milestones_form"] = bound.get("milestones_form") or _milestones_form(request, project)
    return context


def _detail(request, project: Project, status: int, **bound):
    """The project page again, with a refused form in its panel (400 or 409)."""
    from chanye.projects.views import ProjectDetailView

    response = ProjectDetailView().get(request, project.code, panels=bound)
    response.status_code = status
    return response


def _saved(request, project: Project, text: str, anchor: str):
    messages.success(request, text)
    return redirect(f"/projects/{project.code}/?year={_plan_year(request)}#{anchor}")


class PlanSaveView(PermissionGate, View):
    """Save the year's plan from the project page: the total and 12 months as 万元 or percent."""

    permission_required = "projects.change"

    def post(self, request, code):
        project = _editable(request, code)
        form = PlanForm(request.POST)
        if not form.is_valid():
            return _detail(request, project, 400, plan_form=form, open="plan")
        data = form.cleaned_data
        try:
            services.plan_save(
                project=project,
                year=data["year"],
                planned_investment=data["planned_investment"],
                completed_before=data.get("completed_before"),
                monthly=form.monthly(),
                unit=data["unit"],
                by=request.user,
                expected_version=data.get("version"),
            )
        except services.StaleEdit as stale:
            return _detail(
                request, project, 409, plan_form=_stale(PlanForm, request, project, stale), open="plan"
            )
        except ValidationError as error:
            _put_errors(form, error)
            return _detail(request, project, 400, plan_form=form, open="plan")
        return _saved(request, project, f"{data['year']} 年度计划已保存", "plan")


class MilestonesSaveView(PermissionGate, View):
    """Save the milestones: planned dates by the record's keepers, actual dates by the project's reviewers."""

    permission_required = "projects.view"

    def post(self, request, code):
        project = _project(request, code)
        if not (services.can_edit(request.user, project) or services.can_review(request.user, project)):
            raise PermissionDenied("你无权修改该项目的节点")
        form = _milestones_form(request, project, request.POST)
        if not form.is_valid():
            return _detail(request, project, 400, milestones_form=form, open="milestones")
        try:
            services.milestones_save(
                project=project,
                dates=form.dates(),
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
            )
        except services.StaleEdit as stale:
            stale_form = _stale(
                MilestonesForm,
                request,
                project,
                stale,
                initial=_milestones_form(request, project).initial,
                planned_editable=services.can_edit(request.user, project),
                actual_editable=services.can_review(request.user, project),
            )
            return _detail(request, project, 409, milestones_form=stale_form, open="milestones")
        except ValidationError as error:
            _put_errors(form, error)
            return _detail(request, project, 400, milestones_form=form, open="milestones")
        return _saved(request, project, "节点已保存", "milestones")


class BondSaveView(PermissionGate, View):
    """Add a special-bond batch (no `pk`) or change one."""

    permission_required = "projects.change"

    def post(self, request, code, pk=None):
        project = _editable(request, code)
        bond = get_object_or_404(Bond, pk=pk, project=project) if pk else None
        prefix = f"bond{bond.pk}" if bond else "newbond"
        form = BondForm(request.POST, prefix=prefix)

        def again(status, refused):
            if bond is None:
                return _detail(request, project, status, new_bond_form=refused, open="bonds")
            return _detail(request, project, status, bond_forms={bond.pk: refused}, open="bonds")

        if not form.is_valid():
            return again(400, form)
        data = form.cleaned_data
        try:
            services.bond_save(
                project=project,
                bond=bond,
                values={name: data[name] for name in ("batch", "amount", "issued_on", "window_months")},
                by=request.user,
                expected_version=data.get("version"),
            )
        except services.StaleEdit as stale:
            return again(409, _stale(BondForm, request, project, stale, prefix=prefix))
        except ValidationError as error:
            _put_errors(form, error)
            return again(400, form)
        return _saved(request, project, f"专项债「{data['batch']}」已保存", "bonds")


class BondSpendSaveView(PermissionGate, View):
    """Record a bond's spend for a month (0 clears the month)."""

    permission_required = "projects.change"

    def post(self, request, code, pk):
        project = _editable(request, code)
        bond = get_object_or_404(Bond, pk=pk, project=project)
        prefix = f"spend{bond.pk}"
        form = BondSpendForm(request.POST, prefix=prefix)
        if form.is_valid():
            data = form.cleaned_data
            try:
                period = services.parse_period(data["period"])
                services.bond_spend_save(
                    bond=bond,
                    period=period,
                    amount=data["amount"],
                    by=request.user,
                    expected_version=data.get("version"),
                )
            except services.StaleEdit as stale:
                refused = _stale(BondSpendForm, request, project, stale, prefix=prefix)
                return _detail(request, project, 409, spend_forms={bond.pk: refused}, open="bonds")
            except ValidationError as error:
                _put_errors(form, error)
            else:
                return _saved(request, project, f"专项债「{bond.batch}」{period:%Y-%m} 支出已保存", "bonds")
        return _detail(request, project, 400, spend_forms={bond.pk: form}, open="bonds")
