//! Tests of the whole segmenter, through [`sentences`]: the cases of each
//! rule of the module doc, on news and web text written for them, and the
//! segmentation contract (non-empty, ordered, trimmed ranges on char
//! boundaries, each with an alphanumeric char) on every prefix and suffix
//! of awkward text.

use super::*;

/// The sentences of `text` as strings.
fn split(text: &str) -> Vec<&str> {
    sentences(text).into_iter().map(|r| &text[r]).collect()
}

/// Asserts the segmentation contract on `text`.
fn check_contract(text: &str) {
    let mut previous_end = 0;
    for range in sentences(text) {
        assert!(range.start < range.end, "empty range in {text:?}");
        assert!(range.start >= previous_end, "overlap in {text:?}");
        assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
        let s = &text[range.clone()];
        assert!(!s.starts_with(char::is_whitespace), "untrimmed {s:?}");
        assert!(!s.ends_with(char::is_whitespace), "untrimmed {s:?}");
        assert!(s.chars().any(char::is_alphanumeric), "no alnum {s:?}");
        previous_end = range.end;
    }
}

#[test]
fn empty_and_blank_input_have_no_sentences() {
    assert!(sentences("").is_empty());
    assert!(sentences(" \n\t\r\n  \u{2029} ").is_empty());
    assert!(sentences("***\n\n–\n\n…").is_empty());
}

#[test]
fn basic_terminators_split() {
    assert_eq!(
        split("It rained. Did it stop? No! Well... Maybe so."),
        ["It rained.", "Did it stop?", "No!", "Well...", "Maybe so."]
    );
    assert_eq!(split("Really?! Yes."), ["Really?!", "Yes."]);
    assert_eq!(split("Wait… Then go."), ["Wait…", "Then go."]);
}

#[test]
fn closing_quotes_and_brackets_stay_with_their_sentence() {
    assert_eq!(
        split("He said: \"Go.\" Then he left. (It was late.) Fine."),
        [
            "He said: \"Go.\"",
            "Then he left.",
            "(It was late.)",
            "Fine."
        ]
    );
    assert_eq!(
        split("“…to combat (IS).” The talks ended."),
        ["“…to combat (IS).”", "The talks ended."]
    );
}

#[test]
fn lowercase_continuation_does_not_split() {
    assert_eq!(
        split("It must be prevented… we can no longer wait."),
        ["It must be prevented… we can no longer wait."]
    );
    assert_eq!(split("Yahoo! said it grew."), ["Yahoo! said it grew."]);
    assert_eq!(
        split("Pens, paper, etc. and ink."),
        ["Pens, paper, etc. and ink."]
    );
    assert_eq!(split("“Why?” he asked."), ["“Why?” he asked."]);
}

#[test]
fn comma_inside_quote_does_not_split() {
    assert_eq!(
        split("“We have a lot to do,” US State Secretary John Kerry told reporters."),
        ["“We have a lot to do,” US State Secretary John Kerry told reporters."]
    );
}

#[test]
fn titles_never_split() {
    assert_eq!(
        split("Mr. Smith met Dr. Jones and Gen. Haftar in St. Louis. They talked."),
        [
            "Mr. Smith met Dr. Jones and Gen. Haftar in St. Louis.",
            "They talked."
        ]
    );
    assert_eq!(
        split("Prof. Lee and Sgt. Ray left."),
        ["Prof. Lee and Sgt. Ray left."]
    );
}

#[test]
fn lowercase_title_like_word_follows_abbreviation_rule() {
    assert_eq!(
        split("It is 6 ft. He is tall."),
        ["It is 6 ft.", "He is tall."]
    );
}

#[test]
fn months_do_not_split_before_a_digit() {
    assert_eq!(
        split("It opened on Jan. 5 and closed Sept. 30, 2016. Then it reopened."),
        [
            "It opened on Jan. 5 and closed Sept. 30, 2016.",
            "Then it reopened."
        ]
    );
}

#[test]
fn number_abbreviation_does_not_split_before_a_digit() {
    assert_eq!(
        split("He lives at No. 5 and she at no. 7. He said no. Then left."),
        [
            "He lives at No. 5 and she at no. 7.",
            "He said no.",
            "Then left."
        ]
    );
}

