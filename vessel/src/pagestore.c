/* pagestore.c: pre-copied pages kept by a destination dock until the
 * final image arrives (pagestore.h).
 */
#include "pagestore.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vsl_store_free(vsl_page_store *s)
{
	for (uint32_t m = 0; m < VSL_MAX_MEMORIES; m++) {
		for (uint32_t p = 0; p < s->npages[m]; p++)
			free(s->pages[m][p]);
		free(s->pages[m]);
	}
	memset(s, 0, sizeof(*s));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* PAGES: u32 mem, u32 count, count x (u32 page, 64 KiB of data). */
int vsl_store_pages(vsl_page_store *s, const vsl_field *f, char *err, size_t errlen)
{
	if (f->len < 8) {
		snprintf(err, errlen, "PAGES: truncated");
		return -1;
	}
	uint32_t mem = get32(f->data), count = get32(f->data + 4);
	if (mem >= VSL_MAX_MEMORIES) {
		snprintf(err, errlen, "PAGES: memory %u (at most %u)", mem,
			 (unsigned)VSL_MAX_MEMORIES);
		return -1;
	}
	if ((uint64_t)count * (4 + VSL_PAGE_SIZE) != (uint64_t)f->len - 8) {
		snprintf(err, errlen, "PAGES: %u pages do not fit %u bytes", count, f->len);
		return -1;
	}
	const uint8_t *d = f->data + 8;
	for (uint32_t i = 0; i < count; i++, d += 4 + VSL_PAGE_SIZE) {
		uint32_t pg = get32(d);
		if (pg >= VSL_MAX_PAGES) {
			snprintf(err, errlen, "PAGES: page %u beyond %u", pg, VSL_MAX_PAGES);
			return -1;
		}
		if (pg >= s->npages[mem]) {
			uint32_t n = s->npages[mem] ? s->npages[mem] : 16;
			while (n <= pg)
				n *= 2;
			if (n > VSL_MAX_PAGES)
				n = VSL_MAX_PAGES;
			uint8_t **a = realloc(s->pages[mem], n * sizeof(*a));
			if (!a) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			memset(a + s->npages[mem], 0, (n - s->npages[mem]) * sizeof(*a));
			s->pages[mem] = a;
			s->npages[mem] = n;
		}
		if (!s->pages[mem][pg]) {
			if (s->bytes + VSL_PAGE_SIZE > VSL_STORE_LIMIT) {
				snprintf(err, errlen, "PAGES: more than %" PRIu64 " bytes",
					 VSL_STORE_LIMIT);
				return -1;
			}
			s->pages[mem][pg] = malloc(VSL_PAGE_SIZE);
			if (!s->pages[mem][pg]) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			s->bytes += VSL_PAGE_SIZE;
		}
		memcpy(s->pages[mem][pg], d + 4, VSL_PAGE_SIZE);
	}
	return 0;
}

/* Puts the pre-copied pages before the image's own runs (later runs win). */
int vsl_store_merge(vsl_page_store *s, vsl_image *img, char *err, size_t errlen)
{
	size_t n = 0;
	for (uint32_t m = 0; m < VSL_MAX_MEMORIES; m++)
		for (uint32_t p = 0; p < s->npages[m]; p++)
			if (s->pages[m][p]) {
				if (m >= img->nmemories || p >= img->memories[m].pages) {
					snprintf(err, errlen,
						 "pre-copied page %u of memory %u lies outside "
						 "the image's memories",
						 p, m);
					return -1;
				}
				n++;
			}
	vsl_page_run *runs = malloc((n + img->nruns + 1) * sizeof(*runs));
	if (!runs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t k = 0;
	for (uint32_t m = 0; m < VSL_MAX_MEMORIES; m++)
		for (uint32_t p = 0; p < s->npages[m]; p++)
			if (s->pages[m][p])
				runs[k++] = (vsl_page_run){m, p, 1, s->pages[m][p]};
	memcpy(runs + k, img->runs, img->nruns * sizeof(*runs));
	free(img->runs);
	img->runs = runs;
	img->nruns = (uint32_t)(k + img->nruns);
	return 0;
}
