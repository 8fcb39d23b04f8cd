//! Deterministic synthetic English news copy for the benchmarks, and the
//! criterion settings they share.
//!
//! The text is generated here (a fixed seed and a xorshift generator) from a
//! few hundred hand-written words and sentence templates: a stream of short
//! articles, each a headline and paragraphs about one topic. Word choice is
//! skewed so that some words are frequent and most are rare, and made-up
//! names and places give the long tail of proper nouns real news has;
//! without it every content word would occur in hundreds of sentences and
//! the sentence graph would look nothing like a real document's.
#![allow(dead_code)] // each bench uses a different part

use std::time::Duration;

use criterion::{SamplingMode, Throughput};

/// The input sizes, with their labels.
pub const SIZES: [(&str, usize); 3] = [("5KB", 5_000), ("100KB", 100_000), ("1MiB", 1 << 20)];

/// xorshift64*: tiny, fast and good enough to pick words.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize % n
    }

    /// Skewed towards the start of the list: index `n · u²`.
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u * n as f64) as usize).min(n - 1)
    }

    pub fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len())]
    }

    pub fn pick_skewed<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.skewed(words.len())]
    }
}

const SUBJECTS: &[&str] = &[
    "The government",
    "Officials",
    "The central bank",
    "Investors",
    "The company",
    "Local residents",
    "The minister",
    "Analysts",
    "Police",
    "The council",
    "Researchers",
    "Union leaders",
    "The board",
    "Farmers",
    "Doctors",
    "Teachers",
    "The prosecutor",
    "Lawmakers",
    "The mayor",
    "Regulators",
    "Shareholders",
    "The committee",
    "Aid agencies",
    "The army",
    "Voters",
    "Economists",
    "Engineers",
    "The court",
    "Scientists",
    "Diplomats",
    "Protesters",
    "The airline",
    "Hospital staff",
    "Energy firms",
    "The opposition",
    "Coastal towns",
    "Rescue teams",
    "The ministry",
    "Retailers",
];

const VERBS_PAST: &[&str] = &[
    "announced",
    "warned about",
    "confirmed",
    "rejected",
    "approved",
    "criticised",
    "welcomed",
    "reported",
    "delayed",
    "proposed",
    "investigated",
    "defended",
    "questioned",
    "expanded",
    "suspended",
    "reviewed",
    "backed",
    "blocked",
    "funded",
    "cancelled",
    "postponed",
    "launched",
    "completed",
    "challenged",
    "revised",
    "doubled",
    "cut",
    "raised",
    "unveiled",
    "abandoned",
];

const VERBS_BASE: &[&str] = &[
    "announce",
    "reject",
    "approve",
    "delay",
    "propose",
    "investigate",
    "defend",
    "expand",
    "suspend",
    "review",
    "back",
    "block",
    "fund",
    "cancel",
    "postpone",
    "launch",
    "complete",
    "challenge",
    "revise",
    "double",
    "cut",
    "raise",
    "unveil",
    "abandon",
    "extend",
    "replace",
];

const ADJECTIVES: &[&str] = &[
    "new",
    "controversial",
    "long-awaited",
    "emergency",
    "national",
    "regional",
    "record",
    "temporary",
    "ambitious",
    "costly",
    "sweeping",
    "modest",
    "fragile",
    "final",
    "revised",
    "early",
    "annual",
    "public",
    "private",
    "federal",
    "local",
    "major",
    "unexpected",
    "urgent",
    "disputed",
    "quarterly",
    "global",
    "rural",
    "coastal",
    "digital",
    "independent",
    "joint",
];

