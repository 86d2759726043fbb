from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from evalapp.mailing import TARGETS as SEND_TARGETS
from evalapp.models import AUTHORITY_TYPES, EXPORT_KINDS, ExportKind
from evalapp.reporting.export import TARGETS
from evalapp.urls import MAX_NUMBER


def kind_choices(blank=None):
    choices = [SelectChoice(code, str(label)) for code, label in AUTHORITY_TYPES.items()]
    return ([SelectChoice("", blank)] if blank else []) + choices


class RoundForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)],
                                description=_l("Shown to respondents on the welcome page."))
    questionnaire_version_id = SelectField(_l("Questionnaire"), coerce=int)
    opens_on = DateField(_l("Opens on"), validators=[DataRequired()])
    closes_on = DateField(_l("Closes on (included)"), validators=[DataRequired()])
    allow_reopen = BooleanField(_l("Respondents may reopen a submitted response until the closing date"))
    results_visible = BooleanField(_l("Authorities that submitted may see their own results (their theme indices against the round's average)"))
    partnership_reports_shared = BooleanField(
        _l("Both authorities of a partnership may read their partnership's report once both have submitted "
           "(both sides' indices, where they agree and differ, their stories)"))
    texts_shared = BooleanField(_l("Partnership reports show each side's free-text answers"),
                                description=_l("To the organisers, and to both partners when they may read the report."))

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The closing date must come after the opening date."))


class AuthorityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Type"))
    country = SelectField(_l("Country"))
    region = StringField(_l("Region or province"), validators=[Optional(), Length(max=120)])
    population = IntegerField(_l("Population"), validators=[Optional(), NumberRange(min=0, max=2_000_000_000)])
    language = RadioField(_l("Language of invitations"),
                          choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")], default="fr")
    email = EmailField(_l("Email for invitations"), validators=[Optional(), Email(), Length(max=254)])


class PartnershipForm(FlaskForm):
    home_authority_id = SelectField(_l("Authority (home side)"), coerce=int)
    partner_authority_id = SelectField(_l("Partner authority"), coerce=int)
    start_year = IntegerField(_l("Start year"), validators=[Optional(), NumberRange(min=1900, max=2100)])
    name = StringField(_l("Name of the partnership"), validators=[Optional(), Length(max=200)])

    def validate_partner_authority_id(self, field):
        if field.data == self.home_authority_id.data:
            raise ValidationError(_l("Choose two different authorities."))


class ImportForm(FlaskForm):
    kind = RadioField(_l("What the file holds"), default="authorities", choices=[
        SelectChoice("authorities", _l("Authorities")), SelectChoice("partnerships", _l("Partnerships"))])
    file = FileField(_l("CSV file"), validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("A .csv file, please."))])
    check_only = BooleanField(_l("Only check the file, import nothing"))


class InviteAuthorityForm(FlaskForm):
    """An Invite button beside an authority found by the search."""

    authority_id = IntegerField(widget=HiddenInput(), validators=[DataRequired(), NumberRange(min=1, max=MAX_NUMBER)])


class InviteFilterForm(FlaskForm):
    kind = SelectField(_l("Type"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])


class InvitePartnershipForm(FlaskForm):
    """An Invite button beside a partnership found by the search."""

    partnership_id = IntegerField(widget=HiddenInput(),
                                  validators=[DataRequired(), NumberRange(min=1, max=MAX_NUMBER)])


class MemberForm(FlaskForm):
    email = EmailField(_l("Organiser's email"), validators=[DataRequired(), Length(max=254)])


class SendForm(FlaskForm):
    target = RadioField(_l("Send to"), default="not_sent",
                        choices=[SelectChoice(code, label) for code, label in SEND_TARGETS.items()])


class ExportForm(FlaskForm):
    layout = RadioField(_l("File"), default=ExportKind.WIDE.value,
                        choices=[SelectChoice(kind.value, label) for kind, label in EXPORT_KINDS.items()])
    headers = RadioField(_l("Column headers"), default="codes", choices=[
        SelectChoice("codes", _l("Item codes (REC_03)")), SelectChoice("text", _l("Question text"))])
    values = RadioField(_l("Values"), default="codes", choices=[
        SelectChoice("codes", _l("Codes (4, cuf)")), SelectChoice("labels", _l("Labels (Rather agree)"))])
    lang = RadioField(_l("Language of texts and labels"), default="fr",
                      choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")])
    delimiter = RadioField(_l("Separator"), default=",", choices=[
        SelectChoice(",", _l("Comma (R, Python, SPSS)")), SelectChoice(";", _l("Semicolon (Excel in French)"))])
    bom = BooleanField(_l("Byte order mark (BOM), for Excel to read accents"))
    partial = BooleanField(_l("Include responses in progress"))
    # A file for a spreadsheet unless asked: it is the one that is safe to open anywhere.
    target = RadioField(_l("File for"), default="spreadsheet",
                        choices=[SelectChoice(code, label) for code, label in TARGETS.items()])


#: The longest introduction or conclusion an organiser writes for a report, in characters.
REPORT_TEXT_MAX = 3000


class ReportOptionsForm(FlaskForm):
    """What the organisers choose of the round's report: its sections, their own words, the stories' authors."""

    sections = SelectMultipleField(_l("Sections of the detail"), choices=[])
    intro_fr = TextAreaField(_l("Introduction in French"), validators=[Optional(), Length(max=REPORT_TEXT_MAX)])
    intro_en = TextAreaField(_l("Introduction in English"), validators=[Optional(), Length(max=REPORT_TEXT_MAX)])
    conclusion_fr = TextAreaField(_l("Conclusion in French"), validators=[Optional(), Length(max=REPORT_TEXT_MAX)])
    conclusion_en = TextAreaField(_l("Conclusion in English"), validators=[Optional(), Length(max=REPORT_TEXT_MAX)])
    stories_anonymous = BooleanField(_l("Show the selected stories without their authority"))
