"""A form or letter as a Word file (.docx), blank or filled in, made in memory with python-docx.

The reader's answers go in as plain text runs: Word shows exactly what was typed.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from docx import Document
from docx.shared import Pt

from .documents import Answer, Answers
from .models import FormField

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BLANK_LINE = "_" * 60
TICK_BOX = "\u2610"
TICKED = "\u2612"


def _add_text(paragraph, text: str, *, bold: bool = False) -> None:
    """Text with its line breaks kept, as one run: never parsed or interpreted."""
    run = paragraph.add_run()
    run.bold = bold
    for number, line in enumerate(text.split("\n")):
        if number:
            run.add_break()
        run.add_text(line)


@sensitive_variables()
def _add_field(document, answer: Answer, filled: bool) -> None:
    form_field = answer.field
    label = document.add_paragraph()
    _add_text(label, form_field.label + (" (required)" if form_field.required else ""), bold=True)
    if form_field.help_text and not filled:
        hint = document.add_paragraph()
        run = hint.add_run(form_field.help_text)
        run.italic = True
        run.font.size = Pt(9)
    kind = form_field.kind
    if kind == FormField.Kind.TABLE:
        columns = answer.columns
        rows = answer.filled_rows if filled else answer.rows
        table = document.add_table(rows=1 + max(len(rows), 1), cols=len(columns))
        table.style = "Table Grid"
        for index, column in enumerate(columns):
            _add_text(table.rows[0].cells[index].paragraphs[0], column, bold=True)
        for row_index, row in enumerate(rows, start=1):
            for index, cell in enumerate(row):
                _add_text(table.rows[row_index].cells[index].paragraphs[0], cell)
        document.add_paragraph()
    elif kind in {FormField.Kind.CHOICE, FormField.Kind.YES_NO}:
        for option in answer.options:
            chosen = filled and option == answer.value
            document.add_paragraph(f"{TICKED if chosen else TICK_BOX} {option}")
    elif filled:
        _add_text(document.add_paragraph(), answer.shown)
    else:
        lines = 4 if kind == FormField.Kind.LONG_TEXT else 1
        for _ in range(lines):
            document.add_paragraph(BLANK_LINE)


@sensitive_variables()
def build_docx(answers: Answers) -> bytes:
    form = answers.form
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    # A letter or policy is sent or handed out as it is: its text has its own headings, and
    # neither the form's title nor where it came from belongs on it.
    if not form.has_letter:
        document.add_heading(form.title, level=1)
    if form.has_letter:
        for block in answers.letter_blocks:
            paragraph = (
                document.add_heading(level=2) if block["heading"] else document.add_paragraph()
            )
            for number, pieces in enumerate(block["lines"]):
                for index, piece in enumerate(pieces):
                    if number and index == 0:
                        paragraph.add_run().add_break()
                    _add_text(paragraph, piece["text"])
                if not pieces and number:
                    paragraph.add_run().add_break()
    for answer in answers.unused_in_letter:
        _add_field(document, answer, answers.filled)
    if not form.has_letter:
        footer = document.add_paragraph()
        run = footer.add_run(
            f"From {settings.HUB_SITE_NAME}: {settings.SITE_URL}{form.get_absolute_url()}"
        )
        run.font.size = Pt(8)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
