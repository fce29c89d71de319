"""records: one phenomenon per case, sentence(s) in -> records out (or none)."""

import pytest


def _summary(rec):
    return (
        rec.actor.name if rec.actor else None,
        rec.action,
        sorted((t.kind, t.count, t.platform) for t in rec.targets),
        sorted((c.code, c.role) for c in rec.countries),
    )


def _records(analyze, text, **kw):
    return [_summary(r) for r in analyze(text, **kw).records]


TAKEDOWNS = [
    pytest.param(
        "The High Court ordered YouTube to take down 14 videos of the speech.",
        [("High Court", "removed", [("video", 14, None)], [])],
        id="a-court-order-to-a-platform-is-the-court-s-takedown",
    ),
    pytest.param(
        "A district court fined Telegram and ordered it to block 9 channels.",
        [("District court", "blocked", [("channel", 9, None)], [])],
        id="the-court-that-gave-the-order-not-the-platform-it-fined",
    ),
    pytest.param(
        "The telecom regulator switched off 640,000 lines whose owners never verified them.",
        [("Telecom regulator", "blocked", [("sim_card", 640000, None)], [])],
        id="lines-switched-off",
    ),
    pytest.param(
        "Meta removed 41 Facebook accounts and 12 Pages run from Georgia.",
        [
            (
                "Meta",
                "removed",
                [("account", 41, "Facebook"), ("page", 12, "Facebook")],
                [("GE", "origin")],
            )
        ],
        id="active-company-subject",
    ),
    pytest.param(
        "Some 230 Pages were deleted by Facebook last month for posing as local news sites.",
        [("Facebook", "removed", [("page", 230, "Facebook")], [])],
        id="passive-with-agent",
    ),
    pytest.param(
        "Google published its quarterly bulletin. In all, 95 channels were terminated.",
        [("Google", "terminated", [("channel", 95, "YouTube")], [])],
        id="agentless-passive-actor-from-previous-sentence",
    ),
    pytest.param(
        "Facebook removed 83 Facebook accounts, 21 Pages, 4 Groups and 17 Instagram accounts "
        "linked to individuals in Thailand.",
        [
            (
                "Facebook",
                "removed",
                [
                    ("account", 17, "Instagram"),
                    ("account", 83, "Facebook"),
                    ("group", 4, "Facebook"),
                    ("page", 21, "Facebook"),
                ],
                [("TH", "origin")],
            )
        ],
        id="comma-list-platform-carries-over",
    ),
    pytest.param(
        "Facebook took down a network of 13 accounts and 2 pages based in Russia, and 55 "
        "Facebook accounts, 42 pages and 36 Instagram accounts linked to a US-based firm.",
        [
            (
                "Facebook",
                "removed",
                [("account", 13, "Facebook"), ("page", 2, "Facebook")],
                [("RU", "origin")],
            ),
            (
                "Facebook",
                "removed",
                [
                    ("account", 36, "Instagram"),
                    ("account", 55, "Facebook"),
                    ("page", 42, "Facebook"),
                ],
                [("US", "origin")],
            ),
        ],
        id="two-networks-one-sentence",
    ),
    pytest.param(
        "Meta took down 126 assets (61 profiles, 48 Pages, 5 groups and 12 Instagram accounts) "
        "that originated in Iran.",
        [
            (
                "Meta",
                "removed",
                [
                    ("account", 12, "Instagram"),
                    ("account", 61, "Facebook"),
                    ("group", 5, "Facebook"),
                    ("page", 48, "Facebook"),
                ],
                [("IR", "origin")],
            )
        ],
        id="total-with-breakdown-in-brackets",
    ),
    pytest.param(
        "YouTube terminated 204 channels in April, 1,150 in May and 1,390 in June, all linked "
        "to China.",
        [
            ("YouTube", "terminated", [("channel", 204, "YouTube")], [("CN", "origin")]),
            ("YouTube", "terminated", [("channel", 1150, "YouTube")], [("CN", "origin")]),
            ("YouTube", "terminated", [("channel", 1390, "YouTube")], [("CN", "origin")]),
        ],
        id="month-by-month-series",
    ),
    pytest.param(
        "The Pakistan Telecommunication Authority (PTA) said it had blocked 8,214 websites.",
        [
            (
                "Pakistan Telecommunication Authority",
                "blocked",
                [("website", 8214, None)],
                [("PK", "location")],
            )
        ],
        id="regulator-block",
    ),
    pytest.param(
        "The authority flagged 61,200 URLs, of which 44,900 have been blocked.",
        [(None, "blocked", [("url", 44900, None)], [])],
        id="identified-versus-blocked",
    ),
    pytest.param(
        "Acting on a ministry order, Twitter withheld 180 accounts and 90 posts in India.",
        [
            (
                "Twitter",
                "restricted",
                [("account", 180, "Twitter"), ("post", 90, "Twitter")],
                [("IN", "location")],
            )
        ],
        id="withholding-order",
    ),
    pytest.param(
        "Facebook removed nine Pages and six accounts that posed as news outlets.",
        [("Facebook", "removed", [("account", 6, "Facebook"), ("page", 9, "Facebook")], [])],
        id="numbers-in-words",
    ),
    pytest.param(
        "Twitter suspended 5,350 accounts run from Saudi Arabia, Egypt and the UAE.",
        [
            (
                "Twitter",
                "suspended",
                [("account", 5350, "Twitter")],
                [("AE", "origin"), ("EG", "origin"), ("SA", "origin")],
            )
        ],
        id="several-origin-countries",
    ),
    pytest.param(
        "Meta removed 510 Facebook accounts from Israel that targeted audiences in Canada and "
        "the United States.",
        [
            (
                "Meta",
                "removed",
                [("account", 510, "Facebook")],
                [("CA", "target"), ("IL", "origin"), ("US", "target")],
            )
        ],
        id="origin-versus-target",
    ),
    pytest.param(
        "Twitter is adding 1,210 accounts to its public archive; all were suspended.",
        [("Twitter", "suspended", [("account", 1210, "Twitter")], [])],
        id="archive-disclosure-all-were-suspended",
    ),
    pytest.param(
        "Facebook removed a network in Georgia. The network had 40 accounts, 11 Pages and 2 "
        "groups on Facebook and 9 accounts on Instagram.",
        [
            (
                "Facebook",
                "removed",
                [
                    ("account", 9, "Instagram"),
                    ("account", 40, "Facebook"),
                    ("group", 2, "Facebook"),
                    ("page", 11, "Facebook"),
                ],
                [("GE", "origin")],
            )
        ],
        id="make-up-after-the-action-platform-named-after-list",
    ),
    pytest.param(
        "Hundreds of Pages and dozens of accounts were removed by Facebook.",
        [("Facebook", "removed", [("account", None, "Facebook"), ("page", None, "Facebook")], [])],
        id="vague-quantities-coordinated-passive",
    ),
    pytest.param(
        "The Indian government has blocked 59 Chinese apps, citing national security.",
        [
            (
                "Indian government",
                "blocked",
                [("app", 59, None)],
                [("CN", "origin"), ("IN", "location")],
            )
        ],
        id="government-own-country-and-origin-of-targets",
    ),
    pytest.param(
        "Facebook took down 412 posts at the ministry's request. YouTube removed 2,180 videos, "
        "while TikTok deleted 64 clips.",
        [
            ("Facebook", "removed", [("post", 412, "Facebook")], []),
            ("YouTube", "removed", [("video", 2180, "YouTube")], []),
            ("TikTok", "removed", [("video", 64, "TikTok")], []),
        ],
        id="one-platform-per-clause",
    ),
    pytest.param(
        "The state government suspended mobile internet in 14 more districts, taking the "
        "total to 17.",
        [("State government", "restricted", [("district", 14, None)], [])],
        id="internet-shutdown-running-total-is-not-a-record",
    ),
    pytest.param(
        "Nearly 60 million unregistered SIM cards were deactivated, the National "
        "Telecommunications Commission (NTC) said.",
        [
            (
                "National Telecommunications Commission",
                "removed",
                [("sim_card", 60_000_000, None)],
                [],
            )
        ],
        id="actor-in-trailing-attribution",
    ),
    pytest.param(
        "Vietnam asked Google to remove about 5,000 YouTube clips, and some 4,500 of them have "
        "been taken down.",
        [("Google", "removed", [("video", 4500, "YouTube")], [("VN", "location")])],
        id="requested-versus-removed-content-located",
    ),
    pytest.param(
        "TikTok removed 1,704 Russia-based accounts.",
        [("TikTok", "removed", [("account", 1704, "TikTok")], [("RU", "origin")])],
        id="x-based-inside-count",
    ),
]


