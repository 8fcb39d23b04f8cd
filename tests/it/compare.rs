//! Compare through the real server: verdicts, alignment, word-level diffs,
//! signatures, offsets in every unit, and bad input.

use crate::common;

use common::{TestServer, WIRE_STYLE};
use textanalysis::proto::v1::{
    CompareRequest, CompareResponse, DiffOp, OffsetUnit, Verdict, VerdictThresholds,
};
use tonic::Code;
use tonic_types::StatusExt;

/// [`WIRE_STYLE`] as another outlet republished it: a changed phrase, a
/// photo caption, an extra sentence, no comment box.
const REPUBLISHED: &str = "Ministers meet to discuss the drought in Freedonia

A farmer walks across a dry field near the southern border on May 3, 2026.

Freedonia (NWS): Ministers from six countries met in Geneva on Tuesday to discuss the drought in Freedonia, just across the sea from Europe. The drought has ruined harvests across the south since the spring.

The talks, under way since 0930 GMT, are chaired by the U.N. envoy Dr. Maria Okafor and Gen. Tomas Berg.

“We have a lot of work to do,” Okafor told reporters at the city’s old Hotel Bristol.

Aid agencies say 5,000 families have abandoned their farms… and the number is still rising.

Officials said rainfall was 3.5% of the usual level, the lowest since records began.

The next meeting is planned for June in Vienna.
";

async fn compare(server: &TestServer, request: CompareRequest) -> CompareResponse {
    server
        .client()
        .await
        .compare(request)
        .await
        .expect("compare succeeds")
        .into_inner()
}

