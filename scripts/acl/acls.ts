/**
 * Print or apply the ACLs of an mlbridge deployment (see acl-list.ts and docs/production.md).
 *
 *   node --import tsx scripts/acl/acls.ts --runner runner --client client [--client alice:alice-svc] \
 *     [--request-topic ml.pipeline.input] [--catalog-topic ml.pipeline.catalog] \
 *     [--reply-prefix ml.pipeline.reply.] [--group mlbridge-runners] [--bootstrap HOST:PORT]
 *   ... --apply --bootstrap HOST:PORT --ca ca.pem --admin admin --admin-password-file FILE
 *
 * `--client USER[:CLIENTID]`: the client user and the clientId its clients set (default: USER).
 */
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';
import {Kafka, logLevel} from 'kafkajs';
import {applyAcls, kafkaAclsCommands, mlbridgeAcls} from './acl-list.js';

const {values} = parseArgs({
	options: {
		runner: {type: 'string', default: 'runner'},
		client: {type: 'string', multiple: true, default: []},
		'request-topic': {type: 'string', default: 'ml.pipeline.input'},
		'catalog-topic': {type: 'string', default: 'ml.pipeline.catalog'},
		'reply-prefix': {type: 'string', default: 'ml.pipeline.reply.'},
		group: {type: 'string', default: 'mlbridge-runners'},
		bootstrap: {type: 'string', default: '127.0.0.1:9192'},
		apply: {type: 'boolean', default: false},
		ca: {type: 'string'},
		admin: {type: 'string', default: 'admin'},
		'admin-password-file': {type: 'string'},
		mechanism: {type: 'string', default: 'scram-sha-512'},
	},
});

const entries = mlbridgeAcls({
	runner: values.runner,
	clients: values.client.map(spec => {
		const [user = '', clientId] = spec.split(':');
		return {user, clientId: clientId ?? user};
	}),
	requestTopic: values['request-topic'],
	catalogTopic: values['catalog-topic'],
	replyTopicPrefix: values['reply-prefix'],
	runnerGroup: values.group,
});

if (!values.apply) {
	for (const [i, command] of kafkaAclsCommands(entries, values.bootstrap).entries()) {
		console.log(`# ${entries[i]!.why}\n${command}`);
	}
} else {
	const passwordFile = values['admin-password-file'];
	if (passwordFile === undefined) {
		throw new Error('--apply needs --admin-password-file (the admin password is never taken from the command line)');
	}

	const kafka = new Kafka({
		clientId: 'mlbridge-acls',
		brokers: values.bootstrap.split(','),
		logLevel: logLevel.NOTHING,
		ssl: values.ca === undefined ? true : {ca: [readFileSync(values.ca, 'utf8')]},
		sasl: {mechanism: values.mechanism as 'scram-sha-512', username: values.admin, password: readFileSync(passwordFile, 'utf8').trim()},
	});
	const admin = kafka.admin();
	await admin.connect();
	try {
		console.log(`applied ${await applyAcls(admin, entries)} ACL bindings for ${entries.length} resources`);
	} finally {
		await admin.disconnect();
	}
}
