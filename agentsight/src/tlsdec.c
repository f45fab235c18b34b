/* tlsdec: TLS decryption for keys mode (see tlsdec.h).
 *
 * Per socket and direction: records are put back together from the bytes,
 * clear handshake messages are read for the randoms, the version and the
 * cipher suite; encrypted records are opened with the traffic keys of the
 * current stage (TLS 1.3: handshake, then application after the Finished;
 * TLS 1.2: the key block after ChangeCipherSpec), or wait for their secrets.
 */
#include "tlsdec.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define REC_HDR	    5
#define REC_MAX	    (16384 + 2048) /* TLS 1.2's ciphertext bound; 1.3's is smaller */
#define TAG_LEN	    16
#define PENDING_ALL ((size_t)8 * 1024 * 1024) /* bytes waiting for keys, all sockets */

enum rec_type {
	CT_CCS = 20,
	CT_ALERT = 21,
	CT_HANDSHAKE = 22,
	CT_APPDATA = 23
};
enum aead {
	AEAD_NONE,
	AEAD_AES128GCM,
	AEAD_AES256GCM,
	AEAD_CHACHA
};
enum secret_id {
	SEC_MASTER,
	SEC_CHS,
	SEC_SHS,
	SEC_CTS,
	SEC_STS,
	SEC_COUNT
};
enum role {
	ROLE_UNKNOWN,
	ROLE_CLIENT,
	ROLE_SERVER
};

struct secret {
	uint8_t v[AS_KEY_SECRET_MAX];
	uint8_t len;
};

struct keyset {
	bool used;
	uint32_t pid;
	uint64_t ssl;
	int bound; /* stream index + 1, or 0 */
	uint64_t age;
	struct secret sec[SEC_COUNT];
};

struct dirstate {
	uint8_t rec[REC_HDR + REC_MAX];
	size_t have;
	bool encrypted; /* records from here on are protected */
	bool broken;	/* bytes were lost: nothing more until a new session */
	int stage;	/* TLS 1.3: 0 handshake keys, 1 application keys */
	bool keyed;
	uint8_t key[32];
	uint8_t iv[12];
	uint64_t seq;
	struct secret traffic; /* TLS 1.3: the current traffic secret (key updates) */
	/* the handshake message scanner: bytes of a message still to skip, and
	 * a header split across records */
	uint32_t hs_skip;
	uint8_t hs_hdr[4];
	uint8_t hs_hdr_n;
	uint8_t *pending; /* whole encrypted records waiting for their keys */
	size_t npending;
};

struct stream {
	uint32_t pid, fd;
	uint64_t age;
	enum role role;
	uint16_t version; /* 0x0303 or 0x0304 once the ServerHello is seen */
	uint16_t suite;
	enum aead aead;
	const EVP_MD *md;
	bool have_crandom, have_srandom;
	uint8_t crandom[32], srandom[32];
	int keyset; /* index + 1, or 0 */
	bool undecryptable;
	struct as_rec_hdr origin;
	struct dirstate dir[2];
};

struct as_tlsdec {
	struct as_tlsdec_sink sink;
	struct stream *streams[AS_TLSDEC_MAX_STREAMS];
	struct keyset keysets[AS_TLSDEC_MAX_KEYSETS];
	uint64_t clock;
	size_t pending_all;
	EVP_CIPHER_CTX *cctx;
	/* The cipher and key cctx holds: a record under the same key (the
	 * usual case, one record after another of a connection) only sets its
	 * nonce, without a new key schedule. */
	int loaded_aead;
	uint8_t loaded_key[32];
	uint8_t plain[REC_MAX];
	struct as_tlsdec_stats stats;
};

