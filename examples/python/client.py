#!/usr/bin/env python3
"""A Python client of textanalysis, generated from proto/ with grpcio-tools.

The tested reference for Python callers: scripts/check-clients.sh generates the
stubs into examples/python/generated/ (never committed), starts the server and
runs

    python examples/python/client.py ADDR [TESTDATA_DIR]

It calls every RPC and the health check on the texts and expectations of
examples/clients-testdata/ (AnalyzeStream as a feed client would: a
generator of items with ids, answers read by id, dedup on every item), asks
for offsets in code points (what Python's `str` indexes) and checks that
every returned sentence is exactly its own slice of the input. Exits 1 on
any mismatch.
"""

import itertools
import json
import math
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "generated"))

import grpc  # noqa: E402
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from textanalysis.v1 import text_analysis_pb2 as pb  # noqa: E402
from textanalysis.v1 import text_analysis_pb2_grpc as pb_grpc  # noqa: E402

TIMEOUT_SECONDS = 30
# More sentences than the test texts have: a summary of every sentence.
EVERY_SENTENCE = 100
UNITS = (pb.OFFSET_UNIT_CODE_POINT, pb.OFFSET_UNIT_UTF16_CODE_UNIT, pb.OFFSET_UNIT_UTF8_BYTE)


def unit_slice(text, unit, offset, length):
    """The slice of `text` at `offset`, `length` counted in `unit`. Code points
    are Python's own indexing; the other two go through the encoded bytes, and
    a slice that cuts a character fails to decode."""
    if unit == pb.OFFSET_UNIT_CODE_POINT:
        return text[offset : offset + length]
    if unit == pb.OFFSET_UNIT_UTF16_CODE_UNIT:
        data = text.encode("utf-16-le")
        return data[2 * offset : 2 * (offset + length)].decode("utf-16-le")
    return text.encode("utf-8")[offset : offset + length].decode("utf-8")


def unit_length(text, unit):
    """The length of `text` in `unit`."""
    if unit == pb.OFFSET_UNIT_CODE_POINT:
        return len(text)
    if unit == pb.OFFSET_UNIT_UTF16_CODE_UNIT:
        return len(text.encode("utf-16-le")) // 2
    return len(text.encode("utf-8"))


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def check_ref(text, unit, ref, what):
    """A sentence reference (offset, length, text) is exactly its slice."""
    got = unit_slice(text, unit, ref.offset, ref.length)
    expect(
        got == ref.text,
        f"{what}: slice {ref.offset}+{ref.length} in {pb.OffsetUnit.Name(unit)} is {got!r}, text is {ref.text!r}",
    )
    expect(ref.text.strip() != "", f"{what}: empty sentence")


def check_stream_answer(item, answer):
    """One stream answer against its case: the status code the item fails
    with alone (`error`), or an answer that names the earlier item it repeats
    (`duplicate_of`) or none."""
    what = answer.id
    if "error" in item:
        # google.rpc.Status carries the code as a number.
        want = grpc.StatusCode[item["error"]].value[0]
        expect(answer.WhichOneof("result") == "error", f"{what}: {answer.WhichOneof('result')}, not an error")
        expect(answer.error.code == want, f"{what}: code {answer.error.code}, not {want} ({item['error']})")
        expect(answer.error.message, f"{what}: the error says nothing")
        return
    expect(answer.WhichOneof("result") == "response", f"{what}: failed: {answer.error}")
    expect(not answer.response.errors, f"{what}: parts failed: {list(answer.response.errors)}")
    expect(answer.response.summarize.sentences, f"{what}: no summary")
    if "duplicate_of" in item:
        expect(answer.HasField("duplicate_of"), f"{what}: not marked as a copy")
        expect(answer.duplicate_of.id == item["duplicate_of"], f"{what}: duplicate of {answer.duplicate_of.id!r}")
        expect(0 < answer.duplicate_of.similarity <= 1, f"{what}: similarity {answer.duplicate_of.similarity}")
    else:
        expect(not answer.HasField("duplicate_of"), f"{what}: marked as a copy of {answer.duplicate_of.id!r}")