#[test]
fn other_abbreviations_split_only_before_sentence_openers() {
    assert_eq!(
        split("Apple Inc. shares rose. Apple Inc. The rest fell."),
        ["Apple Inc. shares rose.", "Apple Inc.", "The rest fell."]
    );
    assert_eq!(
        split("Smith et al. Reported it. See Jones et al. They agree."),
        [
            "Smith et al. Reported it.",
            "See Jones et al.",
            "They agree."
        ]
    );
    assert_eq!(
        split("Fig. 3 shows it, approx. 5,000 vs. 3."),
        ["Fig. 3 shows it, approx. 5,000 vs. 3."]
    );
}

#[test]
fn dotted_acronyms_split_only_before_sentence_openers() {
    assert_eq!(
        split("It is in the U.S. The president said so."),
        ["It is in the U.S.", "The president said so."]
    );
    assert_eq!(
        split("The U.S. President and the U.N. General Assembly met."),
        ["The U.S. President and the U.N. General Assembly met."]
    );
    assert_eq!(
        split("At 5 p.m. He left, e.g. by car, i.e. fast. A Ph.D. Student came."),
        [
            "At 5 p.m.",
            "He left, e.g. by car, i.e. fast.",
            "A Ph.D. Student came."
        ]
    );
}

#[test]
fn initials_do_not_split() {
    assert_eq!(
        split("John F. Kennedy read J. R. R. Tolkien. He liked it."),
        ["John F. Kennedy read J. R. R. Tolkien.", "He liked it."]
    );
    assert_eq!(
        split("It got grade A. The end."),
        ["It got grade A.", "The end."]
    );
}

#[test]
fn numbers_do_not_split() {
    assert_eq!(
        split("Growth was 3.5% or 1,215.50 dollars in v2.0 today."),
        ["Growth was 3.5% or 1,215.50 dollars in v2.0 today."]
    );
    assert_eq!(
        split("It began at 1215 GMT. Then it ended."),
        ["It began at 1215 GMT.", "Then it ended."]
    );
    assert_eq!(
        split("It was 2011. 5,000 left."),
        ["It was 2011.", "5,000 left."]
    );
}

#[test]
fn missing_space_after_full_stop_splits() {
    assert_eq!(
        split("It lies across the sea from Europe.IS has taken advantage."),
        [
            "It lies across the sea from Europe.",
            "IS has taken advantage."
        ]
    );
    assert_eq!(split("Read Yahoo!News daily."), ["Read Yahoo!News daily."]);
}

#[test]
fn missing_space_exceptions_do_not_split() {
    for text in [
        "See example.com and node.js now.",
        "He flew to St.Louis today.",
        "Read http://example.org/Page.Html or www.Example.com today.",
        "Write to John.Smith@mail.org today.",
        "The U.S.A. won.",
    ] {
        assert_eq!(split(text), [text]);
    }
}

#[test]
fn blank_line_ends_a_sentence() {
    assert_eq!(
        split("World powers discuss threat in Libya\n\nThe talks began"),
        ["World powers discuss threat in Libya", "The talks began"]
    );
    assert_eq!(
        split("It went on and\n \t\nthen stopped"),
        ["It went on and", "then stopped"]
    );
}

#[test]
fn hard_wrapped_lines_are_white_space() {
    let text = "The Vienna conference is being co-chaired by the United States and\n\
                Italy, the former colonial ruler which has faced a major influx of\n\
                migrants from the North African nation braving the perilous sea.\n\
                It ended late.";
    assert_eq!(
        split(text),
        [
            "The Vienna conference is being co-chaired by the United States and\n\
             Italy, the former colonial ruler which has faced a major influx of\n\
             migrants from the North African nation braving the perilous sea.",
            "It ended late."
        ]
    );
    assert_eq!(
        split("short line\nthat goes on."),
        ["short line\nthat goes on."]
    );
}

#[test]
fn heading_line_is_its_own_sentence() {
    assert_eq!(
        split("World powers discuss IS threat\nMajor powers met in Vienna on Monday."),
        [
            "World powers discuss IS threat",
            "Major powers met in Vienna on Monday."
        ]
    );
    assert_eq!(
        split("– ‘No boots on the ground’ –\n\nThe leader spoke."),
        ["– ‘No boots on the ground’ –", "The leader spoke."]
    );
    assert_eq!(
        split("Be the first to comment on \"WORLD POWERS IN TALKS\"\n\nLeave a comment\n\nBye."),
        [
            "Be the first to comment on \"WORLD POWERS IN TALKS\"",
            "Leave a comment",
            "Bye."
        ]
    );
}

