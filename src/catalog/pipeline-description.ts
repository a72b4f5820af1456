import type {AvroSchema} from '../contract/contract.js';
import type {PipelineLane} from './catalog-entry.js';

/** What the catalogue (or the pinned contract) says about one pipeline. */
export type PipelineDescription = {
	readonly name: string;
	/** The newest published version: the one invoke() encodes for when no contract pins another. */
	readonly version: number;
	/** Every published version, ascending. */
	readonly versions: readonly number[];
	/** The pipeline's docstring; `""` when none. */
	readonly doc: string;
	/** False: the pipeline has no (complete) type hints; its calls use the generic Value encoding. */
	readonly typed: boolean;
	/** Avro schema of the arguments record; undefined when untyped. */
	readonly argsSchema: AvroSchema | undefined;
	/** Avro schema of the result; undefined when untyped. */
	readonly resultSchema: AvroSchema | undefined;
	/** The pipeline's time limit on the runner; undefined when none. */
	readonly timeoutMs: number | undefined;
	/** Identity of the runner that published this version (`""` when only the contract knows it). */
	readonly runner: string;
	/** `JOB`: meant for submit() (declared `@pipeline(job=True)`); `CALL`: for invoke(). Either works. */
	readonly lane: PipelineLane;
};