const NOUNS: &[&str] = &[
    "budget",
    "plan",
    "report",
    "investigation",
    "agreement",
    "election",
    "inquiry",
    "strike",
    "program",
    "policy",
    "tax",
    "reform",
    "contract",
    "deal",
    "merger",
    "bill",
    "vote",
    "ceasefire",
    "trial",
    "forecast",
    "survey",
    "loan",
    "subsidy",
    "tariff",
    "pension",
    "fund",
    "project",
    "license",
    "ruling",
    "review",
    "audit",
    "shortage",
    "outbreak",
    "flood",
    "drought",
    "wildfire",
    "harbour",
    "railway",
    "bridge",
    "pipeline",
    "factory",
    "refinery",
    "hospital",
    "school",
    "university",
    "airport",
    "election",
    "campaign",
    "summit",
    "treaty",
    "sanction",
    "vaccine",
    "market",
    "currency",
    "inflation",
    "unemployment",
    "wage",
    "rent",
    "housing",
    "deficit",
    "export",
    "import",
    "harvest",
    "fishery",
    "mine",
    "dam",
    "reactor",
    "satellite",
    "network",
    "platform",
    "lawsuit",
    "settlement",
    "recall",
    "dividend",
    "bond",
    "stake",
];

const NOUNS_PLURAL: &[&str] = &[
    "talks",
    "protests",
    "delays",
    "losses",
    "profits",
    "prices",
    "rates",
    "costs",
    "shortages",
    "floods",
    "layoffs",
    "strikes",
    "complaints",
    "arrests",
    "exports",
    "imports",
    "sales",
    "wages",
    "rents",
    "fares",
    "tensions",
    "fears",
    "concerns",
    "warnings",
    "payments",
    "claims",
];

const ROLES: &[&str] = &[
    "spokesperson",
    "senior analyst",
    "professor",
    "director",
    "chief economist",
    "lawyer",
    "union representative",
    "former minister",
    "local official",
    "researcher",
    "manager",
];

const ORGS: &[&str] = &[
    "university",
    "central bank",
    "trade union",
    "ministry of finance",
    "chamber of commerce",
    "health authority",
    "transport agency",
    "energy regulator",
    "city council",
    "research institute",
];

const TIMES: &[&str] = &[
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "on Thursday",
    "on Friday",
    "last week",
    "this month",
    "last year",
    "earlier this year",
    "overnight",
    "in March",
    "in June",
    "in September",
    "in December",
    "since January",
    "for the first time",
];

const UNITS: &[&str] = &[
    "percent",
    "million dollars",
    "billion euros",
    "tonnes",
    "jobs",
    "homes",
    "kilometres",
    "passengers",
    "patients",
    "barrels a day",
];

/// Syllables of made-up names and places: 30³ three-syllable names, the
/// long tail of proper nouns.
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mer", "vin", "tra", "sel", "do", "ra", "quin", "bel", "mar", "tos", "fen", "gri",
    "ha", "jul", "nor", "pe", "sta", "vel", "zan", "ore", "bru", "cal", "dan", "el", "gor", "is",
    "lan", "mo",
];

/// A made-up proper noun: a few thousand frequent ones, skewed.
fn name(rng: &mut Rng) -> String {
    let a = SYLLABLES[rng.skewed(SYLLABLES.len())];
    let b = SYLLABLES[rng.below(SYLLABLES.len())];
    let c = if rng.below(2) == 0 {
        SYLLABLES[rng.below(SYLLABLES.len())]
    } else {
        ""
    };
    let mut s = String::with_capacity(12);
    let mut chars = a.chars();
    if let Some(first) = chars.next() {
        s.extend(first.to_uppercase());
    }
    s.push_str(chars.as_str());
    s.push_str(b);
    s.push_str(c);
    s
}

/// One article's topic: words its sentences come back to.
struct Topic {
    place: String,
    person: String,
    noun: &'static str,
    adjective: &'static str,
}

impl Topic {
    fn new(rng: &mut Rng) -> Self {
        Self {
            place: name(rng),
            person: format!("{} {}", name(rng), name(rng)),
            noun: rng.pick_skewed(NOUNS),
            adjective: rng.pick(ADJECTIVES),
        }
    }
}

