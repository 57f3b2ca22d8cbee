from borough.accounts.queries import memberships_for


def memberships(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_borough_memberships", None)
    if cached is None:
        cached = request._borough_memberships = {"memberships": memberships_for(user)}
    return cached
