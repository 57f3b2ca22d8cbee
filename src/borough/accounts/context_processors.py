from borough.accounts.queries import memberships_for


def memberships(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"memberships": memberships_for(user)}