/// Appends one sentence about `topic`.
fn sentence(rng: &mut Rng, topic: &Topic, out: &mut String) {
    // Mostly the topic's words, sometimes others.
    let noun = if rng.below(3) == 0 {
        rng.pick_skewed(NOUNS)
    } else {
        topic.noun
    };
    let adjective = if rng.below(2) == 0 {
        rng.pick(ADJECTIVES)
    } else {
        topic.adjective
    };
    let place = if rng.below(4) == 0 {
        name(rng)
    } else {
        topic.place.clone()
    };
    let subject = rng.pick_skewed(SUBJECTS);
    let s = match rng.below(7) {
        0 => format!(
            "{subject} {} the {adjective} {noun} in {place} {}.",
            rng.pick_skewed(VERBS_PAST),
            rng.pick(TIMES)
        ),
        1 => format!(
            "{subject} said the {noun} would {} {} {} by the end of the year.",
            rng.pick(VERBS_BASE),
            rng.pick(ADJECTIVES),
            rng.pick_skewed(NOUNS_PLURAL)
        ),
        2 => format!(
            "According to {}, {} {} rose by {}.{} {} {}.",
            topic.person,
            noun,
            rng.pick_skewed(NOUNS_PLURAL),
            rng.below(20),
            rng.below(10),
            rng.pick(UNITS),
            rng.pick(TIMES)
        ),
        3 => format!(
            "{}, a {} at the {} {}, said {} had {} the {noun} after weeks of {}.",
            topic.person,
            rng.pick(ROLES),
            place,
            rng.pick(ORGS),
            subject.to_lowercase(),
            rng.pick(VERBS_PAST),
            rng.pick_skewed(NOUNS_PLURAL)
        ),
        4 => format!(
            "\"The {noun} is {adjective} and the {} are real,\" {} told reporters in {place}.",
            rng.pick_skewed(NOUNS_PLURAL),
            topic.person
        ),
        5 => format!(
            "The {adjective} {noun} will cost about {} {} and affect {} {} across {place}.",
            rng.below(900) + 10,
            rng.pick(UNITS),
            rng.below(90) + 5,
            rng.pick(UNITS)
        ),
        _ => format!(
            "Critics in {place} argue that {} {} could {} the {} {} while {} {}.",
            rng.pick(ADJECTIVES),
            rng.pick_skewed(NOUNS_PLURAL),
            rng.pick(VERBS_BASE),
            topic.adjective,
            topic.noun,
            rng.pick_skewed(NOUNS_PLURAL),
            if rng.below(2) == 0 {
                "keep rising"
            } else {
                "remain uncertain"
            }
        ),
    };
    out.push_str(&s);
}

/// About `bytes` of news copy: articles of a headline and 2 to 6 paragraphs
/// of 2 to 5 sentences, separated by blank lines. Same output for the same
/// size, every run.
pub fn news(bytes: usize) -> String {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ bytes as u64);
    let mut out = String::with_capacity(bytes + 512);
    while out.len() < bytes {
        let topic = Topic::new(&mut rng);
        // Headline: short, no final punctuation.
        let headline = format!(
            "{} {} {} in {}\n\n",
            rng.pick_skewed(SUBJECTS),
            rng.pick(VERBS_PAST),
            topic.noun,
            topic.place
        );
        out.push_str(&headline);
        for _ in 0..2 + rng.below(5) {
            for k in 0..2 + rng.below(4) {
                if k > 0 {
                    out.push(' ');
                }
                sentence(&mut rng, &topic, &mut out);
            }
            out.push_str("\n\n");
            if out.len() >= bytes {
                break;
            }
        }
    }
    out
}

/// Group settings by size: the 1 MiB inputs take tens or hundreds of
/// milliseconds an iteration, so they get few, flat samples.
pub fn configure(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    size: usize,
) {
    group.throughput(Throughput::Bytes(size as u64));
    group.warm_up_time(Duration::from_millis(500));
    if size >= 1 << 20 {
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .measurement_time(Duration::from_secs(2));
    } else {
        group
            .sample_size(20)
            .sampling_mode(SamplingMode::Auto)
            .measurement_time(Duration::from_millis(1500));
    }
}
