"""discourse: who acted, read across sentences and from the page itself."""

import pytest


def _actors(analyze, text, **kw):
    return [
        (r.actor.name if r.actor else None, sorted(t.count for t in r.targets))
        for r in analyze(text, **kw).records
    ]


@pytest.mark.parametrize(
    ("text", "kw", "expected"),
    [
        pytest.param(
            "Our quarterly bulletin is out. We terminated 62 channels linked to Peru.",
            {"url": "https://blog.google/threat-analysis-group/bulletin-q1/"},
            [("Google", [62])],
            id="first-person-on-the-company-own-address",
        ),
        pytest.param(
            "We removed 140 accounts for breaking our rules.",
            {"url": "https://example.org/reports/q2", "site": "TikTok Newsroom"},
            [("TikTok", [140])],
            id="first-person-on-a-page-named-for-the-company",
        ),
        pytest.param(
            "Meta published its monthly report on Tuesday. The report says: \u201cWe removed 77 "
            "Facebook accounts and 9 Pages.\u201d",
            {"url": "https://news.example.com/2021/meta-report"},
            [("Meta", [9, 77])],
            id="first-person-in-a-quote-is-the-speaker",
        ),
        pytest.param(
            "Meta said the operators moved their audience to Telegram and Signal. The tech "
            "giant said it removed 31 Facebook accounts and 12 Pages.",
            {},
            [("Meta", [12, 31])],
            id="the-tech-giant-is-the-last-company-seen-acting",
        ),
        pytest.param(
            "The State Cyber Inspectorate in Tallinn said it had shut down 18 Telegram channels "
            "and 60 chatbots.",
            {},
            [("State Cyber Inspectorate", [18, 60])],
            id="it-is-the-one-who-said-so",
        ),
        pytest.param(
            "Twitter\u2019s move was quick: it suspended 230 accounts within a day.",
            {},
            [("Twitter", [230])],
            id="it-is-an-actor-named-before-it",
        ),
        pytest.param(
            "The PTA published its figures. The Telecommunication Authority said it had "
            "blocked 3,300 URLs.",
            {},
            [("PTA", [3300])],
            id="a-name-whose-initials-end-an-acronym-is-that-body",
        ),
        pytest.param(
            "The BTRC met ministers on Monday. Around 2,700 pages were blocked on "
            "Facebook, officials said.",
            {"title": "Telecom regulator steps up blocking"},
            [("BTRC", [2700])],
            id="agentless-passive-takes-the-regulator-in-focus-not-the-platform",
        ),
        pytest.param(
            "YouTube gave no figures at first. Later, more than 9,000 channels tied to the "
            "war in Ukraine were removed from the platform.",
            {},
            [("YouTube", [9000])],
            id="long-passive-subject-actor-from-the-discourse",
        ),
    ],
)
def test_discourse_actors(analyze, text, kw, expected):
    assert _actors(analyze, text, **kw) == expected


