use super::*;
use crate::compare::{CompareOptions, compare_detailed, fingerprint};
use crate::text::{Document, Language};

const HARBOUR: &str = "Harbour dredging plan approved after long dispute\n\n\
    The city council approved a plan on Tuesday to dredge the old harbour channel, ending a \
    dispute that has lasted nearly six years. Silt carried down the river has narrowed the \
    channel so much that larger fishing boats can only leave at high tide. The work will \
    begin in March and should take about eight months, according to the port authority. \
    Councillors voted by eleven to four in favour, with the opposition arguing that the money \
    would be better spent on the seafront. The fishermen's association said its members had \
    lost thousands of pounds in missed tides over the past winter. Environmental groups had \
    asked for a survey of the seagrass beds near the mouth of the river before any digging \
    starts. The authority agreed to fund the survey and to stop work during the spawning \
    season if it finds damage. Dredged sand will be moved to the eastern beach, which lost \
    much of its sand in the storms of last autumn. The mayor said the vote showed the town \
    could still make difficult decisions about its future.";

/// HARBOUR with a sentence dropped, one added, page furniture and a few
/// words changed.
const HARBOUR_EDITED: &str = "Harbour dredging plan approved after long dispute\n\n\
    Share this article\n\n\
    The city council approved a plan on Tuesday to dredge the old harbour channel, ending a \
    quarrel that has lasted nearly six years. Silt carried down the river has narrowed the \
    channel so much that larger fishing boats can only leave at high tide. The work will \
    start in March and should take about eight months, according to the port authority. \
    Councillors voted by eleven to four in favour, with the opposition arguing that the cash \
    would be better spent on the seafront. The fishermen's association said its members had \
    lost thousands of pounds in missed tides over the past winter. Environmental groups had \
    asked for a survey of the seagrass beds near the mouth of the river before any digging \
    starts. Dredged sand will be moved to the eastern beach, which lost \
    much of its sand in the storms of last autumn. A public meeting on the timetable will be \
    held at the town hall next week. The mayor said the vote showed the town \
    could still make difficult decisions about its future.\n\n\
    Follow us on Twitter\n\nAdvertisement";

/// Another story on the same subject, written apart.
const HARBOUR_OTHER: &str = "Fishermen protest over harbour silt\n\n\
    Dozens of fishing boats blocked the harbour mouth on Saturday in protest at the silt that \
    has built up in the channel. Skippers said the council had promised for years to dredge \
    the harbour but had never found the money. One skipper said he had missed eight tides in \
    a month and could no longer pay his crew. The port authority said a dredging plan would be \
    put to councillors in the new year. Environmental groups warned that dredging could harm \
    the seagrass near the river mouth. The protest ended peacefully in the afternoon when the \
    boats returned to their moorings.";

const ORCHESTRA: &str = "Youth orchestra wins national prize\n\n\
    The county youth orchestra has won the national prize for ensembles under eighteen, \
    beating forty other orchestras at the final in Birmingham. The players, aged between \
    twelve and seventeen, performed a symphony by Sibelius and a new piece written for them \
    by a local composer. The judges praised the strings for their warmth and the brass for \
    its precision. The conductor said the orchestra had rehearsed every Saturday morning since \
    September. The prize includes a recording session and a concert in London next summer. \
    Parents raised the money for the trip with a sponsored walk along the coast.";

fn fp(text: &str) -> Fingerprint {
    fingerprint(&Document::analyze(text, Language::from_code("en")), false)
}

/// The resemblance Compare computes from the texts, coverage left out.
fn compare_resemblance(a: &str, b: &str) -> f64 {
    let en = Language::from_code("en");
    let (a, b) = (Document::analyze(a, en), Document::analyze(b, en));
    let (_, details) = compare_detailed(&a, &b, &CompareOptions::default(), None).unwrap();
    let m = details.measures;
    let mut r = m.containment_a.min(m.containment_b);
    if m.length_ratio >= MIN_EXTENSION_RATIO {
        r = r.max(m.containment_a.max(m.containment_b));
    }
    r
}

