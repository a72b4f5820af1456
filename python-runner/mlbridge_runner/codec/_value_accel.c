/*
 * C fast paths for the generic Value codec (value.py): the arguments and results of every untyped
 * call. Optional, and top-level for the same reason as mlbridge_runner_accel (see _envelope_accel.c).
 *
 * Same contract as the envelope fast paths: each function answers only well-formed input made of
 * exact built-in types (None, bool, int within 64 bits, float, str, bytes, list, tuple, dict with
 * str keys, nested below MAX_DEPTH) and returns None for anything else — a subclass, a numpy array,
 * a non-canonical union tag, a negative block count, a trailing byte. value.py then runs the Python
 * code on the same input, which handles it or raises the error naming the path. So this file never
 * words an error and must never accept what the Python code refuses (tests/unit/test_value_accel.py).
 * No user code runs while a value is written: exact types only, so a list or dict cannot change
 * under the loop.
 */
#include "_accel_io.h"

/* value.avsc's fingerprint (value.py checks it against the loaded schema before using this file). */
#define VALUE_FINGERPRINT "\x07\x1d\x3e\x74\x6c\x3c\xa3\xbc"
/* value.MAX_DEPTH: arrays and maps nested this deep are left to Python, which refuses them. */
#define MAX_DEPTH 256

enum { NULL_TAG = 0, BOOLEAN_TAG = 2, LONG_TAG = 4, DOUBLE_TAG = 6, STRING_TAG = 8, BYTES_TAG = 10, ARRAY_TAG = 12, MAP_TAG = 14 };

/* ------------------------------------------------------------------------------------------ read */

static PyObject *read_value(Reader *r, int depth);

/* A block count: positive and no larger than the items left could hold at ``min_size`` bytes each
 * (value._block's check). 0 ends the list of blocks. Negative counts (sized blocks) go to Python. */
static int read_count(Reader *r, int64_t min_size, int64_t *count) {
    if (read_long(r, count) < 0 || *count < 0) return -1;
    return *count > (int64_t)(r->end - r->pos) / min_size ? -1 : 0;
}

static PyObject *read_array(Reader *r, int depth) {
    PyObject *items = PyList_New(0);
    if (items == NULL) goto fail;
    for (;;) {
        int64_t count;
        if (read_count(r, 1, &count) < 0) goto fail;
        if (count == 0) return items;
        for (int64_t i = 0; i < count; i++) {
            PyObject *item = read_value(r, depth);
            if (item == NULL) goto fail;
            int failed = PyList_Append(items, item);
            Py_DECREF(item);
            if (failed) goto fail;
        }
    }
fail:
    PyErr_Clear();
    Py_XDECREF(items);
    return NULL;
}

static PyObject *read_map(Reader *r, int depth) {
    PyObject *entries = PyDict_New();
    if (entries == NULL) goto fail;
    for (;;) {
        int64_t count;
        if (read_count(r, 2, &count) < 0) goto fail;
        if (count == 0) return entries;
        for (int64_t i = 0; i < count; i++) {
            PyObject *key = read_string(r);
            if (key == NULL) goto fail;
            PyObject *item = read_value(r, depth);
            if (item == NULL) {
                Py_DECREF(key);
                goto fail;
            }
            int failed = PyDict_SetItem(entries, key, item); /* a repeated key: the last one wins, as in Python */
            Py_DECREF(key);
            Py_DECREF(item);
            if (failed) goto fail;
        }
    }
fail:
    PyErr_Clear();
    Py_XDECREF(entries);
    return NULL;
}

/* New reference, or NULL with no exception set when the input is not the common well-formed case. */
static PyObject *read_value(Reader *r, int depth) {
    if (r->pos >= r->end) return NULL;
    unsigned int tag = r->data[r->pos++]; /* the canonical one-byte union index; others go to Python */
    switch (tag) {
    case NULL_TAG:
        Py_RETURN_NONE;
    case BOOLEAN_TAG:
        if (r->pos >= r->end || r->data[r->pos] > 1) return NULL;
        return PyBool_FromLong(r->data[r->pos++]);
    case LONG_TAG: {
        int64_t n;
        if (read_long(r, &n) < 0) return NULL;
        return PyLong_FromLongLong(n);
    }
    case DOUBLE_TAG: {
#if PY_BIG_ENDIAN
        return NULL;
#else
        double number;
        if (r->end - r->pos < 8) return NULL;
        memcpy(&number, r->data + r->pos, 8);
        r->pos += 8;
        return PyFloat_FromDouble(number);
#endif
    }
    case STRING_TAG:
        return read_string(r);
    case BYTES_TAG:
        return read_bytes(r);
    case ARRAY_TAG:
        return depth >= MAX_DEPTH ? NULL : read_array(r, depth + 1);
    case MAP_TAG:
        return depth >= MAX_DEPTH ? NULL : read_map(r, depth + 1);
    default:
        return NULL;
    }
}

