/**
 * The client's spans over a fake transport, recorded by the OpenTelemetry SDK's in-memory exporter:
 * names, kinds, parents, attributes, the traceparent in the request headers, the link to the
 * runner's span from the reply record header, errors; submit()'s span; logs with trace_id; and a
 * client whose `@opentelemetry/api` import fails (as where it is not installed) working untraced.
 * The end-to-end trace through a real runner: test/integration/tracing.test.ts.
 */
import assert from 'node:assert/strict';
import {after, beforeEach, test} from 'node:test';
import {context, SpanKind, SpanStatusCode, trace} from '@opentelemetry/api';
import {AsyncHooksContextManager} from '@opentelemetry/context-async-hooks';
import {BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor} from '@opentelemetry/sdk-trace-base';
import {decodeRequest, type ReplyEnvelope} from '../../src/codec/index.js';
import {createLogger, PipelineClient, PipelineError, type ClientOptions} from '../../src/index.js';
import {loadOtelApi} from '../../src/observability/otel-loader.js';
import {formatTraceparent, parseTraceparent} from '../../src/observability/trace-context.js';
import type {MessageHandler, RecordHeaders} from '../../src/transport/transport.js';
import {FakeTransport, okReply, type FakeBehaviour} from '../helpers/fake-transport.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({spanProcessors: [new SimpleSpanProcessor(exporter)]});
trace.setGlobalTracerProvider(provider);
const contextManager = new AsyncHooksContextManager().enable();
context.setGlobalContextManager(contextManager);
after(async () => {
	await provider.shutdown();
	contextManager.disable();
});
beforeEach(() => exporter.reset());

/** The runner's consumer span, as its reply record header names it. */
const runnerSpan = {traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1};

/** A FakeTransport whose replies carry record headers, as the runner's do. */
class HeaderTransport extends FakeTransport {
	replyHeaders: RecordHeaders | undefined = {traceparent: Buffer.from(formatTraceparent(runnerSpan))};
	#handler: MessageHandler | undefined;

	override async consume(topic: string, groupId: string, onMessage: MessageHandler): Promise<void> {
		this.#handler = onMessage;
		return super.consume(topic, groupId, onMessage);
	}

	override deliverRaw(bytes: Buffer): void {
		this.#handler?.(bytes, this.replyHeaders);
	}
}

const timings = {receivedAtMs: 1_000, startedAtMs: 1_012, finishedAtMs: 1_062};
const echo: FakeBehaviour = {
	answer(request, args) {
		if (request.pipeline === 'boom') {
			return [{status: 'ERROR', result: Buffer.alloc(0), resultSchema: '', progress: null, runner: 'r/1', timings,
				error: {code: 'PIPELINE_ERROR', type: 'ValueError', message: 'bad input', traceback: '', retryable: false, causes: []}}];
		}

		return [{...okReply(args), runner: 'r/1', timings} satisfies Omit<ReplyEnvelope, 'id'>];
	},
};

async function connect(options: ClientOptions = {}, importOtel?: () => Promise<unknown>) {
	const transport = new HeaderTransport(echo);
	const client = await PipelineClient.connect({brokers: ['fake:1'], logger: createLogger('silent'), requestTopic: 'req', ...options}, async () => transport, importOtel);
	return {client, transport};
}

const byName = (name: string): ReadableSpan => {
	const span = exporter.getFinishedSpans().find(s => s.name === name);
	assert.ok(span, `no span ${name} among ${exporter.getFinishedSpans().map(s => s.name).join(', ')}`);
	return span;
};

