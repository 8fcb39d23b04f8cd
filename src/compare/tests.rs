//! Tests of the whole comparison, on texts written for them.

use super::*;
use crate::text::Language;

/// A wire story.
const WIRE: &str = "\
Harbour workers in Port Selene walked off the job on Tuesday, halting cargo traffic at the island's busiest terminal for the first time in a decade.

The strike was called by the Dockers' Federation after talks with the port authority over night-shift pay collapsed late on Monday.

Federation leader Mara Quillon said the union would not return until the authority restored the overtime bonus it cut in March, which left many crews earning less than they did five years ago.

Port director Anselm Varga called the walkout illegal and said the authority would seek an injunction in the commercial court.

Shipping agents said at least fourteen vessels were waiting offshore, and fresh produce bound for the mainland was beginning to spoil.

The government has so far refused to intervene, saying the dispute is a matter for the two parties.

Leave a comment";

/// The same story as an outlet republished it: a headline, a photo
/// caption, two sentences swapped, words changed, a sentence split in two,
/// a sentence of its own, the comment box gone.
const REPUBLISHED: &str = "\
Port Selene dockers strike over night pay

A container ship waits at anchor outside Port Selene harbour on Tuesday.

Harbour workers in Port Selene walked off the job on Tuesday, halting cargo traffic at the island's busiest terminal for the first time in ten years.

Port director Anselm Varga called the walkout unlawful and said the authority would seek an injunction in the commercial court.

The strike was called by the Dockers' Federation after talks with the port authority over night-shift pay collapsed late on Monday.

Federation leader Mara Quillon said the union would not return until the authority restored the overtime bonus it cut in March. The cut left many crews earning less than they did five years ago.

Shipping agents said at least fourteen vessels were waiting offshore, and fresh produce bound for the mainland was beginning to spoil.

Local fishermen have offered to ferry medicine to outlying villages while the strike lasts.

The government has so far refused to intervene, saying the dispute is a matter for the two parties.";

/// A different story on the same topic.
const OTHER_STRIKE: &str = "\
Rail staff across the northern provinces began a 48-hour stoppage on Friday in a dispute over pension reform.

Commuter lines into the capital ran a skeleton service, and freight operators warned of delays to coal deliveries.

Transport minister Ilse Brandt urged the unions to accept mediation, but the rail workers' association said members had voted overwhelmingly for action.

A second stoppage is planned for next month if no agreement is reached.";

/// Something else entirely.
const RECIPE: &str = "\
Whisk the eggs with a pinch of salt until pale and frothy.

Fold in the sifted flour, then pour the batter into a buttered tin and bake for twenty minutes.

Serve warm with stewed plums.";

/// [`super::compare`] in lexical mode, which cannot fail.
fn compare(a: &Document<'_>, b: &Document<'_>, options: &CompareOptions) -> Comparison {
    super::compare(a, b, options, None).expect("a lexical comparison cannot fail")
}

/// [`super::compare_detailed`] in lexical mode.
fn compare_detailed(
    a: &Document<'_>,
    b: &Document<'_>,
    options: &CompareOptions,
) -> (Comparison, Details) {
    super::compare_detailed(a, b, options, None).expect("a lexical comparison cannot fail")
}

fn en(text: &str) -> Document<'_> {
    Document::analyze(text, Language::from_code("en"))
}

fn all_options() -> CompareOptions {
    CompareOptions {
        alignment: true,
        diff: true,
        signatures: true,
        thresholds: Thresholds::default(),
        keep_boilerplate: false,
    }
}

fn check_finite(c: &Comparison) {
    let s = &c.similarity;
    for x in [
        s.score,
        s.cosine,
        s.jaccard,
        s.containment_a,
        s.containment_b,
    ] {
        assert!(x.is_finite() && (0.0..=1.0).contains(&x), "{s:?}");
    }
    for al in &c.alignments {
        assert!(al.similarity.is_finite() && (0.0..=1.0).contains(&al.similarity));
    }
}

/// The sentence indexes of each aligned pair, in order.
fn aligned_pairs(c: &Comparison) -> Vec<(Vec<usize>, Vec<usize>)> {
    c.alignments
        .iter()
        .map(|al| (al.a.clone(), al.b.clone()))
        .collect()
}

