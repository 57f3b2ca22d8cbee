from borough.accounts.queries import request_memberships


def memberships(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"memberships": request_memberships(request)}
