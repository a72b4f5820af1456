"""Tensors and Arrow tables in the generic Value (``value-v2.avsc``): numpy, pyarrow and pandas are
optional and imported only when a tensor or table is met (the ``data`` extra installs them)."""

from .dtypes import DTYPES, Dtype
from .errors import MissingDataPackage, TensorShapeMismatch
from .tensor import TensorData

__all__ = ["DTYPES", "Dtype", "MissingDataPackage", "TensorData", "TensorShapeMismatch"]