test('invoke: CLIENT span under the caller\'s, PRODUCER send span under it, its context in the request headers', async () => {
	const {client, transport} = await connect();
	const caller = trace.getTracer('test').startSpan('handle request');
	await context.with(trace.setSpan(context.active(), caller), async () => client.invoke('p', {x: 1}, {headers: {'x-user': 'kept'}}));
	caller.end();
	await client.close();

	const invoke = byName('invoke p');
	const send = byName('send req');
	assert.equal(invoke.kind, SpanKind.CLIENT);
	assert.equal(send.kind, SpanKind.PRODUCER);
	assert.equal(invoke.spanContext().traceId, caller.spanContext().traceId);
	assert.equal(invoke.parentSpanContext?.spanId, caller.spanContext().spanId);
	assert.equal(send.parentSpanContext?.spanId, invoke.spanContext().spanId);

	const request = decodeRequest(transport.sent[0]!.message.value);
	assert.equal(request.headers['traceparent'], formatTraceparent(send.spanContext()));
	assert.equal(request.headers['x-user'], 'kept');
	assert.equal(request.headers['tracestate'], undefined);

	assert.deepEqual(send.attributes, {
		'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.operation.name': 'send',
		'messaging.destination.name': 'req', 'messaging.message.id': request.id, 'mlbridge.pipeline': 'p',
	});
	assert.equal(invoke.attributes['mlbridge.request_id'], request.id);
	assert.equal(invoke.attributes['mlbridge.runner'], 'r/1');
	assert.equal(invoke.attributes['mlbridge.queue_wait_ms'], 12);
	assert.equal(invoke.attributes['mlbridge.run_ms'], 50);
	assert.equal(invoke.attributes['mlbridge.attempts'], 1);
	assert.deepEqual(invoke.links.map(link => [link.context.traceId, link.context.spanId]), [[runnerSpan.traceId, runnerSpan.spanId]]);
	assert.equal(invoke.status.code, SpanStatusCode.UNSET);
	assert.ok(send.endTime[0] + send.endTime[1] / 1e9 <= invoke.endTime[0] + invoke.endTime[1] / 1e9);
});

test('a remote error: error status, the exception recorded, error.type the code', async () => {
	const {client} = await connect();
	await assert.rejects(client.invoke('boom', {}), PipelineError);
	await client.close();
	const invoke = byName('invoke boom');
	assert.equal(invoke.status.code, SpanStatusCode.ERROR);
	assert.equal(invoke.attributes['error.type'], 'PIPELINE_ERROR');
	assert.equal(invoke.attributes['mlbridge.run_ms'], 50, 'the runner\'s timings even on failure');
	const exception = invoke.events.find(event => event.name === 'exception');
	assert.equal(exception?.attributes?.['exception.type'], 'PIPELINE_ERROR'); // the SDK prefers an error's `code` to its name
	assert.match(String(exception?.attributes?.['exception.message']), /bad input/);
});

test('a timeout ends both spans, the invoke span with an error and no runner attributes', async () => {
	const transport = new HeaderTransport({}); // a runner that never answers
	const client = await PipelineClient.connect({brokers: ['fake:1'], logger: createLogger('silent'), requestTopic: 'req'}, async () => transport);
	// The deadline wheel's timer does not keep a process alive; this does, while the call times out.
	const alive = setInterval(() => undefined, 1000);
	await assert.rejects(client.invoke('p', {}, {timeoutMs: 30}));
	clearInterval(alive);
	await client.close();
	const invoke = byName('invoke p');
	assert.equal(invoke.status.code, SpanStatusCode.ERROR);
	assert.equal(invoke.attributes['error.type'], 'INVOCATION_TIMEOUT');
	assert.equal(invoke.attributes['mlbridge.runner'], undefined);
	assert.ok(byName('send req').ended);
});

test('a traceparent the caller put in the headers is the parent when no span is active', async () => {
	const {client, transport} = await connect();
	const given = {traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1};
	await client.invoke('p', {}, {headers: {traceparent: formatTraceparent(given), tracestate: 'vendor=1'}});
	await client.close();
	const invoke = byName('invoke p');
	assert.equal(invoke.spanContext().traceId, given.traceId);
	assert.equal(invoke.parentSpanContext?.spanId, given.spanId);
	const headers = decodeRequest(transport.sent[0]!.message.value).headers;
	assert.equal(parseTraceparent(headers['traceparent'])?.spanId, byName('send req').spanContext().spanId);
	assert.equal(headers['tracestate'], 'vendor=1');
});

test('a reply without a traceparent record header: no link, the call still ends its span', async () => {
	const {client, transport} = await connect();
	transport.replyHeaders = undefined;
	await client.invoke('p', {});
	await client.close();
	assert.deepEqual(byName('invoke p').links, []);
	assert.equal(byName('invoke p').attributes['mlbridge.run_ms'], 50);
});

