"""REST API for accounts: the caller's own profile; account administration by separated duties."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from chanye.accounts.models import ROLE_CHOICES, User
from chanye.accounts.services import user_assign, user_create, user_set_active, user_unlock
from chanye.industries.models import Industry
from chanye.organizations.models import Department, Leader, Street


class UserSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    leader = serializers.SlugRelatedField(slug_field="code", read_only=True)
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    role_label = serializers.CharField(read_only=True)
    locked = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "role",
            "role_label",
            "department",
            "leader",
            "street",
            "industries",
            "is_active",
            "locked",
            "last_login",
            "password_changed_at",
        ]

    def get_locked(self, obj) -> bool:
        from django.utils import timezone

        return bool(obj.locked_until and obj.locked_until > timezone.now())


class UserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[A-Za-z0-9_.@-]{3,150}$")
    display_name = serializers.CharField(max_length=60)
    role = serializers.ChoiceField(choices=ROLE_CHOICES)


class UserAssignSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ROLE_CHOICES)
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), allow_null=True, required=False, default=None
    )
    leader = serializers.SlugRelatedField(
        slug_field="code", queryset=Leader.objects.all(), allow_null=True, required=False, default=None
    )
    street = serializers.SlugRelatedField(
        slug_field="code", queryset=Street.objects.all(), allow_null=True, required=False, default=None
    )
    industries = serializers.PrimaryKeyRelatedField(
        queryset=Industry.objects.filter(active=True), many=True, required=False, default=list
    )


class ActiveSerializer(serializers.Serializer):
    is_active = serializers.BooleanField()


class MeApi(APIView):
    """The signed-in user, with role and scope."""

    permission_required = None

    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Accounts. Create and (de)activate: 系统管理员; role, scope and unlock: 安全管理员."""

    permission_required = "accounts.view"
    action_permissions = {
        "create": "accounts.manage",
        "set_active": "accounts.manage",
        "assign": "accounts.assign",
        "unlock": "accounts.assign",
    }
    serializer_class = UserSerializer
    filterset_fields = ["role", "is_active"]

    def get_queryset(self):
        return (
            User.objects.visible_to(self.request.user)
            .select_related("department", "leader", "street")
            .prefetch_related("industries")
        )

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def create(self, request):
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, temporary = user_create(by=request.user, **serializer.validated_data)
        return Response(
            {**UserSerializer(user).data, "temporary_password": temporary}, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=UserAssignSerializer, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        serializer = UserAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(
            UserSerializer(
                user_assign(by=request.user, user=self.get_object(), **serializer.validated_data)
            ).data
        )

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        return Response(UserSerializer(user_unlock(by=request.user, user=self.get_object())).data)

    @extend_schema(request=ActiveSerializer, responses=UserSerializer)
    @action(detail=True, methods=["post"], url_path="set-active")
    def set_active(self, request, pk=None):
        serializer = ActiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_set_active(
            by=request.user, user=self.get_object(), active=serializer.validated_data["is_active"]
        )
        return Response(UserSerializer(user).data)
