"""Sentence-level detail: split texts into sentences, find the asks (what customers need and want) and the
pain-point sentences, and group sentences that say the same thing into labelled clusters.

* :func:`split_sentences` is a small rule-based splitter for the seven supported languages: it cuts after
  ``. ! ? … 。 ！ ？ । ॥`` followed by a space, and at line breaks, but not after common abbreviations
  ("e.g.", "z.B.", "np.") or initials. Each sentence is the verbatim slice of the text, trimmed.
* A sentence is an **ask** when the model labels it ``need`` or ``want``, or when it contains an explicit request
  phrase (:data:`ASK_CUES`: "please add", "it would be nice", "j'aimerais", "vorrei", "chciałbym", "me gustaría",
  "ich wünsche mir", "దయచేసి"…); the model decides need vs want, the phrase decides when the model says neither.
* :func:`cluster_sentences` groups sentences deterministically: content words (stop words and request words
  removed) → character 3–5-gram TF-IDF → agglomerative clustering (cosine distance, average linkage, a fixed
  distance threshold). Each cluster is labelled by its key phrases: the word n-grams (1–3) that the most of its
  sentences share, weighted by how rare they are elsewhere.

Example::

    >>> from feedback_nlp.asks import split_sentences, cluster_sentences
    >>> split_sentences("Love it! Please add Apple Pay. E.g. like the web shop")
    ['Love it!', 'Please add Apple Pay.', 'E.g. like the web shop']
    >>> clusters = cluster_sentences(["please add Apple Pay", "Add Apple Pay please", "dark mode"], ["en"] * 3)
    >>> [(c.label, c.members) for c in clusters]
    [('apple pay', [0, 1]), ('dark mode', [2])]
"""

from __future__ import annotations

import importlib
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

if TYPE_CHECKING:
    from feedback_nlp.model import FeedbackModel