def _countries(analyze, text, **kw):
    return [
        sorted((c.code, c.role, c.inferred) for c in r.countries)
        for r in analyze(text, **kw).records
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Meta took down a network of fake Pages and accounts linked to the Kenyan police. "
            "Officials at the company described it on a call. A total of 41 Facebook accounts "
            "and 12 Pages were removed.",
            [[("KE", "origin", False)]],
            id="a-network-told-before-is-counted-later",
        ),
        pytest.param(
            "Facebook removed 60 accounts tied to Peru's army. Earlier, Facebook had blocked "
            "fake accounts linked to a Chilean senator.",
            [[("PE", "origin", False)]],
            id="another-takedown-told-later-gives-nothing",
        ),
        pytest.param(
            "Facebook found networks in two states. In Jalisco it removed 33 fake accounts. "
            "In Sonora it removed 20 Pages.",
            [[("MX", "origin", True)], [("MX", "origin", True)]],
            id="the-article-country-from-its-regions-is-inferred",
        ),
        pytest.param(
            "The Bangladesh Telecommunication Regulatory Commission met on Sunday. The "
            "regulator then blocked 58 websites.",
            [[("BD", "location", False)]],
            id="a-government-body-blocks-in-its-own-country",
        ),
        pytest.param(
            "ISLAMABAD: The ministry said on Monday that 1,600 websites had been blocked.",
            [[("PK", "location", True)]],
            id="a-dateline-city-names-the-article-country",
        ),
        pytest.param(
            "Some 640 websites were blocked by the Malaysian Communications and Multimedia "
            "Commission last year.",
            [[("MY", "location", False)]],
            id="a-country-in-an-agency-name-is-where-it-blocks",
        ),
        pytest.param(
            "Meta removed 20 accounts targeting Russian-speaking users in Georgia. The Pages "
            "pushed pro-Russian parties and Russian-language news brands. Georgia's election "
            "is next month.",
            [[("GE", "target", False)]],
            id="languages-and-stances-are-no-places",
        ),
        pytest.param(
            "Meta removed 4,700 fake accounts based in China. A second China-based network "
            "of 13 accounts and 7 groups targeted India, Meta said.",
            [[("CN", "origin", False)]],
            id="another-network-told-next-gives-nothing-to-the-first",
        ),
        pytest.param(
            "Vietnam's information ministry ordered the blocking of 310 Thai gambling websites.",
            [[("TH", "origin", False), ("VN", "location", False)]],
            id="a-ministry-of-a-country-blocks-there-what-comes-from-another",
        ),
        pytest.param(
            "Snapchat deleted 3,400 accounts last month, most of them run from Ghana. "
            "Snapchat also deleted 60 accounts in Chile.",
            [[], [("CL", "origin", False)]],
            id="the-country-of-most-of-them-is-not-the-whole-count-s",
        ),
        pytest.param(
            "Snapchat deleted 3,400 accounts last month, all of them run from Ghana.",
            [[("GH", "origin", False)]],
            id="the-country-of-all-of-them-is-the-count-s",
        ),
        pytest.param(
            "Meta removed 14 Facebook accounts run from Kosovo.",
            [[("XK", "origin", False)]],
            id="a-country-outside-iso-3166-by-its-common-code",
        ),
        pytest.param(
            "Meta removed 20 accounts. Its report also covered Iran, Israel and China.",
            [[]],
            id="a-report-on-several-countries-infers-none",
        ),
    ],
)
def test_discourse_countries(analyze, text, expected):
    assert _countries(analyze, text) == expected


def test_discourse_parts_of_several_networks_told_in_turn(analyze):
    text = (
        "Facebook removed three networks for coordinated inauthentic behaviour. Two were run "
        "from Iran. Facebook shared its findings with researchers. The first network had 71 "
        "Facebook accounts and 14 Pages. Its posts were about regional politics. The Pages "
        "also ran ads. The second network contained 22 accounts and 9 groups that were from "
        "Iran."
    )
    found = analyze(text).records
    assert [sorted(t.count for t in r.targets) for r in found] == [[14, 71], [9, 22]]
    assert all(r.actor.name == "Facebook" and r.action == "removed" for r in found)


