/* proto.h: the dock protocol (docs/vessels.md, "Dock protocol"), spoken
 * between vslctl's --dock client and a dock, and between two docks during a
 * migration.
 *
 * A connection carries frames. A frame is a 12-byte header (the magic
 * "VSLD", a type byte, a zero flags byte, two zero bytes, the payload length
 * as a little-endian u32) and the payload: a sequence of fields, each a tag
 * byte, a little-endian u32 length and that many bytes. Every connection
 * opens with HELLO carrying the shared token; a dock answers OK or ERR and
 * then serves one request frame after another, each answered by one OK or
 * ERR frame.
 *
 * vsl_msg_header and vsl_msg_parse check frames that came from outside: they
 * refuse bad magic, unknown types and tags, non-zero reserved bytes, lengths
 * beyond the limit or beyond the payload, with a message; they never read
 * out of bounds and allocate at most one field array bounded by the
 * payload's length.
 */
#ifndef ISTHMUS_VSL_PROTO_H
#define ISTHMUS_VSL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VSL_MSG_MAGIC	   "VSLD"
#define VSL_MSG_HDR	   12u
#define VSL_MSG_MAX	   (UINT32_C(1) << 30) /* payload limit after HELLO */
#define VSL_MSG_MAX_HELLO  4096u	       /* payload limit before it */
#define VSL_MSG_MAX_FIELDS 65536u
#define VSL_TOKEN_MAX	   1024u

/* Frame types. */
enum {
	VSL_MSG_HELLO = 1,  /* TOKEN */
	VSL_MSG_OK,	    /* ID, TEXT, IMAGE, CODE: what the request returns */
	VSL_MSG_ERR,	    /* TEXT */
	VSL_MSG_RUN,	    /* MODULE, ARG*, ENV*, STDOUT, STDERR, HOLD */
	VSL_MSG_PS,	    /* (none) -> OK TEXT */
	VSL_MSG_CHECKPOINT, /* ID -> OK IMAGE */
	VSL_MSG_RESTORE,    /* IMAGE, STDOUT, STDERR, HOLD, PRECOPY, PENDING -> OK ID */
	VSL_MSG_MIGRATE,    /* ID, ADDR, HOLD, PRECOPY -> OK ID TEXT */
	VSL_MSG_KILL,	    /* ID */
	VSL_MSG_WAIT,	    /* ID -> OK CODE TEXT, once the vessel has ended */
	VSL_MSG_PAGES,	    /* PAGES: pre-copied memory pages (dock to dock) */
	VSL_MSG_COMMIT,	    /* ID: start a vessel restored as PENDING */
	VSL_MSG_TYPE_LAST = VSL_MSG_COMMIT
};

/* Field tags. */
enum {
	VSL_F_TOKEN = 1,
	VSL_F_ID,      /* u64 */
	VSL_F_TEXT,    /* UTF-8 text */
	VSL_F_MODULE,  /* Wasm module bytes */
	VSL_F_ARG,     /* one guest argument (argv[0] first) */
	VSL_F_ENV,     /* one KEY=VALUE */
	VSL_F_STDOUT,  /* host path on the dock, appended to */
	VSL_F_STDERR,  /* host path on the dock, appended to */
	VSL_F_IMAGE,   /* vessel image bytes (docs/vessel-format.md) */
	VSL_F_ADDR,    /* HOST:PORT */
	VSL_F_HOLD,    /* u64: stop after this many safe points and wait */
	VSL_F_PRECOPY, /* u64: 1 = pre-copy (MIGRATE), merge pages (RESTORE) */
	VSL_F_CODE,    /* u64: exit code */
	VSL_F_PAGES,   /* u32 mem, u32 count, count x (u32 page, 64 KiB) */
	VSL_F_PENDING, /* u64: 1 = restore but wait for COMMIT */
	VSL_F_LAST = VSL_F_PENDING
};

typedef struct vsl_field {
	uint8_t tag;
	uint32_t len;
	const uint8_t *data; /* into the payload */
} vsl_field;

typedef struct vsl_msg {
	uint8_t type;
	uint32_t nfields;
	vsl_field *fields; /* malloc'ed; vsl_msg_clear frees */
} vsl_msg;

/* Checks a frame header; sets *type and *len (at most max). */
int vsl_msg_header(const uint8_t *hdr, uint32_t max, uint8_t *type, uint32_t *len, char *err,
		   size_t errlen);

/* Splits a payload into fields (pointers into payload). The caller calls
 * vsl_msg_clear, also after a failure. */
int vsl_msg_parse(uint8_t type, const uint8_t *payload, size_t len, vsl_msg *m, char *err,
		  size_t errlen);
void vsl_msg_clear(vsl_msg *m);

/* The first field with this tag, or NULL. */
const vsl_field *vsl_msg_get(const vsl_msg *m, uint8_t tag);
/* A u64 field (8 bytes little-endian); def when absent; -1 when malformed. */
int vsl_msg_u64(const vsl_msg *m, uint8_t tag, uint64_t def, uint64_t *out);
/* A text field copied as a C string (no NUL inside, at most max bytes);
 * *out = NULL when absent. -1 when malformed or out of memory. */
int vsl_msg_str(const vsl_msg *m, uint8_t tag, size_t max, char **out);
int vsl_field_str(const vsl_field *f, size_t max, char **out);

/* Frame building: begin, add fields, then send b->p[0..b->len). */
typedef struct vsl_buf {
	uint8_t *p;
	size_t len, cap;
	bool failed; /* out of memory or over VSL_MSG_MAX: do not send */
} vsl_buf;
void vsl_buf_begin(vsl_buf *b, uint8_t type);
void vsl_buf_add(vsl_buf *b, uint8_t tag, const void *data, size_t len);
/* Opens a field to be filled by vsl_buf_raw; vsl_buf_close_field ends it. */
size_t vsl_buf_open_field(vsl_buf *b, uint8_t tag);
void vsl_buf_raw(vsl_buf *b, const void *data, size_t len);
void vsl_buf_close_field(vsl_buf *b, size_t at);
void vsl_buf_add_str(vsl_buf *b, uint8_t tag, const char *s);
void vsl_buf_add_u64(vsl_buf *b, uint8_t tag, uint64_t v);
/* Sets the header's length; returns 0, or -1 when b->failed. */
int vsl_buf_finish(vsl_buf *b);
void vsl_buf_free(vsl_buf *b);

/* Constant-time token comparison (time depends only on the lengths'
 * bound, never on where they differ). */
bool vsl_token_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* ---- sockets -------------------------------------------------------------------- */

typedef ssize_t (*vsl_read_fn)(int fd, void *buf, size_t n);

int vsl_send_all(int fd, const void *p, size_t n);
int vsl_send_buf(int fd, vsl_buf *b); /* finish, send, free */
/* Receives one frame of at most max payload bytes into *m (payload owned by
 * *payload: free it after m). The buffer grows with the bytes that arrive,
 * not with the length a peer announces. rd: NULL for read(2). Returns 0,
 * 1 on a clean end of stream before a header, -1 with a message. */
int vsl_recv_msg(int fd, uint32_t max, vsl_read_fn rd, vsl_msg *m, uint8_t **payload, char *err,
		 size_t errlen);
/* "HOST:PORT" -> connected TCP socket, or -1 with a message. */
int vsl_dial(const char *addr, char *err, size_t errlen);
/* Listening socket on "HOST:PORT" (port 0: any); *port gets the port. */
int vsl_listen(const char *addr, uint16_t *port, char *err, size_t errlen);

#endif /* ISTHMUS_VSL_PROTO_H */