/* The SHA-256 of "HelloRetryRequest": a ServerHello with this random is one. */
static const uint8_t hrr_random[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
				       0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
				       0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
				       0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

struct as_tlsdec *as_tlsdec_new(const struct as_tlsdec_sink *sink)
{
	struct as_tlsdec *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cctx = EVP_CIPHER_CTX_new();
	if (!d->cctx) {
		free(d);
		return NULL;
	}
	if (sink)
		d->sink = *sink;
	return d;
}

static void stream_free(struct as_tlsdec *d, int i)
{
	struct stream *s = d->streams[i];
	if (!s)
		return;
	for (int k = 0; k < 2; k++) {
		d->pending_all -= s->dir[k].npending;
		free(s->dir[k].pending);
	}
	if (s->keyset && d->keysets[s->keyset - 1].bound == i + 1)
		d->keysets[s->keyset - 1].bound = 0;
	free(s);
	d->streams[i] = NULL;
}

void as_tlsdec_free(struct as_tlsdec *d)
{
	if (!d)
		return;
	for (int i = 0; i < AS_TLSDEC_MAX_STREAMS; i++)
		stream_free(d, i);
	EVP_CIPHER_CTX_free(d->cctx);
	free(d);
}

void as_tlsdec_get_stats(const struct as_tlsdec *d, struct as_tlsdec_stats *st)
{
	*st = d->stats;
}

/* ---- key derivation --------------------------------------------------------- */

/* HKDF-Expand-Label (RFC 8446 7.1) with an empty context, for out_len up to
 * the hash's length: one HMAC block. */
static bool hkdf_expand_label(const EVP_MD *md, const struct secret *sec, const char *label,
			      uint8_t *out, size_t out_len)
{
	uint8_t info[2 + 1 + 6 + 32 + 1 + 1];
	size_t ll = strlen(label), n = 0;
	if (ll > 32 || out_len > (size_t)EVP_MD_get_size(md))
		return false;
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0; /* context */
	info[n++] = 1; /* HKDF-Expand's block counter */
	uint8_t block[EVP_MAX_MD_SIZE];
	unsigned int blen = 0;
	if (!HMAC(md, sec->v, sec->len, info, n, block, &blen) || blen < out_len)
		return false;
	memcpy(out, block, out_len);
	return true;
}

/* TLS 1.2's PRF (RFC 5246 5): P_hash(secret, label + seed) into out. */
static bool tls12_prf(const EVP_MD *md, const uint8_t *secret, size_t slen, const char *label,
		      const uint8_t *s1, const uint8_t *s2, uint8_t *out, size_t out_len)
{
	uint8_t seed[64 + 64];
	size_t ll = strlen(label);
	if (ll > 64 || slen > INT_MAX)
		return false;
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): a seed, not a string */
	memcpy(seed, label, ll);
	memcpy(seed + ll, s1, 32);
	memcpy(seed + ll + 32, s2, 32);
	size_t seedlen = ll + 64;
	uint8_t a[EVP_MAX_MD_SIZE], block[EVP_MAX_MD_SIZE], buf[EVP_MAX_MD_SIZE + sizeof(seed)];
	unsigned int alen = 0, blen = 0;
	if (!HMAC(md, secret, (int)slen, seed, seedlen, a, &alen)) /* A(1) */
		return false;
	size_t done = 0;
	while (done < out_len) {
		memcpy(buf, a, alen);
		memcpy(buf + alen, seed, seedlen);
		if (!HMAC(md, secret, (int)slen, buf, alen + seedlen, block, &blen))
			return false;
		size_t take = out_len - done < blen ? out_len - done : blen;
		memcpy(out + done, block, take);
		done += take;
		uint8_t next[EVP_MAX_MD_SIZE];
		if (!HMAC(md, secret, (int)slen, a, alen, next, &alen)) /* A(i+1) */
			return false;
		memcpy(a, next, alen);
	}
	return true;
}

static size_t key_len(enum aead a)
{
	return a == AEAD_AES128GCM ? 16 : 32;
}

/* Which side wrote direction dir of a stream: true for the client. */
static bool written_by_client(const struct stream *s, int dir)
{
	return (s->role == ROLE_CLIENT) == (dir == AS_TLS_DIR_WRITE);
}

