/**
 * Registry subjects and refs (docs/typed-contract.md §6). The request envelope uses Confluent's
 * TopicNameStrategy (`<topic>-value`) so that a stock KafkaAvroSerializer producing to the request
 * topic registers and finds the same subject.
 */

/** Subject of the reply envelope schema (replies go to many private topics, so not per topic). */
export const REPLY_SUBJECT = 'mlbridge.reply-value';

/** `argsSchema` / `resultSchema` prefix naming a registry id instead of a `crc64:` fingerprint. */
export const REGISTRY_REF_PREFIX = 'registry:';

/** Subject of the request envelope on `requestTopic` (TopicNameStrategy, value side). */
export function requestSubject(requestTopic: string): string {
	return `${requestTopic}-value`;
}

/** Subject of a typed pipeline's arguments record. */
export function argsSubject(pipeline: string): string {
	return `mlbridge.pipeline.${pipeline}.args-value`;
}

/** Subject of a typed pipeline's result schema. */
export function resultSubject(pipeline: string): string {
	return `mlbridge.pipeline.${pipeline}.result-value`;
}

/** `registry:<id>`. */
export function registryRef(schemaId: number): string {
	return `${REGISTRY_REF_PREFIX}${schemaId}`;
}

/** The id of a `registry:<id>` ref; undefined for any other ref (`crc64:…`) or a malformed id. */
export function parseRegistryRef(ref: string): number | undefined {
	if (!ref.startsWith(REGISTRY_REF_PREFIX)) return undefined;
	const digits = ref.slice(REGISTRY_REF_PREFIX.length);
	if (!/^(0|[1-9]\d{0,9})$/.test(digits)) return undefined;
	const id = Number(digits);
	return id <= 0x7fffffff ? id : undefined;
}