# Sentences whose structure the trained parser reads (candidate sentences).
STRUCTURE = [
    pytest.param(
        "Telegram said it blocked 2,410 channels. Separately, 318 channels, which had been "
        "promoting the same scam for months, were taken down.",
        [("Telegram", [2410]), ("Telegram", [318])],
        id="long-passive-subject-with-a-relative-clause",
    ),
    pytest.param(
        "The two rogue admin accounts deleted 500 posts before they were caught.",
        [(None, [500])],
        id="the-subject-of-an-active-takedown-verb-is-not-removed",
    ),
    pytest.param(
        "Google published its bulletin. Networks aligned with Beijing lost 812 channels in "
        "March and 640 in April.",
        [("Google", [812]), ("Google", [640])],
        id="lost-is-a-takedown-whose-actor-is-in-the-discourse",
    ),
    pytest.param(
        "Google published its bulletin. Networks tied to Moscow saw 377 channels terminated.",
        [("Google", [377])],
        id="participle-under-a-verb-that-is-no-cue",
    ),
    pytest.param(
        "Twitter said it took action on six accounts and 215 tweets named in court orders.",
        [("Twitter", [6, 215])],
        id="took-action-on",
    ),
    pytest.param(
        "The regulator said YouTube had failed to remove 3,000 flagged videos.",
        [],
        id="failed-to-remove-is-not-a-removal",
    ),
    pytest.param(
        "The PTA reviewed its list. Of 12,400 URLs flagged, 9,980 were blocked.",
        [("PTA", [9980])],
        id="a-fronted-of-phrase-names-the-whole-not-what-was-blocked",
    ),
    pytest.param(
        "Officials said the authorities took further steps by blocking Telegram channels "
        "used to buy votes.",
        [],
        id="a-platform-naming-a-kind-of-channel-is-not-an-app-ban",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "The commission said 812 websites were blocked for fraud, 95 for piracy and 40 for "
            "hate, and 73 were removed for selling fake medicine.",
            [812, 95, 40, 73],
            id="a-bare-number-taken-by-a-takedown-verb-counts-what-was-counted-before",
        ),
        pytest.param(
            "The count of blocked websites has since fallen: 2,310 were blocked in 2022 and "
            "1,870 in 2023.",
            [2310, 1870],
            id="the-asset-word-before-it-and-the-list-after-it",
        ),
        pytest.param(
            "Meta described three networks. The company said all three were taken down.",
            [],
            id="all-three-refers-back-it-counts-nothing-new",
        ),
    ],
)
def test_records_elliptical_counts(analyze, text, expected):
    assert [t.count for r in analyze(text).records for t in r.targets] == expected