#[test]
fn list_items_are_sentences() {
    assert_eq!(
        split("The plan has three parts:\n- arms\n* training\n• intelligence"),
        [
            "The plan has three parts:",
            "- arms",
            "* training",
            "• intelligence"
        ]
    );
    assert_eq!(
        split("Steps\n1. Mix the flour\n2) Bake it\na) Eat it"),
        ["Steps", "1. Mix the flour", "2) Bake it", "a) Eat it"]
    );
    assert_eq!(
        split("1. Mix it. Then bake.\n2. Eat it."),
        ["1. Mix it.", "Then bake.", "2. Eat it."]
    );
}

#[test]
fn inline_list_items_are_sentences() {
    assert_eq!(
        split("1.) Preheat the oven 2.) Grease the tin"),
        ["1.) Preheat the oven", "2.) Grease the tin"]
    );
    assert_eq!(
        split("1) Sift the flour. 2) Add the eggs."),
        ["1) Sift the flour.", "2) Add the eggs."]
    );
    assert_eq!(
        split("1. Buy tickets 2. Pack the bags 3. Lock the door"),
        ["1. Buy tickets", "2. Pack the bags", "3. Lock the door"]
    );
    assert_eq!(
        split("a. Check the tyres b. Fill the tank"),
        ["a. Check the tyres", "b. Fill the tank"]
    );
    assert_eq!(
        split("• 4. Call the bank • 5. Pay the rent"),
        ["• 4. Call the bank", "• 5. Pay the rent"]
    );
    assert_eq!(
        split("⁃7. Water the plants ⁃8. Feed the cat"),
        ["⁃7. Water the plants", "⁃8. Feed the cat"]
    );
}

#[test]
fn inline_list_needs_the_next_label_outside_brackets() {
    for text in [
        "12) The probe (also called Unit 13) burned up in 1992.",
        "A. Smith and B. Jones met in Oslo.",
        "1) Trains left at 9 and 3) was never used.",
    ] {
        assert_eq!(split(text), [text]);
    }
}

#[test]
fn spaced_ellipsis_marks_an_omission() {
    assert_eq!(
        split("He thought about it . . . I never forgot that day. Nor did she."),
        [
            "He thought about it . . . I never forgot that day.",
            "Nor did she."
        ]
    );
    assert_eq!(
        split("The report ends here. . . . A new chapter opens."),
        ["The report ends here.", ". . . A new chapter opens."]
    );
    assert_eq!(
        split("They argued for hours . . . . Nobody won."),
        ["They argued for hours . . . .", "Nobody won."]
    );
    assert_eq!(
        split("The note read \"the river will rise. . . .\" Then rain came."),
        [
            "The note read \"the river will rise. . . .\"",
            "Then rain came."
        ]
    );
    assert_eq!(
        split("It waited . . . Then it left."),
        ["It waited . . .", "Then it left."]
    );
    assert_eq!(
        split("TOTAL. . . .$13.00 paid"),
        ["TOTAL. . . .$13.00 paid"]
    );
}

#[test]
fn ellipsis_in_brackets_inside_a_quotation_ends_nothing() {
    assert_eq!(
        split("\"The court [...] ruled against the port [...]\" (Case 12). It appealed."),
        [
            "\"The court [...] ruled against the port [...]\" (Case 12).",
            "It appealed."
        ]
    );
    assert_eq!(
        split("Prices rose… Analysts were surprised."),
        ["Prices rose…", "Analysts were surprised."]
    );
}

#[test]
fn pronoun_i_ends_a_sentence_and_an_initial_does_not() {
    assert_eq!(
        split("It was planned by you and I. Nobody else knew."),
        ["It was planned by you and I.", "Nobody else knew."]
    );
    assert_eq!(
        split("Neither do I. Well, fine."),
        ["Neither do I.", "Well, fine."]
    );
    for text in [
        "We met Charles I. Brown there.",
        "It was translated by I. Petrova.",
        "I. Scope of the plan",
    ] {
        assert_eq!(split(text), [text]);
    }
}

