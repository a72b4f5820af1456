import {Command, InvalidArgumentError} from 'commander';
import {checkBind, DashboardAccessError} from '../dashboard/access.js';
import {DashboardServer} from '../dashboard/dashboard-server.js';
import {KafkaClusterView} from '../dashboard/kafka-cluster-view.js';
import {PipelineClient} from '../index.js';
import {addCommonOptions, clientOptions, processIo, runStandaloneCommand, type CliIo, type CommonOptions} from './command-context.js';
import {operationsTarget} from './operations-options.js';
import {formatError} from './output.js';

export type DashboardCommandOptions = CommonOptions & {
	readonly port: number;
	readonly host: string;
	readonly token?: string;
	readonly group: string;
};

function parsePort(text: string): number {
	const value = Number(text);
	if (!/^\d+$/.test(text.trim()) || value > 65_535) {
		throw new InvalidArgumentError('expected a port from 0 to 65535');
	}

	return value;
}

/**
 * `mlbridge dashboard`: the operator's page (jobs, pipelines, runners, dead letters) until Ctrl-C.
 * Exit 0 after a stop, 1 when the broker or the port cannot be had, 2 for bad usage (a bind
 * beyond loopback without a token among them).
 */
export async function runDashboardCommand(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
	const program = addCommonOptions(
		new Command('mlbridge dashboard')
			.description('serve the operator dashboard: jobs with live progress and cancel, pipelines, runners and lag, dead letters')
			.option('--port <port>', 'port to listen on (0: any free port)', parsePort, 8080)
			.option('--host <address>', 'address to bind; beyond loopback a token is required', '127.0.0.1')
			.option('--token <token>', 'access token every API call must carry (env MLBRIDGE_DASHBOARD_TOKEN)')
			.option('--group <group>', 'the runners\' consumer group (its job lane is <group>.jobs)', 'mlbridge-runners'),
	);
	return runStandaloneCommand(program, argv, io, async (options: DashboardCommandOptions) => serve(options, io));
}

async function serve(options: DashboardCommandOptions, io: CliIo): Promise<number> {
	const token = options.token ?? (io.env['MLBRIDGE_DASHBOARD_TOKEN'] || undefined);
	try {
		checkBind(options.host, token);
	} catch (error) {
		io.stderr.write(`mlbridge dashboard: ${(error as Error).message}\n`);
		return 2;
	}

	const resolved = clientOptions(options, io.env);
	const {brokers, requestTopic} = operationsTarget(options, io);
	let client: PipelineClient | undefined;
	let cluster: KafkaClusterView | undefined;
	let server: DashboardServer | undefined;
	try {
		client = await PipelineClient.connect(resolved);
		cluster = new KafkaClusterView({brokers, requestTopic, group: options.group});
		server = await DashboardServer.start({
			client,
			cluster,
			host: options.host,
			port: options.port,
			...(token === undefined ? {} : {token}),
			info: {requestTopic, group: options.group, brokers: brokers.join(',')},
		});
		// Read the job states before announcing the page, so its first load is not the one that pays
		// for reading the whole state topic (10,000 jobs: ~1 s here). Bounded: a slow broker or a
		// missing topic still gets the page up, which then reads on demand.
		await warmJobIndex(client, 15_000);
		io.stdout.write(`mlbridge dashboard: ${server.url}${token === undefined ? '' : ' (API calls need the token; open the page with #token=...)'}\n`);
		await new Promise<void>(resolve => {
			const undo = io.onInterrupt(() => {
				undo();
				resolve();
			});
			process.once('SIGTERM', () => resolve());
		});
		return 0;
	} catch (error) {
		io.stderr.write(error instanceof DashboardAccessError ? `mlbridge dashboard: ${error.message}\n` : formatError(error, options.verbose === true));
		return error instanceof DashboardAccessError ? 2 : 1;
	} finally {
		await server?.close().catch(() => undefined);
		await cluster?.close().catch(() => undefined);
		await client?.close().catch(() => undefined);
	}
}

async function warmJobIndex(client: PipelineClient, boundMs: number): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	await Promise.race([
		client.jobs({limit: 1}).catch(() => undefined),
		new Promise<void>(resolve => {
			timer = setTimeout(resolve, boundMs);
		}),
	]);
	clearTimeout(timer);
}