def test_records_two_verbs_over_one_operation_are_one_record(analyze):
    text = "TikTok suspended 12 channels and 2 ad accounts and blocked 3 domains on Friday."
    (rec,) = analyze(text).records
    assert sorted((t.kind, t.count) for t in rec.targets) == [
        ("ad_account", 2),
        ("channel", 12),
        ("domain", 3),
    ]


def test_records_a_total_that_its_records_add_up_to_is_flagged(analyze):
    text = (
        "The regulator said 5,020 websites were blocked last year. Of these, 3,100 were "
        "blocked for gambling, 1,420 for pornography and 500 for piracy."
    )
    found = analyze(text).records
    assert [(r.targets[0].count, r.is_total) for r in found] == [
        (5020, True),
        (3100, False),
        (1420, False),
        (500, False),
    ]


def test_records_a_rounded_lede_is_no_twin_of_one_of_its_parts(analyze):
    text = (
        "The ministry seized nearly two dozen news websites on Monday. The ministry said it "
        "seized 21 websites run by one broadcaster and three websites run by a militia."
    )
    assert sorted(t.count for r in analyze(text).records for t in r.targets) == [3, 21, 24]


def test_records_respectively_pairs_counts_with_years(analyze):
    text = (
        "The ministry said MeitY has blocked 410, 655 and 1,020 URLs during 2019, 2020 and "
        "2021 (till date) respectively."
    )
    found = analyze(text).records
    assert [(r.targets[0].count, r.period) for r in found] == [
        (410, "2019"),
        (655, "2020"),
        (1020, "2021"),
    ]
    assert all(("IN", "location") in {(c.code, c.role) for c in r.countries} for r in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The regulator has blocked 8,100 websites from 2018 to 2023, till date.", [8100]),
        ("The regulator has blocked 8,100 websites to date.", []),
        ("So far the regulator has blocked 8,100 websites.", []),
    ],
)
def test_records_to_date_with_named_years_is_a_figure_for_those_years(analyze, text, expected):
    assert [t.count for r in analyze(text).records for t in r.targets] == expected


@pytest.mark.parametrize(("text", "expected"), STRUCTURE)
def test_records_structure(analyze, text, expected):
    found = analyze(text).records
    assert [
        (r.actor.name if r.actor else None, sorted(t.count for t in r.targets)) for r in found
    ] == expected


@pytest.mark.parametrize(("text", "expected"), TAKEDOWNS)
def test_records_takedowns(analyze, text, expected):
    assert _records(analyze, text) == expected


