#!/usr/bin/env node
// A Node.js client of textanalysis: @grpc/grpc-js with @grpc/proto-loader,
// which reads proto/ at run time (no generated code to keep).
//
// The tested reference for JavaScript callers: scripts/check-clients.sh runs
//
//     node examples/node/client.js ADDR [TESTDATA_DIR]
//
// against the real server. It calls every RPC and the health check on the
// texts and expectations of examples/clients-testdata/ (AnalyzeStream as a
// feed client would: a duplex call written item by item, answers read by id,
// dedup on every item), asks for offsets in
// UTF-16 code units (what JavaScript strings index) and checks that every
// returned sentence is exactly its own slice of the input. Exits 1 on any
// mismatch.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const healthProtoPath = require('grpc-health-check').protoPath;

// The contract's root: it holds google/rpc/status.proto too, which the
// contract imports; google/protobuf/any.proto, which that imports, is one of
// the well-known types protobufjs ships.
const PROTO_ROOT = path.resolve(__dirname, '..', '..', 'proto');
const TIMEOUT_MS = 30_000;
// More sentences than the test texts have: a summary of every sentence.
const EVERY_SENTENCE = 100;
const UNITS = ['OFFSET_UNIT_UTF16_CODE_UNIT', 'OFFSET_UNIT_CODE_POINT', 'OFFSET_UNIT_UTF8_BYTE'];

// Field names as in the proto, enums as their names, 64-bit integers as
// strings, and every field present with its default.
const LOADER_OPTIONS = { keepCase: true, enums: String, longs: String, defaults: true, oneofs: true };

function load(file, includeDirs) {
  return grpc.loadPackageDefinition(protoLoader.loadSync(file, { ...LOADER_OPTIONS, includeDirs }));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

// The slice of `text` at `offset`, `length` counted in `unit`. UTF-16 code
// units are JavaScript's own indexing; the other two go through code points
// or UTF-8 bytes, and a UTF-8 slice that cuts a character fails to decode.
function unitSlice(text, unit, offset, length) {
  switch (unit) {
    case 'OFFSET_UNIT_UTF16_CODE_UNIT':
      return text.slice(offset, offset + length);
    case 'OFFSET_UNIT_CODE_POINT':
      return Array.from(text)
        .slice(offset, offset + length)
        .join('');
    default:
      return utf8.decode(Buffer.from(text, 'utf8').subarray(offset, offset + length));
  }
}

function unitLength(text, unit) {
  switch (unit) {
    case 'OFFSET_UNIT_UTF16_CODE_UNIT':
      return text.length;
    case 'OFFSET_UNIT_CODE_POINT':
      return Array.from(text).length;
    default:
      return Buffer.byteLength(text, 'utf8');
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// A sentence reference (offset, length, text) is exactly its slice.
function checkRef(text, unit, ref, what) {
  const got = unitSlice(text, unit, ref.offset, ref.length);
  expect(
    got === ref.text,
    `${what}: slice ${ref.offset}+${ref.length} in ${unit} is ${JSON.stringify(got)}, text is ${JSON.stringify(ref.text)}`,
  );
  expect(ref.text.trim() !== '', `${what}: empty sentence`);
}

function call(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + TIMEOUT_MS }, (err, reply) =>
      err ? reject(err) : resolve(reply),
    );
  });
}

const sorted = (xs) => [...xs].sort();
const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);

// Sends `requests` on one AnalyzeStream and resolves with the answers by id.
// The deadline bounds the whole stream, not each item. A write that returns
// false has filled the call's buffer: waiting for 'drain' before the next
// one is how a feed client lets the server's flow control slow it down.
function analyzeFeed(stub, requests) {
  return new Promise((resolve, reject) => {
    const answers = new Map();
    const feed = stub.AnalyzeStream({ deadline: Date.now() + TIMEOUT_MS });
    feed.on('data', (answer) => {
      if (answers.has(answer.id)) reject(new Error(`${answer.id} answered twice`));
      answers.set(answer.id, answer);
    });
    feed.on('error', reject);
    feed.on('end', () => resolve(answers));
    (async () => {
      for (const request of requests) {
        if (!feed.write(request)) await new Promise((drained) => feed.once('drain', drained));
      }
      feed.end();
    })();
  });
}

