"""The forms of the questionnaire editor: each carries the save it was drawn on (``based_on``), so that
a save made meanwhile by someone else is never silently overwritten (questionnaires/drafts.py)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, FloatField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import HiddenInput

from evalapp.models import Side
from evalapp.questionnaires.definition import GAPS
from evalapp.questionnaires.types import TYPES
from evalapp.urls import MAX_NUMBER

ITEM_CODE = Regexp(r"^[A-Z][A-Z0-9_]*$", message=_l("Capital letters, digits and _, starting with a letter (REC_01)."))
LOWER_CODE = Regexp(r"^[a-z][a-z0-9_]*$", message=_l("Small letters, digits and _, starting with a letter."))
TEXT = [Optional(), Length(max=5000)]

#: The item types, as organisers read them.
TYPE_LABELS = {
    "scale": _l("Scale (1 to 5, and don't know)"),
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "number": _l("Number"),
    "short_text": _l("Short text"),
    "long_text": _l("Long text"),
    "matrix": _l("Matrix (rows × columns on a scale)"),
}
assert set(TYPE_LABELS) == set(TYPES)


class DraftForm(FlaskForm):
    """A form on a draft: the number of the save its page was drawn on."""

    based_on = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_NUMBER)])


class ItemForm(DraftForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), ITEM_CODE],
                       description=_l("Answers are stored under this code. Keep it when you reword a question "
                                      "without changing its meaning; give a new one when the meaning changes."))
    type = SelectField(_l("Type of question"), choices=[SelectChoice(k, v) for k, v in TYPE_LABELS.items()])
    theme = SelectField(_l("Theme"))
    required = BooleanField(_l("Answer required to submit"))
    side_home = BooleanField(_l("Asked of the home authority"), default=True)
    side_partner = BooleanField(_l("Asked of the partner authority"), default=True)
    text_fr = TextAreaField(_l("Question in French"), validators=[DataRequired(), Length(max=5000)])
    text_en = TextAreaField(_l("Question in English"), validators=TEXT,
                            description=_l("May wait for the translation: the draft cannot be published without it."))
    partner_text_fr = TextAreaField(_l("Wording for the partner, in French"), validators=TEXT,
                                    description=_l("Leave empty for the same wording on both sides."))
    partner_text_en = TextAreaField(_l("Wording for the partner, in English"), validators=TEXT)
    help_fr = TextAreaField(_l("Help in French"), validators=TEXT)
    help_en = TextAreaField(_l("Help in English"), validators=TEXT)
    when = TextAreaField(
        _l("Asked only when"), validators=[Optional(), Length(max=2000)],
        description=_l("Empty: always asked. Otherwise a condition on an earlier answer, written as in a definition "
                       "file: {item: CTX_01, equals: \"yes\"}, {item: CTX_02, includes: culture}, "
                       "{item: REC_01, at_least: 4}, {partnership: true}, {any: [..., ...]}."))
    scale = SelectField(_l("Scale"))
    gap = SelectField(_l("What a gap between the two sides means"),
                      choices=[SelectChoice("", _l("Not said")),
                               SelectChoice(GAPS[0], _l("They disagree about their relationship")),
                               SelectChoice(GAPS[1], _l("The partnership benefits them unequally"))])
    options = TextAreaField(
        _l("Options"), validators=[Optional(), Length(max=20000)], render_kw={"rows": 6},
        description=_l("One option a line, “code | French | English”; end a line with "
                       "“| exclusive” for an answer that excludes the others (none, don't know). Reorder the lines "
                       "to reorder the options."))
    other = BooleanField(_l("Offer “Other, please specify”"))
    min = FloatField(_l("Smallest number"), validators=[Optional()])
    max = FloatField(_l("Largest number"), validators=[Optional()])
    integer = BooleanField(_l("Whole numbers only"), default=True)
    unit_fr = StringField(_l("Unit in French"), validators=[Optional(), Length(max=200)])
    unit_en = StringField(_l("Unit in English"), validators=[Optional(), Length(max=200)])
    max_length = IntegerField(_l("Most characters"), validators=[Optional(), NumberRange(min=1, max=100_000)],
                              description=_l("Empty for the usual limit."))
    story = BooleanField(_l("A story of the most significant change (long text)"))
    rows = TextAreaField(_l("Matrix rows"), validators=[Optional(), Length(max=20000)],
                         description=_l("One row a line, “CODE | French | English”."))
    columns = TextAreaField(_l("Matrix columns"), validators=[Optional(), Length(max=20000)],
                            description=_l("One column a line, “CODE | French | English”, optionally ending with "
                                           "“| gap=relationship” or “| gap=territory”."))


class SectionForm(DraftForm):
    code = StringField(_l("Code of the page"), validators=[DataRequired(), Length(max=40), LOWER_CODE])
    title_fr = StringField(_l("Title in French"), validators=[DataRequired(), Length(max=500)])
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), Length(max=500)])
    intro_fr = TextAreaField(_l("Introduction in French"), validators=TEXT)
    intro_en = TextAreaField(_l("Introduction in English"), validators=TEXT)
    side_home = BooleanField(_l("Shown to the home authority"), default=True)
    side_partner = BooleanField(_l("Shown to the partner authority"), default=True)
    when = TextAreaField(_l("Shown only when"), validators=[Optional(), Length(max=2000)],
                         description=_l("Empty: always shown. Otherwise a condition on an answer of an earlier page, "
                                        "such as {item: CTX_01, equals: \"yes\"}."))


class NewSectionForm(DraftForm):
    code = StringField(_l("Code of the page"), validators=[DataRequired(), Length(max=40), LOWER_CODE])
    title_fr = StringField(_l("Title in French"), validators=[DataRequired(), Length(max=500)])
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), Length(max=500)])


class GeneralForm(DraftForm):
    title_fr = StringField(_l("Title in French"), validators=[DataRequired(), Length(max=500)])
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), Length(max=500)])
    intro_fr = TextAreaField(_l("Welcome text in French"), validators=TEXT)
    intro_en = TextAreaField(_l("Welcome text in English"), validators=TEXT)
    intro_without_partnership_fr = TextAreaField(_l("Welcome text without a partnership, in French"), validators=TEXT,
                                                 description=_l("For an authority invited on its own; empty: the "
                                                                "welcome text above."))
    intro_without_partnership_en = TextAreaField(_l("Welcome text without a partnership, in English"), validators=TEXT)
    estimated_minutes = IntegerField(_l("Minutes it takes"), validators=[InputRequired(), NumberRange(min=1, max=600)])
    themes = TextAreaField(_l("Themes"), validators=[DataRequired(), Length(max=20000)], render_kw={"rows": 6},
                           description=_l("One theme a line, “code | French | English”. Scale questions of the themes "
                                          "reciprocity, impact, human and organisation make the theme indices."))
    scales = TextAreaField(_l("Scales"), validators=[Optional(), Length(max=50000)], render_kw={"rows": 10},
                           description=_l("One label a line, “scale | value | French | English”, values 1 to 5 for "
                                          "each scale."))


class NewQuestionnaireForm(FlaskForm):
    code = StringField(_l("Code of the questionnaire"), validators=[DataRequired(), Length(max=40), LOWER_CODE])
    title_fr = StringField(_l("Title in French"), validators=[DataRequired(), Length(max=500)])
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), Length(max=500)])


class DefinitionUploadForm(FlaskForm):
    file = FileField(_l("Definition file (YAML)"),
                     validators=[FileRequired(), FileAllowed(["yaml", "yml"], _l("A .yaml file, please."))])


class DraftUploadForm(DraftForm):
    definition_file = FileField(_l("Definition file (YAML)"),
                     validators=[FileRequired(), FileAllowed(["yaml", "yml"], _l("A .yaml file, please."))])


class TextsUploadForm(DraftForm):
    texts_file = FileField(_l("Spreadsheet of texts (xlsx)"),
                     validators=[FileRequired(), FileAllowed(["xlsx"], _l("An .xlsx file, please."))])


class PreviewForm(FlaskForm):
    """The choices of a preview: who answers, in which language."""

    side = SelectField(_l("As"), default=Side.HOME.value, choices=[SelectChoice(Side.HOME.value, _l("Home authority")),
                                          SelectChoice(Side.PARTNER.value, _l("Partner authority"))])
    lang = SelectField(_l("Language"), default="fr", choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")])
    partnership = SelectField(_l("Invitation"), default="1", choices=[SelectChoice("1", _l("In a partnership")),
                                                         SelectChoice("0", _l("Invited on its own"))])