/* Derives the keys of direction dir for its current stage from keyset k.
 * Returns false when k lacks the secret. */
static bool derive(struct stream *s, int dir, const struct keyset *k, struct dirstate *out)
{
	bool client = written_by_client(s, dir);
	size_t klen = key_len(s->aead);
	if (s->version == 0x0304) {
		int id = out->stage == 0 ? (client ? SEC_CHS : SEC_SHS)
					 : (client ? SEC_CTS : SEC_STS);
		const struct secret *sec = &k->sec[id];
		if (!sec->len || sec->len != (size_t)EVP_MD_get_size(s->md))
			return false;
		out->traffic = *sec;
		return hkdf_expand_label(s->md, sec, "key", out->key, klen) &&
		       hkdf_expand_label(s->md, sec, "iv", out->iv, 12);
	}
	/* TLS 1.2: key block = client key, server key, client IV, server IV
	 * (AEAD suites have no MAC keys; GCM's IV is a 4-byte salt). */
	const struct secret *ms = &k->sec[SEC_MASTER];
	if (ms->len != 48 || !s->have_crandom || !s->have_srandom)
		return false;
	size_t ivlen = s->aead == AEAD_CHACHA ? 12 : 4;
	uint8_t block[2 * 32 + 2 * 12];
	if (!tls12_prf(s->md, ms->v, ms->len, "key expansion", s->srandom, s->crandom, block,
		       2 * klen + 2 * ivlen))
		return false;
	memcpy(out->key, block + (client ? 0 : klen), klen);
	memset(out->iv, 0, sizeof(out->iv));
	memcpy(out->iv, block + 2 * klen + (client ? 0 : ivlen), ivlen);
	return true;
}

/* ---- records ---------------------------------------------------------------- */

/* Opens one encrypted record with ds's keys at sequence seq. Returns the
 * plaintext length (in d->plain) and its content type, or -1. */
static long open_record(struct as_tlsdec *d, const struct stream *s, const struct dirstate *ds,
			uint64_t seq, const uint8_t *rec, size_t len, int *type)
{
	const uint8_t *body = rec + REC_HDR;
	size_t blen = len - REC_HDR;
	uint8_t nonce[12], aad[13];
	size_t aadlen;
	const uint8_t *ct;
	size_t ctlen;
	bool tls12_gcm = s->version == 0x0303 && s->aead != AEAD_CHACHA;

	if (tls12_gcm) {
		if (blen < 8 + TAG_LEN)
			return -1;
		memcpy(nonce, ds->iv, 4);
		memcpy(nonce + 4, body, 8);
		ct = body + 8;
		ctlen = blen - 8 - TAG_LEN;
	} else {
		if (blen < TAG_LEN + (s->version == 0x0304 ? 1 : 0))
			return -1;
		memcpy(nonce, ds->iv, 12);
		for (int i = 0; i < 8; i++)
			nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
		ct = body;
		ctlen = blen - TAG_LEN;
	}
	if (s->version == 0x0304) {
		memcpy(aad, rec, REC_HDR);
		aadlen = REC_HDR;
	} else {
		for (int i = 0; i < 8; i++)
			aad[i] = (uint8_t)(seq >> (56 - 8 * i));
		aad[8] = rec[0];
		aad[9] = rec[1];
		aad[10] = rec[2];
		aad[11] = (uint8_t)(ctlen >> 8);
		aad[12] = (uint8_t)ctlen;
		aadlen = 13;
	}
	const EVP_CIPHER *c = s->aead == AEAD_AES128GCM	  ? EVP_aes_128_gcm()
			      : s->aead == AEAD_AES256GCM ? EVP_aes_256_gcm()
							  : EVP_chacha20_poly1305();
	EVP_CIPHER_CTX *x = d->cctx;
	int outl = 0, fin = 0;
	if (ctlen > sizeof(d->plain))
		return -1;
	size_t klen = key_len(s->aead);
	bool loaded = d->loaded_aead == (int)s->aead && memcmp(d->loaded_key, ds->key, klen) == 0;
	if (loaded) {
		if (!EVP_DecryptInit_ex(x, NULL, NULL, NULL, nonce))
			loaded = false;
	}
	if (!loaded) {
		d->loaded_aead = AEAD_NONE;
		if (!EVP_DecryptInit_ex(x, c, NULL, NULL, NULL) ||
		    !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) ||
		    !EVP_DecryptInit_ex(x, NULL, NULL, ds->key, nonce))
			return -1;
		d->loaded_aead = (int)s->aead;
		memcpy(d->loaded_key, ds->key, klen);
	}
	if (!EVP_DecryptUpdate(x, NULL, &outl, aad, (int)aadlen) ||
	    !EVP_DecryptUpdate(x, d->plain, &outl, ct, (int)ctlen) ||
	    !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, (void *)(ct + ctlen)) ||
	    EVP_DecryptFinal_ex(x, d->plain + outl, &fin) <= 0) {
		d->loaded_aead = AEAD_NONE; /* start clean after a failure */
		return -1;
	}
	long n = outl + fin;
	if (s->version == 0x0304) {
		/* TLSInnerPlaintext: content, the real type, zero padding. */
		while (n > 0 && d->plain[n - 1] == 0)
			n--;
		if (n == 0)
			return -1;
		*type = d->plain[--n];
	} else {
		*type = rec[0];
	}
	return n;
}

