"""The shapes of the API's answers, as pydantic models: the OpenAPI description's schemas are generated from them
(evalapp/api/openapi.py), and the tests check every answer against them (extra keys forbidden), so that the
description and what the API sends cannot drift apart. The answers themselves are made in evalapp/api/data.py.
"""
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from evalapp.models import SIDES, ResponseStatus
from evalapp.questionnaires.definition import Definition, Text

Side = Literal[SIDES]
Status = Literal[tuple(status.value for status in ResponseStatus)]


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuestionnaireVersionRef(Shape):
    code: str = Field(description="The questionnaire's code, such as `aict`.")
    version: int = Field(description="Its version: answers keep the meaning the version gave them.")


class Round(Shape):
    id: int
    title: str
    questionnaire: QuestionnaireVersionRef
    opens_on: date
    closes_on: date
    state: Literal["not_open", "open", "closed"] = Field(description="The round's state today.")
    invited: int = Field(description="Invitations whose link is not withdrawn.")
    responses: dict[str, int] = Field(description="Those invitations by the status of their response: "
                                                  "not_started, in_progress, submitted.")
    withdrawn: int = Field(description="Invitations whose link was withdrawn (their answers are left out).")
    last_activity: datetime | None = Field(description="The last time a response changed (UTC).")


class RoundList(Shape):
    rounds: list[Round]


class AnswerKey(Shape):
    key: str = Field(description="A key of a response's `answers`.")
    item: str = Field(description="The item it answers (a matrix cell's key is the matrix's item code, its row "
                                  "and its column).")
    section: str
    theme: str
    type: str = Field(description="The item's type: scale, matrix, single, multiple, number, short_text, long_text.")
    value: str = Field(description="What the key's value is.")


class Questionnaire(Shape):
    round_id: int
    definition: Definition = Field(description="The questionnaire as its definition file gives it "
                                               "(evalapp/questionnaires/FORMAT.md).")
    answer_keys: list[AnswerKey] = Field(description="The keys of every response's `answers`, in questionnaire order.")
    values: dict[str, str] = Field(description="The values an answer may take besides those its key says.")


class Authority(Shape):
    name: str
    type: str = Field(description="commune, département, région...: the codes of the directory.")
    country: str = Field(description="ISO 3166-1 alpha-2.")
    region: str | None


class ResponseObject(Shape):
    id: int
    authority: Authority
    partnership_id: int | None = Field(description="The partnership it answered for; null for an authority invited "
                                                   "on its own.")
    side: Side | None = Field(description="The side of the partnership (home or partner); null without one.")
    respondent_role: str | None
    status: Status
    started_at: datetime | None
    submitted_at: datetime | None
    indices: dict[str, float] = Field(description="Its theme indices (0–100), for the themes it answered enough of; "
                                                  "empty until it is submitted.")
    answers: dict[str, int | float | str | list[str] | None] = Field(
        description="Its answers by key (see the questionnaire's `answer_keys`): a score 1–5 or `dk`, an option "
                    "code, a list of option codes, a number, a text; `not_asked` when its condition did not hold; "
                    "null when not answered.")


class ResponsePage(Shape):
    responses: list[ResponseObject]
    next_cursor: str | None = Field(description="The cursor of the next page; null on the last page.")
    next: str | None = Field(description="The address of the next page (same filters); null on the last page.")


class Counts(Shape):
    invited: int
    responses: dict[str, int] = Field(description="Invitations by the status of their response.")
    submitted: int = Field(description="The responses every figure is made of: submitted, link not withdrawn.")


class ThemeFigure(Shape):
    theme: str
    label: Text
    hidden: bool = Field(description="Fewer respondents than min_group_size have an index: the figure is hidden.")
    n: int | None = Field(description="Respondents with an index on the theme.")
    mean: float | None
    sd: float | None = Field(description="Standard deviation.")
    min: float | None
    max: float | None


class Distribution(Shape):
    code: str = Field(description="A scale item's code, or a matrix cell's.")
    hidden: bool
    n: int | None = Field(description="Respondents who gave a score (don't know apart).")
    counts: dict[str, int] | None = Field(description="Respondents per score, from '1' to '5'.")
    dont_know: int | None
    mean: float | None


class ChoiceFigure(Shape):
    code: str
    hidden: bool
    n: int | None = Field(description="Respondents who answered the item.")
    counts: dict[str, int] | None = Field(description="Respondents per option chosen.")


class PartnershipSide(Shape):
    authority: str
    response_id: int
    indices: dict[str, float]


class PartnershipGap(Shape):
    partnership_id: int
    home: PartnershipSide
    partner: PartnershipSide
    gaps: dict[str, float] = Field(description="|home − partner| per theme both sides have an index for.")
    mean_gap: float | None


class Aggregates(Shape):
    round_id: int
    filters: dict[str, str] = Field(description="The filters applied.")
    min_group_size: int = Field(description="Figures of fewer respondents are hidden.")
    counts: Counts
    not_counted: int = Field(description="Responses written in bulk that the figures do not hold yet (counted up to "
                                         "1,001); an organiser's 'Count them now' catches them up.")
    themes: list[ThemeFigure]
    distributions: list[Distribution]
    choices: list[ChoiceFigure]
    reciprocity: list[PartnershipGap] = Field(description="Partnerships where both sides submitted, largest mean gap "
                                                          "first.")


class ErrorDetail(Shape):
    status: int
    message: str = Field(description="What went wrong, and what to do.")


class Error(Shape):
    error: ErrorDetail


#: The schemas of the OpenAPI description, each under its class name.
MODELS = (RoundList, Round, Questionnaire, ResponsePage, Aggregates, Error)
