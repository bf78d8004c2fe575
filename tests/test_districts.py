import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.districts import (
    KINDS,
    SEED_PATH,
    District,
    DistrictIndex,
    _alias_texts,
    _key,
    default_districts,
    load_common_words,
    load_districts,
    load_economic_regions,
    load_not_districts,
)
from flows.text import fold


@pytest.fixture(scope="module")
def index() -> DistrictIndex:
    return default_districts()


# --- Free text -------------------------------------------------------------------------

MATCH_CASES = [
    # The examples families actually send.
    ("Biləsuvar rayonu", "bilasuvar"),
    ("Bilasuvar", "bilasuvar"),
    ("Билясуварский район", "bilasuvar"),
    ("Zərdab rayonu, Məlikli kəndi", "zardab"),
    ("Goranboy, Borsunlu kəndi", "goranboy"),
    ("Горанбой", "goranboy"),
    ("Gəncə şəhəri", "ganja"),
    ("Баку, Сабунчинский район", "baku"),
    ("Sumqayıt", "sumgait"),
    ("Lənkəran", "lankaran"),
    # Azerbaijani suffixes, with and without the Azerbaijani letters.
    ("Biləsuvarda", "bilasuvar"),
    ("Bilasuvar rayonundan", "bilasuvar"),
    ("Zərdab rayonunun Məlikli kəndi", "zardab"),
    ("Zerdab rayonunun Melikli kendi", "zardab"),
    ("Sumqayitda isleyirdi", "sumgait"),
    ("Gencede yasayirdi", "ganja"),
    ("Şamaxıdan", "shamakhi"),
    ("Samaxi", "shamakhi"),
    ("Qaxda", "gakh"),
    ("Qubanın Qırmızı qəsəbəsi", "guba"),
    ("Qusarlıdır", "gusar"),
    ("Şəkidən", "shaki"),
    ("Sekinin Kis kendi", "shaki_rayon"),
    ("Lerikdə", "lerik"),
    ("Oğuz rayonu", "oghuz"),
    ("Bakıya köçüb", "baku"),
    ("Mingəçevirdə", "mingachevir"),
    ("Göyçaydan", "goychay"),
    ("Xaçmaz", "khachmaz"),
    ("Cəlilabad rayonu, Göytəpə", "jalilabad"),
    ("İsmayıllı", "ismayilli"),
    ("Kürdəmir", "kurdamir"),
    ("Ağcabədi", "aghjabadi"),
    ("Naxçıvan MR, Şərur rayonu", "sharur"),
    # Russian: nominative, adjective and prepositional forms.
    ("Загатальский", "zagatala"),
    ("в Загатальском районе", "zagatala"),
    ("в Билясуварском районе", "bilasuvar"),
    ("Закаталы", "zagatala"),
    ("в Ленкорани", "lankaran"),
    ("в Губе", "guba"),
    ("в Гахе", "gakh"),
    ("Кусары", "gusar"),
    ("в Шеки", "shaki"),
    ("из Сумгаита", "sumgait"),
    ("в Гяндже", "ganja"),
    ("Мингечаур", "mingachevir"),
    ("Сальяны", "salyan"),
    ("в Сальянском районе", "salyan"),
    ("Шемаха", "shamakhi"),
    ("Геокчайский район", "goychay"),
    ("Агдам", "agdam"),
    ("Нахичевань", "nakhchivan"),
    ("Кельбаджарский район", "kalbajar"),
    # English and Russian-style romanisations.
    ("Lenkoran", "lankaran"),
    ("Lankaran", "lankaran"),
    ("Shemakha", "shamakhi"),
    ("Kuba", "guba"),
    ("Guba", "guba"),
    ("Gusar", "gusar"),
    ("Gakh", "gakh"),
    ("Zakataly", "zagatala"),
    ("Geokchay", "goychay"),
    ("Aghdam", "agdam"),
    ("Dashkesan", "dashkasan"),
    ("Yevlakh", "yevlakh"),
    ("Evlakh", "yevlakh"),
    ("Jabrayil District", "jabrayil"),
    ("Khojaly", "khojaly"),
    ("Yardymly", "yardimli"),
    ("Sheki", "shaki"),
    ("Nakhchivan city", "nakhchivan"),
    # Soviet-era names people still use.
    ("Kirovabad", "ganja"),
    ("Кировабад", "ganja"),
    ("Ali-Bayramly", "shirvan"),
    ("Али-Байрамлы", "shirvan"),
    ("Пушкино", "bilasuvar"),
    ("Kasum-Ismailov", "goranboy"),
    ("Касум-Исмаиловский район", "goranboy"),
    ("Ханлар", "goygol"),
    ("Нуха", "shaki"),
    ("Kutkashen", "gabala"),
    ("Stepanakert", "khankendi"),
    # Baku's city districts.
    ("Sabunçu", "baku"),
    ("Binəqədi qəsəbəsi", "baku"),
    ("Xətai rayonu", "baku"),
    ("Nizami rayonu", "baku"),
    ("Ясамальский район", "baku"),
    ("Bakıxanov", "baku"),
    # A city whose name a rayon shares: the rayon only when the text says so.
    ("Lənkəran rayonu", "lankaran_rayon"),
    ("Lənkəran, Haftoni kəndi", "lankaran_rayon"),
    ("Lənkəran r-nu", "lankaran_rayon"),
    ("Ленкоранский район", "lankaran_rayon"),
    ("Lənkəran şəhəri", "lankaran"),
    ("Şəki rayonu, Kiş kəndi", "shaki_rayon"),
    ("Шекинский район", "shaki_rayon"),
    ("г. Шеки", "shaki"),
    ("Yevlax rayonunun Aran kəndi", "yevlakh_rayon"),
    ("Yevlakh district", "yevlakh_rayon"),
    ("Yevlax şəhəri", "yevlakh"),
    # First names, alone or with a district word.
    ("Füzuli", "fuzuli"),
    ("Füzulidə", "fuzuli"),
    ("Laçın rayonu", "lachin"),
    ("Cəbrayıl rayonunun sakini", "jabrayil"),
    ("Шарур", "sharur"),
]