_END = re.compile(r"[.!?…。！？।॥]+[\"'”’»)\]]*(?=\s)|\n+")
_WORD = re.compile(r"[\w\u0300-\u036f\u0900-\u0dff\u200c\u200d'’]+")
_ABBREVIATION_TEXT = (
    "e.g i.e etc vs mr mrs ms dr st no nr approx ca z.b bzw usw u.a d.h np itd itp tzn m.in p.ej sr sra ecc sig "
    "mme art cf fig"
)  # fmt: skip
_ABBREVIATIONS = frozenset(_ABBREVIATION_TEXT.split())
_LANGUAGES = ("en", "fr", "it", "pl", "es", "de", "te")
_REQUEST_TEXT = (
    "please pls plz kindly add adding added need needs needed want wants wish would could should can get let make "
    "give help look someone anyone love like nice great good helpful useful possible able allow option way really "
    "also just maybe "
    "svp plaît pourriez pouvez voudrais souhaite souhaiterais aimerais adorerais merci ajouter ajoutez besoin "
    "faudrait faut serait bien pouvoir possibilité "
    "vorrei vorremmo chiedo potreste potete piacerebbe sarebbe per favore cortesemente gentilmente aggiungere "
    "aggiungete bisogno bello utile possibilità "
    "proszę prosze chciałbym chciałabym chcielibyśmy chcę byłoby fajnie super dodajcie dodać potrzebuję "
    "potrzebujemy możliwość można "
    "podrían podríais pueden quiero quisiera gustaría sería ojalá vendría necesito necesitamos favor añadir añadan "
    "agreguen posible posibilidad genial "
    "bitte könnten könntet möchte hätte gern gerne wünsche wäre brauche brauchen benötige hinzufügen möglich "
    "möglichkeit schön toll "
    "దయచేసి కావాలి జోడించండి బాగుంటుంది అవసరం"
)  # fmt: skip
REQUEST_WORDS = frozenset(_REQUEST_TEXT.split())
_GREETING_TEXT = (
    "hi hello hey dear thanks thank regards cheers team bonjour salut merci cordialement madame monsieur buongiorno "
    "ciao salve grazie cordiali saluti gentile dzień dobry dzien witam pozdrawiam dziękuję dziekuje hola buenas "
    "buenos días gracias saludos estimado estimados hallo guten tag danke grüße gruß freundlichen liebe lieber "
    "sehr geehrte geehrter best kind sincerely yours poważaniem pozdrowienia serdecznie distinti atentamente "
    "un saludo cordiales viele mfg lg నమస్తే నమస్కారం ధన్యవాదాలు"
)  # fmt: skip
GREETINGS = frozenset(_GREETING_TEXT.split())
ASK_CUES: dict[str, re.Pattern[str]] = {
    "need": re.compile(
        r"\b(?:i|we) (?:really |urgently |just )?need\b|\bneed to be able\b|\bj'ai besoin\b|\bnous avons besoin\b"
        r"|\bil (?:me|nous) faut\b|\bho bisogno\b|\babbiamo bisogno\b|\bpotrzebuj(?:ę|emy)\b|\bnecesit(?:o|amos)\b"
        r"|\b(?:ich|wir) (?:brauche|brauchen|benötige|benötigen)\b|అవసరం",
        re.IGNORECASE,
    ),
    "want": re.compile(
        r"\bplease\b|\bpls\b|\b(?:it )?would be (?:nice|great|good|helpful|awesome|useful|cool|amazing)\b|\bit'd be\b"
        r"|\bi wish\b|\b(?:i|we)(?:'d| would) (?:love|like)\b|\b(?:i|we) want\b|\b(?:could|can) you\b"
        r"|\bis (?:it|there) (?:possible|a way)\b|\bfeature request\b|\bbring back\b"
        r"|\bj'aimerais\b|\bj'adorerais\b|\bje (?:voudrais|souhaite|souhaiterais)\b|\bce serait (?:bien|top|génial|super|pratique)\b"
        r"|\bpourriez-vous\b|\bpouvez-vous\b|\bmerci de\b|\bajoutez\b|\bs'il vous pla[iî]t\b|\bsvp\b"
        r"|\bvorrei\b|\bvorremmo\b|\bmi piacerebbe\b|\bsarebbe (?:bello|utile|fantastico|ottimo|comodo)\b|\bpotreste\b"
        r"|\bpotete\b|\baggiungete\b|\bper favore\b|\bchiedo\b|\bchciał(?:a)?bym\b|\bchcielibyśmy\b|\bchcę\b"
        r"|\bbyłoby (?:super|fajnie|miło|dobrze|świetnie)\b|\bdodajcie\b|\bprosz[ęe]\b|\bme gustar[ií]a\b|\bquiero\b"
        r"|\bquisiera\b|\bser[ií]a (?:genial|bueno|útil|estupendo|ideal)\b|\bpodr[ií]an\b|\bpueden\b|\bañadan\b"
        r"|\bagreguen\b|\bpor favor\b|\bojalá\b|\bwünsche (?:ich )?mir\b|\bich (?:möchte|hätte gern)\b|\bbitte\b"
        r"|\bwäre (?:schön|toll|super|gut|praktisch|nett)\b|\bkönnt(?:et ihr|en sie)\b|దయచేసి|బాగుంటుంది|జోడించండి",
        re.IGNORECASE,
    ),
}

# Lowercased text and a word-start anchor make the search ~4× faster than the case-insensitive patterns.
_CUES = {kind: re.compile(r"(?=\w)\b(?:" + pattern.pattern + ")") for kind, pattern in ASK_CUES.items()}


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, each a trimmed verbatim slice of it; empty texts give ``[]``."""
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(text):
        if match.group(0)[0] == "." and _is_abbreviation(text[start : match.start()]):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if any(ch.isalnum() for ch in sentence)]


def _is_abbreviation(before: str) -> bool:
    words = before.split()
    last = words[-1].lower().lstrip("([\"'") if words else ""
    return (len(last) == 1 and last.isalpha()) or last in _ABBREVIATIONS


def ask_cue(sentence: str) -> str | None:
    """ "need" or "want" when ``sentence`` holds an explicit request phrase (see :data:`ASK_CUES`), else ``None``."""
    lowered = sentence.lower()
    for kind, pattern in _CUES.items():
        if pattern.search(lowered):
            return kind
    return None


@cache
def stop_words(language: str) -> frozenset[str]:
    """spaCy's stop words for ``language`` plus English ones, :data:`REQUEST_WORDS` and :data:`GREETINGS`."""
    words = set(REQUEST_WORDS | GREETINGS)
    for code in {"en", language} & set(_LANGUAGES):
        module = importlib.import_module(f"spacy.lang.{code}.stop_words")
        words |= {word.lower() for word in module.STOP_WORDS}
    return frozenset(words)


