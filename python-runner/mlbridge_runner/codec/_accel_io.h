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

typedef struct {
    char *data;
    Py_ssize_t len;
    Py_ssize_t cap;
    char inline_space[512];
} Writer;

static inline int reserve(Writer *w, Py_ssize_t more) {
    if (w->len + more <= w->cap) return 0;
    Py_ssize_t cap = w->cap * 2;
    if (cap < w->len + more) cap = w->len + more;
    char *data;
    if (w->data == w->inline_space) {
        data = PyMem_Malloc(cap);
        if (data != NULL) memcpy(data, w->data, w->len);
    } else {
        data = PyMem_Realloc(w->data, cap);
    }
    if (data == NULL) return -1;
    w->data = data;
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
}

/* The written bytes as a new bytes object (NULL with an exception set when out of memory); frees the buffer. */
static inline PyObject *writer_finish(Writer *w) {
    PyObject *out = PyBytes_FromStringAndSize(w->data, w->len);
    if (w->data != w->inline_space) PyMem_Free(w->data);
    return out;
}

static inline void writer_discard(Writer *w) {
    if (w->data != w->inline_space) PyMem_Free(w->data);
}

#endif