#[test]
fn republished_story_is_near_duplicate_with_alignments_uniques_and_diffs() {
    let (a, b) = (en(WIRE), en(REPUBLISHED));
    assert_eq!(a.sentences.len(), 7);
    assert_eq!(b.sentences.len(), 10);
    let c = compare(&a, &b, &all_options());
    check_finite(&c);
    assert_eq!(c.verdict, Verdict::NearDuplicate, "{:?}", c.similarity);
    let pairs = aligned_pairs(&c);
    assert_eq!(
        pairs,
        vec![
            (vec![0], vec![2]),
            (vec![1], vec![4]),
            (vec![2], vec![5, 6]),
            (vec![3], vec![3]),
            (vec![4], vec![7]),
            (vec![5], vec![9]),
        ]
    );
    // "Leave a comment" and the headline are furniture, left out; the
    // caption (undated, so not told from a sentence) and the outlet's own
    // sentence are unique.
    assert_eq!((c.removed_a, c.removed_b), (1, 1));
    assert!(c.unique_a.is_empty());
    assert_eq!(c.unique_b, vec![1, 8]);

    let spans = |al: &Alignment| -> Vec<(DiffOp, &str, &str)> {
        al.diff
            .iter()
            .map(|s| (s.op, &WIRE[s.a.clone()], &REPUBLISHED[s.b.clone()]))
            .collect()
    };
    assert_eq!(
        spans(&c.alignments[0]),
        vec![
            (
                DiffOp::Equal,
                "Harbour workers in Port Selene walked off the job on Tuesday, halting cargo \
                 traffic at the island's busiest terminal for the first time in",
                "Harbour workers in Port Selene walked off the job on Tuesday, halting cargo \
                 traffic at the island's busiest terminal for the first time in",
            ),
            (DiffOp::Delete, "a decade", ""),
            (DiffOp::Insert, "", "ten years"),
        ]
    );
    assert_eq!(c.alignments[1].diff.len(), 1);
    assert_eq!(c.alignments[1].diff[0].op, DiffOp::Equal);
    let split = spans(&c.alignments[2]);
    assert_eq!(split[1], (DiffOp::Delete, "which", ""));
    assert_eq!(split[2], (DiffOp::Insert, "", "The cut"));
    assert_eq!(split[3].0, DiffOp::Equal);
    assert!(split[3].1.starts_with("left many crews") && split[3].1.ends_with("years ago"));
    let director = spans(&c.alignments[3]);
    assert_eq!(
        director[..3],
        [
            (
                DiffOp::Equal,
                "Port director Anselm Varga called the walkout",
                "Port director Anselm Varga called the walkout"
            ),
            (DiffOp::Delete, "illegal", ""),
            (DiffOp::Insert, "", "unlawful"),
        ]
    );
    // Empty sides sit where the text would go.
    let del = &c.alignments[3].diff[1];
    assert!(del.b.is_empty() && REPUBLISHED[del.b.start..].starts_with("unlawful"));
    let ins = &c.alignments[3].diff[2];
    assert!(ins.a.is_empty() && WIRE[ins.a.start..].starts_with("and said"));

    // The diff spans of a pair cover every word of its sentences, in order.
    for al in &c.alignments {
        let a_cov: usize = al.diff.iter().map(|s| s.a.len()).sum();
        let first = a.sentences[al.a[0]].span.start;
        let last = a.sentences[*al.a.last().unwrap()].span.end;
        assert!(
            al.diff
                .iter()
                .all(|s| s.a.start >= first && s.a.end <= last)
        );
        assert!(a_cov > 0);
        for w in al.diff.windows(2) {
            assert_ne!(w[0].op, w[1].op);
            assert!(w[0].a.end <= w[1].a.start && w[0].b.end <= w[1].b.start);
        }
    }

    // Signatures estimate the shingle Jaccard (0.64 here; one standard
    // error is 0.042, the fixed seed happens to land 2.5 of them low).
    let est = estimate_jaccard(
        c.signature_a.as_ref().unwrap(),
        c.signature_b.as_ref().unwrap(),
    )
    .unwrap();
    assert!(
        (est - c.similarity.jaccard).abs() < 0.12,
        "{est} vs {}",
        c.similarity.jaccard
    );
    assert!(c.similarity.score >= DEFAULT_RELATED);
}

#[test]
fn equal_texts_modulo_case_space_and_punctuation_are_duplicates() {
    let a = en("The strike, called on Monday, ended.  Workers returned!");
    let b = en("the STRIKE called on monday ended -- workers\nreturned");
    let c = compare(&a, &b, &CompareOptions::default());
    assert_eq!(c.verdict, Verdict::Duplicate);
    assert_eq!(c.similarity.score, 1.0);
    assert_eq!(c.similarity.jaccard, 1.0);
    let d = en("The strike, called on Monday, ended. Workers returned home!");
    assert_ne!(
        compare(&a, &d, &CompareOptions::default()).verdict,
        Verdict::Duplicate
    );
}

