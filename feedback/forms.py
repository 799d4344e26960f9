from django import forms

from .models import Feedback


class FeedbackForm(forms.ModelForm):
    useful = forms.TypedChoiceField(
        label="Was this page useful?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Anything to add? (optional)",
        help_text="Please do not include names or anything that could identify someone.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    # Left empty by people; bots that fill every field give themselves away.
    website = forms.CharField(required=False, label="Leave this empty")

    class Meta:
        model = Feedback
        fields = ["page", "useful", "comment"]
        widgets = {"page": forms.HiddenInput}

    def clean_page(self):
        page = self.cleaned_data["page"]
        if not page.startswith("/") or page.startswith("//"):
            raise forms.ValidationError("Unknown page.")
        return page

    @property
    def is_from_a_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class VoteForm(forms.Form):
    """The Yes or No button under a page: the answer is stored on this first click."""

    page = forms.CharField(max_length=300)
    useful = FeedbackForm.base_fields["useful"]

    clean_page = FeedbackForm.clean_page


class CommentForm(forms.Form):
    """The optional comment after a vote, tied to it by a signed token (no reader details)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=200)
    comment = forms.CharField(
        label="Anything to add? (optional)",
        help_text="Please do not include names or anything that could identify someone.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    # Left empty by people; bots that fill every field give themselves away.
    website = forms.CharField(required=False, label="Leave this empty")

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError("Leave this empty.")
        return ""
