// SPDX-License-Identifier: GPL-2.0
/*
 * JSON source positions: see srcmap.h.
 */
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "srcmap.h"

/* One container of the tree: where it opens and where its children are. */
struct srcmap_node {
	const json_t *container;
	struct srcpos at;
	size_t nr_children;
	struct srcpos *keys;	/* objects only */
	struct srcpos *values;
};

struct srcmap {
	struct srcmap_node *nodes;
	size_t nr_nodes;
	size_t cap_nodes;
};

/* A cursor over the text that knows its line and column. */
struct scanner {
	const char *text;
	size_t len;
	size_t pos;
	struct srcpos at;
};

static const struct srcpos srcpos_unknown;

static char peek(const struct scanner *s)
{
	return s->pos < s->len ? s->text[s->pos] : '\0';
}

static void advance(struct scanner *s)
{
	unsigned char c = s->text[s->pos++];

	if (c == '\n') {
		s->at.line++;
		s->at.column = 1;
	} else if ((c & 0xc0) != 0x80) {
		/* UTF-8 continuation bytes do not start a character. */
		s->at.column++;
	}
}

static void skip_space(struct scanner *s)
{
	while (s->pos < s->len && strchr(" \t\r\n", s->text[s->pos]))
		advance(s);
}

static void skip_string(struct scanner *s)
{
	advance(s);	/* the opening quote */
	while (s->pos < s->len && peek(s) != '"') {
		if (peek(s) == '\\')
			advance(s);
		if (s->pos < s->len)
			advance(s);
	}
	if (s->pos < s->len)
		advance(s);
}

/* Numbers, true, false and null run until a delimiter. */
static void skip_word(struct scanner *s)
{
	while (s->pos < s->len && !strchr(",:]} \t\r\n", s->text[s->pos]))
		advance(s);
}

static void add_node(struct srcmap *map, const json_t *container,
		     struct srcpos at, size_t nr_children)
{
	struct srcmap_node *node;

	if (map->nr_nodes == map->cap_nodes) {
		map->cap_nodes = map->cap_nodes ? map->cap_nodes * 2 : 16;
		map->nodes = xrealloc(map->nodes,
				      map->cap_nodes * sizeof(*map->nodes));
	}
	node = &map->nodes[map->nr_nodes++];
	memset(node, 0, sizeof(*node));
	node->container = container;
	node->at = at;
	node->nr_children = nr_children;
	node->values = xcalloc(nr_children, sizeof(struct srcpos));
	if (json_is_object(container))
		node->keys = xcalloc(nr_children, sizeof(struct srcpos));
}

static void scan_value(struct srcmap *map, struct scanner *s, const json_t *value);

static void scan_object(struct srcmap *map, struct scanner *s, const json_t *object)
{
	size_t index = map->nr_nodes, i = 0;
	void *iter = json_object_iter((json_t *)object);

	add_node(map, object, s->at, json_object_size(object));
	advance(s);	/* { */
	skip_space(s);
	while (peek(s) == '"' && iter) {
		/* add_node may move the array: index it afresh each time. */
		map->nodes[index].keys[i] = s->at;
		skip_string(s);
		skip_space(s);
		advance(s);	/* : */
		skip_space(s);
		map->nodes[index].values[i] = s->at;
		scan_value(map, s, json_object_iter_value(iter));
		iter = json_object_iter_next((json_t *)object, iter);
		i++;
		skip_space(s);
		if (peek(s) == ',') {
			advance(s);
			skip_space(s);
		}
	}
	if (peek(s) == '}')
		advance(s);
}

static void scan_array(struct srcmap *map, struct scanner *s, const json_t *array)
{
	size_t index = map->nr_nodes, size = json_array_size(array);

	add_node(map, array, s->at, size);
	advance(s);	/* [ */
	skip_space(s);
	for (size_t i = 0; i < size && peek(s) != ']'; i++) {
		map->nodes[index].values[i] = s->at;
		scan_value(map, s, json_array_get(array, i));
		skip_space(s);
		if (peek(s) == ',') {
			advance(s);
			skip_space(s);
		}
	}
	if (peek(s) == ']')
		advance(s);
}

static void scan_value(struct srcmap *map, struct scanner *s, const json_t *value)
{
	if (peek(s) == '{' && json_is_object(value))
		scan_object(map, s, value);
	else if (peek(s) == '[' && json_is_array(value))
		scan_array(map, s, value);
	else if (peek(s) == '"')
		skip_string(s);
	else
		skip_word(s);
}

struct srcmap *srcmap_build(const char *text, size_t len, const json_t *root)
{
	struct srcmap *map = xcalloc(1, sizeof(*map));
	struct scanner s = { .text = text, .len = len, .at = { 1, 1 } };

	skip_space(&s);
	scan_value(map, &s, root);
	return map;
}

void srcmap_free(struct srcmap *map)
{
	if (!map)
		return;
	for (size_t i = 0; i < map->nr_nodes; i++) {
		free(map->nodes[i].keys);
		free(map->nodes[i].values);
	}
	free(map->nodes);
	free(map);
}

static const struct srcmap_node *find_node(const struct srcmap *map,
					   const json_t *container)
{
	for (size_t i = 0; i < map->nr_nodes; i++)
		if (map->nodes[i].container == container)
			return &map->nodes[i];
	return NULL;
}

/* The position of @key among @object's members, in text order; -1 if absent. */
static long member_index(const json_t *object, const char *key)
{
	long i = 0;

	for (void *iter = json_object_iter((json_t *)object); iter;
	     iter = json_object_iter_next((json_t *)object, iter), i++)
		if (!strcmp(json_object_iter_key(iter), key))
			return i;
	return -1;
}

struct srcpos srcmap_container(const struct srcmap *map, const json_t *container)
{
	const struct srcmap_node *node = find_node(map, container);

	return node ? node->at : srcpos_unknown;
}

struct srcpos srcmap_key(const struct srcmap *map, const json_t *object,
			 const char *key)
{
	const struct srcmap_node *node = find_node(map, object);
	long i = member_index(object, key);

	if (!node || !node->keys || i < 0 || (size_t)i >= node->nr_children)
		return srcpos_unknown;
	return node->keys[i];
}

struct srcpos srcmap_member(const struct srcmap *map, const json_t *object,
			    const char *key)
{
	const struct srcmap_node *node = find_node(map, object);
	long i = member_index(object, key);

	if (!node || i < 0 || (size_t)i >= node->nr_children)
		return srcpos_unknown;
	return node->values[i];
}

struct srcpos srcmap_element(const struct srcmap *map, const json_t *array,
			     size_t index)
{
	const struct srcmap_node *node = find_node(map, array);

	if (!node || index >= node->nr_children)
		return srcpos_unknown;
	return node->values[index];
}
