/**
 * Type tests of the client's metrics API and the prom-client adapter: compiled by
 * `npm run typecheck`, never run. A line marked @ts-expect-error that compiles fails the check.
 */
import type {Registry} from 'prom-client';
import type {ClientMetricsSnapshot, ClientMetricsSource, HistogramSnapshot, MissingPeerDependencyError, PipelineCallMetrics, PipelineClient} from '../../src/index.js';
import {type ClientMetricsRegistration, registerClientMetrics} from '../../src/observability/prometheus-adapter.js';

type Expect<T extends true> = T;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

declare const client: PipelineClient;
declare const other: PipelineClient<{p: {args: {x: number}; result: number}}>;
declare const registry: Registry;

export type Snapshot = Expect<Equal<ReturnType<typeof client.metrics>, ClientMetricsSnapshot>>;
export type PerPipeline = Expect<Equal<ClientMetricsSnapshot['pipelines'][string], PipelineCallMetrics>>;
export type Calls = Expect<Equal<PipelineCallMetrics['calls'], Readonly<Record<string, number>>>>;
export type Duration = Expect<Equal<PipelineCallMetrics['duration'], HistogramSnapshot>>;
export type Le = Expect<Equal<HistogramSnapshot['buckets'][number]['le'], number>>;
export type Missing = Expect<Equal<MissingPeerDependencyError['packageName'], string>>;

// Any client (typed or not) is a source; so is your own aggregate.
const sources: ClientMetricsSource[] = [client, other, {metrics: () => client.metrics()}];
export type Registered = Expect<Equal<ReturnType<typeof registerClientMetrics>, Promise<ClientMetricsRegistration>>>;
void registerClientMetrics(client);
void registerClientMetrics(sources, {registry});
// @ts-expect-error the snapshot is read-only
client.metrics().pendingCalls = 1;
// @ts-expect-error not a source
void registerClientMetrics({});
// @ts-expect-error unknown option
void registerClientMetrics(client, {prefix: 'x'});