// One stream answer against its case: the status code the item fails with
// alone (`error`), or an answer that names the earlier item it repeats
// (`duplicate_of`) or none.
function checkStreamAnswer(item, answer) {
  const what = answer.id;
  // With `oneofs: true`, `result` names the member that is set.
  if (item.error) {
    // google.rpc.Status carries the code as a number.
    const want = grpc.status[item.error];
    expect(answer.result === 'error', `${what}: ${answer.result}, not an error`);
    expect(answer.error.code === want, `${what}: code ${answer.error.code}, not ${want} (${item.error})`);
    expect(answer.error.message, `${what}: the error says nothing`);
    return;
  }
  expect(answer.result === 'response', `${what}: failed: ${JSON.stringify(answer.error)}`);
  expect(answer.response.errors.length === 0, `${what}: parts failed: ${JSON.stringify(answer.response.errors)}`);
  expect(answer.response.summarize.sentences.length > 0, `${what}: no summary`);
  if (item.duplicate_of) {
    expect(answer.duplicate_of, `${what}: not marked as a copy`);
    expect(answer.duplicate_of.id === item.duplicate_of, `${what}: duplicate of ${answer.duplicate_of.id}`);
    const similarity = answer.duplicate_of.similarity;
    expect(similarity > 0 && similarity <= 1, `${what}: similarity ${similarity}`);
  } else {
    expect(answer.duplicate_of === null, `${what}: marked as a copy of ${answer.duplicate_of?.id}`);
  }
}

class Checks {
  constructor(addr, dataDir) {
    const { textanalysis } = load('textanalysis/v1/text_analysis.proto', [PROTO_ROOT]);
    const health = load(healthProtoPath, []).grpc.health.v1;
    this.stub = new textanalysis.v1.TextAnalysisService(addr, grpc.credentials.createInsecure());
    this.health = new health.Health(addr, grpc.credentials.createInsecure());
    this.dataDir = dataDir;
    this.cases = JSON.parse(this.text('cases.json'));
  }

  close() {
    this.stub.close();
    this.health.close();
  }

  text(name) {
    return fs.readFileSync(path.join(this.dataDir, name), 'utf8');
  }

  async healthCheck() {
    for (const service of this.cases.health_services) {
      const reply = await call(this.health, 'Check', { service });
      expect(reply.status === 'SERVING', `health of ${JSON.stringify(service)}: ${reply.status}`);
    }
  }

  async listModels() {
    const want = this.cases.models;
    const reply = await call(this.stub, 'ListModels', {});
    const model = reply.models.find((m) => m.name === want.default);
    expect(model, `models listed: ${reply.models.map((m) => m.name)}`);
    expect(model.is_default, 'the default model is not marked default');
    expect(same(sorted(model.labels), want.labels), `labels: ${model.labels}`);
    expect(
      model.accuracy > 0 && model.accuracy <= 1 && model.macro_f1 > 0 && model.macro_f1 <= 1,
      'accuracy or macro-F1 out of (0, 1]',
    );
    expect(reply.models.filter((m) => m.is_default).length === 1, 'not exactly one default model');
    const wantEncoder = this.cases.embed;
    expect(reply.encoder, 'no sentence encoder listed');
    expect(reply.encoder.name === wantEncoder.encoder, `encoder ${reply.encoder.name}`);
    expect(reply.encoder.dimensions === wantEncoder.dimensions, `dimensions ${reply.encoder.dimensions}`);
  }

  async summarize(unit, fields) {
    const c = this.cases.summarize;
    const text = this.text(c.text);
    const reply = await call(this.stub, 'Summarize', { text, offset_unit: unit, ...fields });
    expect(reply.sentence_count === c.sentence_count, `sentence_count ${reply.sentence_count}`);
    expect(reply.language === c.language, `language ${reply.language}`);
    expect(reply.language_source === c.language_source, `language_source ${reply.language_source}`);
    expect(reply.algorithm !== 'SUMMARIZE_ALGORITHM_UNSPECIFIED', 'algorithm not named');
    for (const s of reply.sentences) {
      checkRef(text, unit, s, `sentence ${s.index}`);
      expect(Number.isFinite(s.score), `sentence ${s.index}: score ${s.score}`);
    }
    return { text, reply };
  }

  // Every sentence, in document order, in UTF-16 code units: each is its own
  // slice of the string, and they follow each other without overlap.
  async summarizeAllSentences() {
    const { reply } = await this.summarize('OFFSET_UNIT_UTF16_CODE_UNIT', { max_sentences: EVERY_SENTENCE });
    const n = reply.sentence_count;
    const range = (from) => Array.from({ length: n }, (_, i) => i + from);
    expect(
      same(
        reply.sentences.map((s) => s.index),
        range(0),
      ),
      'not every sentence in document order',
    );
    expect(
      same(
        reply.sentences.map((s) => s.rank).sort((x, y) => x - y),
        range(1),
      ),
      'ranks are not 1..n',
    );
    reply.sentences.slice(1).forEach((after, i) => {
      const before = reply.sentences[i];
      expect(before.offset + before.length <= after.offset, `sentences ${before.index} and ${after.index} overlap`);
    });
  }