#[test]
fn an_edited_copy_is_found_with_the_original_key() {
    let mut w = DedupWindow::new(100);
    assert_eq!(
        w.check_and_insert("orchestra", &fp(ORCHESTRA), DEFAULT_THRESHOLD),
        None
    );
    assert_eq!(
        w.check_and_insert("harbour", &fp(HARBOUR), DEFAULT_THRESHOLD),
        None
    );
    let m = w
        .check_and_insert("edited", &fp(HARBOUR_EDITED), DEFAULT_THRESHOLD)
        .expect("the edited copy is a near-duplicate");
    assert_eq!(m.key, "harbour");
    // The estimate is within the MinHash error of Compare's containments.
    let exact = compare_resemblance(HARBOUR, HARBOUR_EDITED);
    assert!(
        exact > 0.6 && (m.resemblance - exact).abs() < 0.15,
        "{m:?} {exact}"
    );
}

#[test]
fn another_story_on_the_same_subject_is_not_found() {
    let mut w = DedupWindow::new(100);
    w.check_and_insert(1, &fp(HARBOUR), DEFAULT_THRESHOLD);
    assert_eq!(
        w.check_and_insert(2, &fp(HARBOUR_OTHER), DEFAULT_THRESHOLD),
        None
    );
    assert!(compare_resemblance(HARBOUR, HARBOUR_OTHER) < 0.2);
    // At threshold 0 a candidate is a match: the lookup itself found none.
    assert_eq!(w.check_and_insert(3, &fp(ORCHESTRA), 0.0), None);
}

#[test]
fn an_item_older_than_the_window_is_not_found() {
    let mut w = DedupWindow::new(2);
    w.check_and_insert("harbour", &fp(HARBOUR), DEFAULT_THRESHOLD);
    w.check_and_insert("orchestra", &fp(ORCHESTRA), DEFAULT_THRESHOLD);
    w.check_and_insert("other", &fp(HARBOUR_OTHER), DEFAULT_THRESHOLD);
    assert_eq!(
        w.check_and_insert("edited", &fp(HARBOUR_EDITED), DEFAULT_THRESHOLD),
        None
    );
    // One item later it would still have been in the window.
    let mut w = DedupWindow::new(3);
    w.check_and_insert("harbour", &fp(HARBOUR), DEFAULT_THRESHOLD);
    w.check_and_insert("orchestra", &fp(ORCHESTRA), DEFAULT_THRESHOLD);
    w.check_and_insert("other", &fp(HARBOUR_OTHER), DEFAULT_THRESHOLD);
    let m = w.check_and_insert("edited", &fp(HARBOUR_EDITED), DEFAULT_THRESHOLD);
    assert_eq!(m.map(|m| m.key), Some("harbour"));
}

#[test]
fn the_best_of_two_candidates_wins() {
    // The edited copy first, then the original: a second copy of the
    // original matches the original exactly, not the edited copy.
    let mut w = DedupWindow::new(10);
    w.check_and_insert("edited", &fp(HARBOUR_EDITED), DEFAULT_THRESHOLD);
    let first = w.check_and_insert("original", &fp(HARBOUR), DEFAULT_THRESHOLD);
    assert_eq!(first.map(|m| m.key), Some("edited"));
    let m = w
        .check_and_insert("again", &fp(HARBOUR), DEFAULT_THRESHOLD)
        .unwrap();
    assert_eq!((m.key, m.resemblance), ("original", 1.0));
    // Between two exact copies, the newer one.
    let m = w
        .check_and_insert("third", &fp(HARBOUR), DEFAULT_THRESHOLD)
        .unwrap();
    assert_eq!(m.key, "again");
}

#[test]
fn items_without_words_match_each_other_only() {
    let mut w = DedupWindow::new(10);
    assert_eq!(w.check_and_insert(1, &fp("..."), DEFAULT_THRESHOLD), None);
    w.check_and_insert(2, &fp(HARBOUR), DEFAULT_THRESHOLD);
    let m = w
        .check_and_insert(3, &fp("!!! ?"), DEFAULT_THRESHOLD)
        .unwrap();
    assert_eq!((m.key, m.resemblance), (1, 1.0));
    // A text with words is not a duplicate of one without.
    assert_eq!(
        w.check_and_insert(4, &fp(ORCHESTRA), DEFAULT_THRESHOLD),
        None
    );
    // Two empty items in a window of one: the earlier is evicted first.
    let mut w = DedupWindow::new(1);
    w.check_and_insert(1, &fp(""), DEFAULT_THRESHOLD);
    w.check_and_insert(2, &fp(HARBOUR), DEFAULT_THRESHOLD);
    assert_eq!(w.check_and_insert(3, &fp(""), DEFAULT_THRESHOLD), None);
}

