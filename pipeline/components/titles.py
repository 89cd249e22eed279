"""Officials' titles: the office phrases before, after or around a name ("Deputy Prime Minister
X", "X, Secretary of the Party Committee of Y commune", "Vice Chairmen of ...: A, B and C"),
grown over Title-case words from the head words the TITLE rules of rules/officials.yaml find;
and the lexicon of that file.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from pipeline.components.tokens import doc_words, is_name_token, starts_sentence
from pipeline.rules import RuleSet
from pipeline.textnorm import fold

DASHES = {"-", "–", "—"}
SEPARATORS = {","} | DASHES
TITLE_STOPS = SEPARATORS | {";", ".", ":"}
ARTICLES = {"a", "an", "the"}
FINITE_VERB_TAGS = {"VBD", "VBZ", "VBP"}
UNFINISHED_TITLE_END = ARTICLES | {"of"}  # "Secretary of the [Ho Chi Minh City Party Committee]"
TITLE_END_TRIM = {"of", "the", "and", "for", "in", "on", "'s", "’s", "("}
PLACE_TYPES = {"commune", "ward", "province", "city", "district", "town", "zone", "village", "hamlet"}
COMMA_CROSSING_WORDS = 4
SHORT_TITLE_WORDS = 4  # "Politburo member, President X": an earlier title without its own office word
BARE_OFFICE_WORDS = 3  # "Vice Chairman", "Head", "Deputy Director": an office without its body
ASIDE_WORDS = 10  # an aside after a name ("(born in 1978)") is short
BRACKET_TITLE_WORDS = 40  # offices in brackets after a name: two or three of them
GROUP_WINDOW = 80  # tokens back from a name to the colon of its group
ROLE_MODIFIERS = 3  # "a civil status judicial officer": lower-case words before a role's head


class OfficialLexicon:
    def __init__(self, rules: RuleSet):
        get = lambda name: rules.lexicon("officials", name, [])  # noqa: E731
        self.honorifics = {fold(h) for h in get("honorifics")}
        self.office_honorifics = {fold(h) for h in get("office_honorifics")}
        self.surnames = {fold(s) for s in get("surnames")}
        self.not_name = {fold(w) for w in get("not_name_words")}
        self.inner = {w.lower() for w in get("title_inner_words")}
        self.not_officials = {fold(n) for n in get("not_officials")}
        self.org_words = {fold(w) for w in get("org_words")}
        self.qualifiers = {w.lower() for w in get("title_qualifiers")}
        self.group_heads = {k.lower(): v.lower() for k, v in (rules.lexicon("officials", "group_heads") or {}).items()}
        self.title_verbs = sorted((tuple(v.lower().split()) for v in get("title_verbs")), key=len, reverse=True)
        self.aside_verbs = {w.lower() for w in get("aside_verbs")}
        self.places: set[str] = set()  # province names, filled by the component


def _is_title_word(token, heads: set[int], lex: OfficialLexicon) -> bool:
    return token.i in heads or is_name_token(token) or token.lower_ in lex.inner


def split_title(doc: Doc, start: int, end: int, heads: set[int]) -> list[tuple[int, int]]:
    """"Politburo member and President" holds two offices: split at "and" between two heads."""
    parts, left = [], start
    for i in range(start + 1, end - 1):
        if doc[i].lower_ == "and" and any(j in heads for j in range(left, i)):
            nxt = i + 1
            while nxt < end and nxt not in heads and is_name_token(doc[nxt]) and nxt - i <= 3:
                nxt += 1
            if nxt < end and nxt in heads:
                parts.append((left, i))
                left = i + 1
    parts.append((left, end))
    return parts


def _numbered(doc: Doc, i: int) -> bool:
    """The stop of "No. 4" ("Head of Task Force No. 4"), not the end of the title."""
    return doc[i].text == "." and i > 0 and doc[i - 1].lower_ == "no" and i + 1 < len(doc) and doc[i + 1].like_num


def _name_continues(doc: Doc, i: int, heads: set[int]) -> bool:
    """After a comma: Title-case words without an office, then "and" and a Title-case word
    ("Sports and Tourism"): the comma is inside a name."""
    j = i
    while j < len(doc) and j - i < COMMA_CROSSING_WORDS and is_name_token(doc[j]) and j not in heads:
        j += 1
    return j > i and j + 1 < len(doc) and doc[j].lower_ == "and" and is_name_token(doc[j + 1]) and j + 1 not in heads


def title_forward(doc: Doc, i: int, heads: set[int], lex: OfficialLexicon) -> tuple[int, int] | None:
    """A title phrase starting at token i ("Member of the Provincial Party Standing Committee").
    A role may be told in lower case ("a procedure control officer", "the school principal",
    "Party cell secretary and village chief"): up to ROLE_MODIFIERS plain words before its head."""
    while i < len(doc) and (doc[i].lower_ in ARTICLES or doc[i].lower_ in lex.qualifiers):
        i += 1
    start = i
    lead = i
    while lead < len(doc) and lead - start < 4 and lead not in heads and \
            (is_name_token(doc[lead]) or lead - start < ROLE_MODIFIERS and _role_modifier(doc[lead])):
        lead += 1
    if lead >= len(doc) or lead not in heads:
        return None
    end = lead + 1
    depth = 0
    while end < len(doc):
        token = doc[end]
        if depth == 0 and _numbered(doc, end):
            end += 2  # "Branch No. 1"
            continue
        if token.text == "(":
            depth += 1
        elif token.text == ")" and depth:
            depth -= 1
        elif depth == 0 and token.text == "," and _name_continues(doc, end + 1, heads):
            end += 1  # "Department of Culture, Sports and Tourism"
            continue
        elif depth == 0 and not _is_title_word(token, heads, lex):
            break
        if depth == 0 and token.text in TITLE_STOPS:
            break
        end += 1
    while end > start and doc[end - 1].lower_ in TITLE_END_TRIM:
        end -= 1
    last = doc[end - 1] if end > start else None
    if last is not None and not (last.i in heads or is_name_token(last) or last.text == ")"
                                 or last.lower_ in PLACE_TYPES):
        return None
    if end <= start:
        return None
    return start, _body_after_bare_office(doc, start, end, heads, lex)


def _role_modifier(token: Token) -> bool:
    """A plain lower-case word before a role's head ("procedure control", "public administration")."""
    return token.is_alpha and token.is_lower and not token.is_stop and token.tag_ not in FINITE_VERB_TAGS


