"""Pages of the value-added module: the estimate of a year (official and estimated figures marked, the
scale factor, the three shares with numerator, denominator and contributing divisions), the rate table, the
rate edit form with its history, and the “重新推算” button."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from chanye.core.errors import StaleEdit
from chanye.core.views import PermissionGate
from chanye.economy import selectors, services
from chanye.economy.forms import EstimateForm, RateForm
from chanye.economy.rates import MARGIN_DIVISIONS

VIEW = "system.view"


def _year(text: str | None, years: list[int]) -> int | None:
    if text and text.strip().isdigit():
        return int(text)
    return years[0] if years else None


class EconomyPageView(PermissionGate, View):
    permission_required = VIEW

    def get(self, request):
        if selectors.rate_list().count() < 97:
            services.rates_ensure()
        runs = {run.year: run for run in selectors.latest_runs()}
        years = sorted(set(runs) | set(selectors.revenue_years()), reverse=True)
        year = _year(request.GET.get("year"), sorted(runs, reverse=True) or years)
        run = runs.get(year) if year is not None else None
        figures = selectors.figures_for(user=request.user, run=run) if run is not None else None
        can_change = services.can_change(request.user)
        form = EstimateForm(initial={"year": year, "partial_weight": services.partial_weight_default()})
        return render(
            request,
            "economy/page.html",
            {
                "year": year,
                "years": years,
                "run": run,
                "figures": figures,
                "rates": selectors.rate_list(),
                "can_change": can_change,
                "form": form,
            },
        )


class EstimateRunView(PermissionGate, View):
    permission_required = services.CHANGE

    def post(self, request):
        form = EstimateForm(request.POST)
        if not form.is_valid():
            for name, problems in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                messages.error(request, f"{label}：{'；'.join(problems)}")
            return redirect("economy:page")
        year = form.cleaned_data["year"]
        try:
            run = services.estimate_run(
                year=year, by=request.user, partial_weight=form.cleaned_data.get("partial_weight")
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            if run.recorded:
                messages.success(request, f"已重新推算 {year} 年增加值并写入指标")
            else:
                messages.warning(request, run.note)
        return redirect(f"{reverse('economy:page')}?year={year}")


class RateEditView(PermissionGate, View):
    permission_required = services.CHANGE

    def _row(self, request, division):
        if not services.can_change(request.user):
            raise PermissionDenied("您的角色无权修改增加值率（限发改局和区统计局）")
        row = selectors.rate_get(division=division)
        if row is None:
            raise Http404
        return row

    def _render(self, request, row, form, status=200):
        return render(
            request,
            "economy/rate_edit.html",
            {"row": row, "form": form, "history": selectors.rate_history(row=row)},
            status=status,
        )

    def get(self, request, division):
        row = self._row(request, division)
        initial = {
            "rate": format(row.rate.normalize(), "f"),
            "margin_rate": format(row.margin_rate.normalize(), "f") if row.margin_rate is not None else "",
            "source": row.source,
            "version": row.version,
        }
        return self._render(request, row, RateForm(initial=initial, margin=row.division in MARGIN_DIVISIONS))

    def post(self, request, division):
        row = self._row(request, division)
        form = RateForm(request.POST, margin=row.division in MARGIN_DIVISIONS)
        status = 400
        if form.is_valid():
            try:
                services.rate_update(
                    row=row,
                    values=form.values(),
                    by=request.user,
                    reason=form.cleaned_data.get("reason", ""),
                    expected_version=form.cleaned_data.get("version"),
                )
            except StaleEdit as stale:
                current = selectors.rate_get(division=division) or row
                data = request.POST.copy()
                data["version"] = str(current.version)  # saving again, after reading, overwrites knowingly
                form = RateForm(data, margin=row.division in MARGIN_DIVISIONS)
                form.is_valid()
                form.add_error(None, str(stale))
                row, status = current, 409
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                messages.success(request, f"{row.division} {row.name} 的增加值率已保存；重新推算后生效")
                return redirect(f"{reverse('economy:page')}#rates")
        return self._render(request, row, form, status)
