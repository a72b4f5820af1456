/*
 * C fast paths for the runner's per-call envelope operations: reading a request body, building an
 * OK reply, writing a reply. Optional: envelope_codec.py runs without it (pure Python) and uses it only when
 * it imported, implements the same schema versions (FINGERPRINTS) and was bound to the classes.
 *
 * A top-level module (mlbridge_runner_accel), not one inside the package: the bundled runner runs
 * its source folder from PYTHONPATH, which shadows the package in site-packages, and with it any
 * extension built into the package there; a top-level module is found in either place.
 *
 * Contract with envelope_codec.py: every function here returns None unless the input is a
 * well-formed instance of the common case. The caller then runs the pure-Python code on the same
 * input, which either succeeds (a case this file does not handle, e.g. a non-exact type) or raises
 * the precise error. So this file never decides what an error says, and it must never accept
 * input the Python code refuses: tests/unit/test_envelope_accel.py checks both directions.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "_accel_io.h"

#define REQUEST_FIELDS 9
/* The request.avsc and reply.avsc this file implements (as envelope_codec.py's fingerprints). */
#define REQUEST_FINGERPRINT "\xc6\xbd\xd8\xd6\xa1\xa6\x6e\x41"
#define REPLY_FINGERPRINT "\x5f\xf1\xae\x21\x13\xd8\x0b\x13"

/* Bound once by bind(): the request class, its slot descriptors in field order, the status members. */
static PyTypeObject *request_type = NULL;
static PyObject *request_slots[REQUEST_FIELDS];
static PyObject *status_ok = NULL, *status_error = NULL, *status_progress = NULL;
static PyObject *empty_tuple = NULL;

static const char *const REQUEST_SLOT_NAMES[REQUEST_FIELDS] = {
    "id", "pipeline", "args", "args_schema", "reply_to", "deadline_ms", "attempt", "sent_at_ms", "headers",
};

/* Bound once by bind_reply(): the reply and timings classes and their slots, for ok_reply(). */
#define REPLY_FIELDS 8
#define TIMINGS_FIELDS 3
static PyTypeObject *reply_type = NULL, *timings_type = NULL;
static PyObject *reply_slots[REPLY_FIELDS], *timings_slots[TIMINGS_FIELDS];
static const char *const REPLY_SLOT_NAMES[REPLY_FIELDS] = {
    "id", "status", "result", "result_schema", "error", "progress", "runner", "timings",
};
static const char *const TIMINGS_SLOT_NAMES[TIMINGS_FIELDS] = {"received_at_ms", "started_at_ms", "finished_at_ms"};

/* Interned attribute names of replies, errors, causes, progress and timings. */
static PyObject *n_id, *n_status, *n_result, *n_result_schema, *n_error, *n_progress, *n_runner, *n_timings;
static PyObject *n_code, *n_type, *n_message, *n_traceback, *n_retryable, *n_causes;
static PyObject *n_current, *n_total, *n_received, *n_started, *n_finished;

/* An instance of the slotted class ``type`` with its slots set to ``values`` (borrowed), as the
 * dataclass would hold them: through the slot descriptors, so the instance is equal and still frozen. */
static PyObject *build(PyTypeObject *type, PyObject *const *slots, PyObject *const *values, int n) {
    PyObject *instance = PyBaseObject_Type.tp_new(type, empty_tuple, NULL);
    if (instance == NULL) return NULL;
    for (int i = 0; i < n; i++) {
        if (Py_TYPE(slots[i])->tp_descr_set(slots[i], instance, values[i]) < 0) {
            Py_DECREF(instance);
            return NULL;
        }
    }
    return instance;
}

/* ------------------------------------------------------------------------------------------ read */