class Checks:
    """One method per check; each raises on the first mismatch."""

    def __init__(self, addr, data_dir):
        self.channel = grpc.insecure_channel(addr)
        self.stub = pb_grpc.TextAnalysisServiceStub(self.channel)
        self.health = health_pb2_grpc.HealthStub(self.channel)
        self.data_dir = data_dir
        self.cases = json.loads(self.text("cases.json"))

    def text(self, name):
        # The file's exact characters (no newline translation), as the server sees them.
        return (self.data_dir / name).read_bytes().decode("utf-8")

    def health_check(self):
        for service in self.cases["health_services"]:
            reply = self.health.Check(health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT_SECONDS)
            expect(reply.status == health_pb2.HealthCheckResponse.SERVING, f"health of {service!r}: {reply.status}")

    def list_models(self):
        want = self.cases["models"]
        reply = self.stub.ListModels(pb.ListModelsRequest(), timeout=TIMEOUT_SECONDS)
        by_name = {m.name: m for m in reply.models}
        expect(want["default"] in by_name, f"models listed: {sorted(by_name)}")
        default = by_name[want["default"]]
        expect(default.is_default, "the default model is not marked default")
        expect(sorted(default.labels) == want["labels"], f"labels: {list(default.labels)}")
        expect(0 < default.accuracy <= 1 and 0 < default.macro_f1 <= 1, "accuracy or macro-F1 out of (0, 1]")
        expect(sum(m.is_default for m in reply.models) == 1, "not exactly one default model")
        want_encoder = self.cases["embed"]
        expect(reply.HasField("encoder"), "no sentence encoder listed")
        expect(reply.encoder.name == want_encoder["encoder"], f"encoder {reply.encoder.name!r}")
        expect(reply.encoder.dimensions == want_encoder["dimensions"], f"dimensions {reply.encoder.dimensions}")

    def summarize(self, unit, **fields):
        case = self.cases["summarize"]
        text = self.text(case["text"])
        reply = self.stub.Summarize(pb.SummarizeRequest(text=text, offset_unit=unit, **fields), timeout=TIMEOUT_SECONDS)
        expect(reply.sentence_count == case["sentence_count"], f"sentence_count {reply.sentence_count}")
        expect(reply.language == case["language"], f"language {reply.language!r}")
        source = pb.LanguageSource.Name(reply.language_source)
        expect(source == case["language_source"], f"language_source {source}")
        expect(reply.algorithm != pb.SUMMARIZE_ALGORITHM_UNSPECIFIED, "algorithm not named")
        for s in reply.sentences:
            check_ref(text, unit, s, f"sentence {s.index}")
            expect(math.isfinite(s.score), f"sentence {s.index}: score {s.score}")
        return text, reply

    def summarize_all_sentences(self):
        """Every sentence, in document order, in code points: each is its
        own slice of the `str`, and they follow each other without overlap."""
        _, reply = self.summarize(pb.OFFSET_UNIT_CODE_POINT, max_sentences=EVERY_SENTENCE)
        n = reply.sentence_count
        expect([s.index for s in reply.sentences] == list(range(n)), "not every sentence in document order")
        expect(sorted(s.rank for s in reply.sentences) == list(range(1, n + 1)), "ranks are not 1..n")
        for before, after in itertools.pairwise(reply.sentences):
            expect(before.offset + before.length <= after.offset, f"sentences {before.index} and {after.index} overlap")

    def summarize_best_two(self):
        _, reply = self.summarize(
            pb.OFFSET_UNIT_CODE_POINT,
            max_sentences=2,
            algorithm=pb.SUMMARIZE_ALGORITHM_TEXTRANK,
            order=pb.SUMMARY_ORDER_RANK,
        )
        expect([s.rank for s in reply.sentences] == [1, 2], f"ranks {[s.rank for s in reply.sentences]}")
        expect(reply.algorithm == pb.SUMMARIZE_ALGORITHM_TEXTRANK, "not TextRank")
        expect(reply.sentences[0].score >= reply.sentences[1].score, "best first is not best")

    def offset_units_differ(self):
        """The same sentences in the three units: each slices correctly in
        its own unit, and the units really differ on this text."""
        replies = {unit: self.summarize(unit, max_sentences=EVERY_SENTENCE) for unit in UNITS}
        text = replies[UNITS[0]][0]
        lengths = {unit: unit_length(text, unit) for unit in UNITS}
        expect(len(set(lengths.values())) == 3, f"the text's lengths in the three units do not differ: {lengths}")
        sentences = {unit: reply.sentences for unit, (_, reply) in replies.items()}
        texts = {unit: [s.text for s in sentences[unit]] for unit in UNITS}
        expect(texts[UNITS[0]] == texts[UNITS[1]] == texts[UNITS[2]], "the units changed the sentences")
        distinct = [
            i
            for i in range(len(texts[UNITS[0]]))
            if len({sentences[unit][i].offset for unit in UNITS}) == 3
            and len({sentences[unit][i].length for unit in UNITS}) == 3
        ]
        expect(distinct, "no sentence whose offset and length differ in all three units")

    def classify_default_model(self):
        case = self.cases["classify_model"]
        reply = self.stub.Classify(pb.ClassifyRequest(text=self.text(case["text"])), timeout=TIMEOUT_SECONDS)
        labels = [t.label for t in reply.topics]
        expect(labels and labels[0] == case["expected_label"], f"topics {labels}")
        expect(reply.model.name == self.cases["models"]["default"] and not reply.model.ad_hoc, f"model {reply.model}")
        scores = [t.score for t in reply.topics]
        expect(scores == sorted(scores, reverse=True), "scores not best first")
        expect(abs(sum(scores) - 1) < 1e-6, f"probabilities sum to {sum(scores)}")

    def classify_ad_hoc_topics(self):
        case = self.cases["classify_topics"]
        topics = [pb.Topic(**topic) for topic in case["topics"]]
        reply = self.stub.Classify(
            pb.ClassifyRequest(text=self.text(case["text"]), topics=topics), timeout=TIMEOUT_SECONDS
        )
        labels = [t.label for t in reply.topics]
        expect(labels and labels[0] == case["expected_label"], f"topics {labels}")
        expect(sorted(labels) == sorted(t.label for t in topics), f"topics {labels}")
        expect(reply.model.ad_hoc, "model not marked ad hoc")
        expect(all(0 <= t.score <= 1 for t in reply.topics), "similarity out of [0, 1]")
        expect(reply.topics[0].score > reply.topics[1].score, "no clear best topic")

    def compare(self):
        for case in self.cases["compare"]:
            a, b = self.text(case["a"]), self.text(case["b"])
            unit = pb.OFFSET_UNIT_CODE_POINT
            reply = self.stub.Compare(
                pb.CompareRequest(text_a=a, text_b=b, offset_unit=unit, include_diff=True), timeout=TIMEOUT_SECONDS
            )
            what = f"{case['a']} / {case['b']}"
            verdict = pb.Verdict.Name(reply.verdict)
            expect(verdict == case["verdict"], f"{what}: verdict {verdict}")
            sim = reply.similarity
            for name in ("score", "cosine", "jaccard", "containment_a", "containment_b"):
                expect(0 <= getattr(sim, name) <= 1, f"{what}: {name} {getattr(sim, name)}")
            for pair in reply.alignments:
                check_ref(a, unit, pair.a, f"{what}: aligned a {pair.a.index}")
                check_ref(b, unit, pair.b, f"{what}: aligned b {pair.b.index}")
                for span in pair.diff:
                    if span.op in (pb.DIFF_OP_EQUAL, pb.DIFF_OP_DELETE):
                        got = unit_slice(a, unit, span.a_offset, span.a_length)
                    else:
                        got = unit_slice(b, unit, span.b_offset, span.b_length)
                    expect(got == span.text, f"{what}: diff span {span.text!r} slices as {got!r}")
            for ref in reply.unique_a:
                check_ref(a, unit, ref, f"{what}: unique a {ref.index}")
            for ref in reply.unique_b:
                check_ref(b, unit, ref, f"{what}: unique b {ref.index}")
            if case["verdict"] == "VERDICT_NEAR_DUPLICATE":
                expect(
                    reply.alignments and reply.unique_a and reply.unique_b, f"{what}: no alignment or nothing unique"
                )
                expect(
                    any(s.op != pb.DIFF_OP_EQUAL for p in reply.alignments for s in p.diff), f"{what}: no edit found"
                )

    def compare_by_meaning(self):
        """With the encoder, Compare reads meaning: `semantic` is set, and two
        texts that share no content word are related although their words
        alone (tf-idf cosine) say they have nothing in common. Their one
        sentence each may align (their cosine sits at the alignment
        threshold, so either way), and an aligned pair slices the texts."""
        case = self.cases["compare_by_meaning"]
        a, b, unit = case["a"], case["b"], pb.OFFSET_UNIT_CODE_POINT
        reply = self.stub.Compare(pb.CompareRequest(text_a=a, text_b=b, offset_unit=unit), timeout=TIMEOUT_SECONDS)
        sim = reply.similarity
        expect(sim.HasField("semantic"), "no `semantic` similarity: is the server running with the encoder?")
        expect(sim.semantic >= case["min_semantic"], f"semantic {sim.semantic}")
        expect(sim.cosine <= case["max_cosine"], f"cosine {sim.cosine}: the texts share words")
        verdict = pb.Verdict.Name(reply.verdict)
        expect(verdict == case["verdict"], f"verdict {verdict} (score {sim.score}, semantic {sim.semantic})")
        expect(len(reply.alignments) <= case["max_alignments"], f"{len(reply.alignments)} aligned pairs")
        for pair in reply.alignments:
            check_ref(a, unit, pair.a, f"aligned a {pair.a.index}")
            check_ref(b, unit, pair.b, f"aligned b {pair.b.index}")
            expect(pair.similarity >= case["min_semantic"], f"aligned pair's similarity {pair.similarity}")

    def embed(self):
        """Sentence vectors for semantic search in the client's own store:
        each sentence is its own slice of the text, each vector has unit
        length, and the nearest neighbour of the first sentence is its
        paraphrase."""
        case = self.cases["embed"]
        text, unit = case["text"], pb.OFFSET_UNIT_CODE_POINT
        reply = self.stub.Embed(
            pb.EmbedRequest(text=text, include_sentences=True, offset_unit=unit), timeout=TIMEOUT_SECONDS
        )
        expect(reply.encoder.name == case["encoder"], f"encoder {reply.encoder.name!r}")
        expect(reply.encoder.normalization == pb.EMBEDDING_NORMALIZATION_L2, "not L2-normalised")
        expect(len(reply.embedding) == case["dimensions"], f"{len(reply.embedding)} dimensions")
        expect(len(reply.sentences) == case["sentences"], f"{len(reply.sentences)} sentences")
        vectors = []
        for s in reply.sentences:
            check_ref(text, unit, s, f"embedded sentence {s.index}")
            norm = math.sqrt(sum(v * v for v in s.embedding))
            expect(abs(norm - 1) < 1e-4, f"sentence {s.index}: norm {norm}")
            vectors.append(s.embedding)

        def cosine(x, y):
            return sum(a * b for a, b in zip(x, y))

        nearest = max(range(1, len(vectors)), key=lambda i: cosine(vectors[0], vectors[i]))
        expect(nearest == case["nearest_to_first"], f"nearest to the first sentence: {nearest}")

    def analyze(self, **parts):
        """One Analyze call on the case's text, in code points, with `parts`."""
        case = self.cases["analyze"]
        text, unit = self.text(case["text"]), pb.OFFSET_UNIT_CODE_POINT
        request = pb.AnalyzeRequest(text=text, offset_unit=unit, **parts)
        return text, unit, self.stub.Analyze(request, timeout=TIMEOUT_SECONDS)

    def analyze_three_parts(self):
        """A summary, topics and key phrases from one call: the server reads
        the text once for all three, instead of once per RPC."""
        case = self.cases["analyze"]
        text, unit, reply = self.analyze(
            summarize=pb.SummarizeRequest(max_sentences=case["max_sentences"]),
            # An empty message still asks for the part: its defaults (here
            # the default model) apply.
            classify=pb.ClassifyRequest(),
            keyphrases=pb.KeyphrasesRequest(max_keyphrases=case["max_keyphrases"]),
        )
        expect(not reply.errors, f"parts failed: {list(reply.errors)}")
        for part in ("summarize", "classify", "keyphrases"):
            expect(reply.HasField(part), f"no {part} part")
        expect(len(reply.summarize.sentences) == case["max_sentences"], f"{len(reply.summarize.sentences)} sentences")
        for s in reply.summarize.sentences:
            check_ref(text, unit, s, f"summary sentence {s.index}")
        expect(reply.classify.topics, "no topics")
        expect(reply.classify.model.name == self.cases["models"]["default"], f"model {reply.classify.model.name!r}")
        phrases = reply.keyphrases.keyphrases
        expect(0 < len(phrases) <= case["max_keyphrases"], f"{len(phrases)} key phrases")
        for k in phrases:
            # The phrase is written as its first occurrence writes it.
            expect(k.occurrences, f"key phrase {k.text!r}: no occurrence")
            first = k.occurrences[0]
            got = unit_slice(text, unit, first.offset, first.length)
            expect(got == k.text, f"key phrase {k.text!r}: first occurrence slices as {got!r}")

    def analyze_failed_part(self):
        """A part that fails (an unknown model) is reported in `errors` with
        the status its own RPC would give; the other parts still answer."""
        case = self.cases["analyze"]
        _, _, reply = self.analyze(
            summarize=pb.SummarizeRequest(max_sentences=case["max_sentences"]),
            classify=pb.ClassifyRequest(model=case["bad_model"]),
        )
        expect(reply.summarize.sentences, "the summary was lost with the failed part")
        expect(not reply.HasField("classify"), "a failed part answered too")
        got = [(pb.AnalyzePart.Name(e.part), e.status.code) for e in reply.errors]
        want = [("ANALYZE_PART_CLASSIFY", grpc.StatusCode.NOT_FOUND.value[0])]
        expect(got == want, f"errors {got}, not {want}")

    def analyze_stream(self):
        """A feed on one stream: items with ids of the client's choosing,
        all checked for near-duplicates of the earlier ones. Answers come in
        the order they finish, so they are read by id; a bad item gets its
        own status and the stream goes on."""
        items = self.cases["stream"]["items"]

        def requests():
            # grpc sends each item as the generator yields it, while the
            # answers are read below: a feed client yields from its queue.
            for item in items:
                text = self.text(item["file"]) if "file" in item else item["text"]
                yield pb.AnalyzeStreamRequest(
                    id=item["id"],
                    request=pb.AnalyzeRequest(text=text, summarize=pb.SummarizeRequest(max_sentences=1)),
                    # Default threshold (Compare's near-duplicate verdict);
                    # page furniture left out of the comparison.
                    dedup=pb.DedupRequest(),
                )

        # The timeout bounds the whole stream, not each item.
        answers = {}
        for answer in self.stub.AnalyzeStream(requests(), timeout=TIMEOUT_SECONDS):
            expect(answer.id not in answers, f"{answer.id!r} answered twice")
            answers[answer.id] = answer
        expect(sorted(answers) == sorted(i["id"] for i in items), f"answered {sorted(answers)}")
        for item in items:
            check_stream_answer(item, answers[item["id"]])

    def errors(self):
        """Bad requests are refused with the documented codes."""
        for call, request, code in (
            (self.stub.Summarize, pb.SummarizeRequest(text="  "), grpc.StatusCode.INVALID_ARGUMENT),
            (
                self.stub.Classify,
                pb.ClassifyRequest(text="Some text.", model="no-such-model"),
                grpc.StatusCode.NOT_FOUND,
            ),
        ):
            try:
                call(request, timeout=TIMEOUT_SECONDS)
            except grpc.RpcError as err:
                expect(err.code() == code, f"{request}: {err.code()} instead of {code}")
            else:
                raise AssertionError(f"{request} was not refused")


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    data_dir = pathlib.Path(argv[2]) if len(argv) == 3 else HERE.parent / "clients-testdata"
    checks = Checks(argv[1], data_dir)
    names = [
        "health_check",
        "list_models",
        "summarize_all_sentences",
        "summarize_best_two",
        "offset_units_differ",
        "classify_default_model",
        "classify_ad_hoc_topics",
        "compare",
        "compare_by_meaning",
        "embed",
        "errors",
        "analyze_three_parts",
        "analyze_failed_part",
        "analyze_stream",
    ]
    failed = 0
    for name in names:
        try:
            getattr(checks, name)()
            print(f"ok     {name}")
        except (AssertionError, grpc.RpcError, UnicodeDecodeError) as err:
            failed += 1
            print(f"FAILED {name}: {err}")
    checks.channel.close()
    print(f"python-client: {len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
