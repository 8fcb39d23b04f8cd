//! Tests of the whole detection, on texts written for them, and the
//! sentences that the property tests of the phrase index and of the rules
//! draw from.

use proptest::prelude::{Strategy, prop};

use super::*;
use crate::text::segment;

/// The verdicts on `text`, with each sentence's kept text.
fn judged(text: &str) -> Vec<(String, Verdict)> {
    let spans = segment::sentences(text);
    detect(text, &spans)
        .into_iter()
        .zip(&spans)
        .map(|(v, span)| (text[span.clone()].to_owned(), v))
        .collect()
}

/// The text each sentence keeps, `None` for removed ones.
fn kept(text: &str) -> Vec<Option<String>> {
    let spans = segment::sentences(text);
    detect(text, &spans)
        .iter()
        .zip(&spans)
        .map(|(v, span)| v.kept(span).map(|k| text[k].to_owned()))
        .collect()
}

/// A page written for these tests: headline, agency caption, dateline,
/// subhead, comment box.
const PAGE: &str = "Dam talks stall in the valley

Farmers from the Popular Valley cooperative stand on a dry canal bed on June 3, 2021 in the southern town of Mirabel.

Valleyport (VNS): Engineers and farmers met on Friday to discuss the new dam. The talks ended without a deal.

– Water for whom –

The farmers want a larger share of the water.

By Ana Lima and Tom Berg

Share this article

Be the first to comment on \"DAM TALKS STALL\"

Leave a comment

Your email address will not be published. Required fields are marked *";

#[test]
fn a_web_page_keeps_only_its_story() {
    let got = kept(PAGE);
    let story: Vec<&str> = got.iter().flatten().map(String::as_str).collect();
    assert_eq!(
        story,
        [
            "Engineers and farmers met on Friday to discuss the new dam.",
            "The talks ended without a deal.",
            "The farmers want a larger share of the water.",
        ]
    );
    let kinds: Vec<Verdict> = judged(PAGE).into_iter().map(|(_, v)| v).collect();
    assert_eq!(kinds[0], Verdict::Remove(Furniture::Heading));
    assert_eq!(kinds[1], Verdict::Remove(Furniture::Caption));
    assert!(matches!(kinds[2], Verdict::Trim(_, Furniture::Dateline)));
    assert_eq!(kinds[4], Verdict::Remove(Furniture::Heading));
    assert_eq!(kinds[6], Verdict::Remove(Furniture::Byline));
    assert!(
        kinds[7..]
            .iter()
            .all(|v| *v == Verdict::Remove(Furniture::Page))
    );
}

#[test]
fn trimmed_spans_keep_their_end_and_index_the_text() {
    let spans = segment::sentences(PAGE);
    for (v, span) in detect(PAGE, &spans).iter().zip(&spans) {
        if let Verdict::Trim(kept, _) = v {
            assert_eq!(kept.end, span.end);
            assert!(kept.start > span.start && PAGE.is_char_boundary(kept.start));
        }
    }
}

#[test]
fn datelines_and_outlet_tags() {
    for (text, story) in [
        (
            "(NWS) Crops failed across the valley.",
            "Crops failed across the valley.",
        ),
        ("(Valley Times)Crops failed again.", "Crops failed again."),
        ("Mirabel (NWS)Crops failed.", "Crops failed."),
        ("Mirabel, Freedonia (NWS) — Crops failed.", "Crops failed."),
        ("MIRABEL — Crops failed.", "Crops failed."),
        ("MIRABEL, Freedonia -- Crops failed.", "Crops failed."),
    ] {
        assert_eq!(kept(text), [Some(story.to_owned())], "{text}");
    }
    // Not datelines: a ticker, a bracket in the text, capitals without a
    // dash, an aside.
    for text in [
        "Valleycorp (VLC) shares fell on Monday.",
        "The cooperative (VNS) said it would appeal.",
        "NASA launched the probe on Monday.",
        "(This was the third meeting.) Nobody came.",
    ] {
        let got = judged(text);
        assert!(
            got.iter().all(|(_, v)| *v == Verdict::Keep),
            "{text}: {got:?}"
        );
    }
}