  async summarizeBestTwo() {
    const { reply } = await this.summarize('OFFSET_UNIT_UTF16_CODE_UNIT', {
      max_sentences: 2,
      algorithm: 'SUMMARIZE_ALGORITHM_TEXTRANK',
      order: 'SUMMARY_ORDER_RANK',
    });
    expect(
      same(
        reply.sentences.map((s) => s.rank),
        [1, 2],
      ),
      `ranks ${reply.sentences.map((s) => s.rank)}`,
    );
    expect(reply.algorithm === 'SUMMARIZE_ALGORITHM_TEXTRANK', 'not TextRank');
    expect(reply.sentences[0].score >= reply.sentences[1].score, 'best first is not best');
  }

  // The same sentences in the three units: each slices correctly in its own
  // unit, and the units really differ on this text.
  async offsetUnitsDiffer() {
    const replies = await Promise.all(UNITS.map((unit) => this.summarize(unit, { max_sentences: EVERY_SENTENCE })));
    const text = replies[0].text;
    const lengths = UNITS.map((unit) => unitLength(text, unit));
    expect(new Set(lengths).size === 3, `the text's lengths in the three units do not differ: ${lengths}`);
    const sentences = replies.map(({ reply }) => reply.sentences);
    const texts = sentences.map((ss) => ss.map((s) => s.text));
    expect(same(texts[0], texts[1]) && same(texts[0], texts[2]), 'the units changed the sentences');
    const distinct = texts[0].filter(
      (_, i) =>
        new Set(sentences.map((ss) => ss[i].offset)).size === 3 &&
        new Set(sentences.map((ss) => ss[i].length)).size === 3,
    );
    expect(distinct.length > 0, 'no sentence whose offset and length differ in all three units');
  }

  async classifyDefaultModel() {
    const c = this.cases.classify_model;
    const reply = await call(this.stub, 'Classify', { text: this.text(c.text) });
    const labels = reply.topics.map((t) => t.label);
    expect(labels[0] === c.expected_label, `topics ${labels}`);
    expect(
      reply.model.name === this.cases.models.default && !reply.model.ad_hoc,
      `model ${JSON.stringify(reply.model)}`,
    );
    const scores = reply.topics.map((t) => t.score);
    expect(
      same(
        scores,
        [...scores].sort((x, y) => y - x),
      ),
      'scores not best first',
    );
    const total = scores.reduce((x, y) => x + y, 0);
    expect(Math.abs(total - 1) < 1e-6, `probabilities sum to ${total}`);
  }

  async classifyAdHocTopics() {
    const c = this.cases.classify_topics;
    const reply = await call(this.stub, 'Classify', { text: this.text(c.text), topics: c.topics });
    const labels = reply.topics.map((t) => t.label);
    expect(labels[0] === c.expected_label, `topics ${labels}`);
    expect(same(sorted(labels), sorted(c.topics.map((t) => t.label))), `topics ${labels}`);
    expect(reply.model.ad_hoc, 'model not marked ad hoc');
    expect(
      reply.topics.every((t) => t.score >= 0 && t.score <= 1),
      'similarity out of [0, 1]',
    );
    expect(reply.topics[0].score > reply.topics[1].score, 'no clear best topic');
  }

  async compare() {
    const unit = 'OFFSET_UNIT_UTF16_CODE_UNIT';
    for (const c of this.cases.compare) {
      const [a, b] = [this.text(c.a), this.text(c.b)];
      const reply = await call(this.stub, 'Compare', { text_a: a, text_b: b, offset_unit: unit, include_diff: true });
      const what = `${c.a} / ${c.b}`;
      expect(reply.verdict === c.verdict, `${what}: verdict ${reply.verdict}`);
      for (const name of ['score', 'cosine', 'jaccard', 'containment_a', 'containment_b']) {
        const value = reply.similarity[name];
        expect(value >= 0 && value <= 1, `${what}: ${name} ${value}`);
      }
      for (const pair of reply.alignments) {
        checkRef(a, unit, pair.a, `${what}: aligned a ${pair.a.index}`);
        checkRef(b, unit, pair.b, `${what}: aligned b ${pair.b.index}`);
        for (const span of pair.diff) {
          const got =
            span.op === 'DIFF_OP_INSERT'
              ? unitSlice(b, unit, span.b_offset, span.b_length)
              : unitSlice(a, unit, span.a_offset, span.a_length);
          expect(got === span.text, `${what}: diff span ${JSON.stringify(span.text)} slices as ${JSON.stringify(got)}`);
        }
      }
      reply.unique_a.forEach((ref) => checkRef(a, unit, ref, `${what}: unique a ${ref.index}`));
      reply.unique_b.forEach((ref) => checkRef(b, unit, ref, `${what}: unique b ${ref.index}`));
      if (c.verdict === 'VERDICT_NEAR_DUPLICATE') {
        expect(
          reply.alignments.length && reply.unique_a.length && reply.unique_b.length,
          `${what}: no alignment or nothing unique`,
        );
        expect(
          reply.alignments.some((p) => p.diff.some((s) => s.op !== 'DIFF_OP_EQUAL')),
          `${what}: no edit found`,
        );
      }
    }
  }

