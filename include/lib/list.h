/* include/lib/list.h — intrusive doubly linked circular lists.
 * Header-only; no allocation; callers provide locking. */
#ifndef LIB_LIST_H
#define LIB_LIST_H

#include <tessera/compiler.h>

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(n) { &(n), &(n) }
#define LIST_HEAD(n) struct list_head n = LIST_HEAD_INIT(n)

static inline void INIT_LIST_HEAD(struct list_head *l)
{
	l->next = l;
	l->prev = l;
}
static inline void __list_add(struct list_head *n, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}
static inline void list_add(struct list_head *n, struct list_head *head)
{
	__list_add(n, head, head->next);
}
static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	__list_add(n, head->prev, head);
}
static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = e;
	e->prev = e;
}
static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}
static inline void list_move_tail(struct list_head *e, struct list_head *h)
{
	list_del(e);
	list_add_tail(e, h);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(h, type, member) list_entry((h)->next, type, member)
#define list_for_each(p, h) for (p = (h)->next; p != (h); p = p->next)
#define list_for_each_safe(p, n, h) \
	for (p = (h)->next, n = p->next; p != (h); p = n, n = p->next)
#define list_for_each_entry(e, h, member)                                  \
	for (e = list_entry((h)->next, __typeof__(*e), member);            \
	     &e->member != (h);                                            \
	     e = list_entry(e->member.next, __typeof__(*e), member))
#define list_for_each_entry_safe(e, n, h, member)                          \
	for (e = list_entry((h)->next, __typeof__(*e), member),            \
	     n = list_entry(e->member.next, __typeof__(*e), member);       \
	     &e->member != (h);                                            \
	     e = n, n = list_entry(n->member.next, __typeof__(*n), member))

#endif