fn pair(a: &str, b: &str) -> CompareRequest {
    CompareRequest {
        text_a: a.into(),
        text_b: b.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn republished_story_is_a_near_duplicate_with_aligned_edits() {
    let server = TestServer::start().await;
    let response = compare(
        &server,
        CompareRequest {
            include_diff: true,
            ..pair(WIRE_STYLE, REPUBLISHED)
        },
    )
    .await;
    assert_eq!(
        response.verdict,
        Verdict::NearDuplicate as i32,
        "{response:#?}"
    );
    let similarity = response.similarity.expect("similarity");
    for value in [
        similarity.score,
        similarity.cosine,
        similarity.jaccard,
        similarity.containment_a,
        similarity.containment_b,
    ] {
        assert!((0.0..=1.0).contains(&value));
    }
    assert!(response.alignments.len() >= 6, "{:#?}", response.alignments);
    // The edited sentence is aligned, with its change as word-level spans.
    let edited = response
        .alignments
        .iter()
        .find(|p| {
            p.a.as_ref()
                .is_some_and(|a| a.text.contains("left their farms"))
        })
        .expect("the edited sentence is aligned");
    assert!(
        edited
            .b
            .as_ref()
            .expect("b")
            .text
            .contains("abandoned their farms")
    );
    let ops = |op: DiffOp| -> Vec<&str> {
        edited
            .diff
            .iter()
            .filter(|d| d.op == op as i32)
            .map(|d| d.text.as_str())
            .collect()
    };
    assert!(
        ops(DiffOp::Delete).iter().any(|t| t.contains("left")),
        "{:#?}",
        edited.diff
    );
    assert!(
        ops(DiffOp::Insert).iter().any(|t| t.contains("abandoned")),
        "{:#?}",
        edited.diff
    );
    // What only one side has.
    let unique = |refs: &[textanalysis::proto::v1::SentenceRef]| -> Vec<String> {
        refs.iter().map(|r| r.text.clone()).collect()
    };
    let only_a = unique(&response.unique_a);
    let only_b = unique(&response.unique_b);
    // A's comment box is furniture, not a sentence B lacks.
    assert!(only_a.is_empty(), "{only_a:?}");
    assert!(
        only_b.iter().any(|t| t.starts_with("A farmer walks")),
        "{only_b:?}"
    );
    assert!(
        only_b.iter().any(|t| t.starts_with("The next meeting")),
        "{only_b:?}"
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn furniture_is_left_out_and_counted_unless_kept() {
    let server = TestServer::start().await;
    let texts = |refs: &[textanalysis::proto::v1::SentenceRef]| -> Vec<String> {
        refs.iter().map(|r| r.text.clone()).collect()
    };
    let removed = compare(&server, pair(WIRE_STYLE, REPUBLISHED)).await;
    // A: the headline, the subhead and the comment box; B: the headline.
    assert_eq!(
        (
            removed.removed_sentence_count_a,
            removed.removed_sentence_count_b
        ),
        (3, 1),
        "{removed:#?}"
    );
    let furniture = [
        "Leave a comment",
        "Ministers meet to discuss the drought in Freedonia",
        "– ‘No water, no peace’ –",
    ];
    let refs = removed
        .alignments
        .iter()
        .filter_map(|p| p.a.as_ref())
        .chain(&removed.unique_a);
    for r in refs {
        assert!(!furniture.contains(&r.text.as_str()), "{r:?}");
        assert!(!r.text.contains("(NWS)"), "the dateline is cut off: {r:?}");
    }
    let lead = removed
        .alignments
        .iter()
        .filter_map(|p| p.a.as_ref())
        .find(|r| r.index == 1)
        .expect("the lead is aligned");
    assert!(lead.text.starts_with("Ministers from six countries met"));
    assert_eq!(
        &WIRE_STYLE[lead.offset as usize..(lead.offset + lead.length) as usize],
        lead.text
    );

    let kept = compare(
        &server,
        CompareRequest {
            keep_boilerplate: true,
            ..pair(WIRE_STYLE, REPUBLISHED)
        },
    )
    .await;
    assert_eq!(
        (kept.removed_sentence_count_a, kept.removed_sentence_count_b),
        (0, 0)
    );
    let only_a = texts(&kept.unique_a);
    assert!(only_a.iter().any(|t| t == "Leave a comment"), "{only_a:?}");
    assert!(
        kept.alignments
            .iter()
            .filter_map(|p| p.a.as_ref())
            .any(|r| r.text.starts_with("Freedonia (NWS): Ministers")),
        "kept, the dateline is compared with its sentence"
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn offsets_slice_both_texts_in_every_unit() {
    let server = TestServer::start().await;
    let a = format!("{WIRE_STYLE}\nÉmilie’s café 👩‍👩‍👧 served crêpes.");
    let b = format!("{REPUBLISHED}\nÉmilie’s café 👩‍👩‍👧 served naïve crêpes.");
    for unit in [
        OffsetUnit::Utf8Byte,
        OffsetUnit::CodePoint,
        OffsetUnit::Utf16CodeUnit,
    ] {
        let response = compare(
            &server,
            CompareRequest {
                offset_unit: unit as i32,
                include_diff: true,
                ..pair(&a, &b)
            },
        )
        .await;
        let slice =
            |text: &str, offset: u32, length: u32| common::slice(text, unit, offset, length);
        for p in &response.alignments {
            let (ra, rb) = (p.a.as_ref().expect("a"), p.b.as_ref().expect("b"));
            assert_eq!(slice(&a, ra.offset, ra.length), ra.text, "{unit:?}");
            assert_eq!(slice(&b, rb.offset, rb.length), rb.text, "{unit:?}");
            for d in &p.diff {
                let text = if d.op == DiffOp::Insert as i32 {
                    slice(&b, d.b_offset, d.b_length)
                } else {
                    slice(&a, d.a_offset, d.a_length)
                };
                assert_eq!(text, d.text, "{unit:?} {d:?}");
            }
        }
        for r in &response.unique_a {
            assert_eq!(slice(&a, r.offset, r.length), r.text);
        }
        for r in &response.unique_b {
            assert_eq!(slice(&b, r.offset, r.length), r.text);
        }
    }
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn verdicts_from_duplicate_to_unrelated() {
    let server = TestServer::start().await;
    // (Without the fixture's missing space after a full stop: "EUROPE.THE"
    // in capitals reads as one word, as "U.S" does.)
    let spaced = WIRE_STYLE.replace("Europe.The", "Europe. The");
    let same = compare(
        &server,
        pair(
            &spaced,
            &spaced
                .to_uppercase()
                .replace([',', '“', '”', '–'], "")
                .replace("\n\n", "  \n "),
        ),
    )
    .await;
    assert_eq!(same.verdict, Verdict::Duplicate as i32);

    let unrelated = compare(
        &server,
        pair(
            WIRE_STYLE,
            "Preheat the oven to 200 degrees. Stir the garlic into the melted butter and \
             pour the sauce over the roasted vegetables before serving.",
        ),
    )
    .await;
    assert_eq!(unrelated.verdict, Verdict::Unrelated as i32);

    // Thresholds are the client's to move: with related at 0, anything
    // that is not a (near-)duplicate is related.
    let lenient = compare(
        &server,
        CompareRequest {
            thresholds: Some(VerdictThresholds {
                related: Some(0.0),
                near_duplicate: None,
            }),
            ..pair(WIRE_STYLE, "Something else entirely, about cats.")
        },
    )
    .await;
    assert_eq!(lenient.verdict, Verdict::Related as i32);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn alignment_can_be_left_out_and_signatures_asked_for() {
    let server = TestServer::start().await;
    let response = compare(
        &server,
        CompareRequest {
            include_alignment: Some(false),
            include_signatures: true,
            ..pair(WIRE_STYLE, REPUBLISHED)
        },
    )
    .await;
    assert!(response.alignments.is_empty());
    let (sa, sb) = (
        response.signature_a.expect("signature a"),
        response.signature_b.expect("signature b"),
    );
    assert_eq!(sa.values.len(), sb.values.len());
    assert_eq!(sa.seed, sb.seed);
    assert!(sa.shingle_size > 0);
    let agree = sa
        .values
        .iter()
        .zip(&sb.values)
        .filter(|(x, y)| x == y)
        .count();
    let estimate = agree as f64 / sa.values.len() as f64;
    let jaccard = response.similarity.expect("similarity").jaccard;
    assert!((estimate - jaccard).abs() < 0.2, "{estimate} vs {jaccard}");
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn bad_compare_input_names_the_fields() {
    let server = TestServer::start().await;
    let status = server
        .client()
        .await
        .compare(CompareRequest {
            text_a: " ".into(),
            text_b: String::new(),
            offset_unit: 9,
            thresholds: Some(VerdictThresholds {
                near_duplicate: Some(1.5),
                related: Some(f64::NAN),
            }),
            ..Default::default()
        })
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::InvalidArgument);
    let details = status.get_error_details();
    let fields: Vec<&str> = details
        .bad_request()
        .expect("BadRequest")
        .field_violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "text_a",
            "text_b",
            "offset_unit",
            "thresholds.near_duplicate",
            "thresholds.related"
        ]
    );
    server.stop().await.expect("clean stop");
}
