"""Make synthetic hetao fact bases of N entries, for the scale benchmark.

The facts are invented but shaped like the curated facts.toml: a few sources, nested areas,
events with partial dates that link to organisations, people and documents, figures whose
as_written reads back to their value and qualifier, organisations with Chinese names, aliases
and fields of work, and people with roles. About one organisation in eight works in 量子, so
`hetao search 量子` always finds something. Every base passes `hetao check` (without --sources).

Each size is written twice: as one file, and split over many files in a folder. Beside them, a
folder of source texts, `<source id>.txt` for every source the base cites, for `hetao check
--sources`: each text holds the quotes that cite it, as a source would, but every entry's own
quote has one character changed there (a slip in transcription), while the quotes in
more_citations stand verbatim. So every entry that carries a quote (all but the [[source]]
entries) has exactly one problem: N - max(1, N // 1000) problems in all. A statement's quote,
like a more_citations one, stands verbatim: every third event has two statements refining its
date to the day, and every dated count two earlier counts as of earlier years (a history), so
no conflict is warned of. The fact files are the same with or without the source texts.

    uv run python bench/generate.py 10000              # into bench/out/ (git-ignored)
    uv run python bench/generate.py 1000 --out /tmp/x --files 20

The output is never committed: it is rebuilt from the seed whenever it is needed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"

# ---------------------------------------------------------------------------------------------
# Word pools (Traditional script, as the curated file writes Chinese)

CITIES = ["深圳", "香港", "河套", "福田", "前海", "南山", "沙田", "廣州", "東莞", "珠海"]
CITIES_EN = [
    "Shenzhen",
    "Hong Kong",
    "Hetao",
    "Futian",
    "Qianhai",
    "Nanshan",
    "Sha Tin",
    "Guangzhou",
    "Dongguan",
    "Zhuhai",
]
BRAND_CHARS = list(
    "華芯創源微光智聯科思睿恒遠天宇新維鼎信達通瑞博騰星辰海雲峰嘉和安盛泰康明晶磁量弘啟航"
)
DOMAINS = [
    ("量子", "quantum", "Quantum"),
    ("生物醫藥", "biomedicine", "Biomedicine"),
    ("人工智能", "ai", "AI"),
    ("集成電路", "semiconductors", "Integrated Circuit"),
    ("新材料", "materials", "Materials"),
    ("機器人", "robotics", "Robotics"),
    ("金融科技", "fintech", "Fintech"),
    ("新能源", "energy", "Energy"),
]
ORG_TYPES = [
    ("研究院", "institute", "Research Institute"),
    ("實驗室", "laboratory", "Laboratory"),
    ("科技有限公司", "company", "Technology Co., Ltd."),
    ("創新中心", "platform", "Innovation Centre"),
    ("研究所", "institute", "Institute"),
    ("產業園", "park", "Industrial Park"),
    ("大學研究中心", "university-unit", "University Research Centre"),
    ("投資基金", "company", "Investment Fund"),
    ("聯合會", "other", "Federation"),
    ("學院", "academy", "Academy"),
]
# A pinyin-like syllable per brand character, for English names.
_SYLLABLES = (
    "Hua Xin Chuang Yuan Wei Guang Zhi Lian Ke Si Rui Heng Yuan Tian Yu Xin Wei Ding Xin Da Tong "
    "Rui Bo Teng Xing Chen Hai Yun Feng Jia He An Sheng Tai Kang Ming Jing Ci Liang Hong Qi Hang"
)
BRAND_EN = dict(zip(BRAND_CHARS, _SYLLABLES.split(" "), strict=True))
SURNAMES = list(
    "王李張劉陳楊黃趙吳周徐孫馬朱胡郭何高林羅鄭梁謝宋唐許韓馮鄧曹彭曾蕭田董袁潘于蔣蔡余杜葉程蘇魏呂丁任"
)
GIVEN = list("偉芳娜敏靜麗強磊軍洋勇艷傑濤明超秀霞平剛桂英華玉蘭萍紅建文輝力斌宇浩凱健俊帆鵬")
ROLES = [
    ("院長", "President"),
    ("首席科學家", "Chief Scientist"),
    ("總經理", "General Manager"),
    ("創始人", "Founder"),
    ("主任", "Director"),
    ("研究員", "Researcher"),
    ("教授", "Professor"),
]
EVENT_VERBS = [
    ("{a}與{b}簽署{d}合作協議", "{a_en} and {b_en} sign a {d_en} cooperation agreement"),
    ("{a}在{area}成立", "{a_en} is founded in {area_en}"),
    ("{a}發布{d}領域年度報告", "{a_en} publishes its annual {d_en} report"),
    ("{a}與{b}共建{d}聯合實驗室", "{a_en} and {b_en} set up a joint {d_en} laboratory"),
    ("{a}入駐{area}", "{a_en} moves into {area_en}"),
]
# (as_written template, unit, qualifier, value from n, value_max from n, m)
FIGURES = [
    ("{n}家", "count", "exact", "company"),
    ("{n}多家", "count", "more_than", "company"),
    ("超過{n}個", "count", "more_than", "project"),
    ("{n}項左右", "count", "about", "patent"),
    ("近{n}名", "count", "about", "researcher"),
    ("約{t}億元", "CNY", "about", "funding"),
    ("最高{n}萬元", "CNY", "at_most", "subsidy"),
    ("{n}至{m}分鐘", "minutes", "range", "commute"),
    ("{k}平方公里", "km2", "exact", "land"),
    ("{p}%", "percent", "exact", "share"),
    ("{n}萬人次", "person-trips", "exact", "visit"),
]
# What a source text writes in place of one character of each entry's own quote.
SLIPS = "某甲乙丙丁"
ITEM_ZH = {
    "company": "聚集科創企業",
    "project": "落地科研項目",
    "patent": "申請發明專利",
    "researcher": "科研人員",
    "funding": "獲得融資",
    "subsidy": "可獲資助",
    "commute": "往返通勤時間",
    "land": "佔地面積",
    "share": "研發投入佔比",
    "visit": "跨境通行",
}


def q(text: str) -> str:
    """A TOML basic string: JSON's escapes are a subset of TOML's."""
    return json.dumps(text, ensure_ascii=False)


def qs(items: list[str]) -> str:
    return "[" + ", ".join(q(i) for i in items) + "]"


def num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def source_count(n: int) -> int:
    """How many [[source]] entries a base of n entries has: they are its only unquoted ones."""
    return max(1, n // 1000)


def quote_problems(n: int) -> int:
    """How many problems `hetao check --sources` reports on a base of n entries: one an entry
    that carries a quote."""
    return n - source_count(n)


def source_title(i: int) -> str:
    return f"河套合作區科技創新觀察(第{i + 1}期)"


class Base:
    """One synthetic fact base: entries as TOML text blocks, by kind, in file order."""

    def __init__(self, n: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = n
        n_sources = source_count(n)
        n_areas = max(9, n // 100)
        n_documents = max(5, n * 3 // 100)
        n_orgs = max(35, n // 4)
        n_people = max(13, n * 15 // 100)
        n_figures = max(38, n * 28 // 100)
        n_events = n - n_sources - n_areas - n_documents - n_orgs - n_people - n_figures
        if n_events < 1:
            raise ValueError(f"N={n} is too small; use at least 200")
        self.sources = [f"src-{i:04d}" for i in range(n_sources)]
        # Every quote the entries cite, by source, in file order: (quote, the entry's own quote
        # rather than one of its more_citations). Recording them draws nothing from self.rng.
        self.quotes: dict[str, list[tuple[str, bool]]] = {s: [] for s in self.sources}
        self.blocks: dict[str, list[str]] = {}
        self.area_names: list[tuple[str, str, str]] = []  # (id, zh, en)
        self.org_names: list[tuple[str, str, str, int]] = []  # (id, zh, en, domain index)
        self.people_names: list[tuple[str, str]] = []
        self.doc_ids: list[str] = []
        self.blocks["source"] = [self._source(i) for i in range(n_sources)]
        self.blocks["area"] = [self._area(i) for i in range(n_areas)]
        self.blocks["org"] = [self._org(i, n_orgs) for i in range(n_orgs)]
        self.blocks["person"] = [self._person(i) for i in range(n_people)]
        self.blocks["document"] = [self._document(i) for i in range(n_documents)]
        self.blocks["event"] = [self._event(i) for i in range(n_events)]
        self.blocks["figure"] = [self._figure(i) for i in range(n_figures)]

    def cite(self) -> str:
        return self.rng.choice(self.sources)

    def cited(self, source: str, quote: str) -> str:
        """An entry's source and quote lines; the quote is kept for the source's text."""
        self.quotes[source].append((quote, True))
        return f'source = "{source}"\nquote = {q(quote)}'

    def _source(self, i: int) -> str:
        year = 2025 + i % 2  # after every date the base gives: none is after its source
        return (
            f'[[source]]\nid = "{self.sources[i]}"\n'
            f"title = {q(source_title(i))}\n"
            f'title_en = "Hetao innovation watch, issue {i + 1}"\n'
            f'publisher = "南方雜誌社"\npublisher_en = "Nanfang Magazine"\n'
            f'published = "{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"\n'
            f'url = "https://example.org/hetao/{i + 1}"\n'
        )

    def _area(self, i: int) -> str:
        rng = self.rng
        city = CITIES[i % len(CITIES)]
        brand = BRAND_CHARS[i % 40] + BRAND_CHARS[(i // 40) % 40]
        zh = f"{city}{brand}園區{i}號" if i else "河套合作區"
        en = f"{CITIES_EN[i % len(CITIES)]} park no. {i}" if i else "Hetao zone"
        ident = f"area-{i:05d}" if i else "zone"
        lines = [f'[[area]]\nid = "{ident}"\nname = {q(zh)}\nname_en = {q(en)}']
        if i:
            lines.append(f"aliases = {qs([f'{city}{i}號園區'])}")
        if i % 3 == 0:
            lines.append(f"area_km2 = {num(round(rng.uniform(0.2, 9.9), 2))}")
        if i:
            parent = self.area_names[rng.randrange(max(1, i // 2))][0]
            lines.append(f'part_of = "{parent}"')
        if i % 7 == 1:
            lines.append(f"positionings = {qs(['科技創新開放合作先導區', '中試轉化集聚區'])}")
            english = ["Pilot zone for open cooperation", "Pilot-scale cluster"]
            lines.append(f"positionings_en = {qs(english)}")
        lines.append(self.cited(self.cite(), f"{zh}是粵港澳大灣區重要的科技創新平台之一。"))
        self.area_names.append((ident, zh, en))
        return "\n".join(lines) + "\n"

    def _org(self, i: int, total: int) -> str:
        rng = self.rng
        # A mixed-radix walk through brand × domain × type keeps every name distinct.
        d = i % len(DOMAINS)
        t = (i // len(DOMAINS)) % len(ORG_TYPES)
        b = i // (len(DOMAINS) * len(ORG_TYPES))
        chars = len(BRAND_CHARS)
        brand = BRAND_CHARS[b % chars] + BRAND_CHARS[(b // chars) % chars]
        city, city_en = CITIES[(b // 2) % len(CITIES)], CITIES_EN[(b // 2) % len(CITIES)]
        dz, dslug, den = DOMAINS[d]
        tz, tkind, ten = ORG_TYPES[t]
        zh = f"{city}{brand}{dz}{tz}"
        if b >= len(BRAND_CHARS) ** 2:
            zh += f"第{b // len(BRAND_CHARS) ** 2}分部"
        en = f"{city_en} {BRAND_EN[brand[0]]}{BRAND_EN[brand[1]].lower()} {den} {ten}"
        ident = f"org-{i:06d}"
        fields = [dslug] + ([DOMAINS[(d + 3) % len(DOMAINS)][1]] if i % 5 == 0 else [])
        lines = [
            f'[[org]]\nid = "{ident}"\nname = {q(zh)}\nkind = "{tkind}"\nname_en = {q(en)}',
            f"aliases = {qs([brand + dz, brand + tz])}",
            f"fields = {qs(fields)}",
            f'area = "{self.area_names[rng.randrange(len(self.area_names))][0]}"',
        ]
        if i > 10 and i % 6 == 0:
            lines.append(f'parent = "{self.org_names[rng.randrange(i // 2)][0]}"')
        source = self.cite()
        lines.append(self.cited(source, f"{zh}是一家專注於{dz}領域的機構,簡稱“{brand}{dz}”。"))
        if i % 10 == 0:
            more = f"{brand}{dz}長期深耕{dz}研究。"
            self.quotes[source].append((more, False))
            lines.append(f'more_citations = [\n  {{ field = "fields", quote = {q(more)} }},\n]')
        self.org_names.append((ident, zh, en, d))
        return "\n".join(lines) + "\n"

    def _person(self, i: int) -> str:
        rng = self.rng
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 3 else "")
        role, role_en = ROLES[i % len(ROLES)]
        org = self.org_names[rng.randrange(len(self.org_names))]
        ident = f"person-{i:06d}"
        lines = [
            f'[[person]]\nid = "{ident}"\nname = {q(name)}\nrole = {q(org[1] + role)}',
            f"role_en = {q(f'{role_en}, {org[2]}')}",
            f'orgs = ["{org[0]}"]',
            self.cited(self.cite(), f"{org[1]}{role}{name}表示,合作區為科研人員提供了良好環境。"),
        ]
        self.people_names.append((ident, name))
        return "\n".join(lines) + "\n"

    def _document(self, i: int) -> str:
        rng = self.rng
        area = self.area_names[i % len(self.area_names)]
        dz = DOMAINS[i % len(DOMAINS)][0]
        year = 2016 + i % 8
        title = f"{area[1]}{dz}產業發展規劃({year}—{year + 5}年)"
        kind = ("plan", "agreement", "memorandum", "speech", "other")[i % 5]
        ident = f"doc-{i:05d}"
        issuers = [self.org_names[rng.randrange(len(self.org_names))][0]]
        lines = [
            f'[[document]]\nid = "{ident}"\ntitle = {q(title)}\nkind = "{kind}"',
            f"title_en = {q(f'{dz} development plan for {area[2]}, {year}-{year + 5}')}",
            f"issuers = {qs(issuers)}",
            f'date = "{year}-{1 + i % 12:02d}"',
            self.cited(self.cite(), f"{year}年印發《{title}》"),
        ]
        self.doc_ids.append(ident)
        return "\n".join(lines) + "\n"

    def _date(self) -> tuple[str, str]:
        """A partial date at year, month or day precision, and how Chinese text writes it."""
        rng = self.rng
        year, month, day = rng.randint(2010, 2024), rng.randint(1, 12), rng.randint(1, 28)
        p = rng.random()
        if p < 0.2:
            return f"{year}", f"{year}年"
        if p < 0.6:
            return f"{year}-{month:02d}", f"{year}年{month}月"
        return f"{year}-{month:02d}-{day:02d}", f"{year}年{month}月{day}日"

    def _event(self, i: int) -> str:
        rng = self.rng
        a = self.org_names[rng.randrange(len(self.org_names))]
        b = self.org_names[rng.randrange(len(self.org_names))]
        area = self.area_names[rng.randrange(len(self.area_names))]
        dz, _, den = DOMAINS[a[3]]
        zh_t, en_t = EVENT_VERBS[i % len(EVENT_VERBS)]
        words = {
            "a": a[1],
            "b": b[1],
            "d": dz,
            "area": area[1],
            "a_en": a[2],
            "b_en": b[2],
            "d_en": den,
            "area_en": area[2],
        }
        title, title_en = zh_t.format(**words), en_t.format(**words)
        date, date_zh = self._date()
        orgs = [a[0]] + ([b[0]] if "{b}" in zh_t and b[0] != a[0] else [])
        lines = [f'[[event]]\nid = "event-{i:06d}"\ndate = "{date}"']
        if i % 25 == 0:
            lines.append("approximate = true")
            lines.append(f"date_note = {q('去年 (last year) in the source, resolved to the year')}")
        lines.append(f"title = {q(title)}\ntitle_en = {q(title_en)}")
        lines.append(f"orgs = {qs(orgs)}")
        if i % 3 == 0:
            person = self.people_names[rng.randrange(len(self.people_names))]
            lines.append(f'people = ["{person[0]}"]')
        if i % 11 == 0:
            lines.append(f'documents = ["{self.doc_ids[rng.randrange(len(self.doc_ids))]}"]')
        lines.append(f'area = "{area[0]}"')
        lines.append(self.cited(self.cite(), f"{date_zh},{title}。"))
        if i % 3 == 0:  # two more sources date it, to the day: refinements, not conflicts
            year, _, rest = date.partition("-")
            month = rest[:2] or "06"
            day = rest[3:5] or "15"
            for k in range(2):
                quote = f"另據報道{k + 1},{title},時間為{year}年{int(month)}月{int(day)}日。"
                lines.append(self.stated("date", q(f"{year}-{month}-{day}"), "", quote))
        return "\n".join(lines) + "\n"

    def stated(self, field: str, value: str, written: str, quote: str, extra: str = "") -> str:
        """A [[kind.statements]] table after the entry: another source's value of a field.
        Its quote stands verbatim in its source's text."""
        source = self.cite()
        self.quotes[source].append((quote, False))
        kind = "event" if field == "date" else "figure"
        lines = [f"\n[[{kind}.statements]]", f'field = "{field}"', f"value = {value}"]
        if written:
            lines.append(f"as_written = {q(written)}")
        lines.append(f'source = "{source}"\nquote = {q(quote)}')
        if extra:
            lines.append(extra)
        return "\n".join(lines)

    def _figure(self, i: int) -> str:
        rng = self.rng
        template, unit, qualifier, item = FIGURES[i % len(FIGURES)]
        n = rng.randint(2, 9000)
        m = n + rng.randint(1, 60)
        t = rng.randint(11, 99)  # tenths of 億
        k = round(rng.uniform(0.11, 9.99), 2)
        p = rng.randint(1, 99)
        written = template.format(n=n, m=m, t=f"{t / 10:g}", k=f"{k:.2f}", p=p)
        value: float = {"CNY": n * 10_000, "person-trips": n * 10_000, "km2": k, "percent": p}.get(
            unit, n
        )
        if template.startswith("約"):
            value = t * 10_000_000
        lines = [f'[[figure]]\nid = "figure-{i:06d}"']
        if item == "land":
            scope = self.area_names[rng.randrange(len(self.area_names))]
        else:
            scope = self.org_names[rng.randrange(len(self.org_names))][:3]
        subject = f"{scope[1]}{ITEM_ZH[item]}"
        lines.append(f"subject = {q(subject)}\nsubject_en = {q(f'{item} of {scope[2]}')}")
        lines.append(f"value = {num(value)}")
        if qualifier == "range":
            lines.append(f"value_max = {m}")
        lines.append(f'unit = "{unit}"\nqualifier = "{qualifier}"\nas_written = {q(written)}')
        lines.append(f'scope = "{scope[0]}"\nitem = "{item}"')
        year = rng.randint(2015, 2024)
        if i % 4 == 0:
            lines.append(f'date = "{year}"')
        lines.append(self.cited(self.cite(), f"據統計,{subject}{written},較上年明顯增長。"))
        if i % 4 == 0 and unit == "count" and qualifier == "exact":
            # Two earlier counts, each as of its own year: a history, not a conflict.
            for back in (1, 2):
                then = max(1, n - back * 7)
                quote = f"{year - back}年,{subject}為{then}家。"
                as_of = f'as_of = "{year - back}"'
                lines.append(self.stated("value", str(then), f"{then}家", quote, as_of))
        return "\n".join(lines) + "\n"

    def files(self, parts: int) -> Iterator[str]:
        """The base as `parts` files' texts; each holds a share of every kind."""
        header = f"# Synthetic hetao facts for benchmarks: {self.n} entries. Never commit this.\n"
        for k in range(parts):
            chunks = [header]
            for blocks in self.blocks.values():
                share = blocks[k * len(blocks) // parts : (k + 1) * len(blocks) // parts]
                chunks.extend(f"\n{b}" for b in share)
            yield "".join(chunks)

    def source_texts(self) -> Iterator[tuple[str, str]]:
        """(source id, text) for every source: its title, then the quotes that cite it in
        paragraphs of six, in file order. Each entry's own quote has one character changed,
        at a place that moves from quote to quote; quotes in more_citations are verbatim.

        Raises AssertionError if a text would give other than one problem an entry."""
        k = 0
        for i, source in enumerate(self.sources):
            written: list[str] = []
            for quote, own in self.quotes[source]:
                if own:
                    at = (k * 7) % len(quote)
                    slip = SLIPS[k % len(SLIPS)]
                    if slip == quote[at]:
                        slip = SLIPS[(k + 1) % len(SLIPS)]
                    quote = quote[:at] + slip + quote[at + 1 :]
                    k += 1
                written.append(quote)
            paragraphs = ["".join(written[j : j + 6]) for j in range(0, len(written), 6)]
            text = "\n\n".join([source_title(i), *paragraphs]) + "\n"
            for quote, own in self.quotes[source]:
                if (quote in text) != (not own):
                    raise AssertionError(f"{source}: quote {quote!r} would not give one problem")
            yield source, text


def stamp(n: int, parts: int, seed: int) -> str:
    """What the output depends on: change the generator or its arguments, and it is rebuilt."""
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"{digest} n={n} parts={parts} seed={seed}\n"


def sources_dir(n: int, out: Path = OUT) -> Path:
    """The folder of source texts that generate(n, out) writes, for `check --sources`."""
    return out / f"facts-{n}-sources"


def generate(n: int, out: Path = OUT, parts: int = 50, seed: int = 1) -> tuple[Path, Path]:
    """Write (or reuse) `out/facts-N.toml` and `out/facts-N-split/part-NN.toml`, and the
    source texts `out/facts-N-sources/src-NNNN.txt` (see sources_dir)."""
    one = out / f"facts-{n}.toml"
    split = out / f"facts-{n}-split"
    sources = sources_dir(n, out)
    mark = out / f".facts-{n}.stamp"
    want = stamp(n, parts, seed)
    done = one.is_file() and split.is_dir() and sources.is_dir()
    if mark.is_file() and mark.read_text() == want and done:
        return one, split
    base = Base(n, seed)
    out.mkdir(parents=True, exist_ok=True)
    one.write_text(next(base.files(1)), encoding="utf-8")
    split.mkdir(exist_ok=True)
    for old in split.glob("*.toml"):
        old.unlink()
    for k, text in enumerate(base.files(parts), 1):
        (split / f"part-{k:02d}.toml").write_text(text, encoding="utf-8")
    sources.mkdir(exist_ok=True)
    for old in sources.glob("*.txt"):
        old.unlink()
    for source, text in base.source_texts():
        (sources / f"{source}.txt").write_text(text, encoding="utf-8")
    mark.write_text(want)
    return one, split


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", type=int, metavar="N", help="entries per base")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT})")
    parser.add_argument("--files", type=int, default=50, help="files in the split layout")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if any(n < 200 for n in args.sizes) or args.files < 1:
        parser.error("N must be at least 200 and --files at least 1")
    for n in args.sizes:
        one, split = generate(n, args.out, args.files, args.seed)
        sources = sources_dir(n, args.out)
        print(f"{n:>7} entries: {one} and {split}/ ({args.files} files); sources {sources}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