NOT_TAKEDOWNS = [
    pytest.param(
        "Twitter opened an office in Lagos last year. The regulator has now directed the "
        "platform to block 40 accounts.",
        id="an-order-to-the-platform-named-before-is-a-request",
    ),
    pytest.param(
        "Telegram hired a local representative. The ministry then told it to remove 12 channels.",
        id="an-order-to-it-is-a-request",
    ),
    pytest.param(
        "The ministry ordered YouTube to take down 14 videos of the speech.",
        id="a-government-order-to-a-platform-is-a-request",
    ),
    pytest.param(
        "Since 2017 Facebook has removed over 100 networks and 5,000 accounts.",
        id="cumulative-since",
    ),
    pytest.param("Since 2010 the authority has blocked over 51,000 URLs.", id="cumulative-urls"),
    pytest.param("So far the regulator has blocked 900,000 websites.", id="cumulative-so-far"),
    pytest.param("The authority denied blocking 1,372 websites.", id="denial"),
    pytest.param("The minister threatened to ban 20 apps.", id="threat"),
    pytest.param("The ministry urged the platform to remove 340 posts.", id="demand"),
    pytest.param("The platform declined the ministry's request to remove 340 posts.", id="refusal"),
    pytest.param("The regulator will block 120 websites next week.", id="future"),
    pytest.param("Did Facebook remove 200 accounts?", id="question"),
    pytest.param(
        "The ministry received 1,140 complaints and sent 820 removal requests.",
        id="requests-and-complaints",
    ),
    pytest.param("Police examined 52,000 social media accounts.", id="investigated-only"),
    pytest.param(
        "TikTok has more than 1 billion users and 134 million users in Europe.",
        id="user-statistics",
    ),
    pytest.param("The regulator fined the company €345 million for 2,000 violations.", id="fine"),
    pytest.param("About 61,000 accounts followed one or more of the Pages.", id="reach-only"),
    pytest.param("Hours later the 120 accounts were restored.", id="reinstatement"),
    pytest.param(
        "Facebook said it removes millions of fake accounts every day.", id="habitual-statistic"
    ),
    pytest.param(
        "Police blocked three roads and removed 50 barricades after the protest.",
        id="offline-things-are-not-counted",
    ),
    pytest.param(
        "Platforms took down more than 3,200 posts, videos and clips.",
        id="total-over-several-kinds-without-breakdown",
    ),
    pytest.param(
        "Taken together, the two takedowns covered 476 accounts and 246 Pages.",
        id="combined-total-of-two-networks",
    ),
]


@pytest.mark.parametrize("text", NOT_TAKEDOWNS)
def test_records_not_takedowns(analyze, text):
    assert _records(analyze, text) == []


def test_records_same_network_twice_is_one_record(analyze):
    text = (
        "Meta removed 168 accounts, 149 Pages and 79 Groups in Ukraine. "
        "Later in its report, Meta said the 168 accounts, 149 Pages and 79 Groups were "
        "removed for coordinated inauthentic behaviour."
    )
    found = analyze(text).records
    assert len(found) == 1
    assert len(found[0].evidence) == 2


def test_records_reach_attached(analyze):
    text = (
        "Facebook removed 50 Facebook accounts and 98 Pages from Bangladesh. "
        "About 3.4 million accounts followed one or more of these Pages, and the network "
        "spent about $60 on ads."
    )
    rec = analyze(text).records[0]
    assert sorted((r.metric, r.count) for r in rec.reach) == [
        ("ad_spend", 60),
        ("followers", 3_400_000),
    ]


def test_records_reason_period_languages(analyze):
    text = (
        "In August 2020 Facebook removed 453 Facebook accounts from Pakistan for "
        "coordinated inauthentic behaviour. The network posted mostly in Urdu and English."
    )
    rec = analyze(text).records[0]
    assert rec.reason.label == "coordinated_inauthentic_behaviour"
    assert rec.period == "August 2020"
    assert rec.languages == ["Urdu", "English"]


def test_records_last_month_resolves_against_publish_date(analyze):
    rec = analyze("Facebook removed 30 Pages last month.", published="2021-03-04").records[0]
    assert rec.period == "February 2021"


def test_records_carry_rule_ids(analyze):
    rec = analyze("Meta removed 41 Facebook accounts run from Georgia.").records[0]
    assert "act-removed" in rec.rules
    assert any(r.startswith("country-origin") for r in rec.rules)


