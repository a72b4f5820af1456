/**
 * One trace from the TypeScript caller through Kafka into a Python pipeline and back: the client's
 * spans recorded by the OpenTelemetry JS SDK (in-memory exporter), the runner's and the pipeline's
 * by the Python SDK the pipelines module configures (test/fixtures/traced_pipelines.py), fetched
 * from the runner by calling a pipeline. Real broker, real runner process (thread isolation).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {context, SpanKind, trace} from '@opentelemetry/api';
import {AsyncHooksContextManager} from '@opentelemetry/context-async-hooks';
import {BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor} from '@opentelemetry/sdk-trace-base';
import type {PipelineClient} from '../../src/index.js';
import {createStack, fixturesDir, type Stack} from '../helpers/harness.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({spanProcessors: [new SimpleSpanProcessor(exporter)]});
trace.setGlobalTracerProvider(provider);
const contextManager = new AsyncHooksContextManager().enable();
context.setGlobalContextManager(contextManager);

/** A span the runner's process recorded, as traced_pipelines.finished_spans returns it. */
type PythonSpan = {
	name: string;
	kind: string;
	trace_id: string;
	span_id: string;
	parent_span_id: string | null;
	parent_is_remote: boolean | null;
	status: string;
	start_ns: string;
	end_ns: string;
	attributes: Record<string, string | number | boolean>;
};

let stack: Stack;
let client: PipelineClient;

before(async () => {
	stack = await createStack('tracing', {runners: 0});
	client = stack.client;
	await stack.startRunner({
		pipelines: [path.join(fixturesDir, 'traced_pipelines.py')],
		extraArgs: ['--partitions', '4', '--isolation', 'thread', '--job-isolation', 'thread'],
	});
});

after(async () => {
	await stack?.close();
	await provider.shutdown();
	contextManager.disable();
});

/** The runner ends its span once the reply is produced: poll its exporter until `name` shows up. */
async function pythonSpans(wanted: (spans: PythonSpan[]) => boolean): Promise<PythonSpan[]> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const spans = await client.invoke('finished_spans', {}) as PythonSpan[];
		if (wanted(spans) || Date.now() > deadline) {
			return spans;
		}

		await new Promise(resolve => setTimeout(resolve, 100));
	}
}

const finished = (name: string): ReadableSpan => {
	const span = exporter.getFinishedSpans().find(s => s.name === name);
	assert.ok(span, `no TS span ${name} among ${exporter.getFinishedSpans().map(s => s.name).join(', ')}`);
	return span;
};

/**
 * With MLBRIDGE_TRACE_OUT set, the spans of the first test as JSON for scripts/render-trace.ts
 * (the README's trace picture is drawn from a real run, not by hand).
 */
async function writeTraceArtefact(traceId: string, caller: {spanContext(): {spanId: string}}, invoke: ReadableSpan, send: ReadableSpan, processSpan: PythonSpan, pipelineSpan: PythonSpan): Promise<void> {
	const out = process.env['MLBRIDGE_TRACE_OUT'];
	if (out === undefined || out === '') {
		return;
	}

	const hrMs = (time: readonly [number, number]): number => (time[0] * 1e3) + (time[1] / 1e6);
	const ts = (span: ReadableSpan) => ({
		side: 'TypeScript', name: span.name, kind: SpanKind[span.kind], id: span.spanContext().spanId,
		parent: span.parentSpanContext?.spanId ?? null, startMs: hrMs(span.startTime), endMs: hrMs(span.endTime),
		attributes: span.attributes, links: span.links.map(link => link.context.spanId),
	});
	const py = (span: PythonSpan) => ({
		side: 'Python', name: span.name, kind: span.kind, id: span.span_id, parent: span.parent_span_id,
		startMs: Number(BigInt(span.start_ns) / 1000n) / 1e3, endMs: Number(BigInt(span.end_ns) / 1000n) / 1e3,
		attributes: span.attributes, links: [],
	});
	const spans = [ts(invoke), ts(send), py(processSpan), py(pipelineSpan)];
	const {writeFile} = await import('node:fs/promises');
	await writeFile(out, JSON.stringify({
		traceId, callerSpanId: caller.spanContext().spanId, recordedAt: new Date().toISOString(),
		test: 'test/integration/tracing.test.ts', spans,
	}, null, 2));
}

