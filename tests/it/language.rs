//! Language choice: detection on short texts, the default language where
//! detection is unsure, and how a response says which it used, through the
//! library and through the real server.

use crate::common;

use common::TestServer;
use textanalysis::proto::v1::{
    ClassifyRequest, CompareRequest, LanguageSource as PbSource, SummarizeRequest,
};
use textanalysis::server::ServerConfig;
use textanalysis::text::Language;
use textanalysis::text::language::LanguageSource;

/// Short English texts written for these tests: support tickets, chat
/// messages and headlines of 3 to 8 words, one per line.
const SHORT_ENGLISH: &str = include_str!("../fixtures/short_english.txt");

/// Short texts in other languages, each with a few of its own stopwords:
/// detection must not force them into the default language.
const SHORT_OTHERS: [(&str, &str); 12] = [
    ("fr", "Je ne trouve pas mon mot de passe"),
    ("fr", "Où est ma commande ?"),
    ("de", "Ich kann mich nicht mehr anmelden"),
    ("de", "Wo ist meine Bestellung?"),
    ("es", "No puedo entrar en mi cuenta"),
    ("es", "¿Dónde está mi pedido?"),
    ("it", "Non riesco a cambiare la mia password"),
    ("pt", "Não consigo acessar a minha conta"),
    ("nl", "Ik kan niet inloggen op mijn account"),
    ("ru", "Я не могу войти в свой аккаунт"),
    ("el", "Δεν μπορώ να συνδεθώ στον λογαριασμό μου"),
    ("sv", "Jag kan inte logga in på mitt konto"),
];

fn english() -> Language {
    Language::english()
}

#[test]
fn short_english_texts_are_read_as_english() {
    let texts: Vec<&str> = SHORT_ENGLISH.lines().filter(|l| !l.is_empty()).collect();
    assert!(texts.len() >= 200, "{} texts", texts.len());
    for text in &texts {
        let words = text.split_whitespace().count();
        assert!((3..=8).contains(&words), "{text:?} has {words} words");
    }
    let wrong: Vec<(&str, &str)> = texts
        .iter()
        .map(|text| (*text, Language::detect_or(text, english()).language.code()))
        .filter(|(_, code)| *code != "en")
        .collect();
    // At least 98%: at most 2 in 100 may go wrong.
    assert!(
        wrong.len() * 50 <= texts.len(),
        "{} of {} read as another language: {wrong:?}",
        wrong.len(),
        texts.len()
    );
}

#[test]
fn short_texts_with_their_own_stopwords_keep_their_language() {
    for (code, text) in SHORT_OTHERS {
        let choice = Language::detect_or(text, english());
        assert_eq!(choice.language.code(), code, "{text:?}");
        assert_eq!(choice.source, LanguageSource::Detected, "{text:?}");
    }
}

#[test]
fn the_fallback_is_used_only_where_detection_is_unsure() {
    let german = Language::from_code("de").unwrap();
    // Two words with no stopword: nothing to go on.
    let unsure = Language::detect_or("Password reset", german);
    assert_eq!(unsure.language.code(), "de");
    assert_eq!(unsure.source, LanguageSource::Default);
    // A sentence of English news decides by its stopwords whatever the
    // fallback.
    let news = "The government said on Monday that the talks in Vienna would continue \
                for another week, and that both sides had agreed to meet again.";
    let sure = Language::detect_or(news, german);
    assert_eq!(sure.language.code(), "en");
    assert_eq!(sure.source, LanguageSource::Detected);
}

#[test]
fn the_example_clients_multilingual_texts_are_english() {
    for name in [
        "festival.txt",
        "festival-edited.txt",
        "match-report.txt",
        "recipe.txt",
    ] {
        let path = format!(
            "{}/examples/clients-testdata/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).expect("example text");
        let choice = Language::detect_or(&text, Language::from_code("de").unwrap());
        assert_eq!(choice.language.code(), "en", "{name}");
        assert_eq!(choice.source, LanguageSource::Detected, "{name}");
    }
}

#[tokio::test]
async fn responses_say_where_the_language_came_from() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let classify = |text: &str, language: &str| ClassifyRequest {
        text: text.into(),
        language: language.into(),
        ..Default::default()
    };
    let short = client
        .classify(classify("I forgot my password.", ""))
        .await
        .expect("classify")
        .into_inner();
    assert_eq!(short.language, "en");
    assert_eq!(short.language_source(), PbSource::Default);
    let named = client
        .classify(classify("I forgot my password.", "de"))
        .await
        .expect("classify")
        .into_inner();
    assert_eq!(named.language, "de");
    assert_eq!(named.language_source(), PbSource::Requested);
    let french = client
        .summarize(SummarizeRequest {
            text: "Je ne trouve pas mon mot de passe.".into(),
            ..Default::default()
        })
        .await
        .expect("summarize")
        .into_inner();
    assert_eq!(french.language, "fr");
    assert_eq!(french.language_source(), PbSource::Detected);
    let compared = client
        .compare(CompareRequest {
            text_a: "Refund not received yet".into(),
            text_b: "Still waiting for my refund".into(),
            ..Default::default()
        })
        .await
        .expect("compare")
        .into_inner();
    assert_eq!(compared.language, "en");
    assert_eq!(compared.language_source(), PbSource::Default);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn the_default_language_is_configurable() {
    let server = TestServer::start_with(ServerConfig {
        default_language: Language::from_code("de").unwrap(),
        ..ServerConfig::default()
    })
    .await;
    let answer = server
        .client()
        .await
        .classify(ClassifyRequest {
            text: "Passwort vergessen".into(),
            ..Default::default()
        })
        .await
        .expect("classify")
        .into_inner();
    assert_eq!(answer.language, "de");
    assert_eq!(answer.language_source(), PbSource::Default);
    server.stop().await.expect("clean stop");
}
