"""Side work happens once: one load of the starter content renders each Markdown field once and
clears the public pages' cache once."""

from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command

from core import cache as generations
from core import models as core_models

pytestmark = pytest.mark.django_db


def test_one_load_renders_each_markdown_field_once_and_bumps_the_generation_once(
    django_capture_on_commit_callbacks,
):
    rendered, bumps = [], []
    render = core_models.render_markdown

    def counting_render(text):
        rendered.append(text)
        return render(text)

    with (
        mock.patch.object(core_models, "render_markdown", counting_render),
        mock.patch.object(generations, "bump_content_generation", lambda: bumps.append(1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("load_content", verbosity=0)

    fields = sum(
        model.objects.count() * len(model.markdown_fields)
        for model in apps.get_models()
        if issubclass(model, core_models.RenderedMarkdownModel)
    )
    assert fields > 1000
    assert len(rendered) == fields
    assert len(bumps) == 1


def test_saving_unchanged_text_does_not_render_it_again():
    from tests import factories

    guide = factories.guide("Giving feedback", body="Say what went well.")
    with mock.patch.object(core_models, "render_markdown", side_effect=AssertionError):
        type(guide).objects.get(pk=guide.pk).save()
    guide.body = "Say what went well, then one thing."
    guide.save()
    assert "then one thing" in guide.body_html