#[test]
fn captions_are_removed_or_cut_off() {
    // A label caption, a photo direction without a full stop, and a
    // caption opener remove the sentence.
    for text in [
        "Dry season: The canal has held no water since May.",
        "Ana Lima (left) and Tom Berg at the canal",
        "Scroll down for video Farmers walk along the dry canal.",
    ] {
        let got = judged(&format!("{text}\n\nThe farmers want water."));
        assert_eq!(got[0].1, Verdict::Remove(Furniture::Caption), "{text}");
    }
    // A caption that ran into the story: the story is kept.
    let text = "Farmers walk along the dry canal near Mirabel A farmer has sued the water board over the dam.";
    assert_eq!(
        kept(text),
        [Some(
            "A farmer has sued the water board over the dam.".to_owned()
        )]
    );
    // Quotes, answers, steps and ordinary sentences are no captions.
    for text in [
        "He said: 'We will sue the board.'",
        "Q: Who pays for the dam?",
        "Step 2: The board votes.",
        "The minister said: \"Nobody wants this dam.\"",
        "Ana Lima (left) met the board on Monday.",
        "They travelled from A to B by bus on the old road.",
        "The board met on June 3, 2021 to discuss the dam.",
    ] {
        assert_eq!(kept(text), [Some(text.to_owned())], "{text}");
    }
    // A dated lead paragraph under a headline is the story, not a
    // caption; the agency caption names the place after the date.
    let lead = "Dam talks stall

The board met on June 3, 2021 to discuss the dam.

Nobody came.";
    assert_eq!(
        kept(lead)[1].as_deref(),
        Some("The board met on June 3, 2021 to discuss the dam.")
    );
}

#[test]
fn kickers_are_cut_off_and_the_sentence_kept() {
    assert_eq!(
        kept("Breaking: The board resigned."),
        [Some("The board resigned.".to_owned())]
    );
    assert!(matches!(
        judged("Update: The dam will open in May.")[0].1,
        Verdict::Trim(_, Furniture::Dateline)
    ));
}

#[test]
fn page_lines_and_bylines_need_to_be_short() {
    let long = "Share this article with anyone who wants to know how the valley farmers \
        lost their water, their crops and their savings in a single dry season, and how \
        the board answered them.";
    assert_eq!(kept(long), [Some(long.to_owned())]);
    assert_eq!(
        kept("By the end of the day the talks had failed."),
        [Some(
            "By the end of the day the talks had failed.".to_owned()
        )]
    );
    assert_eq!(
        judged("Comments (3)")[0].1,
        Verdict::Remove(Furniture::Page)
    );
    assert_eq!(
        judged("Posted by Ana Lima on Monday")[0].1,
        Verdict::Remove(Furniture::Byline)
    );
}

#[test]
fn a_text_of_headings_only_keeps_them() {
    assert_eq!(
        kept("Dam talks stall"),
        [Some("Dam talks stall".to_owned())]
    );
    assert_eq!(
        kept("Dam talks stall\n\nFarmers protest"),
        [
            Some("Dam talks stall".to_owned()),
            Some("Farmers protest".to_owned())
        ]
    );
    // But not comment boxes.
    assert_eq!(kept("Leave a comment"), [None]);
}

#[test]
fn headings_are_lines_of_their_own() {
    // A line without a full stop inside a paragraph is no heading.
    let text = "The farmers marched to the board\nand asked for water.";
    assert!(kept(text).iter().all(Option::is_some));
    let text = "Water talks\n\nThe farmers marched. They asked for water.";
    assert_eq!(kept(text)[0], None);
}

/// Words that the fast paths look for or stop at, and white space of
/// several kinds between them.
pub(super) fn sentence() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "A", "An", "The", "the", "a", "an", "and", "to", "farmer", "canal", "Mirabel", "É", "élan",
        "’", "”", "(left)", "left)", "A.", "Tom", "TOM", "3", "31st", "June", "jun", "May", "2021",
        "1999", "2021,", "1870", "in", "In", "By", "BY", "by", "Dry", "season:", "MIRABEL", "—",
        "(NWS)", "“Quote", "12:30", "©", "Share", "this", "article", "Leave", "comment", "Photo:",
        "READ", "more:", "Scroll", "down", "for", "video",
    ]);
    let space = prop::sample::select(vec![
        " ", " ", " ", "  ", "\n", "\t", "\u{a0}", "\u{2009}", "",
    ]);
    prop::collection::vec((word, space), 0..24)
        .prop_map(|parts| parts.into_iter().flat_map(|(w, s)| [w, s]).collect())
}
