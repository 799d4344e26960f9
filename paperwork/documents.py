"""What a reader typed into a form, checked, and the form or letter it makes.

Everything here works on values held in memory for one request. Nothing is saved, cached or
logged: callers must not pass answers to a logger, and views hide them from error reports.

A letter's text is data, not a template: it is split on ((name)) placeholders with a regular
expression, and each piece is handed to the page (which escapes it) or to python-docx as text.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.views.decorators.debug import sensitive_variables

from .models import PLACEHOLDER, Form, FormField

MAX_SHORT = 500
MAX_LONG = 10_000
# Characters a Word file cannot hold and nobody types: control characters other than tab and
# new line. Carriage returns from browsers are folded into new lines first.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y")
YES_NO = ("Yes", "No")


def clean_text(value: str) -> str:
    return CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def read_date(value: str) -> datetime.date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:] if label[1:2].islower() or len(label) == 1 else label


@dataclass
class Answer:
    """One field, with what the reader typed (empty on a blank form)."""

    field: FormField
    value: str = ""
    rows: list[list[str]] = field(default_factory=list)
    error: str = ""

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def input_id(self) -> str:
        """The id of the first input for this field: the error summary links to it."""
        if self.field.kind in {FormField.Kind.CHOICE, FormField.Kind.YES_NO}:
            return f"field-{self.name}-1"
        if self.field.kind == FormField.Kind.TABLE:
            return f"field-{self.name}-1-1"
        return f"field-{self.name}"

    @property
    def options(self) -> list[str]:
        if self.field.kind == FormField.Kind.YES_NO:
            return list(YES_NO)
        return self.field.choice_list

    @property
    def option_items(self) -> list[dict]:
        return [
            {"id": f"field-{self.name}-{n}", "label": option, "checked": option == self.value}
            for n, option in enumerate(self.options, start=1)
        ]

    @property
    def columns(self) -> list[str]:
        return self.field.column_list

    @property
    def table_rows(self) -> list[dict]:
        """Every row of the table input, with each cell's name and id, for the HTML form."""
        columns = self.columns
        return [
            {
                "number": r,
                "cells": [
                    {
                        "name": f"{self.name}-{r}-{c}",
                        "id": f"field-{self.name}-{r}-{c}",
                        "column": column,
                        "value": row[c - 1] if c - 1 < len(row) else "",
                    }
                    for c, column in enumerate(columns, start=1)
                ],
            }
            for r, row in enumerate(self.rows, start=1)
        ]

    @property
    def filled_rows(self) -> list[list[str]]:
        return [row for row in self.rows if any(cell.strip() for cell in row)]

    @property
    def is_filled(self) -> bool:
        if self.field.kind == FormField.Kind.TABLE:
            return bool(self.filled_rows)
        return bool(self.value.strip())

    @property
    def shown(self) -> str:
        """The answer as it reads on paper: dates written out, a table as lines."""
        if self.field.kind == FormField.Kind.DATE and self.value:
            day = read_date(self.value)
            return f"{day.day} {day:%B %Y}" if day else self.value
        if self.field.kind == FormField.Kind.TABLE:
            return "\n".join(", ".join(cell for cell in row if cell) for row in self.filled_rows)
        return self.value

    @property
    def blank(self) -> str:
        """What a blank letter shows where this answer goes."""
        return f"[{self.field.label}]"

    def hidden_inputs(self) -> list[tuple[str, str]]:
        if self.field.kind == FormField.Kind.TABLE:
            return [
                (cell["name"], cell["value"])
                for row in self.table_rows
                for cell in row["cells"]
                if cell["value"]
            ]
        return [(self.name, self.value)] if self.value else []


