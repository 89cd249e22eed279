"""Each stage on small real sentences (from the seed articles), with the real model and gazetteer."""
from __future__ import annotations

import html
import json

import pytest

from pipeline.clean import CleanError, clean_record, detect_language, strip_trailers
from pipeline.gazetteer import load_gazetteer
from pipeline.linking import link_mention
from pipeline.province import article_provinces, text_province_scores
from pipeline.records import RawRecord
from pipeline.rules import cached_rules
from pipeline.rules_check import check_rules
from pipeline.run import run
from pipeline.tables import load_tables
from pipeline.textnorm import fold, fold_chars, name_key

from conftest import ROOT


def test_fold_keeps_length_and_matches_scorer():
    text = "Đoàn Thu Hà, Mường Tùng"
    assert len(fold_chars(text)) == len(text)
    assert fold(text) == "doan thu ha muong tung"
    assert name_key("Comrade Đoàn Thu Hà") == "doan thu ha"


def test_trailers():
    text, url = strip_trailers("Body line.\nSource: https://baolangson.vn/a-1.html\n\n\nComment (0)\n")
    assert text == "Body line." and url == "https://baolangson.vn/a-1.html"


def test_clean_rejects_vietnamese_and_short_text(settings):
    vietnamese = "Đồng chí Hà Thị Hạnh làm việc với Ban Thường vụ Đảng ủy xã Trường Xuân về tình hình. " * 5
    assert detect_language(vietnamese) == "vi"
    with pytest.raises(CleanError, match="not_english"):
        clean_record(RawRecord(source="x.txt", text=vietnamese), settings.clean)
    with pytest.raises(CleanError, match="too short"):
        clean_record(RawRecord(source="y.txt", text="Short."), settings.clean)


def test_gazetteer_has_all_2025_units_and_legacy():
    gazetteer = load_gazetteer()
    assert len(gazetteer.units) == 3321 and len(gazetteer.provinces) == 34
    assert len(gazetteer.by_name["tan an"]) == 11
    assert gazetteer.units["06529"].name == "Lộc Bình"


@pytest.mark.parametrize("mention,province,code,method", [
    ("Loc Binh", "20", "06529", "folded"),
    ("Lộc Bình", "20", "06529", "exact"),
    ("Tan My", "20", "06172", "legacy"),  # merged into Hoàng Văn Thụ in 2025
    ("Truong Xuan", "68", "24730", "folded"),
    ("Truong Xaun", "68", "24730", "fuzzy"),
])
def test_linking_with_province(settings, mention, province, code, method):
    link = link_mention(mention, load_gazetteer(), [province], settings.link)
    resolved = link.becomes_code if method == "legacy" else link.ward_code
    assert (resolved, link.method) == (code, method)
    if method == "legacy":
        assert link.ward_code is None and link.legacy_name == "Tân Mỹ"


def test_former_homonyms_prefer_the_successor_the_article_names(settings):
    gazetteer = load_gazetteer()
    # Lạng Sơn had a Hoàng Văn Thụ ward (→ Kỳ Lừa) and a Hoàng Văn Thụ commune (→ 06172).
    link = link_mention("Hoang Van Thu", gazetteer, ["20"], settings.link, legacy_hint=True,
                        prefer=frozenset({"06172"}))
    assert (link.method, link.becomes_code) == ("legacy", "06172")


def test_linking_without_province_refuses_homonyms(settings):
    link = link_mention("Tan An", load_gazetteer(), [], settings.link)
    assert link.method == "unresolved" and link.ambiguous


def test_province_from_host_and_text(settings):
    rules = cached_rules(str(settings.rules_dir))

    def provinces(text: str, hosts: list[str]) -> list[str]:
        return article_provinces(text_province_scores(text, rules), hosts, rules)

    assert provinces("Nothing here.", ["en.baodienbienphu.com.vn"]) == ["11"]
    assert provinces("Communes in Lang Son province met.", [])[0] == "20"
    assert provinces("Hai Duong province merged.", [])[0] == "31"


def _doc(nlp, text, hosts=()):
    doc = nlp.make_doc(text)
    doc._.provnews_hosts = list(hosts)
    return nlp(doc)