static int stream_index(const struct as_tlsdec *d, const struct stream *s)
{
	for (int i = 0; i < AS_TLSDEC_MAX_STREAMS; i++)
		if (d->streams[i] == s)
			return i;
	return -1;
}

/* Reads the hellos: the randoms, the version and the cipher suite. */
static void on_hello(struct as_tlsdec *d, struct stream *s, int dir, const uint8_t *m, size_t len,
		     int mtype)
{
	if (len < 2 + 32)
		return;
	if (mtype == 1) { /* ClientHello: a new session on this socket */
		bool fresh = s->have_crandom || s->version;
		if (s->keyset && d->keysets[s->keyset - 1].bound == stream_index(d, s) + 1)
			d->keysets[s->keyset - 1].bound = 0;
		s->keyset = 0;
		s->version = 0;
		s->aead = AEAD_NONE;
		s->have_srandom = false;
		s->undecryptable = false;
		for (int k = 0; k < 2; k++) {
			struct dirstate *ds = &s->dir[k];
			ds->encrypted = ds->broken = ds->keyed = false;
			ds->stage = 0;
			ds->seq = 0;
			d->pending_all -= ds->npending;
			ds->npending = 0;
		}
		s->role = dir == AS_TLS_DIR_WRITE ? ROLE_CLIENT : ROLE_SERVER;
		memcpy(s->crandom, m + 2, 32);
		s->have_crandom = true;
		if (fresh && d->sink.reset)
			d->sink.reset(d->sink.ctx, &s->origin, s->fd);
		return;
	}
	/* ServerHello */
	if (memcmp(m + 2, hrr_random, 32) == 0)
		return; /* HelloRetryRequest: the real ServerHello follows */
	memcpy(s->srandom, m + 2, 32);
	s->have_srandom = true;
	size_t p = 2 + 32;
	if (p >= len)
		return;
	p += 1 + m[p]; /* session id */
	if (p + 3 > len)
		return;
	s->suite = (uint16_t)(m[p] << 8 | m[p + 1]);
	p += 3; /* suite, compression */
	uint16_t version = (uint16_t)(m[0] << 8 | m[1]);
	if (p + 2 <= len) {
		size_t end = p + 2 + (size_t)(m[p] << 8 | m[p + 1]);
		p += 2;
		if (end > len)
			end = len;
		while (p + 4 <= end) {
			uint16_t et = (uint16_t)(m[p] << 8 | m[p + 1]);
			size_t el = (size_t)(m[p + 2] << 8 | m[p + 3]);
			p += 4;
			if (p + el > end)
				break;
			if (et == 43 && el == 2) /* supported_versions: the one chosen */
				version = (uint16_t)(m[p] << 8 | m[p + 1]);
			p += el;
		}
	}
	s->version = version;
	switch (s->suite) {
	case 0x1301:
	case 0xc02b:
	case 0xc02f:
	case 0x009c:
	case 0x009e:
		s->aead = AEAD_AES128GCM;
		s->md = EVP_sha256();
		break;
	case 0x1302:
	case 0xc02c:
	case 0xc030:
	case 0x009d:
	case 0x009f:
		s->aead = AEAD_AES256GCM;
		s->md = EVP_sha384();
		break;
	case 0x1303:
	case 0xcca8:
	case 0xcca9:
	case 0xccaa:
		s->aead = AEAD_CHACHA;
		s->md = EVP_sha256();
		break;
	default:
		s->aead = AEAD_NONE;
	}
	if (s->aead == AEAD_NONE || (version != 0x0303 && version != 0x0304)) {
		s->undecryptable = true;
		d->stats.undecryptable++;
		return;
	}
	if (version == 0x0304) /* everything after the ServerHello is protected */
		s->dir[0].encrypted = s->dir[1].encrypted = true;
	(void)dir;
}

