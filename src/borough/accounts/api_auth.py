from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from borough.accounts.backends import SIGNED_IN_USER
from borough.accounts.middleware import choose_organisation
from borough.accounts.models import ApiToken, hash_token
from borough.core.ids import parse_id
from borough.core.perf.precompiled import Precompiled

TOKEN_BY_HASH = Precompiled(lambda key_hash: ApiToken.objects.filter(key_hash=key_hash),
                            text=("key_hash",))


class HashedTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <secret>` (or Bearer). Tokens are looked up by hash,
    refused once revoked, expired or when their user is deactivated."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give the token after the word Token.")
        raw = header[1].decode(errors="replace")
        # Two queries compiled once per process (the user with their permission map, as
        # for a session): cheaper than compiling one that joins them on every call.
        token = next(iter(TOKEN_BY_HASH.raw(key_hash=hash_token(raw))), None)
        user = token and next(iter(SIGNED_IN_USER.raw(user_id=token.user_id)), None)
        if token is None or not token.is_usable or user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("This token is not valid, or has been revoked.")
        token.user = user
        user.set_grants(user.grants)
        if token.organisation_id is not None:
            if token.organisation_id not in user.organisation_permissions():
                raise exceptions.AuthenticationFailed(
                    "The token's organisation is no longer yours."
                )
            user.active_organisation_id = token.organisation_id
        else:
            user.active_organisation_id = choose_organisation(
                user, parse_id(request.META.get("HTTP_X_BOROUGH_ORGANISATION"))
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token

    def authenticate_header(self, request):
        return "Token"


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = HashedTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                'Send "Token <secret>". Create one on your profile page or with '
                "`borough token create USERNAME`."
            ),
        }