def test_commune_lists_and_keywords(nlp):
    doc = _doc(nlp, "The group worked with the communes of Loc Binh, Mau Son, and Khuat Xa.", ["baolangson.vn"])
    assert [s.text for s in doc.spans["communes"]] == ["Loc Binh", "Mau Son", "Khuat Xa"]
    doc = _doc(nlp, "Truong Xuan commune recommends that the province pay attention to it.", ["baolamdong.vn"])
    assert [(s.text, s._.provnews_rule) for s in doc.spans["communes"]] == [("Truong Xuan", "name-commune")]


def test_officials_titles_after_name(nlp):
    doc = _doc(nlp, "Speaking at the session, comrade Ha Thi Hanh, member of the Provincial Party Standing "
                    "Committee, Vice Chairman of the Provincial Vietnam Fatherland Front Committee, praised the staff.")
    (span,) = doc.spans["officials"]
    assert span.text == "Ha Thi Hanh"
    assert span._.provnews_info["titles"] == ["member of the Provincial Party Standing Committee",
                                              "Vice Chairman of the Provincial Vietnam Fatherland Front Committee"]


def test_statements_split_into_items(nlp):
    doc = _doc(nlp, "However, the commune still faces some difficulties such as: uneven quality of staff; "
                    "degraded headquarters and working equipment, small area that does not meet working needs.")
    assert [s.text for s in doc.spans["difficulties"]] == [
        "uneven quality of staff", "degraded headquarters and working equipment",
        "small area that does not meet working needs"]


def test_every_rule_passes_its_examples(settings):
    assert check_rules(settings) == []


@pytest.mark.parametrize("sentence,name,titles", [
    ("Politburo member and President Luong Cuong attended the meeting.", "Luong Cuong",
     ["Politburo member", "President"]),
    ("Deputy Prime Minister Pham Thi Thanh Tra inspected the centre.", "Pham Thi Thanh Tra",
     ["Deputy Prime Minister"]),
    ("Mr. Nguyen Thanh Thuan - Deputy Secretary, Chairman of Tan Binh Commune People's Committee - said so.",
     "Nguyen Thanh Thuan", ["Deputy Secretary", "Chairman of Tan Binh Commune People's Committee"]),
])
def test_officials_title_shapes(nlp, sentence, name, titles):
    doc = _doc(nlp, sentence)
    (span,) = doc.spans["officials"]
    assert (span.text, span._.provnews_info["titles"]) == (name, titles)


def test_people_without_office_are_not_officials(nlp):
    doc = _doc(nlp, "Just a few days later, a young man named Ho Van Loi completed the documents online.")
    assert list(doc.spans["officials"]) == []


def test_unique_name_outside_the_article_province(nlp):
    doc = _doc(nlp, "Phu Quoc Special Zone and Con Dao Special Zone held meetings with voters in An Giang province.")
    links = {s.text: s._.provnews_link for s in doc.spans["communes"]}
    assert links["Phu Quoc"]["ward_code"] == "31078" and links["Phu Quoc"]["score"] == 100
    assert links["Con Dao"]["province_name"] == "Hồ Chí Minh" and links["Con Dao"]["score"] < 100


def test_ward_of_a_city_is_not_a_ward(nlp):
    doc = _doc(nlp, "The delegation inspected Sai Gon ward and Ben Thanh ward of Ho Chi Minh City.")
    assert [s.text for s in doc.spans["communes"]] == ["Sai Gon", "Ben Thanh"]


def test_two_clauses_joined_by_and_are_two_difficulties(nlp):
    doc = _doc(nlp, "Mr. Sung Mi Sinh said the commune lacks 12 civil servants and the headquarters is degraded.")
    assert [s.text for s in doc.spans["difficulties"]] == ["the commune lacks 12 civil servants",
                                                           "the headquarters is degraded"]


def test_historical_figures_are_not_officials(nlp):
    doc = _doc(nlp, "Secretary Nguyen Van A studied the thought of President Ho Chi Minh with the Ho Chi Minh "
                    "Communist Youth Union.")
    assert [s.text for s in doc.spans["officials"]] == ["Nguyen Van A"]


def test_headlines_are_not_statements_and_plain_problems_are(nlp):
    doc = _doc(nlp, "Nha Trang wards overloaded with land dossiers\n\nNha Trang ward has only three land officers. "
                    "The headquarters is too small for the 54 officials.")
    assert [s.text for s in doc.spans["difficulties"]] == [
        "Nha Trang ward has only three land officers", "The headquarters is too small for the 54 officials"]


