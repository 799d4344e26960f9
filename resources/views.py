from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from core.nations import NATION_NAMES, chosen_nation_slug, nation_notes_first, remember_nation
from core.workplace import chosen_workplace_slug, remember_workplace

from . import search as search_service
from .models import (
    GlossaryTerm,
    Guide,
    GuideGloss,
    OrganisationPolicy,
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
# With a workplace or nation chosen, the home page starts with this many resources that fit.
PICKED_ITEMS = 4
# Readers in this workplace have no HR team to ask, so the policy box tells them what to write.
NO_HR_TEAM_WORKPLACE = "small-organisation"
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
    nation = chosen_nation_slug(request)
    my_gloss, other_glosses = _glosses_first(obj.glosses.all(), chosen)
    my_nation_note, other_nation_notes = nation_notes_first(obj.nation_notes.all(), nation)
    context = {
        "object": obj,
        "my_gloss": my_gloss[0] if my_gloss else None,
        "other_glosses": other_glosses,
        "chosen_workplace": chosen,
        "my_nation_note": my_nation_note,
        "other_nation_notes": other_nation_notes,
        "chosen_nation": nation,
    }
    if hasattr(obj, "related_resources"):
        related = list(obj.related_resources.all())
        context["related_resources"] = [r for r in related if r.applies_in(nation)]
        context["related_elsewhere"] = [r for r in related if not r.applies_in(nation)]
    if hasattr(obj, "check_policy_first"):
        context["policies"] = OrganisationPolicy.objects.covering(obj)
        context["no_hr_team"] = chosen == NO_HR_TEAM_WORKPLACE
    return context


def _published(model, slug, *prefetch):
    queryset = model.objects.published().prefetch_related(*prefetch)
    return get_object_or_404(queryset, slug=slug)


def _published_forms(model):
    """The forms and letters a page links to (the paperwork app's, named by the field)."""
    form_model = model._meta.get_field("related_forms").related_model
    return Prefetch(
        "related_forms", queryset=form_model.objects.published().only("title", "slug", "summary")
    )


def _gloss_prefetch(gloss_model):
    return Prefetch("glosses", queryset=gloss_model.objects.select_related("workplace"))


NATION_NOTES = "nation_notes"
RESOURCE_CARD_FIELDS = ("title", "slug", "summary", "publisher", "nations")


@require_safe
def home(request):
    topics = list(Topic.objects.all())
    recent = sorted(
        [
            *Guide.objects.published()
            .recently_updated()
            .only("title", "slug", "summary", "updated", "urgent_route")[:RECENT_ITEMS],
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
    picked = []
    if chosen_workplace_slug(request) or chosen_nation_slug(request):
        fields = ("title", "slug", "summary", "publisher", "nations")
        picked, _ = resources_for_reader(request, Resource.objects.published().only(*fields))
        # What was written for the reader's own nation comes before what suits every nation.
        picked = sorted(picked, key=lambda resource: not resource.nation_list)[:PICKED_ITEMS]
    return render(
        request,
        "resources/home.html",
        {
            "picked": picked,
            "stages": Stage.objects.all(),
            "topics": topics,
            "learning_topic": next((t for t in topics if t.slug == LEARNING_TOPIC), None),
            "recent": recent,
        },
    )


@require_safe
def guide_list(request):
    guides = Guide.objects.published().only("title", "slug", "summary", "urgent_route")
    return render(request, "resources/guide_list.html", {"guides": guides})


@require_safe
def script_list(request):
    scripts = Script.objects.published().only("title", "slug", "summary")
    return render(request, "resources/script_list.html", {"scripts": scripts})


def _guide(queryset, **lookup):
    return get_object_or_404(
        queryset.prefetch_related(
            "topics",
            NATION_NOTES,
            _gloss_prefetch(GuideGloss),
            Prefetch(
                "related_guides",
                queryset=Guide.objects.published().only("title", "slug", "summary", "urgent_route"),
            ),
            Prefetch(
                "related_scripts",
                queryset=Script.objects.published().only("title", "slug", "summary"),
            ),
            Prefetch(
                "related_resources",
                queryset=Resource.objects.published().only(*RESOURCE_CARD_FIELDS),
            ),
            _published_forms(Guide),
        ),
        **lookup,
    )


@require_safe
def guide_detail(request, slug):
    guide = _guide(Guide.objects.published(), slug=slug)
    if guide.urgent_route:
        return HttpResponseRedirect(guide.get_absolute_url())
    return render(request, "resources/guide_detail.html", detail_context(request, guide))


@require_safe
def urgent(request):
    """The urgent route: what to do in the first hour when someone may have been harmed."""
    guide = _guide(Guide.objects.published().urgent_route())
    return render(request, "resources/guide_detail.html", detail_context(request, guide))


def _script(slug):
    return _published(
        Script,
        slug,
        "parts",
        "topics",
        NATION_NOTES,
        _gloss_prefetch(ScriptGloss),
        Prefetch(
            "related_guides",
            queryset=Guide.objects.published().only("title", "slug", "summary", "urgent_route"),
        ),
        Prefetch(
            "related_resources",
            queryset=Resource.objects.published().only(*RESOURCE_CARD_FIELDS),
        ),
        _published_forms(Script),
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
    nation = chosen_nation_slug(request)
    resources = Resource.objects.published().only(
        "title", "slug", "summary", "publisher", "kind", "link_state", "nations"
    )
    if chosen["topic"]:
        resources = resources.filter(topics=topics[chosen["topic"]])
    if chosen["kind"]:
        resources = resources.filter(kind=chosen["kind"])
    # A chosen workplace leaves out what its notes call not relevant there; the reader's own
    # workplace, when no filter is set, only puts the most relevant first.
    if chosen["setting"]:
        resources = resources.relevant_in(workplaces[chosen["setting"]])
    elif chosen_workplace_slug(request) in workplaces:
        resources = resources.ranked_for_workplace(workplaces[chosen_workplace_slug(request)])
    else:
        resources = resources.order_by("title")
    other_nations = []
    if nation:
        other_nations = list(resources.for_other_nations(nation))
        resources = resources.for_nation(nation)
    page = Paginator(resources, RESOURCES_PER_PAGE).get_page(request.GET.get("page"))
    query = "&".join(f"{key}={value}" for key, value in chosen.items() if value)
    return render(
        request,
        "resources/resource_list.html",
        {
            "page": page,
            # After the last page of what applies to the reader.
            "other_nations": [] if page.has_next() else other_nations,
            "chosen_nation": nation,
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
        NATION_NOTES,
        Prefetch("relevance", queryset=ResourceRelevance.objects.select_related("workplace")),
        _gloss_prefetch(ResourceGloss),
    )
    context = detail_context(request, resource)
    chosen = context["chosen_workplace"]
    # The reader's own workplace first in "Who it is for".
    context["relevance"] = sorted(
        resource.relevance.all(), key=lambda item: item.workplace.slug != chosen
    )
    context["applies_here"] = resource.applies_in(context["chosen_nation"])
    return render(request, "resources/resource_detail.html", context)


def resources_for_reader(request, resources) -> tuple[list, list]:
    """Resources in the order that fits the reader: the most relevant to their workplace first,
    and those for another nation apart, so they are never mixed in."""
    workplace = chosen_workplace_slug(request)
    nation = chosen_nation_slug(request)
    if workplace:
        place = Workplace.objects.filter(slug=workplace).first()
        resources = resources.ranked_for_workplace(place) if place else resources
    if not nation:
        return list(resources), []
    resources = list(resources)
    here = [r for r in resources if r.applies_in(nation)]
    return here, [r for r in resources if not r.applies_in(nation)]


def _taxonomy_page(request, model, slug, template):
    term = get_object_or_404(model, slug=slug)
    heading = getattr(term, "situation", "") or term.name
    fields = ("title", "slug", "summary")
    resources, other_nations = resources_for_reader(
        request, term.resources.published().only(*fields, "publisher", "nations")
    )
    return render(
        request,
        template,
        {
            "term": term,
            "forms": term.forms.published().only(*fields),
            "heading": heading,
            "guides": term.guides.published().only(*fields, "urgent_route"),
            "scripts": term.scripts.published().only(*fields),
            "resources": resources,
            "other_nations": other_nations,
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
    results = (
        search_service.search(
            query,
            log=True,
            workplace=chosen_workplace_slug(request),
            nation=chosen_nation_slug(request),
        )
        if query
        else None
    )
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
    nation = request.GET.get("nation")
    if nation and nation not in NATION_NAMES:
        raise Http404("No such nation.")
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    if "workplace" in request.GET:
        remember_workplace(response, slug or None)
    if nation is not None:  # a link that names only a workplace leaves the nation as it was
        remember_nation(response, nation or None)
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