#[test]
fn time_abbreviation_ends_a_sentence_but_not_an_opening_phrase() {
    assert_eq!(
        split("The store shut at 9 p.m. Mrs. Ortiz then drove home."),
        ["The store shut at 9 p.m.", "Mrs. Ortiz then drove home."]
    );
    assert_eq!(
        split("Talks ended at 11 P.M. Mr. Vance left first."),
        ["Talks ended at 11 P.M.", "Mr. Vance left first."]
    );
    for text in [
        "At 7 a.m. Dr. Reyes opened the clinic.",
        "By 10 P.M. Mr. Hale had left.",
        "In the U.S. Mr. Ortiz is known.",
    ] {
        assert_eq!(split(text), [text]);
    }
}

#[test]
fn number_signs_do_not_split_before_a_digit() {
    assert_eq!(
        split("The file is N°. 4471.20.9. It was lost."),
        ["The file is N°. 4471.20.9.", "It was lost."]
    );
    for text in ["Nos. 3 and 4 were sold.", "Room nº. 12 is free."] {
        assert_eq!(split(text), [text]);
    }
}

#[test]
fn colon_in_dateline_does_not_split() {
    assert_eq!(
        split("Libya (HRNW): Major powers met in Vienna on Monday."),
        ["Libya (HRNW): Major powers met in Vienna on Monday."]
    );
}

#[test]
fn long_unpunctuated_run_is_one_sentence() {
    let text = "word ".repeat(5000);
    assert_eq!(split(&text), [text.trim_end()]);
}

#[test]
fn chinese_splits_at_cjk_terminators() {
    assert_eq!(
        split("今天下雨了。我们不去了！好吗？"),
        ["今天下雨了。", "我们不去了！", "好吗？"]
    );
    assert_eq!(
        split("他说：「走。」然后走了。"),
        ["他说：「走。」", "然后走了。"]
    );
}

#[test]
fn arabic_hebrew_and_devanagari_split() {
    assert_eq!(
        split("هل أنت بخير؟ أنا بخير."),
        ["هل أنت بخير؟", "أنا بخير."]
    );
    assert_eq!(split("שלום עולם. מה שלומך?"), ["שלום עולם.", "מה שלומך?"]);
    assert_eq!(split("यह घर है। वह कहाँ है॥"), ["यह घर है।", "वह कहाँ है॥"]);
}

#[test]
fn emoji_and_combining_marks_are_kept_whole() {
    assert_eq!(split("We 👩‍👩‍👧 met. They left."), ["We 👩‍👩‍👧 met.", "They left."]);
    assert_eq!(
        split("Cafe\u{301} opened. It closed."),
        ["Cafe\u{301} opened.", "It closed."]
    );
    assert_eq!(split("\u{301}"), Vec::<&str>::new());
    check_contract("\u{301}. \u{301}a.\u{200D}");
}

#[test]
fn contract_holds_on_every_prefix_of_awkward_text() {
    let tricky = "\u{FEFF}Mr. X.\u{301} 今天。«Hi!»\r\n\r\n– ‘N’ –\n1. a)\u{0}\t\
                  \u{200D}👩‍👩‍👧 U.S. The… we. Europe.IS x@y.Co http://a.b/C.D?E!F \
                  3.5%. ؟ مرحبا۔ שלום. \u{2029}* * *\n\u{85}“(IS).” No. 5 ...\"'\n\
                  1.) x (2) 2.) y • 9. z ⁃10. a. b. c) N°. 4 you and I. At 5 a.m. Mr. \
                  X. . . . Y . . . I [...]\" (Z). . . .$1 . . .";
    let mut cases = vec![
        String::new(),
        ".".repeat(1000),
        "a.".repeat(1000),
        "A. ".repeat(1000),
        ". ".repeat(1000),
        "x. . . . ".repeat(300),
        "1) a 2) b ".repeat(300),
        "\n".repeat(100),
        "\u{301}".repeat(50),
    ];
    for (at, _) in tricky.char_indices() {
        cases.push(tricky[..at].to_owned());
        cases.push(tricky[at..].to_owned());
    }
    for case in &cases {
        check_contract(case);
    }
}
