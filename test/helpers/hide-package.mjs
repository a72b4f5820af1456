// `node --import ./test/helpers/hide-package.mjs`: makes the package named by MLBRIDGE_HIDE_PACKAGE
// unresolvable, as on a machine where an optional peer is not installed.
import {register} from 'node:module';

const hooks = `
export async function resolve(specifier, context, next) {
	if (specifier === process.env.MLBRIDGE_HIDE_PACKAGE) {
		throw Object.assign(new Error("Cannot find package '" + specifier + "'"), {code: 'ERR_MODULE_NOT_FOUND'});
	}
	return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
