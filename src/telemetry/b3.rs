//! The caller's trace context from B3 headers, Zipkin's format, which
//! Envoy (and so Istio) sends: the single `b3` header or the `X-B3-*` ones.
//!
//! Written here because OpenTelemetry's Rust project ships its B3
//! propagator only inside the Zipkin exporter crate, which it deprecated;
//! reading the headers is the whole of it, and the service calls no one,
//! so it never injects them.

use std::sync::LazyLock;

use opentelemetry::Context;
use opentelemetry::propagation::text_map_propagator::FieldIter;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};

const SINGLE: &str = "b3";
const TRACE_ID: &str = "x-b3-traceid";
const SPAN_ID: &str = "x-b3-spanid";
const SAMPLED: &str = "x-b3-sampled";
const FLAGS: &str = "x-b3-flags";

static FIELDS: LazyLock<[String; 5]> =
    LazyLock::new(|| [SINGLE, TRACE_ID, SPAN_ID, SAMPLED, FLAGS].map(String::from));

/// Extracts B3 trace context; the single header wins over the multiple
/// ones when both are valid.
#[derive(Debug, Default, Clone, Copy)]
pub struct B3;

impl TextMapPropagator for B3 {
    fn inject_context(&self, _cx: &Context, _injector: &mut dyn Injector) {}

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        match single(extractor).or_else(|| multiple(extractor)) {
            Some(span) => cx.with_remote_span_context(span),
            None => cx.clone(),
        }
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::new(FIELDS.as_slice())
    }
}