/* Walks the handshake messages in data (one record's worth); calls back
 * for hellos whose whole body lies in data; returns true when a Finished
 * or (*keyupdate) a KeyUpdate message ended in it. */
static bool scan_handshake(struct as_tlsdec *d, struct stream *s, int dir, const uint8_t *data,
			   size_t len, bool *keyupdate)
{
	struct dirstate *ds = &s->dir[dir];
	bool finished = false;
	size_t p = 0;
	while (p < len) {
		if (ds->hs_skip) {
			size_t take = len - p < ds->hs_skip ? len - p : ds->hs_skip;
			p += take;
			ds->hs_skip -= (uint32_t)take;
			continue;
		}
		while (ds->hs_hdr_n < 4 && p < len)
			ds->hs_hdr[ds->hs_hdr_n++] = data[p++];
		if (ds->hs_hdr_n < 4)
			break;
		int mtype = ds->hs_hdr[0];
		uint32_t mlen = (uint32_t)ds->hs_hdr[1] << 16 | ds->hs_hdr[2] << 8 | ds->hs_hdr[3];
		ds->hs_hdr_n = 0;
		if ((mtype == 1 || mtype == 2) && mlen <= len - p)
			on_hello(d, s, dir, data + p, mlen, mtype);
		if (mtype == 20)
			finished = true;
		if (mtype == 24)
			*keyupdate = true;
		ds->hs_skip = mlen;
	}
	return finished;
}

/* Keys for the current stage of a direction: from the keyset the stream is
 * bound to, or, not bound yet, the first keyset of the process that opens
 * this record (which binds them). Returns false while none can. */
static bool find_keys(struct as_tlsdec *d, struct stream *s, int dir, const uint8_t *rec,
		      size_t len)
{
	struct dirstate *ds = &s->dir[dir];
	if (s->keyset) {
		ds->keyed = derive(s, dir, &d->keysets[s->keyset - 1], ds);
		ds->seq = 0;
		return ds->keyed;
	}
	int self = stream_index(d, s) + 1;
	for (int i = 0; i < AS_TLSDEC_MAX_KEYSETS; i++) {
		struct keyset *k = &d->keysets[i];
		if (!k->used || k->pid != s->pid || (k->bound && k->bound != self))
			continue;
		struct dirstate trial = *ds;
		if (!derive(s, dir, k, &trial))
			continue;
		int type;
		if (open_record(d, s, &trial, 0, rec, len, &type) < 0)
			continue;
		memcpy(ds->key, trial.key, sizeof(ds->key));
		memcpy(ds->iv, trial.iv, sizeof(ds->iv));
		ds->traffic = trial.traffic;
		ds->keyed = true;
		ds->seq = 0;
		k->bound = self;
		s->keyset = i + 1;
		return true;
	}
	return false;
}

