/* pagestore.h: the destination's side of pre-copy (docs/vessels.md): the
 * memory pages a source dock sends in PAGES frames while its vessel still
 * runs, kept until the final image arrives and then merged under it.
 *
 * vsl_store_pages parses one PAGES field that came from another dock (u32
 * memory index, u32 count, then count times a u32 page index and 64 KiB of
 * data, little-endian) and refuses it with a message when a length, index or
 * the total size is out of bounds. vsl_store_merge puts the stored pages in
 * front of an image's own page runs, so that the image's later runs win.
 */
#ifndef ISTHMUS_VSL_PAGESTORE_H
#define ISTHMUS_VSL_PAGESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "proto.h"

#define VSL_STORE_LIMIT (UINT64_C(4) << 30) /* bytes per connection */

typedef struct vsl_page_store {
	uint32_t npages[VSL_MAX_MEMORIES];
	uint8_t **pages[VSL_MAX_MEMORIES];
	uint64_t bytes;
} vsl_page_store;

int vsl_store_pages(vsl_page_store *s, const vsl_field *f, char *err, size_t errlen);
/* Page data in img->runs then points into s: keep s until img is used. */
int vsl_store_merge(vsl_page_store *s, vsl_image *img, char *err, size_t errlen);
void vsl_store_free(vsl_page_store *s);

#endif /* ISTHMUS_VSL_PAGESTORE_H */