/// `b3: {trace id}-{span id}[-{sampling}[-{parent span id}]]`. A lone
/// sampling state ("0") carries no context.
fn single(extractor: &dyn Extractor) -> Option<SpanContext> {
    let mut parts = extractor.get(SINGLE)?.trim().split('-');
    let trace = trace_id(parts.next()?)?;
    let span = span_id(parts.next()?)?;
    let flags = match parts.next() {
        None => deferred(),
        Some(state) => sampling(state)?,
    };
    if let Some(parent) = parts.next() {
        span_id(parent)?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(remote(trace, span, flags))
}

/// `X-B3-TraceId`, `X-B3-SpanId`, and `X-B3-Sampled` or `X-B3-Flags`.
fn multiple(extractor: &dyn Extractor) -> Option<SpanContext> {
    let trace = trace_id(extractor.get(TRACE_ID)?.trim())?;
    let span = span_id(extractor.get(SPAN_ID)?.trim())?;
    let flags = if extractor.get(FLAGS).map(str::trim) == Some("1") {
        TraceFlags::SAMPLED
    } else {
        match extractor.get(SAMPLED).map(str::trim) {
            None => deferred(),
            // Older tracers send booleans.
            Some("1" | "true") => TraceFlags::SAMPLED,
            Some("0" | "false") => TraceFlags::default(),
            Some(_) => return None,
        }
    };
    Some(remote(trace, span, flags))
}

/// A caller that leaves the decision to us (no sampling state) is traced:
/// it sent its trace id to be followed.
fn deferred() -> TraceFlags {
    TraceFlags::SAMPLED
}

/// The single header's sampling state: `1`, `0`, or `d` (debug: sampled).
fn sampling(state: &str) -> Option<TraceFlags> {
    match state {
        "1" | "d" => Some(TraceFlags::SAMPLED),
        "0" => Some(TraceFlags::default()),
        _ => None,
    }
}

fn remote(trace: TraceId, span: SpanId, flags: TraceFlags) -> SpanContext {
    SpanContext::new(trace, span, flags, true, TraceState::default())
}

/// 32 or 16 lower-case hex digits (a 64-bit id is the 128-bit id's low
/// half), not all zero.
fn trace_id(hex: &str) -> Option<TraceId> {
    if !(hex.len() == 32 || hex.len() == 16) || !lower_hex(hex) {
        return None;
    }
    let id = TraceId::from_hex(hex).ok()?;
    (id != TraceId::INVALID).then_some(id)
}

/// 16 lower-case hex digits, not all zero.
fn span_id(hex: &str) -> Option<SpanId> {
    if hex.len() != 16 || !lower_hex(hex) {
        return None;
    }
    let id = SpanId::from_hex(hex).ok()?;
    (id != SpanId::INVALID).then_some(id)
}

fn lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const TRACE: &str = "80f198ee56343ba864fe8b2a57d3eff7";
    const SPAN: &str = "e457b5a2e4d86bd1";

    fn extract(headers: &[(&str, &str)]) -> SpanContext {
        let map: HashMap<String, String> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        B3.extract(&map).span().span_context().clone()
    }

    #[test]
    fn reads_the_single_header_with_its_sampling_state_and_parent() {
        let span = extract(&[(SINGLE, &format!("{TRACE}-{SPAN}-1-05e3ac9a4f6e3b90"))]);
        assert_eq!(span.trace_id().to_string(), TRACE);
        assert_eq!(span.span_id().to_string(), SPAN);
        assert!(span.is_sampled() && span.is_remote());

        let span = extract(&[(SINGLE, &format!("{TRACE}-{SPAN}-0"))]);
        assert!(span.is_valid() && !span.is_sampled());
        let span = extract(&[(SINGLE, &format!("{TRACE}-{SPAN}-d"))]);
        assert!(span.is_sampled());
        let span = extract(&[(SINGLE, &format!("{TRACE}-{SPAN}"))]);
        assert!(
            span.is_sampled(),
            "no sampling state: ours to decide, and traced"
        );
    }

    #[test]
    fn reads_the_multiple_headers() {
        let span = extract(&[(TRACE_ID, TRACE), (SPAN_ID, SPAN), (SAMPLED, "1")]);
        assert_eq!(span.trace_id().to_string(), TRACE);
        assert_eq!(span.span_id().to_string(), SPAN);
        assert!(span.is_sampled());
        let span = extract(&[(TRACE_ID, TRACE), (SPAN_ID, SPAN), (SAMPLED, "0")]);
        assert!(span.is_valid() && !span.is_sampled());
        let span = extract(&[
            (TRACE_ID, TRACE),
            (SPAN_ID, SPAN),
            (SAMPLED, "0"),
            (FLAGS, "1"),
        ]);
        assert!(span.is_sampled(), "the debug flag samples");
    }

    #[test]
    fn a_64_bit_trace_id_is_the_low_half() {
        let span = extract(&[
            (TRACE_ID, "64fe8b2a57d3eff7"),
            (SPAN_ID, SPAN),
            (SAMPLED, "1"),
        ]);
        assert_eq!(
            span.trace_id().to_string(),
            "000000000000000064fe8b2a57d3eff7"
        );
    }

    #[test]
    fn the_single_header_wins_and_bad_values_carry_nothing() {
        let other = "0af7651916cd43dd8448eb211c80319c";
        let span = extract(&[
            (SINGLE, &format!("{TRACE}-{SPAN}-1")),
            (TRACE_ID, other),
            (SPAN_ID, SPAN),
        ]);
        assert_eq!(span.trace_id().to_string(), TRACE);

        for bad in [
            "0".to_string(),
            format!("{}-{SPAN}-1", TRACE.to_uppercase()),
            format!("{TRACE}-{SPAN}-2"),
            format!("{TRACE}-0000000000000000-1"),
            format!("{TRACE}-{SPAN}-1-{SPAN}-extra"),
            format!("{}-{SPAN}", &TRACE[..20]),
        ] {
            assert!(!extract(&[(SINGLE, &bad)]).is_valid(), "{bad}");
        }
        assert!(!extract(&[(TRACE_ID, TRACE)]).is_valid(), "no span id");
        assert!(!extract(&[(TRACE_ID, TRACE), (SPAN_ID, SPAN), (SAMPLED, "yes")]).is_valid());
    }
}