static void deliver(struct as_tlsdec *d, struct stream *s, int dir, const uint8_t *p, size_t n)
{
	d->stats.plain_bytes += n;
	if (d->sink.plain && n)
		d->sink.plain(d->sink.ctx, &s->origin, s->fd, dir, p, n);
}

/* An encrypted record. Returns false when it must wait for keys. */
static bool on_encrypted(struct as_tlsdec *d, struct stream *s, int dir, const uint8_t *rec,
			 size_t len)
{
	struct dirstate *ds = &s->dir[dir];
	if (s->undecryptable || s->role == ROLE_UNKNOWN || s->aead == AEAD_NONE)
		return true;
	if (!ds->keyed && !find_keys(d, s, dir, rec, len))
		return false;
	int type = 0;
	long n = open_record(d, s, ds, ds->seq, rec, len, &type);
	if (n < 0 && s->version == 0x0304 && ds->stage == 0) {
		/* A Finished we did not see: try the application keys. */
		struct dirstate next = *ds;
		next.stage = 1;
		if (s->keyset && derive(s, dir, &d->keysets[s->keyset - 1], &next) &&
		    (n = open_record(d, s, &next, 0, rec, len, &type)) >= 0)
			*ds = next;
		else if (s->keyset && !d->keysets[s->keyset - 1]
					       .sec[written_by_client(s, dir) ? SEC_CTS : SEC_STS]
					       .len)
			return false; /* the application secret is still to come */
	}
	if (n < 0) {
		d->stats.failures++;
		ds->seq++;
		return true;
	}
	d->stats.records++;
	ds->seq++;
	if (type == CT_APPDATA) {
		deliver(d, s, dir, d->plain, (size_t)n);
	} else if (type == CT_HANDSHAKE) {
		bool keyupdate = false;
		bool fin = scan_handshake(d, s, dir, d->plain, (size_t)n, &keyupdate);
		if (s->version == 0x0304 && fin && ds->stage == 0) {
			ds->stage = 1;
			ds->keyed = false; /* the application secret, when it comes */
			if (s->keyset)
				ds->keyed = derive(s, dir, &d->keysets[s->keyset - 1], ds);
			ds->seq = 0;
		} else if (s->version == 0x0304 && keyupdate && ds->traffic.len) {
			struct secret next = {.len = ds->traffic.len};
			if (hkdf_expand_label(s->md, &ds->traffic, "traffic upd", next.v,
					      next.len)) {
				ds->traffic = next;
				hkdf_expand_label(s->md, &next, "key", ds->key, key_len(s->aead));
				hkdf_expand_label(s->md, &next, "iv", ds->iv, 12);
				ds->seq = 0;
			}
		}
	}
	return true;
}

static void queue_pending(struct as_tlsdec *d, struct dirstate *ds, const uint8_t *rec, size_t len)
{
	if (ds->npending + len > AS_TLSDEC_MAX_PENDING || d->pending_all + len > PENDING_ALL) {
		d->stats.pending_dropped += len;
		ds->broken = true;
		return;
	}
	uint8_t *p = realloc(ds->pending, ds->npending + len);
	if (!p) {
		d->stats.pending_dropped += len;
		ds->broken = true;
		return;
	}
	memcpy(p + ds->npending, rec, len);
	ds->pending = p;
	ds->npending += len;
	d->pending_all += len;
}

/* Retries the records waiting in a direction, in order. */
static void drain_pending(struct as_tlsdec *d, struct stream *s, int dir)
{
	struct dirstate *ds = &s->dir[dir];
	size_t p = 0;
	while (p + REC_HDR <= ds->npending) {
		size_t len = REC_HDR + (size_t)(ds->pending[p + 3] << 8 | ds->pending[p + 4]);
		if (!on_encrypted(d, s, dir, ds->pending + p, len))
			break;
		p += len;
	}
	if (p) {
		memmove(ds->pending, ds->pending + p, ds->npending - p);
		ds->npending -= p;
		d->pending_all -= p;
	}
}

