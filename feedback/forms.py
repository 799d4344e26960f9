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
