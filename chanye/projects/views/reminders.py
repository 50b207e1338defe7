"""Reminders to late filers: the list (a filer's own, or those about the projects in the user's scope) and
the department's button that reminds every owner who has not filed a month."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views import View

from chanye.core.views import PermissionGate
from chanye.projects import reminders, selectors, services


class RemindersView(PermissionGate, View):
    """GET: the reminders the user may see (an enterprise user those sent to them, all months; the government
    a month's). POST: remind the owners of the unfiled projects in the user's charge for a month."""

    permission_required = "projects.view"

    def get(self, request):
        mine = request.user.role == "enterprise_user"
        period = None
        if not mine:
            text = request.GET.get("month")
            try:
                period = services.parse_period(text) if text else selectors.latest_period(user=request.user)
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
                period = selectors.latest_period(user=request.user)
        rows = reminders.reminder_list(user=request.user, period=period)[:500]
        return render(request, "projects/reminders.html", {"rows": rows, "period": period, "mine": mine})

    def post(self, request):
        if not request.user.can("projects.review"):
            raise PermissionDenied("只有项目责任部门或发改局可以催报")
        text = request.POST.get("month", "")
        try:
            period = services.parse_period(text)
            result = reminders.reminders_send(period=period, by=request.user)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return redirect(
                f"/projects/filings/?{urlencode({'month': text})}" if text else "/projects/filings/"
            )
        if result.sent:
            messages.success(request, result.summary())
        else:
            messages.info(request, result.summary())
        return redirect(f"/projects/filings/?month={period:%Y-%m}")
