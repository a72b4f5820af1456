/**
 * A client in its own process, for the scenario that SIGKILLs one with calls in flight.
 * Usage: reliability-client.ts REQUEST_TOPIC BROKERS COUNT SECONDS
 * Prints {"ready":true,"replyTopic":...} once connected, then {"sent":COUNT} once its COUNT calls of
 * `rel_sleep` (tags child-1..COUNT) are produced, then waits to be killed.
 */
import {PipelineClient} from '../../src/index.js';

const [requestTopic = '', brokerList = '127.0.0.1:9092', countText = '20', secondsText = '2'] = process.argv.slice(2);
const client = await PipelineClient.connect({brokers: brokerList.split(','), requestTopic, requestPartitions: 12, connectTimeoutMs: 30_000});
process.stdout.write(JSON.stringify({ready: true, replyTopic: client.replyTopic}) + '\n');
const count = Number(countText);
for (let n = 1; n <= count; n++) {
	client.invoke('rel_sleep', {tag: `child-${n}`, seconds: Number(secondsText)}, {timeoutMs: 600_000}).catch(() => undefined);
}

// Give the send batcher time to produce everything.
await new Promise(resolve => setTimeout(resolve, 1000));
process.stdout.write(JSON.stringify({sent: count}) + '\n');
setInterval(() => undefined, 60_000);