/* map<string>: blocks of (count, [byte size if count < 0], entries) ended by a zero count. */
static PyObject *read_string_map(Reader *r) {
    PyObject *entries = PyDict_New();
    if (entries == NULL) {
        PyErr_Clear();
        return NULL;
    }
    for (;;) {
        int64_t count, block_size;
        if (read_long(r, &count) < 0) goto fail;
        if (count == 0) return entries;
        if (count < 0) {
            if (count == INT64_MIN) goto fail;
            count = -count;
            if (read_long(r, &block_size) < 0 || block_size < 0) goto fail;
        }
        if (count > (int64_t)((r->end - r->pos) / 2)) goto fail; /* each entry takes two bytes at least */
        for (int64_t i = 0; i < count; i++) {
            PyObject *key = read_string(r);
            if (key == NULL) goto fail;
            PyObject *value = read_string(r);
            if (value == NULL) {
                Py_DECREF(key);
                goto fail;
            }
            int failed = PyDict_SetItem(entries, key, value);
            Py_DECREF(key);
            Py_DECREF(value);
            if (failed) {
                PyErr_Clear();
                goto fail;
            }
        }
    }
fail:
    Py_DECREF(entries);
    return NULL;
}

/* read_request(data: bytes, pos: int) -> RequestEnvelope | None */
static PyObject *accel_read_request(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyBytes_CheckExact(args[0]) || !PyLong_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "read_request(data: bytes, pos: int)");
        return NULL;
    }
    if (request_type == NULL) Py_RETURN_NONE;
    Py_ssize_t pos = PyLong_AsSsize_t(args[1]);
    if (pos == -1 && PyErr_Occurred()) return NULL;
    Reader r = {(const unsigned char *)PyBytes_AS_STRING(args[0]), pos, PyBytes_GET_SIZE(args[0])};
    if (pos < 0 || pos > r.end) Py_RETURN_NONE;

    PyObject *fields[REQUEST_FIELDS] = {NULL};
    int64_t number;
    if ((fields[0] = read_string(&r)) == NULL) goto fallback;  /* id */
    if ((fields[1] = read_string(&r)) == NULL) goto fallback;  /* pipeline */
    if ((fields[2] = read_bytes(&r)) == NULL) goto fallback;   /* args */
    if ((fields[3] = read_string(&r)) == NULL) goto fallback;  /* argsSchema */
    if ((fields[4] = read_string(&r)) == NULL) goto fallback;  /* replyTo */
    if (read_long(&r, &number) < 0) goto fallback;             /* deadlineMs */
    if ((fields[5] = PyLong_FromLongLong(number)) == NULL) goto error;
    if (read_long(&r, &number) < 0 || number < INT32_MIN || number > INT32_MAX) goto fallback; /* attempt: an int */
    if ((fields[6] = PyLong_FromLongLong(number)) == NULL) goto error;
    if (read_long(&r, &number) < 0) goto fallback;             /* sentAtMs */
    if ((fields[7] = PyLong_FromLongLong(number)) == NULL) goto error;
    if ((fields[8] = read_string_map(&r)) == NULL) goto fallback; /* headers */
    if (r.pos != r.end) goto fallback;                          /* trailing bytes */

    PyObject *request = build(request_type, request_slots, fields, REQUEST_FIELDS);
    if (request == NULL) goto error;
    for (int i = 0; i < REQUEST_FIELDS; i++) Py_DECREF(fields[i]);
    return request;

fallback:
    for (int i = 0; i < REQUEST_FIELDS; i++) Py_XDECREF(fields[i]);
    Py_RETURN_NONE;
error:
    for (int i = 0; i < REQUEST_FIELDS; i++) Py_XDECREF(fields[i]);
    return NULL;
}

/* ----------------------------------------------------------------------------------------- write */

/* An int (or bool) that fits in 64 bits; -1 otherwise (Python raises the error). */
static int write_long(Writer *w, PyObject *value) {
    if (!PyLong_Check(value)) return -1;
    int overflow;
    long long n = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (overflow || (n == -1 && PyErr_Occurred())) {
        PyErr_Clear();
        return -1;
    }
    return write_long_value(w, (int64_t)n);
}