test('submit(): a PRODUCER send span on the job topic, its context in the job request\'s headers', async () => {
	const {client, transport} = await connect();
	const caller = trace.getTracer('test').startSpan('enqueue training');
	await context.with(trace.setSpan(context.active(), caller), async () => client.submit('train', {}, {jobId: 'job-1', headers: {'x-user': 'kept'}}));
	caller.end();
	await client.close();
	const send = byName('send req.jobs');
	assert.equal(send.kind, SpanKind.PRODUCER);
	assert.equal(send.parentSpanContext?.spanId, caller.spanContext().spanId);
	assert.equal(send.attributes['mlbridge.job_id'], 'job-1');
	assert.equal(send.attributes['messaging.destination.name'], 'req.jobs');
	const sent = transport.sent.find(s => s.topic === 'req.jobs');
	const headers = decodeRequest(sent!.message.value).headers;
	assert.equal(headers['traceparent'], formatTraceparent(send.spanContext()));
	assert.equal(headers['x-user'], 'kept');
	assert.equal(headers['mlbridge-max-attempts'], '3');
});

test('call logs carry requestId, pipeline and the trace id', async () => {
	const lines: string[] = [];
	const {client, transport} = await connect({logger: createLogger('debug', {}, line => lines.push(line))});
	await client.invoke('p', {});
	await client.close();
	const settled = lines.map(line => JSON.parse(line) as Record<string, unknown>).find(line => line['event'] === 'call.settled');
	const request = decodeRequest(transport.sent[0]!.message.value);
	assert.equal(settled?.['requestId'], request.id);
	assert.equal(settled?.['pipeline'], 'p');
	assert.equal(settled?.['outcome'], 'ok');
	assert.equal(settled?.['trace_id'], byName('invoke p').spanContext().traceId);
});

test('without @opentelemetry/api (its import fails): calls work, nothing is traced, no header is added', async () => {
	const notInstalled = Object.assign(new Error("Cannot find package '@opentelemetry/api'"), {code: 'ERR_MODULE_NOT_FOUND'});
	let imports = 0;
	const lines: string[] = [];
	const {client, transport} = await connect({logger: createLogger('debug', {}, line => lines.push(line))}, async () => {
		imports++;
		throw notInstalled;
	});
	// Even inside an active span of a registered provider: this client has no API to see it with.
	const caller = trace.getTracer('test').startSpan('handle request');
	await context.with(trace.setSpan(context.active(), caller), async () => {
		assert.deepEqual(await client.invoke('p', {x: 1}, {headers: {'x-user': 'kept'}}), {x: 1});
		await assert.rejects(client.invoke('boom', {}), PipelineError);
		await client.submit('train', {}, {jobId: 'j-2'});
	});
	caller.end();
	await client.close();
	assert.equal(imports, 1, 'imported once, at connect');
	assert.deepEqual(exporter.getFinishedSpans().map(s => s.name), ['handle request']);
	for (const {message} of transport.sent.filter(s => s.topic === 'req' || s.topic === 'req.jobs')) {
		assert.equal(decodeRequest(message.value).headers['traceparent'], undefined);
	}

	assert.equal(decodeRequest(transport.sent[0]!.message.value).headers['x-user'], 'kept');
	assert.deepEqual(client.metrics().pipelines['p']?.calls, {ok: 1});
	const settled = lines.map(line => JSON.parse(line) as Record<string, unknown>).filter(line => line['event'] === 'call.settled');
	assert.equal(settled.length, 2);
	assert.ok(settled.every(line => !('trace_id' in line)));
});

test('the loader: not installed → undefined; any other import failure is not hidden', async () => {
	assert.equal(await loadOtelApi(async () => Promise.reject(Object.assign(new Error('x'), {code: 'ERR_MODULE_NOT_FOUND'}))), undefined);
	await assert.rejects(loadOtelApi(async () => Promise.reject(new SyntaxError('broken install'))), SyntaxError);
	assert.equal(typeof (await loadOtelApi() as {trace?: unknown} | undefined)?.trace, 'object');
});

test('traceparent values: W3C parsing rules', () => {
	const value = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
	assert.deepEqual(parseTraceparent(value), runnerSpan);
	assert.equal(formatTraceparent(runnerSpan), value);
	assert.equal(formatTraceparent({...runnerSpan, traceFlags: 0}).slice(-3), '-00');
	assert.equal(parseTraceparent(`${value}-extra`), undefined, 'version 00 has nothing after the flags');
	assert.deepEqual(parseTraceparent(`01-${value.slice(3)}-future`), runnerSpan, 'a later version may add fields');
	assert.equal(parseTraceparent(`ff-${value.slice(3)}`), undefined);
	assert.equal(parseTraceparent(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`), undefined);
	assert.equal(parseTraceparent(`00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`), undefined);
	assert.equal(parseTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'), undefined, 'upper case is invalid');
	assert.equal(parseTraceparent('t'), undefined);
	assert.equal(parseTraceparent(undefined), undefined);
});
