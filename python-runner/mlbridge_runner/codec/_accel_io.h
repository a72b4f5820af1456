/*
 * Byte-level reading and writing shared by the C fast paths (_envelope_accel.c, _value_accel.c):
 * Avro zig-zag varints and length prefixes over a bounds-checked reader, and a growable writer
 * that starts in a buffer on the stack. Every reader function returns -1 without setting an
 * exception when the input is not well formed: the caller then leaves the input to Python.
 */
#ifndef MLBRIDGE_ACCEL_IO_H
#define MLBRIDGE_ACCEL_IO_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    const unsigned char *data;
    Py_ssize_t pos;
    Py_ssize_t end;
} Reader;

/* A zig-zag varint of at most 10 bytes that fits in 64 bits (as envelope_codec._long). */
static inline int read_long(Reader *r, int64_t *out) {
    uint64_t n = 0;
    for (int i = 0; i < 10; i++) {
        if (r->pos >= r->end) return -1;
        unsigned int byte = r->data[r->pos++];
        if (i == 9 && (byte & 0x7F) > 1) return -1; /* bits beyond the 64th */
        n |= (uint64_t)(byte & 0x7F) << (7 * i);
        if (!(byte & 0x80)) {
            *out = (int64_t)(n >> 1) ^ -(int64_t)(n & 1);
            return 0;
        }
    }
    return -1; /* longer than 10 bytes */
}

/* The length prefix of a string or bytes field: non-negative and within what is left. */
static inline int read_length(Reader *r, Py_ssize_t *size) {
    int64_t n;
    if (read_long(r, &n) < 0 || n < 0 || n > (int64_t)(r->end - r->pos)) return -1;
    *size = (Py_ssize_t)n;
    return 0;
}

/* New reference, or NULL with no exception set when the input is not well formed. */
static inline PyObject *read_string(Reader *r) {
    Py_ssize_t size;
    if (read_length(r, &size) < 0) return NULL;
    PyObject *text = PyUnicode_DecodeUTF8((const char *)r->data + r->pos, size, NULL);
    if (text == NULL) {
        PyErr_Clear(); /* invalid UTF-8: the Python reader words the error */
        return NULL;
    }
    r->pos += size;
    return text;
}

static inline PyObject *read_bytes(Reader *r) {
    Py_ssize_t size;
    if (read_length(r, &size) < 0) return NULL;
    PyObject *raw = PyBytes_FromStringAndSize((const char *)r->data + r->pos, size);
    if (raw == NULL) {
        PyErr_Clear();
        return NULL;
    }
    r->pos += size;
    return raw;
}

/*
 * Output goes to ``inline_space`` first; past it, straight into the bytes object that becomes the
 * result (``out``), grown with _PyBytes_Resize and shrunk to its length at the end. Writing into a
 * malloc'd buffer and copying it into a bytes object at the end, as before, copied every large
 * payload twice more (growth by an exact fit, then doubling at the next byte; then the final copy):
 * measured with perf on a runner echoing 500 KB, each copy of a cold 500 KB buffer cost ~60 us.
 */
typedef struct {
    char *data;
    Py_ssize_t len;
    Py_ssize_t cap;
    PyObject *out; /* the bytes object written into once past inline_space, or NULL */
    Py_ssize_t max_leaf; /* a bytes leaf longer than this is left to Python (value.py's segmented result) */
    char inline_space[512];
} Writer;

/* 0, or -1 (no exception set) when out of memory. */
static inline int reserve(Writer *w, Py_ssize_t more) {
    if (w->len + more <= w->cap) return 0;
    Py_ssize_t need = w->len + more;
    if (more < 0 || need < 0 || need > PY_SSIZE_T_MAX / 2) return -1;
    /* An eighth to spare: a large field is mostly followed by a few small ones. */
    Py_ssize_t cap = w->cap * 2;
    if (cap < need + need / 8) cap = need + need / 8;
    if (w->out == NULL) {
        PyObject *out = PyBytes_FromStringAndSize(NULL, cap);
        if (out == NULL) {
            PyErr_Clear();
            return -1;
        }
        memcpy(PyBytes_AS_STRING(out), w->data, w->len);
        w->out = out;
    } else if (_PyBytes_Resize(&w->out, cap) < 0) { /* frees the object and sets out to NULL */
        PyErr_Clear();
        w->data = w->inline_space;
        w->len = 0;
        w->cap = 0; /* nothing more fits: the caller gives up */
        return -1;
    }
    w->data = PyBytes_AS_STRING(w->out);
    w->cap = cap;
    return 0;
}

static inline int write_raw(Writer *w, const char *raw, Py_ssize_t size) {
    if (reserve(w, size) < 0) return -1;
    memcpy(w->data + w->len, raw, size);
    w->len += size;
    return 0;
}

static inline int write_byte(Writer *w, unsigned char byte) {
    if (reserve(w, 1) < 0) return -1;
    w->data[w->len++] = (char)byte;
    return 0;
}

static inline int write_long_value(Writer *w, int64_t value) {
    if (reserve(w, 10) < 0) return -1;
    uint64_t n = ((uint64_t)value << 1) ^ (uint64_t)(value >> 63);
    while (n > 0x7F) {
        w->data[w->len++] = (char)((n & 0x7F) | 0x80);
        n >>= 7;
    }
    w->data[w->len++] = (char)n;
    return 0;
}

static inline void writer_init(Writer *w) {
    w->data = w->inline_space;
    w->len = 0;
    w->cap = (Py_ssize_t)sizeof(w->inline_space);
    w->out = NULL;
    w->max_leaf = PY_SSIZE_T_MAX;
}

/* The written bytes as a bytes object (NULL with an exception set when out of memory); the writer is spent. */
static inline PyObject *writer_finish(Writer *w) {
    if (w->out == NULL) return PyBytes_FromStringAndSize(w->data, w->len);
    PyObject *out = w->out;
    w->out = NULL;
    /* Shrinking reallocates in place (glibc splits the block or mremaps it): no copy. */
    if (w->len != PyBytes_GET_SIZE(out) && _PyBytes_Resize(&out, w->len) < 0) return NULL;
    return out;
}

static inline void writer_discard(Writer *w) {
    Py_CLEAR(w->out);
}

#endif
