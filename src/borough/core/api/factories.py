"""Serializers and viewsets for plain registered models, declared in one line each.

The classes are built once at import and referenced as module attributes, so a
reader (and the schema generator) sees an ordinary class."""

from __future__ import annotations

from rest_framework import serializers

from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet


def model_serializer(model, fields: list[str], module: str) -> type[BaseModelSerializer]:
    opts = model._meta
    meta = type("Meta", (), {"model": model, "fields": BaseModelSerializer.base_fields() + fields})
    return type(f"{model.__name__}Serializer", (BaseModelSerializer,), {
        "url": serializers.HyperlinkedIdentityField(
            view_name=f"api:{opts.app_label}-{opts.model_name}-detail"),
        "Meta": meta, "__module__": module,
    })


def model_viewset(model, serializer, filterset, module: str, **attrs) -> type[BaseModelViewSet]:
    return type(f"{model.__name__}ViewSet", (BaseModelViewSet,), {
        "model": model, "queryset": model.objects.none(), "serializer_class": serializer,
        "filterset_class": filterset, "__module__": module, **attrs,
    })
