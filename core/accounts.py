"""Editor accounts: staff users in the Authors or Publishers group (see core.roles)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password

from core.roles import PUBLISHER, ROLE_GROUPS


def create_editor(*, username: str, password: str, email: str = "", role: str = PUBLISHER):
    group = Group.objects.get(name=ROLE_GROUPS[role])
    User = get_user_model()
    user = User(username=username, email=email, is_staff=True)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(group)
    return user
