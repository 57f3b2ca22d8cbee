from __future__ import annotations

from rest_framework import permissions

from borough.core import scope

ACTION_FOR_METHOD = {
    "GET": "view", "HEAD": "view", "OPTIONS": "view",
    "POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete",
}


class ModelRolePermission(permissions.BasePermission):
    """The caller's role in the active organisation must grant the model permission;
    read-only tokens may only read. Object access is already narrowed by visible_to."""

    message = "You do not have permission to do that."

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method not in permissions.SAFE_METHODS and getattr(request.auth, "read_only", False):
            self.message = "This token is read-only."
            return False
        model = getattr(view, "permission_model", None) or getattr(
            getattr(view, "queryset", None), "model", None
        )
        if model is None:
            return True  # views without a model declare their own permission classes
        action = getattr(view, "action_permissions", {}).get(
            getattr(view, "action", None), ACTION_FOR_METHOD.get(request.method, "change")
        )
        return scope.can(user, action, model, None)

    def has_object_permission(self, request, view, obj):
        action = getattr(view, "action_permissions", {}).get(
            getattr(view, "action", None), ACTION_FOR_METHOD.get(request.method, "change"))
        model = type(obj)
        return scope.can(request.user, action, model, getattr(obj, "organisation_id", obj.pk))