@dataclass
class Answers:
    form: Form
    items: list[Answer]
    filled: bool = False

    @property
    def errors(self) -> list[Answer]:
        return [answer for answer in self.items if answer.error]

    def get(self, name: str) -> Answer | None:
        return next((answer for answer in self.items if answer.name == name), None)

    @property
    def unused_in_letter(self) -> list[Answer]:
        """The fields a letter's text does not mention: shown after it as a form."""
        if not self.form.has_letter:
            return self.items
        named = set(PLACEHOLDER.findall(self.form.letter))
        return [answer for answer in self.items if answer.name not in named]

    @property
    def hidden_inputs(self) -> list[tuple[str, str]]:
        return [pair for answer in self.items for pair in answer.hidden_inputs()]

    @property
    def letter_blocks(self) -> list[dict]:
        return letter_blocks(self)


def blank_answers(form: Form) -> Answers:
    items = []
    for form_field in form.fields.all():
        answer = Answer(field=form_field)
        if form_field.kind == FormField.Kind.TABLE:
            answer.rows = [[""] * len(form_field.column_list) for _ in range(form_field.rows)]
        items.append(answer)
    return Answers(form=form, items=items)


@sensitive_variables()
def read_answers(form: Form, data, *, check: bool = True) -> Answers:
    """What the reader typed, checked. `data` is the request's POST; nothing is kept."""
    answers = blank_answers(form)
    answers.filled = True
    for answer in answers.items:
        form_field = answer.field
        kind = form_field.kind
        if kind == FormField.Kind.TABLE:
            answer.rows = [
                [
                    clean_text(data.get(f"{answer.name}-{r}-{c}", ""))[:MAX_SHORT]
                    for c in range(1, len(form_field.column_list) + 1)
                ]
                for r in range(1, form_field.rows + 1)
            ]
        else:
            answer.value = clean_text(data.get(answer.name, ""))
        if check:
            answer.error = _problem(answer)
    return answers


@sensitive_variables()
def _problem(answer: Answer) -> str:
    form_field, value = answer.field, answer.value.strip()
    label = form_field.label
    kind = form_field.kind
    if form_field.required and not answer.is_filled:
        if kind == FormField.Kind.TABLE:
            return f"Fill in at least one row of {_lower_first(label)}"
        if kind in {FormField.Kind.CHOICE, FormField.Kind.YES_NO}:
            return f"Choose an answer for {_lower_first(label)}"
        return f"Enter {_lower_first(label)}"
    if not value:
        return ""
    if kind == FormField.Kind.DATE and read_date(value) is None:
        return f"Enter {_lower_first(label)} as a real date, like 27/3/2027"
    if kind in {FormField.Kind.CHOICE, FormField.Kind.YES_NO} and value not in answer.options:
        return f"Choose one of the answers for {_lower_first(label)}"
    longest = MAX_LONG if kind == FormField.Kind.LONG_TEXT else MAX_SHORT
    if len(value) > longest:
        return f"{label} must be {longest:,} characters or fewer"
    return ""


@sensitive_variables()
def letter_blocks(answers: Answers) -> list[dict]:
    """The letter's text as headings and paragraphs of pieces: plain text or an answer.

    Each piece is {"text": ..., "answer": bool}. A blank form shows [the field's label] where
    an answer goes. Nothing here is interpreted: the text only ever comes back out as text.
    """
    blocks = []
    for chunk in re.split(r"\n\s*\n", answers.form.letter.strip()):
        lines = chunk.strip("\n").splitlines()
        if not lines:
            continue
        if lines[0].startswith("## "):
            # A heading is its own line; any lines under it make a paragraph.
            blocks.append({"heading": True, "lines": [_pieces(answers, lines[0][3:].strip())]})
            lines = lines[1:]
        if lines:
            blocks.append({"heading": False, "lines": [_pieces(answers, line) for line in lines]})
    return blocks


@sensitive_variables()
def _pieces(answers: Answers, line: str) -> list[dict]:
    pieces = []
    for index, part in enumerate(PLACEHOLDER.split(line)):
        if index % 2 == 0:
            if part:
                pieces.append({"text": part, "answer": False})
            continue
        answer = answers.get(part)
        if answer is None:
            pieces.append({"text": f"(({part}))", "answer": False})
        elif answers.filled and answer.is_filled:
            pieces.append({"text": answer.shown, "answer": True})
        else:
            pieces.append({"text": answer.blank, "answer": True, "blank": True})
    return pieces