static int write_string(Writer *w, PyObject *text) {
    if (!PyUnicode_Check(text)) return -1;
    Py_ssize_t size;
    const char *raw = PyUnicode_AsUTF8AndSize(text, &size);
    if (raw == NULL) { /* lone surrogates */
        PyErr_Clear();
        return -1;
    }
    if (write_long_value(w, size) < 0) return -1;
    return write_raw(w, raw, size);
}

static int write_bytes(Writer *w, PyObject *raw) {
    if (!PyBytes_Check(raw)) return -1;
    Py_ssize_t size = PyBytes_GET_SIZE(raw);
    if (write_long_value(w, size) < 0) return -1;
    return write_raw(w, PyBytes_AS_STRING(raw), size);
}

static int write_double(Writer *w, PyObject *number) {
    if (!PyFloat_CheckExact(number)) return -1;
#if PY_BIG_ENDIAN
    return -1;
#else
    double value = PyFloat_AS_DOUBLE(number);
    return write_raw(w, (const char *)&value, 8);
#endif
}

/* Write attribute ``name`` of ``owner`` with ``writer``; -1 (no exception) when it does not fit. */
static int write_attr(Writer *w, PyObject *owner, PyObject *name, int (*writer)(Writer *, PyObject *)) {
    PyObject *value = PyObject_GetAttr(owner, name);
    if (value == NULL) {
        PyErr_Clear();
        return -1;
    }
    int failed = writer(w, value);
    Py_DECREF(value);
    return failed;
}

static int write_cause(Writer *w, PyObject *cause) {
    if (write_attr(w, cause, n_type, write_string) < 0) return -1;
    return write_attr(w, cause, n_message, write_string);
}

/* A tuple only: reading a cause's attributes can run Python code, which could shrink a list
 * under the loop (lists, rare here, go to the Python writer). */
static int write_causes(Writer *w, PyObject *causes) {
    if (!PyTuple_CheckExact(causes)) return -1;
    Py_ssize_t count = PyTuple_GET_SIZE(causes);
    if (count > 0) {
        if (write_long_value(w, count) < 0) return -1;
        for (Py_ssize_t i = 0; i < count; i++) {
            if (write_cause(w, PyTuple_GET_ITEM(causes, i)) < 0) return -1;
        }
    }
    return write_byte(w, 0);
}

static int write_retryable(Writer *w, PyObject *flag) {
    if (flag == Py_True) return write_byte(w, 1);
    if (flag == Py_False) return write_byte(w, 0);
    return -1;
}

static int write_error(Writer *w, PyObject *error) {
    if (error == Py_None) return write_byte(w, 0);
    if (write_byte(w, 2) < 0) return -1; /* union branch 1: RemoteError */
    if (write_attr(w, error, n_code, write_string) < 0) return -1;
    if (write_attr(w, error, n_type, write_string) < 0) return -1;
    if (write_attr(w, error, n_message, write_string) < 0) return -1;
    if (write_attr(w, error, n_traceback, write_string) < 0) return -1;
    if (write_attr(w, error, n_retryable, write_retryable) < 0) return -1;
    return write_attr(w, error, n_causes, write_causes);
}

static int write_optional_double(Writer *w, PyObject *number) {
    if (number == Py_None) return write_byte(w, 0);
    if (write_byte(w, 2) < 0) return -1;
    return write_double(w, number);
}

static int write_progress(Writer *w, PyObject *progress) {
    if (progress == Py_None) return write_byte(w, 0);
    if (write_byte(w, 2) < 0) return -1; /* union branch 1: Progress */
    if (write_attr(w, progress, n_current, write_double) < 0) return -1;
    if (write_attr(w, progress, n_total, write_optional_double) < 0) return -1;
    return write_attr(w, progress, n_message, write_string);
}

static int write_status(Writer *w, PyObject *status) {
    if (status == status_ok) return write_byte(w, 0);
    if (status == status_error) return write_byte(w, 2);
    if (status == status_progress) return write_byte(w, 4);
    return -1;
}

