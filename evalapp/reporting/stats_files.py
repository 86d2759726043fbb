"""The wide file as SPSS (.sav) and Stata (.dta) files, labelled, written by pyreadstat (ReadStat).

What each variable is:
- its name is the column's code (the item code, ``CODE__option`` for a multiple choice), made a
  valid name where it is not (:func:`variable_names`); its label is the question in the export's
  language (:data:`LABEL_LIMITS`: Stata keeps 80 characters, SPSS 256 bytes; the codebook and the
  workbook keep the whole text);
- scales (items and matrix cells) are their 1–5 scores, with the scale's labels; single choices are
  their options numbered 1, 2... in the questionnaire's order ("other" last), each labelled;
  multiple choices are one 0/1 variable per option, labelled no/yes; numbers are numbers; texts
  are strings (empty when not answered or not asked: strings have no missing values in Stata);
- "don't know" and "not asked" are declared missing values, never numbers that would enter a mean:
  in SPSS the codes -8 and -9 (below the item's lowest value when it takes those), declared as
  user-missing and labelled; in Stata the extended missing values .a and .b, labelled except on
  number items (pandas makes categories of every labelled variable). An item left
  unanswered is system-missing (``.``). pandas and haven read all three as missing; haven keeps
  which (``user_na = TRUE`` for SPSS, ``tagged_na`` for Stata).

The file is built in memory as one data frame (numbers held in arrays of doubles as they are read,
texts in lists), then written whole: ReadStat writes the file's size in its header.
"""
import math
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
from flask_babel import force_locale

from evalapp.models import ExportFormat, Round
from evalapp.questionnaires.loader import definition_of
from evalapp.questionnaires.types import DONT_KNOW, DONT_KNOW_LABEL, NOT_ASKED, NOT_ASKED_LABEL, Labelled
from evalapp.reporting import export as exports

