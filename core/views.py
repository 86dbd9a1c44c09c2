"""Pages of the core app: audit history, confidential-read log, members, job progress, errors.

A person's own account pages (password, language, API tokens) are in ``core.account_views``.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import forms, selectors, services
from core.confidential import is_confidential, sensitive_read_record
from core.invitations import invitation_path
from core.models import Job, agency_of
from core.report_jobs import JOB_KIND
from core.report_views import report_file_allowed
from core.roles import Role, has_role


def paginate(request, queryset, per_page: int = 50):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


@login_required
def record_history(request, app_label: str, model_name: str, pk: int):
    """A director's view of every version of one record: who, when, before and after."""
    if not has_role(request.user, Role.DIRECTOR):
        raise Http404
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as exc:
        raise Http404 from exc
    manager = getattr(model, "objects", None)
    if manager is None or not hasattr(manager, "for_user") or not hasattr(model, "history"):
        raise Http404
    obj = manager.for_user(request.user, "view").filter(pk=pk).first()
    if obj is None:
        raise Http404
    if is_confidential(model):
        # Every version shows the confidential fields before and after: a logged read.
        sensitive_read_record(obj=obj, user=request.user, channel="history")
    return render(
        request,
        "core/history.html",
        {"object": obj, "model_name": model._meta.verbose_name, "entries": selectors.record_history(obj)},
    )


@login_required
def sensitive_reads(request):
    if not has_role(request.user, Role.DIRECTOR):
        raise Http404
    page = paginate(request, selectors.sensitive_reads_for(request.user))
    return render(request, "core/sensitive_reads.html", {"page": page})


@login_required
def members(request):
    if not has_role(request.user, Role.DIRECTOR):
        raise Http404
    page = paginate(request, selectors.members_for(request.user))
    return render(request, "core/members.html", {"page": page})


def _director_member(request, pk: int):
    """The membership ``pk`` of the director's own agency, else 404 (also for other agencies)."""
    if not has_role(request.user, Role.DIRECTOR):
        raise Http404
    membership = selectors.members_for(request.user).filter(pk=pk).first()
    if membership is None:
        raise Http404
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def member_invite(request):
    """Add a person with roles (and optionally their staff record); they set their own password."""
    if not has_role(request.user, Role.DIRECTOR):
        raise Http404
    agency = agency_of(request.user)
    form = forms.MemberInviteForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.member_invite(agency=agency, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            forms.apply_validation_error(form, exc)
        else:
            _send_invitation(request, user)
            return redirect("member-invitation", pk=user.membership.pk)
    return render(request, "core/member_form.html", {"form": form, "title": _("Invite a person")})


def _send_invitation(request, user) -> None:
    url = request.build_absolute_uri(invitation_path(user))
    if services.invitation_send(user=user, url=url) and settings.EMAIL_DELIVERS:
        messages.success(request, _("The invitation was sent to %(email)s.") % {"email": user.email})


@login_required
@require_http_methods(["GET", "POST"])
def member_invitation(request, pk: int):
    """The one-time link of a person who has not set a password yet, for the director to pass on.

    POST makes a new link (earlier ones stop working) and e-mails it again.
    """
    membership = _director_member(request, pk)
    user = membership.user
    if user.has_usable_password():
        messages.info(request, _("%(name)s has set a password already.") % {"name": user.username})
        return redirect("members")
    if request.method == "POST":
        services.member_reinvite(user=user)
        _send_invitation(request, user)
        messages.success(request, _("A new link was made; earlier links no longer work."))
        return redirect("member-invitation", pk=pk)
    return render(
        request,
        "core/member_invitation.html",
        {
            "member": user,
            "membership": membership,
            "url": request.build_absolute_uri(invitation_path(user)),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )


@login_required
@require_http_methods(["POST"])
def member_active(request, pk: int):
    """Deactivate (ends sessions, revokes API tokens) or reactivate a login of the agency."""
    membership = _director_member(request, pk)
    user = membership.user
    active = request.POST.get("active") == "1"
    try:
        if active:
            services.member_reactivate(user=user, by=request.user)
        else:
            services.member_deactivate(user=user, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = (
            _("%(name)s can sign in again.")
            if active
            else _("%(name)s is deactivated: their sessions and API tokens have ended.")
        )
        messages.success(request, text % {"name": user.username})
    return redirect("members")


@login_required
@require_http_methods(["GET", "POST"])
def member_roles(request, pk: int):
    membership = _director_member(request, pk)
    user = membership.user
    form = forms.MemberRolesForm(request.POST or None, initial={"roles": membership.roles})
    if request.method == "POST" and form.is_valid():
        if user == request.user and Role.DIRECTOR not in form.cleaned_data["roles"]:
            form.add_error("roles", _("You cannot remove your own director role."))
        else:
            services.member_set_roles(user=user, roles=form.cleaned_data["roles"])
            messages.success(request, _("Roles of %(name)s saved.") % {"name": user.username})
            return redirect("members")
    return render(
        request,
        "core/member_form.html",
        {"form": form, "title": _("Roles of %(name)s") % {"name": user.username}},
    )


def job_progress_text(job: Job) -> str:
    """The line under a job's bar: a running job's percent and stage ("30% · Building the
    report"), a queued one's wait; a finished job has no stage (its page says Ready or Failed)."""
    if job.status == Job.Status.RUNNING:
        return f"{job.progress}% · {job.message}" if job.message else f"{job.progress}%"
    if job.status == Job.Status.QUEUED:
        return _("Waiting to start")
    return str(job.get_status_display())


def _job_result(job: Job, user) -> tuple[str, str]:
    """(link, why there is none) of a finished job's result. A report file is offered only while
    ``report_file_allowed`` holds, as its download checks; it says no more than that it is gone."""
    if job.status != Job.Status.SUCCEEDED:
        return "", ""
    url = (job.result or {}).get("url", "")
    if job.kind == JOB_KIND and not report_file_allowed(job, user):
        return "", _("No longer available")
    return url, ""


@login_required
def job_detail(request, pk: int):
    """A background job's progress; asked for JSON (by the page's script) it answers the figures."""
    job = Job.objects.for_user(request.user, "view").filter(pk=pk).select_related("created_by").first()
    if job is None:
        raise Http404
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse(
            {
                "status": job.status,
                "status_display": job.get_status_display(),
                "progress": job.progress,
                "message": job.message,
                "text": job_progress_text(job),
                "finished": job.finished,
            }
        )
    else:
        result_url, result_closed = _job_result(job, request.user)
        response = render(
            request,
            "core/job_detail.html",
            {
                "job": job,
                "progress_text": job_progress_text(job),
                "result_url": result_url,
                "result_closed": result_closed,
                "is_report": job.kind == JOB_KIND,
            },
        )
    patch_vary_headers(response, ["Accept"])
    return response


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No request context: the database may be what failed.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("errors/500.html").render())