def _body_after_bare_office(doc: Doc, start: int, end: int, heads: set[int], lex: OfficialLexicon) -> int:
    """Where a title ends when a bare office is followed by its body after a comma, as lists of
    participants write it ("Vice Chairman, People’s Committee of Ke Sach Commune"; "Head,
    Economic Division of Ke Sach Commune"): one title, not an office without a place."""
    bare = end - start <= BARE_OFFICE_WORDS and all(t.i in heads or is_name_token(t) for t in doc[start:end])
    if not bare or end + 1 >= len(doc) or doc[end].text != ",":
        return end
    j = end + 1
    while j < len(doc) and j not in heads and (is_name_token(doc[j]) or doc[j].lower_ in lex.inner) \
            and doc[j].text not in TITLE_STOPS:
        j += 1
    if j < len(doc) and j in heads:
        return end  # "Vice Chairman, Provincial Head of ...": a second office
    while j > end + 1 and doc[j - 1].lower_ in TITLE_END_TRIM:
        j -= 1
    body = doc[end + 1:j]
    if len(body) < 2 or not any(fold(t.text) in lex.org_words for t in body) or not is_name_token(doc[j - 1]):
        return end
    return j


def _after_title_verb(doc: Doc, i: int, lex: OfficialLexicon) -> int:
    """Past "who serves as", "has been appointed" and the like: where the title starts."""
    lowered = doc_words(doc).lowered
    for words in lex.title_verbs:  # the longest form first
        if tuple(lowered[i:i + len(words)]) == words:
            return i + len(words)
    return i