#[test]
fn different_stories_on_one_topic_are_not_near_duplicates() {
    let (a, b) = (en(WIRE), en(OTHER_STRIKE));
    let c = compare(&a, &b, &all_options());
    check_finite(&c);
    assert!(
        matches!(c.verdict, Verdict::Related | Verdict::Unrelated),
        "{c:?}"
    );
    assert!(c.alignments.is_empty());
}

#[test]
fn unrelated_texts_are_unrelated() {
    let (a, b) = (en(WIRE), en(RECIPE));
    let c = compare(&a, &b, &all_options());
    check_finite(&c);
    assert_eq!(c.verdict, Verdict::Unrelated, "{:?}", c.similarity);
    assert_eq!(c.unique_a.len(), a.sentences.len() - c.removed_a);
    assert_eq!(c.unique_b.len(), b.sentences.len() - c.removed_b);
}

#[test]
fn options_control_what_is_returned() {
    let (a, b) = (en(WIRE), en(REPUBLISHED));
    let c = compare(&a, &b, &CompareOptions::default());
    assert!(c.alignments.is_empty() && c.signature_a.is_none() && c.signature_b.is_none());
    assert_eq!(c.verdict, Verdict::NearDuplicate);
    assert!(c.unique_a.is_empty() && c.removed_a == 1);
    let kept = CompareOptions {
        keep_boilerplate: true,
        ..CompareOptions::default()
    };
    let k = compare(&a, &b, &kept);
    assert_eq!(
        (k.unique_a.clone(), k.removed_a),
        (vec![6], 0),
        "Leave a comment"
    );
    let c = compare(
        &a,
        &b,
        &CompareOptions {
            alignment: true,
            ..CompareOptions::default()
        },
    );
    assert!(!c.alignments.is_empty() && c.alignments.iter().all(|al| al.diff.is_empty()));
    // A strict threshold turns the near-duplicate into a related pair.
    let strict = CompareOptions {
        thresholds: Thresholds {
            near_duplicate: 1.0,
            related: 0.0,
        },
        ..CompareOptions::default()
    };
    assert_eq!(compare(&a, &b, &strict).verdict, Verdict::Related);
}

#[test]
fn empty_and_tiny_documents_never_panic() {
    let texts = ["", "   ", "!!! ...", "Word", "Word.", "Two words", WIRE];
    for x in texts {
        for y in texts {
            let (a, b) = (en(x), en(y));
            let c = compare(&a, &b, &all_options());
            check_finite(&c);
            if x == y {
                assert_eq!(c.verdict, Verdict::Duplicate, "{x:?}");
            }
        }
    }
    let (a, b) = (en("!!!"), en("..."));
    assert_eq!(compare(&a, &b, &all_options()).verdict, Verdict::Duplicate);
    let (a, b) = (en("Word"), en("Other"));
    assert_eq!(compare(&a, &b, &all_options()).verdict, Verdict::Unrelated);
}

#[test]
fn long_documents_evaluate_few_pairs() {
    let mut a = String::new();
    for k in 0..400 {
        a.push_str(&format!(
            "Inspector Varn{k}q reported on the harbour cranes and the night shifts. "
        ));
    }
    let (da, db) = (en(&a), en(&a));
    let (c, details) = compare_detailed(&da, &db, &CompareOptions::default());
    assert_eq!(c.verdict, Verdict::Duplicate);
    let n = da.sentences.len();
    assert_eq!(n, 400);
    assert!(
        details.pairs_evaluated < n * n / 20,
        "{}",
        details.pairs_evaluated
    );
    assert!(c.unique_a.is_empty());
}

#[test]
fn a_comparison_past_its_deadline_is_cut_short_and_well_formed() {
    // Compare reads the deadline the first document carries.
    let mut expired = en(WIRE);
    expired.deadline = crate::deadline::Deadline::at(std::time::Instant::now());
    let c = compare(&expired, &en(WIRE), &all_options());
    check_finite(&c);
    assert_eq!(c.verdict, Verdict::Unrelated, "not compared at all");
    assert!(c.alignments.is_empty() && c.signature_a.is_none());
    // Without a deadline the same texts are duplicates.
    let c = compare(&en(WIRE), &en(WIRE), &all_options());
    assert_eq!(c.verdict, Verdict::Duplicate);
}

/// A local story as one outlet's page has it: headline, byline, dateline,
/// share and comment lines around three sentences of story.
const BRIDGE_PAGE: &str = "\
Bridge reopens after flood repairs

By Tamsin Rowe