def test_records_overlong_text_is_a_clear_error(extractor):
    from models.article import Article, Source
    from pipeline.errors import ExtractError
    from pipeline.extract import MAX_TEXT_CHARS

    article = Article(
        source=Source(sha256="0"),
        text="Facebook removed 2 accounts. " * (MAX_TEXT_CHARS // 20),
        method="trafilatura",
        encoding="utf-8",
    )
    with pytest.raises(ExtractError) as err:
        extractor.extract(article)
    assert err.value.code == "extract.too_long"


def test_records_table_rows(analyze):
    text = (
        "We removed the following networks in December 2024.\n"
        "| Network | Accounts | Followers | Description |\n"
        "|---|---|---|---|\n"
        "| Romania | 1,200 | 5,000 | Run from Romania and aimed at Romanian users. |\n"
        "| Kenya | 80 | 900 | Run from Kenya. |\n"
    )
    found = analyze(text, title="TikTok covert influence report").records
    assert [(r.actor.name, [(t.kind, t.count) for t in r.targets]) for r in found] == [
        ("TikTok", [("account", 1200)]),
        ("TikTok", [("account", 80)]),
    ]
    assert [(x.metric, x.count) for x in found[0].reach] == [("followers", 5000)]
    assert ("RO", "target") in {(c.code, c.role) for c in found[0].countries}


@pytest.mark.parametrize(
    "lede",
    [
        "Meta said it had removed thousands of fake accounts tied to China.",
        "Meta said it had removed nearly 5,000 fake accounts tied to China.",
    ],
)
def test_records_rounded_lede_and_exact_figure_are_one_record(analyze, lede):
    text = lede + " The company took down 4,789 Facebook accounts that were part of the operation."
    found = analyze(text).records
    assert [[(t.kind, t.count) for t in r.targets] for r in found] == [[("account", 4789)]]
    assert ("CN", "origin") in {(c.code, c.role) for c in found[0].countries}


def test_records_different_exact_figures_stay_apart(analyze):
    text = (
        "Twitter removed 5,929 accounts tied to Saudi Arabia. It also suspended more than "
        "88,000 spam accounts."
    )
    assert len(analyze(text).records) == 2


def test_records_figure_compared_with_is_not_a_takedown(analyze):
    text = "The company removed 2.1 million fake accounts, down from 2.5 million a year earlier."
    assert [[t.count for t in r.targets] for r in analyze(text).records] == [[2_100_000]]


def test_records_parts_of_a_total_over_several_operations(analyze):
    text = (
        "Twitter said it had removed 3,465 accounts tied to eight state-linked operations. "
        "The largest set, 2,048 accounts, amplified narratives about Xinjiang. "
        "Uganda's network of 418 accounts backed the president, while 277 accounts in "
        "Venezuela used an app called Twitter Patria. "
        "Two Russian networks, of 16 and 50 accounts, were tied to the Internet Research Agency."
    )
    found = analyze(text).records
    assert sorted(t.count for r in found for t in r.targets) == [16, 50, 277, 418, 2048, 3465]
    assert [r.targets[0].count for r in found if r.is_total] == [3465]  # kept, flagged
    found = [r for r in found if not r.is_total]
    assert all(r.actor.name == "Twitter" and r.action == "removed" for r in found)
    origins = {
        r.targets[0].count: {c.code for c in r.countries if c.role == "origin"} for r in found
    }
    assert origins[418] == {"UG"} and origins[277] == {"VE"} and origins[16] == {"RU"}
    assert all(r.operator != "Twitter Patria" for r in found)


def test_records_a_total_and_its_breakdown_told_after_it_are_both_kept(analyze):
    text = (
        "Indonesia's communications ministry said it had blocked 464,440 pieces of gambling "
        "content. The blocked material included 428,969 websites, 19,250 accounts on Meta's "
        "platforms, 2,201 items on X and 14,020 on other services."
    )
    total, rec = analyze(text).records
    assert (total.is_total, [t.count for t in total.targets]) == (True, [464_440])
    assert not rec.is_total
    assert [(t.kind, t.count, t.platform) for t in rec.targets][:3] == [
        ("website", 428_969, None),
        ("account", 19_250, "Meta"),
        ("post", 2_201, "X"),
    ]


def test_records_table_rows_without_a_leading_bar(analyze):
    text = (
        "We disrupted two networks this month.\n"
        "Source | Accounts in network | Followers of network | Description |\n"
        "Internal | 4,410 | 12,900 | Accounts aimed at voters in Estonia. |\n"
        "External | 95 | 3,020 | Accounts run from Latvia. |\n"
    )
    found = analyze(text, url="https://www.tiktok.com/transparency/en/covert-influence").records
    assert [(r.actor.name, r.targets[0].count) for r in found] == [("TikTok", 4410), ("TikTok", 95)]
    assert [(x.metric, x.count) for x in found[1].reach] == [("followers", 3020)]


def test_records_took_ownership_of_domains(analyze):
    text = "A court let Microsoft take ownership of 14 website domains used by the group."
    (rec,) = analyze(text).records
    assert (rec.actor.name, rec.action, [(t.kind, t.count) for t in rec.targets]) == (
        "Microsoft",
        "blocked",
        [("domain", 14)],
    )


def test_records_a_sum_across_networks_is_a_record_flagged_total(analyze):
    text = (
        "Meta removed two networks. Across the two operations, 512 accounts, 230 Pages and "
        "14 Groups were removed."
    )
    (rec,) = analyze(text).records
    assert rec.is_total
    assert sorted(t.count for t in rec.targets) == [14, 230, 512]


def test_records_cue_words_inside_a_name_are_no_cues(analyze):
    text = "Google's Threat Analysis Group said it terminated 2,946 YouTube channels."
    (rec,) = analyze(text).records
    assert (rec.actor.name, rec.targets[0].count) == ("Google", 2946)


def test_records_a_company_unit_acts_for_the_company(analyze):
    (rec,) = analyze("TAG terminated 41 YouTube channels linked to Peru.").records
    assert rec.actor.name == "Google"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Meta announced the removal of 400 accounts run from Peru.",
            [("Meta", "removed", [400])],
            id="a-takedown-named-by-a-noun",
        ),
        pytest.param(
            "Twitter says it has suspended 70,000 accounts linked to QAnon since Friday.",
            [("Twitter", "suspended", [70000])],
            id="since-a-recent-day-is-one-action",
        ),
        pytest.param(
            "The regulator ordered operators to shut down 3G and 4G services in 12 districts.",
            [("Regulator", "restricted", [12])],
            id="mobile-data-shutdown",
        ),
        pytest.param(
            "The ministry said Google had removed 4,500 of the 5,200 YouTube videos it had "
            "been asked to take down.",
            [("Google", "removed", [4500])],
            id="a-part-of-a-whole-counts-the-part",
        ),
        pytest.param(
            "Reddit said it had found 944 suspicious accounts tied to the group and banned all "
            "of them.",
            [("Reddit", "banned", [944])],
            id="found-and-banned-all-of-them",
        ),
        pytest.param(
            "Around 150 VPNs are currently blocked in Russia.",
            [],
            id="currently-blocked-is-a-stock-not-an-action",
        ),
        pytest.param(
            "Russian Internet watchdog blocks hundreds of VPN services",
            [("Russian Internet watchdog", "blocked", [None])],
            id="a-watchdog-named-by-its-country",
        ),
    ],
)
def test_records_read_as_written(analyze, text, expected):
    found = analyze(text).records
    assert [
        (r.actor.name if r.actor else None, r.action, [t.count for t in r.targets]) for r in found
    ] == expected


