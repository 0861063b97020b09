/*
 * Intrusive doubly linked lists with a sentinel head.  An element that
 * is on no list has both links NULL after list_remove().
 */
#ifndef KERN_LIST_H
#define KERN_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "kern/compiler.h"

struct list {
	struct list *next, *prev;
};

static inline void list_init(struct list *head)
{
	head->next = head->prev = head;
}

static inline bool list_empty(const struct list *head)
{
	return head->next == head;
}

static inline void list_insert_after(struct list *pos, struct list *elem)
{
	elem->prev = pos;
	elem->next = pos->next;
	pos->next->prev = elem;
	pos->next = elem;
}

static inline void list_push_front(struct list *head, struct list *elem)
{
	list_insert_after(head, elem);
}

static inline void list_push_back(struct list *head, struct list *elem)
{
	list_insert_after(head->prev, elem);
}

static inline void list_remove(struct list *elem)
{
	elem->prev->next = elem->next;
	elem->next->prev = elem->prev;
	elem->next = elem->prev = NULL;
}

static inline bool list_linked(const struct list *elem)
{
	return elem->next != NULL;
}

#define list_first_entry(head, type, member)                                   \
	container_of((head)->next, type, member)

#define list_for_each(pos, head)                                               \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* list_for_each_entry: declare VAR, a TYPE *, and run it over the
 * entries of HEAD linked through their MEMBER.  The loop body must not
 * unlink VAR. */
#define list_for_each_entry(type, var, head, member)                           \
	for (type *var = container_of((head)->next, type, member);             \
	     &var->member != (head);                                           \
	     var = container_of(var->member.next, type, member))

#endif