  // With the encoder, Compare reads meaning: `semantic` is set, and two
  // texts that share no content word are related although their
  // words alone (tf-idf cosine) say they have nothing in common.
  async compareByMeaning() {
    const c = this.cases.compare_by_meaning;
    const unit = 'OFFSET_UNIT_UTF16_CODE_UNIT';
    const reply = await call(this.stub, 'Compare', { text_a: c.a, text_b: c.b, offset_unit: unit });
    const sim = reply.similarity;
    // An unset optional field is absent (not 0), even with `defaults: true`.
    expect(typeof sim.semantic === 'number', 'no `semantic` similarity: is the server running with the encoder?');
    expect(sim.semantic >= c.min_semantic, `semantic ${sim.semantic}`);
    expect(sim.cosine <= c.max_cosine, `cosine ${sim.cosine}: the texts share words`);
    expect(reply.verdict === c.verdict, `verdict ${reply.verdict} (score ${sim.score}, semantic ${sim.semantic})`);
    // Their cosine sits at the alignment threshold: one pair or none.
    expect(reply.alignments.length <= c.max_alignments, `${reply.alignments.length} aligned pairs`);
    for (const pair of reply.alignments) {
      checkRef(c.a, unit, pair.a, `aligned a ${pair.a.index}`);
      checkRef(c.b, unit, pair.b, `aligned b ${pair.b.index}`);
      expect(pair.similarity >= c.min_semantic, `aligned pair's similarity ${pair.similarity}`);
    }
  }

  // Sentence vectors for semantic search in the client's own store: each
  // sentence is its own slice of the text, each vector has unit length, and
  // the nearest neighbour of the first sentence is its paraphrase.
  async embed() {
    const c = this.cases.embed;
    const unit = 'OFFSET_UNIT_UTF16_CODE_UNIT';
    const reply = await call(this.stub, 'Embed', { text: c.text, include_sentences: true, offset_unit: unit });
    expect(reply.encoder.name === c.encoder, `encoder ${reply.encoder.name}`);
    expect(reply.encoder.normalization === 'EMBEDDING_NORMALIZATION_L2', `normalization ${reply.encoder.normalization}`);
    expect(reply.embedding.length === c.dimensions, `${reply.embedding.length} dimensions`);
    expect(reply.sentences.length === c.sentences, `${reply.sentences.length} sentences`);
    const cosine = (x, y) => x.reduce((sum, v, i) => sum + v * y[i], 0);
    for (const s of reply.sentences) {
      checkRef(c.text, unit, s, `embedded sentence ${s.index}`);
      const norm = Math.sqrt(cosine(s.embedding, s.embedding));
      expect(Math.abs(norm - 1) < 1e-4, `sentence ${s.index}: norm ${norm}`);
    }
    const vectors = reply.sentences.map((s) => s.embedding);
    let nearest = 1;
    for (let i = 2; i < vectors.length; i += 1) {
      if (cosine(vectors[0], vectors[i]) > cosine(vectors[0], vectors[nearest])) nearest = i;
    }
    expect(nearest === c.nearest_to_first, `nearest to the first sentence: ${nearest}`);
  }

  // One Analyze call on the case's text, in UTF-16 code units, with `parts`.
  async analyze(parts) {
    const text = this.text(this.cases.analyze.text);
    const unit = 'OFFSET_UNIT_UTF16_CODE_UNIT';
    const reply = await call(this.stub, 'Analyze', { text, offset_unit: unit, ...parts });
    return { text, unit, reply };
  }

