from urllib.parse import urlsplit

from django.core import signing
from django.http import HttpResponseForbidden
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.clients import client_address

from .forms import CommentForm, FeedbackForm, VoteForm
from .services import add_comment, over_rate_limit, record_feedback

COMMENT_SALT = "hub.feedback.comment"
COMMENT_MAX_AGE = 60 * 60


@never_cache
def feedback(request):
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            if over_rate_limit(client_address(request) or "unknown"):
                return render(request, "feedback/too_many.html", status=429)
            if not form.is_from_a_bot:
                record_feedback(
                    page=form.cleaned_data["page"],
                    useful=form.cleaned_data["useful"],
                    comment=form.cleaned_data["comment"],
                )
            return render(request, "feedback/thanks.html", {"page": form.cleaned_data["page"]})
    else:
        form = FeedbackForm(
            initial={"page": request.GET.get("page", "/"), "useful": request.GET.get("useful")}
        )
    return render(request, "feedback/form.html", {"form": form})


def _from_another_site(request) -> bool:
    """The browser says the form was sent from another site (Origin, or Sec-Fetch-Site)."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
    origin = request.headers.get("Origin")
    return bool(origin) and origin != "null" and urlsplit(origin).netloc != request.get_host()


# The Yes and No buttons sit on cached pages, shared by every reader, so they cannot carry a
# CSRF token. A vote is worth little to forge; the browser's own headers still turn away a
# form sent from another site, and the rate limit applies as for any answer.
@csrf_exempt
@require_POST
@never_cache
def vote(request):
    if _from_another_site(request):
        return HttpResponseForbidden("Please answer from the page you were reading.")
    form = VoteForm(request.POST)
    if not form.is_valid():
        return render(request, "feedback/form.html", {"form": FeedbackForm()}, status=400)
    if over_rate_limit(client_address(request) or "unknown"):
        return render(request, "feedback/too_many.html", status=429)
    saved = record_feedback(
        page=form.cleaned_data["page"], useful=form.cleaned_data["useful"], comment=""
    )
    comment_form = CommentForm(initial={"token": signing.dumps(saved.pk, salt=COMMENT_SALT)})
    return render(
        request,
        "feedback/thanks.html",
        {"page": saved.page, "comment_form": comment_form, "useful": saved.useful},
    )


@require_POST
@never_cache
def comment(request):
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            pk = signing.loads(
                form.cleaned_data["token"], salt=COMMENT_SALT, max_age=COMMENT_MAX_AGE
            )
        except signing.BadSignature:
            pk = None
        page = add_comment(feedback_id=pk, comment=form.cleaned_data["comment"]) if pk else None
        if page is not None:
            return render(request, "feedback/thanks.html", {"page": page, "commented": True})
    return render(request, "feedback/form.html", {"form": FeedbackForm()}, status=400)