def test_a_leaders_request_to_the_province_is_a_direction(nlp):
    doc = _doc(nlp, "Secretary Hau A Lenh requested that the Provincial People's Committee increase the staffing "
                    "quota for border communes.")
    assert list(doc.spans["recommendations"]) == []
    assert [s.text for s in doc.spans["directions"]] == ["increase the staffing quota for border communes"]


def test_a_list_of_former_units_is_former_throughout(nlp):
    doc = _doc(nlp, "Bac Nha Trang ward, merged from the former Vinh Hoa, Vinh Hai, Vinh Phuoc and Vinh Tho wards, "
                    "has 54 officials.", ["baokhanhhoa.vn"])
    methods = {s.text: s._.provnews_link["method"] for s in doc.spans["communes"]}
    assert methods["Bac Nha Trang"] != "legacy"
    assert {methods[n] for n in ("Vinh Hoa", "Vinh Hai", "Vinh Phuoc", "Vinh Tho")} == {"legacy"}


def test_the_proposing_commune_owns_the_recommendation(tmp_path, settings):
    text = ("Recommendations from the border communes\n\nAt the meeting, Khau Vai commune proposed that the province "
            "invest in a new headquarters for Lung Pu commune and extend the telecommunications network to remote "
            "villages. The commune has many ethnic minority residents and its budget is limited by the merger.")
    (tmp_path / "a.jsonl").write_text(__import__("json").dumps({"id": "x", "url": "https://baotuyenquang.com.vn/a.html",
                                                                "text": text}) + "\n")
    run([tmp_path / "a.jsonl"], tmp_path / "out", settings)
    rec = load_tables(tmp_path / "out")["recommendations"]
    assert set(rec["proposer"]) == {"Khâu Vai"}


def test_group_title_and_title_before_a_comma(nlp):
    doc = _doc(nlp, "Attending were members of the Party Central Committee: Le Van A - Head of the Office of the "
                    "President; Tran Van B - Secretary of the Provincial Party Committee. Its Chairman, Mr. Tran "
                    "Quoc Viet, spoke.")
    titles = {s.text: s._.provnews_info["titles"] for s in doc.spans["officials"]}
    assert titles["Le Van A"] == ["member of the Party Central Committee", "Head of the Office of the President"]
    assert titles["Tran Van B"][0] == "member of the Party Central Committee"
    assert titles["Tran Quoc Viet"] == ["Chairman"]


def test_districts_in_a_plan_are_not_wards(nlp):
    doc = _doc(nlp, "For districts: Hong Bang, Ngo Quyen and Do Son will each form 2 wards, with the expected names "
                    "Hai An Ward 1 and Le Chan ward.", ["baohaiphong.vn"])
    assert [s.text for s in doc.spans["communes"]] == ["Le Chan"]


def test_html_page_is_cleaned_with_its_metadata(settings):
    from conftest import RAW

    page = (RAW / "05-langson-survey.html").read_text("utf-8")
    article = clean_record(RawRecord(source="page.html", html=page), settings.clean)
    assert article.url == "https://baolangson.vn/khao-sat-kiem-tra-tinh-hinh-hoat-dong-chinh-quyen-cap-xa-5054962.html"
    assert article.site == "baolangson.vn" and article.published == "2025-08-02"
    assert article.title.startswith("Survey and inspection")
    assert "Related news" not in article.text and "Copyright" not in article.text
    assert "Loc Binh, Mau Son, Na Duong" in article.text and not article.text.rstrip().endswith(".html")


def test_a_page_without_a_date_in_its_markup_gets_none_not_a_guess(settings):
    """Fresh set (baohaiphong, published 2026-01-19): htmldate's search of the text would say
    2025-07-01, the merger day the article mentions, and make the article look pre-merger."""
    record = next(json.loads(line) for line in (ROOT / "tests/corpus/fresh/articles.jsonl").open(encoding="utf-8")
                  if json.loads(line)["id"] == "f-haiphong-bach-long-vi-special-zone")
    body = "".join(f"<p>{html.escape(line)}</p>" for line in record["text"].split("\n") if line.strip())
    page = f"<html><head><title>Bach Long Vi</title></head><body><article>{body}</article></body></html>"
    assert clean_record(RawRecord(source="page.html", html=page), settings.clean).published is None
    dated = page.replace("<head>", '<head><meta property="article:published_time" content="2026-01-19T08:00:00">')
    assert clean_record(RawRecord(source="page.html", html=dated), settings.clean).published == "2026-01-19"
