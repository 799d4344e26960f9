"""The forms and letters pages.

Privacy: what a reader types lives only in this request. These views never save it, never log
it, never cache the pages that show it (`never_cache` sends `no-store`, which the page cache
also obeys), and hide it from Django's error reports: the POST data by
`sensitive_post_parameters`, the local variables of every frame by the request's own filter.
"""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.debug import SafeExceptionReporterFilter
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_safe

from resources.models import Guide, Script, Stage, Topic
from resources.views import detail_context

from .documents import blank_answers, read_answers
from .models import Form, FormField, FormGloss
from .word import DOCX_TYPE, build_docx


class NothingTypedFilter(SafeExceptionReporterFilter):
    """Error reports for these pages show no POST data and no variables of any frame."""

    def get_post_parameters(self, request):
        return dict.fromkeys(request.POST if request else {}, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


def _hide_answers_from_error_reports(request) -> None:
    request.exception_reporter_filter = NothingTypedFilter()


def _form(slug: str) -> Form:
    queryset = Form.objects.published().prefetch_related(
        Prefetch("fields", queryset=FormField.objects.order_by("position", "id")),
        Prefetch("glosses", queryset=FormGloss.objects.select_related("workplace")),
        "topics",
        Prefetch("guides", queryset=Guide.objects.published().only("title", "slug", "summary")),
        Prefetch("scripts", queryset=Script.objects.published().only("title", "slug", "summary")),
    )
    return get_object_or_404(queryset, slug=slug)


@require_safe
def form_list(request):
    forms = list(
        Form.objects.published()
        .prefetch_related("stages", "topics")
        .only("title", "slug", "summary", "kind")
    )
    by_stage = [
        (stage, [f for f in forms if stage in f.stages.all()]) for stage in Stage.objects.all()
    ]
    by_topic = [
        (topic, [f for f in forms if topic in f.topics.all()]) for topic in Topic.objects.all()
    ]
    return render(
        request,
        "paperwork/form_list.html",
        {
            "forms": forms,
            "by_stage": [(stage, items) for stage, items in by_stage if items],
            "by_topic": [(topic, items) for topic, items in by_topic if items],
        },
    )


def _page(request, form, answers, template="paperwork/form_detail.html"):
    context = detail_context(request, form)
    context["answers"] = answers
    return render(request, template, context)


@sensitive_variables()
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def form_detail(request, slug):
    """GET: the blank form and a form to fill in. POST: the filled form, ready to print."""
    _hide_answers_from_error_reports(request)
    form = _form(slug)
    if request.method != "POST":
        return _page(request, form, blank_answers(form))
    changing = request.POST.get("action") == "change"
    answers = read_answers(form, request.POST, check=not changing)
    if changing or answers.errors:
        return _page(request, form, answers)
    return _page(request, form, answers, "paperwork/form_filled.html")


@sensitive_variables()
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def form_word(request, slug):
    """The form as a Word file: blank for GET, filled in with what was posted for POST."""
    _hide_answers_from_error_reports(request)
    form = _form(slug)
    if request.method == "POST":
        answers = read_answers(form, request.POST)
        if answers.errors:
            return _page(request, form, answers)
        filename = f"{form.slug}.docx"
    else:
        answers = blank_answers(form)
        filename = f"{form.slug}-blank.docx"
    response = HttpResponse(build_docx(answers), content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
