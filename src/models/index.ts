export {ModelClient, type ModelClientOptions} from './model-client.js';
export {ModelNotFoundError, ModelTopicError} from './model-errors.js';
export {decodeModelRecord, encodeModelRecord, latestTag, type ModelRecord, type ModelRecordKind, modelRecordFingerprintHex, modelRecordKey, modelTopicFor} from './model-record.js';
export {ModelView, type ModelVersionInfo} from './model-view.js';