def content_words(sentence: str, language: str) -> list[str]:
    """The lowercased words of ``sentence`` without stop words, request words and numbers."""
    stops = stop_words(language)
    words = [word.strip("'’") for word in _WORD.findall(sentence.lower())]
    return [word for word in words if len(word) > 1 and word not in stops and not word.isdigit()]


@dataclass
class Cluster:
    """Sentences that say the same thing: their positions in the input, a short label and key phrases."""

    members: list[int]
    label: str
    key_phrases: list[str] = field(default_factory=list)
    representatives: list[int] = field(default_factory=list)


def cluster_sentences(
    sentences: Sequence[str],
    languages: Sequence[str],
    distance_threshold: float = 0.75,
    max_sentences: int = 3_000,
    max_phrases: int = 3,
) -> list[Cluster]:
    """Group ``sentences`` that say the same thing; biggest cluster first (ties: first appearance).

    Sentences with no content words are left out. At most ``max_sentences`` distinct sentences (the most
    frequent, then the earliest) are clustered, so memory stays bounded; the others join the closest cluster
    when it is within ``distance_threshold`` and are left out otherwise. The result is the same for the same
    input, whatever the machine.
    """
    words = [content_words(sentence, language) for sentence, language in zip(sentences, languages)]
    keys = [" ".join(tokens) for tokens in words]
    distinct: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        if key:
            distinct.setdefault(key, []).append(index)
    if not distinct:
        return []
    ordered = sorted(distinct, key=lambda key: (-len(distinct[key]), distinct[key][0]))
    fitted, rest = ordered[:max_sentences], ordered[max_sentences:]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float64)
    matrix = vectorizer.fit_transform(fitted)
    if len(fitted) == 1:
        labels = np.zeros(1, dtype=int)
    else:
        distances = np.clip(1.0 - (matrix @ matrix.T).toarray(), 0.0, 2.0)
        np.fill_diagonal(distances, 0.0)
        labels = AgglomerativeClustering(
            n_clusters=None, metric="precomputed", linkage="average", distance_threshold=distance_threshold
        ).fit_predict(distances)
    groups: dict[int, list[str]] = {}
    for key, label in zip(fitted, labels):
        groups.setdefault(int(label), []).append(key)
    if rest:
        _assign_rest(rest, groups, vectorizer, distance_threshold)
    document_frequency = Counter(phrase for tokens in words for phrase in set(_phrases(tokens)))
    clusters = []
    for keys_in_group in groups.values():
        members = sorted(index for key in keys_in_group for index in distinct[key])
        phrases = _key_phrases([words[i] for i in members], document_frequency, len(sentences), max_phrases)
        representatives = sorted(members, key=lambda i: (-_covered(words[i], phrases), i))[:3]
        clusters.append(Cluster(members, " · ".join(phrases[:2]), phrases, representatives))
    return sorted(clusters, key=lambda c: (-len(c.members), c.members[0]))


def _assign_rest(
    rest: list[str], groups: dict[int, list[str]], vectorizer: TfidfVectorizer, threshold: float, batch: int = 2_000
) -> None:
    labels = list(groups)
    fitted = [key for label in labels for key in groups[label]]
    owner = np.repeat(np.arange(len(labels)), [len(groups[label]) for label in labels])
    membership = sp.csr_matrix(
        (np.ones(len(fitted)), (owner, np.arange(len(fitted)))), shape=(len(labels), len(fitted))
    )
    centroids = sp.csr_matrix(membership @ vectorizer.transform(fitted))
    norms = np.sqrt(np.asarray(centroids.multiply(centroids).sum(axis=1))).ravel()
    centroids = sp.csr_matrix(sp.diags(1.0 / np.maximum(norms, 1e-12)) @ centroids)
    for start in range(0, len(rest), batch):  # sparse centroids, dense only batch × clusters
        chunk = rest[start : start + batch]
        similarity = (vectorizer.transform(chunk) @ centroids.T).toarray()
        for key, row in zip(chunk, similarity):
            best = int(row.argmax())
            if 1.0 - row[best] <= threshold:
                groups[labels[best]].append(key)


def _phrases(tokens: list[str]) -> list[str]:
    return [" ".join(tokens[i : i + n]) for n in (1, 2, 3) for i in range(len(tokens) - n + 1)]


