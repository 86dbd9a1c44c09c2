from core.models import agency_of
from core.navigation import nav_entries, nav_items_for
from core.roles import Role, user_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_roles(user)
    return {
        "nav_entries": nav_entries(nav_items_for(user), request.path),
        "current_agency": agency_of(user),
        "user_roles": roles,
        "user_role_labels": [label for value, label in Role.choices if value in roles],
        "is_director": Role.DIRECTOR in roles,
    }
