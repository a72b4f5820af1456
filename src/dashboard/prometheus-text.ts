/**
 * The Prometheus text exposition format (version 0.0.4), as much as the dashboard reads of a
 * runner's /metrics: sample lines `name{label="value",...} value [timestamp]`; comments (# HELP,
 * # TYPE) skipped. Label values unescaped (\\, \", \n). A line that does not parse is skipped, not
 * fatal: one odd metric must not blank the charts.
 */

export type PromSample = {
	readonly name: string;
	readonly labels: Readonly<Record<string, string>>;
	readonly value: number;
};

const namePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*/;

export function parsePrometheusText(text: string): PromSample[] {
	const samples: PromSample[] = [];
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) {
			continue;
		}

		const sample = parseLine(line);
		if (sample !== undefined) {
			samples.push(sample);
		}
	}

	return samples;
}

function parseLine(line: string): PromSample | undefined {
	const name = namePattern.exec(line)?.[0];
	if (name === undefined) {
		return undefined;
	}

	let rest = line.slice(name.length);
	const labels: Record<string, string> = {};
	if (rest.startsWith('{')) {
		const parsed = parseLabels(rest);
		if (parsed === undefined) {
			return undefined;
		}

		Object.assign(labels, parsed.labels);
		rest = rest.slice(parsed.length);
	}

	const [valueText] = rest.trim().split(/\s+/);
	if (valueText === undefined || valueText === '') {
		return undefined;
	}

	const value = parseValue(valueText);
	return value === undefined ? undefined : {name, labels, value};
}

/** `{a="x",b="y"}` from the start of `text`: the labels and how many characters they took. */
function parseLabels(text: string): {labels: Record<string, string>; length: number} | undefined {
	const labels: Record<string, string> = {};
	let i = 1;
	for (;;) {
		while (text[i] === ' ' || text[i] === ',') {
			i++;
		}

		if (text[i] === '}') {
			return {labels, length: i + 1};
		}

		const labelName = labelNamePattern.exec(text.slice(i))?.[0];
		if (labelName === undefined) {
			return undefined;
		}

		i += labelName.length;
		while (text[i] === ' ') {
			i++;
		}

		if (text[i] !== '=' || text[i + 1] !== '"') {
			return undefined;
		}

		i += 2;
		let value = '';
		for (;;) {
			const c = text[i];
			if (c === undefined) {
				return undefined;
			}

			if (c === '"') {
				i++;
				break;
			}

			if (c === '\\') {
				const next = text[i + 1];
				value += next === 'n' ? '\n' : next ?? '';
				i += 2;
				continue;
			}

			value += c;
			i++;
		}

		labels[labelName] = value;
	}
}

function parseValue(text: string): number | undefined {
	switch (text) {
		case '+Inf':
		case 'Inf': {
			return Number.POSITIVE_INFINITY;
		}

		case '-Inf': {
			return Number.NEGATIVE_INFINITY;
		}

		case 'NaN': {
			return Number.NaN;
		}

		default: {
			const value = Number(text);
			return Number.isNaN(value) ? undefined : value;
		}
	}
}