function tree(spans: Array<{name: string; kind: string; id: string; parent: string | undefined; side: string}>): string[] {
	return spans.map(s => `${s.side} ${s.name} [${s.kind}] span ${s.id} parent ${s.parent ?? '-'}`);
}

test('one trace id: TS invoke and send spans, the runner\'s process span, the pipeline\'s own span; the invoke span ends with the runner\'s timings and a link to its span', {timeout: 60_000}, async t => {
	const caller = trace.getTracer('test').startSpan('handle request');
	const result = await context.with(trace.setSpan(context.active(), caller), async () => client.invoke('traced_work', {n: 21}));
	caller.end();
	assert.equal(result, 42);

	const invoke = finished('invoke traced_work');
	const send = finished(`send ${stack.requestTopic}`);
	const requestId = invoke.attributes['mlbridge.request_id'];
	const python = await pythonSpans(spans => spans.some(s => s.name === `process ${stack.requestTopic}` && s.attributes['messaging.message.id'] === requestId));
	const processSpan = python.find(s => s.name === `process ${stack.requestTopic}` && s.attributes['messaging.message.id'] === requestId);
	assert.ok(processSpan, `the runner recorded no process span for ${String(requestId)}: ${JSON.stringify(python.map(s => s.name))}`);
	const pipelineSpan = python.find(s => s.name === 'pipeline work' && s.parent_span_id === processSpan.span_id);
	assert.ok(pipelineSpan, 'the pipeline\'s own span nests under the runner\'s process span');

	const traceId = caller.spanContext().traceId;
	const lines = [`trace ${traceId}`, ...tree([
		{side: 'TS', name: 'handle request', kind: 'INTERNAL', id: caller.spanContext().spanId, parent: undefined},
		{side: 'TS', name: invoke.name, kind: SpanKind[invoke.kind], id: invoke.spanContext().spanId, parent: invoke.parentSpanContext?.spanId},
		{side: 'TS', name: send.name, kind: SpanKind[send.kind], id: send.spanContext().spanId, parent: send.parentSpanContext?.spanId},
		{side: 'PY', name: processSpan.name, kind: processSpan.kind, id: processSpan.span_id, parent: processSpan.parent_span_id ?? undefined},
		{side: 'PY', name: pipelineSpan.name, kind: pipelineSpan.kind, id: pipelineSpan.span_id, parent: pipelineSpan.parent_span_id ?? undefined},
	]), `invoke link → ${invoke.links.map(l => l.context.spanId).join(',')}; attributes ${JSON.stringify(invoke.attributes)}`];
	for (const line of lines) t.diagnostic(line);
	await writeTraceArtefact(traceId, caller, invoke, send, processSpan, pipelineSpan);

	// One trace.
	for (const span of [invoke.spanContext(), send.spanContext()]) assert.equal(span.traceId, traceId);
	assert.equal(processSpan.trace_id, traceId);
	assert.equal(pipelineSpan.trace_id, traceId);

	// Parents and kinds.
	assert.equal(invoke.kind, SpanKind.CLIENT);
	assert.equal(invoke.parentSpanContext?.spanId, caller.spanContext().spanId);
	assert.equal(send.kind, SpanKind.PRODUCER);
	assert.equal(send.parentSpanContext?.spanId, invoke.spanContext().spanId);
	assert.equal(processSpan.kind, 'CONSUMER');
	assert.equal(processSpan.parent_span_id, send.spanContext().spanId);
	assert.equal(processSpan.parent_is_remote, true);
	assert.equal(pipelineSpan.kind, 'INTERNAL');
	assert.equal(pipelineSpan.attributes['work.n'], 21);

	// The runner's span says what it consumed.
	assert.equal(processSpan.attributes['messaging.system'], 'kafka');
	assert.equal(processSpan.attributes['messaging.operation.type'], 'process');
	assert.equal(processSpan.attributes['messaging.destination.name'], stack.requestTopic);
	assert.equal(processSpan.attributes['messaging.consumer.group.name'], stack.group);
	assert.equal(processSpan.attributes['mlbridge.pipeline'], 'traced_work');

	// The invoke span's end: the runner's timings, the runner, and a link to the process span.
	assert.equal(typeof invoke.attributes['mlbridge.queue_wait_ms'], 'number');
	assert.ok((invoke.attributes['mlbridge.queue_wait_ms'] as number) >= 0);
	assert.ok((invoke.attributes['mlbridge.run_ms'] as number) >= 0);
	assert.equal(invoke.attributes['mlbridge.attempts'], 1);
	assert.match(String(invoke.attributes['mlbridge.runner']), /\//);
	assert.deepEqual(invoke.links.map(l => [l.context.traceId, l.context.spanId]), [[traceId, processSpan.span_id]]);
	// The runner's run time fits inside the client's round trip.
	const invokeMs = (invoke.duration[0] * 1e3) + (invoke.duration[1] / 1e6);
	assert.ok((invoke.attributes['mlbridge.run_ms'] as number) <= invokeMs + 1);
});

test('a pipeline that fails: the runner\'s span and the client\'s both have error status, in one trace', {timeout: 60_000}, async () => {
	exporter.reset();
	await assert.rejects(client.invoke('traced_fail', {message: 'bad input'}), /bad input/);
	const invoke = finished('invoke traced_fail');
	const requestId = invoke.attributes['mlbridge.request_id'];
	const python = await pythonSpans(spans => spans.some(s => s.attributes['messaging.message.id'] === requestId));
	const processSpan = python.find(s => s.attributes['messaging.message.id'] === requestId);
	assert.ok(processSpan);
	assert.equal(processSpan.trace_id, invoke.spanContext().traceId);
	assert.equal(processSpan.status, 'ERROR');
	assert.equal(invoke.status.code, 2); // SpanStatusCode.ERROR
	assert.equal(invoke.attributes['error.type'], String(processSpan.attributes['error.type']));
});

test('submit(): the job run continues the trace of the job request', {timeout: 60_000}, async t => {
	exporter.reset();
	const caller = trace.getTracer('test').startSpan('enqueue job');
	const job = await context.with(trace.setSpan(context.active(), caller), async () => client.submit('traced_work', {n: 5}));
	caller.end();
	assert.equal(await job.result(), 10);
	const jobTopic = `${stack.requestTopic}.jobs`;
	const send = finished(`send ${jobTopic}`);
	assert.equal(send.kind, SpanKind.PRODUCER);
	assert.equal(send.parentSpanContext?.spanId, caller.spanContext().spanId);
	const python = await pythonSpans(spans => spans.some(s => s.name === `process ${jobTopic}` && s.attributes['messaging.message.id'] === job.id));
	const run = python.find(s => s.name === `process ${jobTopic}` && s.attributes['messaging.message.id'] === job.id);
	assert.ok(run, `no job span among ${JSON.stringify(python.map(s => s.name))}`);
	const work = python.find(s => s.name === 'pipeline work' && s.parent_span_id === run.span_id);
	t.diagnostic(`job trace ${caller.spanContext().traceId}: TS enqueue job ${caller.spanContext().spanId} → TS ${send.name} [PRODUCER] ${send.spanContext().spanId} → PY ${run.name} [${run.kind}] ${run.span_id} (parent ${run.parent_span_id}) → PY pipeline work ${work?.span_id} (parent ${work?.parent_span_id})`);
	assert.equal(run.kind, 'CONSUMER');
	assert.equal(run.trace_id, caller.spanContext().traceId);
	assert.equal(run.parent_span_id, send.spanContext().spanId);
	assert.ok(work, 'the job\'s pipeline span nests under its run\'s span');
});
