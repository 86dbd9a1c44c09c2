"""Keep session permissions right when a staff record's login changes."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from staff.models import StaffMember


@receiver(pre_save, sender=StaffMember, dispatch_uid="supervision.remember_login")
def remember_login(sender, instance: StaffMember, **kwargs) -> None:
    if instance.pk:
        instance._previous_user_id = (
            StaffMember.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()
        )
    else:
        instance._previous_user_id = None


@receiver(post_save, sender=StaffMember, dispatch_uid="supervision.resync_on_login_change")
def resync_on_login_change(sender, instance: StaffMember, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or created:
        return
    if getattr(instance, "_previous_user_id", None) != instance.user_id:
        from supervision.services import session_permissions_resync_for_staff

        session_permissions_resync_for_staff(staff=instance)