def test_records_parts_of_one_kind_beside_their_total(analyze):
    text = (
        "The BTRC said it had blocked 8,214 websites, including 5,900 for gambling and 1,410 "
        "for anti-state content."
    )
    found = analyze(text).records
    assert [(r.targets[0].count, r.is_total) for r in found] == [
        (8214, True),
        (5900, False),
        (1410, False),
    ]


def test_records_a_restatement_joins_the_record_it_repeats(analyze):
    text = (
        "Twitter removed 5,929 accounts tied to a Saudi operation. Signal users were not "
        "affected. Looking back, the 5,929 accounts removed that day were only the core."
    )
    found = analyze(text).records
    assert [(r.actor.name, len(r.evidence)) for r in found] == [("Twitter", 2)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Officials acted against 3,140 betting websites last month.",
            [[3140]],
            id="acted-against-takes-its-object",
        ),
        pytest.param(
            "The regulator blocked 2,100 sites, against 1,500 a year before.",
            [[2100]],
            id="against-after-a-count-still-compares",
        ),
    ],
)
def test_records_against_in_a_verb_is_no_comparison(analyze, text, expected):
    assert [[t.count for t in r.targets] for r in analyze(text).records] == expected


def test_records_a_count_on_unnamed_platforms_takes_no_platform_from_its_list(analyze):
    text = (
        "The ministry said 6,000 accounts on Meta's platforms and 812 posts on file-sharing "
        "sites were taken down."
    )
    (rec,) = analyze(text).records
    assert [(t.count, t.platform) for t in rec.targets] == [(6000, "Meta"), (812, None)]


def test_records_a_one_letter_platform_ends_a_sentence(analyze):
    text = "Officials said they had blocked 310 accounts on X. The company did not comment."
    (rec,) = analyze(text).records
    assert [(t.count, t.platform) for t in rec.targets] == [(310, "X")]
    assert rec.evidence[0].text.endswith("on X.")


def test_records_a_total_told_alone_is_the_total_of_the_parts_counted_next(analyze):
    text = (
        "Facebook said it removed 130 assets. They comprised 80 accounts, 30 Pages and 20 groups."
    )
    (rec,) = analyze(text).records
    assert rec.total is not None and rec.total.count == 130
    assert [t.count for t in rec.targets] == [80, 30, 20]


def test_records_a_kind_said_again_on_another_platform_is_set_apart(analyze):
    text = "Facebook terminated 52 accounts, 9 pages and 6 accounts on Instagram in March."
    (rec,) = analyze(text).records
    assert [(t.kind, t.count, t.platform) for t in rec.targets] == [
        ("account", 52, "Facebook"),
        ("page", 9, "Facebook"),
        ("account", 6, "Instagram"),
    ]


def test_records_two_words_for_one_kind_are_one_network(analyze):
    text = (
        "The company said it had taken down 210 accounts and 64 profiles from its site, on "
        "top of 31 Instagram accounts."
    )
    assert [sorted(t.count for t in r.targets) for r in analyze(text).records] == [[31, 64, 210]]