static int write_timings(Writer *w, PyObject *timings) {
    if (write_attr(w, timings, n_received, write_long) < 0) return -1;
    if (write_attr(w, timings, n_started, write_long) < 0) return -1;
    return write_attr(w, timings, n_finished, write_long);
}

/* encode_reply(header: bytes, reply: ReplyEnvelope) -> bytes | None: header + the reply body. */
static PyObject *accel_encode_reply(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyBytes_CheckExact(args[0])) {
        PyErr_SetString(PyExc_TypeError, "encode_reply(header: bytes, reply)");
        return NULL;
    }
    if (status_ok == NULL) Py_RETURN_NONE;
    PyObject *reply = args[1];
    Writer w;
    writer_init(&w);
    int failed = write_raw(&w, PyBytes_AS_STRING(args[0]), PyBytes_GET_SIZE(args[0]))
        || write_attr(&w, reply, n_id, write_string)
        || write_attr(&w, reply, n_status, write_status)
        || write_attr(&w, reply, n_result, write_bytes)
        || write_attr(&w, reply, n_result_schema, write_string)
        || write_attr(&w, reply, n_error, write_error)
        || write_attr(&w, reply, n_progress, write_progress)
        || write_attr(&w, reply, n_runner, write_string)
        || write_attr(&w, reply, n_timings, write_timings);
    if (failed) {
        writer_discard(&w);
        Py_RETURN_NONE;
    }
    return writer_finish(&w);
}

/* ------------------------------------------------------------------------------------------ bind */

/* The settable slot descriptors ``names`` of ``cls`` into ``out`` (new references); -1 with an exception set. */
static int slots_of(PyObject *cls, const char *const *names, int n, PyObject **out) {
    for (int i = 0; i < n; i++) {
        out[i] = PyObject_GetAttrString(cls, names[i]);
        if (out[i] == NULL || Py_TYPE(out[i])->tp_descr_set == NULL) {
            for (int j = 0; j <= i; j++) Py_XDECREF(out[j]);
            if (!PyErr_Occurred()) PyErr_Format(PyExc_TypeError, "%s has no settable slot", names[i]);
            return -1;
        }
    }
    return 0;
}

/* bind(request_cls, ok, error, progress): the classes and enum members the fast paths build/compare. */
static PyObject *accel_bind(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4 || !PyType_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "bind(request_cls, ok, error, progress)");
        return NULL;
    }
    PyObject *slots[REQUEST_FIELDS];
    if (slots_of(args[0], REQUEST_SLOT_NAMES, REQUEST_FIELDS, slots) < 0) return NULL;
    for (int i = 0; i < REQUEST_FIELDS; i++) Py_XSETREF(request_slots[i], slots[i]);
    Py_XSETREF(request_type, (PyTypeObject *)Py_NewRef(args[0]));
    Py_XSETREF(status_ok, Py_NewRef(args[1]));
    Py_XSETREF(status_error, Py_NewRef(args[2]));
    Py_XSETREF(status_progress, Py_NewRef(args[3]));
    Py_RETURN_NONE;
}

/* bind_reply(reply_cls, timings_cls): the classes ok_reply() builds. */
static PyObject *accel_bind_reply(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyType_Check(args[0]) || !PyType_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "bind_reply(reply_cls, timings_cls)");
        return NULL;
    }
    PyObject *reply[REPLY_FIELDS], *timings[TIMINGS_FIELDS];
    if (slots_of(args[0], REPLY_SLOT_NAMES, REPLY_FIELDS, reply) < 0) return NULL;
    if (slots_of(args[1], TIMINGS_SLOT_NAMES, TIMINGS_FIELDS, timings) < 0) {
        for (int i = 0; i < REPLY_FIELDS; i++) Py_DECREF(reply[i]);
        return NULL;
    }
    for (int i = 0; i < REPLY_FIELDS; i++) Py_XSETREF(reply_slots[i], reply[i]);
    for (int i = 0; i < TIMINGS_FIELDS; i++) Py_XSETREF(timings_slots[i], timings[i]);
    Py_XSETREF(reply_type, (PyTypeObject *)Py_NewRef(args[0]));
    Py_XSETREF(timings_type, (PyTypeObject *)Py_NewRef(args[1]));
    Py_RETURN_NONE;
}