  // A summary, topics and key phrases from one call: the server reads the
  // text once for all three, instead of once per RPC.
  async analyzeThreeParts() {
    const c = this.cases.analyze;
    const { text, unit, reply } = await this.analyze({
      summarize: { max_sentences: c.max_sentences },
      // An empty message still asks for the part: its defaults (here the
      // default model) apply.
      classify: {},
      keyphrases: { max_keyphrases: c.max_keyphrases },
    });
    expect(reply.errors.length === 0, `parts failed: ${JSON.stringify(reply.errors)}`);
    // An unset message field is null (with `defaults: true`).
    for (const part of ['summarize', 'classify', 'keyphrases']) expect(reply[part], `no ${part} part`);
    const sentences = reply.summarize.sentences;
    expect(sentences.length === c.max_sentences, `${sentences.length} sentences`);
    sentences.forEach((s) => checkRef(text, unit, s, `summary sentence ${s.index}`));
    expect(reply.classify.topics.length > 0, 'no topics');
    expect(reply.classify.model.name === this.cases.models.default, `model ${reply.classify.model.name}`);
    const phrases = reply.keyphrases.keyphrases;
    expect(phrases.length > 0 && phrases.length <= c.max_keyphrases, `${phrases.length} key phrases`);
    for (const k of phrases) {
      // The phrase is written as its first occurrence writes it.
      const what = `key phrase ${JSON.stringify(k.text)}`;
      expect(k.occurrences.length > 0, `${what}: no occurrence`);
      const first = k.occurrences[0];
      const got = unitSlice(text, unit, first.offset, first.length);
      expect(got === k.text, `${what}: first occurrence slices as ${JSON.stringify(got)}`);
    }
  }

  // A part that fails (an unknown model) is reported in `errors` with the
  // status its own RPC would give; the other parts still answer.
  async analyzeFailedPart() {
    const c = this.cases.analyze;
    const { reply } = await this.analyze({
      summarize: { max_sentences: c.max_sentences },
      classify: { model: c.bad_model },
    });
    expect(reply.summarize && reply.summarize.sentences.length > 0, 'the summary was lost with the failed part');
    expect(reply.classify === null, 'a failed part answered too');
    const got = reply.errors.map((e) => [e.part, e.status.code]);
    const want = [['ANALYZE_PART_CLASSIFY', grpc.status.NOT_FOUND]];
    expect(same(got, want), `errors ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
  }

  // A feed on one stream: items with ids of the client's choosing, all
  // checked for near-duplicates of the earlier ones. Answers come in the
  // order they finish, so they are read by id; a bad item gets its own
  // status and the stream goes on.
  async analyzeStream() {
    const items = this.cases.stream.items;
    const requests = items.map((item) => ({
      id: item.id,
      request: { text: item.file ? this.text(item.file) : item.text, summarize: { max_sentences: 1 } },
      // Default threshold (Compare's near-duplicate verdict); page furniture
      // left out of the comparison.
      dedup: {},
    }));
    const answers = await analyzeFeed(this.stub, requests);
    expect(same(sorted(answers.keys()), sorted(items.map((i) => i.id))), `answered ${sorted(answers.keys())}`);
    for (const item of items) checkStreamAnswer(item, answers.get(item.id));
  }

  // Bad requests are refused with the documented codes.
  async errors() {
    const cases = [
      ['Summarize', { text: '  ' }, grpc.status.INVALID_ARGUMENT],
      ['Classify', { text: 'Some text.', model: 'no-such-model' }, grpc.status.NOT_FOUND],
    ];
    for (const [method, request, code] of cases) {
      const outcome = await call(this.stub, method, request).then(
        () => null,
        (err) => err,
      );
      expect(outcome, `${method} ${JSON.stringify(request)} was not refused`);
      expect(outcome.code === code, `${method} ${JSON.stringify(request)}: code ${outcome.code} instead of ${code}`);
    }
  }
}

async function main(argv) {
  if (argv.length < 1 || argv.length > 2) {
    console.error('usage: node examples/node/client.js ADDR [TESTDATA_DIR]');
    return 2;
  }
  const checks = new Checks(argv[0], argv[1] ?? path.resolve(__dirname, '..', 'clients-testdata'));
  const names = [
    'healthCheck',
    'listModels',
    'summarizeAllSentences',
    'summarizeBestTwo',
    'offsetUnitsDiffer',
    'classifyDefaultModel',
    'classifyAdHocTopics',
    'compare',
    'compareByMeaning',
    'embed',
    'errors',
    'analyzeThreeParts',
    'analyzeFailedPart',
    'analyzeStream',
  ];
  let failed = 0;
  for (const name of names) {
    try {
      await checks[name]();
      console.log(`ok     ${name}`);
    } catch (err) {
      failed += 1;
      console.log(`FAILED ${name}: ${err.message}`);
    }
  }
  checks.close();
  console.log(`node-client: ${names.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
