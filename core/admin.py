from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages


@admin.action(description="Lift lockout", permissions=["delete"])
def lift_lockout(modeladmin, request, queryset):
    """Forget the failed sign-ins chosen, so those people can sign in again at once."""
    count = queryset.count()
    queryset.delete()
    modeladmin.message_user(
        request,
        f"Lifted the lockout for {count} failed sign-in record(s). They can sign in again now.",
        messages.SUCCESS,
    )


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAdmin(AccessAttemptAdmin):
    """django-axes' failed sign-ins. A publisher lifts a lockout by deleting its record."""

    actions = [lift_lockout, *AccessAttemptAdmin.actions]
