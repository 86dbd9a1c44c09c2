"""The comparison forms of payees, invoice numbers and free text, over whole columns.

``normalise_column`` and ``fold_column`` fold a column's distinct values in one pass over their
join; these tests hold them to ``normalise_text`` and ``fold_text`` value by value, for every
character and for mixed texts, so the rules compare exactly what they compared before.
"""

import random
import sys

import numpy as np
import pandas as pd

from finance.rules.base import fold_column, fold_text, normalise_column, normalise_text


def _every_character() -> list[str]:
    return [chr(c) for c in range(1, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]


def test_each_character_folds_as_it_does_alone():
    characters = _every_character()
    series = pd.Series(characters, dtype=object)
    assert normalise_column(series).tolist() == [normalise_text(c) for c in characters]
    assert fold_column(series).tolist() == [fold_text(c) for c in characters]


def test_mixed_texts_fold_as_they_do_alone():
    rng = random.Random(20261202)
    alphabet = [*"aZ09 -./", "\u3000", "\u00a0", "\t", "\n", "\x1f", "Ａ", "ｂ", "１", "ﬁ", "ß", "İ", "Σ",
                "\u0301", "e\u0301", "\u1100", "\u1161", "\u11a8", "供应商", "发票", "（", "）", "㈱", "①"]  # fmt: skip
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 8))) for _ in range(5000)]
    texts += ["INV 001", "inv001", "ＩＮＶ００１", "", " ", "供应商 甲"]
    series = pd.Series(texts, dtype=object)
    assert normalise_column(series).tolist() == [normalise_text(t) for t in texts]
    assert fold_column(series).tolist() == [fold_text(t) for t in texts]
    assert normalise_column(pd.Series(["ＩＮＶ　００１", "inv 001"])).tolist() == ["inv001", "inv001"]


def test_missing_values_numbers_and_the_joining_character_fall_back_to_value_by_value():
    series = pd.Series(["A B", None, np.nan, 12, "x\x00y", "Ｘ"], dtype=object)
    assert normalise_column(series).tolist() == ["ab", "", "", "12", "x\x00y", "x"]
    assert normalise_column(pd.Series(["A\x00B", "C D"])).tolist() == ["a\x00b", "cd"]
    assert fold_column(pd.Series(["A\x00B", "C D"])).tolist() == ["a\x00b", "c d"]
    assert normalise_column(pd.Series([], dtype=object)).tolist() == []
    assert normalise_column(pd.Series(["Ａ Ｂ"])).tolist() == ["ab"]