def test_records_a_body_named_only_in_its_document_does_not_act(analyze):
    text = "Federal agents obtained a court order to seize 27 websites, the FBI said."
    (rec,) = analyze(text).records
    assert rec.actor is not None and rec.actor.name == "FBI"


def test_records_the_police_tip_off_a_platform(analyze):
    text = "Facebook removed 40 accounts after a tip from the FBI."
    (rec,) = analyze(text).records
    assert (rec.actor.name, rec.investigators) == ("Facebook", ["FBI"])


def test_records_a_threat_report_is_no_threat(analyze):
    text = "Our quarterly threat report covers 12 YouTube channels we took down in May."
    found = analyze(text, url="https://blog.google/threat-analysis-group/q2/").records
    assert [(r.actor.name, r.targets[0].count) for r in found] == [("Google", 12)]
    text = "The regulator repeated its threat to block 40 websites."
    assert analyze(text).records == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "The authority flagged 8,200 links to YouTube, of which the said platform took "
            "down 3,050.",
            [("url", 3050)],
            id="a-bare-count-takes-the-plural-unit-not-the-named-thing",
        ),
        pytest.param(
            "Operators started barring calls on some 9.4 million lines on Friday.",
            [("sim_card", 9_400_000)],
            id="barring-calls-on-lines",
        ),
        pytest.param(
            "The company said it had taken over thirty domains used by the group.",
            [("domain", 30)],
            id="took-over-is-a-verb-with-its-particle",
        ),
        pytest.param(
            "From 3 to 19 March the platform removed 48 accounts.",
            [("account", 48)],
            id="the-days-of-a-date-range-are-no-counts",
        ),
    ],
)
def test_records_counts_read_as_reporters_write_them(analyze, text, expected):
    found = analyze(text).records
    assert [(t.kind, t.count) for r in found for t in r.targets] == expected


def test_records_took_over_leaves_no_qualifier(analyze):
    (rec,) = analyze("The company said it had taken over 30 domains used by the group.").records
    assert (rec.targets[0].count, rec.targets[0].approximate) == (30, False)


def test_records_a_second_request_in_one_sentence_is_a_request_too(analyze):
    text = (
        "The ministry asked the central bank to freeze 210 wallets and the telecom "
        "regulator to block 1,450 betting websites."
    )
    assert analyze(text).records == []


def test_records_parts_fronted_by_of_those(analyze):
    text = (
        "The platform removed 250 accounts it tied to Iran. Of those, 180 were run by a "
        "state broadcaster in Iran, while the remaining 70 posed as news outlets."
    )
    found = analyze(text).records
    assert [(r.targets[0].count, r.is_total) for r in found] == [
        (250, True),
        (180, False),
        (70, False),
    ]
    assert all({c.code for c in r.countries} == {"IR"} for r in found)


def test_records_a_table_with_a_column_per_country(analyze):
    text = (
        "Google closed 9,100 YouTube channels tied to influence operations in the quarter. "
        "By month:\n"
        "Month | Iran-linked channels | Russia-linked channels\n"
        "April | 1,200 | 2,900\n"
        "May | 1,500 | -\n"
        "June | 2,300 | -\n"
    )
    found = analyze(text, published="2024-07-20").records
    assert [(r.targets[0].count, r.is_total) for r in found] == [
        (9100, True),
        (1200, False),
        (2900, False),
        (1500, False),
        (2300, False),
    ]
    origins = [[c.code for c in r.countries if c.role == "origin"] for r in found[1:]]
    assert origins == [["IR"], ["RU"], ["IR"], ["IR"]]
    assert [r.period for r in found[1:]] == ["April 2024", "April 2024", "May 2024", "June 2024"]


def test_records_a_table_of_the_bodies_that_ordered_the_blocks(analyze):
    text = (
        "Kazakh authorities blocked 12,400 websites last year, a monitor said.\n"
        "Issuing body | Websites\n"
        "Ministry of Information | 9,800\n"
        "District courts | 2,100\n"
        "All bodies | 12,400\n"
    )
    found = analyze(text, published="2024-03-02").records
    assert [(r.actor.name, r.actor.kind, r.targets[0].count, r.is_total) for r in found] == [
        ("Kazakh authorities", "government", 12400, True),
        ("Ministry of Information", "government", 9800, False),
        ("District courts", "court", 2100, False),
    ]


def test_records_a_list_of_figures_sharing_the_first_one_s_noun(analyze):
    text = (
        "The regulator acted against 7,000 pages with extremist material, 3,000 promoting "
        "self-harm, 3,000 selling counterfeit drugs and 800 that targeted children."
    )
    found = analyze(text).records
    assert [[(t.kind, t.count) for t in r.targets] for r in found] == [
        [("page", 7000)],
        [("page", 3000)],
        [("page", 3000)],
        [("page", 800)],
    ]