def _past_asides(doc: Doc, i: int, lex: OfficialLexicon) -> int:
    """Past "(born in 1978)" and ", residing in Tan Tien ward": asides between a name and its title."""
    while i < len(doc):
        if doc[i].text == "(":
            close = next((j for j in range(i + 1, min(len(doc), i + ASIDE_WORDS)) if doc[j].text == ")"), None)
            if close is None:
                return i
            i = close + 1
        elif doc[i].text == "," and i + 1 < len(doc) and doc[i + 1].lower_ in lex.aside_verbs:
            comma = next((j for j in range(i + 2, min(len(doc), i + ASIDE_WORDS)) if doc[j].text == ","), None)
            if comma is None:
                return i
            i = comma
        else:
            return i
    return i


def titles_after(doc: Doc, end: int, heads: set[int], lex: OfficialLexicon) -> list[tuple[int, int]]:
    titles = _titles_in_brackets(doc, end, heads, lex)
    if titles:
        return titles
    i = _past_asides(doc, end, lex)
    if i < len(doc) and doc[i].text not in SEPARATORS:  # "A has been appointed Chairman of ..."
        past = _after_title_verb(doc, i, lex)
        if past > i:
            found = title_forward(doc, past, heads, lex)
            return [found] if found else []
    while i < len(doc) and doc[i].text in SEPARATORS:
        found = title_forward(doc, _after_title_verb(doc, i + 1, lex), heads, lex)
        if not found or _opens_clause(doc, found, lex):
            break
        titles.append(found)
        i = found[1]
        if i < len(doc) and doc[i].lower_ == "and":  # "..., and Head of ..."
            nxt = title_forward(doc, i + 1, heads, lex)
            if nxt:
                titles.append(nxt)
                i = nxt[1]
    return titles


def _titles_in_brackets(doc: Doc, i: int, heads: set[int], lex: OfficialLexicon) -> list[tuple[int, int]]:
    """The offices in brackets right after a name, as lists of participants give them: "Mr. Pham
    Hung Quoc Bao (Secretary of the Party Committee, Chairman of the People's Council)". Brackets
    that hold no office ("(born in 1978)", "(far right)") give none."""
    if i >= len(doc) or doc[i].text != "(":
        return []
    close = next((j for j in range(i + 1, min(len(doc), i + BRACKET_TITLE_WORDS)) if doc[j].text in {")", "("}), None)
    if close is None or doc[close].text != ")":
        return []
    titles = []
    j = i + 1
    while j < close:
        found = title_forward(doc, j, heads, lex)
        if not found:
            break
        start, stop = found[0], min(found[1], close)
        while stop > start and doc[stop - 1].lower_ in TITLE_END_TRIM:
            stop -= 1
        if stop <= start:
            break
        titles.append((start, stop))
        j = stop
        if j < close and (doc[j].text in SEPARATORS or doc[j].lower_ == "and"):
            j += 1
        elif j < close:
            break
    return titles if titles and j >= close else []


def _opens_clause(doc: Doc, title: tuple[int, int], lex: OfficialLexicon) -> bool:
    """"... Tra Linh and Ta Lung — the Minister stressed ...": "the" + title + a finite verb is
    the subject of a new clause, not an apposition to the name before it."""
    start, end = title
    while start > 0 and doc[start - 1].lower_ in lex.qualifiers:  # "the newly appointed Minister stressed"
        start -= 1
    opened = start > 0 and doc[start - 1].lower_ == "the"
    return opened and end < len(doc) and doc[end].tag_ in FINITE_VERB_TAGS


def title_backward(doc: Doc, end: int, heads: set[int], lex: OfficialLexicon) -> tuple[int, int] | None:
    """A title phrase ending just before token `end` ("Deputy Prime Minister", "Secretary of the X")."""
    start = end
    depth = 0
    while start > 0:
        token = doc[start - 1]
        if token.text == ")":
            depth += 1
        elif token.text == "(" and depth:
            depth -= 1
        elif depth == 0 and (token.text in SEPARATORS or not _is_title_word(token, heads, lex)):
            break
        start -= 1
        if depth == 0 and starts_sentence(doc[start]):
            break
    while start < end and (doc[start].lower_ in lex.inner or doc[start].is_stop) and start not in heads:
        start += 1
    if not any(i in heads for i in range(start, end)):
        # "Director of the Department of Culture, Sports and Tourism X": the comma is inside a name
        if 0 < end - start <= COMMA_CROSSING_WORDS and start > 1 and doc[start - 1].text == "," \
                and is_name_token(doc[start - 2]):
            earlier = title_backward(doc, start - 1, heads, lex)
            if earlier and earlier[1] == start - 1:
                return earlier[0], end
        return None
    return start, end


