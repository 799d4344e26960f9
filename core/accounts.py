"""Editor accounts: staff users in the Editors group, with only the permissions they need."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password

from .permissions import EDITORS_GROUP


def create_editor(*, username: str, password: str, email: str = ""):
    User = get_user_model()
    user = User(username=username, email=email, is_staff=True)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user
