"""What the admin lets each editor role do (see core.roles).

Mixed into content admins, before the ModelAdmin: for a user who cannot publish, the status is
read-only, the "Publish" action is not offered, and restoring an old or deleted version (from
django-reversion's history) is refused. Deleting follows the model's delete permission, which
authors do not have."""

from django.core.exceptions import PermissionDenied

from .roles import can_publish


class PublishersOnlyAdmin:
    def has_publish_permission(self, request, obj=None) -> bool:
        """For actions marked `permissions=["publish"]`, and the status field."""
        return can_publish(request.user)

    def has_restore_permission(self, request) -> bool:
        return self.has_publish_permission(request)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        has_status = any(field.name == "status" for field in self.opts.fields)
        if has_status and "status" not in fields and not self.has_publish_permission(request):
            fields.append("status")
        return fields

    # django-reversion: a restore puts an old version live, so only publishers may.
    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not self.has_restore_permission(request):
            raise PermissionDenied
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_restore_permission(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def _get_action_list(self, request, object_id, extra_context=None):
        """django-reversion-compare's history list: no link to restore, for an author."""
        actions = super()._get_action_list(request, object_id, extra_context=extra_context)
        if not self.has_restore_permission(request):
            for action in actions:
                action["url"] = ""
        return actions

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_restore_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)
