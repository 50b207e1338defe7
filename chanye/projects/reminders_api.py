"""REST API of the reminders to late filers: send them for a month (the department's), and list them."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from chanye.projects import reminders, services
from chanye.projects.models import Reminder


class RemindWrite(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM, the month whose filings are missing")
    dry_run = serializers.BooleanField(default=False, help_text="say who would be reminded; send nothing")


class Reminded(serializers.Serializer):
    project = serializers.CharField()
    name = serializers.CharField()
    recipient = serializers.CharField()
    email = serializers.CharField(allow_blank=True)


class RemindResult(serializers.Serializer):
    period = serializers.CharField()
    dry_run = serializers.BooleanField()
    summary = serializers.CharField()
    sent = Reminded(many=True)
    already = Reminded(many=True, help_text="reminded today already: not again")
    no_recipient = serializers.ListField(child=serializers.CharField(), help_text="project codes")
    emails = serializers.IntegerField()


def _reminded(items) -> list[dict]:
    return [
        {
            "project": item.project.code,
            "name": item.project.name,
            "recipient": item.recipient.get_username(),
            "email": item.email,
        }
        for item in items
    ]


class FilingRemindApi(APIView):
    """Remind the owners of every project in the caller's charge whose filing for `period` is missing (an
    in-app reminder to each of the owner's users, an email to those with an address); nobody twice the same
    day about the same project."""

    permission_required = "projects.review"
    write_permission = "projects.review"
    http_method_names = ["post", "options"]

    @extend_schema(request=RemindWrite, responses=RemindResult)
    def post(self, request):
        payload = RemindWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        period = services.parse_period(payload.validated_data["period"])
        result = reminders.reminders_send(
            period=period, by=request.user, dry_run=payload.validated_data["dry_run"]
        )
        return Response(
            {
                "period": f"{period:%Y-%m}",
                "dry_run": result.dry_run,
                "summary": result.summary(),
                "sent": _reminded(result.sent),
                "already": _reminded(result.already),
                "no_recipient": [project.code for project in result.no_recipient],
                "emails": result.emails,
            }
        )


class ReminderSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    period = serializers.DateField(format="%Y-%m")
    recipient = serializers.SlugRelatedField(slug_field="username", read_only=True)
    sent_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Reminder
        fields = ["id", "project", "period", "recipient", "channel", "email", "sent_at", "sent_by"]


class ReminderListApi(ListAPIView):
    """Reminders the caller may see, newest first: an enterprise user those sent to them, the government
    those about the projects in their scope (`?period=YYYY-MM` for one month)."""

    permission_required = "projects.view"
    serializer_class = ReminderSerializer

    @extend_schema(parameters=[OpenApiParameter("period", str, description="YYYY-MM")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is drawn without a user
            return Reminder.objects.none()
        text = self.request.query_params.get("period")
        period = services.parse_period(text) if text else None
        return reminders.reminder_list(user=self.request.user, period=period)
