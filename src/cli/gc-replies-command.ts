import {Command} from 'commander';
import {collectReplyTopics, defaultReplyTopicPrefix, type ReplyGcResult} from '../operations/reply-topics.js';
import {addCommonOptions, processIo, runStandaloneCommand, type CliIo} from './command-context.js';
import {addOperationsOptions, operationsTarget, parseDuration, type OperationsOptions} from './operations-options.js';
import {formatDuration, formatTable, printError} from './output.js';

export type GcRepliesCommandOptions = OperationsOptions & {
	readonly dryRun?: boolean;
	readonly idle?: number;
	readonly prefix: string;
	readonly keep?: readonly string[];
};

/**
 * `mlbridge gc-replies`: delete the reply topics of clients that are gone (see
 * src/operations/reply-topics.ts for the rule). Exit 0 done, 1 broker unreachable or a deletion
 * refused, 2 bad usage.
 */
export async function runGcRepliesCommand(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
	const program = addOperationsOptions(addCommonOptions(
		new Command('mlbridge gc-replies')
			.description('delete reply topics of clients that are gone: no consumer reads them and their newest record is older than --idle')
			.option('--dry-run', 'print what would be deleted; delete nothing')
			.option('--idle <duration>', 'idle past this (0, 90s, 15m, 1h, 2d) counts as gone (default: each topic\'s retention.ms)', parseDuration)
			.option('--prefix <prefix>', 'the clients\' replyTopicPrefix', defaultReplyTopicPrefix)
			.option('--keep <topic>', 'never delete this topic (repeatable)', (value: string, previous: string[] = []) => [...previous, value]),
	));
	return runStandaloneCommand(program, argv, io, async (options: GcRepliesCommandOptions) => gc(options, io));
}

async function gc(options: GcRepliesCommandOptions, io: CliIo): Promise<number> {
	try {
		const result = await collectReplyTopics({
			brokers: operationsTarget(options, io).brokers,
			prefix: options.prefix,
			...(options.idle === undefined ? {} : {idleMs: options.idle}),
			dryRun: options.dryRun === true,
			exclude: options.keep ?? [],
			timeoutMs: options.timeout,
			now: io.now,
		});
		io.stdout.write(options.json === true ? `${JSON.stringify(result)}\n` : formatGcResult(result));
		return 0;
	} catch (error) {
		printError(io, error, {json: options.json === true, verbose: options.verbose === true});
		return 1;
	}
}

export function formatGcResult(result: ReplyGcResult): string {
	if (result.topics.length === 0) {
		return `no reply topics under ${result.prefix}\n`;
	}

	const doomed = result.topics.filter(t => t.action === 'delete').length;
	const verb = result.dryRun ? 'would delete' : 'deleted';
	return formatTable(
		['TOPIC', 'ACTION', 'RECORDS', 'IDLE AFTER', 'WHY'],
		result.topics.map(t => [t.topic, t.action === 'delete' ? (result.dryRun ? 'would delete' : 'deleted') : 'keep', String(t.records), formatDuration(t.idleMs), t.reason]),
	) + `${verb} ${doomed} of ${result.topics.length} reply topic${result.topics.length === 1 ? '' : 's'}\n`;
}
