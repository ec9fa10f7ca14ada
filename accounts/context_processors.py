from .constants import Role


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset(), "is_guardian_only": False}
    names = user.role_names
    return {
        "user_roles": names,
        "user_role_labels": [Role(n).label for n in sorted(names) if n in Role.values],
        "is_guardian_only": names == {Role.GUARDIAN},
    }
