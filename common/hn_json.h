/* hn_json.h: checks every JSON reader makes before it reads fields (issue 14). cJSON keeps
 * the last of two equal keys silently and cuts a key or string at an escaped NUL
 * ("pe_rows\u0000x" read as "pe_rows"); these checks turn both into errors naming the file.
 * Only *_json.c files include this header (it names cJSON's type). */
#ifndef HN_JSON_H
#define HN_JSON_H

#include <stddef.h>

#include "hn.h"

struct cJSON;

/* Refuses a \u0000 escape in any string or key of the JSON text: HN_EINVAL with
 * "ORIGIN:LINE:COL: a NUL character (\u0000) in a string" ("line L, column C: ..." when
 * origin is NULL, for readers that prefix the file name themselves). */
int hn_json_check_text(const char *text, size_t len, const char *origin, struct hn_err *err);

/* Refuses an object, anywhere below root, with a key given twice: HN_EINVAL with
 * "ORIGIN: 'KEY' appears more than once (in PATH)" (no "ORIGIN: " when NULL), PATH like
 * "layers[3]" or "the top level". Linear in the document apart from sorting each object's
 * keys. */
int hn_json_check_keys(const struct cJSON *root, const char *origin, struct hn_err *err);

#endif
