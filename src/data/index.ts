/** Tensors and Arrow tables in the Value encoding (value-v2.avsc). */
export {type ArrowModule, loadArrow} from './arrow.js';
export {ArrowMissingError, TensorShapeError} from './data-errors.js';
export {DTYPES, type Dtype, dtypeOf, isDtype, type TensorArray, type TensorArrayOf} from './dtypes.js';
export {Tensor} from './tensor.js';
