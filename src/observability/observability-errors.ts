import {MlbridgeError} from '../errors/base.js';

/**
 * An optional peer dependency a feature needs is not installed (`prom-client` for
 * registerClientMetrics()). `packageName` says which: `npm install <packageName>`.
 */
export class MissingPeerDependencyError extends MlbridgeError {
	readonly packageName: string;

	constructor(packageName: string, feature: string, cause?: unknown) {
		super(`${feature} needs the optional package ${packageName}, which is not installed: npm install ${packageName}`, {
			code: 'MISSING_PEER_DEPENDENCY',
			cause,
		});
		this.packageName = packageName;
	}
}
