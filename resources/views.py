from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from hub.workplace import chosen_workplace_slug, remember_workplace

from . import search as search_service
from .models import (
    GlossaryTerm,
    Guide,
    GuideGloss,
    Resource,
    ResourceGloss,
    ResourceRelevance,
    Script,
    ScriptGloss,
    Stage,
    Topic,
    Workplace,
)

RECENT_ITEMS = 6
# The home page offers "Helping your team learn" beside the stages; it opens this topic.
LEARNING_TOPIC = "learning-and-development"
RESOURCES_PER_PAGE = 25
LIST_PAGE_SIZE = 50


def _glosses_first(glosses, chosen: str | None):
    """The reader's own workplace first; the rest follow, folded away by the template."""
    glosses = list(glosses)
    mine = [g for g in glosses if g.workplace.slug == chosen]
    others = [g for g in glosses if g.workplace.slug != chosen]
    return mine, others


def detail_context(request, obj) -> dict:
    chosen = chosen_workplace_slug(request)
    my_gloss, other_glosses = _glosses_first(obj.glosses.all(), chosen)
    return {
        "object": obj,
        "my_gloss": my_gloss[0] if my_gloss else None,
        "other_glosses": other_glosses,
        "chosen_workplace": chosen,
    }


def _published(model, slug, *prefetch):
    queryset = model.objects.published().prefetch_related(*prefetch)
    return get_object_or_404(queryset, slug=slug)


def _gloss_prefetch(gloss_model):
    return Prefetch("glosses", queryset=gloss_model.objects.select_related("workplace"))


@require_safe
def home(request):
    topics = list(Topic.objects.all())
    recent = sorted(
        [
            *Guide.objects.published()
            .recently_updated()
            .only("title", "slug", "summary", "updated")[:RECENT_ITEMS],
            *Script.objects.published()
            .recently_updated()
            .only("title", "slug", "summary", "updated")[:RECENT_ITEMS],
            *Resource.objects.published()
            .recently_updated()
            .only("title", "slug", "summary", "updated")[:RECENT_ITEMS],
        ],
        key=lambda item: item.updated,
        reverse=True,
    )[:RECENT_ITEMS]
    return render(
        request,
        "resources/home.html",
        {
            "stages": Stage.objects.all(),
            "topics": topics,
            "learning_topic": next((t for t in topics if t.slug == LEARNING_TOPIC), None),
            "recent": recent,
        },
    )


@require_safe
def guide_list(request):
    guides = Guide.objects.published().only("title", "slug", "summary")
    return render(request, "resources/guide_list.html", {"guides": guides})


@require_safe
def script_list(request):
    scripts = Script.objects.published().only("title", "slug", "summary")
    return render(request, "resources/script_list.html", {"scripts": scripts})


@require_safe
def guide_detail(request, slug):
    guide = _published(
        Guide,
        slug,
        "topics",
        _gloss_prefetch(GuideGloss),
        Prefetch(
            "related_guides", queryset=Guide.objects.published().only("title", "slug", "summary")
        ),
        Prefetch(
            "related_scripts", queryset=Script.objects.published().only("title", "slug", "summary")
        ),
        Prefetch(
            "related_resources",
            queryset=Resource.objects.published().only("title", "slug", "summary", "publisher"),
        ),
    )
    return render(request, "resources/guide_detail.html", detail_context(request, guide))


def _script(slug):
    return _published(
        Script,
        slug,
        "parts",
        "topics",
        _gloss_prefetch(ScriptGloss),
        Prefetch(
            "related_guides", queryset=Guide.objects.published().only("title", "slug", "summary")
        ),
        Prefetch(
            "related_resources",
            queryset=Resource.objects.published().only("title", "slug", "summary", "publisher"),
        ),
    )


@require_safe
def script_detail(request, slug):
    return render(request, "resources/script_detail.html", detail_context(request, _script(slug)))


@require_safe
def script_print(request, slug):
    return render(request, "resources/script_print.html", detail_context(request, _script(slug)))


def _filter_choice(request, name, choices: dict):
    value = request.GET.get(name, "")
    return value if value in choices else ""


@require_safe
def resource_list(request):
    topics = {t.slug: t for t in Topic.objects.all()}
    workplaces = {w.slug: w for w in Workplace.objects.all()}
    kinds = dict(Resource.Kind.choices)
    chosen = {
        "topic": _filter_choice(request, "topic", topics),
        "setting": _filter_choice(request, "setting", workplaces),
        "kind": _filter_choice(request, "kind", kinds),
    }
    resources = Resource.objects.published().only(
        "title", "slug", "summary", "publisher", "kind", "link_state"
    )
    if chosen["topic"]:
        resources = resources.filter(topics=topics[chosen["topic"]])
    if chosen["setting"]:
        resources = resources.filter(relevance__workplace=workplaces[chosen["setting"]])
    if chosen["kind"]:
        resources = resources.filter(kind=chosen["kind"])
    page = Paginator(resources.order_by("title"), RESOURCES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = "&".join(f"{key}={value}" for key, value in chosen.items() if value)
    return render(
        request,
        "resources/resource_list.html",
        {
            "page": page,
            "topics": topics.values(),
            "filter_workplaces": workplaces.values(),
            "kinds": kinds.items(),
            "chosen": chosen,
            "filter_query": query,
            "filtered": any(chosen.values()),
        },
    )


@require_safe
def resource_detail(request, slug):
    resource = _published(
        Resource,
        slug,
        "topics",
        Prefetch("relevance", queryset=ResourceRelevance.objects.select_related("workplace")),
        _gloss_prefetch(ResourceGloss),
    )
    return render(request, "resources/resource_detail.html", detail_context(request, resource))


def _taxonomy_page(request, model, slug, template):
    term = get_object_or_404(model, slug=slug)
    heading = getattr(term, "situation", "") or term.name
    fields = ("title", "slug", "summary")
    return render(
        request,
        template,
        {
            "term": term,
            "heading": heading,
            "guides": term.guides.published().only(*fields),
            "scripts": term.scripts.published().only(*fields),
            "resources": term.resources.published().only(*fields, "publisher"),
        },
    )


@require_safe
def topic_detail(request, slug):
    return _taxonomy_page(request, Topic, slug, "resources/topic_detail.html")


@require_safe
def stage_detail(request, slug):
    return _taxonomy_page(request, Stage, slug, "resources/stage_detail.html")


@require_safe
def glossary(request):
    return render(request, "resources/glossary.html", {"terms": GlossaryTerm.objects.all()})


@require_safe
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    results = search_service.search(query, log=True) if query else None
    context = {"query": query, "results": results}
    if results is not None and not results.found_anything:
        context["topics"] = Topic.objects.all()
    response = render(request, "resources/search.html", context)
    if results is not None:
        # Every search is counted in the query log, so none is answered from the page cache.
        patch_cache_control(response, no_cache=True)
    return response


@require_safe
def choose_workplace(request):
    slug = request.GET.get("workplace", "")
    if slug and not Workplace.objects.filter(slug=slug).exists():
        raise Http404("No such workplace.")
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    remember_workplace(response, slug or None)
    return response


@require_safe
def about(request):
    return render(request, "about.html")


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /where-you-work/",
        "Disallow: /feedback/",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