@pytest.mark.parametrize(("text", "key"), MATCH_CASES)
def test_match(index: DistrictIndex, text: str, key: str) -> None:
    district = index.match(text)
    assert district is not None, text
    assert district.key == key


NO_MATCH = [
    "bilmirəm",
    "bilmirem",
    "не знаю",
    "village",
    "",
    "   ",
    "Azərbaycan",
    "Азербайджан",
    "bizim kənd",
    "rayon mərkəzi",
    # A person's name, including first names that are also district names.
    "Məmmədov Elşən Rauf oğlu",
    "Füzuli Həsənov",
    "Həsənova Laçın",
    "Babək Məmmədov",
    "Oğuz Quliyev",
    "Cəbrayıl Əliyev",
    "Şirvanov Elçin",
    "Гасанов Бабек",
    # Not a district, though it begins like one.
    "Naxçıvan MR",
    "Quba-Xaçmaz",
    "Lənkəran-Astara zonası",
    "Казахстан",
    "в Казахстане",
    "Qazaxıstan",
    "Rusiya sakini",
    # Places in Russia.
    "Moskva",
    "в Астрахани",
    "Шушары",
    "Кубань",
    "Saratov",
    "ул. Пушкина",
    "Qaxet",
]


@pytest.mark.parametrize("text", NO_MATCH)
def test_no_match(index: DistrictIndex, text: str) -> None:
    assert index.match(text) is None


def test_short_names_match_only_as_whole_words_with_suffixes(index: DistrictIndex) -> None:
    assert index.match("Qubadan başqa").key == "guba"
    assert index.match("Qubadlı").key == "gubadly"
    assert index.match("Qax").key == "gakh"
    assert index.match("Qaxlı").key == "gakh"
    for text in ("Qaxet", "Qubaxanım", "Şəkiroğlu", "Lerikov", "Quba1"):
        assert index.match(text) is None, text


def test_first_district_mentioned_wins_and_find_all_lists_every_one(index: DistrictIndex) -> None:
    assert index.match("Gəncədə doğulub, Goranboy rayonunda yaşayırdı").key == "ganja"
    keys = [d.key for d in index.find_all("Gəncədə doğulub, Goranboy rayonunda yaşayırdı, sonra Bakı")]
    assert keys == ["ganja", "goranboy", "baku"]
    assert [d.key for d in index.find_all("Baku, Bakı, Баку")] == ["baku"]


def test_weak_alias_only_when_nothing_else_names_a_district(index: DistrictIndex) -> None:
    assert index.match("Babək").key == "babek"
    assert index.match("Zərdab rayonu, Babək küçəsi").key == "zardab"
    assert [d.key for d in index.find_all("Laçın, Zəngilan")] == ["zangilan"]


def test_inflection_never_takes_a_surname(index: DistrictIndex) -> None:
    assert index.match("Naftalanov") is None
    assert index.match("Агдамова") is None
    assert index.match("Şirvanzadə") is None


def test_longer_alias_wins_over_a_shorter_one_inside_it(index: DistrictIndex) -> None:
    assert index.match("Naxçıvan Muxtar Respublikası") is None
    assert index.match("Naxçıvan").key == "nakhchivan"
    assert index.match("Мир-Башир").key == "tartar"


# --- The data --------------------------------------------------------------------------


