from django.shortcuts import render
from django.views.decorators.cache import never_cache

from hub.clients import client_address

from .forms import FeedbackForm
from .services import over_rate_limit, record_feedback


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
