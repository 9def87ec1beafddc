/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where each value of a JSON text stands, so that configuration errors can
 * name a line and a column. jansson parses the text and keeps no positions;
 * this module walks the same text beside the tree jansson built, relying on
 * two facts: the text was accepted by jansson (so it is valid JSON), and
 * jansson iterates object members in the order they were written (true
 * since jansson 2.8). Duplicate keys must have been rejected
 * (JSON_REJECT_DUPLICATES) for members to line up.
 *
 * Positions are 1-based; columns count characters, not bytes, as jansson's
 * own error columns do.
 */
#ifndef GHOSTD_SRCMAP_H
#define GHOSTD_SRCMAP_H

#include <jansson.h>
#include <stddef.h>

struct srcpos {
	int line;
	int column;
};

struct srcmap;

/* Map @root, parsed by jansson from @text (@len bytes). */
struct srcmap *srcmap_build(const char *text, size_t len, const json_t *root);
void srcmap_free(struct srcmap *map);

/*
 * Positions inside a container (object or array) of the mapped tree. A
 * container or member the map does not know yields line 0, column 0,
 * which callers print as is: it means a bug, not a user error.
 */
/* The opening brace or bracket of @container. */
struct srcpos srcmap_container(const struct srcmap *map, const json_t *container);
/* The key @key of @object (its opening quote). */
struct srcpos srcmap_key(const struct srcmap *map, const json_t *object,
			 const char *key);
/* The value of member @key of @object. */
struct srcpos srcmap_member(const struct srcmap *map, const json_t *object,
			    const char *key);
/* Element @index of @array. */
struct srcpos srcmap_element(const struct srcmap *map, const json_t *array,
			     size_t index);

#endif /* GHOSTD_SRCMAP_H */