def _key_phrases(members: list[list[str]], document_frequency: Counter[str], total: int, limit: int) -> list[str]:
    counts = Counter(phrase for tokens in members for phrase in set(_phrases(tokens)))
    size = len(members)
    scored = sorted(
        counts,
        key=lambda p: (-round(counts[p] / size * math.log(1.0 + total / document_frequency[p]), 6), -p.count(" "), p),
    )
    chosen: list[str] = []
    for phrase in scored:
        if len(chosen) == limit:
            break
        if counts[phrase] * 2 <= size and chosen:
            break
        if any(f" {phrase} " in f" {kept} " or f" {kept} " in f" {phrase} " for kept in chosen):
            continue
        chosen.append(phrase)
    return chosen


def _covered(tokens: list[str], phrases: list[str]) -> int:
    text = " ".join(tokens)
    return sum(phrase in text for phrase in phrases)


SENTENCE_COLUMNS = ("row", "sentence", "language", "need_type", "need_type_proba", "topic", "pain_point")


def empty_sentence_table() -> pd.DataFrame:
    """A sentence table (see :func:`sentence_table`) without rows."""
    empty: pd.DataFrame = pd.DataFrame({name: pd.Series(dtype=object) for name in SENTENCE_COLUMNS})
    return empty


def sentence_table(
    texts: Sequence[str], languages: Sequence[str] | None, model: FeedbackModel, rows: Sequence[int] | None = None
) -> pd.DataFrame:
    """One row per sentence of ``texts``: ``row`` (from ``rows``, default the text's position), the verbatim
    ``sentence``, its text's ``language`` and the model's ``need_type``, ``need_type_proba``, ``topic`` and
    ``pain_point`` for the sentence alone."""
    rows = list(range(len(texts))) if rows is None else list(rows)
    records = [
        (row, sentence, languages[i] if languages is not None else None)
        for i, (row, text) in enumerate(zip(rows, texts))
        for sentence in split_sentences(text)
    ]
    table: pd.DataFrame = pd.DataFrame(records, columns=["row", "sentence", "language"])
    if table.empty:
        return empty_sentence_table()
    if languages is not None:
        table["language"] = [str(language or "und") for language in table["language"]]
    # Each distinct (sentence, language) is labelled once: "Thanks!" may occur thousands of times.
    keys = list(zip(table["sentence"], table["language"]))
    index_of = {key: i for i, key in enumerate(dict.fromkeys(keys))}
    known = None if languages is None else [str(language) for _, language in index_of]
    predicted = model.predict_full([sentence for sentence, _ in index_of], known).table
    order = np.array([index_of[key] for key in keys], dtype=int)
    for column in ("language", *SENTENCE_COLUMNS[3:]):
        table[column] = predicted[column].to_numpy()[order] if column in predicted else pd.NA
    return table


def find_asks(sentences: pd.DataFrame, min_proba: float = 0.5) -> pd.DataFrame:
    """The sentences that ask for something, with their ``kind`` ("need" or "want").

    An ask is a sentence with content words that holds a request phrase (:func:`ask_cue`) or that the model
    labels need/want with probability ≥ ``min_proba`` without labelling it a pain point (a problem statement
    belongs to the themes). The model's label decides the kind; the phrase decides when the model says neither.
    """
    cues = {sentence: ask_cue(sentence) for sentence in dict.fromkeys(sentences["sentence"])}
    cue = sentences["sentence"].map(cues)
    need_type = sentences["need_type"].astype("string")
    by_model = need_type.isin(["need", "want"]).fillna(False)
    confident = pd.to_numeric(sentences["need_type_proba"], errors="coerce").fillna(0.0) >= min_proba
    pain = sentences["pain_point"].astype("boolean").fillna(False)
    pairs = list(zip(sentences["sentence"], sentences["language"].astype(str)))
    words = {pair: bool(content_words(*pair)) for pair in dict.fromkeys(pairs)}
    has_words = [words[pair] for pair in pairs]
    is_ask = ((by_model & confident & ~pain) | cue.notna()) & pd.Series(has_words, index=sentences.index, dtype=bool)
    asks: pd.DataFrame = sentences[is_ask.to_numpy(dtype=bool)].copy()
    asks["kind"] = need_type[is_ask].where(by_model[is_ask], cue[is_ask]).astype(str).to_numpy()
    return asks