def test_every_division_is_present() -> None:
    districts = load_districts()
    assert len(districts) >= 70
    kinds = {kind: [d.key for d in districts if d.kind == kind] for kind in KINDS}
    assert len(kinds["rayon"]) == 66
    assert sorted(kinds["city"]) == sorted(
        ["baku", "ganja", "sumgait", "mingachevir", "shirvan", "naftalan", "lankaran", "shaki", "yevlakh",
         "khankendi", "nakhchivan"]
    )
    keys = [d.key for d in districts]
    assert len(keys) == len(set(keys))
    # Karabakh, East Zangezur and Nakhchivan are all there.
    for key in ("shusha", "khojaly", "khojavend", "agdam", "fuzuli", "kalbajar", "lachin", "gubadly", "zangilan",
                "jabrayil", "babek", "julfa", "kangarli", "ordubad", "sadarak", "shahbuz", "sharur"):
        assert key in keys, key


def test_economic_regions_are_the_fourteen_of_2021() -> None:
    regions = load_economic_regions()
    assert len(regions) == 14
    districts = load_districts()
    assert all(d.economic_region in regions for d in districts)
    for region in regions:
        assert any(d.economic_region == region for d in districts), region
    by_key = {d.key: d for d in districts}
    assert by_key["bilasuvar"].economic_region == "shirvan_salyan"
    assert {d.key for d in districts if d.economic_region == "east_zangezur"} == {
        "jabrayil", "kalbajar", "lachin", "gubadly", "zangilan"
    }


def test_twin_cities_point_to_their_rayon() -> None:
    by_key = {d.key: d for d in load_districts()}
    twins = {d.key: d.rayon for d in by_key.values() if d.rayon}
    assert twins == {"lankaran": "lankaran_rayon", "shaki": "shaki_rayon", "yevlakh": "yevlakh_rayon"}
    assert all(by_key[rayon].kind == "rayon" for rayon in twins.values())


def test_no_alias_is_shared_by_two_districts(index: DistrictIndex) -> None:
    folded: dict[str, set[str]] = {}
    skeletons: dict[str, set[str]] = {}
    for district in index.districts:
        for text in _alias_texts(district):
            folded.setdefault(fold(text), set()).add(district.key)
            skeletons.setdefault(_key(text), set()).add(district.key)
    assert {alias: keys for alias, keys in folded.items() if len(keys) > 1} == {}
    assert {alias: keys for alias, keys in skeletons.items() if len(keys) > 1} == {}
    claimed = {_key(text) for text in load_not_districts() + load_common_words()}
    assert claimed.isdisjoint(skeletons)


def test_every_alias_finds_its_own_district(index: DistrictIndex) -> None:
    wrong = [
        (text, district.key, getattr(index.match(text), "key", None))
        for district in index.districts
        for text in _alias_texts(district)
        if index.match(text) != district
    ]
    assert wrong == []


def test_every_district_has_names_and_aliases(index: DistrictIndex) -> None:
    for district in index.districts:
        assert set(district.name) == {"az", "ru", "en"}
        assert district.aliases, district.key
        for text in district.aliases + district.weak_aliases:
            assert len(fold(text).replace(" ", "")) >= 3, (district.key, text)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('kind = "rayon"', 'kind = "oblast"', "kind must be one of"),
        ('aliases = ["Sumqayıt"', 'aliases = ["Su", "Sumqayıt"', "too short"),
        ('aliases = ["Naftalan"', 'aliases = ["Sumgait", "Naftalan"', "also a name of sumgait"),
        ('economic_region = "karabakh"', 'economic_region = "qarabag"', "unknown economic_region"),
        ('rayon = "shaki_rayon"', 'rayon = "shaki_district"', "is not a rayon"),
        ('key = "naftalan"', 'key = "sumgait"', "duplicate key"),
        ('key = "naftalan"', 'key = "naftalan"\nalias = ["Naftalan"]', "unknown field"),
    ],
)
def test_loader_rejects_a_bad_edit(tmp_path, old: str, new: str, message: str) -> None:
    source = SEED_PATH.read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "az_districts.toml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_districts(path)


def test_an_index_built_from_rows_still_knows_what_is_not_a_district(index: DistrictIndex) -> None:
    rebuilt = DistrictIndex(index.districts)
    assert rebuilt.match("Naxçıvan MR") is None
    assert rebuilt.match("Rusiya sakini") is None
    assert rebuilt.match("Sumqayıt").key == "sumgait"


# --- Robustness and speed --------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_match_never_raises(text: str) -> None:
    result = default_districts().match(text)
    assert result is None or isinstance(result, District)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([t for t, _ in MATCH_CASES] + NO_MATCH + ["kəndi", "район", ",", "\n"]), max_size=8))
def test_find_all_never_raises_on_mixed_place_text(parts: list[str]) -> None:
    found = default_districts().find_all(" ".join(parts))
    assert all(isinstance(d, District) for d in found)
    assert len({d.key for d in found}) == len(found)


def test_matching_is_fast(index: DistrictIndex) -> None:
    text = "Zərdab rayonunun Məlikli kəndi, " * 200
    started = time.perf_counter()
    for _ in range(20):
        index.match(text)
    assert time.perf_counter() - started < 2.0