#[test]
fn thresholds_and_empty_windows_are_safe() {
    let mut w = DedupWindow::new(0);
    assert_eq!(w.check_and_insert(1, &fp(HARBOUR), 0.0), None);
    assert_eq!(w.check_and_insert(2, &fp(HARBOUR), 0.0), None);
    assert!(w.is_empty());
    let mut w = DedupWindow::new(5);
    w.check_and_insert(1, &fp(HARBOUR), f64::NAN);
    assert_eq!(w.check_and_insert(2, &fp(HARBOUR), f64::NAN), None);
    assert!(w.check_and_insert(3, &fp(HARBOUR), 1.0).is_some());
}

#[test]
fn resemblance_follows_compare() {
    // Equal sizes, half shared: J = 1/3, containments 1/2 both ways.
    assert!((resemblance(1.0 / 3.0, 300, 300) - 0.5).abs() < 1e-12);
    // B inside A, a third of its size: J = 1/3, containments 1/3 and 1.
    assert!((resemblance(1.0 / 3.0, 300, 100) - 1.0).abs() < 1e-12);
    // A quarter of the size: past the length gate, the smaller one.
    assert!((resemblance(0.25, 400, 100) - 0.25).abs() < 1e-12);
    assert_eq!(resemblance(1.0, 0, 10), 0.0);
    assert_eq!(resemblance(f64::NAN, 10, 10), 0.0);
    assert_eq!(resemblance(7.0, 10, 10), 1.0);
}

/// Synthetic fingerprints of distinct texts, each sharing nothing with the
/// others but a few common phrases.
fn numbered(i: usize) -> Fingerprint {
    let text = format!(
        "Report {i} from station {} says item {} moved {} units and the team said that it was fine. \
         The count for day {} was {} and the record for week {} stands at {}.",
        i * 7,
        i * 13,
        i * 3,
        i,
        i * 11,
        i * 5,
        i * 17
    );
    fp(&text)
}

#[test]
fn eviction_keeps_the_index_bounded() {
    let capacity = 50;
    let mut w = DedupWindow::new(capacity);
    for i in 0..10 * capacity {
        w.check_and_insert(i, &numbered(i), DEFAULT_THRESHOLD);
        assert!(w.len() <= capacity);
        assert!(w.buckets.len() <= BANDS * w.len());
    }
    assert_eq!(w.len(), capacity);
    assert!(w.slots.capacity() <= capacity);
    // Exactly the buckets of the items in the window remain, each headed by
    // its newest item.
    let mut expected: HashMap<u32, (u64, u32)> = HashMap::default();
    for (slot, item) in w.slots.iter().enumerate() {
        for key in bucket_keys(&item.values) {
            let e = expected.entry(key).or_insert((item.seq, slot as u32));
            if item.seq > e.0 {
                *e = (item.seq, slot as u32);
            }
        }
    }
    let heads: HashMap<u32, u32> = expected.into_iter().map(|(k, (_, s))| (k, s)).collect();
    assert_eq!(w.buckets, heads);
    assert!(
        w.approx_bytes() <= capacity * approx_bytes_per_item::<usize>(),
        "{} {} {} {}",
        w.approx_bytes(),
        w.slots.capacity(),
        w.buckets.capacity(),
        w.candidates.capacity()
    );
}

#[test]
fn many_copies_cost_a_bounded_lookup() {
    let mut w = DedupWindow::new(1_000);
    let harbour = fp(HARBOUR);
    for i in 0..300u32 {
        let m = w.check_and_insert(i, &harbour, DEFAULT_THRESHOLD);
        assert_eq!(m.map(|m| m.key), i.checked_sub(1));
        assert!(w.candidates.len() <= MAX_CHAIN);
    }
}

#[test]
fn the_memory_bound_is_documented() {
    // The figure in the module docs, for a 16-byte String key.
    assert_eq!(approx_bytes_per_item::<String>(), 4_040);
}