def test_discourse_listed_parts_without_verbs(analyze):
    text = (
        "Meta shared details on the five networks it removed in May.\n"
        "- Kenya: Meta removed 40 accounts and 6 Pages aimed at domestic audiences.\n"
        "- Peru: 18 accounts, 4 Pages and 2 groups, linked to a PR firm, which is now banned "
        "from its platforms.\n"
        "- Ghana: 31 accounts and 12 Instagram accounts.\n"
    )
    found = analyze(text).records
    assert [sorted(t.count for t in r.targets) for r in found] == [[6, 40], [2, 4, 18], [12, 31]]
    assert [sorted({c.code for c in r.countries if c.role == "origin"}) for r in found] == [
        ["KE"],
        ["PE"],
        ["GH"],
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Meta said it had removed 120 accounts run from Peru. Separately, it took down 40 "
            "Pages run from Chile. Both networks were removed for coordinated inauthentic "
            "behaviour, Meta said.",
            ["coordinated_inauthentic_behaviour", "coordinated_inauthentic_behaviour"],
            id="both-networks-get-the-reason-told-after-them",
        ),
        pytest.param(
            "Twitter removed 2,400 accounts run from Serbia. The company also disclosed "
            "smaller networks in three other countries. Twitter said the Serbian accounts broke "
            "its rules on platform manipulation.",
            ["coordinated_inauthentic_behaviour"],
            id="a-reason-after-for-on-against-names-why",
        ),
        pytest.param(
            "Facebook removed 300 accounts in Mali.\nTheir posts praised officers who fought a "
            "separatist insurgency in the north.",
            [None],
            id="a-reason-word-describing-something-else-is-not-a-reason",
        ),
    ],
)
def test_discourse_reasons_told_later(analyze, text, expected):
    found = analyze(text).records
    assert [r.reason.label if r.reason else None for r in found] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Facebook removed 60 accounts. The network was run from Kenya and aimed at "
            "audiences there.",
            [("KE", "origin"), ("KE", "target")],
            id="there-is-the-place-named-last",
        ),
        pytest.param(
            "Facebook removed 60 accounts. The activity was run from Kenya, although the "
            "company did not say how it knew.",
            [("KE", "origin")],
            id="a-denial-after-what-the-sentence-tells-takes-nothing-away",
        ),
        pytest.param(
            "Facebook removed 60 accounts. The network was run from Kenya and aimed at people "
            "in the country.",
            [("KE", "origin"), ("KE", "target")],
            id="the-country-is-the-country-named-last",
        ),
        pytest.param(
            "Facebook removed 60 accounts. The network focused on the western border regions "
            "of Kenya.",
            [("KE", "target")],
            id="a-part-of-a-country-has-the-country-role",
        ),
    ],
)
def test_discourse_country_roles_told_later(analyze, text, expected):
    (rec,) = analyze(text).records
    assert sorted((c.code, c.role) for c in rec.countries if not c.inferred) == expected


@pytest.mark.parametrize(
    ("text", "operator"),
    [
        pytest.param(
            "Twitter removed 900 accounts run from Serbia to promote the ruling party and its "
            "leader Jan Novak, the social media company said.",
            None,
            id="the-social-media-company-is-the-platform-not-an-operator",
        ),
        pytest.param(
            "Facebook removed 40 accounts that it linked to Kenya's National Intelligence Service.",
            "National Intelligence Service",
            id="linked-to-a-country-s-body",
        ),
    ],
)
def test_discourse_operators(analyze, text, operator):
    (rec,) = analyze(text).records
    assert rec.operator == operator


def test_discourse_the_reporter_acts_when_nothing_else_does(analyze):
    text = "The removal of 310 accounts follows a tip from researchers, Meta said."
    (rec,) = analyze(text).records
    assert rec.actor.name == "Meta"


def test_discourse_in_the_country_is_the_country_named_before(analyze):
    text = (
        "Authorities in Turkey published new figures. In 2022 alone, 52,000 tweets were "
        "withheld in the country."
    )
    (rec,) = analyze(text).records
    assert [(c.code, c.role, c.inferred) for c in rec.countries] == [("TR", "location", False)]


def test_discourse_a_report_in_sections_one_network_each(analyze):
    text = (
        "Our threat report covers two operations we took down this quarter.\n\n"
        "Moldova\n\n"
        "We removed a network that originated in Moldova and targeted people in Romania. "
        "Its operators posed as reporters. They posted mostly in Romanian.\n\n"
        "- Presence on Facebook and Instagram: 27 Facebook accounts, three Pages and six "
        "accounts on Instagram.\n"
        "- Followers: about 4,000 accounts followed one or more of these Pages.\n\n"
        "Ecuador\n\n"
        "This network originated in Ecuador. We also banned a local marketing firm behind it "
        "from our platforms.\n\n"
        "- Presence on Facebook and Instagram: 16 Facebook accounts, 5 Pages and 2 Instagram "
        "accounts.\n"
    )
    found = analyze(text, url="https://about.fb.com/news/2025/02/threat-report/").records
    assert [[(t.kind, t.count, t.platform) for t in r.targets] for r in found] == [
        [("account", 27, "Facebook"), ("page", 3, "Facebook"), ("account", 6, "Instagram")],
        [("account", 16, "Facebook"), ("page", 5, "Facebook"), ("account", 2, "Instagram")],
    ]
    assert [r.action for r in found] == ["removed", "removed"]
    assert [sorted((c.code, c.role) for c in r.countries) for r in found] == [
        [("MD", "origin"), ("RO", "target")],
        [("EC", "origin")],
    ]


