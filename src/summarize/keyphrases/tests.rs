use super::*;
use crate::text::{Document, Language};

fn phrases(text: &str, limit: usize) -> (Document<'_>, Vec<Keyphrase>) {
    let doc = Document::analyze(text, Language::from_code("en"));
    let phrases = extract(&View::all(&doc), limit);
    (doc, phrases)
}

/// Each phrase's text, as the document first writes it.
fn texts<'t>(doc: &Document<'t>, found: &[Keyphrase]) -> Vec<&'t str> {
    found.iter().map(|k| &doc.text[k.first.clone()]).collect()
}

/// The phrase whose text is `text`.
fn find<'k>(doc: &Document<'_>, found: &'k [Keyphrase], text: &str) -> &'k Keyphrase {
    found
        .iter()
        .find(|k| &doc.text[k.first.clone()] == text)
        .unwrap_or_else(|| panic!("{text:?} in {:?}", texts(doc, found)))
}

/// The texts of a phrase's occurrences.
fn occurrences<'t>(doc: &Document<'t>, phrase: &Keyphrase) -> Vec<&'t str> {
    phrase
        .occurrences
        .iter()
        .map(|o| &doc.text[o.clone()])
        .collect()
}

/// No returned phrase holds another one's words in a row.
fn assert_no_parts(doc: &Document<'_>, found: &[Keyphrase]) {
    let words: Vec<Vec<String>> = texts(doc, found)
        .iter()
        .map(|t| t.split_whitespace().map(str::to_lowercase).collect())
        .collect();
    for (i, outer) in words.iter().enumerate() {
        for (j, inner) in words.iter().enumerate() {
            assert!(
                i == j || !outer.windows(inner.len()).any(|w| w == inner.as_slice()),
                "{inner:?} is part of {outer:?}"
            );
        }
    }
}

const MATCH: &str = "Sebastian Rode scored twice as Bayern Munich beat Hoffenheim on Saturday. \
    Rode was replaced late in the second half. \
    The win keeps Bayern three points clear. \
    Bayern Munich travel to Dortmund next week. \
    Coach Carlo Marino praised Rode after the match.";

#[test]
fn names_are_whole_and_take_their_later_short_forms() {
    let (doc, found) = phrases(MATCH, 20);
    let rode = find(&doc, &found, "Sebastian Rode");
    assert_eq!(rode.count, 3, "{rode:?}");
    assert_eq!(occurrences(&doc, rode), ["Sebastian Rode", "Rode", "Rode"]);
    let bayern = find(&doc, &found, "Bayern Munich");
    assert_eq!(
        occurrences(&doc, bayern),
        ["Bayern Munich", "Bayern", "Bayern Munich"]
    );
    // The name's pieces are never returned beside it.
    let all = texts(&doc, &found);
    for piece in ["Rode", "Sebastian", "Bayern", "Munich"] {
        assert!(!all.contains(&piece), "{piece:?} in {all:?}");
    }
    // A title opening a sentence is written with the name, as capitals go.
    find(&doc, &found, "Coach Carlo Marino");
    assert_no_parts(&doc, &found);
    // The most recurring name comes first.
    assert_eq!(all[0], "Sebastian Rode", "{all:?}");
}

#[test]
fn a_word_that_opens_a_sentence_starts_a_name_unless_written_in_lowercase_too() {
    let text = "Former Liverpool striker Ian Rush scored twice. \
        Rush rejoined his former club in the summer. \
        Liverpool paid a record fee.";
    let (doc, found) = phrases(text, 20);
    let all = texts(&doc, &found);
    assert!(!all.iter().any(|t| t.starts_with("Former")), "{all:?}");
    assert_eq!(find(&doc, &found, "Liverpool").count, 2);
    assert_eq!(find(&doc, &found, "Ian Rush").count, 2);
}

#[test]
fn a_name_written_before_a_longer_one_stays_a_name_of_its_own() {
    let text = "Liverpool won again on Sunday. Supporters of Liverpool sang all night. \
        Later they gathered at Liverpool Street station.";
    let (doc, found) = phrases(text, 20);
    assert_eq!(find(&doc, &found, "Liverpool").count, 2);
}

#[test]
fn connectors_and_particles_join_names() {
    let text = "The Bank of England raised rates on Thursday. \
        Economists at the Bank of England had expected the move. \
        Robin van Persie watched the match with van Gaal. \
        Fans of van Gaal cheered in the La Liga stadium.";
    let (doc, found) = phrases(text, 20);
    let bank = find(&doc, &found, "Bank of England");
    assert_eq!(bank.count, 2);
    find(&doc, &found, "Robin van Persie");
    assert_eq!(find(&doc, &found, "van Gaal").count, 2);
    find(&doc, &found, "La Liga");
    // "Fans of van Gaal": a connector does not join a word that is no name.
    assert!(!texts(&doc, &found).iter().any(|t| t.contains("Fans of")));
    assert_no_parts(&doc, &found);
}

#[test]
fn a_possessive_ends_a_name_and_stays_out_of_it() {
    let text = "Freedonia Energy's Anna Kowalski announced the results. \
        Kowalski said Freedonia Energy's profits rose. \
        Mr Kowalski will retire next year.";
    let (doc, found) = phrases(text, 20);
    let energy = find(&doc, &found, "Freedonia Energy");
    assert_eq!(
        occurrences(&doc, energy),
        ["Freedonia Energy", "Freedonia Energy"]
    );
    // "Mr" is a courtesy title, not part of the name.
    let anna = find(&doc, &found, "Anna Kowalski");
    assert_eq!(
        occurrences(&doc, anna),
        ["Anna Kowalski", "Kowalski", "Kowalski"]
    );
    assert!(!texts(&doc, &found).contains(&"Mr Kowalski"));
}

