from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from borough.accounts import filters as f
from borough.accounts import services
from borough.accounts.models import ApiToken, Membership
from borough.accounts.queries import memberships_for
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet


class MembershipSerializer(BaseModelSerializer):
    role_name = serializers.CharField(source="role.name", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = [*BaseModelSerializer.base_fields(), "user", "username", "role", "role_name",
                  "is_default", "is_active"]


class MembershipViewSet(BaseModelViewSet):
    model = Membership
    serializer_class = MembershipSerializer
    filterset_class = f.MembershipFilterSet
    select_related = ("user", "role", "organisation")

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "user" in getattr(serializer, "fields", {}):
            # Any active account may be added by id; ids of accounts are not secret-bearing.
            from borough.accounts.models import User

            serializer.fields["user"].queryset = User.objects.filter(is_active=True)
        return serializer


class OrganisationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    active_organisation = serializers.IntegerField(allow_null=True)
    organisations = OrganisationBriefSerializer(many=True)
    pending_email = serializers.EmailField(
        allow_null=True, help_text="A new address waiting to be confirmed from its link, if any.")


class MeViewSet(viewsets.ViewSet):
    """The caller: who they are and the organisations they work in."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def list(self, request):
        user = request.user
        data = {
            "id": user.pk, "username": user.username, "full_name": user.get_full_name(),
            "email": user.email, "active_organisation": user.active_organisation_id,
            "organisations": [
                {"id": m.organisation.id, "name": m.organisation.name,
                 "code": m.organisation.code, "role": str(m.role)}
                for m in memberships_for(user)
            ],
            "pending_email": getattr(services.pending_email_change(user), "new_email", None),
        }
        return Response(MeSerializer(data).data)


class TokenSerializer(serializers.ModelSerializer):
    expires_in_days = serializers.IntegerField(
        write_only=True, required=False, min_value=1, max_value=730, default=90
    )

    class Meta:
        model = ApiToken
        fields = ["id", "name", "hint", "organisation", "read_only", "expires_at", "revoked_at",
                  "last_used_at", "created_at", "expires_in_days"]
        read_only_fields = ["hint", "expires_at", "revoked_at", "last_used_at", "created_at"]


class TokenViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                   viewsets.GenericViewSet):
    """The caller's own API tokens. Creating one returns its secret once; delete revokes."""

    permission_classes = [IsAuthenticated]
    serializer_class = TokenSerializer
    queryset = ApiToken.objects.none()

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user)

    def get_serializer(self, *args, **kwargs):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return super().get_serializer(*args, **kwargs)
        serializer = super().get_serializer(*args, **kwargs)
        # Lists get a ListSerializer, which has no fields to narrow.
        if "organisation" in getattr(serializer, "fields", {}):
            from borough.organisation.models import Organisation

            serializer.fields["organisation"].queryset = Organisation.objects.filter(
                pk__in=list(self.request.user.organisation_permissions())
            )
        return serializer

    @extend_schema(responses={201: inline_serializer("NewToken", {
        "token": serializers.CharField(), "detail": TokenSerializer()})})
    def create(self, request, *args, **kwargs):
        if getattr(request.auth, "read_only", False):
            return Response({"detail": "This token is read-only."},
                            status=status.HTTP_403_FORBIDDEN)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation_id = data["organisation"].pk if data.get("organisation") else None
        # A token limited to one organisation cannot mint a wider one.
        scoped_to = getattr(request.auth, "organisation_id", None)
        if scoped_to is not None:
            if organisation_id not in (None, scoped_to):
                return Response({"organisation": [
                    "This token may only create tokens for its own organisation."
                ]}, status=status.HTTP_400_BAD_REQUEST)
            organisation_id = scoped_to
        try:
            token, raw = services.create_token(
                request.user, actor=request.user, name=data["name"],
                organisation_id=organisation_id,
                read_only=data.get("read_only", False),
                expires_in_days=data.get("expires_in_days"),
                idempotency_key=request.META.get("HTTP_IDEMPOTENCY_KEY"),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            ) from exc
        if raw is None:
            # A retried request: the secret was returned the first time and is not kept.
            return Response({"token": None, "detail": TokenSerializer(token).data},
                            status=status.HTTP_200_OK)
        return Response({"token": raw, "detail": TokenSerializer(token).data},
                        status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        if getattr(request.auth, "read_only", False):
            return Response({"detail": "This token is read-only."},
                            status=status.HTTP_403_FORBIDDEN)
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.revoke_token(instance, actor=self.request.user)