def _names_body(doc: Doc, title: tuple[int, int], heads: set[int], lex: OfficialLexicon) -> bool:
    """An office that names the body it serves: it ends with the body's word, or opens with an
    office and goes on with "of" and a Title-case name ("Minister of Construction", "Director of
    the Department of Home Affairs")."""
    start, end = title
    if fold(doc[end - 1].text) in lex.org_words:
        return True
    if start not in heads:
        return False
    for i in range(start + 1, end - 1):
        if doc[i].lower_ == "of":
            body = i + 2 if doc[i + 1].lower_ in ARTICLES and i + 2 < end else i + 1
            return is_name_token(doc[body])
    return False


def titles_before(doc: Doc, start: int, heads: set[int], lex: OfficialLexicon,
                  comma_ok: bool = False) -> list[tuple[int, int]]:
    found = title_backward(doc, start, heads, lex)
    if not found and start > 1 and doc[start - 1].text == ",":
        found = title_backward(doc, start - 1, heads, lex)  # "Its Chairman, Mr. Tran Quoc Viet"
        # Without an honorific the title must name its body: "the Chairman of X Ward People's Committee, A",
        # "the Director of the Department of Home Affairs, A", "Deputy Minister of Construction, A"
        if not found or not (found[1] - 1 in heads and comma_ok or _names_body(doc, found, heads, lex)):
            return []
    # "the Ward Party Secretary - Phan Hong Anh"; a dash with no space before it joins a compound ("Bru–Van Kieu")
    if not found and start > 1 and doc[start - 1].text in DASHES and doc[start - 2].whitespace_:
        found = title_backward(doc, start - 1, heads, lex)
        if not found or not (found[1] - 1 in heads or _names_body(doc, found, heads, lex)):
            return []
    if not found or doc[found[1] - 1].lower_ in UNFINISHED_TITLE_END:
        return []  # "Secretary of the Ho Chi Minh City Party Committee": the name is the body's
    titles = [found]
    while found[0] > 1 and doc[found[0] - 1].text == ",":  # "Politburo member, President X"
        found = title_backward(doc, found[0] - 1, heads, lex)
        if not found or (found[1] - found[0] > SHORT_TITLE_WORDS and found[0] not in heads):
            break  # a long phrase joins only when it opens with an office ("Member of the ... Committee, ...")
        titles.insert(0, found)
    return titles


def group_title(doc: Doc, start: int, heads: set[int], lex: OfficialLexicon) -> list[tuple[int, int]]:
    """"members of the Party Central Committee: A - Head of ...; B - ...": each name in the
    list holds the shared office too (returned as its span; the caller writes it singular)."""
    texts = doc_words(doc).texts  # a token's whitespace is one space at most: a newline is in its text
    for i in range(start - 1, max(-1, start - GROUP_WINDOW), -1):  # the parser may cut at the colon
        if texts[i] == ":":
            found = title_backward(doc, i, heads, lex)
            if found and any(t.lower_ in lex.group_heads for t in doc[found[0]:found[1]]):
                return [found]
            return []
        if texts[i] in {".", "!", "?"} or "\n" in texts[i]:
            return []
    return []


def singular(title: Span, lex: OfficialLexicon) -> str:
    """A group's title as one person's: "members of the X" → "member of the X", "Vice
    Chairmen of ..." → "Vice Chairman of ..." (the first plural head only)."""
    for token in title:
        if token.lower_ in lex.group_heads:
            word = lex.group_heads[token.lower_]
            word = word.capitalize() if token.text[0].isupper() else word
            offset = token.idx - title.start_char
            return title.text[:offset] + word + title.text[offset + len(token.text):]
    return title.text
