"""REST API for enterprise identifiers: check 统一社会信用代码."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from chanye.enterprises.uscc import check

MAX_CODES = 1000


class UsccCheckRequest(serializers.Serializer):
    codes = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=64), min_length=1, max_length=MAX_CODES
    )


class UsccResult(serializers.Serializer):
    input = serializers.CharField()
    code = serializers.CharField(help_text="normalised: trimmed, half-width, upper case")
    valid = serializers.BooleanField()
    error = serializers.CharField(
        help_text="empty, length, character, division, org_check or check; '' if valid"
    )
    message = serializers.CharField()


class UsccCheckApi(APIView):
    """Check up to 1,000 codes at once; every result says which check failed and why."""

    permission_required = "codes.view"
    write_permission = "codes.view"

    @extend_schema(request=UsccCheckRequest, responses=UsccResult(many=True))
    def post(self, request):
        payload = UsccCheckRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        results = []
        for raw in payload.validated_data["codes"]:
            result = check(raw)
            results.append(
                {
                    "input": raw,
                    "code": result.code,
                    "valid": result.valid,
                    "error": result.error,
                    "message": result.message,
                }
            )
        return Response(results)