/*
 * decode_value(body) -> (value,) | None: the value in a 1-tuple (the value may be None). ``body``
 * is bytes or any read-only buffer: a blob of hundreds of MB arrives as an mmap of the store's
 * file (blobs/file_store.py) and is decoded in place, its leaves copied out once.
 */
static PyObject *accel_decode_value(PyObject *module, PyObject *body) {
    Py_buffer view;
    int viewed = 0;
    Reader r;
    if (PyBytes_CheckExact(body)) {
        r = (Reader){(const unsigned char *)PyBytes_AS_STRING(body), 0, PyBytes_GET_SIZE(body)};
    } else {
        if (PyObject_GetBuffer(body, &view, PyBUF_SIMPLE) < 0) {
            PyErr_Clear();
            Py_RETURN_NONE;
        }
        viewed = 1;
        r = (Reader){(const unsigned char *)view.buf, 0, view.len};
    }
    PyObject *value = read_value(&r, 0);
    int trailing = value != NULL && r.pos != r.end;
    if (viewed) PyBuffer_Release(&view);
    if (value == NULL) Py_RETURN_NONE;
    if (trailing) {
        Py_DECREF(value);
        Py_RETURN_NONE;
    }
    PyObject *boxed = PyTuple_New(1);
    if (boxed == NULL) {
        Py_DECREF(value);
        return NULL;
    }
    PyTuple_SET_ITEM(boxed, 0, value);
    return boxed;
}

/* ----------------------------------------------------------------------------------------- write */

static int write_value(Writer *w, PyObject *value, int depth);

static int write_text(Writer *w, PyObject *text) {
    Py_ssize_t size;
    const char *raw = PyUnicode_AsUTF8AndSize(text, &size);
    if (raw == NULL) { /* lone surrogates: value.py words the error */
        PyErr_Clear();
        return -1;
    }
    if (write_long_value(w, size) < 0) return -1;
    return write_raw(w, raw, size);
}

/* Items of an exact list or tuple: its size cannot change while they are written (no user code runs). */
static int write_items(Writer *w, PyObject *const *items, Py_ssize_t n, int depth) {
    if (write_byte(w, ARRAY_TAG) < 0) return -1;
    if (n > 0) {
        if (write_long_value(w, n) < 0) return -1;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (write_value(w, items[i], depth + 1) < 0) return -1;
        }
    }
    return write_byte(w, 0);
}

static int write_map(Writer *w, PyObject *entries, int depth) {
    if (write_byte(w, MAP_TAG) < 0) return -1;
    Py_ssize_t n = PyDict_GET_SIZE(entries);
    if (n > 0) {
        if (write_long_value(w, n) < 0) return -1;
        Py_ssize_t pos = 0;
        PyObject *key, *item;
        while (PyDict_Next(entries, &pos, &key, &item)) {
            if (!PyUnicode_CheckExact(key) || write_text(w, key) < 0 || write_value(w, item, depth + 1) < 0) return -1;
        }
    }
    return write_byte(w, 0);
}

/* 0, or -1 (no exception set) when ``value`` is not the common case: value.py writes it instead. */
static int write_value(Writer *w, PyObject *value, int depth) {
    PyTypeObject *type = Py_TYPE(value);
    if (value == Py_None) return write_byte(w, NULL_TAG);
    if (type == &PyBool_Type) {
        if (reserve(w, 2) < 0) return -1;
        w->data[w->len++] = BOOLEAN_TAG;
        w->data[w->len++] = value == Py_True;
        return 0;
    }
    if (type == &PyLong_Type) {
        int overflow;
        long long n = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (overflow || (n == -1 && PyErr_Occurred())) { /* wider than 64 bits: value.py refuses it */
            PyErr_Clear();
            return -1;
        }
        if (write_byte(w, LONG_TAG) < 0) return -1;
        return write_long_value(w, (int64_t)n);
    }
    if (type == &PyFloat_Type) {
#if PY_BIG_ENDIAN
        return -1;
#else
        double number = PyFloat_AS_DOUBLE(value);
        if (write_byte(w, DOUBLE_TAG) < 0) return -1;
        return write_raw(w, (const char *)&number, 8);
#endif
    }
    if (type == &PyUnicode_Type) {
        if (write_byte(w, STRING_TAG) < 0) return -1;
        return write_text(w, value);
    }
    if (type == &PyBytes_Type) {
        Py_ssize_t size = PyBytes_GET_SIZE(value);
        if (size > w->max_leaf) return -1;
        if (write_byte(w, BYTES_TAG) < 0 || write_long_value(w, size) < 0) return -1;
        return write_raw(w, PyBytes_AS_STRING(value), size);
    }
    if (type == &PyList_Type || type == &PyTuple_Type || type == &PyDict_Type) {
        if (depth >= MAX_DEPTH) return -1;
        if (type == &PyList_Type) return write_items(w, ((PyListObject *)value)->ob_item, PyList_GET_SIZE(value), depth);
        if (type == &PyTuple_Type) return write_items(w, ((PyTupleObject *)value)->ob_item, PyTuple_GET_SIZE(value), depth);
        return write_map(w, value, depth);
    }
    return -1;
}