def test_records_a_platform_put_before_its_count(analyze):
    text = "On Facebook, Meta deleted 31 accounts and 9 Pages, and on Instagram 14 accounts."
    (rec,) = analyze(text).records
    assert [(t.count, t.platform) for t in rec.targets] == [
        (31, "Facebook"),
        (9, "Facebook"),
        (14, "Instagram"),
    ]


def test_records_a_page_over_its_record_budget_stops_at_the_budget(extractor):
    from models.article import Article, Source
    from pipeline.budget import Budget
    from pipeline.errors import ExtractError
    from pipeline.extract import Extractor

    small = Extractor(extractor.analyzer, extractor.parser, budget=Budget(records_per_article=5))
    text = " ".join(f"Facebook removed {100 + i} accounts linked to Peru." for i in range(40))
    article = Article(
        source=Source(sha256="0" * 64), text=text, method="trafilatura", encoding="utf-8"
    )
    with pytest.raises(ExtractError) as error:
        small.extract(article)
    assert error.value.code == "extract.too_many_records"
    assert "over the budget of 5" in str(error.value)


def test_records_a_table_column_of_what_was_kept_is_no_takedown(analyze):
    text = (
        "X removed 300 accounts tied to two networks, it said.\n"
        "Network | Accounts | Posts archived\n"
        "Network one | 180 | 52,000\n"
        "Network two | 120 | 31,500\n"
    )
    found = analyze(text).records
    assert sorted(t.count for r in found for t in r.targets) == [120, 180, 300]


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("Bluesky said it took down 2,870 accounts for impersonation.", "Bluesky"),
        ("Douyin removed 11,000 videos of the fake clinic.", "Douyin"),
        ("Tencent said it had removed 900 WeChat accounts.", "Tencent"),
    ],
)
def test_records_platforms_beyond_the_big_ones(analyze, text, actor):
    (rec,) = analyze(text).records
    assert rec.actor.name == actor and rec.actor.kind == "platform"


def test_records_parts_listed_after_among_them(analyze):
    text = (
        "The watchdog restricted access to 30,000 pages last quarter. Among them were 14 "
        "thousand pages selling fake diplomas and 9 thousand pages of unlicensed lenders."
    )
    found = analyze(text).records
    assert [(r.targets[0].count, r.is_total) for r in found] == [
        (30000, True),
        (14000, False),
        (9000, False),
    ]


def test_records_parts_of_one_count_by_platform(analyze):
    text = (
        "The commission blocked 14 websites, 6 apps and 40 social media accounts in May. Of "
        "the social media accounts, 22 were on Facebook, 12 on TikTok and 6 on X."
    )
    found = analyze(text).records
    assert [[(t.kind, t.count, t.platform) for t in r.targets] for r in found] == [
        [("website", 14, None), ("app", 6, None), ("account", 40, None)],
        [("account", 22, "Facebook")],
        [("account", 12, "TikTok")],
        [("account", 6, "X")],
    ]
    assert not found[0].is_total  # its websites and apps are no parts


def test_records_a_list_after_the_verb_is_no_apposition_of_the_subject(analyze):
    # the parser may hang "9 Facebook accounts" on "The firm" as its apposition, across the
    # verb; an apposition sits next to what it renames, so it is the object list's next item
    text = (
        "Meta published its quarterly figures on Friday. The platform removed 27 Pages, "
        "9 Facebook accounts and 3 Instagram accounts."
    )
    (rec,) = analyze(text).records
    assert rec.actor.name == "Meta"
    assert sorted((t.kind, t.count, t.platform) for t in rec.targets) == [
        ("account", 3, "Instagram"),
        ("account", 9, "Facebook"),
        ("page", 27, "Facebook"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Snapchat said on Tuesday it had deleted 420 accounts and groups run from Serbia.",
            [[("account", 420, "420 accounts and groups")]],
            id="no-breakdown-the-kind-named-first",
        ),
        pytest.param(
            "Snapchat deleted 420 accounts and groups. The network consisted of 300 accounts "
            "and 120 groups.",
            [[("account", 300, "300 accounts"), ("group", 120, "120 groups")]],
            id="a-breakdown-after-it-is-the-record",
        ),
        pytest.param(
            "Twitter withheld nearly 400 accounts and tweets in Nigeria on Friday. The "
            "regulator had directed it to block 150 accounts and 250 tweets.",
            [[("account", 400, "nearly 400 accounts and tweets")]],
            id="the-order-told-after-it-is-a-request-not-its-breakdown",
        ),
    ],
)
def test_records_a_count_over_several_kinds(analyze, text, expected):
    found = analyze(text).records
    assert [[(t.kind, t.count, t.text) for t in r.targets] for r in found] == expected
    assert {r.actor.name for r in found} == {text.split()[0]}