/* ok_reply(id, result, result_schema, runner, received_at_ms, started_at_ms, finished_at_ms) -> ReplyEnvelope:
 * the OK reply of a call with its Timings, as replies.ok_reply builds them (values are not checked there either). */
static PyObject *accel_ok_reply(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 7 || reply_type == NULL || status_ok == NULL) {
        PyErr_SetString(PyExc_TypeError, "ok_reply(id, result, result_schema, runner, received, started, finished) after bind()/bind_reply()");
        return NULL;
    }
    PyObject *timings = build(timings_type, timings_slots, args + 4, TIMINGS_FIELDS);
    if (timings == NULL) return NULL;
    PyObject *values[REPLY_FIELDS] = {args[0], status_ok, args[1], args[2], Py_None, Py_None, args[3], timings};
    PyObject *reply = build(reply_type, reply_slots, values, REPLY_FIELDS);
    Py_DECREF(timings);
    return reply;
}

static PyMethodDef accel_methods[] = {
    {"bind", (PyCFunction)(void (*)(void))accel_bind, METH_FASTCALL, "Bind the request class and reply statuses."},
    {"read_request", (PyCFunction)(void (*)(void))accel_read_request, METH_FASTCALL,
     "The request body at data[pos:], or None to let the Python reader handle it."},
    {"encode_reply", (PyCFunction)(void (*)(void))accel_encode_reply, METH_FASTCALL,
     "header + the reply body, or None to let the Python writer handle it."},
    {"bind_reply", (PyCFunction)(void (*)(void))accel_bind_reply, METH_FASTCALL, "Bind the reply and timings classes."},
    {"ok_reply", (PyCFunction)(void (*)(void))accel_ok_reply, METH_FASTCALL, "An OK ReplyEnvelope with its Timings."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef accel_module = {
    PyModuleDef_HEAD_INIT, "mlbridge_runner_accel", "C fast paths for envelope_codec.py.", -1, accel_methods,
};

#define INTERN(var, text) \
    if ((var = PyUnicode_InternFromString(text)) == NULL) return NULL

PyMODINIT_FUNC PyInit_mlbridge_runner_accel(void) {
    INTERN(n_id, "id");
    INTERN(n_status, "status");
    INTERN(n_result, "result");
    INTERN(n_result_schema, "result_schema");
    INTERN(n_error, "error");
    INTERN(n_progress, "progress");
    INTERN(n_runner, "runner");
    INTERN(n_timings, "timings");
    INTERN(n_code, "code");
    INTERN(n_type, "type");
    INTERN(n_message, "message");
    INTERN(n_traceback, "traceback");
    INTERN(n_retryable, "retryable");
    INTERN(n_causes, "causes");
    INTERN(n_current, "current");
    INTERN(n_total, "total");
    INTERN(n_received, "received_at_ms");
    INTERN(n_started, "started_at_ms");
    INTERN(n_finished, "finished_at_ms");
    if ((empty_tuple = PyTuple_New(0)) == NULL) return NULL;
    PyObject *module = PyModule_Create(&accel_module);
    if (module == NULL) return NULL;
    PyObject *fingerprints = Py_BuildValue("(y#y#)", REQUEST_FINGERPRINT, (Py_ssize_t)8, REPLY_FINGERPRINT, (Py_ssize_t)8);
    if (fingerprints == NULL || PyModule_AddObject(module, "FINGERPRINTS", fingerprints) < 0) {
        Py_XDECREF(fingerprints);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
