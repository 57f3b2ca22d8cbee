"""The architecture map over the API: `/api/cmdb/architecture-map/`, the same systems,
interfaces and loose ends as the page, with the same permission and unit filter."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from borough.cmdb import forms, systems
from borough.cmdb.api import BriefItemSerializer
from borough.cmdb.models import ConfigurationItem
from borough.core import scope


class SystemSerializer(BriefItemSerializer):
    service_unit = serializers.CharField(allow_null=True, source="service_unit.name",
                                         default=None)
    status = serializers.CharField()


class InterfaceSerializer(serializers.Serializer):
    source = BriefItemSerializer()
    target = BriefItemSerializer()
    via = BriefItemSerializer(allow_null=True, help_text="The interface CI it goes through; "
                              "null for a direct \"interfaces with\".")


class LooseEndSerializer(serializers.Serializer):
    interface = BriefItemSerializer()
    reaches = BriefItemSerializer(many=True, help_text="The systems it reaches (fewer "
                                  "than two).")


class ArchitectureSerializer(serializers.Serializer):
    service_unit = serializers.IntegerField(allow_null=True)
    systems = SystemSerializer(many=True)
    interfaces = InterfaceSerializer(many=True)
    loose_ends = LooseEndSerializer(many=True)


class ArchitectureMapViewSet(viewsets.ViewSet):
    """The systems (applications that are not retired) and the interfaces between them;
    with `unit`, that unit's systems and the systems they exchange data with. For those
    who may view configuration items."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter(
        "unit", OpenApiTypes.STR, description="A service unit's id, or \"all\" (the "
        "default).")], responses=ArchitectureSerializer)
    def list(self, request):
        user = request.user
        if not scope.can(user, "view", ConfigurationItem, None):
            raise PermissionDenied("Your role does not allow you to view configuration items.")
        unknown = sorted(set(request.query_params) - {"unit", "format"})
        if unknown:
            raise ValidationError({"detail": f"Unknown parameter {', '.join(unknown)}; the "
                                             "only filter here is unit."})
        form = forms.UnitForm({"unit": request.query_params.get("unit", forms.ALL_UNITS)},
                              user=user)
        if not form.is_valid():
            raise ValidationError({"unit": "Choose a service unit of this organisation by "
                                           "its id, or \"all\"."})
        unit = form.chosen()
        found = systems.architecture(user, service_unit_id=unit.pk if unit else None)
        return Response(ArchitectureSerializer({
            "service_unit": unit.pk if unit else None, "systems": found.systems,
            "interfaces": found.interfaces,
            "loose_ends": [{"interface": via, "reaches": reached}
                           for via, reached in found.loose_ends]}).data)