ARLESFORD (Valley Courier): The Kettle Street bridge reopened to traffic on Friday, eight months after floodwater undermined its central pier.

Engineers replaced the pier's foundations and added steel bracing beneath the deck.

The county council said the repairs cost 4.2 million pounds, more than twice the first estimate.

Share this article

Leave a comment";

/// The same story on another outlet's page: its own headline, a dated
/// photo caption, two words changed, a sentence of its own, and the
/// comment box's small print.
const BRIDGE_REPRINT: &str = "\
Kettle Street bridge open again

Workers remove barriers from the Kettle Street bridge on March 14, 2025 in Arlesford after the repairs were finished.

The Kettle Street bridge reopened to traffic on Friday, eight months after floodwater undermined its central pier.

Engineers replaced the pier's foundations and added steel bracing under the deck.

The county council said the repairs cost 4.2 million pounds, more than double the first estimate.

Shops along the river hope the reopening will bring their customers back.

Your email address will not be published.";

#[test]
fn furniture_is_removed_from_both_sides_and_counted_unless_kept() {
    let (a, b) = (en(BRIDGE_PAGE), en(BRIDGE_REPRINT));
    let text = |doc: &Document<'_>, spans: &[Range<usize>], i: usize| -> String {
        doc.text[spans[i].clone()].to_owned()
    };
    let c = compare(&a, &b, &all_options());
    check_finite(&c);
    // Headline, byline, share and comment lines; headline, caption and
    // the comment box's small print.
    assert_eq!((c.removed_a, c.removed_b), (4, 3), "{c:#?}");
    assert_eq!(
        c.unique_a,
        Vec::<usize>::new(),
        "nothing of A's story is missing in B"
    );
    assert_eq!(c.unique_b, vec![5], "the shops sentence, B's own");
    assert_eq!(c.verdict, Verdict::NearDuplicate, "{:?}", c.similarity);
    let pairs = aligned_pairs(&c);
    assert_eq!(
        pairs,
        vec![(vec![2], vec![2]), (vec![3], vec![3]), (vec![4], vec![4])]
    );
    // The dateline is cut off A's first sentence, which then equals B's.
    assert!(text(&a, &c.spans_a, 2).starts_with("The Kettle Street bridge reopened"));
    assert_eq!(c.alignments[0].diff.len(), 1);
    assert_eq!(c.alignments[0].diff[0].op, DiffOp::Equal);
    assert_eq!(
        c.spans_a.iter().filter(|s| s.is_empty()).count(),
        c.removed_a
    );
    assert_eq!(text(&b, &c.spans_b, 5), b.sentence_text(5));

    // Kept, the furniture is compared like any sentence, and unique.
    let kept = CompareOptions {
        keep_boilerplate: true,
        ..all_options()
    };
    let k = compare(&a, &b, &kept);
    check_finite(&k);
    assert_eq!((k.removed_a, k.removed_b), (0, 0));
    let uniques = |doc: &Document<'_>, unique: &[usize]| -> Vec<String> {
        unique
            .iter()
            .map(|&i| doc.sentence_text(i).to_owned())
            .collect()
    };
    let unique_a = uniques(&a, &k.unique_a);
    for furniture in ["By Tamsin Rowe", "Share this article", "Leave a comment"] {
        assert!(unique_a.iter().any(|t| t == furniture), "{unique_a:#?}");
    }
    let unique_b = uniques(&b, &k.unique_b);
    assert!(
        unique_b
            .iter()
            .any(|t| t.starts_with("Workers remove barriers")),
        "{unique_b:#?}"
    );
    assert!(unique_b.iter().any(|t| t.starts_with("Your email address")));
    assert!(
        k.spans_a
            .iter()
            .zip(&a.sentences)
            .all(|(s, t)| *s == t.span)
    );
    // Without the furniture the two pages are closer.
    assert!(
        c.similarity.score > k.similarity.score && c.similarity.jaccard > k.similarity.jaccard,
        "{:?} {:?}",
        c.similarity,
        k.similarity
    );
}

#[test]
fn pages_of_nothing_but_furniture_are_compared_whole() {
    let (a, b) = (en("Leave a comment"), en("Share this article"));
    let c = compare(&a, &b, &all_options());
    assert_eq!((c.removed_a, c.removed_b), (0, 0));
    assert_eq!(c.verdict, Verdict::Unrelated, "not two empty texts");
    assert_eq!((c.unique_a.len(), c.unique_b.len()), (1, 1));
    let same = compare(&a, &a, &all_options());
    assert_eq!(same.verdict, Verdict::Duplicate);
}