#[test]
fn noun_phrases_fall_between_stopwords_and_inflections_count_once() {
    let text = "The unity government asked for help. \
        Militias loyal to the unity government advanced on the port. \
        A militia commander said the port would fall.";
    let (doc, found) = phrases(text, 20);
    let government = find(&doc, &found, "unity government");
    assert_eq!(government.count, 2);
    let all = texts(&doc, &found);
    assert!(
        !all.contains(&"unity") && !all.contains(&"government"),
        "{all:?}"
    );
    // "Militias" opens a sentence, "militia" does not: one phrase.
    let militia = found
        .iter()
        .find(|k| occurrences(&doc, k).contains(&"militia"))
        .expect("the militias");
    assert_eq!(occurrences(&doc, militia), ["Militias", "militia"]);
    assert!(
        !all.iter()
            .any(|t| t.starts_with("the ") || t.ends_with(" the")),
        "{all:?}"
    );
    assert_no_parts(&doc, &found);
}

const TEXT: &str = "The Islamic State group holds Sirte. \
    Forces of the unity government want Sirte back. \
    The unity government asked for help against the Islamic State. \
    Islamic State fighters dug in around Sirte in 2016. \
    The weather in Sirte was mild.";

#[test]
fn scores_weigh_occurrences_by_position_and_the_best_term() {
    let (doc, found) = phrases(TEXT, 4);
    let all = texts(&doc, &found);
    assert_eq!(all[..2], ["Sirte", "Islamic State"], "{found:?}");
    assert_eq!(found[0].score, 1.0);
    assert!(found.windows(2).all(|w| w[0].score >= w[1].score));
    // Sirte: sentences 0, 1, 3 and 4, four times capitalised mid-sentence.
    let p = |s: f64| 1.0 / (1.0 + (1.0 + s).ln());
    let sirte = (p(0.0) + p(1.0) + p(3.0) + p(4.0)) * 5f64.ln() * 2.0;
    // Islamic State: sentences 0, 2 and 3; "State" is capitalised
    // mid-sentence all three times (tf 3), "Islamic" opens sentence 3.
    let state = (p(0.0) + p(2.0) + p(3.0)) * 4f64.ln() * 2.0;
    assert!((found[1].score - state / sirte).abs() < 1e-12, "{found:?}");
    assert_eq!(found[0].count, 4);
    assert!(occurrences(&doc, &found[0]).iter().all(|o| *o == "Sirte"));
    assert_eq!(
        occurrences(&doc, &found[1]),
        ["Islamic State", "Islamic State", "Islamic State"]
    );
    assert!(!all.contains(&"State") && !all.contains(&"Islamic"));
    assert!(!all.contains(&"2016"), "a number alone is no key phrase");
}

#[test]
fn punctuation_and_stopwords_end_phrases() {
    let (doc, found) = phrases("Rain, wind and snow hit Oslo. Rain hit Oslo again.", 10);
    let all = texts(&doc, &found);
    assert!(
        !all.iter().any(|t| t.contains(',') || t.contains(" and ")),
        "{all:?}"
    );
    assert_eq!(all[0], "Oslo", "{all:?}");
    assert_no_parts(&doc, &found);
}

#[test]
fn acronyms_that_fold_to_stopwords_are_names() {
    let text = "IS fighters left Sirte. Officials say IS is weaker. IS lost ground.";
    let (doc, found) = phrases(text, 3);
    let all = texts(&doc, &found);
    assert_eq!(all[0], "IS", "{all:?}");
    assert_eq!(found[0].count, 3, "the lowercase verb is no acronym");
    // A sentence in capitals has no acronyms.
    let (doc, found) = phrases("WE ARE ALL IN THIS TOGETHER. Rain fell.", 5);
    let all = texts(&doc, &found);
    assert!(
        !all.iter()
            .any(|t| ["WE", "ARE", "ALL", "IN", "THIS"].contains(t)),
        "{all:?}"
    );
}

#[test]
fn limits_are_kept() {
    assert!(phrases(TEXT, 0).1.is_empty());
    assert_eq!(phrases(TEXT, 2).1.len(), 2);
    assert!(phrases("", 5).1.is_empty());
    assert!(phrases("It is what it is.", 5).1.is_empty());
    // A run of capitals longer than a name is no candidate.
    let (doc, found) = phrases("Alpha Beta Gamma Delta Epsilon Zeta Eta Theta left.", 5);
    assert!(
        texts(&doc, &found).iter().all(|t| !t.contains(' ')),
        "{found:?}"
    );
}

#[test]
fn names_and_noun_phrases_in_another_language() {
    let text = "La Banque de France a relevé ses prévisions. \
        Selon la Banque de France, la croissance économique ralentit. \
        La croissance économique reste faible cette année.";
    let doc = Document::analyze(text, Language::from_code("fr"));
    let found = extract(&View::all(&doc), 10);
    assert_eq!(find(&doc, &found, "Banque de France").count, 2);
    assert_eq!(find(&doc, &found, "croissance économique").count, 2);
    assert_no_parts(&doc, &found);
}

#[test]
fn every_connector_and_title_is_short_enough_to_be_looked_up() {
    use super::candidates::{CONNECTORS, HONORIFICS, MAX_SHORT_WORD_BYTES};
    for word in CONNECTORS.iter().chain(HONORIFICS) {
        assert!(word.len() < MAX_SHORT_WORD_BYTES, "{word}");
    }
}
