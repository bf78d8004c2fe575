"""seeds/regions.toml checked against sources nobody here wrote: every federal subject in its
district, names as the glossary has them, aliases that find their own region only, and a bad
edit refused with its reason."""

import pytest

from flows.regions import (
    FEDERAL_DISTRICTS,
    SEED_PATH,
    Gazetteer,
    Region,
    _without_parentheses,
    _words,
    default_gazetteer,
    load_elsewhere,
    load_regions,
)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return default_gazetteer()


# Independent statement of which subject is in which federal district (Russian presidential
# decrees on the federal districts, as amended in 2018 and 2023).
EXPECTED_DISTRICTS = {
    "central": {
        "belgorod_oblast", "bryansk_oblast", "vladimir_oblast", "voronezh_oblast", "ivanovo_oblast",
        "kaluga_oblast", "kostroma_oblast", "kursk_oblast", "lipetsk_oblast", "moscow", "moscow_oblast",
        "oryol_oblast", "ryazan_oblast", "smolensk_oblast", "tambov_oblast", "tver_oblast", "tula_oblast",
        "yaroslavl_oblast",
    },
    "northwestern": {
        "karelia", "komi", "arkhangelsk_oblast", "nenets_ao", "vologda_oblast", "kaliningrad_oblast",
        "leningrad_oblast", "murmansk_oblast", "novgorod_oblast", "pskov_oblast", "saint_petersburg",
    },
    "southern": {
        "adygea", "kalmykia", "crimea", "krasnodar_krai", "astrakhan_oblast", "volgograd_oblast",
        "rostov_oblast", "sevastopol", "donetsk_region", "luhansk_region", "zaporizhzhia_region",
        "kherson_region",
    },
    "north_caucasian": {
        "dagestan", "ingushetia", "kabardino_balkaria", "karachay_cherkessia", "north_ossetia", "chechnya",
        "stavropol_krai",
    },
    "volga": {
        "bashkortostan", "mari_el", "mordovia", "tatarstan", "udmurtia", "chuvashia", "perm_krai",
        "kirov_oblast", "nizhny_novgorod_oblast", "orenburg_oblast", "penza_oblast", "samara_oblast",
        "saratov_oblast", "ulyanovsk_oblast",
    },
    "ural": {
        "kurgan_oblast", "sverdlovsk_oblast", "tyumen_oblast", "chelyabinsk_oblast", "khanty_mansi_ao",
        "yamalo_nenets_ao",
    },
    "siberian": {
        "altai_republic", "tuva", "khakassia", "altai_krai", "krasnoyarsk_krai", "irkutsk_oblast",
        "kemerovo_oblast", "novosibirsk_oblast", "omsk_oblast", "tomsk_oblast",
    },
    "far_eastern": {
        "buryatia", "sakha_yakutia", "zabaykalsky_krai", "kamchatka_krai", "primorsky_krai",
        "khabarovsk_krai", "amur_oblast", "magadan_oblast", "sakhalin_oblast", "jewish_ao", "chukotka_ao",
    },
}
OCCUPIED = {"crimea", "sevastopol", "donetsk_region", "luhansk_region", "zaporizhzhia_region", "kherson_region"}

# Aliases that may be shared by two regions after folding, with the reason. None today.
SHARED_ALIASES: dict[str, str] = {}


def _all_alias_texts(region: Region) -> list[str]:
    names = [_without_parentheses(name) for name in region.name.values()]
    return list(region.aliases) + list(region.weak_aliases) + names


def test_every_subject_is_present_in_the_right_district() -> None:
    regions, districts = load_regions()
    keys = [region.key for region in regions]
    assert len(keys) == len(set(keys))
    assert len(regions) >= 85
    assert set(districts) == set(FEDERAL_DISTRICTS)
    assert {region.federal_district for region in regions} == set(FEDERAL_DISTRICTS)
    actual: dict[str, set[str]] = {}
    for region in regions:
        actual.setdefault(region.federal_district, set()).add(region.key)
    assert actual == EXPECTED_DISTRICTS


def test_federal_district_names_follow_the_glossary() -> None:
    _, districts = load_regions()
    assert districts["ural"] == {
        "ru": "Уральский федеральный округ",
        "en": "Ural Federal District",
        "az": "Ural federal dairəsi",
    }
    assert districts["siberian"]["ru"] == "Сибирский федеральный округ"
    assert districts["far_eastern"]["ru"] == "Дальневосточный федеральный округ"
    assert districts["far_eastern"]["az"].startswith("Uzaq Şərq federal dairə")
    for names in districts.values():
        assert "federal dairə" in names["az"] and "федеральный округ" in names["ru"]


def test_occupied_territories_are_named_neutrally_and_noted() -> None:
    regions, _ = load_regions()
    for region in regions:
        if region.key in OCCUPIED:
            assert region.name["en"].endswith("(occupied)"), region.key
            assert region.note and "occupied territory of Ukraine" in region.note
            assert "Southern Federal District" in region.note
        else:
            assert region.note is None, region.key


def test_no_alias_is_shared_by_two_regions(gazetteer: Gazetteer) -> None:
    owners: dict[str, set[str]] = {}
    for region in gazetteer.regions:
        for text in _all_alias_texts(region):
            owners.setdefault(" ".join(_words(text)), set()).add(region.key)
    shared = {alias: keys for alias, keys in owners.items() if len(keys) > 1 and alias not in SHARED_ALIASES}
    assert shared == {}
    elsewhere = {" ".join(_words(text)) for text in load_elsewhere()}
    assert elsewhere.isdisjoint(owners)


def test_every_alias_finds_its_own_region(gazetteer: Gazetteer) -> None:
    wrong = [
        (text, region.key, getattr(gazetteer.match_text(text), "key", None))
        for region in gazetteer.regions
        for text in _all_alias_texts(region)
        if gazetteer.match_text(text) != region
    ]
    assert wrong == []


def test_aliases_are_long_enough(gazetteer: Gazetteer) -> None:
    for region in gazetteer.regions:
        for text in region.aliases + region.weak_aliases:
            assert len("".join(_words(text))) >= 3, (region.key, text)
        assert len(region.aliases) >= 2, region.key


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('federal_district = "volga_ural"', "unknown federal_district"),
        ('aliases = ["Ма"]', "too short"),
        ('aliasses = ["Voronezh"]', "unknown field"),
        ("lat = 151.67", "out of range"),
    ],
)
def test_loader_rejects_a_bad_edit(tmp_path, bad: str, message: str) -> None:
    source = SEED_PATH.read_text(encoding="utf-8")
    field = bad.split(" = ")[0]
    lines = source.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("key = "))
    if field == "aliasses":
        lines.insert(first + 1, bad)
    else:
        target = next(i for i in range(first, len(lines)) if lines[i].startswith(f"{field} = "))
        lines[target] = bad
    path = tmp_path / "regions.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_regions(path)


def test_loader_rejects_a_duplicate_key(tmp_path) -> None:
    source = SEED_PATH.read_text(encoding="utf-8")
    path = tmp_path / "regions.toml"
    path.write_text(source.replace('key = "bryansk_oblast"', 'key = "belgorod_oblast"'), encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate key"):
        load_regions(path)
