/**
 * The least-privilege ACLs of an mlbridge deployment, for given principal names (docs/production.md).
 *
 * Principals: runners (one user shared by a runner group), clients (one user each; its clientId
 * names its reply topics and groups, so one prefixed ACL gives it its own and nobody else's).
 * Admins are the cluster's `super.users`: nothing here.
 */
import kafkajs, {type Admin} from 'kafkajs';

// kafkajs is CommonJS and Node cannot see these enums as named exports.
const {AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes} = kafkajs;

export type AclNames = {
	/** SASL user of the runners. */
	readonly runner: string;
	/** SASL user → the clientId that user's clients set (reply topics `<replyTopicPrefix><clientId>-…`). */
	readonly clients: ReadonlyArray<{readonly user: string; readonly clientId: string}>;
	readonly requestTopic: string;
	readonly catalogTopic: string;
	readonly replyTopicPrefix: string;
	/** The runners' consumer group (`--group`). */
	readonly runnerGroup: string;
};

export type AclOperation = 'read' | 'write' | 'create' | 'delete' | 'describe' | 'describe-configs';
export type AclEntry = {
	readonly principal: string;
	readonly resource: 'topic' | 'group' | 'transactional-id';
	readonly name: string;
	readonly pattern: 'literal' | 'prefixed';
	readonly operations: readonly AclOperation[];
	/** Why this principal needs it. */
	readonly why: string;
};

/** Throws when one client's reply prefix would cover another client's topics (`a-` covers `a-b-…`). */
function checkClients(names: AclNames): void {
	const ids = names.clients.map(c => c.clientId);
	for (const a of ids) {
		for (const b of ids) {
			if (a !== b && b.startsWith(`${a}-`)) {
				throw new Error(`clientId ${JSON.stringify(a)} would reach ${JSON.stringify(b)}'s reply topics (prefix ${names.replyTopicPrefix}${a}-): choose ids where none is another's start followed by "-"`);
			}
		}
	}
}

export function mlbridgeAcls(names: AclNames): AclEntry[] {
	checkClients(names);
	const runner = `User:${names.runner}`;
	const request = names.requestTopic;
	const jobs = `${request}.jobs`;
	const jobState = `${request}.jobs.state`;
	const topic = (principal: string, name: string, operations: AclOperation[], why: string, pattern: AclEntry['pattern'] = 'literal'): AclEntry =>
		({principal, resource: 'topic', name, pattern, operations, why});
	const entries: AclEntry[] = [
		topic(runner, request, ['read', 'describe', 'create'], 'consume requests; create the topic at start if missing'),
		topic(runner, `${request}.dlq`, ['write', 'describe', 'create'], 'dead-letter undecodable and failed calls'),
		topic(runner, `${request}.deliveries`, ['read', 'write', 'describe', 'create'], 'delivery counts after rebalances (poison messages)'),
		topic(runner, names.catalogTopic, ['read', 'write', 'describe', 'create'], 'read and publish pipeline versions'),
		topic(runner, jobs, ['read', 'describe', 'create'], 'consume job requests'),
		topic(runner, jobState, ['read', 'write', 'describe', 'create'], 'job states, heartbeats, results, cancellations'),
		topic(runner, `${request}.runners`, ['read', 'write', 'describe', 'create'], 'runner presence records'),
		topic(runner, `${request}.models`, ['read', 'write', 'describe', 'create'], 'model versions: follow them, publish what a training job saved'),
		topic(runner, names.replyTopicPrefix, ['write', 'describe'], "answer every client's reply topic", 'prefixed'),
		{principal: runner, resource: 'group', name: names.runnerGroup, pattern: 'prefixed', operations: ['read', 'describe'], why: 'the runner group, its .jobs and .jobview groups'},
		{principal: runner, resource: 'group', name: 'mlbridge-catalog-', pattern: 'prefixed', operations: ['read'], why: 'catalogue views (never commit)'},
		{principal: runner, resource: 'group', name: 'mlbridge-models-', pattern: 'prefixed', operations: ['read'], why: 'model-version followers (never commit)'},
		{principal: runner, resource: 'transactional-id', name: `mlbridge-${names.runnerGroup}-`, pattern: 'prefixed', operations: ['write', 'describe'], why: '--transactional replies'},
	];
	for (const {user, clientId} of names.clients) {
		const client = `User:${user}`;
		const own = `${names.replyTopicPrefix}${clientId}-`;
		entries.push(
			topic(client, request, ['write', 'describe', 'describe-configs'], 'send requests; read the size limit'),
			topic(client, own, ['create', 'read', 'delete', 'describe'], 'its own reply topics, none of another client', 'prefixed'),
			topic(client, names.catalogTopic, ['read', 'write', 'describe'], 'read pipelines; publish its pinned schemas'),
			topic(client, jobs, ['write', 'describe'], 'submit jobs'),
			topic(client, jobState, ['read', 'write', 'describe'], 'follow and cancel jobs'),
			topic(client, `${request}.models`, ['read', 'write', 'describe'], 'list model versions; promote and roll back (tag records)'),
			{principal: client, resource: 'group', name: own, pattern: 'prefixed', operations: ['read'], why: 'its reply, catalogue and job-state readers'},
		);
	}

	return entries;
}

const operationName: Readonly<Record<AclOperation, string>> = {
	read: 'Read', write: 'Write', create: 'Create', delete: 'Delete', describe: 'Describe', 'describe-configs': 'DescribeConfigs',
};
const resourceFlag: Readonly<Record<AclEntry['resource'], string>> = {topic: '--topic', group: '--group', 'transactional-id': '--transactional-id'};

/** The entries as `kafka-acls.sh` commands. */
export function kafkaAclsCommands(entries: readonly AclEntry[], bootstrap: string, commandConfig = 'admin.properties'): string[] {
	return entries.map(e => [
		`kafka-acls.sh --bootstrap-server ${bootstrap} --command-config ${commandConfig} --add`,
		`--allow-principal ${e.principal}`,
		...e.operations.map(o => `--operation ${operationName[o]}`),
		`${resourceFlag[e.resource]} '${e.name}'`,
		...(e.pattern === 'prefixed' ? ['--resource-pattern-type prefixed'] : []),
	].join(' '));
}

const operationType: Readonly<Record<AclOperation, number>> = {
	read: AclOperationTypes.READ,
	write: AclOperationTypes.WRITE,
	create: AclOperationTypes.CREATE,
	delete: AclOperationTypes.DELETE,
	describe: AclOperationTypes.DESCRIBE,
	'describe-configs': AclOperationTypes.DESCRIBE_CONFIGS,
};
const resourceType: Readonly<Record<AclEntry['resource'], number>> = {
	topic: AclResourceTypes.TOPIC,
	group: AclResourceTypes.GROUP,
	'transactional-id': AclResourceTypes.TRANSACTIONAL_ID,
};

/** Create the entries (as an admin: a super user or one with Alter on the cluster). Idempotent. */
export async function applyAcls(admin: Admin, entries: readonly AclEntry[]): Promise<number> {
	const acl = entries.flatMap(e => e.operations.map(o => ({
		resourceType: resourceType[e.resource],
		resourceName: e.name,
		resourcePatternType: e.pattern === 'prefixed' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
		principal: e.principal,
		host: '*',
		operation: operationType[o],
		permissionType: AclPermissionTypes.ALLOW,
	})));
	await admin.createAcls({acl});
	return acl.length;
}