/*
 * encode_value(value[, max_leaf]) -> bytes | None. With ``max_leaf``, a value holding a bytes leaf
 * longer than that is left to Python too: a result's large leaves are kept aside there, uncopied,
 * and written to the blob store from where they lie (value_result.py).
 */
static PyObject *accel_encode_value(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "encode_value(value[, max_leaf])");
        return NULL;
    }
    PyObject *value = args[0];
    Writer w;
    writer_init(&w);
    if (nargs == 2) {
        w.max_leaf = PyLong_AsSsize_t(args[1]);
        if (w.max_leaf == -1 && PyErr_Occurred()) return NULL;
    }
    if (write_value(&w, value, 0) < 0) {
        writer_discard(&w);
        Py_RETURN_NONE;
    }
    return writer_finish(&w);
}

/*
 * extended_body(cls, data) -> cls(data), copying data once. CPython builds an instance of a bytes
 * subclass as a bytes object first and copies that into the instance: perf on a runner echoing
 * 4 MB tensors put ExtendedValueBody(body) at 22% of its CPU. ``cls`` must be a bytes subclass
 * that adds no fields (value_data.ExtendedValueBody); this is what bytes_subtype_new does, once.
 */
static PyObject *accel_extended_body(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyType_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "extended_body(cls, data)");
        return NULL;
    }
    PyTypeObject *type = (PyTypeObject *)args[0];
    if (!PyType_IsSubtype(type, &PyBytes_Type) || type->tp_basicsize != PyBytes_Type.tp_basicsize
        || type->tp_itemsize != PyBytes_Type.tp_itemsize) {
        PyErr_SetString(PyExc_TypeError, "extended_body: cls must be a bytes subclass without fields");
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(args[1], &view, PyBUF_SIMPLE) < 0) return NULL;
    PyObject *out = type->tp_alloc(type, view.len); /* zeroed, the trailing NUL included */
    if (out != NULL) {
        memcpy(PyBytes_AS_STRING(out), view.buf, (size_t)view.len);
_Py_COMP_DIAG_PUSH
_Py_COMP_DIAG_IGNORE_DEPR_DECLS
        ((PyBytesObject *)out)->ob_shash = -1; /* not hashed yet (tp_alloc left 0) */
_Py_COMP_DIAG_POP
    }
    PyBuffer_Release(&view);
    return out;
}

static PyMethodDef value_methods[] = {
    {"extended_body", (PyCFunction)(void (*)(void))accel_extended_body, METH_FASTCALL,
     "cls(data) for a bytes subclass without fields, copying data once."},
    {"decode_value", (PyCFunction)accel_decode_value, METH_O,
     "(value,) read from a Value body, or None to let the Python reader handle it."},
    {"encode_value", (PyCFunction)(void (*)(void))accel_encode_value, METH_FASTCALL,
     "The Value body of value, or None to let the Python writer handle it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef value_module = {
    PyModuleDef_HEAD_INIT, "mlbridge_runner_value_accel", "C fast paths for value.py.", -1, value_methods,
};

PyMODINIT_FUNC PyInit_mlbridge_runner_value_accel(void) {
    PyObject *module = PyModule_Create(&value_module);
    if (module == NULL) return NULL;
    if (PyModule_AddObject(module, "FINGERPRINT", PyBytes_FromStringAndSize(VALUE_FINGERPRINT, 8)) < 0
        || PyModule_AddIntConstant(module, "MAX_DEPTH", MAX_DEPTH) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