static void on_record(struct as_tlsdec *d, struct stream *s, int dir, const uint8_t *rec,
		      size_t len)
{
	struct dirstate *ds = &s->dir[dir];
	int type = rec[0];
	bool protected = ds->encrypted && !(s->version == 0x0304 && type == CT_CCS);
	if (!protected) {
		if (type == CT_HANDSHAKE) {
			bool ku = false;
			scan_handshake(d, s, dir, rec + REC_HDR, len - REC_HDR, &ku);
		} else if (type == CT_CCS && s->version == 0x0303) {
			ds->encrypted = true; /* TLS 1.2: protected from the next record */
			ds->keyed = false;
			ds->hs_skip = 0;
			ds->hs_hdr_n = 0;
		}
		return;
	}
	if (ds->npending || !on_encrypted(d, s, dir, rec, len))
		queue_pending(d, ds, rec, len);
}

/* ---- streams and keys ------------------------------------------------------- */

static struct stream *stream_get(struct as_tlsdec *d, uint32_t pid, uint32_t fd, bool create)
{
	int free_slot = -1, oldest = -1;
	for (int i = 0; i < AS_TLSDEC_MAX_STREAMS; i++) {
		struct stream *s = d->streams[i];
		if (!s) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (s->pid == pid && s->fd == fd) {
			s->age = ++d->clock;
			return s;
		}
		if (oldest < 0 || s->age < d->streams[oldest]->age)
			oldest = i;
	}
	if (!create)
		return NULL;
	if (free_slot < 0) {
		stream_free(d, oldest);
		free_slot = oldest;
	}
	struct stream *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->pid = pid;
	s->fd = fd;
	s->age = ++d->clock;
	d->streams[free_slot] = s;
	return s;
}

void as_tlsdec_bytes(struct as_tlsdec *d, const struct as_rec_hdr *h, uint32_t fd, int dir,
		     const uint8_t *data, size_t len)
{
	if (dir < 0 || dir > 1)
		return;
	struct stream *s = stream_get(d, h->pid, fd, true);
	if (!s)
		return;
	s->origin = *h;
	struct dirstate *ds = &s->dir[dir];
	if (ds->broken)
		ds->have = 0; /* look for a new session from this call's first byte */
	while (len) {
		if (ds->have < REC_HDR) {
			size_t take = REC_HDR - ds->have < len ? REC_HDR - ds->have : len;
			memcpy(ds->rec + ds->have, data, take);
			ds->have += take;
			data += take;
			len -= take;
			if (ds->have < REC_HDR)
				break;
			size_t blen = (size_t)(ds->rec[3] << 8 | ds->rec[4]);
			bool plausible = ds->rec[0] >= CT_CCS && ds->rec[0] <= CT_APPDATA &&
					 ds->rec[1] == 3 && blen <= REC_MAX;
			if (!plausible) {
				/* Not TLS (or lost track): stop this direction. */
				ds->broken = true;
				ds->have = 0;
				return;
			}
		}
		size_t want = REC_HDR + (size_t)(ds->rec[3] << 8 | ds->rec[4]);
		size_t take = want - ds->have < len ? want - ds->have : len;
		memcpy(ds->rec + ds->have, data, take);
		ds->have += take;
		data += take;
		len -= take;
		if (ds->have == want) {
			ds->have = 0;
			/* A hello starts a new session even on a broken direction. */
			if (!ds->broken || (ds->rec[0] == CT_HANDSHAKE && want > REC_HDR &&
					    (ds->rec[REC_HDR] == 1 || ds->rec[REC_HDR] == 2))) {
				ds->broken = false;
				on_record(d, s, dir, ds->rec, want);
			}
		}
	}
}

