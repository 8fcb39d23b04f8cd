//! Sentence segmentation of a republished wire story, end to end through the
//! library. The fixture is invented (Freedonia, the Red Banner group) but
//! carries every trap of a real one: a headline without punctuation, a photo
//! caption, a dateline, a full stop that lost its space, times, numbers,
//! titles, dotted acronyms, curly quotes, a subhead and comment-box lines.

use textanalysis::text::segment::sentences;

/// The story, as a scraper hands it over.
const STORY: &str = "Regional powers weigh rising militant threat in Freedonia

Soldiers from the Northern Guard ride on an armoured truck on April 3, 2019 in the coastal town of Port Lomas after they retook it from the Red Banner (RB) group.

Freedonia (NWS): Foreign ministers including Mr. Alden Price of the U.S. delegation met in Geneva on Tuesday to discuss the militant threat in Freedonia, just across the sea from Europe.RB has used the chaos left by the fall of the old regime in 2015 to seize the port of Sylvania.

The Geneva talks, under way since 1215 GMT, are chaired by Dr. Mara Lind and Gen. Otto Brandt of the U.N. mission in Freedonia. Most of the aid still comes from the U.S. The rest arrives by sea.

“We have a long road ahead,” U.S. envoy Clara Hume told reporters before meeting the prime minister.

– ‘No troops on the ground’ –

Officials said the group has around 5,000 fighters, up 3.5% on last year.

“We urge all parties to build the institutions needed to defeat (RB).”

“This is a disaster. It must be stopped… we cannot wait any longer,” said Paul Ostrander, an analyst at the Institute for Peace.

He added: \"Act now.\" Then he left the hall.

Be the first to comment on \"REGIONAL POWERS WEIGH MILITANT THREAT\"

Leave a comment
";

/// Every sentence of [`STORY`], in order.
const EXPECTED: &[&str] = &[
    "Regional powers weigh rising militant threat in Freedonia",
    "Soldiers from the Northern Guard ride on an armoured truck on April 3, 2019 in the coastal \
     town of Port Lomas after they retook it from the Red Banner (RB) group.",
    "Freedonia (NWS): Foreign ministers including Mr. Alden Price of the U.S. delegation met in \
     Geneva on Tuesday to discuss the militant threat in Freedonia, just across the sea from \
     Europe.",
    "RB has used the chaos left by the fall of the old regime in 2015 to seize the port of \
     Sylvania.",
    "The Geneva talks, under way since 1215 GMT, are chaired by Dr. Mara Lind and Gen. Otto \
     Brandt of the U.N. mission in Freedonia.",
    "Most of the aid still comes from the U.S.",
    "The rest arrives by sea.",
    "“We have a long road ahead,” U.S. envoy Clara Hume told reporters before meeting the prime \
     minister.",
    "– ‘No troops on the ground’ –",
    "Officials said the group has around 5,000 fighters, up 3.5% on last year.",
    "“We urge all parties to build the institutions needed to defeat (RB).”",
    "“This is a disaster.",
    "It must be stopped… we cannot wait any longer,” said Paul Ostrander, an analyst at the \
     Institute for Peace.",
    "He added: \"Act now.\"",
    "Then he left the hall.",
    "Be the first to comment on \"REGIONAL POWERS WEIGH MILITANT THREAT\"",
    "Leave a comment",
];

/// The sentences of `text` as strings.
fn split(text: &str) -> Vec<&str> {
    sentences(text).into_iter().map(|r| &text[r]).collect()
}

#[test]
fn wire_story_splits_at_every_expected_boundary() {
    assert_eq!(split(STORY), EXPECTED);
}

#[test]
fn ranges_slice_the_story_exactly() {
    let ranges = sentences(STORY);
    assert_eq!(ranges.len(), EXPECTED.len());
    let mut search_from = 0;
    for (range, expected) in ranges.iter().zip(EXPECTED) {
        let found = STORY[search_from..]
            .find(expected)
            .map(|at| search_from + at)
            .expect("expected sentence occurs in the story");
        assert_eq!(range.clone(), found..found + expected.len(), "{expected}");
        assert!(!STORY[range.clone()].starts_with(char::is_whitespace));
        assert!(!STORY[range.clone()].ends_with(char::is_whitespace));
        search_from = range.end;
    }
}

#[test]
fn crlf_line_endings_give_the_same_sentences() {
    let crlf = STORY.replace('\n', "\r\n");
    assert_eq!(split(&crlf), EXPECTED);
}