def test_discourse_a_language_written_in_is_no_place(analyze):
    text = (
        "We removed a network that targeted people in Latvia. It posted in English and "
        "Russian. - Presence on Facebook: 33 Facebook accounts and 4 Pages."
    )
    (rec,) = analyze(text, url="https://about.fb.com/news/2024/05/report/").records
    assert sorted((c.code, c.role) for c in rec.countries) == [("LV", "target")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Providers cut access to 640 websites on Monday, the broadcasting regulator said. "
            "The Broadcasting Authority of Zambia (BAZ) did not say why.",
            ("Broadcasting Authority of Zambia", "regulator"),
            id="a-description-before-the-name-is-the-body-named-after",
        ),
        pytest.param(
            "Ghana's data-protection regulator has blocked 85 loan apps, officials said.",
            ("Ghana's data-protection regulator", "regulator"),
            id="a-description-the-article-never-names-is-the-actor",
        ),
    ],
)
def test_discourse_bodies_described_before_or_instead_of_named(analyze, text, expected):
    (rec,) = analyze(text).records
    assert (rec.actor.name, rec.actor.kind) == expected


def test_discourse_months_that_add_up_to_a_total_are_where_it_is(analyze):
    text = (
        "Google terminated 1,530 YouTube channels linked to Iran in the quarter. By month, "
        "410 channels were terminated in July, 520 in August and 600 in September. It also "
        "terminated 12 channels linked to Peru."
    )
    found = analyze(text).records
    assert [
        (r.targets[0].count, r.is_total, sorted(c.code for c in r.countries)) for r in found
    ] == [
        (1530, True, ["IR"]),
        (410, False, ["IR"]),
        (520, False, ["IR"]),
        (600, False, ["IR"]),
        (12, False, ["PE"]),
    ]


def test_discourse_a_part_of_networks_run_from_one_country_is_run_from_it(analyze):
    text = (
        "TikTok said it removed two networks run from Iran, 930 accounts in all. The larger "
        "one, with 700 accounts, focused almost entirely on Iraq and the Iraqi economy. The "
        "smaller network of 230 accounts addressed audiences in Bahrain."
    )
    found = analyze(text).records
    roles = {r.targets[0].count: sorted((c.code, c.role) for c in r.countries) for r in found}
    assert roles[700] == [("IQ", "target"), ("IR", "origin")]
    assert roles[230] == [("BH", "target"), ("IR", "origin")]


def test_discourse_what_a_passive_subject_lists_is_no_actor(analyze):
    text = (
        "The BTRC blocked 310 websites last week. Separately, two apps - Likee and "
        "Bigo Live - have been blocked for obscene content."
    )
    found = analyze(text).records
    assert [(r.actor.name, r.targets[0].count) for r in found] == [("BTRC", 310), ("BTRC", 2)]


def test_discourse_what_posts_were_about_is_no_place(analyze):
    text = (
        "The watchdog blocked about 14,000 pages spreading false claims about the fighting "
        "in Sudan."
    )
    (rec,) = analyze(text).records
    assert rec.countries == []  # Sudan is what the posts were about, not a place of the block
    text = "Twitter withheld about 150 tweets in India on Monday."
    (rec,) = analyze(text).records
    assert [(c.code, c.role) for c in rec.countries] == [("IN", "location")]


def test_discourse_numbered_sections_and_a_total_over_them(analyze):
    text = (
        "Meta said it took action against two networks. Together they accounted for 150 "
        "Facebook accounts and 30 Pages.\n\n"
        "1. Armenia\n\n"
        "The first network originated in Armenia and targeted audiences in Georgia.\n\n"
        "- Presence on Facebook: 100 Facebook accounts and 20 Pages.\n\n"
        "2. Chad\n\n"
        "The second network was run from Chad and posted in French.\n\n"
        "- Presence on Facebook: 50 Facebook accounts and 10 Pages.\n"
    )
    found = analyze(text).records
    assert [(sorted(t.count for t in r.targets), r.is_total) for r in found] == [
        ([30, 150], True),
        ([20, 100], False),
        ([10, 50], False),
    ]
    assert [sorted((c.code, c.role) for c in r.countries) for r in found[1:]] == [
        [("AM", "origin"), ("GE", "target")],
        [("TD", "origin")],
    ]
    assert all(r.action == "removed" for r in found)