void as_tlsdec_gap(struct as_tlsdec *d, uint32_t pid, uint32_t fd, int dir)
{
	struct stream *s = stream_get(d, pid, fd, false);
	if (!s || dir < 0 || dir > 1)
		return;
	struct dirstate *ds = &s->dir[dir];
	if (!ds->broken)
		d->stats.gaps++;
	ds->broken = true;
	ds->have = 0;
}

static int secret_id(const char *label)
{
	static const struct {
		const char *label;
		int id;
	} map[] = {
		{"CLIENT_RANDOM", SEC_MASTER},
		{"CLIENT_HANDSHAKE_TRAFFIC_SECRET", SEC_CHS},
		{"SERVER_HANDSHAKE_TRAFFIC_SECRET", SEC_SHS},
		{"CLIENT_TRAFFIC_SECRET_0", SEC_CTS},
		{"SERVER_TRAFFIC_SECRET_0", SEC_STS},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(label, map[i].label) == 0)
			return map[i].id;
	return -1;
}

void as_tlsdec_key(struct as_tlsdec *d, const struct as_rec_tls_key *k)
{
	char label[AS_KEY_LABEL_MAX + 1];
	memcpy(label, k->label, AS_KEY_LABEL_MAX);
	label[AS_KEY_LABEL_MAX] = 0;
	int id = secret_id(label);
	if (id < 0 || k->secret_len == 0 || k->secret_len > AS_KEY_SECRET_MAX)
		return;
	d->stats.keys++;
	struct keyset *ks = NULL, *free_ks = NULL, *oldest = NULL;
	for (int i = 0; i < AS_TLSDEC_MAX_KEYSETS; i++) {
		struct keyset *x = &d->keysets[i];
		if (!x->used) {
			if (!free_ks)
				free_ks = x;
			continue;
		}
		if (x->pid == k->h.pid && x->ssl == k->conn)
			ks = x;
		if (!oldest || x->age < oldest->age)
			oldest = x;
	}
	/* The first secret of a handshake on an SSL object that served an
	 * earlier one: a new session, new keys. */
	if (ks && ks->sec[id].len && (id == SEC_MASTER || id == SEC_CHS)) {
		if (ks->bound && d->streams[ks->bound - 1])
			d->streams[ks->bound - 1]->keyset = 0;
		memset(ks, 0, sizeof(*ks));
		ks->used = true;
		ks->pid = k->h.pid;
		ks->ssl = k->conn;
	}
	if (!ks) {
		ks = free_ks ? free_ks : oldest;
		if (ks->used && ks->bound && d->streams[ks->bound - 1])
			d->streams[ks->bound - 1]->keyset = 0;
		memset(ks, 0, sizeof(*ks));
		ks->used = true;
		ks->pid = k->h.pid;
		ks->ssl = k->conn;
	}
	ks->age = ++d->clock;
	memcpy(ks->sec[id].v, k->secret, k->secret_len);
	ks->sec[id].len = (uint8_t)k->secret_len;

	/* Records of this process that waited for keys may open now. */
	for (int i = 0; i < AS_TLSDEC_MAX_STREAMS; i++) {
		struct stream *s = d->streams[i];
		if (!s || s->pid != k->h.pid)
			continue;
		for (int dir = 0; dir < 2; dir++) {
			if (s->keyset == (int)(ks - d->keysets) + 1 && !s->dir[dir].keyed &&
			    s->dir[dir].encrypted)
				s->dir[dir].keyed = derive(s, dir, ks, &s->dir[dir]);
			if (s->dir[dir].npending)
				drain_pending(d, s, dir);
		}
	}
}

void as_tlsdec_forget(struct as_tlsdec *d, uint32_t pid)
{
	for (int i = 0; i < AS_TLSDEC_MAX_STREAMS; i++)
		if (d->streams[i] && d->streams[i]->pid == pid)
			stream_free(d, i);
	for (int i = 0; i < AS_TLSDEC_MAX_KEYSETS; i++)
		if (d->keysets[i].used && d->keysets[i].pid == pid)
			memset(&d->keysets[i], 0, sizeof(d->keysets[i]));
}
