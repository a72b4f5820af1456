import {AuthenticationError, AuthorizationError, TlsError, type AuthorizationResource} from '../errors/index.js';
import type {SocketProblem} from './kafkajs-socket.js';
import type {KafkaSecurityOptions} from './security-options.js';

/** kafkajs's names and Kafka's error types that mean the credentials were refused. */
const authenticationFailures: ReadonlySet<string> = new Set([
	'KafkaJSSASLAuthenticationError',
	'SASL_AUTHENTICATION_FAILED',
	'UNSUPPORTED_SASL_MECHANISM',
	'ILLEGAL_SASL_STATE',
]);

/** The error and its causes (kafkajs wraps the last attempt's error in a retries-exceeded one). */
function* chain(error: unknown): Generator<{name?: unknown; type?: unknown}> {
	let current = error;
	for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
		yield current as {name?: unknown; type?: unknown};
		current = (current as {cause?: unknown; originalError?: unknown}).cause ?? (current as {originalError?: unknown}).originalError;
	}
}

/**
 * The typed error for a failed connect when the cause is one no retry can fix: refused credentials
 * (AuthenticationError) or a TLS failure a socket reported (TlsError); else undefined.
 */
export function securityError(
	error: unknown,
	brokers: readonly string[],
	security: KafkaSecurityOptions,
	problem: SocketProblem | undefined,
): AuthenticationError | TlsError | undefined {
	const sasl = security.sasl;
	if (sasl !== undefined) {
		for (const link of chain(error)) {
			if (authenticationFailures.has(String(link.name)) || authenticationFailures.has(String(link.type))) {
				return new AuthenticationError(brokers, sasl.mechanism, sasl.username, error);
			}
		}
	}

	return problem === undefined ? undefined : new TlsError(brokers, problem.broker, problem.problem, problem.error);
}

const deniedResource: Readonly<Record<string, AuthorizationResource>> = {
	TOPIC_AUTHORIZATION_FAILED: 'topic',
	GROUP_AUTHORIZATION_FAILED: 'group',
	CLUSTER_AUTHORIZATION_FAILED: 'cluster',
	TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'transactional-id',
};

/**
 * AuthorizationError when Kafka's answer was "not authorised", naming what was attempted: the
 * topics a per-topic answer names (createTopics), else `attempted.names`; else undefined.
 */
export function authorizationError(
	error: unknown,
	attempted: {readonly names: readonly string[]; readonly operation: string},
	principal: string | undefined,
	requestId?: string,
): AuthorizationError | undefined {
	const failures = [error, ...((error as {errors?: unknown} | null)?.errors as unknown[] | undefined ?? [])]
		.map(e => e as {type?: unknown; topic?: unknown} | null)
		.filter(e => typeof e?.type === 'string' && deniedResource[e.type] !== undefined);
	const first = failures[0];
	if (first === undefined || first === null) {
		return undefined;
	}

	const named = failures.map(f => f?.topic).filter((t): t is string => typeof t === 'string');
	const names = named.length > 0 ? [...new Set(named)] : attempted.names;
	return new AuthorizationError({resource: deniedResource[String(first.type)]!, names, operation: attempted.operation, principal}, error, requestId);
}