#: The codes of "don't know" and "not asked" in SPSS, when the variable's values stay above them.
SPSS_DONT_KNOW, SPSS_NOT_ASKED = -8, -9
#: Stata's extended missing values for them: .a and .b.
STATA_DONT_KNOW, STATA_NOT_ASKED = "a", "b"
#: The longest variable label each format keeps, in characters (Stata) or UTF-8 bytes (SPSS).
LABEL_LIMITS = {ExportFormat.SAV: 256, ExportFormat.DTA: 80}
#: The longest value label SPSS keeps, in UTF-8 bytes (Stata keeps 32,000).
SPSS_VALUE_LABEL_BYTES = 120
#: The longest variable name: 64 bytes in SPSS, 32 characters in Stata.
NAME_LIMITS = {ExportFormat.SAV: 64, ExportFormat.DTA: 32}
#: Words that cannot name a variable (case-insensitive for SPSS).
RESERVED = {
    ExportFormat.SAV: {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"},
    ExportFormat.DTA: {"_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n",
                       "_N", "_pi", "_pred", "_rc", "_skip", "strL", "using", "with"},
}
#: The columns of every response (exports.FIXED) as variables: numbers, times, or text.
FIXED_MEASURES = {"response_id": "scale", "partnership_id": "scale", "started_at": "time", "submitted_at": "time"}


@dataclass
class Variable:
    """One column of the wide file as a variable: its name, label, measure and how its codes are written."""

    name: str
    label: str
    measure: str                  # nominal | ordinal | scale | text | time
    labels: dict                  # the value written → its label (missing codes included)
    missing: list                 # the declared missing values (SPSS codes, or Stata letters)
    written: dict                 # a wide-file code → the number held (None, dk, not_asked, option codes)
    #: Stata: the numbers held for dk and not asked → the letters of the extended missing values written.
    letters: dict = field(default_factory=dict)

    @property
    def numeric(self) -> bool:
        return self.measure in ("nominal", "ordinal", "scale")


def writer(round_: Round, kind: str, options: exports.ExportOptions, progress=None) -> Callable[[Path], None]:
    """What writes the wide file of ``round_`` as a labelled SPSS (options.format "sav") or Stata ("dta") file
    into a path; the round's questionnaire is read now, its responses when it writes."""
    file_format = ExportFormat(options.format)
    if kind != exports.ExportKind.WIDE:
        raise ValueError(f"{file_format} files hold the wide file only, not {kind}")
    # Codes, whatever the options asked: the labels go into the file's value labels.
    options = replace(options, values="codes", headers="codes")
    definition = definition_of(round_.questionnaire_version)
    columns = exports.item_columns(definition)
    with force_locale(options.lang):
        variables = [_fixed_variable(code, file_format) for code in exports.FIXED]
        variables += [_item_variable(column.code, column.item.kind.labelled(definition, column, options.lang),
                                     exports.column_header(column, replace(options, headers="text")), file_format)
                      for column in columns]
        title = round_.title
    names = variable_names([v.name for v in variables], file_format)
    _, rows = exports.wide(round_, options, progress)
    return lambda path: _write(path, file_format, title, variables, names, rows)


def _write(path: Path, file_format: str, title: str, variables: list["Variable"], names: list[str], rows) -> None:
    values = [_cells(v) for v in variables]
    lookups = [(v.written, cells.append) for v, cells in zip(variables, values, strict=True)]
    for row in rows:
        for (written, append), value in zip(lookups, row, strict=True):
            append(written.get(value, value))
    frame = pd.DataFrame({name: _series(cells, variable, file_format)
                          for name, cells, variable in zip(names, values, variables, strict=True)})
    del values, lookups
    labels = {name: _label(v.label, file_format) for name, v in zip(names, variables, strict=True)}
    value_labels = {name: v.labels for name, v in zip(names, variables, strict=True) if v.labels}
    missing = {name: v.missing for name, v in zip(names, variables, strict=True) if v.missing}
    if file_format == ExportFormat.SAV:
        pyreadstat.write_sav(
            frame, str(path), file_label=_truncate_bytes(title, 64), column_labels=labels,
            variable_value_labels={name: {code: _truncate_bytes(text, SPSS_VALUE_LABEL_BYTES)
                                          for code, text in codes.items()} for name, codes in value_labels.items()},
            missing_ranges=missing,
            variable_measure={name: v.measure if v.numeric else "nominal"
                              for name, v in zip(names, variables, strict=True)})
    else:
        pyreadstat.write_dta(frame, str(path), file_label=title[:80], column_labels=labels,
                             variable_value_labels=value_labels, missing_user_values=missing)


def variable_names(codes: list[str], file_format: str) -> list[str]:
    """Valid, distinct variable names for the codes: letters, digits and _ (a letter first), within the format's
    length, no reserved word; a code that is one already is kept as it is (evalapp's item codes all are)."""
    limit, reserved = NAME_LIMITS[file_format], RESERVED[file_format]
    names, taken = [], set()
    for code in codes:
        name = re.sub(r"[^A-Za-z0-9_]", "_", code)
        if not re.match(r"[A-Za-z]", name) or name.lower() in {r.lower() for r in reserved}:
            name = "v_" + name
        name = name[:limit]
        n = 1
        while name.lower() in taken:
            n += 1
            name = f"{name[:limit - len(str(n)) - 1]}_{n}"
        taken.add(name.lower())
        names.append(name)
    return names


def _fixed_variable(code: str, file_format: str) -> Variable:
    measure = FIXED_MEASURES.get(code, "text")
    written = {None: math.nan} if measure == "scale" else {None: None} if measure == "time" else {None: ""}
    return Variable(code, exports.fixed_header(code), measure, {}, [], written)


def _item_variable(code: str, labelled: Labelled, question: str, file_format: str) -> Variable:
    """The variable of one item column, the locale set to the export's language."""
    if labelled.measure == "text":
        return Variable(code, question, "text", {}, [], {None: "", NOT_ASKED: ""})
    # Held as numbers below every value the variable takes (a number item from -100 keeps -8 and -9 as
    # numbers); SPSS writes them so, Stata as .a and .b.
    dont_know = float(min(SPSS_DONT_KNOW, math.floor(labelled.lowest) - 1))
    not_asked = dont_know - 1
    letters = {dont_know: STATA_DONT_KNOW, not_asked: STATA_NOT_ASKED} if file_format == ExportFormat.DTA else {}
    labels = {**labelled.labels}
    if labelled.dont_know:
        labels[letters.get(dont_know, dont_know)] = str(DONT_KNOW_LABEL)
    labels[letters.get(not_asked, not_asked)] = str(NOT_ASKED_LABEL)
    if file_format == ExportFormat.DTA and labelled.measure == "scale":
        # A number's .a and .b stay missing values, unlabelled: pandas (read_stata) turns every variable with
        # value labels into categories, which would make a number item's answers categories with no mean.
        labels = {}
    missing = [dont_know, not_asked] if labelled.dont_know else [not_asked]
    written = {None: math.nan, NOT_ASKED: not_asked, **{code_: float(n) for code_, n in labelled.numbers.items()}}
    if labelled.dont_know:
        written[DONT_KNOW] = dont_know
    return Variable(code, question, labelled.measure, labels, [letters.get(m, m) for m in missing], written, letters)


def _cells(variable: Variable):
    """Where a variable's values are held until written: numbers in an array of doubles (8 bytes each, nothing
    for the garbage collector to walk through), the rest in a list."""
    return array("d") if variable.numeric else []


def _series(cells, variable: Variable, file_format: str) -> pd.Series:
    if variable.measure == "time":
        # In nanoseconds, as pyreadstat reads them (it takes seconds for microseconds).
        return pd.to_datetime(pd.Series(cells, dtype=object)).astype("datetime64[ns]")
    if variable.measure == "text":
        return pd.Series(cells, dtype=object)
    values = np.frombuffer(cells, dtype="float64")
    held = [number for number in variable.letters if (values == number).any()]
    if not held:
        return pd.Series(values, dtype="float64", copy=False)
    # Numbers and the letters of Stata's extended missing values in one column: pyreadstat writes .a, .b.
    column = pd.Series(values, dtype=object)
    for number in held:
        column[values == number] = variable.letters[number]
    return column


def _label(text: str, file_format: str) -> str:
    limit = LABEL_LIMITS[file_format]
    if file_format == ExportFormat.DTA:
        return text if len(text) <= limit else text[:limit - 1] + "…"
    return _truncate_bytes(text, limit)


def _truncate_bytes(text: str, limit: int) -> str:
    """The text within ``limit`` UTF-8 bytes, cut at a character and ended by "…" when cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[:limit - 3].decode("utf-8", "ignore")
    return cut + "…"

